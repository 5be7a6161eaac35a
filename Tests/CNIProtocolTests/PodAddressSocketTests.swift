import CNI
import CNIProtocol
import NetworkCore
import Testing

@Suite struct PodAddressSocketTests {
    let key = PodAttachmentKey(containerID: "c1", ifName: "eth0")
    let grant = PodAddressGrant(
        addresses: [IPAddress("192.168.0.23")!, IPAddress("2408:4005::17")!],
        eni: .init(mac: MACAddress("00:16:3e:00:00:02")!, slot: 1,
                   gateways: [IPAddress("192.168.0.253")!, IPAddress("fe80::216:3eff:fe00:1")!],
                   subnets: [IPPrefix("192.168.0.0/20")!, IPPrefix("2408:4005::/64")!], mtu: 1500))

    @Test(arguments: [
        PodAddressRequest.allocate(.init(containerID: "c1", ifName: "eth0"), pod: .init(namespace: "default", name: "web-0")),
        .allocate(.init(containerID: "c2", ifName: "net1"), pod: nil),
        .release(.init(containerID: "c1", ifName: "eth0")),
        .lookup(.init(containerID: "c1", ifName: "eth0")),
        .keep([.init(containerID: "c1", ifName: "eth0"), .init(containerID: "c3", ifName: "eth0")]),
        .keep([]),
        .status,
    ])
    func requestsRoundTrip(_ request: PodAddressRequest) throws {
        let bytes = Array(request.json.serialized().utf8)
        #expect(try PodAddressRequest(bytes: bytes) == request)
    }

    @Test func allocateHasTheDocumentedShape() {
        let request = PodAddressRequest.allocate(key, pod: .init(namespace: "default", name: "web-0"))
        #expect(request.json.serialized() ==
            #"{"op":"allocate","containerID":"c1","ifName":"eth0","pod":{"namespace":"default","name":"web-0"}}"#)
    }

    @Test func answersRoundTrip() throws {
        let cases: [(PodAddressRequest, PodAddressAnswer)] = [
            (.allocate(key, pod: nil), .granted(grant)),
            (.lookup(key), .granted(grant)),
            (.release(key), .released),
            (.keep([key]), .kept(released: 3)),
            (.status, .ready),
            (.status, .failed(CNIError(.pluginNotAvailable, "no address left", details: "quota"))),
            (.allocate(key, pod: nil), .failed(CNIError(.tryAgainLater, "no address left", details: "ecs.g6.large allows 2 ENIs"))),
        ]
        for (request, answer) in cases {
            let bytes = Array(answer.json.serialized().utf8)
            #expect(try PodAddressAnswer(bytes: bytes, answering: request) == answer)
        }
        #expect(grant.eni.table == 1001)
    }

    @Test(arguments: [
        (#"[1]"#, "must be a JSON object"),
        (#"{"op":"allocate","containerID":"c1"}"#, "ifName"),
        (#"{"op":"allocate","containerID":"","ifName":"eth0"}"#, "must not be empty"),
        (#"{"op":"frobnicate","containerID":"c1","ifName":"eth0"}"#, "unknown op"),
        (#"{"op":"keep","attachments":[1]}"#, "attachment"),
        (#"{"op":"allocate","containerID":"c1","ifName":"eth0","pod":{"name":"x"}}"#, "namespace"),
        (#"{"op""#, "not valid JSON"),
    ])
    func malformedRequestsAreDecodingFailures(_ text: String, _ mention: String) {
        #expect {
            try PodAddressRequest(bytes: Array(text.utf8))
        } throws: { error in
            guard let error = error as? CNIError else { return false }
            return error.code == .decodingFailure && "\(error.msg) \(error.details)".contains(mention)
        }
    }

    @Test func aGrantWhoseTableDisagreesWithItsSlotIsRefused() {
        let text = #"{"ok":{"addresses":["192.168.0.23"],"eni":{"mac":"00:16:3e:00:00:02","slot":1,"table":7}}}"#
        #expect(throws: CNIError.self) { try PodAddressAnswer(bytes: Array(text.utf8), answering: .lookup(key)) }
    }

    @Test func rulesSendThePodsTrafficToItsENITable() {
        #expect(CloudPodRouting.rules(for: grant).map(\.description) == [
            "512: to 192.168.0.23/32 lookup main", "2048: from 192.168.0.23/32 lookup 1001",
            "512: to 2408:4005::17/128 lookup main", "2048: from 2408:4005::17/128 lookup 1001",
        ])
    }

    @Test func podReferenceComesFromTheKubernetesArgs() {
        let args: [(key: String, value: String)] = [("IgnoreUnknown", "1"), ("K8S_POD_NAMESPACE", "kube-system"), ("K8S_POD_NAME", "dns-0")]
        #expect(PodReference(cniArgs: args) == PodReference(namespace: "kube-system", name: "dns-0"))
        #expect(PodReference(cniArgs: [("IgnoreUnknown", "1")]) == nil)
    }
}
