import NetworkCore
import Testing

/// The one rule for link names and namespace paths that the CNI dispatcher, the plugin and
/// the data path all apply.
@Suite struct LinkNameTests {
    static let valid = ["eth0", "a", "net1.100", "cni-bridge_0", "123456789012345", "éth0"]
    static let invalid: [(String, String)] = [
        ("", "is empty"),
        ("1234567890123456", "is too long"),
        ("ééééééééé", "is too long"),  // 9 characters, 18 bytes: the limit is bytes
        (".", "may not be"),
        ("..", "may not be"),
        ("eth/0", "contains"),
        ("eth:0", "contains"),
        ("eth 0", "contains"),
        ("eth\t0", "contains"),
        ("eth\u{A0}0", "contains"),
        ("eth\u{7F}", "contains"),
        ("eth\u{1}", "contains"),
    ]

    @Test(arguments: valid)
    func accepts(name: String) {
        #expect(LinkName.problem(with: name) == nil)
    }

    @Test(arguments: invalid)
    func refuses(name: String, problem: String) {
        #expect(LinkName.problem(with: name)?.contains(problem) == true)
    }

    @Test func namespacePathsMustBeAbsolute() {
        #expect(NamespacePath.problem(with: "/var/run/netns/p1") == nil)
        #expect(NamespacePath.problem(with: "/proc/1/ns/net") == nil)
        #expect(NamespacePath.problem(with: "var/run/netns/p1") == "is not an absolute path")
        #expect(NamespacePath.problem(with: "") == "is not an absolute path")
        #expect(NamespacePath.problem(with: "/var/run/netns/p\u{0}1") == "contains a NUL byte")
    }
}
