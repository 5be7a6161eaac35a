import BGPCore
import ConfigFile
import NetworkCore

/// The `originateFile` format: one prefix per line, optionally followed by communities,
/// `#` starts a comment. `10.0.1.0/24 65002:100 no-export`.
public enum OriginateFile {
    /// Parses the file's text; errors name the file and line (`table.txt:12: ...`).
    public static func parse(_ text: String, name: String) throws(ConfigError) -> [OriginateConfig] {
        var routes: [OriginateConfig] = []
        try parse(text, name: name, into: &routes)
        return routes
    }

    /// Appends the file's routes to `routes`, or none of them on an error. Lines are walked
    /// in place and the array is sized once: a full table costs its routes and nothing per
    /// line besides.
    public static func parse(_ text: String, name: String, into routes: inout [OriginateConfig]) throws(ConfigError) {
        let newline = UInt8(ascii: "\n")
        let before = routes.count
        routes.reserveCapacity(before + text.utf8.reduce(1) { $1 == newline ? $0 + 1 : $0 })
        var rest = text.utf8[...]
        var number = 0
        while !rest.isEmpty {
            number += 1
            let end = rest.firstIndex(of: newline) ?? rest.endIndex
            let line = rest[..<end]
            rest = end == rest.endIndex ? rest[end...] : rest[rest.index(after: end)...]
            do {
                if let route = try route(line.prefix { $0 != UInt8(ascii: "#") }, field: "\(name):\(number)") {
                    routes.append(route)
                }
            } catch {
                routes.removeSubrange(before...)
                throw error
            }
        }
    }

    /// One line without its comment; nil when nothing is left.
    private static func route(_ content: Substring.UTF8View, field: @autoclosure () -> String)
        throws(ConfigError) -> OriginateConfig? {
        var rest = content
        guard let first = nextWord(&rest) else { return nil }
        let prefix: IPPrefix
        do {
            prefix = try IPPrefix(parsing: Substring(first))
        } catch {
            throw ConfigError(field: field(), "\(error)")
        }
        var communities: [Community] = []
        while let word = nextWord(&rest) {
            let text = String(Substring(word))
            guard let community = Community(text) else {
                throw ConfigError(field: field(), "'\(text)' is not a community (ASN:VALUE or a well-known name)")
            }
            communities.append(community)
        }
        return OriginateConfig(prefix: prefix, communities: communities)
    }

    /// Takes the next blank-separated word off the front of `rest` (no array per line).
    private static func nextWord(_ rest: inout Substring.UTF8View) -> Substring.UTF8View? {
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") }
        rest = rest.drop(while: isBlank)
        guard !rest.isEmpty else { return nil }
        let word = rest.prefix { !isBlank($0) }
        rest = rest[word.endIndex...]
        return word
    }
}
