import BGP
import Foundation
import NetworkCore
import TestSupport

/// Two-or-more speakers on loopback addresses (127.0.0.x) with their own ports, so that
/// tests can run beside each other and beside real daemons on 179.
struct SpeakerFixture {
    let directory: TemporaryDirectory
    let ports: [Int]

    init(count: Int) throws {
        directory = try TemporaryDirectory("te-bgp")
        ports = try LoopbackPorts.free(count, on: (0..<count).map { Self.address($0).description })
    }

    static func address(_ index: Int) -> IPAddress { IPAddress("127.0.0.\(index + 1)")! }

    /// Speaker `index` (AS 65001 + index) peering with the speakers in `peers`.
    func config(_ index: Int, peers: [Int], originate: [String] = [], gracefulRestart: UInt16? = nil,
                configure: (inout PeerConfig) -> Void = { _ in }) -> BGPConfig {
        BGPConfig(
            localAS: UInt32(65001 + index), routerID: IPv4Address(10, 0, 0, UInt8(index + 1)),
            listen: SocketEndpoint(address: Self.address(index), port: ports[index]),
            controlSocket: directory.file("s\(index).sock"),
            gracefulRestart: gracefulRestart.map { GracefulRestartConfig(restartTime: $0) },
            peers: peers.map { other in
                var peer = PeerConfig(address: Self.address(other), port: ports[other], remoteAS: UInt32(65001 + other),
                                      holdTime: 9, connectRetryTime: 1,
                                      importFilter: .acceptAll, exportFilter: .acceptAll)
                configure(&peer)
                return peer
            },
            originate: originate.map { OriginateConfig(prefix: IPPrefix($0)!) })
    }
}

/// Polls an async condition; the test fails with `what` when it does not come true in time.
/// The default bound only ends a hang (a loaded 2-core CI machine is slow, not wrong):
/// a test that measures a product target passes its own, shorter `timeout`.
func eventually(_ what: String, timeout: Double = 60, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    if try await condition() { return }
    throw TestEnvironmentError("timed out after \(timeout) s waiting for: \(what)")
}

extension BGPSpeaker {
    func peer(_ index: Int) async throws -> PeerStatus? {
        try await peerStatuses().first { $0.address == SpeakerFixture.address(index).description }
    }

    func routePrefixes() async throws -> Set<String> {
        Set(try await routes().map(\.prefix))
    }
}
