import Foundation
import TestSupport

/// Our speaker as the sending side: `terway-edge bgp serve` with the table in an
/// `originateFile` (one prefix per line), the way a platform engineer originates a full
/// table. `BGPSpeakerProcess` writes its routes as a YAML list, which measures the YAML
/// parser rather than the speaker.
final class SpeakerSender {
    let process: BackgroundProcess
    private let directory: TemporaryDirectory

    init(in namespace: TestNamespace, localAS: UInt32, routerID: String, peer: BGPNeighbor,
         prefixes: [String], startTimeout: Double) throws {
        let executable = try builtExecutable("terway-edge")
        directory = try TemporaryDirectory("te-sender")
        let socket = directory.file("bgp.sock")
        try directory.write("table.txt", prefixes.joined(separator: "\n") + "\n")
        try directory.write("bgp.yaml", """
            localAS: \(localAS)
            routerID: \(routerID)
            listen: \(routerID):179
            controlSocket: \(socket)
            peers:
              - address: \(peer.address)
                as: \(peer.asn)
                holdTime: \(peer.holdTime)
                connectRetryTime: 1
                export: [any]
            originateFile: table.txt

            """)
        let log = directory.file("speaker.log")
        process = try namespace.spawn([executable, "bgp", "serve", "--config", directory.file("bgp.yaml")], logFile: log)
        let up = waitUntil(timeout: startTimeout, interval: 0.05) {
            process.isRunning
                && (try? run([executable, "bgp", "peers", "--socket", socket, "--output", "json"])) != nil
        }
        if !up {
            let tail = (try? String(contentsOfFile: log, encoding: .utf8))?.suffix(2000) ?? ""
            process.terminate()
            throw TestEnvironmentError("terway-edge bgp serve did not come up:\n\(tail)")
        }
    }

    func stop() { process.terminate(grace: 5) }
}
