import CloudAPI
import Foundation
import JSON
import Testing
import TestSupport

/// Our signatures against the official Python SDKs for the same inputs (fixed nonce and
/// timestamp): aliyun-python-sdk-core for the RPC style, alibabacloud-tea-openapi (what
/// alibabacloud-ecs20140526 signs with) for V3.
@Suite struct SignatureTests {
    static let credentials = CloudCredentials(accessKeyId: "LTAI-lab", accessKeySecret: "lab-secret")
    static let host = "127.0.0.1:8460"

    /// Requests that exercise the encoding: lists, tags with spaces, `*`, `~`, `/`, `+`,
    /// non-ASCII, an empty value.
    static let requests: [CloudRequest] = [
        .createNetworkInterface(region: "cn-hangzhou", vSwitchId: "vsw-zone-h", securityGroupIds: ["sg-lab"],
                                description: "pods of node cloud-1 / pool*~+", tags: ["terway edge": "pool 1", "ünï": "çødé"]),
        .assignPrivateIpAddresses(region: "cn-hangzhou", eniId: "eni-0123456789", count: 10),
        .unassignPrivateIpAddresses(region: "cn-hangzhou", eniId: "eni-0123456789",
                                    addresses: ["192.168.1.10", "192.168.1.11", "192.168.1.12"]),
        .describeNetworkInterfaces(region: "cn-hangzhou", instanceId: "i-cloud-1", nextToken: "a/b+c=="),
        .describeInstanceTypes(["ecs.g6.large"]),
        .describeVSwitches(region: "cn-hangzhou", vpcId: "vpc-lab"),
    ]

    static func withToken(_ request: CloudRequest) -> CloudRequest {
        var copy = request
        if copy.takesClientToken { copy.parameters["ClientToken"] = "0c593ea1-3bea-11e9-b96b-88e9fe637760" }
        return copy
    }

    @Test func rpcSignaturesEqualTheCoreSDK() throws {
        let stsCredentials = CloudCredentials(accessKeyId: "STS.lab", accessKeySecret: "role-secret", securityToken: "tok/en+=")
        var cases: [JSONValue] = []
        var ours: [[String: String]] = []
        for (index, request) in Self.requests.map(Self.withToken).enumerated() {
            let credentials = index == 2 ? stsCredentials : Self.credentials
            let nonce = "nonce-\(index)-3bea11e9"
            let timestamp = "2026-12-01T00:3\(index):05Z"
            let signed = request.signed(style: .rpc, credentials: credentials, host: Self.host, nonce: nonce, timestamp: timestamp)
            let sent = Dictionary(uniqueKeysWithValues: try #require(acsParseForm(Substring(String(decoding: signed.body, as: UTF8.self)))))
            ours.append(sent)
            // What the core SDK puts in before signing: the action's own parameters, the
            // token, Action, Version, Format.
            var input = request.parameters
            input["Action"] = request.action
            input["Version"] = request.service.version
            input["Format"] = "JSON"
            if let token = credentials.securityToken { input["SecurityToken"] = token }
            cases.append(["style": "rpc", "method": "POST", "accessKeyId": .string(credentials.accessKeyId),
                          "secret": .string(credentials.accessKeySecret), "nonce": .string(nonce),
                          "timestamp": .string(timestamp), "parameters": .object(Self.object(input))])
        }
        let answers = try Self.runSDK(cases)
        for (index, answer) in answers.enumerated() {
            let theirs = try #require(answer["parameters"]?.objectValue)
            var expected: [String: String] = [:]
            for (key, value) in theirs.members { expected[key] = value.stringValue }
            #expect(ours[index] == expected, "case \(index): \(Self.requests[index].action)")
            var unsigned = ours[index]
            unsigned["Signature"] = nil
            #expect(RPCSignature.stringToSign(httpMethod: "POST", parameters: unsigned) == answer["stringToSign"]?.stringValue)
        }
    }

    @Test func v3SignaturesEqualTheTeaOpenAPISDK() throws {
        var cases: [JSONValue] = []
        var ours: [String] = []
        for (index, request) in Self.requests.map(Self.withToken).enumerated() {
            let signed = request.signed(style: .v3, credentials: Self.credentials, host: Self.host,
                                        nonce: "nonce-\(index)", timestamp: "2026-12-01T00:3\(index):05Z")
            let authorization = try #require(signed.headers.first { $0.0 == "authorization" }?.1)
            ours.append(authorization)
            var headers = JSONObject()
            for (name, value) in signed.headers where name != "authorization" { headers[name] = .string(value) }
            cases.append(["style": "v3", "method": .string(signed.method), "accessKeyId": "LTAI-lab", "secret": "lab-secret",
                          "parameters": .object(Self.object(request.parameters)), "headers": .object(headers),
                          "payloadHash": .string(V3Signature.payloadHash(signed.body))])
        }
        let answers = try Self.runSDK(cases)
        for (index, answer) in answers.enumerated() {
            #expect(ours[index] == answer["authorization"]?.stringValue, "case \(index): \(Self.requests[index].action)")
        }
    }

    /// The published example of the RPC style (DescribeRegions signed with `testsecret`):
    /// checked without Python.
    @Test func rpcSignatureOfThePublishedExample() {
        let parameters = ["AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML",
                          "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
                          "SignatureVersion": "1.0", "Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26"]
        #expect(RPCSignature.signature(httpMethod: "GET", parameters: parameters, secret: "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY=")
    }

    @Test func percentEncodingFollowsRFC3986() {
        #expect(acsPercentEncode("a b*c~d/e+f") == "a%20b%2Ac~d%2Fe%2Bf")
        #expect(acsPercentEncode("ü") == "%C3%BC")
        #expect(acsPercentDecode("a%20b+c%2a") == "a b c*")
        #expect(acsPercentDecode("%zz") == nil)
        #expect(acsPercentDecode("%C3") == nil)
    }

    @Test func timestampsRoundTrip() {
        for seconds: Int64 in [0, 951_782_400, 1_796_083_200, 4_102_444_799] {
            let text = ACSTimestamp.format(secondsSince1970: seconds)
            #expect(ACSTimestamp.parse(text) == seconds, "\(text)")
        }
        #expect(ACSTimestamp.format(secondsSince1970: 1_796_085_000) == "2026-12-01T00:30:00Z")
        #expect(ACSTimestamp.parse("2026-13-01T00:00:00Z") == nil)
        #expect(ACSTimestamp.parse("2026-12-01 00:00:00Z") == nil)
    }

    @Test func credentialsNeverPrintTheSecret() {
        let credentials = CloudCredentials(accessKeyId: "LTAI-lab", accessKeySecret: "lab-secret", securityToken: "sts-token")
        for text in ["\(credentials)", String(reflecting: credentials), "\([credentials])"] {
            #expect(!text.contains("lab-secret") && !text.contains("sts-token") && text.contains("LTAI-lab"), "\(text)")
        }
        var dumped = ""
        dump(credentials, to: &dumped)
        #expect(!dumped.contains("lab-secret"))
    }

    static func object(_ dictionary: [String: String]) -> JSONObject {
        var object = JSONObject()
        for key in dictionary.keys.sorted() { object[key] = .string(dictionary[key]!) }
        return object
    }

    static func runSDK(_ cases: [JSONValue]) throws -> [JSONValue] {
        let result = try PythonCloudSDK.runScript("sign.py", stdin: JSONValue.array(cases).serialized())
        let answers = try #require(try JSONValue.parse(result.stdout).arrayValue)
        try #require(answers.count == cases.count)
        return answers
    }
}
