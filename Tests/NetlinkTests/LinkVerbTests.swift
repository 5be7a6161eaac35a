import Glibc
import Netlink
import NetworkCore
import Testing

@Suite struct LinkVerbTests {
    @Test func vethLifecycle() throws {
        let ns = try LiveNamespace("link")
        let s = ns.socket
        try s.addLink(LinkSettings(name: "va", mtu: 1400), kind: .veth(peer: LinkSettings(name: "vb")))
        let links = try s.listLinks()
        #expect(links.contains { $0.name == "va" && $0.kind == "veth" && $0.mtu == 1400 })
        #expect(links.contains { $0.name == "lo" && $0.kind == nil })

        try s.setLinkUp("va")
        #expect(try s.link(named: "va").isUp)
        try s.setLinkDown("va")
        #expect(try !s.link(named: "va").isUp)
        try s.setLinkMTU("va", 1300)
        let mac = try #require(MACAddress("02:11:22:33:44:55"))
        try s.setLinkAddress("va", mac)
        let va = try s.link(named: "va")
        #expect(va.mtu == 1300 && va.mac == mac)
        #expect(try s.link(index: va.index).name == "va")
        #expect(try ns.exec(["ip", "link", "show", "va"]).contains("02:11:22:33:44:55"))

        try s.renameLink("va", to: "vc")
        #expect(try s.link(index: va.index).name == "vc")
        try s.deleteLink("vc")
        // Deleting one end of a pair removes the other.
        #expect(throws: NetlinkError.self) { try s.link(named: "vb") }
        do {
            _ = try s.link(named: "vc")
            Issue.record("link still there")
        } catch {
            #expect(error.isNotFound)
            #expect(error.errno == ENODEV)
        }
        #expect { try s.deleteLink("vc") } throws: { ($0 as? NetlinkError)?.isNotFound == true }
    }

    @Test func bridgePortMasterAndHairpin() throws {
        let ns = try LiveNamespace("brport")
        let s = ns.socket
        try s.addLink(LinkSettings(name: "br0", up: true), kind: .bridge)
        let bridge = try s.link(named: "br0")
        #expect(bridge.kind == "bridge" && bridge.isUp)
        try s.addLink(LinkSettings(name: "p0", masterIndex: bridge.index), kind: .veth(peer: LinkSettings(name: "p1")))
        #expect(try s.link(named: "p0").masterIndex == bridge.index)

        #expect(try s.link(named: "p0").hairpin == false)
        #expect(try s.link(named: "br0").hairpin == nil)
        try s.setBridgePortHairpin("p0", true)
        #expect(try ns.exec(["ip", "-d", "link", "show", "p0"]).contains("hairpin on"))
        #expect(try s.link(named: "p0").hairpin == true)
        try s.setBridgePortHairpin("p0", false)
        #expect(try ns.exec(["ip", "-d", "link", "show", "p0"]).contains("hairpin off"))

        try s.setLinkMaster("p0", masterIndex: nil)
        #expect(try s.link(named: "p0").masterIndex == nil)
        try s.setLinkMaster("p1", masterIndex: bridge.index)
        #expect(try s.link(named: "p1").masterIndex == bridge.index)
        // Hairpin needs a bridge port: the kernel refuses it on a link without master.
        #expect(throws: NetlinkError.self) { try s.setBridgePortHairpin("p0", true) }
    }

    @Test func vethPeerCreatedInAnotherNamespace() throws {
        let node = try LiveNamespace("node")
        let pod = try LiveNamespace("pod")
        try node.socket.addLink(LinkSettings(name: "h0", up: true),
                                kind: .veth(peer: LinkSettings(name: "eth0", mtu: 1450, namespaceFD: pod.namespace.fd)))
        try pod.socket.setLinkUp("eth0")
        let inPod = try pod.socket.link(named: "eth0")
        #expect(inPod.mtu == 1450 && inPod.isUp && inPod.kind == "veth")
        #expect { try node.socket.link(named: "eth0") } throws: { ($0 as? NetlinkError)?.isNotFound == true }

        // And moved back the other way after creation.
        try pod.socket.setLinkNamespace("eth0", node.namespace)
        #expect(try node.socket.link(named: "eth0").kind == "veth")
        #expect(try !pod.socket.listLinks().contains { $0.name == "eth0" })
    }

    @Test func vethPeerCannotBeUpAtCreation() throws {
        let ns = try LiveNamespace("peerup")
        #expect { try ns.socket.addLink(LinkSettings(name: "a"), kind: .veth(peer: LinkSettings(name: "b", up: true))) } throws: {
            ($0 as? NetlinkError)?.errno == ENOTCONN
        }
        #expect(try ns.socket.listLinks().map(\.name) == ["lo"])
    }

    @Test func addExistingLinkIsEEXISTAndToleratedInBatch() throws {
        let ns = try LiveNamespace("exist")
        try ns.socket.addLink(LinkSettings(name: "br0"), kind: .bridge)
        do {
            try ns.socket.addLink(LinkSettings(name: "br0"), kind: .bridge)
            Issue.record("second add succeeded")
        } catch {
            #expect(error.isExists)
            #expect(error.description.contains("addLink br0 type bridge"))
        }
        let replies = try ns.socket.perform([
            .addLink(LinkSettings(name: "br0"), kind: .bridge).tolerating(EEXIST),
            .setLinkUp("br0"),
            .getLink("br0"),
        ])
        #expect(replies.count == 3 && replies[0].isEmpty && replies[1].isEmpty && replies[2].count == 1)
        #expect(try ns.socket.link(named: "br0").isUp)
    }
}
