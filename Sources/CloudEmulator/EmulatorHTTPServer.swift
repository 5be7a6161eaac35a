import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP/1.1 listener that hands each whole request, with the peer's address, to an
/// async responder (the emulator's API or its metadata service).
public final class EmulatorHTTPServer: Sendable {
    public let channel: Channel
    public var port: Int { channel.localAddress?.port ?? 0 }

    /// Bodies above this are refused (413).
    static let maxBody = 1 << 20

    init(host: String, port: Int, group: EventLoopGroup,
         responder: @escaping @Sendable (EmulatorRequest) async -> EmulatorResponse) async throws {
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(EmulatorHTTPHandler(responder: responder))
                }
            }
            .bind(host: host, port: port).get()
    }

    public func close() async {
        try? await channel.close()
    }
}

/// Collects one request and writes the responder's answer; the pipeline handler keeps
/// pipelined requests in order.
private final class EmulatorHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let responder: @Sendable (EmulatorRequest) async -> EmulatorResponse
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(responder: @escaping @Sendable (EmulatorRequest) async -> EmulatorResponse) {
        self.responder = responder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            tooLarge = false
        case .body(var buffer):
            if body.count + buffer.readableBytes > EmulatorHTTPServer.maxBody {
                tooLarge = true
            } else {
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            }
        case .end:
            guard let head else { return }
            self.head = nil
            let channel = context.channel
            let keepAlive = head.isKeepAlive
            let source = context.remoteAddress?.ipAddress ?? ""
            let request = EmulatorRequest(method: head.method.rawValue, uri: head.uri,
                                          headers: head.headers.map { ($0.name, $0.value) }, body: body, source: source)
            body = []
            let version = head.version
            if tooLarge {
                writeResponse(.text(413, "Payload Too Large"), to: channel, version: version, keepAlive: false)
                return
            }
            let responder = self.responder
            Task {
                let response = await responder(request)
                writeResponse(response, to: channel, version: version, keepAlive: keepAlive)
            }
        }
    }
}

private func writeResponse(_ response: EmulatorResponse, to channel: Channel, version: HTTPVersion, keepAlive: Bool) {
    var headers = HTTPHeaders()
    headers.add(name: "Content-Type", value: response.contentType)
    headers.add(name: "Content-Length", value: String(response.body.count))
    headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
    let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
    channel.write(HTTPServerResponsePart.head(head), promise: nil)
    channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: response.body))), promise: nil)
    let done = channel.writeAndFlush(HTTPServerResponsePart.end(nil))
    if !keepAlive { done.whenComplete { _ in channel.close(promise: nil) } }
}

extension CloudEmulator {
    /// The API and metadata listeners, and the clock that moves delayed transitions.
    public struct Servers: Sendable {
        public let api: EmulatorHTTPServer
        public let metadata: EmulatorHTTPServer
        let ticker: Task<Void, Never>

        public func close() async {
            ticker.cancel()
            await api.close()
            await metadata.close()
        }
    }

    /// Binds both listeners (`ADDR:PORT`, port 0 for any).
    public nonisolated func serve(api: String, metadata: String,
                                  group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> Servers {
        let (apiHost, apiPort) = try Self.split(api)
        let (metaHost, metaPort) = try Self.split(metadata)
        let apiServer = try await EmulatorHTTPServer(host: apiHost, port: apiPort, group: group) { await self.handleAPI($0) }
        let metaServer = try await EmulatorHTTPServer(host: metaHost, port: metaPort, group: group) { await self.handleMetadata($0) }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                await self.tick()
            }
        }
        return Servers(api: apiServer, metadata: metaServer, ticker: ticker)
    }

    static func split(_ address: String) throws -> (String, Int) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
              (0...65535).contains(port) else { throw EmulatorConfigError("\(address): expected ADDR:PORT") }
        return (String(address[..<colon]).trimmingBrackets, port)
    }
}

extension String {
    fileprivate var trimmingBrackets: String {
        hasPrefix("[") && hasSuffix("]") ? String(dropFirst().dropLast()) : self
    }
}
