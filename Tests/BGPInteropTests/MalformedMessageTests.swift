import Testing
import TestSupport

/// Malformed messages sent over raw TCP to the live speaker, each with the outcome RFC 4271
/// §6 and RFC 7606 demand (and the codec's error table implements): a NOTIFICATION with
/// code/subcode, or treat-as-withdraw / attribute-discard with the session kept.
@Suite("Malformed messages against the live speaker")
struct MalformedMessageTests {
    enum Outcome: Sendable, CustomStringConvertible {
        case notification(Int, Int)
        /// The route the same UPDATE carries goes; the session stays up.
        case treatAsWithdraw
        /// The faulty attribute is dropped; the route is accepted; the session stays up.
        case attributeDiscard

        var description: String {
            switch self {
            case .notification(let c, let s): "NOTIFICATION \(c)/\(s)"
            case .treatAsWithdraw: "treat-as-withdraw"
            case .attributeDiscard: "attribute-discard"
            }
        }
    }

    /// When the bytes are sent: instead of our OPEN, or once the session is Established.
    enum Stage: Sendable { case insteadOfOpen, established }

    /// The table's parts, each run against its own speaker, in parallel.
    enum Group: String, CaseIterable, Sendable { case header, open, updateReset, updateDowngrade }

    struct Case: Sendable, CustomStringConvertible {
        let group: Group
        let name: String
        let stage: Stage
        /// The message; `n` is the case's own 10.9.n.0/24, for the UPDATE cases.
        let bytes: @Sendable (Int) -> [UInt8]
        let outcome: Outcome
        var description: String { "\(name) -> \(outcome)" }
    }

    typealias R = RawMessage

