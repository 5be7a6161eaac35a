/// The one rule for Linux link names (the pod's `CNI_IFNAME`, the bridge, the host ends):
/// what the CNI spec allows, which is also what the kernel's `dev_valid_name` takes.
public enum LinkName {
    /// IFNAMSIZ (16) minus the terminating NUL.
    public static let maxLength = 15

    /// Why `name` is not a valid link name, or nil when it is: 1 to 15 bytes, not `.` or
    /// `..`, no `/`, `:`, whitespace (Unicode's, as the spec's Go check) or control character.
    public static func problem(with name: String) -> String? {
        guard !name.isEmpty else { return "is empty" }
        guard name.utf8.count <= maxLength else { return "is too long (at most \(maxLength) bytes)" }
        guard name != ".", name != ".." else { return "may not be \".\" or \"..\"" }
        guard !name.unicodeScalars.contains(where: {
            $0 == "/" || $0 == ":" || $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F
        }) else { return "contains '/', ':', a whitespace or a control character" }
        return nil
    }
}
