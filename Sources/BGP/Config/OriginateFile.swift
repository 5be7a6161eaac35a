import NetworkCore

/// The `originateFile` format: one prefix per line, optionally followed by communities,
/// `#` starts a comment. `10.0.1.0/24 65002:100 no-export`.
public enum OriginateFile {
    /// Parses the file's text; errors name the file and line (`table.txt:12: ...`).
    public static func parse(_ text: String, name: String) throws(ConfigError) -> [OriginateConfig] {
        var routes: [OriginateConfig] = []
        var number = 0
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            let content = line.prefix { $0 != UInt8(ascii: "#") }
            let words = content.split { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
            guard let first = words.first else { continue }
            let field = "\(name):\(number)"
            let prefix: IPPrefix
            do {
                prefix = try IPPrefix(parsing: String(decoding: first, as: UTF8.self))
            } catch {
                throw ConfigError(field: field, "\(error)")
            }
            var communities: [Community] = []
            for word in words.dropFirst() {
                let text = String(decoding: word, as: UTF8.self)
                guard let community = Community(text) else {
                    throw ConfigError(field: field, "'\(text)' is not a community (ASN:VALUE or a well-known name)")
                }
                communities.append(community)
            }
            routes.append(OriginateConfig(prefix: prefix, communities: communities))
        }
        return routes
    }
}
