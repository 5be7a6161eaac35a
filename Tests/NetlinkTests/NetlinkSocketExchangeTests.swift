import Glibc
@testable import Netlink
import Testing

/// The socket's request/ACK and dump logic against a scripted peer on a socketpair, so that
/// replies the kernel rarely sends (interrupted dumps, stale sequence numbers, garbage) are covered.
@Suite struct NetlinkSocketExchangeTests {
    /// A socket whose "kernel" end is `peer`: replies are queued before the call that reads them.
    private final class Scripted {
        let socket: NetlinkSocket
        let peer: Int32

        init() throws {
            var fds: [Int32] = [0, 0]
            guard socketpair(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0, &fds) == 0 else {
                throw NetlinkError.system(call: "socketpair", errno: errno)
            }
            socket = NetlinkSocket(adopting: fds[0])
            peer = fds[1]
        }

        deinit { close(peer) }

        func reply(_ messages: [NetlinkMessage]) {
            let bytes = messages.flatMap { $0.encoded() }
            _ = bytes.withUnsafeBytes { send(peer, $0.baseAddress, $0.count, 0) }
        }

        func reply(raw bytes: [UInt8]) {
            _ = bytes.withUnsafeBytes { send(peer, $0.baseAddress, $0.count, 0) }
        }

        func ack(_ sequence: UInt32, errno: Int32 = 0, text: String? = nil) -> NetlinkMessage {
            let request = NetlinkMessage(type: 16, flags: 5, sequence: sequence, payload: [])
            let (payload, flags) = Acknowledgement(errno: errno, extendedAck: text).encodedErrorPayload(echoing: request)
            return NetlinkMessage(type: 2, flags: flags, sequence: sequence, payload: payload)
        }

        func link(_ name: String, _ sequence: UInt32, flags: UInt16 = 2) -> NetlinkMessage {
            let message = LinkMessage(index: 1, attributes: [RouteAttribute(type: 3, string: name)])
            return NetlinkMessage(type: 16, flags: flags, sequence: sequence, payload: message.encoded())
        }

        func done(_ sequence: UInt32, status: Int32 = 0) -> NetlinkMessage {
            NetlinkMessage(type: 3, flags: 2, sequence: sequence, payload: withUnsafeBytes(of: status) { Array($0) })
        }
    }

    @Test func batchCollectsRepliesPerRequestAndSkipsStaleOnes() throws {
        let s = try Scripted()
        let first = s.socket.nextSequence
        s.reply([s.ack(first &- 5), s.ack(first)])                      // a stale ACK from an earlier exchange
        s.reply([s.link("eth0", first + 1), s.ack(first + 1), s.ack(first + 2, errno: EEXIST)])
        let replies = try s.socket.perform([.setLinkUp("eth0"), .getLink("eth0"), .addLink(.init(name: "b"), kind: .bridge).tolerating(EEXIST)])
        #expect(replies.map(\.count) == [0, 1, 0])
        #expect(try Link(LinkMessage(decoding: replies[1][0].payload[...])).name == "eth0")
    }

    @Test func firstFailureIsThrownWithItsRequest() throws {
        let s = try Scripted()
        let first = s.socket.nextSequence
        s.reply([s.ack(first), s.ack(first + 1, errno: ENODEV, text: "Unknown device"), s.ack(first + 2, errno: EINVAL)])
        #expect(throws: NetlinkError.notFound(KernelFailure(errno: ENODEV, operation: "setLinkMTU", object: "x",
                                                            extendedAck: "Unknown device"))) {
            try s.socket.perform([.setLinkUp("a"), .setLinkMTU("x", 9000), .setLinkUp("c")])
        }
    }

    @Test func dumpReassemblesAcrossDatagrams() throws {
        let s = try Scripted()
        let sequence = s.socket.nextSequence
        s.reply([s.link("a", sequence), s.link("b", sequence)])
        s.reply([s.link("stale", sequence &- 1), s.link("c", sequence)])
        s.reply([s.done(sequence)])
        #expect(try s.socket.listLinks().map(\.name) == ["a", "b", "c"])
    }

    @Test func interruptedDumpIsItsOwnError() throws {
        let s = try Scripted()
        let sequence = s.socket.nextSequence
        s.reply([s.link("a", sequence), s.link("b", sequence, flags: 2 | 0x10)])
        s.reply([s.done(sequence)])
        #expect(throws: NetlinkError.dumpInterrupted(operation: "listLinks")) { try s.socket.listLinks() }
        // The dump was read to its end: the socket still works.
        let next = s.socket.nextSequence
        s.reply([s.link("z", next), s.done(next)])
        #expect(try s.socket.listLinks().map(\.name) == ["z"])
    }

    @Test func dumpErrorsAndGarbageAreReported() throws {
        let s = try Scripted()
        var sequence = s.socket.nextSequence
        s.reply([s.done(sequence, status: -EOPNOTSUPP)])
        #expect { try s.socket.listLinks() } throws: { ($0 as? NetlinkError)?.errno == EOPNOTSUPP }

        sequence = s.socket.nextSequence
        s.reply(raw: [40, 0, 0, 0, 16, 0, 2, 0] + withUnsafeBytes(of: sequence) { Array($0) } + [0, 0, 0, 0])
        #expect { try s.socket.listLinks() } throws: {
            if case .malformedReply(let operation, _) = $0 as? NetlinkError { operation == "listLinks" } else { false }
        }

        sequence = s.socket.nextSequence
        s.reply([NetlinkMessage(type: 16, flags: 2, sequence: sequence, payload: [1, 2, 3]), s.done(sequence)])
        #expect { try s.socket.listLinks() } throws: {
            if case .malformedReply = $0 as? NetlinkError { true } else { false }
        }
    }
}
