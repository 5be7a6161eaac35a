/// Opens the store a URL names. Each store adds its scheme here with one line.
public enum LeaseStoreFactory {
    public static let schemes = ["file", "etcd", "kubernetes"]

    public static func open(url text: String, options: LeaseStoreOptions) async throws -> any LeaseStore {
        let url = try check(url: text)
        switch url.scheme {
        case "file": return try EmbeddedLeaseStore(url: url, options: options)
        case "etcd": return try EtcdLeaseStore(url: url, options: options)
        default: return try KubernetesLeaseStore(url: url, options: options)   // `check` lets only `schemes` through
        }
    }

    /// What can be told without opening the store: the URL parses and names a scheme of
    /// `schemes`. A config reader runs it to refuse a mistyped store with its line.
    @discardableResult
    public static func check(url text: String) throws(LeaseStoreError) -> LeaseStoreURL {
        let url = try LeaseStoreURL(parsing: text)
        guard schemes.contains(url.scheme) else {
            throw .badConfiguration("store scheme '\(url.scheme)' is not supported; use one of \(schemes.joined(separator: ", "))")
        }
        return url
    }
}
