import NetworkCore
import Yams

/// A YAML node with the path that leads to it, so that every refusal names its field.
/// Scalars are read from their source text, never through YAML 1.1 type guessing
/// (which would read an unquoted `65002:100` as a base-60 number).
struct ConfigNode {
    let node: Node
    let path: String

    func error(_ message: String) -> ConfigError { ConfigError(field: path, message) }

    /// The fields of a mapping; any key outside `allowed` is refused as a likely typo.
    func mapping(allowed: Set<String>) throws(ConfigError) -> [String: ConfigNode] {
        guard case .mapping(let mapping) = node else { throw error("must be a mapping") }
        var fields: [String: ConfigNode] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else { throw error("keys must be plain names") }
            let name = scalar.string
            let child = ConfigNode(node: value, path: path.isEmpty ? name : "\(path).\(name)")
            guard allowed.contains(name) else { throw child.error("unknown field") }
            guard fields[name] == nil else { throw child.error("given twice") }
            fields[name] = child
        }
        return fields
    }

    func sequence() throws(ConfigError) -> [ConfigNode] {
        guard case .sequence(let sequence) = node else { throw error("must be a list") }
        return sequence.enumerated().map { ConfigNode(node: $1, path: "\(path)[\($0)]") }
    }

    func string() throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node else { throw error("must be a single value") }
        return scalar.string
    }

    func integer(in range: ClosedRange<UInt64>) throws(ConfigError) -> UInt64 {
        let text = try string()
        guard let value = UInt64(text), range.contains(value) else {
            throw error("must be \(range.lowerBound)..\(range.upperBound)")
        }
        return value
    }

    func bool() throws(ConfigError) -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("must be true or false")
        }
    }

    func address() throws(ConfigError) -> IPAddress {
        guard let address = IPAddress(try string()) else { throw error("must be an IPv4 or IPv6 address") }
        return address
    }
}
