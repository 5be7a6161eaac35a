import Foundation
import POSIX

/// Runs one POSIX call, retrying on EINTR; a failure becomes `.unavailable` naming the file,
/// the call and errno's text, which is what an operator needs (permissions, full disk, ...).
@discardableResult
func systemCall<T: BinaryInteger>(_ name: String, _ path: String, _ body: () -> T) throws(LeaseStoreError) -> T {
    let result = retryingEINTR(body)
    guard result >= 0 else {
        let code = errno
        throw .unavailable(store: path, reason: "\(name) failed: \(String(cString: strerror(code))) (errno \(code))")
    }
    return result
}
