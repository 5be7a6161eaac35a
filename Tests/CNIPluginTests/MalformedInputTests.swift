import CNI
import IPAM
import JSON
import NetworkCore
import TestSupport
import Testing

/// Bad input through the real binary: the spec's code, a message that says what to fix, and
/// a store exactly as it was before.
@Suite struct MalformedInputTests {
    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let code: Int64
        let message: String
        /// Builds stdin and the environment changes from the node and a valid pod path.
        let make: @Sendable (EdgeNode, String) -> (stdin: String, containerID: String, netns: String, ifname: String)
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "malformed JSON", code: 6, message: "network config is not valid JSON") { node, pod in
            (String(node.config().serialized().dropLast()), "c9", pod, "eth0")
        },
        Case(name: "unknown version", code: 1, message: "incompatible CNI version \"2.0.0\"") { node, pod in
            (node.config(version: CNIVersion(2, 0, 0)).serialized(), "c9", pod, "eth0")
        },
        Case(name: "CIDR with host bits", code: 7, message: "'10.0.3.5/24' has host bits set; the block is 10.0.3.0/24") { node, pod in
            (node.config(subnet: "10.0.3.5/24").serialized(), "c9", pod, "eth0")
        },
        Case(name: "CIDR not parseable", code: 7, message: "does not start with a valid IPv4 or IPv6 address") { node, pod in
            (node.config(subnet: "10.0.300.0/24").serialized(), "c9", pod, "eth0")
        },
        Case(name: "container id with slash", code: 4, message: "invalid characters in CNI_CONTAINERID") { node, pod in
            (node.config().serialized(), "abc/def", pod, "eth0")
        },
        Case(name: "container id with dot-dot", code: 4, message: "invalid characters in CNI_CONTAINERID") { node, pod in
            (node.config().serialized(), "abc..def", pod, "eth0")
        },
        Case(name: "interface name too long", code: 4, message: "is too long") { node, pod in
            (node.config().serialized(), "c9", pod, "eth0-is-too-long")
        },
        Case(name: "netns that is a regular file", code: 4, message: "is not a network namespace") { node, _ in
            (node.config().serialized(), "c9", "/etc/hostname", "eth0")
        },
        Case(name: "netns that does not exist", code: 4, message: "does not exist") { node, _ in
            (node.config().serialized(), "c9", "/var/run/netns/te-does-not-exist", "eth0")
        },
        Case(name: "exhausted subnet", code: 11, message: "no free address in 10.0.3.0/30") { node, pod in
            (node.config(subnet: "10.0.3.0/30").serialized(), "c9", pod, "eth0")
        },
        Case(name: "other mode", code: 7, message: "mode \"hybrid\" is not supported") { node, pod in
            (node.config(extra: ["mode": "hybrid"]).serialized(), "c9", pod, "eth0")
        },
    ]

    @Test(arguments: cases)
    func refusedWithoutChangingTheStore(testCase: Case) throws {
        let node = try EdgeNode()
        let pod = try TestNamespace("pod")
        // The store holds one pod already: for the /30 case it is the only address.
        let store = try FileStore(directory: node.storeDirectory)
        let allocator = try NodeAllocator(pools: [try AddressPool(subnet: IPPrefix("10.0.3.0/30")!)], store: store)
        _ = try allocator.allocate(for: IPAMOwner(containerID: "existing", ifname: "eth0"))
        let before = try node.reservations()
        let linksBefore = try node.links()

        let input = testCase.make(node, pod.path)
        let run = try node.runRaw("ADD", stdin: input.stdin, containerID: input.containerID, netns: input.netns, ifname: input.ifname)
        #expect(run.status == 1)
        #expect(run.code == testCase.code, "\(run.stdout)")
        #expect(run.message.contains(testCase.message) || (run.json?["details"]?.stringValue ?? "").contains(testCase.message), "\(run.stdout)")
        #expect(try node.reservations() == before)
        #expect(try node.links() == linksBefore)
        #expect(try pod.exec(["ip", "link", "show", "eth0"], check: false).status != 0)
    }
}
