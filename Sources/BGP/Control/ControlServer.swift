import Foundation
import NIOCore
import NIOPosix
import NetworkCore

/// Serves `ControlRequest`s on the Unix socket of the config (`controlSocket`). Nothing
/// heavy runs on the speaker's event loop: a listing takes a copy of the RIB there (copy on
/// write: O(1) until the RIB next changes) and is sorted, built and written elsewhere, page
/// by page, each page waiting for the last to leave; a client that stops reading for
/// `ControlServer.writeTimeout` is cut off.
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

    /// Answers one request line through `send`, one page per call.
    func answer(_ line: ByteBuffer, send: (ControlResponse) async throws -> Void) async throws {
        guard let request = try? JSONDecoder().decode(ControlRequest.self, from: Data(line.readableBytesView)) else {
            return try await send(ControlResponse(error: "not a JSON request: {\"command\": \"peers\"|\"routes\"|\"clear\"|\"disable\"|\"enable\", ...}"))
        }
        var prefix: IPPrefix?
        if let text = request.prefix {
            guard let parsed = IPPrefix(text) else { return try await send(ControlResponse(error: "bad prefix \(text)")) }
            prefix = parsed
        }
        switch request.command {
        case "peers":
            try await send(ControlResponse(peers: try await peerStatuses()))
        case "routes" where request.rejected == true:
            for page in try await rejectedRoutes(inside: prefix).chunked(ControlResponse.pageSize) {
                try await send(ControlResponse(routes: Array(page)))
            }
        case "routes":
            let listing = try await routeListing(inside: prefix)
            for start in stride(from: 0, to: listing.prefixes.count, by: ControlResponse.pageSize) {
                let end = min(start + ControlResponse.pageSize, listing.prefixes.count)
                try await send(ControlResponse(routes: listing.prefixes[start..<end].compactMap(listing.status)))
            }
        case "clear", "disable", "enable":
            guard let text = request.peer, let address = IPAddress(text) else {
                return try await send(ControlResponse(error: "\(request.command) needs the peer's address"))
            }
            do {
                try await control(PeerCommand(rawValue: request.command)!, peer: address)
                try await send(ControlResponse(peers: try await peerStatuses().filter { $0.address == address.description }))
            } catch let error as SpeakerError {
                try await send(ControlResponse(error: "\(error)"))
            }
        default:
            try await send(ControlResponse(error: "unknown command \(request.command)"))
        }
    }
}

extension Array {
    fileprivate func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

/// Reads one request line, writes the answer's pages and closes.
private final class ControlHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let speaker: BGPSpeaker
    private var request = ByteBuffer()
    private var answered = false

    /// A page that has not left after this long means the client stopped reading.
    static let writeTimeout: TimeAmount = .seconds(10)

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
            try? await speaker.answer(line) { page in
                var out = channel.allocator.buffer(capacity: 256)
                out.writeBytes((try? JSONEncoder().encode(page)) ?? Data("{\"error\":\"encoding\"}".utf8))
                out.writeString("\n")
                let cutOff = channel.eventLoop.scheduleTask(in: Self.writeTimeout) { channel.close(promise: nil) }
                defer { cutOff.cancel() }
                try await channel.writeAndFlush(out)
            }
            try? await channel.close()
        }
    }
}
