import CNetlink
import Glibc
import NetworkCore

/// An open network namespace: a file descriptor on nsfs (`/var/run/netns/NAME`,
/// `/proc/PID/ns/net`), checked to be a network namespace when opened.
public final class NetworkNamespace: @unchecked Sendable {
    public let fd: Int32
    public let path: String

    /// Opens and validates `path`: it must be absolute (`NamespacePath`), exist, sit on nsfs and be a network namespace.
    public init(path: String) throws(NamespaceError) {
        if let problem = NamespacePath.problem(with: path) { throw .invalidPath(path: path, problem: problem) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw code == ENOENT ? .missing(path: path) : .system(call: "open", path: path, errno: code)
        }
        var fs = statfs()
        guard fstatfs(fd, &fs) == 0 else {
            let code = errno
            close(fd)
            throw .system(call: "fstatfs", path: path, errno: code)
        }
        // ioctl(NS_GET_NSTYPE) tells a network namespace from the other kinds nsfs serves.
        guard fs.f_type == CNETLINK_NSFS_MAGIC, ioctl(fd, CNETLINK_NS_GET_NSTYPE) == CNETLINK_CLONE_NEWNET else {
            close(fd)
            throw .notANetworkNamespace(path: path)
        }
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// The namespace of the calling thread (which may differ from the process's).
    public static func current() throws(NamespaceError) -> NetworkNamespace {
        try NetworkNamespace(path: "/proc/thread-self/ns/net")
    }

    /// The namespace's inode number: two handles with the same inode are the same namespace.
    public var inode: UInt64 {
        var info = stat()
        return fstat(fd, &info) == 0 ? UInt64(info.st_ino) : 0
    }

    /// Opens a netlink socket inside this namespace. The socket stays bound to it, so all
    /// further requests on it need no namespace switch; this is the only setns it costs.
    public func openNetlinkSocket() throws -> NetlinkSocket {
        try run { try NetlinkSocket() }
    }
}
