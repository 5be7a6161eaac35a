import Netlink
import NetworkCore

/// What RouteSync needs of a netlink socket. `NetlinkSocket` is the real one; tests wrap it
/// to fail a chunk part way through a batch, as ENOBUFS or a send error would.
public protocol RouteSyncSocket: AnyObject {
    /// nl_pid: the monitor ignores the notifications of this socket's own changes.
    var portID: UInt32 { get }
    func performAcknowledged(_ requests: [NetlinkRequest]) -> NetlinkBatchResult
    func listRoutes(family: IPFamily, table: UInt32?) throws(NetlinkError) -> [KernelRoute]
    /// `listRoutes` one route at a time: a full table's dump is never held at once.
    func forEachRoute(family: IPFamily, table: UInt32?, _ body: (KernelRoute) -> Void) throws(NetlinkError)
    func nexthops(protocolID: UInt8?) throws(NetlinkError) -> [Nexthop]
    func listAddresses(family: IPFamily?, index: Int32?) throws(NetlinkError) -> [Address]
    func listLinks() throws(NetlinkError) -> [Link]
}

extension NetlinkSocket: RouteSyncSocket {}

extension RouteSyncSocket {
    /// A dump that races a change is read again (NLM_F_DUMP_INTR), up to five times.
    func retryingInterrupted<T>(_ body: () throws(NetlinkError) -> T) throws(NetlinkError) -> T {
        var attempts = 0
        while true {
            do throws(NetlinkError) {
                return try body()
            } catch .dumpInterrupted(let operation) {
                attempts += 1
                if attempts == 5 { throw .dumpInterrupted(operation: operation) }
            }
        }
    }
}
