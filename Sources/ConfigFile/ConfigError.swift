/// A refused configuration file: the line (when known), the field path (`peers[1].as`,
/// `edgeDomains[0].gateway`) and what is wrong there.
public struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// 1-based line of the offending node; nil when there is none (an unreadable or empty file).
    public var line: Int?
    /// The field path; empty for the document itself.
    public var field: String
    public var message: String

    public init(line: Int? = nil, field: String, _ message: String) {
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        let place = line.map { "line \($0): " } ?? ""
        return field.isEmpty ? "\(place)\(message)" : "\(place)\(field): \(message)"
    }
}
