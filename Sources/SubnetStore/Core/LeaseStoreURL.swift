/// A store location: `file:///var/lib/terway-edge/leases.db`,
/// `etcd://10.0.0.1:2379,10.0.0.2:2379/terway-edge?ca=/etc/ca.pem`, `kubernetes://`.
/// Parsed by hand because `Foundation.URL` refuses a comma-separated host list.
public struct LeaseStoreURL: Hashable, Sendable, CustomStringConvertible {
    public let scheme: String
    /// The authority split at commas (`host:port` each); empty for `file://` and `kubernetes://`.
    public let endpoints: [String]
    /// Everything from the first `/` after the authority up to `?`, percent-decoded.
    public let path: String
    /// `?key=value&...`, percent-decoded; a key given twice keeps the last value.
    public let query: [String: String]
    public let description: String

    public init(parsing text: String) throws(LeaseStoreError) {
        guard let separator = text.range(of: "://") else {
            throw .badConfiguration("store URL '\(text)' has no scheme; use file:///path, etcd://host:port/prefix or kubernetes://")
        }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter && $0.isASCII }) else {
            throw .badConfiguration("store URL '\(text)' has an invalid scheme '\(scheme)'")
        }
        var rest = text[separator.upperBound...]
        var queryText = ""
        if let mark = rest.firstIndex(of: "?") {
            queryText = String(rest[rest.index(after: mark)...])
            rest = rest[..<mark]
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        guard let path = String(rest[slash...]).removingPercentEncoding else {
            throw .badConfiguration("store URL '\(text)' has a bad percent escape in its path")
        }
        var query: [String: String] = [:]
        for item in queryText.split(separator: "&") {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = pair[0].removingPercentEncoding, !key.isEmpty,
                  let value = (pair.count > 1 ? pair[1] : "").removingPercentEncoding else {
                throw .badConfiguration("store URL '\(text)' has a bad query item '\(item)'")
            }
            query[key] = value
        }
        self.scheme = scheme
        self.endpoints = authority.split(separator: ",").map(String.init)
        self.path = path
        self.query = query
        self.description = text
    }
}
