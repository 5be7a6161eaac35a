/// What signs a request: an AccessKey pair, with a security token when it came from STS or
/// a RAM role. The secret and token never print: `description` shows the key id only.
public struct CloudCredentials: Sendable, Hashable, CustomStringConvertible {
    public let accessKeyId: String
    public let accessKeySecret: String
    public let securityToken: String?
    /// Seconds since 1970 after which the service refuses them; nil for a long-lived pair.
    public let expiration: Double?

    public init(accessKeyId: String, accessKeySecret: String, securityToken: String? = nil, expiration: Double? = nil) {
        self.accessKeyId = accessKeyId
        self.accessKeySecret = accessKeySecret
        self.securityToken = securityToken
        self.expiration = expiration
    }

    public var description: String {
        "CloudCredentials(accessKeyId: \(accessKeyId), secret: <redacted>\(securityToken == nil ? "" : ", token: <redacted>"))"
    }
}

extension CloudCredentials: CustomDebugStringConvertible, CustomReflectable {
    public var debugDescription: String { description }
    /// Keeps `dump` and string interpolation of containers from showing the secret.
    public var customMirror: Mirror { Mirror(self, children: ["accessKeyId": accessKeyId]) }
}
