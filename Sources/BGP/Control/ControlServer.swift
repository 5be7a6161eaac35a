import Foundation
import NIOCore
import NIOPosix
import NetworkCore

/// Serves `ControlRequest`s on the Unix socket of the config (`controlSocket`).
extension BGPSpeaker {
    func startControlServer() async throws {
        let path = config.controlSocket
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            controlServer = try await ServerBootstrap(group: loop)
                .childChannelInitializer { [self] channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ControlHandler(speaker: self))
                    }
                }
                .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true)
                .get()
        } catch {
            throw SpeakerError.controlSocket(path, "\(error)")
        }
    }

    func answer(_ line: ByteBuffer) async -> ControlResponse {
        guard let request = try? JSONDecoder().decode(ControlRequest.self, from: Data(line.readableBytesView)) else {
            return ControlResponse(error: "not a JSON request: {\"command\": \"peers\"|\"routes\", \"prefix\": ...}")
        }
        do {
            switch request.command {
            case "peers":
                return ControlResponse(peers: try await peerStatuses())
            case "routes":
                var prefix: IPPrefix?
                if let text = request.prefix {
                    guard let parsed = IPPrefix(text) else { return ControlResponse(error: "bad prefix \(text)") }
                    prefix = parsed
                }
                return ControlResponse(routes: try await routes(inside: prefix))
            default:
                return ControlResponse(error: "unknown command \(request.command)")
            }
        } catch {
            return ControlResponse(error: "\(error)")
        }
    }
}

/// Reads one request line, writes the answer and closes.
private final class ControlHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let speaker: BGPSpeaker
    private var request = ByteBuffer()
    private var answered = false

    init(speaker: BGPSpeaker) { self.speaker = speaker }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        request.writeBuffer(&chunk)
        guard !answered, let newline = request.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if request.readableBytes > 65536 { context.close(promise: nil) }
            return
        }
        answered = true
        let line = request.getSlice(at: request.readerIndex, length: newline - request.readerIndex) ?? ByteBuffer()
        let channel = context.channel
        let speaker = self.speaker
        Task {
            let response = await speaker.answer(line)
            var out = channel.allocator.buffer(capacity: 256)
            out.writeBytes((try? JSONEncoder().encode(response)) ?? Data("{\"error\":\"encoding\"}".utf8))
            out.writeString("\n")
            try? await channel.writeAndFlush(out)
            try? await channel.close()
        }
    }
}
