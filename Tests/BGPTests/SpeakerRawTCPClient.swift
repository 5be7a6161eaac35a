import Foundation

/// A plain TCP client bound to a chosen loopback source, to play a stranger or a peer.
struct RawTCPClient {
    enum Outcome: Equatable {
        /// The speaker closed the connection after sending this many bytes.
        case closed(bytes: Int)
        /// Still open when the timeout ran out, with this many bytes received.
        case open(bytes: Int)
    }

    let fd: Int32

    /// `receiveBuffer`: SO_RCVBUF before connecting, for a peer that is to fall behind quickly.
    init(from source: String, to destination: String, port: Int, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, source, &local.sin_addr)
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, destination, &remote.sin_addr)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, connected == 0 else {
            Glibc.close(fd)
            throw CocoaError(.fileReadUnknown, userInfo: [NSDebugDescriptionErrorKey: "connect failed: errno \(errno)"])
        }
    }

    /// A connection accepted on `listener` within `timeout` seconds (a raw peer's listening side).
    init?(acceptingOn listener: Int32, timeout: Double) {
        var pfd = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, Int32(timeout * 1000)) > 0 else { return nil }
        fd = accept(listener, nil, nil)
        guard fd >= 0 else { return nil }
    }

    /// A listening socket on `address`:`port`, for `init(acceptingOn:timeout:)`.
    static func listen(on address: String, port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, address, &local.sin_addr)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 16) == 0 else {
            let error = errno
            Glibc.close(fd)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSDebugDescriptionErrorKey: "listen on \(address):\(port): errno \(error)"])
        }
        return fd
    }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// The next whole message (header included), or nil on timeout or close.
    func receive(timeout: Double = 5) -> [UInt8]? {
        guard let header = read(19, timeout: timeout) else { return nil }
        let length = Int(header[16]) << 8 | Int(header[17])
        guard length >= 19, let body = read(length - 19, timeout: timeout) else { return nil }
        return header + body
    }

    private func read(_ count: Int, timeout: Double) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var got = 0
        let deadline = Date().addingTimeInterval(timeout)
        while got < count {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return nil }
            guard poll(&pfd, 1, Int32(left * 1000) + 1) > 0 else { continue }
            let n = buffer[got...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return nil }
            got += n
        }
        return buffer
    }

    func close() { _ = Glibc.close(fd) }

    /// Reads until the other side closes or `timeout` seconds pass; closes the socket.
    func readUntilClosed(timeout: Double) -> Outcome {
        defer { close() }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let n = Glibc.read(fd, &buffer, buffer.count)
            if n == 0 || (n < 0 && errno == ECONNRESET) { return .closed(bytes: total) }
            if n < 0 { break }
            total += n
        }
        return .open(bytes: total)
    }
}

extension RawTCPClient {
    /// Whether a TCP handshake to `destination` completes within `timeout` when our packets
    /// carry TTL (IPv6: hop limit) `ttl`: a GTSM listener drops a SYN below its minimum.
    static func handshakes(to destination: String, port: Int, ttl: Int32, timeout: Double) -> Bool {
        let v6 = destination.contains(":")
        let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        var hops = ttl
        setsockopt(fd, v6 ? Int32(IPPROTO_IPV6) : Int32(IPPROTO_IP), v6 ? IPV6_UNICAST_HOPS : IP_TTL,
                   &hops, socklen_t(MemoryLayout<Int32>.size))
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let started: Int32
        if v6 {
            var remote = sockaddr_in6()
            remote.sin6_family = sa_family_t(AF_INET6)
            remote.sin6_port = UInt16(port).bigEndian
            inet_pton(AF_INET6, destination, &remote.sin6_addr)
            started = withUnsafePointer(to: &remote) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var remote = sockaddr_in()
            remote.sin_family = sa_family_t(AF_INET)
            remote.sin_port = UInt16(port).bigEndian
            inet_pton(AF_INET, destination, &remote.sin_addr)
            started = withUnsafePointer(to: &remote) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard started == 0 || errno == EINPROGRESS else { return false }
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&pfd, 1, Int32(timeout * 1000)) > 0 else { return false }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        return error == 0
    }
}
