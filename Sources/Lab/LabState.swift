import Foundation
import Formatting

/// What `lab up` made, written as it goes (`/run/terway-edge-lab/<lab>/state.json`): so that
/// `lab test` and `lab status` know the lab, and `lab down` removes all of it, also after a
/// `lab up` that was killed part way.
public struct LabState: Codable, Sendable {
    public var lab: String
    public var plan: String
    public var size: LabSize
    public var namespaces: [LabNamespace] = []
    public var processes: [Process] = []
    public var edgeNodes: [LabTopology.EdgeNode] = []
    public var instances: [LabTopology.Instance] = []
    public var gateways: [Gateway] = []
    public var pods: [Pod] = []
    /// Seconds per stage of `lab up`, in order; `ready` set once everything was up.
    public var stages: [Stage] = []
    public var ready = false

    public struct Process: Codable, Sendable {
        public var pid: Int32
        /// The kernel's start time of the process (`/proc/PID/stat` field 22): a PID reused
        /// by another program after ours ended is never signalled.
        public var startTime: String
        public var what: String
        public var namespace: String
        public var log: String
    }

    public struct Gateway: Codable, Sendable {
        public var namespace: String
        public var domain: String
        public var addresses: [String]
        public var socket: String
    }

    public struct Pod: Codable, Sendable {
        public var name: String
        public var namespace: String
        public var role: LabNamespace.Role
        /// The node's name and namespace.
        public var node: String
        public var nodeNamespace: String
        public var addresses: [String]
    }

    public struct Stage: Codable, Sendable {
        public var name: String
        public var seconds: Double
    }

    public init(lab: String, plan: String, size: LabSize) {
        self.lab = lab
        self.plan = plan
        self.size = size
    }

    /// Where the labs keep their state, configs, logs and sockets.
    public static let root = "/run/terway-edge-lab"
    public static func directory(lab: String) -> String { "\(root)/\(lab)" }
    public static func file(lab: String) -> String { "\(directory(lab: lab))/state.json" }

    public static func load(lab: String) throws -> LabState? {
        guard let data = FileManager.default.contents(atPath: file(lab: lab)) else { return nil }
        return try JSONDecoder().decode(LabState.self, from: data)
    }

    /// Written to a temporary file and renamed: a reader never sees half a state.
    public func save() throws {
        let path = Self.file(lab: lab)
        try Data(StableJSON.encode(self).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
