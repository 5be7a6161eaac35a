import CNetlink
import Glibc
import NetworkCore

/// Address, route and rule verbs; one request each, batch them with `perform`.
extension NetlinkSocket {
    public func addAddress(_ address: InterfaceAddress, index: Int32, noDAD: Bool = false) throws(NetlinkError) {
        try perform([.addAddress(address, index: index, noDAD: noDAD)])
    }

    public func deleteAddress(_ address: InterfaceAddress, index: Int32) throws(NetlinkError) {
        try perform([.deleteAddress(address, index: index)])
    }

    /// `ip addr show [dev INDEX]`, IPv4 and IPv6 unless `family` narrows it. With an index
    /// the kernel filters (strict dump checking, on for this request only), so the answer
    /// does not grow with the other links' addresses (a node's many veth link-locals).
    public func listAddresses(family: IPFamily? = nil, index: Int32? = nil) throws(NetlinkError) -> [Address] {
        let message = AddressMessage(family: family?.addressFamily ?? 0, index: index.map { UInt32(bitPattern: $0) } ?? 0)
        let request = NetlinkRequest(type: RTM_GETADDR, kind: .dump, payload: message.encoded(),
                                     operation: "listAddresses", object: family.map { "\($0)" } ?? "all")
        // A kernel without the option (before 4.20) ignores the index; the filter below still applies.
        let strict = index != nil && setStrictDumpChecking(true)
        defer { if strict { _ = setStrictDumpChecking(false) } }
        return try decode(dump(request), operation: request.operation) { (payload) throws(NetlinkDecodingError) in
            let address = try Address(AddressMessage(decoding: payload))
            return index == nil || address.index == index ? address : nil
        }
    }

    public func addRoute(_ route: KernelRoute) throws(NetlinkError) { try perform([.addRoute(route)]) }
    public func replaceRoute(_ route: KernelRoute) throws(NetlinkError) { try perform([.replaceRoute(route)]) }
    public func deleteRoute(_ route: KernelRoute) throws(NetlinkError) { try perform([.deleteRoute(route)]) }

    /// `ip [-6] route show table TABLE` (nil: every table). Cached clones are left out.
    public func listRoutes(family: IPFamily, table: UInt32? = KernelRoute.mainTable) throws(NetlinkError) -> [KernelRoute] {
        var routes: [KernelRoute] = []
        try forEachRoute(family: family, table: table) { routes.append($0) }
        return routes
    }

    /// `listRoutes` handing each route to `body` as the kernel's datagrams arrive, so a
    /// table of a million routes is never held in memory at once. `.dumpInterrupted` comes
    /// at the end, after `body` saw a table that may be inconsistent; a malformed route,
    /// once the whole reply was read.
    public func forEachRoute(family: IPFamily, table: UInt32? = KernelRoute.mainTable,
                             _ body: (KernelRoute) -> Void) throws(NetlinkError) {
        let request = NetlinkRequest(type: RTM_GETROUTE, kind: .dump,
                                     payload: RouteMessage(family: family.addressFamily).encoded(),
                                     operation: "listRoutes", object: "\(family) table \(table.map(String.init) ?? "all")")
        var malformed: NetlinkDecodingError?
        try dump(request) { message in
            guard malformed == nil else { return }
            do throws(NetlinkDecodingError) {
                let decoded = try RouteMessage(decoding: message.payload[...])
                if decoded.flags & UInt32(RTM_F_CLONED) != 0 { return }
                let route = try KernelRoute(decoded)
                if table == nil || route.table == table { body(route) }
            } catch {
                malformed = error
            }
        }
        if let malformed { throw .malformedReply(operation: request.operation, reason: malformed.description) }
    }

    public func addRule(_ rule: Rule) throws(NetlinkError) { try perform([.addRule(rule)]) }
    public func deleteRule(_ rule: Rule) throws(NetlinkError) { try perform([.deleteRule(rule)]) }

    /// `ip [-6] rule show`
    public func listRules(family: IPFamily) throws(NetlinkError) -> [Rule] {
        let request = NetlinkRequest(type: RTM_GETRULE, kind: .dump,
                                     payload: RuleMessage(family: family.addressFamily).encoded(),
                                     operation: "listRules", object: "\(family)")
        return try decode(dump(request), operation: request.operation) { (payload) throws(NetlinkDecodingError) in
            try Rule(RuleMessage(decoding: payload))
        }
    }
}

extension NetlinkSocket {
    /// NETLINK_GET_STRICT_CHK: the kernel checks dump requests strictly and honours their
    /// filters. False when the kernel does not know the option.
    func setStrictDumpChecking(_ on: Bool) -> Bool {
        var value: Int32 = on ? 1 : 0
        return setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
    }
}
