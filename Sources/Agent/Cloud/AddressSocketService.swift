import CNI
import CNIProtocol
import Foundation
import LineSocket
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
        let pool = pool
        let logger = logger
        // The folder first, with the usual mode: the umask below is for the socket alone.
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        // Created 0600 from the start: no window in which another user could connect.
        let previous = umask(0o177)
        let server: any Channel
        do {
            defer { umask(previous) }
            server = try await LineRequestServer.bind(path: path, group: MultiThreadedEventLoopGroup.singleton,
                                                      limit: PodAddressSocket.maximumMessageBytes) { line, reply in
                let answer = await Self.answer(Array(line.readableBytesView), pool: pool, logger: logger)
                try? await reply.send(Array(answer.json.serialized().utf8))
            }
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
