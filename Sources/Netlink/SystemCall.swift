import Glibc
import POSIX

/// Runs a system call, retrying while it fails with EINTR; any other failure throws with
/// the call's name and errno. Every syscall of the module goes through here.
@discardableResult
func systemCall<T: BinaryInteger>(_ name: String, _ body: () -> T) throws(NetlinkError) -> T {
    let result = retryingEINTR(body)
    guard result >= 0 else { throw .system(call: name, errno: errno) }
    return result
}
