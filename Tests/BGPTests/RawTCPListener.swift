import Foundation

/// A listening socket on a loopback address that plays a peer which keeps failing: it
/// counts connections and answers each with `reply` (a NOTIFICATION, say), then closes.
/// `minimumTTL` sets IP_MINTTL, so a SYN sent with a lower TTL is dropped unanswered.
final class RawTCPListener: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private var accepted: [Date] = []
    private var stopped = false

    init(address: String, port: Int, reply: [UInt8], minimumTTL: Int32? = nil) throws {
        fd = try RawTCPClient.listen(on: address, port: port)
        if var ttl = minimumTTL {
            // IP_MINTTL (21, linux/in.h): not in Glibc's Swift module. Applies to SYNs from now on.
            setsockopt(fd, Int32(IPPROTO_IP), 21, &ttl, socklen_t(MemoryLayout<Int32>.size))
        }
        let listening = fd
        Thread { [self] in
            while !isStopped {
                var pfd = pollfd(fd: listening, events: Int16(POLLIN), revents: 0)
                guard poll(&pfd, 1, 100) > 0 else { continue }
                let client = accept(listening, nil, nil)
                guard client >= 0 else { continue }
                record()
                _ = reply.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
                Glibc.close(client)
            }
        }.start()
    }

    private var isStopped: Bool { lock.withLock { stopped } }
    private func record() { lock.withLock { accepted.append(Date()) } }

    /// When each connection was accepted.
    var connections: [Date] { lock.withLock { accepted } }

    func stop() {
        lock.withLock { stopped = true }
        Thread.sleep(forTimeInterval: 0.2)
        Glibc.close(fd)
    }
}
