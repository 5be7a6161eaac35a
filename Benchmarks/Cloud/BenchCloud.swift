import CloudAPI
import CloudENI
import CloudEmulator
import Foundation
import HTTPClient
import TestSupport

/// bench-cloud: calls per second against the emulator (signing included), our client
/// beside the official Python SDKs in the same run, and the cost of signing one request.
/// `swift run -c release bench-cloud [calls]`
@main
enum BenchCloud {
    static let world = """
    region: cn-hangzhou
    zones: [cn-hangzhou-h]
    vpc: { id: vpc-lab, cidrs: [192.168.0.0/16] }
    vSwitches: [{ id: vsw-zone-h, zone: cn-hangzhou-h, cidr: 192.168.0.0/20 }]
    securityGroups: [sg-lab]
    instanceTypes: [{ id: ecs.g6.large, eniQuantity: 2, eniPrivateIpAddressQuantity: 6, eniIpv6AddressQuantity: 1 }]
    instances: [{ id: i-cloud-1, type: ecs.g6.large, vSwitch: vsw-zone-h, primaryIP: 192.168.0.10 }]
    accessKeys: [{ id: LTAI-lab, secret: lab-secret }]
    """
    static let keys = CloudCredentials(accessKeyId: "LTAI-lab", accessKeySecret: "lab-secret")

    static func main() async {
        do {
            try await run(calls: CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 2000)
        } catch {
            FileHandle.standardError.write(Data("bench-cloud: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(calls: Int) async throws {
        let emulator = try CloudEmulator(world: try EmulatorWorld.load(yaml: world))
        let servers = try await emulator.serve(api: "127.0.0.1:0", metadata: "127.0.0.1:0")
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: servers.api.port)
        var rows: [(String, String)] = []
        for style in SignatureStyle.allCases {
            rows.append(("terway-edge client, \(style) signature, sequential", try await ourClient(style, endpoint, calls)))
        }
        for sdk in ["core", "tea"] {
            let name = sdk == "core" ? "aliyun-python-sdk-core, RPC" : "alibabacloud-ecs20140526, V3"
            rows.append(("official Python SDK (\(name)), sequential", try pythonSDK(sdk, port: servers.api.port, calls: max(100, calls / 4))))
        }
        rows += signing()
        await servers.close()
        let width = rows.map(\.0.count).max() ?? 0
        print("bench-cloud: DescribeInstanceTypes calls against the emulator on loopback (\(calls) per Swift client, \(max(100, calls / 4)) per SDK)")
        for (name, value) in rows { print(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value) }
    }

    static func rate(_ n: Int, _ seconds: Double) -> String {
        String(format: "%.0f calls/s (%.2f ms/call)", Double(n) / seconds, seconds * 1000 / Double(n))
    }

    static func ourClient(_ style: SignatureStyle, _ endpoint: HTTPEndpoint, _ calls: Int) async throws -> String {
        let http = HTTPConnectionCache(connectTimeout: 2, tls: nil)
        let client = CloudClient(config: CloudClientConfig(region: "cn-hangzhou", ecsEndpoint: endpoint, vpcEndpoint: endpoint,
                                                           signature: style, defaultRate: 1_000_000),
                                 transport: http, credentials: StaticCredentials(keys))
        let request = CloudRequest.describeInstanceTypes([])
        _ = try await client.call(request)
        let start = ContinuousClock.now
        var failures = 0
        for _ in 0..<calls {
            if (try? await client.call(request)) == nil { failures += 1 }
        }
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        await http.closeAll()
        return rate(calls, seconds) + (failures > 0 ? ", \(failures) failed" : "")
    }

    static func pythonSDK(_ sdk: String, port: Int, calls: Int) throws -> String {
        let result = try PythonCloudSDK.runScript("lifecycle.py", arguments: [sdk, "127.0.0.1:\(port)", "i-cloud-1", "vsw-zone-h", "sg-lab",
                                                                             "bench", String(calls)])
        let numbers = result.stdout.split(whereSeparator: { !"0123456789.e-".contains($0) }).compactMap { Double($0) }
        return numbers.count >= 2 ? rate(Int(numbers[0]), numbers[1]) : result.stdout
    }

    static func signing() -> [(String, String)] {
        var rows: [(String, String)] = []
        let request = CloudRequest.assignPrivateIpAddresses(region: "cn-hangzhou", eniId: "eni-bp1abcdefghijklmnopq", count: 10)
        for style in SignatureStyle.allCases {
            let n = 20_000
            var bytes = 0
            let start = ContinuousClock.now
            for i in 0..<n {
                bytes &+= request.signed(style: style, credentials: keys, host: "ecs.cn-hangzhou.aliyuncs.com:443",
                                         nonce: "nonce-\(i)", timestamp: "2026-12-01T00:30:00Z").body.count
            }
            let seconds = (ContinuousClock.now - start) / .seconds(1)
            rows.append(("sign one AssignPrivateIpAddresses, \(style) (ours)", String(format: "%.1f µs", seconds * 1e6 / Double(n))))
            if bytes == 0 { print("") }
        }
        if let python = try? PythonCloudSDK.runScript("sign.py", arguments: ["bench", "20000"]).stdout {
            for line in python.split(separator: "\n") {
                let parts = line.split(separator: " ")
                if parts.count == 2, let us = Double(parts[1]) {
                    rows.append(("sign one AssignPrivateIpAddresses, \(parts[0]) (Python SDK)", String(format: "%.1f µs", us)))
                }
            }
        }
        return rows
    }
}
