import TestSupport

/// Our speaker (AS 65002, `left`, 10.254.0.1) peered with one reference daemon (AS 65001,
/// `right`, 10.254.0.2) over a veth pair of two fresh `te-` namespaces. Both sides are
/// active with short timers; the session carries IPv4 and IPv6 unicast.
final class SpeakerPeering: @unchecked Sendable {
    static let ourAS: UInt32 = 65002, theirAS: UInt32 = 65001
    /// What our speaker originates, with community 65002:100.
    static let ourPrefixes: Set<String> = ["10.0.1.0/24", "fd00:1::/64"]
    static let theirPrefixes: Set<String> = ["10.2.0.0/24", "fd10:2::/64"]

    let link: BGPTestLink
    let daemon: any BGPDaemon
    let speaker: BGPSpeakerProcess
    var ourAddress: String { link.leftV4 }
    var theirAddress: String { link.rightV4 }

    /// `ours` and `theirs` adjust each side's view of the session (password, timers, ...);
    /// `policy` our speaker's peer entry beyond that (import/export lists, default `[any]`).
    init(_ kind: DaemonKind, label: String, gracefulRestartTime: Int? = nil,
         ours: (inout BGPNeighbor) -> Void = { _ in }, theirs: (inout BGPNeighbor) -> Void = { _ in },
         policy: (inout BGPSpeakerProcess.Peer) -> Void = { _ in }) throws {
        link = try BGPTestLink(label)
        var theirView = BGPNeighbor(address: link.leftV4, asn: Self.ourAS, holdTime: 9)
        theirs(&theirView)
        daemon = try kind.start(in: link.right, setup: BGPDaemonSetup(
            localAS: Self.theirAS, routerID: link.rightV4, listenAddresses: [link.rightV4],
            nextHop4: link.rightV4, nextHop6: link.rightV6, neighbors: [theirView]))
        var ourView = BGPNeighbor(address: link.rightV4, asn: Self.theirAS, holdTime: 9)
        ours(&ourView)
        var ourPeer = BGPSpeakerProcess.Peer(ourView)
        policy(&ourPeer)
        do {
            speaker = try BGPSpeakerProcess(
                in: link.left, localAS: Self.ourAS, routerID: link.leftV4, listen: "\(link.leftV4):179",
                peers: [ourPeer], originate: Self.ourPrefixes.sorted(), communities: ["65002:100"],
                gracefulRestartTime: gracefulRestartTime)
        } catch {
            daemon.stop()
            throw error
        }
    }

    /// Both logs, for a failed expectation.
    var logs: String { "\(speaker.logTail())\n\(daemon.logTail())" }

    func stop() {
        speaker.stop()
        daemon.stop()
    }
}
