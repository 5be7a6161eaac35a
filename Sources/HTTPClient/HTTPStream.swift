import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A request whose response body is read as it arrives, line by line: watch streams.
/// Owned by the one task that reads it; `close()` ends it from anywhere.
///
/// Bounded: at most `bufferLimit` received chunks wait for the reader (a reader that falls
/// further behind gets `responseTooLarge` and reconnects), and a line is at most the
/// splitter's limit. With an `idleTimeout`, a response that sends nothing for that long makes
/// `nextLine()` throw `.timeout`; the stream stays open, so the caller may check the server
/// some other way and keep reading.
public final class HTTPStream {
    public let endpoint: HTTPEndpoint
    public let status: Int
    private let channel: Channel
    private var iterator: AsyncThrowingStream<StreamChunk, Error>.AsyncIterator
    private var splitter = LineSplitter()
    private var ready: [[UInt8]] = []
    private var ended = false

    private init(endpoint: HTTPEndpoint, status: Int, channel: Channel,
                 iterator: AsyncThrowingStream<StreamChunk, Error>.AsyncIterator, idleTimeout: TimeAmount?) {
        self.endpoint = endpoint
        self.status = status
        self.channel = channel
        self.iterator = iterator
        self.idleTimeout = idleTimeout
    }

    private let idleTimeout: TimeAmount?
    /// Received chunks that may wait for the reader.
    public static let bufferLimit = 256

    /// Connects, sends `request` and waits (at most `timeout`) for the response head.
    public static func open(_ request: HTTPRequest, to endpoint: HTTPEndpoint, tls: NIOSSLContext?,
                            group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                            timeout: TimeAmount, idleTimeout: TimeAmount? = nil,
                            keepalive: TCPKeepalive? = TCPKeepalive()) async throws -> HTTPStream {
        let (stream, continuation) = AsyncThrowingStream<StreamChunk, Error>.makeStream(bufferingPolicy: .bufferingOldest(bufferLimit))
        let head = group.next().makePromise(of: Int.self)
        let channel: Channel
        do {
            channel = try await HTTPConnection.bootstrap(endpoint: endpoint, tls: tls, group: group, timeout: timeout,
                                                         keepalive: keepalive) { channel in
                if let idleTimeout { try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout)) }
                try channel.pipeline.syncOperations.addHandler(
                    HTTPStreamHandler(endpoint: endpoint, head: head, continuation: continuation))
            }
        } catch {
            head.fail(error)
            continuation.finish(throwing: error)
            throw error
        }
        continuation.onTermination = { _ in channel.close(promise: nil) }
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            head.fail(HTTPClientError.timeout(endpoint: endpoint.description, seconds: Double(timeout.nanoseconds) / 1e9))
            channel.close(promise: nil)
        }
        channel.writeAndFlush(HTTPStreamRequest(request: request)).whenFailure { _ in
            head.fail(HTTPClientError.closed(endpoint: endpoint.description))
        }
        let code: Int
        do {
            code = try await head.futureResult.get()
        } catch {
            channel.close(promise: nil)
            throw error
        }
        timer.cancel()
        return HTTPStream(endpoint: endpoint, status: code, channel: channel, iterator: stream.makeAsyncIterator(),
                          idleTimeout: idleTimeout)
    }

    /// The next complete line, or nil when the server ended the response.
    public func nextLine() async throws -> [UInt8]? {
        while ready.isEmpty {
            if ended { return nil }
            switch try await iterator.next() {
            case .bytes(let chunk):
                ready = try splitter.append(chunk)
            case .idle:
                throw HTTPClientError.timeout(endpoint: endpoint.description, seconds: Double(idleTimeout?.nanoseconds ?? 0) / 1e9)
            case nil:
                ended = true
                if let last = splitter.remainder { ready = [last] }
            }
        }
        return ready.removeFirst()
    }

    /// The whole remaining body (for error answers), at most `limit` bytes.
    public func readAll(limit: Int = 1 << 20) async throws -> [UInt8] {
        var body: [UInt8] = []
        while let line = try await nextLine(), body.count < limit { body += line + [UInt8(ascii: "\n")] }
        return body
    }

    public func close() {
        channel.close(promise: nil)
    }

    deinit { channel.close(promise: nil) }
}

/// What the handler hands the reader: body bytes, or word that the idle timeout passed.
enum StreamChunk: Sendable {
    case bytes([UInt8])
    case idle
}

/// A request sent on a streaming connection (no promise: the answer is the stream).
struct HTTPStreamRequest: Sendable {
    let request: HTTPRequest
}

/// Hands the response head to a promise and each body chunk to an async stream.
final class HTTPStreamHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPStreamRequest
    typealias OutboundOut = HTTPClientRequestPart

    private let endpoint: HTTPEndpoint
    private let head: EventLoopPromise<Int>
    private let continuation: AsyncThrowingStream<StreamChunk, Error>.Continuation

    init(endpoint: HTTPEndpoint, head: EventLoopPromise<Int>,
         continuation: AsyncThrowingStream<StreamChunk, Error>.Continuation) {
        self.endpoint = endpoint
        self.head = head
        self.continuation = continuation
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data).request
        context.write(wrapOutboundOut(.head(request.head(for: endpoint))), promise: nil)
        if !request.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: request.body)))), promise: nil)
        }
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let response): head.succeed(Int(response.status.code))
        case .body(var buffer):
            if case .dropped = continuation.yield(.bytes(buffer.readBytes(length: buffer.readableBytes) ?? [])) {
                // The reader is too far behind: end the stream rather than buffer without bound.
                continuation.finish(throwing: HTTPClientError.responseTooLarge(endpoint: endpoint.description,
                                                                              limit: HTTPStream.bufferLimit))
                context.close(promise: nil)
            }
        case .end: continuation.finish()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .read = event as? IdleStateHandler.IdleStateEvent { continuation.yield(.idle) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        head.fail(HTTPClientError.closed(endpoint: endpoint.description))
        continuation.finish(throwing: HTTPClientError.closed(endpoint: endpoint.description))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let failure = HTTPClientError.channelError(error, endpoint: endpoint)
        head.fail(failure)
        continuation.finish(throwing: failure)
        context.close(promise: nil)
    }
}
