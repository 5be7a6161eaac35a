import Glibc

/// Runs a system call again while it fails with EINTR (a signal arrived before it did
/// anything). Returns its result: negative, with `errno` set, on any other failure.
/// Every EINTR loop of the project is this one.
@inlinable
public func retryingEINTR<T: BinaryInteger>(_ call: () -> T) -> T {
    while true {
        let result = call()
        if result >= 0 || errno != EINTR { return result }
    }
}
