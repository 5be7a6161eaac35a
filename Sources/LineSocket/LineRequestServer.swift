import Foundation
import NIOCore
import NIOPosix

/// A Unix stream socket where each connection carries one request line and gets its answer
/// as one or more lines, then is closed: the framing of the BGP speaker's and the agent's
/// control sockets (their clients: `ControlClient.exchange`). What a request means is the
/// caller's `answer`; it runs off the event loop, so it may take its time.
public enum LineRequestServer {
    /// A request line longer than this closes the connection unanswered.
    public static let maxRequestBytes = 65536

    /// An answer line that has not left after this long means the client stopped reading: it is cut off.
    public static let writeTimeout: TimeAmount = .seconds(10)

    /// Creates the socket's folder, binds `path` (replacing a stale socket file) on `group`
    /// and serves until the returned channel is closed. `limit`: the longest request line.
    public static func bind(path: String, group: any EventLoopGroup, limit: Int = LineRequestServer.maxRequestBytes,
                            answer: @escaping @Sendable (_ request: ByteBuffer, _ reply: Reply) async -> Void) async throws -> any Channel {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        return try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(LineRequestHandler(limit: limit, answer: answer))
                }
            }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true)
            .get()
    }

    /// Writes the answer to one request, a line per `send`.
    public struct Reply: Sendable {
        let channel: any Channel

        /// `line` and a newline; returns once they have left (or throws when the client is gone or cut off).
        public func send(_ line: some Sequence<UInt8>) async throws {
            var out = channel.allocator.buffer(capacity: 256)
            out.writeBytes(line)
            out.writeString("\n")
            let channel = channel
            let cutOff = channel.eventLoop.scheduleTask(in: LineRequestServer.writeTimeout) { channel.close(promise: nil) }
            defer { cutOff.cancel() }
            try await channel.writeAndFlush(out)
        }
    }
}

/// Reads one request line, hands it to the answer, closes when the answer is done.
private final class LineRequestHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let answer: @Sendable (ByteBuffer, LineRequestServer.Reply) async -> Void
    private let limit: Int
    private var request = ByteBuffer()
    private var answered = false

    init(limit: Int, answer: @escaping @Sendable (ByteBuffer, LineRequestServer.Reply) async -> Void) {
        self.limit = limit
        self.answer = answer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        request.writeBuffer(&chunk)
        guard !answered, let newline = request.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if request.readableBytes > limit { context.close(promise: nil) }
            return
        }
        answered = true
        let line = request.getSlice(at: request.readerIndex, length: newline - request.readerIndex) ?? ByteBuffer()
        let channel = context.channel
        let answer = answer
        Task {
            await answer(line, LineRequestServer.Reply(channel: channel))
            try? await channel.close()
        }
    }
}
