import Foundation
import Netlink
import NetworkCore

/// What a host outside the cluster sees of a pod's connection: a TCP listener opened inside
/// one namespace, a connection from inside another (each socket made on the namespace's
/// own thread: a socket stays in the namespace it was created in), and the peer address
/// the listener accepts. IPv4.
enum SourceProbe {
    struct Seen {
        var source: String
        var milliseconds: Double
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func connect(from client: String, to host: String, listenerNamespace: String, timeout: Int = 3) throws -> Seen {
        guard case .v4(let address) = IPAddress(host) else { throw Failure(description: "\(host) is no IPv4 address") }
        let listener = try NetworkNamespace(path: listenerNamespace).run { () throws -> (Int32, UInt16) in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
            var on: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
            var local = sockaddr_in(address: address, port: 0)
            guard withUnsafePointer(to: &local, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }) == 0, listen(fd, 4) == 0 else {
                close(fd)
                throw Failure(description: "cannot listen on \(host): errno \(errno)")
            }
            var bound = sockaddr_in(), length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
            return (fd, UInt16(bigEndian: bound.sin_port))
        }
        defer { close(listener.0) }
        let start = Date()
        let connection = try connect(from: client, to: address, port: listener.1, timeout: timeout)
        defer { close(connection) }
        let milliseconds = Date().timeIntervalSince(start) * 1000
        var poll = pollfd(fd: listener.0, events: Int16(POLLIN), revents: 0)
        guard Glibc.poll(&poll, 1, Int32(timeout * 1000)) == 1 else { throw Failure(description: "the listener at \(host) saw no connection") }
        var peer = sockaddr_in(), length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let accepted = withUnsafeMutablePointer(to: &peer) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listener.0, $0, &length) } }
        guard accepted >= 0 else { throw Failure(description: "accept: errno \(errno)") }
        close(accepted)
        let source = IPv4Address(UInt32(bigEndian: peer.sin_addr.s_addr))
        return Seen(source: "\(source)", milliseconds: (milliseconds * 1000).rounded() / 1000)
    }
}

extension SourceProbe {
    /// A TCP connection made inside the namespace at `path` (the socket stays in it).
    static func connect(from path: String, to address: IPv4Address, port: UInt16, timeout: Int) throws -> Int32 {
        try NetworkNamespace(path: path).run { () throws -> Int32 in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
            // connect(2) gives up after SO_SNDTIMEO; reads after SO_RCVTIMEO.
            var limit = timeval(tv_sec: timeout, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            var remote = sockaddr_in(address: address, port: port)
            guard withUnsafePointer(to: &remote, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }) == 0 else {
                let code = errno
                close(fd)
                throw Failure(description: "TCP to \(address):\(port) failed: \(String(cString: strerror(code)))")
            }
            return fd
        }
    }

    /// One HTTP/1.1 request from inside the namespace (`Connection: close`): the status and body.
    static func http(from path: String, to host: String, port: UInt16, method: String, path target: String,
                     headers: [String: String], timeout: Int = 3) throws -> (status: Int, body: String) {
        guard case .v4(let address) = IPAddress(host) else { throw Failure(description: "\(host) is no IPv4 address") }
        let fd = try connect(from: path, to: address, port: port, timeout: timeout)
        defer { close(fd) }
        var request = "\(method) \(target) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\nContent-Length: 0\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { request += "\(name): \(value)\r\n" }
        let bytes = Array((request + "\r\n").utf8)
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else {
            throw Failure(description: "sending to \(host): errno \(errno)")
        }
        var answer: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 4096)
        while answer.count < 1 << 20 {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            answer += buffer[..<count]
        }
        let text = String(decoding: answer, as: UTF8.self)
        guard let head = text.range(of: "\r\n\r\n"), let status = Int(text.split(separator: " ").dropFirst().first ?? "") else {
            throw Failure(description: "no HTTP answer from \(host):\(port)")
        }
        return (status, String(text[head.upperBound...]))
    }
}

extension sockaddr_in {
    init(address: IPv4Address, port: UInt16) {
        self.init()
        sin_family = sa_family_t(AF_INET)
        sin_port = port.bigEndian
        sin_addr = in_addr(s_addr: address.value.bigEndian)
    }
}
