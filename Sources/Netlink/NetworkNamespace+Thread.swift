import CNetlink
import Glibc

extension NetworkNamespace {
    /// Runs `body` inside this namespace on a dedicated pthread, created for this call and
    /// joined before returning; the calling thread never changes namespace, so this is safe
    /// from any thread (it blocks it, so keep `body` short when called from a Swift
    /// concurrency executor). After `body` the thread switches back to the namespace it
    /// started in; if that fails, the thread is simply never used again (it ends).
    public func run<T>(_ body: () throws -> T) throws -> T {
        try runReportingReturn(body).value
    }

    /// `run`, also saying whether the thread made it back to its original namespace.
    func runReportingReturn<T>(_ body: () throws -> T) throws -> (value: T, returnedHome: Bool) {
        try withoutActuallyEscaping(body) { escapable in
            let work = NamespaceThreadWork(target: fd, path: path) {
                Result { try escapable() }.map { $0 as Any }
            }
            var thread = pthread_t()
            let unmanaged = Unmanaged.passRetained(work)
            let created = pthread_create(&thread, nil, { context in
                let work = Unmanaged<NamespaceThreadWork>.fromOpaque(context!).takeRetainedValue()
                work.main()
                return nil
            }, unmanaged.toOpaque())
            guard created == 0 else {
                unmanaged.release()
                throw NamespaceError.system(call: "pthread_create", path: path, errno: created)
            }
            pthread_join(thread, nil)
            if let enterErrno = work.enterErrno { throw NamespaceError.cannotEnter(path: path, errno: enterErrno) }
            // The result is only read after the join, so it never crosses threads concurrently.
            return (try work.result!.get() as! T, work.returnedHome)
        }
    }
}

/// What the dedicated thread does: enter, run, try to return home.
private final class NamespaceThreadWork: @unchecked Sendable {
    let target: Int32
    let path: String
    let body: () -> Result<Any, any Error>
    var result: Result<Any, any Error>?
    var enterErrno: Int32?
    /// Whether the thread got back into its original namespace (it ends either way).
    var returnedHome = false

    init(target: Int32, path: String, body: @escaping () -> Result<Any, any Error>) {
        self.target = target
        self.path = path
        self.body = body
    }

    func main() {
        let home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        defer { if home >= 0 { close(home) } }
        guard home >= 0 else {
            enterErrno = errno
            return
        }
        guard cnetlink_setns(target, CNETLINK_CLONE_NEWNET) == 0 else {
            enterErrno = errno
            return
        }
        result = body()
        let homeInode = inode(of: home)
        let back = cnetlink_setns(home, CNETLINK_CLONE_NEWNET) == 0
        let now = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        defer { if now >= 0 { close(now) } }
        returnedHome = back && now >= 0 && inode(of: now) == homeInode
    }

    private func inode(of fd: Int32) -> UInt64? {
        var info = stat()
        return fstat(fd, &info) == 0 ? UInt64(info.st_ino) : nil
    }
}
