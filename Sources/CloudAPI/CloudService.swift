/// An Alibaba Cloud API product and the version of it this client speaks.
public struct CloudService: Sendable, Hashable, CustomStringConvertible {
    public let product: String
    public let version: String

    public init(product: String, version: String) {
        self.product = product
        self.version = version
    }

    public static let ecs = CloudService(product: "Ecs", version: "2014-05-26")
    public static let vpc = CloudService(product: "Vpc", version: "2016-04-28")

    public var description: String { "\(product) \(version)" }
}

/// Which of the two signature styles the client uses (config `signature: rpc|v3`).
public enum SignatureStyle: String, Sendable, CaseIterable {
    /// `SignatureMethod=HMAC-SHA1` over the canonical query (the classic RPC style).
    case rpc
    /// `ACS3-HMAC-SHA256` in the `Authorization` header, action in `x-acs-action`.
    case v3
}
