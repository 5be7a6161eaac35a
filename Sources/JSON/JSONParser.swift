/// A strict RFC 8259 parser: no comments, no trailing commas, no NaN, no duplicate keys,
/// valid UTF-8 only, nesting bounded. It never traps on any input.
struct JSONParser {
    private let bytes: [UInt8]
    private var index = 0
    private let maxDepth: Int
    private var depth = 0

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw error(.trailingContent) }
        return value
    }

    private func error(_ reason: JSONParseError.Reason, at offset: Int? = nil) -> JSONParseError {
        let offset = min(offset ?? index, bytes.count)
        var line = 1, column = 1
        for byte in bytes[..<offset] {
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return JSONParseError(reason: reason, offset: offset, line: line, column: column)
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let b = current, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { index += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(JSONParseError) {
        guard let b = current else { throw error(.unexpectedEnd) }
        guard b == byte else { throw error(.unexpectedByte(b)) }
        index += 1
    }

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard let b = current else { throw error(.unexpectedEnd) }
        switch b {
        case UInt8(ascii: "{"): return try nested { (p: inout JSONParser) throws(JSONParseError) in try p.parseObject() }
        case UInt8(ascii: "["): return try nested { (p: inout JSONParser) throws(JSONParseError) in try p.parseArray() }
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error(.unexpectedByte(b))
        }
    }

    private mutating func nested(_ body: (inout JSONParser) throws(JSONParseError) -> JSONValue) throws(JSONParseError) -> JSONValue {
        guard depth < maxDepth else { throw error(.tooDeep(limit: maxDepth)) }
        depth += 1
        defer { depth -= 1 }
        return try body(&self)
    }

    private mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let start = index
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw error(.invalidLiteral, at: start) }
        let matches = word.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        guard matches else { throw error(.invalidLiteral, at: start) }
        index += count
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        index += 1 // {
        var object = JSONObject()
        skipWhitespace()
        if current == UInt8(ascii: "}") { index += 1; return .object(object) }
        while true {
            skipWhitespace()
            let keyStart = index
            guard current == UInt8(ascii: "\"") else {
                throw current.map { error(.unexpectedByte($0)) } ?? error(.unexpectedEnd)
            }
            let key = try parseString()
            guard object[key] == nil else { throw error(.duplicateKey(key), at: keyStart) }
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            object[key] = try parseValue()
            skipWhitespace()
            guard let b = current else { throw error(.unexpectedEnd) }
            index += 1
            if b == UInt8(ascii: "}") { return .object(object) }
            guard b == UInt8(ascii: ",") else { throw error(.unexpectedByte(b), at: index - 1) }
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        index += 1 // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { index += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            guard let b = current else { throw error(.unexpectedEnd) }
            index += 1
            if b == UInt8(ascii: "]") { return .array(elements) }
            guard b == UInt8(ascii: ",") else { throw error(.unexpectedByte(b), at: index - 1) }
        }
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        index += 1 // opening quote
        var utf8: [UInt8] = []
        while true {
            guard let b = current else { throw error(.unexpectedEnd) }
            switch b {
            case UInt8(ascii: "\""):
                index += 1
                guard let string = String(validating: utf8, as: UTF8.self) else { throw error(.invalidUTF8, at: index - 1) }
                return string
            case UInt8(ascii: "\\"):
                index += 1
                try parseEscape(into: &utf8)
            case 0x00..<0x20:
                throw error(.controlCharacterInString)
            default:
                utf8.append(b)
                index += 1
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws(JSONParseError) {
        guard let b = current else { throw error(.unexpectedEnd) }
        index += 1
        let simple: UInt8? = switch b {
        case UInt8(ascii: "\""): UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): UInt8(ascii: "\\")
        case UInt8(ascii: "/"): UInt8(ascii: "/")
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
        if let simple { utf8.append(simple); return }
        guard b == UInt8(ascii: "u") else { throw error(.invalidEscape, at: index - 2) }
        let start = index - 2
        var scalar = UInt32(try hex4())
        if (0xD800..<0xDC00).contains(scalar) {
            // A high surrogate must be followed by an escaped low one.
            guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else { throw error(.invalidUnicodeEscape, at: start) }
            index += 2
            let low = UInt32(try hex4())
            guard (0xDC00..<0xE000).contains(low) else { throw error(.invalidUnicodeEscape, at: start) }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(scalar) {
            throw error(.invalidUnicodeEscape, at: start)
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw error(.invalidUnicodeEscape, at: start) }
        utf8.append(contentsOf: UTF8.encode(unicode)!)
    }

    private mutating func hex4() throws(JSONParseError) -> UInt16 {
        guard bytes.count - index >= 4 else { throw error(.invalidUnicodeEscape) }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw error(.invalidUnicodeEscape)
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`; integers that fit Int64 stay exact.
    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, isDigit(first) else { throw error(.invalidNumber, at: start) }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        var isInteger = true
        if current == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard let d = current, isDigit(d) else { throw error(.invalidNumber, at: start) }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard let d = current, isDigit(d) else { throw error(.invalidNumber, at: start) }
            skipDigits()
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let exact = Int64(text) { return .integer(exact) }
        guard let double = Double(text), double.isFinite else { throw error(.invalidNumber, at: start) }
        return .double(double)
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let b = current, isDigit(b) { index += 1 }
    }
}

extension JSONValue {
    /// The default nesting limit; CNI documents are a handful of levels deep.
    public static let defaultMaxDepth = 64

    /// Parses a whole document. Throws a positioned error on any invalid input; never traps.
    public static func parse(_ bytes: some Collection<UInt8>, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: Array(bytes), maxDepth: maxDepth)
        return try parser.parseDocument()
    }

    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }
}
