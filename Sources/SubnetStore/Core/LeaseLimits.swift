/// The bounds every lease field must respect, checked on requests and on decoded records alike.
public enum LeaseLimits {
    public static let maxNodeNameLength = 253
    public static let maxBackendEntries = 32
    public static let maxBackendKeyLength = 63
    public static let maxBackendValueLength = 1024
    public static let minTTL = Duration.milliseconds(100)
    public static let maxTTL = Duration.seconds(366 * 24 * 3600)

    /// One broken rule, in words.
    public struct Violation: Error, CustomStringConvertible, Sendable {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// A Kubernetes node name: a DNS-1123 subdomain (lowercase labels of [a-z0-9-] joined by dots).
    public static func validateNodeName(_ name: String) throws(Violation) {
        guard !name.isEmpty, name.utf8.count <= maxNodeNameLength else {
            throw Violation("node name must be 1 to \(maxNodeNameLength) characters, got \(name.utf8.count)")
        }
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            let bytes = Array(label.utf8)
            guard let first = bytes.first, let last = bytes.last,
                  bytes.allSatisfy({ isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }),
                  isLowerAlphanumeric(first), isLowerAlphanumeric(last)
            else {
                throw Violation("node name '\(name)' is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending alphanumeric)")
            }
        }
    }

    /// Keys like `bgp.router-id`: [A-Za-z0-9._/-], values of bounded length.
    public static func validateBackendData(_ data: [String: String]) throws(Violation) {
        guard data.count <= maxBackendEntries else {
            throw Violation("backend data has \(data.count) entries; at most \(maxBackendEntries) are allowed")
        }
        for (key, value) in data {
            guard !key.isEmpty, key.utf8.count <= maxBackendKeyLength,
                  key.utf8.allSatisfy({ isAlphanumeric($0) || "._/-".utf8.contains($0) })
            else {
                throw Violation("backend data key '\(key)' must be 1 to \(maxBackendKeyLength) characters of A-Z a-z 0-9 . _ / -")
            }
            guard value.utf8.count <= maxBackendValueLength else {
                throw Violation("backend data value of '\(key)' is \(value.utf8.count) bytes; at most \(maxBackendValueLength) are allowed")
            }
        }
    }

    /// A machine id: up to 64 characters of [A-Za-z0-9._-] (systemd's are 32 hex digits).
    public static func validateOwner(_ owner: String) throws(Violation) {
        guard owner.utf8.count <= 64, owner.utf8.allSatisfy({ isAlphanumeric($0) || "._-".utf8.contains($0) }) else {
            throw Violation("owner '\(owner)' must be at most 64 characters of A-Z a-z 0-9 . _ -")
        }
    }

    public static func validateTTL(_ ttl: Duration) throws(Violation) {
        guard ttl >= minTTL, ttl <= maxTTL else {
            throw Violation("lease TTL \(ttl) is outside \(minTTL) ... \(maxTTL)")
        }
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
