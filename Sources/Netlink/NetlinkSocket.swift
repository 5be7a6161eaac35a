import CNetlink
import Glibc

/// An rtnetlink socket. It stays bound to the network namespace it was opened in, so a
/// socket opened inside a pod's namespace (see `NetworkNamespace.openNetlinkSocket`) can be
/// used from any thread afterwards without entering the namespace again.
///
/// Not thread-safe: one user at a time (it owns a sequence counter and a receive buffer).
public final class NetlinkSocket {
    let fd: Int32
    private(set) var nextSequence: UInt32
    private var receiveBuffer: [UInt8]

    /// Large enough for any datagram the kernel builds for a dump (it caps them near 32 KiB).
    static let receiveBufferSize = 64 * 1024

    /// Opens a NETLINK_ROUTE socket in the calling thread's network namespace, with
    /// extended acks on and echoed requests capped to their header.
    public init() throws(NetlinkError) {
        fd = try systemCall("socket(AF_NETLINK)") { socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_ROUTE) }
        receiveBuffer = [UInt8](repeating: 0, count: Self.receiveBufferSize)
        // A different start per socket keeps a stale reply from an earlier socket unambiguous.
        nextSequence = UInt32(truncatingIfNeeded: time(nil)) &* 2_654_435_761
        do throws(NetlinkError) {
            var on: Int32 = 1
            for option in [NETLINK_EXT_ACK, NETLINK_CAP_ACK] {
                try systemCall("setsockopt(\(option))") {
                    setsockopt(fd, SOL_NETLINK, option, &on, socklen_t(MemoryLayout<Int32>.size))
                }
            }
            var address = sockaddr_nl()
            address.nl_family = sa_family_t(AF_NETLINK)
            try systemCall("bind(AF_NETLINK)") {
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
                    }
                }
            }
        } catch {
            close(fd)
            throw error
        }
    }

    /// Wraps a datagram socket whose other end plays the kernel (codec-level tests of the
    /// request/ACK and dump logic without root).
    init(adopting fd: Int32) {
        self.fd = fd
        receiveBuffer = [UInt8](repeating: 0, count: Self.receiveBufferSize)
        nextSequence = 1
    }

    deinit { close(fd) }

    /// The port id the kernel bound this socket to (nl_pid): the notifications a change made
    /// through this socket causes carry it, so a monitor can tell our own changes apart.
    public var portID: UInt32 {
        var address = sockaddr_nl()
        var length = socklen_t(MemoryLayout<sockaddr_nl>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return result == 0 ? address.nl_pid : 0
    }

    /// Sends all requests in one datagram (the kernel handles them in order) and waits for
    /// each one's ACK. Returns, per request, the messages the kernel answered with before
    /// the ACK (the object for a `get`). Throws the first failure not tolerated by its request;
    /// the kernel still ran the later ones.
    @discardableResult
    public func perform(_ requests: [NetlinkRequest]) throws(NetlinkError) -> [[NetlinkMessage]] {
        var replies: [[NetlinkMessage]] = []
        replies.reserveCapacity(requests.count)
        var firstFailure: NetlinkError?
        try forEachChunk(of: requests) { (chunkReplies, failures) in
            replies += chunkReplies
            if firstFailure == nil { firstFailure = failures.lazy.compactMap { $0 }.first }
        }
        if let firstFailure { throw firstFailure }
        return replies
    }

    /// `perform` for batches whose requests may fail one by one (routes to install, some of
    /// them unresolvable): the outcome of each request, nil when it succeeded. Throws only
    /// when the socket itself fails.
    public func performEach(_ requests: [NetlinkRequest]) throws(NetlinkError) -> [NetlinkError?] {
        let result = performAcknowledged(requests)
        if let interruption = result.interruption { throw interruption }
        return result.outcomes
    }

    /// `performEach` that keeps what was acknowledged when the socket fails part way (a send
    /// error, ENOBUFS on receive): the outcomes of the requests before the failing chunk, and
    /// the failure. Requests past `outcomes` may or may not have been applied by the kernel.
    public func performAcknowledged(_ requests: [NetlinkRequest]) -> NetlinkBatchResult {
        var result = NetlinkBatchResult()
        result.outcomes.reserveCapacity(requests.count)
        do throws(NetlinkError) {
            try forEachChunk(of: requests) { result.outcomes += $1 }
        } catch {
            result.interruption = error
        }
        return result
    }

    /// Each ACK costs the receive buffer about a kilobyte of skb; chunks keep it from overflowing.
    private func forEachChunk(of requests: [NetlinkRequest],
                              _ body: ([[NetlinkMessage]], [NetlinkError?]) -> Void) throws(NetlinkError) {
        for start in stride(from: 0, to: requests.count, by: chunkSize) {
            let chunk = requests[start..<min(start + chunkSize, requests.count)]
            let (chunkReplies, failures) = try performChunk(Array(chunk))
            body(chunkReplies, failures)
        }
    }

    /// Requests per datagram. The default fits the default receive buffer; a writer of
    /// thousands of routes raises both with `enlargeBuffers(forChunksOf:)`.
    private(set) var chunkSize = 64

    /// Bytes of receive buffer one ACK costs at most (a capped ACK's skb, with slack).
    static let bufferPerAcknowledgement = 2048

    /// Sends up to `requests` requests per datagram, with a receive buffer to hold their ACKs
    /// (SO_RCVBUFFORCE, which needs CAP_NET_ADMIN; without it the chunk stays as it was).
    /// Fewer, larger datagrams: fewer round trips, each a wake-up on a loaded machine.
    public func enlargeBuffers(forChunksOf requests: Int) {
        var size = Int32(clamping: requests * Self.bufferPerAcknowledgement)
        guard setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size)) == 0 else { return }
        chunkSize = max(1, requests)
    }

    private func performChunk(_ requests: [NetlinkRequest]) throws(NetlinkError) -> ([[NetlinkMessage]], [NetlinkError?]) {
        let firstSequence = nextSequence
        var writer = NetlinkByteWriter(capacity: requests.reduce(0) { $0 + 20 + $1.payload.count })
        for request in requests {
            NetlinkMessage(type: request.type, flags: request.kind.flags, sequence: nextSequence, payload: request.payload)
                .encode(into: &writer)
            nextSequence &+= 1
        }
        try send(writer.bytes)

        var replies = [[NetlinkMessage]](repeating: [], count: requests.count)
        var acknowledged = 0
        var failures = [NetlinkError?](repeating: nil, count: requests.count)
        while acknowledged < requests.count {
            for message in try receive(operation: requests[0].operation) {
                let position = Int(message.sequence &- firstSequence)
                guard position >= 0, position < requests.count else { continue }  // stale reply
                guard message.isError else {
                    replies[position].append(message)
                    continue
                }
                acknowledged += 1
                let ack = try decodeAcknowledgement(message, operation: requests[position].operation)
                if ack.errno != 0, !requests[position].tolerated.contains(ack.errno) {
                    failures[position] = requests[position].failure(ack)
                }
            }
        }
        return (replies, failures)
    }

    /// Runs one dump request and returns every message of the reply up to NLMSG_DONE.
    /// Throws `.dumpInterrupted` when the kernel flagged a concurrent change (after reading
    /// the reply to its end, so the socket stays usable).
    func dump(_ request: NetlinkRequest) throws(NetlinkError) -> [NetlinkMessage] {
        var messages: [NetlinkMessage] = []
        try dump(request) { messages.append($0) }
        return messages
    }

    /// `dump` handing each message to `body` as its datagram arrives, so a reply of a
    /// million routes is never held at once. `.dumpInterrupted` comes at the end, after
    /// `body` saw a reply that may be inconsistent.
    func dump(_ request: NetlinkRequest, each body: (NetlinkMessage) -> Void) throws(NetlinkError) {
        let sequence = nextSequence
        nextSequence &+= 1
        try send(NetlinkMessage(type: request.type, flags: request.kind.flags, sequence: sequence, payload: request.payload).encoded())
        var interrupted = false
        while true {
            for message in try receive(operation: request.operation) where message.sequence == sequence {
                if message.flags & UInt16(NLM_F_DUMP_INTR) != 0 { interrupted = true }
                if message.isError {
                    let ack = try decodeAcknowledgement(message, operation: request.operation)
                    if ack.errno == 0 { continue }
                    throw request.failure(ack)
                }
                if message.isDone {
                    if interrupted { throw .dumpInterrupted(operation: request.operation) }
                    try checkDone(message, request: request)
                    return
                }
                body(message)
            }
        }
    }

    private func checkDone(_ message: NetlinkMessage, request: NetlinkRequest) throws(NetlinkError) {
        guard message.payload.count >= 4 else { return }
        var reader = NetlinkByteReader(message.payload[...], context: "NLMSG_DONE")
        let status = (try? reader.readInt32()) ?? 0
        if status < 0 { throw request.failure(Acknowledgement(errno: -status, extendedAck: nil)) }
    }

    private func decodeAcknowledgement(_ message: NetlinkMessage, operation: String) throws(NetlinkError) -> Acknowledgement {
        do throws(NetlinkDecodingError) {
            return try Acknowledgement(errorPayload: message.payload, flags: message.flags)
        } catch {
            throw .malformedReply(operation: operation, reason: error.description)
        }
    }

    private func send(_ bytes: [UInt8]) throws(NetlinkError) {
        let sent = try systemCall("send(netlink)") { bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) } }
        guard sent == bytes.count else { throw .system(call: "send(netlink): short write", errno: EMSGSIZE) }
    }

    /// Reads one datagram and splits it into messages.
    private func receive(operation: String) throws(NetlinkError) -> [NetlinkMessage] {
        let capacity = receiveBuffer.count
        let length = try systemCall("recv(netlink)") {
            receiveBuffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, capacity, Int32(MSG_TRUNC)) }
        }
        guard length <= capacity else {
            throw .malformedReply(operation: operation, reason: "datagram of \(length) bytes exceeds the \(capacity)-byte buffer")
        }
        do throws(NetlinkDecodingError) {
            return try NetlinkMessage.decodeAll(receiveBuffer[..<length])
        } catch {
            throw .malformedReply(operation: operation, reason: error.description)
        }
    }
}
