import BGPCore
import ConfigFile
import Foundation
import NetworkCore

extension BGPConfig {
    /// Reads and validates a configuration file, and its `originateFile` (a relative path
    /// is taken from the configuration's folder).
    public static func load(contentsOf path: String) throws(ConfigError) -> BGPConfig {
        var others: [String: ConfigNode] = [:]
        return try load(contentsOf: path, others: &others)
    }

    /// The same; top-level keys in `otherKeys` belong to other parts and are handed back in `others`
    /// (see `init(yaml:otherKeys:others:)`).
    public static func load(contentsOf path: String, otherKeys: Set<String> = [],
                            others: inout [String: ConfigNode]) throws(ConfigError) -> BGPConfig {
        var config = try BGPConfig(yaml: try read(path, field: ""), otherKeys: otherKeys, others: &others)
        guard let file = config.originateFile else { return config }
        let resolved = file.hasPrefix("/") ? file
            : URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(file).path
        let fromYAML = config.originate.count
        // Parsed straight into the config's list: a full table is not held twice.
        try OriginateFile.parse(try read(resolved, field: "originateFile"), name: file, into: &config.originate)
        var seen = PrefixSet()
        for route in config.originate[..<fromYAML] { _ = seen.insert(route.prefix) }
        for route in config.originate[fromYAML...] where !seen.insert(route.prefix) {
            throw ConfigError(field: "originateFile", "\(route.prefix) is originated twice")
        }
        return config
    }

    private static func read(_ path: String, field: String) throws(ConfigError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(field: field, "cannot read \(path): \(error.localizedDescription)")
        }
    }
}
