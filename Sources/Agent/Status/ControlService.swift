import Foundation
import LineSocket
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
        /// nil: the role has nothing to give back (cloud: ENIs and addresses stay with the instance).
        public var leave: (@Sendable () async -> Void)?

        public init(status: @escaping @Sendable () async -> AgentStatus, leave: (@Sendable () async -> Void)?) {
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
        let commands = commands
        let server = try await LineRequestServer.bind(path: path, group: MultiThreadedEventLoopGroup.singleton) { line, reply in
            try? await reply.send(await Self.answer(Data(line.readableBytesView), commands: commands))
        }
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
            guard let leave = commands.leave else {
                return (try? encoder.encode(Refusal(error: "this agent's role has no leave; stop it with SIGTERM"))) ?? Data()
            }
            await leave()
            return (try? encoder.encode(Done(done: "lease released, routes withdrawn, agent stopping"))) ?? Data()
        default:
            return (try? encoder.encode(Refusal(error: "unknown command \(request.command); the agent answers status and leave"))) ?? Data()
        }
    }
}
