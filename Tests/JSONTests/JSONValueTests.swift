import JSON
import Testing
import TestSupport

@Suite struct JSONValueTests {
    @Test func parsesEveryKind() throws {
        let value = try JSONValue.parse(#" { "a": [1, -2, 3.5, 1e3, true, false, null], "b": {"c": "d\n\u00e9\ud83d\ude00"} } "#)
        #expect(value["a"] == [1, -2, 3.5, 1000.0, true, false, .null])
        #expect(value["b"]?["c"] == .string("d\né😀"))
    }

    @Test func keepsIntegersExact() throws {
        #expect(try JSONValue.parse("9223372036854775807") == .integer(.max))
        #expect(try JSONValue.parse("-9223372036854775808") == .integer(.min))
        #expect(try JSONValue.parse("9223372036854775808") == .double(9223372036854775808))
        #expect(try JSONValue.parse("3.0").integerValue == 3)
        #expect(try JSONValue.parse("3.5").integerValue == nil)
    }

    @Test func keepsKeyOrderAndRoundTrips() throws {
        let text = #"{"z":1,"a":{"y":[],"b":{}},"m":"x\"\\\u0001"}"#
        let value = try JSONValue.parse(text)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(value.serialized() == text)
        #expect(try JSONValue.parse(value.serialized(indent: 2)) == value)
    }

    static let malformed: [(String, JSONParseError.Reason, Int)] = [
        ("", .unexpectedEnd, 0),
        ("{", .unexpectedEnd, 1),
        ("[1,]", .unexpectedByte(UInt8(ascii: "]")), 3),
        ("{\"a\":1,}", .unexpectedByte(UInt8(ascii: "}")), 7),
        ("{\"a\" 1}", .unexpectedByte(UInt8(ascii: "1")), 5),
        ("tru", .invalidLiteral, 0),
        ("nul", .invalidLiteral, 0),
        ("01", .trailingContent, 1),
        ("-", .invalidNumber, 0),
        ("1.", .invalidNumber, 0),
        ("1e", .invalidNumber, 0),
        ("1e999", .invalidNumber, 0),
        ("NaN", .unexpectedByte(UInt8(ascii: "N")), 0),
        ("\"a\tb\"", .controlCharacterInString, 2),
        ("\"\\x\"", .invalidEscape, 1),
        ("\"\\u12\"", .invalidUnicodeEscape, 3),
        ("\"\\ud800\"", .invalidUnicodeEscape, 1),
        ("\"\\udc00\"", .invalidUnicodeEscape, 1),
        ("{\"a\":1,\"a\":2}", .duplicateKey("a"), 7),
        ("[1] [2]", .trailingContent, 4),
        ("// comment\n{}", .unexpectedByte(UInt8(ascii: "/")), 0),
    ]

    @Test(arguments: malformed)
    func refusesMalformed(text: String, reason: JSONParseError.Reason, offset: Int) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
        do {
            _ = try JSONValue.parse(text)
        } catch {
            #expect(error.reason == reason)
            #expect(error.offset == offset)
        }
    }

    @Test func reportsLineAndColumn() {
        do {
            _ = try JSONValue.parse("{\n  \"a\": tru\n}")
            Issue.record("parsed")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 8)
            #expect(error.description.contains("line 2, column 8"))
        }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func boundsDepth() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        do {
            _ = try JSONValue.parse(deep)
            Issue.record("parsed")
        } catch {
            #expect(error.reason == .tooDeep(limit: JSONValue.defaultMaxDepth))
        }
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try JSONValue.parse(fine) }
    }

    /// Random and mutated inputs: parse must throw or return, never trap, and what it
    /// returns must survive a serialize/parse round trip.
    @Test func neverTrapsOnRandomInput() throws {
        var generator = SeededGenerator(seed: 0x150)
        let seed = Array(#"{"cniVersion":"1.1.0","ips":[{"address":"10.0.0.2/24"}],"n":-1.5e3,"s":"\u00e9"}"#.utf8)
        let alphabet = Array(#"{}[]":,.-+eE0123456789tfnul\ "#.utf8) + [0x00, 0xFF, 0xC3]
        for round in 0..<3000 {
            let bytes = damaged(seed, edits: 1 + round % 6, alphabet: alphabet, using: &generator)
            if let value = try? JSONValue.parse(bytes) {
                #expect(try JSONValue.parse(value.serialized()) == value)
            }
        }
    }
}
