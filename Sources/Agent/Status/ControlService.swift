import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The agent's control socket: one JSON request line in, one JSON answer out, then close.
/// `{"command": "status"}` is `terway-edge status`; `{"command": "leave"}` is
/// `terway-edged --cleanup` asking a running agent to give up its lease and stop.
public struct ControlService: Service {
    let path: String
    let commands: Commands
    let logger: Logger

    public struct Commands: Sendable {
        public var status: @Sendable () async -> AgentStatus
        public var leave: @Sendable () async -> Void

        public init(status: @escaping @Sendable () async -> AgentStatus, leave: @escaping @Sendable () async -> Void) {
            self.status = status
            self.leave = leave
        }
    }

    public init(path: String, logger: Logger, commands: Commands) {
        self.path = path
        self.commands = commands
        self.logger = logger
    }

    public func run() async throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let commands = commands
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(LineRequestHandler(limit: 65536) { line in
                        Array(await ControlService.answer(Data(line), commands: commands))
                    })
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
    static func answer(_ line: Data, commands: Commands) async -> Data {
        struct Request: Decodable { var command: String }
        struct Refusal: Encodable { var error: String }
        struct Done: Encodable { var done: String }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let request = try? JSONDecoder().decode(Request.self, from: line) else {
            return (try? encoder.encode(Refusal(error: #"not a JSON request: {"command": "status"}"#))) ?? Data()
        }
        switch request.command {
        case "status":
            return (try? encoder.encode(await commands.status())) ?? Data()
        case "leave":
            await commands.leave()
            return (try? encoder.encode(Done(done: "lease released, routes withdrawn, agent stopping"))) ?? Data()
        default:
            return (try? encoder.encode(Refusal(error: "unknown command \(request.command); the agent answers status and leave"))) ?? Data()
        }
    }
}

/// Reads one request line, writes the answer (and a newline) and closes: the framing of the
/// control socket and of the cloud role's address socket.
final class LineRequestHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let answer: @Sendable ([UInt8]) async -> [UInt8]
    private let limit: Int
    private var request = ByteBuffer()
    private var answered = false

    init(limit: Int, answer: @escaping @Sendable ([UInt8]) async -> [UInt8]) {
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
        let line = Array(request.readableBytesView[request.readerIndex..<newline])
        let channel = context.channel
        let answer = answer
        Task {
            var out = channel.allocator.buffer(capacity: 1024)
            out.writeBytes(await answer(line))
            out.writeString("\n")
            try? await channel.writeAndFlush(out)
            try? await channel.close()
        }
    }
}
