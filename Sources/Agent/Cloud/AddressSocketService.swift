import CNI
import CNIProtocol
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The cloud role's address socket (`PodAddressSocket`): mode 0600, one request per
/// connection, answered by the pool.
struct AddressSocketService: Service {
    let path: String
    let pool: ENIPool
    let logger: Logger

    func run() async throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let pool = pool
        let logger = logger
        // Created 0600 from the start: no window in which another user could connect.
        let previous = umask(0o177)
        let server: any Channel
        do {
            defer { umask(previous) }
            server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(AddressRequestHandler(limit: PodAddressSocket.maximumMessageBytes) { line in
                            Array(await Self.answer(line, pool: pool, logger: logger).json.serialized().utf8)
                        })
                    }
                }
                .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true)
                .get()
        }
        chmod(path, 0o600)
        logger.info("cloud: serving pod addresses", metadata: ["socket": "\(path)"])
        try? await gracefulShutdown()
        try await server.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    static func answer(_ line: [UInt8], pool: ENIPool, logger: Logger) async -> PodAddressAnswer {
        do {
            switch try PodAddressRequest(bytes: line) {
            case .allocate(let key, let pod): return .granted(try await pool.allocate(key, pod: pod))
            case .release(let key):
                try await pool.release(key)
                return .released
            case .lookup(let key): return .granted(try await pool.lookup(key))
            case .keep(let keys): return .kept(released: try await pool.keep(keys))
            case .status:
                try await pool.status()
                return .ready
            }
        } catch let error as CNIError {
            return .failed(error)
        } catch {
            logger.error("cloud: a request failed", metadata: ["error": "\(error)"])
            return .failed(CNIError(.ioFailure, "the agent failed: \(error)"))
        }
    }
}

/// Reads one request line (up to `limit` bytes: a GC's `keep` list outgrows LineSocket's
/// 64 KiB), writes the answer (and a newline) and closes: the address socket's framing.
private final class AddressRequestHandler: ChannelInboundHandler, @unchecked Sendable {
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
