import Glibc

/// Runs a system call, retrying while it fails with EINTR; any other failure throws with
/// the call's name and errno. Every syscall of the module goes through here.
@discardableResult
func systemCall<T: BinaryInteger>(_ name: String, _ body: () -> T) throws(NetlinkError) -> T {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = errno
        if code != EINTR { throw .system(call: name, errno: code) }
    }
}
