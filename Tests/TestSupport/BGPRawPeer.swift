import Foundation

/// A hand-driven BGP peer over a plain TCP socket opened inside a `te-` namespace: it sends
/// whatever bytes a test builds (well-formed or not) and reads back whole messages. For the
/// malformed-message tests against the live speaker.
public final class BGPRawPeer: @unchecked Sendable {
    private let fd: Int32

    /// One message as read: type and body (header stripped).
    public struct Message: Sendable {
        public let type: UInt8
        public let body: [UInt8]
        public var isNotification: Bool { type == 3 }
        /// NOTIFICATION (code, subcode), when this is one.
        public var notification: (code: Int, subcode: Int)? {
            isNotification && body.count >= 2 ? (Int(body[0]), Int(body[1])) : nil
        }
    }

    /// Connects from inside `namespace` to `address:port` (IPv4).
    public init(in namespace: TestNamespace, connectTo address: String, port: UInt16 = 179) throws {
        let path = namespace.path
        nonisolated(unsafe) var result: Result<Int32, TestEnvironmentError> = .failure(TestEnvironmentError("no thread"))
        // setns switches only the calling thread, so the socket is made on a throw-away thread;
        // a socket keeps the namespace it was created in.
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            result = Self.connectInNamespace(path, address: address, port: port)
            done.signal()
        }
        thread.start()
        done.wait()
        fd = try result.get()
    }

    /// Glibc declares setns(2) only under _GNU_SOURCE, which Swift's Glibc module lacks.
    private static let setns: (@convention(c) (Int32, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
    }()

    private static func connectInNamespace(_ path: String, address: String, port: UInt16) -> Result<Int32, TestEnvironmentError> {
        let nsfd = open(path, O_RDONLY)
        guard nsfd >= 0 else { return .failure(TestEnvironmentError("open \(path): errno \(errno)")) }
        defer { close(nsfd) }
        guard let setns = Self.setns, setns(nsfd, 0x4000_0000 /* CLONE_NEWNET */) == 0 else { return .failure(TestEnvironmentError("setns: errno \(errno)")) }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .failure(TestEnvironmentError("socket: errno \(errno)")) }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        guard inet_pton(AF_INET, address, &sin.sin_addr) == 1 else {
            close(fd)
            return .failure(TestEnvironmentError("not an IPv4 address: \(address)"))
        }
        let rc = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let error = errno
            close(fd)
            return .failure(TestEnvironmentError("connect \(address):\(port): errno \(error)"))
        }
        return .success(fd)
    }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw TestEnvironmentError("send: errno \(errno)") }
            offset += n
        }
    }

    /// Reads exactly `count` octets, or nil on timeout or when the peer closed.
    private func read(_ count: Int, deadline: Date) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return nil }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, Int32(left * 1000) + 1) > 0 else { continue }
            let n = buffer[got...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            got += n
        }
        return buffer
    }

    /// The next whole message, or nil if none arrives within `timeout` seconds or the
    /// connection closes.
    public func receive(timeout: Double = 5) -> Message? {
        let deadline = Date().addingTimeInterval(timeout)
        guard let header = read(19, deadline: deadline) else { return nil }
        let length = Int(header[16]) << 8 | Int(header[17])
        guard length >= 19, let body = read(length - 19, deadline: deadline) else { return nil }
        return Message(type: header[18], body: body)
    }

    /// Skips KEEPALIVEs and UPDATEs until a NOTIFICATION comes (or nothing does).
    public func receiveNotification(timeout: Double = 5) -> (code: Int, subcode: Int)? {
        let deadline = Date().addingTimeInterval(timeout)
        while deadline.timeIntervalSinceNow > 0 {
            guard let message = receive(timeout: deadline.timeIntervalSinceNow) else { return nil }
            if let notification = message.notification { return notification }
        }
        return nil
    }

    /// Ends the session as a crashed or unplugged peer would: a FIN with no NOTIFICATION.
    public func shutdown() { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    deinit { close(fd) }
}
