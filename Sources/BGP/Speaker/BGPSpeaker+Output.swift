import BGPCore
import NIOCore

/// UPDATEs leave only as fast as the peer takes them: while the channel is writable (NIO's
/// write buffer below its high watermark) the queued prefixes are encoded a batch at a
/// time and written; when it is not, production stops, and the channel's return to
/// writable resumes it. What waits is the `OutputQueue` (a key per prefix, coalesced), so
/// a slow reader costs neither unbounded buffers nor one UPDATE per change.
extension BGPSpeaker {
    /// Prefixes encoded per write: about 16 full UPDATEs of /24s (64 KB, NIO's high watermark).
    static let outputBatch = 16_384

    func flushOutput(_ session: PeerSession) {
        let connection = session.primary
        guard session.isEstablished, let channel = connection.channel else { return }
        let packer = UpdatePacker(options: connection.options)
        while channel.isWritable, connection.channel === channel {
            let (v4, v6) = session.output.next(Self.outputBatch)
            var bytes: [UInt8] = []
            if !v4.isEmpty || !v6.isEmpty {
                bytes = session.adjRIBOut.encode(session.adjRIBOut.delta(for: v4, v6), with: packer)
            }
            for family in session.output.takeEndOfRIB() {
                BGPMessage.update(.endOfRIB(family)).encode(into: &bytes, options: connection.options)
            }
            if !bytes.isEmpty { connection.write(bytes) }
            if session.output.isEmpty { return }
        }
    }
}
