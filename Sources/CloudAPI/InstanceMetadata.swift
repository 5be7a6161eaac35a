import JSON
import NetworkCore

/// What the instance metadata service says about this VM and its ENIs.
public struct InstanceMetadata: Sendable, Hashable {
    public var instanceId: String
    public var instanceType: String
    public var region: String
    public var zone: String
    public var vSwitchId: String
    public var vpcId: String
    public var primaryMAC: String
    public var interfaces: [ENIMetadata]

    public init(instanceId: String, instanceType: String, region: String, zone: String, vSwitchId: String,
                vpcId: String, primaryMAC: String, interfaces: [ENIMetadata]) {
        self.instanceId = instanceId
        self.instanceType = instanceType
        self.region = region
        self.zone = zone
        self.vSwitchId = vSwitchId
        self.vpcId = vpcId
        self.primaryMAC = primaryMAC
        self.interfaces = interfaces
    }
}

/// One ENI as metadata shows it under `network/interfaces/macs/<mac>/`.
public struct ENIMetadata: Sendable, Hashable {
    public var mac: String
    public var eniId: String
    public var primaryIP: String
    public var privateIPv4s: [String]
    public var ipv6s: [String]
    public var gateway: String
    public var vSwitchCIDR: String
    /// nil: the vSwitch has no IPv6 CIDR block.
    public var ipv6Gateway: String?
    public var vSwitchIPv6CIDR: String?

    public init(mac: String, eniId: String, primaryIP: String, privateIPv4s: [String], ipv6s: [String],
                gateway: String, vSwitchCIDR: String, ipv6Gateway: String? = nil, vSwitchIPv6CIDR: String? = nil) {
        self.ipv6Gateway = ipv6Gateway
        self.vSwitchIPv6CIDR = vSwitchIPv6CIDR
        self.mac = mac
        self.eniId = eniId
        self.primaryIP = primaryIP
        self.privateIPv4s = privateIPv4s
        self.ipv6s = ipv6s
        self.gateway = gateway
        self.vSwitchCIDR = vSwitchCIDR
    }

    /// `["192.168.0.10","192.168.0.11"]` into addresses, each checked; nil for anything else.
    public static func addressList(_ text: String) -> [String]? {
        guard case .array(let items)? = try? JSONValue.parse(text, maxDepth: 2) else { return nil }
        var out: [String] = []
        for item in items {
            guard let address = item.stringValue, IPAddress(address) != nil else { return nil }
            out.append(address)
        }
        return out
    }

    /// The lines of `network/interfaces/macs/` (`00:16:3e:..:..:../`) into MACs.
    public static func macList(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { line in
            String(line.hasSuffix("/") ? line.dropLast() : line[...])
        }.filter { MACAddress($0) != nil }
    }
}

/// The JSON of `ram/security-credentials/<role>` into credentials.
extension CloudCredentials {
    public init(roleCredentialsJSON text: String) throws(CloudResponseError) {
        let fail = { (reason: String) in CloudResponseError(action: "ram/security-credentials", httpStatus: 200, reason: reason) }
        guard case .object(let object)? = try? JSONValue.parse(text, maxDepth: 4) else { throw fail("not a JSON object") }
        let fields = FieldReader(object: object, action: "ram/security-credentials")
        if let code = fields.optionalString("Code"), code != "Success" { throw fail("Code \(code)") }
        guard let expiration = ACSTimestamp.parse(try fields.string("Expiration")) else { throw fail("Expiration: not a timestamp") }
        self.init(accessKeyId: try fields.string("AccessKeyId"), accessKeySecret: try fields.string("AccessKeySecret"),
                  securityToken: try fields.string("SecurityToken"), expiration: Double(expiration))
    }
}
