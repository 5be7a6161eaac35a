import CNetlink
import Glibc
import Netlink
import NetworkCore
import RouteSync

/// A real netlink socket that can be told to fail part way through the next batch: the
/// first `failAfter` requests reach the kernel and are acknowledged, then the socket
/// "fails" (ENOBUFS on receive), as a busy kernel's socket does.
final class FailingSocket: RouteSyncSocket {
    let real: NetlinkSocket
    var failAfter: Int?
    /// Refuse every route deletion (EBUSY) without sending it.
    var refuseDeletions = false
    /// Answer nexthop requests as a kernel without nexthop objects does.
    var nexthopsUnsupported = false

    init(_ real: NetlinkSocket) { self.real = real }

    var portID: UInt32 { real.portID }

    func performAcknowledged(_ requests: [NetlinkRequest]) -> NetlinkBatchResult {
        if refuseDeletions {
            let deletion = UInt16(RTM_DELROUTE)
            let sent = real.performAcknowledged(requests.filter { $0.type != deletion })
            var outcomes = sent.outcomes.makeIterator()
            return NetlinkBatchResult(outcomes: requests.map { request in
                request.type == deletion
                    ? .kernel(KernelFailure(errno: EBUSY, operation: request.operation, object: request.object, extendedAck: nil))
                    : outcomes.next() ?? nil
            }, interruption: sent.interruption)
        }
        guard let failAfter, failAfter < requests.count else { return real.performAcknowledged(requests) }
        self.failAfter = nil
        var result = real.performAcknowledged(Array(requests.prefix(failAfter)))
        result.interruption = .system(call: "recv(netlink)", errno: ENOBUFS)
        return result
    }

    func listRoutes(family: IPFamily, table: UInt32?) throws(NetlinkError) -> [KernelRoute] { try real.listRoutes(family: family, table: table) }
    func forEachRoute(family: IPFamily, table: UInt32?, _ body: (KernelRoute) -> Void) throws(NetlinkError) {
        try real.forEachRoute(family: family, table: table, body)
    }
    func nexthops(protocolID: UInt8?) throws(NetlinkError) -> [Nexthop] {
        if nexthopsUnsupported {
            throw .kernel(KernelFailure(errno: EOPNOTSUPP, operation: "nexthops", object: "all", extendedAck: nil))
        }
        return try real.nexthops(protocolID: protocolID)
    }
    func listAddresses(family: IPFamily?, index: Int32?) throws(NetlinkError) -> [Address] { try real.listAddresses(family: family, index: index) }
    func listLinks() throws(NetlinkError) -> [Link] { try real.listLinks() }
}
