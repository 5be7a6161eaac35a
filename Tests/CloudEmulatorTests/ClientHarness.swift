import CloudAPI
import CloudENI
import HTTPClient
import Synchronization

/// Our client pointed at a harness's emulator, with its log collected.
struct ClientHarness {
    let client: CloudClient
    let http: HTTPConnectionCache
    let logs: LogCollector

    init(_ harness: EmulatorHarness, style: SignatureStyle = .v3, key: String = "LTAI-lab", secret: String = "lab-secret",
         credentials: (any CredentialProvider)? = nil, retry: RetryPolicy = RetryPolicy(maxAttempts: 4, baseDelay: 0.01, maxDelay: 0.1),
         transport: ((HTTPConnectionCache) -> any CloudTransport)? = nil) {
        http = HTTPConnectionCache(connectTimeout: 2, tls: nil)
        logs = LogCollector()
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: harness.apiPort)
        let config = CloudClientConfig(region: "cn-hangzhou", ecsEndpoint: endpoint, vpcEndpoint: endpoint,
                                       signature: style, retry: retry, defaultRate: 10_000, timeout: 5)
        let provider = credentials ?? StaticCredentials(CloudCredentials(accessKeyId: key, accessKeySecret: secret))
        client = CloudClient(config: config, transport: transport?(http) ?? http, credentials: provider, log: logs.append)
    }

    func close() async { await http.closeAll() }
}

final class LogCollector: Sendable {
    private let lines = Mutex<[String]>([])
    @Sendable func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
