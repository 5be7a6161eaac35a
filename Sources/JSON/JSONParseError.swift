/// Why a document was refused, with where: byte offset, and line and column (1-based).
public struct JSONParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        case unexpectedEnd
        case unexpectedByte(UInt8)
        case invalidLiteral
        case invalidNumber
        case invalidEscape
        case invalidUnicodeEscape
        case controlCharacterInString
        case invalidUTF8
        case duplicateKey(String)
        case tooDeep(limit: Int)
        case trailingContent
    }

    public let reason: Reason
    public let offset: Int
    public let line: Int
    public let column: Int

    public var description: String {
        let what: String = switch reason {
        case .unexpectedEnd: "unexpected end of input"
        case .unexpectedByte(let b):
            b >= 0x20 && b < 0x7F ? "unexpected character '\(Character(Unicode.Scalar(b)))'" : "unexpected byte 0x\(String(b, radix: 16))"
        case .invalidLiteral: "invalid literal (expected true, false or null)"
        case .invalidNumber: "invalid number"
        case .invalidEscape: "invalid escape sequence in string"
        case .invalidUnicodeEscape: "invalid \\u escape (bad hex digits or unpaired surrogate)"
        case .controlCharacterInString: "unescaped control character in string"
        case .invalidUTF8: "string is not valid UTF-8"
        case .duplicateKey(let key): "duplicate object key \"\(key)\""
        case .tooDeep(let limit): "nesting deeper than \(limit) levels"
        case .trailingContent: "content after the end of the document"
        }
        return "\(what) at line \(line), column \(column) (byte \(offset))"
    }
}
