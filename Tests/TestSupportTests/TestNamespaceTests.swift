import Testing
import TestSupport

/// The shared helper every data-path test stands on: namespaces appear, talk over a
/// veth pair, and are gone afterwards.
@Suite struct TestNamespaceTests {
    @Test func twoNamespacesPingOverVeth() throws {
        let a = try TestNamespace("nsa")
        let b = try TestNamespace("nsb")
        try a.link(to: b, localName: "va", remoteName: "vb", localAddresses: ["10.250.0.1/30"], remoteAddresses: ["10.250.0.2/30"])
        let ping = try a.exec(["ping", "-c", "1", "-W", "2", "10.250.0.2"], check: false)
        #expect(ping.succeeded, "\(ping.stdout)\(ping.stderr)")
        let name = a.name
        a.delete()
        let list = try run(["ip", "netns", "list"]).stdout
        #expect(!list.contains(name))
    }
}
