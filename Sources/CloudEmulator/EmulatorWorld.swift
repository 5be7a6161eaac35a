import CloudAPI
import Foundation
import NetworkCore
import Yams

/// The world an emulator serves, read from YAML (`examples/cloud-world.yaml`): one region
/// and VPC, its vSwitches, instance types with their ENI quotas, instances (each standing
/// for a VM: a network namespace), access keys, RAM roles, and the injected behaviour.
public struct EmulatorWorld: Sendable, Decodable {
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

    public struct VPC: Sendable, Decodable {
        public var id: String
        public var cidrs: [String]
        /// The namespace standing for the VPC router; nil runs without a datapath.
        public var namespace: String?
    }

    public struct VSwitch: Sendable, Decodable {
        public var id: String
        public var zone: String
        public var cidr: String
        public var ipv6Cidr: String?
    }

    public struct Instance: Sendable, Decodable {
        public var id: String
        public var type: String
        public var vSwitch: String
        public var primaryIP: String
        public var namespace: String?
        public var ramRole: String?
        /// `Running` unless set: `Starting` or `Stopping` refuse attachments.
        public var status: String?
    }

    public struct AccessKey: Sendable, Decodable {
        public var id: String
        public var secret: String
        /// Actions this key's RAM policy does not allow (answered `Forbidden.RAM`).
        public var deny: [String]?
    }

    public struct RAMRole: Sendable, Decodable {
        public var name: String
        /// Lifetime of the STS credentials metadata hands out.
        public var ttlSeconds: Int?
        public var deny: [String]?
    }

    /// Seconds before a change shows: ENI status moves, metadata catches up.
    public struct Delays: Sendable, Decodable {
        public var attach: Double = 0.5
        public var detach: Double = 0.5
        public var metadata: Double = 0.5

        public init() {}
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            attach = try c.decodeIfPresent(Double.self, forKey: .attach) ?? attach
            detach = try c.decodeIfPresent(Double.self, forKey: .detach) ?? detach
            metadata = try c.decodeIfPresent(Double.self, forKey: .metadata) ?? metadata
        }
        enum CodingKeys: String, CodingKey { case attach, detach, metadata }
    }

    /// Injected misbehaviour: added latency, failure rates, and throttling per action
    /// (`"*"` for all) as a refused fraction and/or a calls-per-second cap.
    public struct Faults: Sendable, Decodable {
        public var latency: Double = 0
        public var failureRate: Double = 0
        /// Fraction of calls applied but answered `InternalError`, as when an answer is
        /// lost after the change: what ClientToken reuse protects against.
        public var lostAnswerRate: Double = 0
        public var throttle: [String: Throttle] = [:]

        public struct Throttle: Sendable, Decodable {
            public var fraction: Double?
            public var perSecond: Double?
        }

        public init() {}
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            latency = try c.decodeIfPresent(Double.self, forKey: .latency) ?? latency
            failureRate = try c.decodeIfPresent(Double.self, forKey: .failureRate) ?? failureRate
            lostAnswerRate = try c.decodeIfPresent(Double.self, forKey: .lostAnswerRate) ?? lostAnswerRate
            throttle = try c.decodeIfPresent([String: Throttle].self, forKey: .throttle) ?? throttle
        }
        enum CodingKeys: String, CodingKey { case latency, failureRate, lostAnswerRate, throttle }
    }

    enum CodingKeys: String, CodingKey {
        case region, zones, vpc, vSwitches, securityGroups, instanceTypes, instances, accessKeys, ramRoles
        case listen, metadataListen, state, delays, faults, metadataDefaultInstance
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        region = try c.decode(String.self, forKey: .region)
        zones = try c.decode([String].self, forKey: .zones)
        vpc = try c.decode(VPC.self, forKey: .vpc)
        vSwitches = try c.decode([VSwitch].self, forKey: .vSwitches)
        securityGroups = try c.decodeIfPresent([String].self, forKey: .securityGroups) ?? []
        instanceTypes = try c.decode([InstanceTypeQuota].self, forKey: .instanceTypes)
        instances = try c.decodeIfPresent([Instance].self, forKey: .instances) ?? []
        accessKeys = try c.decodeIfPresent([AccessKey].self, forKey: .accessKeys) ?? []
        ramRoles = try c.decodeIfPresent([RAMRole].self, forKey: .ramRoles) ?? []
        listen = try c.decodeIfPresent(String.self, forKey: .listen) ?? "127.0.0.1:8460"
        metadataListen = try c.decodeIfPresent(String.self, forKey: .metadataListen) ?? "127.0.0.1:8461"
        state = try c.decodeIfPresent(String.self, forKey: .state)
        delays = try c.decodeIfPresent(Delays.self, forKey: .delays) ?? Delays()
        faults = try c.decodeIfPresent(Faults.self, forKey: .faults) ?? Faults()
        metadataDefaultInstance = try c.decodeIfPresent(String.self, forKey: .metadataDefaultInstance)
    }

    public static func load(yaml: String) throws -> EmulatorWorld {
        let world: EmulatorWorld
        do {
            world = try YAMLDecoder().decode(EmulatorWorld.self, from: yaml)
        } catch {
            throw EmulatorConfigError("world: \(error)")
        }
        try world.validate()
        return world
    }

    /// Cross-field rules: CIDRs parse and nest, names resolve, addresses fit.
    func validate() throws {
        let vpcPrefixes = try vpc.cidrs.map { (text: String) throws -> IPPrefix in
            guard let prefix = IPPrefix(text) else { throw EmulatorConfigError("vpc.cidrs: \(text) is not a CIDR block") }
            return prefix
        }
        for vsw in vSwitches {
            guard let prefix = IPPrefix(vsw.cidr), vpcPrefixes.contains(where: { $0.contains(prefix) }) else {
                throw EmulatorConfigError("vSwitch \(vsw.id): \(vsw.cidr) is not a block inside the VPC")
            }
            guard zones.contains(vsw.zone) else { throw EmulatorConfigError("vSwitch \(vsw.id): unknown zone \(vsw.zone)") }
            if let v6 = vsw.ipv6Cidr, IPPrefix(v6)?.family != .v6 {
                throw EmulatorConfigError("vSwitch \(vsw.id): ipv6Cidr \(v6) is not an IPv6 block")
            }
        }
        for instance in instances {
            guard instanceTypes.contains(where: { $0.id == instance.type }) else {
                throw EmulatorConfigError("instance \(instance.id): unknown type \(instance.type)")
            }
            guard let vsw = vSwitches.first(where: { $0.id == instance.vSwitch }) else {
                throw EmulatorConfigError("instance \(instance.id): unknown vSwitch \(instance.vSwitch)")
            }
            guard let ip = IPAddress(instance.primaryIP), IPPrefix(vsw.cidr)!.contains(ip) else {
                throw EmulatorConfigError("instance \(instance.id): primaryIP \(instance.primaryIP) is not in \(vsw.cidr)")
            }
            if let role = instance.ramRole, !ramRoles.contains(where: { $0.name == role }) {
                throw EmulatorConfigError("instance \(instance.id): unknown RAM role \(role)")
            }
        }
        if let name = metadataDefaultInstance, !instances.contains(where: { $0.id == name }) {
            throw EmulatorConfigError("metadataDefaultInstance: unknown instance \(name)")
        }
    }
}

public struct EmulatorConfigError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
