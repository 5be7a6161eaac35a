import CloudAPI
import HTTPClient

/// How the client reaches the service: region, endpoints (overridable for the emulator and
/// the lab), signature style, retries, pacing, timeouts.
public struct CloudClientConfig: Sendable {
    public var region: String
    public var ecsEndpoint: HTTPEndpoint
    public var vpcEndpoint: HTTPEndpoint
    public var signature: SignatureStyle
    public var retry: RetryPolicy
    /// Calls per second per action; actions not named use `defaultRate`.
    public var ratePerAction: [String: Double]
    public var defaultRate: Double
    public var timeout: Double

    public init(region: String, ecsEndpoint: HTTPEndpoint? = nil, vpcEndpoint: HTTPEndpoint? = nil,
                signature: SignatureStyle = .v3, retry: RetryPolicy = RetryPolicy(),
                ratePerAction: [String: Double] = [:], defaultRate: Double = 100, timeout: Double = 10) {
        self.region = region
        self.ecsEndpoint = ecsEndpoint ?? HTTPEndpoint(host: "ecs.\(region).aliyuncs.com", port: 443, tls: true)
        self.vpcEndpoint = vpcEndpoint ?? HTTPEndpoint(host: "vpc.\(region).aliyuncs.com", port: 443, tls: true)
        self.signature = signature
        self.retry = retry
        self.ratePerAction = ratePerAction
        self.defaultRate = defaultRate
        self.timeout = timeout
    }

    func endpoint(for service: CloudService) -> HTTPEndpoint {
        service == .vpc ? vpcEndpoint : ecsEndpoint
    }
}
