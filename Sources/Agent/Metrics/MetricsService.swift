import BGP
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle

/// The HTTP endpoint on `metricsAddress`: `/metrics` (Prometheus text format from the
/// registry swift-metrics writes into), `/healthz` (the process serves), `/readyz` (200 once
/// every readiness condition holds, else 503 naming those that do not).
public struct MetricsService: Service {
    let address: SocketEndpoint
    let registry: PrometheusCollectorRegistry
    let readiness: Readiness
    let logger: Logger

    public init(address: SocketEndpoint, registry: PrometheusCollectorRegistry, readiness: Readiness, logger: Logger) {
        self.address = address
        self.registry = registry
        self.readiness = readiness
        self.logger = logger
    }

    public func run() async throws {
        let registry = registry, readiness = readiness
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(MetricsHandler(registry: registry, readiness: readiness))
                }
            }
            .bind(host: address.address.description, port: address.port)
            .get()
        logger.info("metrics: serving /metrics, /healthz, /readyz", metadata: ["address": "\(address)"])
        try? await gracefulShutdown()
        try await channel.close()
    }
}

/// Answers one GET per request; anything else is 404 or 405.
private final class MetricsHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    private let registry: PrometheusCollectorRegistry
    private let readiness: Readiness
    private var head: HTTPRequestHead?

    init(registry: PrometheusCollectorRegistry, readiness: Readiness) {
        self.registry = registry
        self.readiness = readiness
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = request
        case .body:
            break
        case .end:
            guard let head else { return }
            self.head = nil
            let (status, contentType, body) = answer(head)
            var headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", "\(body.count)")])
            if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
            let keepAlive = head.isKeepAlive
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [channel = context.channel] _ in
                if !keepAlive { channel.close(promise: nil) }
            }
        }
    }

    private func answer(_ head: HTTPRequestHead) -> (HTTPResponseStatus, String, [UInt8]) {
        guard head.method == .GET || head.method == .HEAD else { return (.methodNotAllowed, "text/plain", Array("GET only\n".utf8)) }
        switch head.uri.split(separator: "?", maxSplits: 1).first ?? "" {
        case "/metrics":
            return (.ok, "text/plain; version=0.0.4; charset=utf-8", registry.emitToBuffer())
        case "/healthz":
            return (.ok, "text/plain", Array("ok\n".utf8))
        case "/readyz":
            let unmet = readiness.unmet
            return unmet.isEmpty ? (.ok, "text/plain", Array("ok\n".utf8))
                : (.serviceUnavailable, "text/plain", Array("not ready: \(unmet.joined(separator: ", "))\n".utf8))
        default:
            return (.notFound, "text/plain", Array("/metrics, /healthz or /readyz\n".utf8))
        }
    }
}
