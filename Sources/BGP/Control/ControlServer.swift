import Foundation
import LineSocket
import NIOCore
import NetworkCore

/// Serves `ControlRequest`s on the Unix socket of the config (`controlSocket`). Nothing
/// heavy runs on the speaker's event loop: a listing takes a copy of the RIB there (copy on
/// write: O(1) until the RIB next changes) and is sorted, built and written elsewhere, page
/// by page, each page waiting for the last to leave; a client that stops reading for
/// `LineRequestServer.writeTimeout` is cut off.
extension BGPSpeaker {
    func startControlServer() async throws {
        do {
            controlServer = try await LineRequestServer.bind(path: config.controlSocket, group: loop) { [self] line, reply in
                try? await answer(line) { page in
                    try await reply.send((try? JSONEncoder().encode(page)) ?? Data("{\"error\":\"encoding\"}".utf8))
                }
            }
        } catch {
            throw SpeakerError.controlSocket(config.controlSocket, "\(error)")
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
