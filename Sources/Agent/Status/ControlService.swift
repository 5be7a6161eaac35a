import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The agent's control socket: one JSON request line in (`{"command": "status"}`), one JSON
/// answer out, then close. `terway-edge status` is its client.
public struct ControlService: Service {
    let path: String
    let status: @Sendable () async -> AgentStatus
    let logger: Logger

    public init(path: String, logger: Logger, status: @escaping @Sendable () async -> AgentStatus) {
        self.path = path
        self.status = status
        self.logger = logger
    }

    public func run() async throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let status = status
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ControlRequestHandler(status: status))
                }
            }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true)
            .get()
        logger.info("control: serving status", metadata: ["socket": "\(path)"])
        try? await gracefulShutdown()
        try await server.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The answer to one request line.
    static func answer(_ line: Data, status: @Sendable () async -> AgentStatus) async -> Data {
        struct Request: Decodable { var command: String }
        struct Refusal: Encodable { var error: String }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let request = try? JSONDecoder().decode(Request.self, from: line) else {
            return (try? encoder.encode(Refusal(error: #"not a JSON request: {"command": "status"}"#))) ?? Data()
        }
        guard request.command == "status" else {
            return (try? encoder.encode(Refusal(error: "unknown command \(request.command); the agent answers status"))) ?? Data()
        }
        return (try? encoder.encode(await status())) ?? Data()
    }
}

/// Reads one request line, writes the answer and closes.
private final class ControlRequestHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let status: @Sendable () async -> AgentStatus
    private var request = ByteBuffer()
    private var answered = false

    init(status: @escaping @Sendable () async -> AgentStatus) { self.status = status }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        request.writeBuffer(&chunk)
        guard !answered, let newline = request.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if request.readableBytes > 65536 { context.close(promise: nil) }
            return
        }
        answered = true
        let line = Data(request.readableBytesView[request.readerIndex..<newline])
        let channel = context.channel
        let status = status
        Task {
            var out = channel.allocator.buffer(capacity: 1024)
            out.writeBytes(await ControlService.answer(line, status: status))
            out.writeString("\n")
            try? await channel.writeAndFlush(out)
            try? await channel.close()
        }
    }
}