    static let cases: [Case] = [
        // Message header (RFC 4271 §6.1)
        Case(group: .header, name: "marker not all ones", stage: .established,
             bytes: { _ in R.message(type: 4, [], marker: Array(repeating: 0xFF, count: 15) + [0]) },
             outcome: .notification(1, 1)),
        Case(group: .header, name: "length 18", stage: .established, bytes: { _ in R.message(type: 4, [], length: 18) },
             outcome: .notification(1, 2)),
        Case(group: .header, name: "length 4097", stage: .established,
             bytes: { _ in R.message(type: 2, Array(repeating: 0, count: 4078)) }, outcome: .notification(1, 2)),
        Case(group: .header, name: "KEEPALIVE of 20 octets", stage: .established, bytes: { _ in R.message(type: 4, [0]) },
             outcome: .notification(1, 2)),
        Case(group: .header, name: "message type 7", stage: .established, bytes: { _ in R.message(type: 7, [0, 0, 0, 0]) },
             outcome: .notification(1, 3)),
        // OPEN (RFC 4271 §6.2, RFC 5492)
        Case(group: .open, name: "OPEN version 3", stage: .insteadOfOpen, bytes: { _ in R.open(R.openBody(version: 3)) },
             outcome: .notification(2, 1)),
        Case(group: .open, name: "OPEN from the wrong AS", stage: .insteadOfOpen, bytes: { _ in R.open(R.openBody(asn: 65099)) },
             outcome: .notification(2, 2)),
        Case(group: .open, name: "OPEN BGP identifier 0.0.0.0", stage: .insteadOfOpen,
             bytes: { _ in R.open(R.openBody(identifier: [0, 0, 0, 0])) }, outcome: .notification(2, 3)),
        Case(group: .open, name: "OPEN optional parameter type 1", stage: .insteadOfOpen,
             bytes: { _ in R.open(R.openBody(parameters: [1, 2, 0, 0])) }, outcome: .notification(2, 4)),
        Case(group: .open, name: "OPEN hold time 2", stage: .insteadOfOpen, bytes: { _ in R.open(R.openBody(holdTime: 2)) },
             outcome: .notification(2, 6)),
        Case(group: .open, name: "OPEN parameters length beyond the message", stage: .insteadOfOpen,
             bytes: { _ in R.open(R.openBody(parametersLength: 40)) }, outcome: .notification(1, 2)),
        // UPDATE: errors that make the prefixes impossible to find reset the session (RFC 7606 §4)
        Case(group: .updateReset, name: "withdrawn length overruns the UPDATE", stage: .established,
             bytes: { n in R.message(type: 2, R.updateBody(attributes: R.valid, nlri: R.prefix(n), withdrawnLength: 200)) },
             outcome: .notification(3, 1)),
        Case(group: .updateReset, name: "NLRI prefix length 33", stage: .established,
             bytes: { _ in R.update(attributes: R.valid, nlri: [33, 10, 9, 0, 0, 0]) }, outcome: .notification(3, 10)),
        Case(group: .updateReset, name: "unrecognized well-known attribute", stage: .established,
             bytes: { n in R.update(attributes: R.valid + R.attribute(0x40, 99, [1]), nlri: R.prefix(n)) },
             outcome: .notification(3, 2)),
        Case(group: .updateReset, name: "MP_REACH_NLRI cut short", stage: .established,
             bytes: { n in R.update(attributes: R.valid + R.attribute(0x80, 14, [0, 2, 1]), nlri: R.prefix(n)) },
             outcome: .notification(3, 9)),
        // UPDATE: attribute errors RFC 7606 §7 downgrades to treat-as-withdraw
        Case(group: .updateDowngrade, name: "ORIGIN value 5", stage: .established,
             bytes: { n in R.update(attributes: R.attribute(0x40, 1, [5]) + R.asPath + R.nextHop, nlri: R.prefix(n)) },
             outcome: .treatAsWithdraw),
        Case(group: .updateDowngrade, name: "ORIGIN flagged optional", stage: .established,
             bytes: { n in R.update(attributes: R.attribute(0xC0, 1, [0]) + R.asPath + R.nextHop, nlri: R.prefix(n)) },
             outcome: .treatAsWithdraw),
        Case(group: .updateDowngrade, name: "ORIGIN missing", stage: .established,
             bytes: { n in R.update(attributes: R.asPath + R.nextHop, nlri: R.prefix(n)) }, outcome: .treatAsWithdraw),
        Case(group: .updateDowngrade, name: "AS_PATH segment overruns", stage: .established,
             bytes: { n in R.update(attributes: R.origin + R.attribute(0x40, 2, [2, 3, 0, 0, 0xFD, 0xE9]) + R.nextHop,
                                    nlri: R.prefix(n)) }, outcome: .treatAsWithdraw),
        Case(group: .updateDowngrade, name: "NEXT_HOP of 5 octets", stage: .established,
             bytes: { n in R.update(attributes: R.origin + R.asPath + R.attribute(0x40, 3, [10, 254, 0, 2, 0]),
                                    nlri: R.prefix(n)) }, outcome: .treatAsWithdraw),
        Case(group: .updateDowngrade, name: "MULTI_EXIT_DISC of 3 octets", stage: .established,
             bytes: { n in R.update(attributes: R.valid + R.attribute(0x80, 4, [0, 0, 1]), nlri: R.prefix(n)) },
             outcome: .treatAsWithdraw),
        Case(group: .updateDowngrade, name: "COMMUNITIES of 3 octets", stage: .established,
             bytes: { n in R.update(attributes: R.valid + R.attribute(0xC0, 8, [0xFD, 0xEA, 0]), nlri: R.prefix(n)) },
             outcome: .treatAsWithdraw),
        // RFC 7606 §3 j: the session carries IPv6, so an MP_REACH_NLRI may be in the unread rest.
        Case(group: .updateReset, name: "last attribute overruns the attribute list", stage: .established,
             bytes: { n in R.message(type: 2, R.updateBody(attributes: R.valid + [0x40, 5, 9, 0, 0],
                                                          nlri: R.prefix(n))) },
             outcome: .notification(3, 1)),
        // UPDATE: attribute-discard (RFC 7606 §7.7, §7.1 duplicates)
        Case(group: .updateDowngrade, name: "AGGREGATOR of 5 octets", stage: .established,
             bytes: { n in R.update(attributes: R.valid + R.attribute(0xC0, 7, [0, 0, 1, 2, 3]), nlri: R.prefix(n)) },
             outcome: .attributeDiscard),
        Case(group: .updateDowngrade, name: "ORIGIN twice", stage: .established,
             bytes: { n in R.update(attributes: R.valid + R.attribute(0x40, 1, [2]), nlri: R.prefix(n)) },
             outcome: .attributeDiscard),
    ]

