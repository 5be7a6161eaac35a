/// Why a plan file could not be read, with the line and the field path to fix.
public struct PlanParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// 1-based line of the offending node; nil when the file could not be read at all.
    public var line: Int?
    /// The field path (`edgeDomains[0].gateway.as`); empty for the document itself.
    public var field: String
    public var message: String

    public init(line: Int?, field: String, message: String) {
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        let place = line.map { "line \($0)" } ?? "file"
        return field.isEmpty ? "\(place): \(message)" : "\(place): \(field): \(message)"
    }
}
