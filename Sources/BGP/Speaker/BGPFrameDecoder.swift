import BGPCore
import NIOCore

/// One framed message, or the header error that ends the stream (RFC 4271 §6.1).
public enum BGPFrame: Sendable {
    /// A whole message, header included, ready for `BGPMessage.decode`.
    case message(ByteBuffer)
    case headerError(BGPMessageError)
}

/// Splits the TCP stream into messages: reads the header, checks marker, type and length
/// with the codec, then waits for the body. After a header error nothing more is framed:
/// the session sends its NOTIFICATION and closes.
public struct BGPFrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = BGPFrame
    private var failed = false

    public init() {}

    public mutating func decode(buffer: inout ByteBuffer) throws -> BGPFrame? {
        guard !failed else {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return nil
        }
        let framed: Result<Int?, BGPMessageError> = buffer.withUnsafeReadableBytes { bytes in
            do throws(BGPMessageError) {
                return .success(try BGPMessage.frameLength(bytes))
            } catch {
                return .failure(error)
            }
        }
        switch framed {
        case .failure(let error):
            failed = true
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .headerError(error)
        case .success(nil):
            return nil
        case .success(let length?):
            guard let message = buffer.readSlice(length: length) else { return nil }
            return .message(message)
        }
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> BGPFrame? {
        try decode(buffer: &buffer)
    }
}
