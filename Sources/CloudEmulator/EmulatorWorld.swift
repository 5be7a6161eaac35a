import CloudAPI

/// The world an emulator serves, read from YAML (`examples/cloud-world.yaml`, see
/// `EmulatorWorld+YAML.swift`): one region and VPC, its vSwitches, instance types with their
/// ENI quotas, instances (each standing for a VM: a network namespace), access keys, RAM
/// roles, and the injected behaviour.
public struct EmulatorWorld: Sendable {
    public var region: String
    public var zones: [String]
    public var vpc: VPC
    public var vSwitches: [VSwitch]
    public var securityGroups: [String]
    public var instanceTypes: [InstanceTypeQuota]
    public var instances: [Instance]
    public var accessKeys: [AccessKey]
    public var ramRoles: [RAMRole]
    public var listen: String
    public var metadataListen: String
    /// Where the state lives between runs; nil keeps it in memory only.
    public var state: String?
    public var delays: Delays
    public var faults: Faults
    /// The instance a metadata request from an address that is no instance's (loopback)
    /// is answered as; nil answers such requests 404.
    public var metadataDefaultInstance: String?

    public struct VPC: Sendable {
        public var id: String
        public var cidrs: [String]
        /// The namespace standing for the VPC router; nil runs without a datapath.
        public var namespace: String?
    }

    public struct VSwitch: Sendable {
        public var id: String
        public var zone: String
        public var cidr: String
        public var ipv6Cidr: String?
    }

    public struct Instance: Sendable {
        public var id: String
        public var type: String
        public var vSwitch: String
        public var primaryIP: String
        public var namespace: String?
        public var ramRole: String?
        /// `Running` unless set: `Starting` or `Stopping` refuse attachments.
        public var status: String?
    }

    public struct AccessKey: Sendable {
        public var id: String
        public var secret: String
        /// Actions this key's RAM policy does not allow (answered `Forbidden.RAM`).
        public var deny: [String]?
    }

    public struct RAMRole: Sendable {
        public var name: String
        /// Lifetime of the STS credentials metadata hands out.
        public var ttlSeconds: Int?
        public var deny: [String]?
    }

    /// Seconds before a change shows: ENI status moves, metadata catches up.
    public struct Delays: Sendable {
        public var attach: Double = 0.5
        public var detach: Double = 0.5
        public var metadata: Double = 0.5

        public init() {}
    }

    /// Injected misbehaviour: added latency, failure rates, and throttling per action
    /// (`"*"` for all) as a refused fraction and/or a calls-per-second cap.
    public struct Faults: Sendable {
        public var latency: Double = 0
        public var failureRate: Double = 0
        /// Fraction of calls applied but answered `InternalError`, as when an answer is
        /// lost after the change: what ClientToken reuse protects against.
        public var lostAnswerRate: Double = 0
        public var throttle: [String: Throttle] = [:]

        public struct Throttle: Sendable {
            public var fraction: Double?
            public var perSecond: Double?
        }

        public init() {}
    }
}

public struct EmulatorConfigError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
