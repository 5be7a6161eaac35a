import Foundation

/// This machine's identity as systemd keeps it (`/etc/machine-id`, or D-Bus's copy): what a
/// lease names as its owner, so that two machines using one node name are told apart.
public enum MachineID {
    public static let current: String = read() ?? ""

    static func read(paths: [String] = ["/etc/machine-id", "/var/lib/dbus/machine-id"]) -> String? {
        for path in paths {
            if let text = try? String(contentsOfFile: path, encoding: .utf8) {
                let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if !id.isEmpty, (try? LeaseLimits.validateOwner(id)) != nil { return id }
            }
        }
        return nil
    }
}
