import BGPCore
import NetworkCore
import Testing

@Suite struct ImportPolicyTests {
    static func v4(_ text: String) -> IPv4NLRI { IPv4NLRI(IPPrefix(text)!)! }
    static func v6(_ text: String) -> IPv6NLRI { IPv6NLRI(IPPrefix(text)!)! }

    static func announcement(_ v4: [String], v6: [String] = [], asPath: [UInt32] = [65001]) -> UpdateMessage {
        var attributes = PathAttributes()
        attributes.origin = .igp
        attributes.asPath = ASPath(sequence: asPath)
        attributes.nextHop = .ipv4(IPv4Address(10, 254, 0, 2))
        let mp = v6.isEmpty ? nil : MPReachNLRI(family: .ipv6Unicast, nextHop: .ipv6(global: IPv6Address("fd00::2")!, linkLocal: nil),
                                                  prefixes: .ipv6(v6.map(Self.v6)))
        return UpdateMessage(attributes: attributes, nlri: v4.map(Self.v4), mpReach: mp)
    }

    @Test func withoutAListNothingIsImportedAndEachRefusalIsRecorded() {
        let policy = ImportPolicy(localAS: 65002, filter: nil)
        var rejected = RejectedRoutes()
        let (accepted, refused) = policy.screen(Self.announcement(["10.2.0.0/24"], v6: ["fd10:2::/64"]), rejected: &rejected)
        #expect(accepted.nlri.isEmpty && accepted.mpReach == nil)
        #expect(refused?.withdrawn == [Self.v4("10.2.0.0/24")])
        #expect(refused?.mpUnreach?.prefixes == .ipv6([Self.v6("fd10:2::/64")]))
        #expect(rejected.rejection(of: .v4(Self.v4("10.2.0.0/24"))) == RouteRejection(.noImportPolicy))
        #expect(rejected.count == 2)
    }

    @Test func theListSplitsAnUpdateAndForgetsRefusalsOnceAcceptedOrWithdrawn() throws {
        let filter = PrefixFilter(try ["reject 10.0.1.0/24 le 32", "10.0.0.0/8 le 24", "fd10::/16 le 64"]
            .map { try PrefixFilter.Entry(parsing: $0) })
        let policy = ImportPolicy(localAS: 65002, filter: filter)
        var rejected = RejectedRoutes()
        let (accepted, refused) = policy.screen(
            Self.announcement(["10.0.1.0/25", "10.2.0.0/24", "10.3.0.0/28"], v6: ["fd10:2::/64", "fd10:3::/80"]),
            rejected: &rejected)
        #expect(accepted.nlri == [Self.v4("10.2.0.0/24")])
        #expect(accepted.mpReach?.prefixes == .ipv6([Self.v6("fd10:2::/64")]))
        #expect(Set(refused?.withdrawn ?? []) == [Self.v4("10.0.1.0/25"), Self.v4("10.3.0.0/28")])
        #expect(rejected.rejection(of: .v4(Self.v4("10.0.1.0/25"))) == RouteRejection(.importRejected, entry: 0))
        #expect(rejected.rejection(of: .v4(Self.v4("10.3.0.0/28"))) == RouteRejection(.importUnmatched))
        #expect(rejected.rejection(of: .v6(Self.v6("fd10:3::/80"))) == RouteRejection(.importUnmatched))

        // Withdrawn: no longer listed as rejected. A loop refuses even what the list takes.
        _ = policy.screen(UpdateMessage(withdrawn: [Self.v4("10.0.1.0/25")]), rejected: &rejected)
        #expect(rejected.rejection(of: .v4(Self.v4("10.0.1.0/25"))) == nil)
        let (looped, _) = policy.screen(Self.announcement(["10.2.0.0/24"], asPath: [65001, 65002]), rejected: &rejected)
        #expect(looped.nlri.isEmpty && rejected.rejection(of: .v4(Self.v4("10.2.0.0/24"))) == RouteRejection(.asPathLoop))
        let (again, _) = policy.screen(Self.announcement(["10.2.0.0/24"]), rejected: &rejected)
        #expect(again.nlri == [Self.v4("10.2.0.0/24")] && rejected.rejection(of: .v4(Self.v4("10.2.0.0/24"))) == nil)
    }

    @Test func anyPassesTheUpdateUntouched() {
        let policy = ImportPolicy(localAS: 65002, filter: .acceptAll)
        var rejected = RejectedRoutes()
        let update = Self.announcement(["10.2.0.0/24"], v6: ["fd10:2::/64"])
        let (accepted, refused) = policy.screen(update, rejected: &rejected)
        #expect(accepted == update && refused == nil && rejected.isEmpty)
    }
}
