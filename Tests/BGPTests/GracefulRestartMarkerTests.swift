import BGP
import Foundation
import Testing
import TestSupport

/// The marker decides whether the next start is a graceful restart; failing to leave it
/// must be visible to the caller (it logs a warning), not silently turn the restart off.
@Suite struct GracefulRestartMarkerTests {
    func config(socket: String) throws -> BGPConfig {
        try BGPConfig(yaml: "localAS: 1\nrouterID: 1.1.1.1\ncontrolSocket: \(socket)\ngracefulRestart: {restartTime: 120}")
    }

    @Test func writtenMarkerIsConsumedOnce() throws {
        let directory = try TemporaryDirectory("te-gr")
        let config = try config(socket: directory.file("bgp.sock"))
        #expect(GracefulRestartMarker.write(for: config))
        #expect(GracefulRestartMarker.consume(for: config))
        #expect(!GracefulRestartMarker.consume(for: config))
    }

    @Test func unwritableMarkerIsReported() throws {
        let directory = try TemporaryDirectory("te-gr")
        let config = try config(socket: directory.file("missing/bgp.sock"))
        #expect(!GracefulRestartMarker.write(for: config))
    }
}
