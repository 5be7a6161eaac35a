import CNI
import Glibc
import Netlink
import POSIX

/// The few file-system facts the plugin reads outside netlink and the IPAM store.
enum SystemFiles {
    /// A small file's bytes; nil when it does not exist. Other failures are I/O errors (code 5).
    static func read(_ path: String, limit: Int = 64 * 1024) throws(CNIError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw CNIError(.ioFailure, "cannot open \(path)", details: errnoText(errno))
        }
        defer { close(fd) }
        let bytes: [UInt8]
        do {
            bytes = try readUntilEnd(fd, limit: limit)
        } catch {
            throw CNIError(.ioFailure, "cannot read \(path)", details: errnoText(error.errno))
        }
        guard bytes.count <= limit else { throw CNIError(.invalidNetworkConfig, "\(path) is larger than \(limit) bytes") }
        return bytes
    }

    /// Whether `path` is a network namespace: ADD and CHECK refuse anything else before
    /// touching state. `NetworkNamespace` is the one check (absolute path, nsfs, a network one).
    static func checkNetworkNamespace(_ path: String) throws(CNIError) {
        do throws(NamespaceError) {
            _ = try NetworkNamespace(path: path)
        } catch {
            switch error {
            case .invalidPath(_, let problem): throw CNIError(.invalidEnvironment, "CNI_NETNS \"\(path)\" \(problem)")
            case .missing: throw CNIError(.invalidEnvironment, "CNI_NETNS \(path) does not exist", details: errnoText(ENOENT))
            case .notANetworkNamespace:
                throw CNIError(.invalidEnvironment, "CNI_NETNS \(path) is not a network namespace",
                               details: "pass a path such as /var/run/netns/NAME or /proc/PID/ns/net")
            case .system(_, _, let code), .cannotEnter(_, let code):
                throw CNIError(.invalidEnvironment, "CNI_NETNS \(path) cannot be opened", details: errnoText(code))
            }
        }
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func errnoText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return "\(String(cString: text)) (errno \(code))"
    }
}

extension EdgeConfig {
    public static func readFile(_ path: String) throws(CNIError) -> [UInt8]? {
        try SystemFiles.read(path)
    }
}
