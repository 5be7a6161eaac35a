import BGPCore
import NIOCore

/// One TCP connection to a peer (or the attempt to make one) with its own FSM and timers.
/// A peer has one, and briefly two while a collision (RFC 4271 §6.8) is being resolved.
/// Confined to the speaker's event loop.
final class PeerConnection: @unchecked Sendable {
    /// Who opened the TCP connection now attached (collision detection keeps one by this).
    var origin: ConnectionOrigin
    var fsm: SessionFSM
    var timers = SessionTimers()
    var wakeup: Scheduled<Void>?
    var wakeupDeadline: Duration?
    var channel: Channel?
    /// Bumped whenever an outgoing attempt is abandoned, so that a late success is closed.
    var attempt = 0
    /// What both OPENs agreed on; decoding UPDATEs depends on it.
    var options = BGPCodecOptions()
    /// The peer's OPEN on the last connection; kept after a close so that the session's
    /// release can still see whether the peer does graceful restart.
    var peerOpen: OpenMessage?
    /// The last write, so that a close waits for the NOTIFICATION to leave.
    var lastWrite: EventLoopFuture<Void>?
    /// Bytes handed to the channel that the socket has not taken yet.
    var unwrittenBytes = 0
    /// RFC 9687: armed while the channel is not writable.
    var sendHold: Scheduled<Void>?

    init(origin: ConnectionOrigin, settings: SessionFSM.Settings) {
        self.origin = origin
        fsm = SessionFSM(settings: settings)
    }

    func write(_ bytes: [UInt8]) {
        guard let channel else { return }
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        unwrittenBytes += bytes.count
        let write = channel.writeAndFlush(buffer)
        write.whenComplete { [self] _ in unwrittenBytes -= bytes.count }
        lastWrite = write
    }

    /// Closes the connection once pending writes are out.
    func close() {
        attempt += 1
        guard let channel else { return }
        self.channel = nil
        if let lastWrite {
            lastWrite.whenComplete { _ in channel.close(promise: nil) }
        } else {
            channel.close(promise: nil)
        }
        lastWrite = nil
    }
}
