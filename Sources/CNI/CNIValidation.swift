import NetworkCore

/// The spec's rules for the identifiers a runtime passes in. Every failure is code 4
/// (invalid environment variable) except the network name, which is config (code 7).
public enum CNIValidation {
    /// Longer IDs would not fit the file names derived from them.
    public static let maxContainerIDLength = 200

    /// `[A-Za-z0-9][A-Za-z0-9_.-]*`: no `/`, so IDs are safe in file names; `..` is refused too.
    public static func checkContainerID(_ id: String) throws(CNIError) {
        guard !id.isEmpty else { throw CNIError(.invalidEnvironment, "CNI_CONTAINERID is empty") }
        guard id.utf8.count <= maxContainerIDLength else {
            throw CNIError(.invalidEnvironment, "CNI_CONTAINERID is too long", details: "at most \(maxContainerIDLength) characters")
        }
        guard isIdentifier(id), !id.contains("..") else {
            throw CNIError(.invalidEnvironment, "invalid characters in CNI_CONTAINERID \"\(id)\"",
                           details: "use letters, digits, '_', '.', '-', starting with a letter or digit, without '..'")
        }
    }

    public static func checkNetworkName(_ name: String) throws(CNIError) {
        guard isIdentifier(name) else {
            throw CNIError(.invalidNetworkConfig, "invalid network name \"\(name)\"",
                           details: "use letters, digits, '_', '.', '-', starting with a letter or digit")
        }
    }

    /// `NetworkCore`'s `LinkName` rule, the one the data path applies too.
    public static func checkInterfaceName(_ name: String) throws(CNIError) {
        if let problem = LinkName.problem(with: name) {
            throw CNIError(.invalidEnvironment, "interface name \"\(name)\" \(problem)")
        }
    }

    /// The path's shape only (`NamespacePath`); whether it names a network namespace is for
    /// the plugin to check.
    public static func checkNetnsPath(_ path: String) throws(CNIError) {
        if let problem = NamespacePath.problem(with: path) {
            throw CNIError(.invalidEnvironment, "CNI_NETNS \"\(path)\" \(problem)")
        }
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.utf8.first, isAlphanumeric(first) else { return false }
        return text.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    private static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122)
    }
}
