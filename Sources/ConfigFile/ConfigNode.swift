import NetworkCore
import Yams

/// A node of a configuration file's YAML tree with the field path that leads to it: the one
/// walker every YAML file of TerwayEdge is read with (the plan, `bgp serve`'s config, the
/// agent's). Files are walked rather than decoded because every error must name its line and
/// field, and unknown keys must be refused (a misspelt key would otherwise vanish silently).
/// Scalars are read from their source text, never through YAML 1.1 type guessing (which
/// would read an unquoted `65002:100` as a base-60 number).
public struct ConfigNode {
    public let node: Node
    public let path: String

    public init(node: Node, path: String) {
        self.node = node
        self.path = path
    }

    /// The document's root. `.basic`: no implicit typing, which also skips the per-scalar
    /// regexes (a million-route originate list parses 10x faster).
    public static func document(_ yaml: String) throws(ConfigError) -> ConfigNode {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml, .basic)
        } catch {
            throw parseError(from: error)
        }
        guard let root else { throw ConfigError(field: "", "the file is empty") }
        return ConfigNode(node: root, path: "")
    }

    /// libyaml's scanner, parser and composer errors carry a mark; keep its line.
    private static func parseError(from error: any Error) -> ConfigError {
        switch error as? YamlError {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ConfigError(line: mark.line, field: "", "not valid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigError(line: context.mark.line, field: "", "duplicate key \(duplicates.joined(separator: ", ")) in a mapping")
        default:
            return ConfigError(field: "", "not valid YAML: \(error)")
        }
    }

    public var line: Int { node.mark?.line ?? 0 }

    public func error(_ message: String) -> ConfigError {
        ConfigError(line: line, field: path, message)
    }

    /// What the node is, in words, for "expected X, found Y".
    public var found: String {
        switch node {
        case .scalar(let s): "\"\(s.string)\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// The fields of a mapping; a key outside `keys` is refused as a likely typo.
    public func mapping(allowing keys: [String]) throws(ConfigError) -> ConfigMapping {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping with \(keys.joined(separator: ", ")), found \(found)") }
        return try ConfigMapping(mapping, path: path, allowed: keys)
    }

    public func list() throws(ConfigError) -> [ConfigNode] {
        guard case .sequence(let sequence) = node else { throw error("expected a list (write [a, b] or one '- item' per line), found \(found)") }
        return sequence.enumerated().map { ConfigNode(node: $0.element, path: "\(path)[\($0.offset)]") }
    }

    /// A mapping whose keys are names the file chooses (per-action settings), in file order.
    public func entries() throws(ConfigError) -> [(key: String, value: ConfigNode)] {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping, found \(found)") }
        var entries: [(key: String, value: ConfigNode)] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                throw ConfigError(line: key.mark?.line, field: path, "expected a text key, found \(ConfigNode(node: key, path: path).found)")
            }
            entries.append((name, ConfigNode(node: value, path: path.isEmpty ? name : "\(path).\(name)")))
        }
        return entries
    }

    /// A plain or quoted scalar's text.
    public func string() throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node else { throw error("expected a text value, found \(found)") }
        return scalar.string
    }

    /// A plain (unquoted) scalar: numbers and booleans written in quotes are a type error,
    /// as they would be in a typed language.
    public func plain(expected: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { throw error("expected \(expected), found \(found)") }
        return scalar.string
    }

    public func integer<Value: FixedWidthInteger>(in range: ClosedRange<Value>) throws(ConfigError) -> Value {
        let expected = "an integer from \(range.lowerBound) to \(range.upperBound)"
        guard let value = Value(try plain(expected: expected)), range.contains(value) else { throw error("expected \(expected), found \(found)") }
        return value
    }

    /// A finite decimal number (seconds, fractions, rates).
    public func number(in range: ClosedRange<Double>) throws(ConfigError) -> Double {
        let expected = "a number from \(range.lowerBound) to \(range.upperBound)"
        guard let value = Double(try plain(expected: expected)), value.isFinite, range.contains(value) else {
            throw error("expected \(expected), found \(found)")
        }
        return value
    }

    public func strings() throws(ConfigError) -> [String] {
        var strings: [String] = []
        for item in try list() { strings.append(try item.string()) }
        return strings
    }

    public func bool() throws(ConfigError) -> Bool {
        switch try plain(expected: "true or false") {
        case "true": return true
        case "false": return false
        default: throw error("expected true or false, found \(found)")
        }
    }

    /// A CIDR block, strictly: host bits set are an error naming the block that was probably meant.
    public func prefix() throws(ConfigError) -> IPPrefix {
        let text = try string()
        do {
            return try IPPrefix(parsing: text)
        } catch {
            throw self.error(error.description)
        }
    }

    public func prefixes() throws(ConfigError) -> [IPPrefix] {
        var prefixes: [IPPrefix] = []
        for item in try list() { prefixes.append(try item.prefix()) }
        return prefixes
    }

    public func address() throws(ConfigError) -> IPAddress {
        let text = try string()
        guard let address = IPAddress(text) else { throw error("'\(text)' is not an IPv4 or IPv6 address") }
        return address
    }
}
