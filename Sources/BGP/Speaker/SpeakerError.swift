/// Why the speaker could not start, a socket could not be set up, or a command was refused.
public enum SpeakerError: Error, CustomStringConvertible {
    case socketOption(String, String)
    case listen(String, String)
    case controlSocket(String, String)
    case unknownPeer(String)
    case resolvingTable(UInt32, String)

    public var description: String {
        switch self {
        case .socketOption(let option, let reason): "cannot set \(option): \(reason)"
        case .listen(let endpoint, let reason): "cannot listen on \(endpoint): \(reason)"
        case .controlSocket(let path, let reason): "control socket \(path): \(reason)"
        case .unknownPeer(let address): "no configured peer \(address)"
        case .resolvingTable(let table, let reason): "cannot read kernel table \(table) to resolve next hops: \(reason)"
        }
    }
}
