/// The one rule for the path of a network namespace (`CNI_NETNS`, what `NetworkNamespace`
/// opens): absolute, as the CNI spec requires, so it never depends on the working directory.
public enum NamespacePath {
    /// Why `path` cannot name a network namespace, or nil when its shape is right (whether
    /// it is a namespace is for whoever opens it).
    public static func problem(with path: String) -> String? {
        guard path.hasPrefix("/") else { return "is not an absolute path" }
        guard !path.utf8.contains(0) else { return "contains a NUL byte" }
        return nil
    }
}
