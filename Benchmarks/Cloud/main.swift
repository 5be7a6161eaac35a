import CloudAPI
import CloudENI
import CloudEmulator
import Foundation
import HTTPClient
import TestSupport

// bench-cloud: calls per second against the emulator (signing included), our client beside
// the official Python SDKs in the same run, and the cost of signing one request.
// `swift run -c release bench-cloud [calls]`

let calls = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 2000
let yaml = """
region: cn-hangzhou
zones: [cn-hangzhou-h]
vpc: { id: vpc-lab, cidrs: [192.168.0.0/16] }
vSwitches: [{ id: vsw-zone-h, zone: cn-hangzhou-h, cidr: 192.168.0.0/20 }]
securityGroups: [sg-lab]
instanceTypes: [{ id: ecs.g6.large, eniQuantity: 2, eniPrivateIpAddressQuantity: 6, eniIpv6AddressQuantity: 1 }]
instances: [{ id: i-cloud-1, type: ecs.g6.large, vSwitch: vsw-zone-h, primaryIP: 192.168.0.10 }]
accessKeys: [{ id: LTAI-lab, secret: lab-secret }]
"""
let emulator = try CloudEmulator(world: try EmulatorWorld.load(yaml: yaml))
let servers = try await emulator.serve(api: "127.0.0.1:0", metadata: "127.0.0.1:0")
let endpoint = HTTPEndpoint(host: "127.0.0.1", port: servers.api.port)
var rows: [(String, String)] = []

func rate(_ n: Int, _ seconds: Double) -> String { String(format: "%.0f calls/s (%.2f ms/call)", Double(n) / seconds, seconds * 1000 / Double(n)) }

for style in SignatureStyle.allCases {
    let http = HTTPConnectionCache(connectTimeout: 2, tls: nil)
    let client = CloudClient(config: CloudClientConfig(region: "cn-hangzhou", ecsEndpoint: endpoint, vpcEndpoint: endpoint,
                                                       signature: style, defaultRate: 1_000_000),
                             transport: http, credentials: StaticCredentials(CloudCredentials(accessKeyId: "LTAI-lab", accessKeySecret: "lab-secret")))
    _ = try await client.describeInstanceTypes([])
    let start = ContinuousClock.now
    for _ in 0..<calls { _ = try await client.describeInstanceTypes([]) }
    let seconds = (ContinuousClock.now - start) / .seconds(1)
    rows.append(("terway-edge client, \(style) signature, sequential", rate(calls, seconds)))
    await http.closeAll()
}

for sdk in ["core", "tea"] {
    let pythonCalls = max(100, calls / 4)
    let result = try PythonCloudSDK.runScript("lifecycle.py", arguments: [sdk, "127.0.0.1:\(servers.api.port)", "i-cloud-1", "vsw-zone-h", "sg-lab", "bench", String(pythonCalls)])
    let fields = result.stdout.split(whereSeparator: { !"0123456789.e-".contains($0) }).compactMap { Double($0) }
    rows.append(("official Python SDK (\(sdk == "core" ? "aliyun-python-sdk-core, RPC" : "alibabacloud-ecs20140526, V3")), sequential",
                 fields.count >= 2 ? rate(Int(fields[0]), fields[1]) : result.stdout))
}

let request = CloudRequest.assignPrivateIpAddresses(region: "cn-hangzhou", eniId: "eni-bp1abcdefghijklmnopq", count: 10)
let keys = CloudCredentials(accessKeyId: "LTAI-lab", accessKeySecret: "lab-secret")
for style in SignatureStyle.allCases {
    let n = 20_000
    let start = ContinuousClock.now
    var bytes = 0
    for i in 0..<n {
        bytes &+= request.signed(style: style, credentials: keys, host: "ecs.cn-hangzhou.aliyuncs.com:443",
                                 nonce: "nonce-\(i)", timestamp: "2026-12-01T00:30:00Z").body.count
    }
    let seconds = (ContinuousClock.now - start) / .seconds(1)
    rows.append(("sign one AssignPrivateIpAddresses, \(style) (ours)", String(format: "%.1f µs", seconds * 1e6 / Double(n))))
}
let pythonSign = try PythonCloudSDK.runScript("sign.py", arguments: ["bench", "20000"]).stdout
for line in pythonSign.split(separator: "\n") {
    let parts = line.split(separator: " ")
    if parts.count == 2, let us = Double(parts[1]) { rows.append(("sign one AssignPrivateIpAddresses, \(parts[0]) (Python SDK)", String(format: "%.1f µs", us))) }
}

await servers.close()
let width = rows.map(\.0.count).max() ?? 0
print("bench-cloud: \(calls) DescribeInstanceTypes calls per client against the emulator on loopback")
for (name, value) in rows { print(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value) }
