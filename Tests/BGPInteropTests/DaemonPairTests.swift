import Testing
import TestSupport

/// The launchers proven without our speaker: two reference daemons peer with each other
/// over a veth pair, with MD5 and GTSM, and exchange IPv4 and IPv6 routes both ways.
/// Each daemon is once the announcer and once the receiver across the pairs.
@Suite("Reference daemons peer with each other")
struct DaemonPairTests {
    @Test(arguments: [(DaemonKind.bird, DaemonKind.frr), (.gobgp, .exabgp), (.frr, .gobgp), (.exabgp, .bird)])
    func routesBothWays(_ leftKind: DaemonKind, _ rightKind: DaemonKind) throws {
        let link = try BGPTestLink("pair")
        let neighborOptions = { (address: String, asn: UInt32) in
            BGPNeighbor(address: address, asn: asn, password: "s3cret", ttlSecurity: true, holdTime: 9)
        }
        let left = try leftKind.start(in: link.left, setup: BGPDaemonSetup(
            localAS: 65001, routerID: link.leftV4, listenAddresses: [link.leftV4], nextHop4: link.leftV4,
            nextHop6: link.leftV6, neighbors: [neighborOptions(link.rightV4, 65002)]))
        let right = try rightKind.start(in: link.right, setup: BGPDaemonSetup(
            localAS: 65002, routerID: link.rightV4, listenAddresses: [link.rightV4], nextHop4: link.rightV4,
            nextHop6: link.rightV6, neighbors: [neighborOptions(link.leftV4, 65001)]))
        defer { left.stop(); right.stop() }

        #expect(try left.waitEstablished(link.rightV4), "\(left.logTail())\n\(right.logTail())")
        #expect(try right.waitEstablished(link.leftV4), "\(right.logTail())")

        try left.announce(["10.1.0.0/24", "fd10:1::/64"])
        try right.announce(["10.2.0.0/24", "fd10:2::/64"])
        let atRight = try right.waitReceived { $0.isSuperset(of: ["10.1.0.0/24", "fd10:1::/64"]) }
        #expect(atRight.isSuperset(of: ["10.1.0.0/24", "fd10:1::/64"]), "\(right.logTail())")
        let atLeft = try left.waitReceived { $0.isSuperset(of: ["10.2.0.0/24", "fd10:2::/64"]) }
        #expect(atLeft.isSuperset(of: ["10.2.0.0/24", "fd10:2::/64"]), "\(left.logTail())")

        try left.withdraw(["10.1.0.0/24", "fd10:1::/64"])
        let afterWithdraw = try right.waitReceived { $0.isDisjoint(with: ["10.1.0.0/24", "fd10:1::/64"]) }
        #expect(afterWithdraw.isDisjoint(with: ["10.1.0.0/24", "fd10:1::/64"]), "\(right.logTail())")
    }
}
