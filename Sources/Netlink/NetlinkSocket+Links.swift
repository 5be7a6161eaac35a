import CNetlink
import Glibc
import NetworkCore

/// Link verbs, one request each; batch several with `perform([.addLink(...), ...])`.
extension NetlinkSocket {
    /// `ip link show`
    public func listLinks() throws(NetlinkError) -> [Link] {
        let request = NetlinkRequest(type: RTM_GETLINK, kind: .dump, payload: LinkMessage().encoded(),
                                     operation: "listLinks", object: "all")
        return try decode(dump(request), operation: "listLinks") { (payload) throws(NetlinkDecodingError) in
            try Link(LinkMessage(decoding: payload))
        }
    }

    /// `ip link show dev NAME`; throws `.notFound` when there is none.
    public func link(named name: String) throws(NetlinkError) -> Link { try getLink(.getLink(name)) }

    /// `ip link show dev INDEX`; throws `.notFound` when there is none.
    public func link(index: Int32) throws(NetlinkError) -> Link { try getLink(.getLink(index: index)) }

    /// `ip link add ...`
    public func addLink(_ settings: LinkSettings, kind: LinkKind) throws(NetlinkError) {
        try perform([.addLink(settings, kind: kind)])
    }

    /// `ip link del NAME` (deleting either end of a veth pair removes both).
    public func deleteLink(_ name: String) throws(NetlinkError) { try perform([.deleteLink(name)]) }
    public func setLinkUp(_ name: String) throws(NetlinkError) { try perform([.setLinkUp(name)]) }
    public func setLinkDown(_ name: String) throws(NetlinkError) { try perform([.setLinkUp(name, false)]) }
    public func setLinkMTU(_ name: String, _ mtu: Int) throws(NetlinkError) { try perform([.setLinkMTU(name, mtu)]) }
    public func setLinkAddress(_ name: String, _ mac: MACAddress) throws(NetlinkError) { try perform([.setLinkAddress(name, mac)]) }

    public func setLinkMaster(_ name: String, masterIndex: Int32?) throws(NetlinkError) {
        try perform([.setLinkMaster(name, masterIndex: masterIndex)])
    }

    public func setLinkNamespace(_ name: String, _ namespace: NetworkNamespace) throws(NetlinkError) {
        try perform([.setLinkNamespace(name, namespaceFD: namespace.fd)])
    }

    public func setBridgePortHairpin(_ name: String, _ on: Bool) throws(NetlinkError) {
        try perform([.setBridgePortHairpin(name, on)])
    }

    /// `ip link set NAME name NEW`
    public func renameLink(_ name: String, to newName: String) throws(NetlinkError) {
        try perform([.renameLink(index: link(named: name).index, to: newName)])
    }

    /// The link a `getLink` request answered with.
    func getLink(_ request: NetlinkRequest) throws(NetlinkError) -> Link {
        let replies = try perform([request])
        let links = try decode(replies[0], operation: request.operation) { (payload) throws(NetlinkDecodingError) in
            try Link(LinkMessage(decoding: payload))
        }
        guard let link = links.first else {
            throw .malformedReply(operation: request.operation, reason: "no RTM_NEWLINK before the ACK")
        }
        return link
    }

    /// Decodes reply payloads, reporting a parse failure as a malformed reply of `operation`.
    func decode<T>(_ messages: [NetlinkMessage], operation: String,
                   _ body: (ArraySlice<UInt8>) throws(NetlinkDecodingError) -> T?) throws(NetlinkError) -> [T] {
        var values: [T] = []
        values.reserveCapacity(messages.count)
        for message in messages {
            do throws(NetlinkDecodingError) {
                if let value = try body(message.payload[...]) { values.append(value) }
            } catch {
                throw .malformedReply(operation: operation, reason: error.description)
            }
        }
        return values
    }
}
