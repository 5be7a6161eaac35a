import Foundation
import Synchronization
import TestSupport

/// A TCP relay on a loopback port in front of one upstream (an etcd member), with faults a
/// test switches on: a path that goes silent (bytes stop flowing both ways, connections stay
/// open, as across a dead WAN link), and requests that reach the server but whose answers
/// are lost. Plain blocking sockets on threads of its own; stopped with `stop()`.
final class TCPProxy: @unchecked Sendable {
    enum Mode: Sendable {
        case relay
        /// Nothing is relayed any more; sockets stay open.
        case silent
        /// A request whose first bytes contain `marker` is relayed, its answer dropped and the
        /// client's connection closed: the write may have applied, the client cannot know.
        case dropAnswers(to: String)
        /// Every request gets `bytes` back from the proxy itself (a 404, a malformed body, plain
        /// HTTP where TLS is expected): a member that answers, wrongly.
        case answer([UInt8])
    }

    let port: Int
    private let upstreamPort: Int
    private let listener: Int32
    private let state = Mutex<(mode: Mode, sockets: [Int32], stopped: Bool)>((.relay, [], false))

    init(upstreamPort: Int) throws {
        self.upstreamPort = upstreamPort
        port = try freeLoopbackPorts(1)[0]
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 64) == 0 else { throw TestEnvironmentError("proxy cannot listen on \(port): errno \(errno)") }
        Thread { self.acceptLoop() }.start()
    }

    var mode: Mode {
        get { state.withLock { $0.mode } }
        set { state.withLock { $0.mode = newValue } }
    }

    /// Idempotent: a descriptor closed twice could be another component's by then.
    func stop() {
        let first = state.withLock { state -> Bool in
            defer { state.stopped = true }
            return !state.stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        dropConnections()
    }

    /// Cuts every connection open now (both sides see it closed); new ones are accepted.
    func dropConnections() {
        // Under the lock: a pump closes its pair under it too, so no number is reused meanwhile.
        state.withLock { state in
            for fd in state.sockets { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    deinit { stop() }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: upstreamPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            let registered = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.sockets += [client, upstream]
                return true
            }
            guard connected == 0, registered else {
                close(client)
                close(upstream)
                continue
            }
            let dropping = Flag()
            Thread { self.pump(from: client, to: upstream, requests: true, dropping: dropping) }.start()
            Thread { self.pump(from: upstream, to: client, requests: false, dropping: dropping) }.start()
        }
    }

    /// Copies one direction until either side closes; obeys the mode on every chunk.
    private func pump(from source: Int32, to destination: Int32, requests: Bool, dropping: Flag) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        defer {
            shutdown(source, Int32(SHUT_RDWR))
            shutdown(destination, Int32(SHUT_RDWR))
            // The second pump to end closes the pair.
            if dropping.pumpsEnded.withLock({ $0 += 1; return $0 == 2 }) {
                state.withLock { state in
                    state.sockets.removeAll { $0 == source || $0 == destination }
                    close(source)
                    close(destination)
                }
            }
        }
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            guard count > 0 else { return }
            let chunk = Array(buffer[..<count])
            switch mode {
            case .relay:
                break
            case .silent:
                // Hold the bytes forever: the peer sees an open, quiet connection.
                while case .silent = mode { usleep(50_000) }
            case .dropAnswers(let marker):
                if requests, String(decoding: chunk, as: UTF8.self).contains(marker) { dropping.value.withLock { $0 = true } }
                if !requests, dropping.value.withLock({ $0 }) { return }
            case .answer(let bytes):
                // An empty answer is a connection closed unanswered.
                guard requests, !bytes.isEmpty else { return }
                _ = write(source, bytes)
                continue
            }
            guard write(destination, chunk) else { return }
        }
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }

    /// One connection's shared state: whether its answers are dropped, how many pumps ended.
    private final class Flag: Sendable {
        let value = Mutex(false)
        let pumpsEnded = Mutex(0)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }
}
