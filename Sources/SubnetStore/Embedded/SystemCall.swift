import Foundation

/// Runs one POSIX call, retrying on EINTR; a failure becomes `.unavailable` naming the file,
/// the call and errno's text, which is what an operator needs (permissions, full disk, ...).
@discardableResult
func systemCall<T: BinaryInteger>(_ name: String, _ path: String, _ body: () -> T) throws(LeaseStoreError) -> T {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = errno
        if code == EINTR { continue }
        throw .unavailable(store: path, reason: "\(name) failed: \(String(cString: strerror(code))) (errno \(code))")
    }
}
