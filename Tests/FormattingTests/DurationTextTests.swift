import Formatting
import Testing

@Suite struct DurationTextTests {
    @Test(arguments: [(0, "0s"), (59, "59s"), (60, "1m0s"), (3598, "59m58s"), (3660, "1h1m"), (7200, "2h0m"),
                      (2 * 86400 + 3 * 3600 + 59, "2d3h"), (-12, "12s")])
    func compactShowsTwoUnitsAtMost(seconds: Int, text: String) {
        #expect(DurationText.format(seconds: seconds, .compact) == text)
    }

    @Test(arguments: [(0, "00:00:00"), (59, "00:00:59"), (3661, "01:01:01"), (86399, "23:59:59"),
                      (86400 + 2 * 3600 + 3 * 60 + 4, "1d 02:03:04"), (400 * 86400, "400d 00:00:00")])
    func clockReadsLikeARoutingDaemon(seconds: Int, text: String) {
        #expect(DurationText.format(seconds: seconds, .clock) == text)
    }
}

@Suite struct TextTableTests {
    @Test func columnsAlignWithNoTrailingSpaces() {
        #expect(TextTable.render(["NODE", "SUBNET"], [["edge-1", "10.0.1.0/24"], ["e2", ""]]) ==
            "NODE    SUBNET\nedge-1  10.0.1.0/24\ne2\n")
    }
}
