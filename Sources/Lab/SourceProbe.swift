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
        let connection = try NetworkNamespace(path: client).run { () throws -> Int32 in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
            // connect(2) gives up after SO_SNDTIMEO.
            var limit = timeval(tv_sec: timeout, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            var remote = sockaddr_in(address: address, port: listener.1)
            guard withUnsafePointer(to: &remote, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }) == 0 else {
                let code = errno
                close(fd)
                throw Failure(description: "TCP to \(host) failed: \(String(cString: strerror(code)))")
            }
            return fd
        }
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

extension sockaddr_in {
    init(address: IPv4Address, port: UInt16) {
        self.init()
        sin_family = sa_family_t(AF_INET)
        sin_port = port.bigEndian
        sin_addr = in_addr(s_addr: address.value.bigEndian)
    }
}
