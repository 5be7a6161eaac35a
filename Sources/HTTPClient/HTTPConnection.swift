import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS

/// A keep-alive HTTP/1.1 connection to one endpoint. Requests from many tasks are pipelined
/// on it; HTTP/1.1 answers in order, so the handler completes them first in, first out.
final class HTTPConnection: Sendable {
    let endpoint: HTTPEndpoint
    private let channel: Channel

    private init(endpoint: HTTPEndpoint, channel: Channel) {
        self.endpoint = endpoint
        self.channel = channel
    }

    var isActive: Bool { channel.isActive }

    /// Opens a connection whose responses are collected whole (at most `limit` bytes each).
    static func connect(to endpoint: HTTPEndpoint, tls: NIOSSLContext?, group: any EventLoopGroup, timeout: TimeAmount,
                        keepalive: TCPKeepalive?, limit: Int = 8 << 20) async throws -> HTTPConnection {
        let channel = try await bootstrap(endpoint: endpoint, tls: tls, group: group, timeout: timeout, keepalive: keepalive) { channel in
            try channel.pipeline.syncOperations.addHandler(HTTPExchangeHandler(endpoint: endpoint, limit: limit))
        }
        return HTTPConnection(endpoint: endpoint, channel: channel)
    }

    /// Connects and installs TLS (for https endpoints), the HTTP/1.1 codec and the caller's
    /// handler. An https endpoint without a context uses the system's trust roots.
    static func bootstrap(endpoint: HTTPEndpoint, tls: NIOSSLContext?, group: any EventLoopGroup, timeout: TimeAmount,
                          keepalive: TCPKeepalive?, handlers: @escaping @Sendable (Channel) throws -> Void) async throws -> Channel {
        let context: NIOSSLContext?
        do {
            context = endpoint.tls ? try tls ?? TLSOptions().makeContext() : nil
        } catch {
            throw HTTPClientError.connect(endpoint: endpoint.description, reason: "\(error)")
        }
        // With TLS, the connection is handed out only once the handshake is done, so that a
        // certificate problem is reported as such and not as a closed connection.
        let handshake = group.next().makePromise(of: Void.self)
        if context == nil { handshake.succeed() }
        let channel: Channel
        do {
            var bootstrap = ClientBootstrap(group: group)
                .connectTimeout(timeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
            for (option, value) in keepalive?.options ?? [] { bootstrap = bootstrap.channelOption(option, value: value) }
            channel = try await bootstrap
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let context {
                            try channel.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: context, serverHostname: endpoint.serverName))
                            try channel.pipeline.syncOperations.addHandler(TLSHandshakeHandler(endpoint: endpoint, done: handshake))
                        }
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try handlers(channel)
                    }
                }
                .connect(host: endpoint.host, port: endpoint.port).get()
        } catch {
            let failure = HTTPClientError.connect(endpoint: endpoint.description, reason: "\(error)")
            handshake.fail(failure)
            throw failure
        }
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            handshake.fail(HTTPClientError.timeout(endpoint: endpoint.description, seconds: Double(timeout.nanoseconds) / 1e9))
        }
        defer { timer.cancel() }
        do {
            try await handshake.futureResult.get()
        } catch {
            channel.close(promise: nil)
            throw error
        }
        return channel
    }

    /// Sends one request and waits for its complete response, at most `timeout`.
    func send(_ request: HTTPRequest, timeout: TimeAmount) async throws -> HTTPResponse {
        let promise = channel.eventLoop.makePromise(of: HTTPResponse.self)
        let endpoint = endpoint.description, channel = channel
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            // The connection's later answers would be out of step with the queue: drop it.
            promise.fail(HTTPClientError.timeout(endpoint: endpoint, seconds: Double(timeout.nanoseconds) / 1e9))
            channel.close(promise: nil)
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        channel.writeAndFlush(HTTPExchange(request: request, promise: promise)).whenFailure { _ in
            promise.fail(HTTPClientError.closed(endpoint: endpoint))
        }
        return try await promise.futureResult.get()
    }

    func close() {
        channel.close(promise: nil)
    }
}

/// A request travelling down the pipeline with the promise its response completes.
struct HTTPExchange: Sendable {
    let request: HTTPRequest
    let promise: EventLoopPromise<HTTPResponse>
}

extension HTTPRequest {
    /// The request head every client sends: Host, a JSON body length, keep-alive.
    func head(for endpoint: HTTPEndpoint) -> HTTPRequestHead {
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: path)
        head.headers.add(name: "Host", value: "\(endpoint.host):\(endpoint.port)")
        head.headers.add(name: "Content-Length", value: String(body.count))
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        return head
    }
}

/// Turns exchanges into request parts and response parts back into completed promises.
final class HTTPExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPExchange
    typealias OutboundOut = HTTPClientRequestPart

    private let endpoint: HTTPEndpoint
    private let limit: Int
    private var pending = CircularBuffer<EventLoopPromise<HTTPResponse>>()
    private var status = 0
    private var headers: [(name: String, value: String)] = []
    private var body: [UInt8] = []

    init(endpoint: HTTPEndpoint, limit: Int) {
        self.endpoint = endpoint
        self.limit = limit
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        pending.append(exchange.promise)
        context.write(wrapOutboundOut(.head(exchange.request.head(for: endpoint))), promise: nil)
        if !exchange.request.body.isEmpty {
            let buffer = context.channel.allocator.buffer(bytes: exchange.request.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            headers = head.headers.map { ($0.name, $0.value) }
            body.removeAll(keepingCapacity: true)
        case .body(var buffer):
            guard body.count + buffer.readableBytes <= limit else {
                failAll(HTTPClientError.responseTooLarge(endpoint: endpoint.description, limit: limit))
                context.close(promise: nil)
                return
            }
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard !pending.isEmpty else { return }
            pending.removeFirst().succeed(HTTPResponse(status: status, body: body, headers: headers))
            body = []
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(HTTPClientError.closed(endpoint: endpoint.description))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        failAll(HTTPClientError.channelError(error, endpoint: endpoint))
        context.close(promise: nil)
    }

    private func failAll(_ error: HTTPClientError) {
        while let promise = pending.popFirst() { promise.fail(error) }
    }
}

/// Completes `done` when the TLS handshake finishes, or fails it with the reason.
final class TLSHandshakeHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let endpoint: HTTPEndpoint
    private let done: EventLoopPromise<Void>

    init(endpoint: HTTPEndpoint, done: EventLoopPromise<Void>) {
        self.endpoint = endpoint
        self.done = done
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { done.succeed() }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        done.fail(HTTPClientError.channelError(error, endpoint: endpoint))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.fail(HTTPClientError.closed(endpoint: endpoint.description))
        context.fireChannelInactive()
    }
}
