import NetworkCore
import Yams

/// A node of the plan's YAML tree with its field path. The plan is read by walking
/// `Yams.Node` rather than through `Decodable` because every error must name its line,
/// and unknown keys must be refused (a misspelt `podCIDR` would otherwise vanish silently).
/// Public for the agent's config, which reads the same way.
public struct YAMLField {
    public let node: Node
    public let path: String

    public init(node: Node, path: String) {
        self.node = node
        self.path = path
    }

    public var line: Int { node.mark?.line ?? 0 }
    public var location: PlanLocation { PlanLocation(field: path, line: line) }

    public func error(_ message: String) -> PlanParseError {
        PlanParseError(line: line, field: path, message: message)
    }

    /// What the node is, in words, for "expected X, found Y".
    private var found: String {
        switch node {
        case .scalar(let s): "\"\(s.string)\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    public func mapping(allowing keys: [String]) throws(PlanParseError) -> YAMLMapping {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping with \(keys.joined(separator: ", ")), found \(found)") }
        return try YAMLMapping(mapping, path: path, allowed: keys)
    }

    public func list() throws(PlanParseError) -> [YAMLField] {
        guard case .sequence(let sequence) = node else { throw error("expected a list (write [a, b] or one '- item' per line), found \(found)") }
        return sequence.enumerated().map { YAMLField(node: $0.element, path: "\(path)[\($0.offset)]") }
    }

    /// A plain or quoted scalar's text.
    public func string() throws(PlanParseError) -> String {
        guard case .scalar(let scalar) = node else { throw error("expected a text value, found \(found)") }
        return scalar.string
    }

    /// A plain (unquoted) scalar: numbers and booleans written in quotes are a type error,
    /// as they would be in a typed language.
    private func plain(expected: String) throws(PlanParseError) -> String {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { throw error("expected \(expected), found \(found)") }
        return scalar.string
    }

    public func integer(in range: ClosedRange<Int>) throws(PlanParseError) -> Int {
        let expected = "an integer from \(range.lowerBound) to \(range.upperBound)"
        guard let value = Int(try plain(expected: expected)), range.contains(value) else { throw error("expected \(expected), found \(found)") }
        return value
    }

    public func asn() throws(PlanParseError) -> PlanValue<UInt32> {
        let expected = "an AS number from 1 to 4294967294"
        guard let value = UInt32(try plain(expected: expected)) else { throw error("expected \(expected), found \(found)") }
        return PlanValue(value, at: location)
    }

    public func bool() throws(PlanParseError) -> Bool {
        switch try plain(expected: "true or false") {
        case "true": return true
        case "false": return false
        default: throw error("expected true or false, found \(found)")
        }
    }

    /// A CIDR block, strictly: host bits set are an error naming the block that was probably meant.
    public func prefix() throws(PlanParseError) -> PlanBlock {
        let text = try string()
        do {
            return PlanValue(try IPPrefix(parsing: text), at: location)
        } catch {
            throw self.error(error.description)
        }
    }

    public func address() throws(PlanParseError) -> PlanAddress {
        let text = try string()
        guard let address = IPAddress(text) else { throw error("'\(text)' is not an IPv4 or IPv6 address") }
        return PlanValue(address, at: location)
    }

    public func prefixes() throws(PlanParseError) -> [PlanBlock] {
        var blocks: [PlanBlock] = []
        for item in try list() { blocks.append(try item.prefix()) }
        return blocks
    }
}

/// A mapping being read: keys are looked up by name and any key left unread is an error.
public struct YAMLMapping {
    public let path: String
    public let line: Int
    private let fields: [String: YAMLField]

    init(_ mapping: Node.Mapping, path: String, allowed: [String]) throws(PlanParseError) {
        self.path = path
        line = mapping.mark?.line ?? 0
        var fields: [String: YAMLField] = [:]
        for (key, value) in mapping {
            let keyPath = path.isEmpty ? (key.string ?? "?") : "\(path).\(key.string ?? "?")"
            guard let name = key.scalar?.string, allowed.contains(name) else {
                throw PlanParseError(line: key.mark?.line, field: keyPath,
                                     message: "unknown field; expected one of \(allowed.joined(separator: ", "))")
            }
            fields[name] = YAMLField(node: value, path: keyPath)
        }
        self.fields = fields
    }

    public func optional(_ key: String) -> YAMLField? {
        fields[key]
    }

    public func required(_ key: String) throws(PlanParseError) -> YAMLField {
        guard let field = fields[key] else {
            throw PlanParseError(line: line, field: path.isEmpty ? key : "\(path).\(key)", message: "missing required field")
        }
        return field
    }
}
