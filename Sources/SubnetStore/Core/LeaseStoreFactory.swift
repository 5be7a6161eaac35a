/// Opens the store a URL names. Each store adds its scheme here with one line.
public enum LeaseStoreFactory {
    public static let schemes = ["file", "etcd", "kubernetes"]

    public static func open(url text: String, options: LeaseStoreOptions) async throws -> any LeaseStore {
        let url = try LeaseStoreURL(parsing: text)
        switch url.scheme {
        case "file": return try EmbeddedLeaseStore(url: url, options: options)
        case "etcd": return try EtcdLeaseStore(url: url, options: options)
        case "kubernetes": return try KubernetesLeaseStore(url: url, options: options)
        default:
            throw LeaseStoreError.badConfiguration("store scheme '\(url.scheme)' is not supported; use one of \(schemes.joined(separator: ", "))")
        }
    }
}
