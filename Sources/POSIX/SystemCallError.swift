/// A failed system call's errno, for callers that add the path and the call's name.
public struct SystemCallError: Error, Hashable, Sendable {
    public var errno: Int32

    public init(errno: Int32) { self.errno = errno }
}
