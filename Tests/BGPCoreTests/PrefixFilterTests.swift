import BGPCore
import NetworkCore
import Testing

@Suite struct PrefixFilterTests {
    static func filter(_ entries: [String]) throws -> PrefixFilter {
        PrefixFilter(try entries.map { try PrefixFilter.Entry(parsing: $0) })
    }

    static func p(_ text: String) -> IPPrefix { IPPrefix(text)! }

    @Test func lengthRangesMatchAsFRRPrefixListsDo() throws {
        let exact = try PrefixFilter.Entry(parsing: "10.0.0.0/16")
        #expect(exact.matches(Self.p("10.0.0.0/16")) && !exact.matches(Self.p("10.0.1.0/24")))
        let upTo24 = try PrefixFilter.Entry(parsing: "10.0.0.0/16 le 24")
        #expect(upTo24.matches(Self.p("10.0.0.0/16")) && upTo24.matches(Self.p("10.0.1.0/24")))
        #expect(!upTo24.matches(Self.p("10.0.1.0/25")) && !upTo24.matches(Self.p("10.1.0.0/24")))
        let band = try PrefixFilter.Entry(parsing: "10.0.0.0/8 ge 24 le 28")
        #expect(!band.matches(Self.p("10.1.0.0/16")) && band.matches(Self.p("10.1.2.0/24")))
        #expect(band.matches(Self.p("10.1.2.16/28")) && !band.matches(Self.p("10.1.2.16/29")))
        let ge = try PrefixFilter.Entry(parsing: "fd00::/8 ge 64")
        #expect(ge.matches(Self.p("fd10:2::/64")) && ge.matches(Self.p("fd10:2::1/128")) && !ge.matches(Self.p("fd10::/48")))
        #expect(!ge.matches(Self.p("10.0.0.0/24")))
        let any = try PrefixFilter.Entry(parsing: "any")
        #expect(any.matches(Self.p("0.0.0.0/0")) && any.matches(Self.p("2001:db8::/32")))
    }

    @Test func theFirstMatchingEntryDecidesAndNoMatchRejects() throws {
        let filter = try Self.filter(["reject 10.0.1.0/24 le 32", "10.0.0.0/8 le 24"])
        #expect(filter.decision(for: Self.p("10.0.1.0/25"))! == (0, false))
        #expect(filter.decision(for: Self.p("10.0.1.0/24"))! == (0, false))
        #expect(filter.decision(for: Self.p("10.0.2.0/24"))! == (1, true))
        #expect(filter.decision(for: Self.p("10.0.2.0/25")) == nil)
        #expect(filter.decision(for: Self.p("192.168.0.0/16")) == nil)
        #expect(!filter.acceptsAll && PrefixFilter.acceptAll.acceptsAll)
    }

    @Test func entriesPrintAsTheyAreWritten() throws {
        for text in ["any", "reject any", "10.0.0.0/16", "10.0.0.0/16 le 24", "10.0.0.0/8 ge 24", "10.0.0.0/8 ge 24 le 28",
                     "reject 10.0.1.0/24 le 32", "fd00::/8 ge 64"] {
            #expect(try PrefixFilter.Entry(parsing: text).description == text)
        }
    }

    @Test(arguments: ["", "reject", "any le 24", "10.0.0.1/16", "10.0.0.0/16 le 8", "10.0.0.0/16 le 33",
                      "10.0.0.0/16 ge 24 le 20", "10.0.0.0/16 le", "10.0.0.0/16 eq 24", "10.0.0.0/16 le 24 le 24", "nope"])
    func badEntriesAreRefused(_ text: String) {
        #expect(throws: PrefixFilterError.self) { try PrefixFilter.Entry(parsing: text) }
    }
}
