import CNetlink
import NetworkCore

/// Neighbour requests, for `NetlinkSocket.perform` batches.
extension NetlinkRequest {
    /// `ip neigh replace ADDRESS lladdr MAC dev INDEX nud STATE`
    public static func replaceNeighbour(_ neighbour: Neighbour) -> NetlinkRequest {
        NetlinkRequest(type: RTM_NEWNEIGH, kind: .replace, payload: neighbour.message().encoded(),
                       operation: "replaceNeighbour", object: neighbour.description)
    }

    /// `ip neigh del ADDRESS dev INDEX` (with `proxy` for a proxy entry)
    public static func deleteNeighbour(_ neighbour: Neighbour) -> NetlinkRequest {
        NetlinkRequest(type: RTM_DELNEIGH, kind: .delete, payload: neighbour.message().encoded(),
                       operation: "deleteNeighbour", object: neighbour.description)
    }
}

extension NetlinkSocket {
    public func replaceNeighbour(_ neighbour: Neighbour) throws(NetlinkError) { try perform([.replaceNeighbour(neighbour)]) }

    public func deleteNeighbour(_ neighbour: Neighbour) throws(NetlinkError) { try perform([.deleteNeighbour(neighbour)]) }

    /// `ip [-6] neigh show dev INDEX`
    public func listNeighbours(family: IPFamily, index: Int32) throws(NetlinkError) -> [Neighbour] {
        let request = NetlinkRequest(type: RTM_GETNEIGH, kind: .dump,
                                     payload: NeighbourMessage(family: family.addressFamily, index: index).encoded(),
                                     operation: "listNeighbours", object: "\(family) dev \(index)")
        return try decode(dump(request), operation: request.operation) { (payload) throws(NetlinkDecodingError) in
            let neighbour = try Neighbour(NeighbourMessage(decoding: payload))
            return neighbour.index == index ? neighbour : nil
        }
    }
}
