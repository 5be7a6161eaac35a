import Yams

/// A mapping being read: keys are looked up by name; any key it does not allow was refused
/// when it was opened.
public struct ConfigMapping {
    public let path: String
    public let line: Int
    private let fields: [String: ConfigNode]

    init(_ mapping: Node.Mapping, path: String, allowed: [String]) throws(ConfigError) {
        self.path = path
        line = mapping.mark?.line ?? 0
        var fields: [String: ConfigNode] = [:]
        for (key, value) in mapping {
            let keyPath = path.isEmpty ? (key.string ?? "?") : "\(path).\(key.string ?? "?")"
            guard let name = key.scalar?.string, allowed.contains(name) else {
                throw ConfigError(line: key.mark?.line, field: keyPath, "unknown field; expected one of \(allowed.joined(separator: ", "))")
            }
            fields[name] = ConfigNode(node: value, path: keyPath)
        }
        self.fields = fields
    }

    public func optional(_ key: String) -> ConfigNode? {
        fields[key]
    }

    public func required(_ key: String) throws(ConfigError) -> ConfigNode {
        guard let field = fields[key] else {
            throw ConfigError(line: line, field: path.isEmpty ? key : "\(path).\(key)", "missing required field")
        }
        return field
    }
}
