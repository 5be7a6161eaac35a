import Foundation

/// How a restarted speaker knows it is restarting (RFC 4724 R bit): a graceful-restart
/// shutdown leaves a marker beside the control socket, the next start consumes it if it
/// is younger than the restart time.
public enum GracefulRestartMarker {
    public static func path(for config: BGPConfig) -> String { config.controlSocket + ".restarting" }

    /// False when the marker cannot be written: the next start is then an ordinary one
    /// (peers flush our routes), which the caller must say.
    public static func write(for config: BGPConfig) -> Bool {
        FileManager.default.createFile(atPath: path(for: config), contents: Data())
    }

    /// True when the previous run ended with a graceful restart less than restartTime ago.
    public static func consume(for config: BGPConfig) -> Bool {
        let file = path(for: config)
        guard let gr = config.gracefulRestart,
              let modified = try? FileManager.default.attributesOfItem(atPath: file)[.modificationDate] as? Date else {
            return false
        }
        try? FileManager.default.removeItem(atPath: file)
        return Date().timeIntervalSince(modified) < Double(gr.restartTime)
    }
}