    @Test("each malformed message gets its RFC outcome; the speaker survives all of them",
          arguments: Group.allCases)
    func table(_ group: Group) throws {
        let link = try BGPTestLink("malf")
        let speaker = try BGPSpeakerProcess(
            in: link.left, localAS: 65002, routerID: link.leftV4, listen: "\(link.leftV4):179",
            peers: [.init(BGPNeighbor(address: link.rightV4, asn: 65001, holdTime: 30, passive: true))],
            originate: [])
        defer { speaker.stop() }
        for (n, c) in Self.cases.enumerated() where c.group == group {
            try check(c, n: n, link: link, speaker: speaker)
        }
        #expect(speaker.process.isRunning, "\(speaker.logTail())")
    }

    private func check(_ c: Case, n: Int, link: BGPTestLink, speaker: BGPSpeakerProcess) throws {
        // The previous case's session must be gone before the next connection.
        _ = try waitUntil(timeout: 10, interval: 0.1) { try speaker.state(of: link.rightV4) != "Established" }
        var connection: BGPRawPeer?
        _ = waitUntil(timeout: 10, interval: 0.2) {
            connection = try? BGPRawPeer(in: link.right, connectTo: link.leftV4)
            return connection != nil
        }
        let peer = try #require(connection, "cannot connect for \(c)")
        let theirOpen = peer.receive()
        #expect(theirOpen?.type == 1, "\(c): the speaker's OPEN")
        if c.stage == .insteadOfOpen {
            try peer.send(c.bytes(n))
            let got = peer.receiveNotification()
            #expect(got.map { [$0.code, $0.subcode] } == expected(c), "\(c): got \(String(describing: got))")
            return
        }
        try peer.send(RawMessage.open() + RawMessage.keepalive)
        let established = try waitUntil(timeout: 5, interval: 0.05) { try speaker.isEstablished(link.rightV4) }
        try #require(established, "\(c): session not established\n\(speaker.logTail())")
        let route = "10.9.\(n).0/24"
        if case .notification = c.outcome {
            try peer.send(c.bytes(n))
            let got = peer.receiveNotification()
            #expect(got.map { [$0.code, $0.subcode] } == expected(c), "\(c): got \(String(describing: got))")
            return
        }
        if case .treatAsWithdraw = c.outcome {
            // Announce the route properly first, so that the withdraw is visible.
            try peer.send(RawMessage.update(attributes: RawMessage.valid, nlri: RawMessage.prefix(n)))
            let present = try speaker.waitReceived(timeout: 5) { $0.contains(route) }
            #expect(present.contains(route), "\(c): valid route not learned")
        }
        try peer.send(c.bytes(n) + RawMessage.keepalive)
        let wanted = c.outcome.isDiscard
        let settled = try speaker.waitReceived(timeout: 5) { $0.contains(route) == wanted }
        #expect(settled.contains(route) == wanted, "\(c): route \(route) present=\(settled.contains(route))")
        #expect(peer.receiveNotification(timeout: 0.5) == nil, "\(c): session was reset")
        #expect(try speaker.isEstablished(link.rightV4), "\(c): session dropped\n\(speaker.logTail())")
    }

    private func expected(_ c: Case) -> [Int]? {
        if case .notification(let code, let subcode) = c.outcome { return [code, subcode] }
        return nil
    }
}

extension MalformedMessageTests.Outcome {
    var isDiscard: Bool { if case .attributeDiscard = self { true } else { false } }
}
