import CNI
import JSON
import TestSupport
import Testing

/// CNI 1.1.0 rules a runtime relies on, through the built binary in `te-` namespaces.
@Suite struct SpecConformanceTests {
    /// SPEC.md, ADD: "If an interface of the requested name already exists in the container,
    /// the CNI plugin MUST return with an error." The error names CNI_IFNAME (code 4), the
    /// pod's interface stays as it was, no address stays reserved, and the DEL the runtime
    /// sends after a failed ADD leaves the pod's interface alone.
    @Test func addRefusesAnInterfaceNameThePodHasAlready() throws {
        let node = try EdgeNode()
        let pod = try TestNamespace("pod")
        try pod.exec(["ip", "link", "add", "eth0", "type", "veth", "peer", "name", "other0"])
        let config = node.config(subnet: "10.0.3.0/24")

        let add = try node.run("ADD", config: config, containerID: "c1", netns: pod.path, ifname: "eth0")
        #expect(add.status == 1)
        #expect(add.code == 4, "\(add.stdout)")
        #expect(add.message.contains("CNI_IFNAME eth0") && add.message.contains(pod.path), "\(add.stdout)")
        #expect(try node.reservations().isEmpty)
        #expect(try !node.links().contains { $0.hasPrefix("veth") }, "the host end was left behind")
        #expect(try pod.exec(["ip", "link", "show", "eth0"]).stdout.contains("eth0@other0"))

        let del = try node.run("DEL", config: config, containerID: "c1", netns: pod.path, ifname: "eth0")
        #expect(del.status == 0, "\(del.stdout)")
        #expect(try pod.exec(["ip", "link", "show", "eth0"]).stdout.contains("eth0@other0"))
    }

    /// Error code 2: "Unsupported field in network configuration. The error message must
    /// contain the key and value of the unsupported field."
    @Test(arguments: [("ipMasq", JSONValue.bool(true), "\"ipMasq\": true"), ("vlan", .integer(100), "\"vlan\": 100")])
    func unsupportedFieldIsCode2NamingKeyAndValue(key: String, value: JSONValue, expected: String) throws {
        let node = try EdgeNode()
        let pod = try TestNamespace("pod")
        let add = try node.run("ADD", config: node.config(extra: [key: value]), containerID: "c1", netns: pod.path, ifname: "eth0")
        #expect(add.status == 1)
        #expect(add.code == 2, "\(add.stdout)")
        #expect(add.message.contains(expected), "\(add.stdout)")
        #expect(try node.reservations().isEmpty)
    }

    /// Unknown keys are passed through by runtimes ("Runtimes must preserve unknown fields")
    /// and ignored here, as are `args` and `runtimeConfig` keys of capabilities we do not
    /// declare; CNI_ARGS with `IgnoreUnknown` and the K8S_POD_* keys kubelet sends is read.
    @Test func unknownFieldsArgsAndRuntimeConfigAreIgnored() throws {
        let node = try EdgeNode()
        let pod = try TestNamespace("pod")
        let config = node.config(subnet: "10.0.3.0/24", extra: [
            "someVendorKey": ["nested": true],
            "args": ["cni": ["ips": ["10.0.3.77"]]],
            "runtimeConfig": ["mac": "02:00:00:00:00:01"],
        ])
        let env = ["CNI_ARGS": "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;K8S_POD_INFRA_CONTAINER_ID=c1;K8S_POD_UID=1c2d"]
        let add = try node.run("ADD", config: config, containerID: "c1", netns: pod.path, ifname: "eth0", extraEnvironment: env)
        #expect(add.status == 0, "\(add.stdout)")
        #expect(add.json?["ips"]?.arrayValue?.first?["address"] == "10.0.3.2/24", "\(add.stdout)")
        let del = try node.run("DEL", config: config, containerID: "c1", netns: pod.path, ifname: "eth0", extraEnvironment: env)
        #expect(del.status == 0, "\(del.stdout)")
        #expect(try node.reservations().isEmpty)
    }
}
