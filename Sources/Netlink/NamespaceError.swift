/// Why a network namespace could not be opened or entered.
public enum NamespaceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The path breaks `NamespacePath`'s rule (relative, a NUL byte): nothing was opened.
    case invalidPath(path: String, problem: String)
    /// Nothing at the path (DEL treats this as done).
    case missing(path: String)
    /// The path is not on nsfs, or is a namespace of another kind (mount, pid...).
    case notANetworkNamespace(path: String)
    /// open/fstatfs/ioctl/pthread_create failed.
    case system(call: String, path: String, errno: Int32)
    /// setns into the namespace failed; the calling thread was never moved.
    case cannotEnter(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .invalidPath(let path, let problem): "network namespace path \"\(path)\" \(problem)"
        case .missing(let path): "network namespace \(path) does not exist"
        case .notANetworkNamespace(let path): "\(path) is not a network namespace"
        case .system(let call, let path, let errno): "\(call) \(path): \(systemErrorText(errno))"
        case .cannotEnter(let path, let errno): "setns \(path): \(systemErrorText(errno))"
        }
    }
}
