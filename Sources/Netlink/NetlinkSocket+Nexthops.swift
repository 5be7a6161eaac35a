import CNetlink
import Glibc

/// Nexthop object verbs, one request each; batch several with `perform([.addNexthop(...), ...])`.
extension NetlinkSocket {
    public func addNexthop(_ nexthop: Nexthop) throws(NetlinkError) { try perform([.addNexthop(nexthop)]) }
    public func replaceNexthop(_ nexthop: Nexthop) throws(NetlinkError) { try perform([.replaceNexthop(nexthop)]) }
    public func deleteNexthop(id: UInt32) throws(NetlinkError) { try perform([.deleteNexthop(id: id)]) }

    /// `ip nexthop get id ID`; throws `.notFound` when there is none.
    public func nexthop(id: UInt32) throws(NetlinkError) -> Nexthop {
        let request = NetlinkRequest.getNexthop(id: id)
        let replies = try perform([request])
        guard let message = replies.first?.first else {
            throw .malformedReply(operation: request.operation, reason: "no nexthop before the ACK")
        }
        return try decode([message], operation: request.operation) { (payload) throws(NetlinkDecodingError) in
            try Nexthop(NexthopMessage(decoding: payload))
        }[0]
    }

    /// `ip nexthop show [proto P]`. A kernel without nexthop objects answers EOPNOTSUPP or
    /// EINVAL, which `NetlinkError.meansNoNexthopObjects` recognizes.
    public func nexthops(protocolID: UInt8? = nil) throws(NetlinkError) -> [Nexthop] {
        let request = NetlinkRequest.listNexthops()
        return try decode(dump(request), operation: request.operation) { (payload) throws(NetlinkDecodingError) in
            let nexthop = try Nexthop(NexthopMessage(decoding: payload))
            return protocolID == nil || nexthop.protocolID == protocolID ? nexthop : nil
        }
    }
}

extension NetlinkError {
    /// The kernel has no nexthop objects (built without them, or older than 5.3).
    public var meansNoNexthopObjects: Bool {
        guard case .kernel(let failure) = self else { return false }
        return [EOPNOTSUPP, EINVAL, EAFNOSUPPORT, EPROTONOSUPPORT].contains(failure.errno)
    }
}
