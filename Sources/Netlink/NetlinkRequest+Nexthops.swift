import CNetlink
import Glibc

/// Nexthop object requests, for `NetlinkSocket.perform` batches; each names its `ip` command.
extension NetlinkRequest {
    /// `ip nexthop add id ID via GW dev DEV proto P`: fails with EEXIST when the id is taken.
    public static func addNexthop(_ nexthop: Nexthop) -> NetlinkRequest {
        NetlinkRequest(type: RTM_NEWNEXTHOP, kind: .create, payload: nexthop.message().encoded(),
                       operation: "addNexthop", object: nexthop.description)
    }

    /// `ip nexthop replace id ID via GW dev DEV proto P`: every route through the id follows.
    public static func replaceNexthop(_ nexthop: Nexthop) -> NetlinkRequest {
        NetlinkRequest(type: RTM_NEWNEXTHOP, kind: .replace, payload: nexthop.message().encoded(),
                       operation: "replaceNexthop", object: nexthop.description)
    }

    /// `ip nexthop del id ID`: the kernel removes the routes through it too. A missing id is
    /// `.notFound` (ENOENT).
    public static func deleteNexthop(id: UInt32) -> NetlinkRequest {
        let message = NexthopMessage(attributes: [RouteAttribute(type: UInt16(NHA_ID), uint32: id)])
        return NetlinkRequest(type: RTM_DELNEXTHOP, kind: .delete, payload: message.encoded(),
                              operation: "deleteNexthop", object: "id \(id)")
    }

    /// `ip nexthop get id ID`
    public static func getNexthop(id: UInt32) -> NetlinkRequest {
        let message = NexthopMessage(attributes: [RouteAttribute(type: UInt16(NHA_ID), uint32: id)])
        return NetlinkRequest(type: RTM_GETNEXTHOP, kind: .get, payload: message.encoded(),
                              operation: "getNexthop", object: "id \(id)")
    }

    /// `ip nexthop show`: every nexthop of the namespace (the kernel filters dumps by device
    /// and group, not by protocol; `NetlinkSocket.nexthops(protocolID:)` filters that).
    static func listNexthops() -> NetlinkRequest {
        NetlinkRequest(type: RTM_GETNEXTHOP, kind: .dump, payload: NexthopMessage().encoded(),
                       operation: "nexthops", object: "all")
    }
}
