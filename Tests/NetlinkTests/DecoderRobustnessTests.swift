@testable import Netlink
import NetworkCore
import Testing
import TestSupport

/// Decoders meet bytes from the kernel: whatever arrives, they return a value or throw, never trap.
@Suite struct DecoderRobustnessTests {
    /// Every decoder of the module on one buffer; returns how many accepted it.
    private func decodeEverything(_ bytes: [UInt8]) -> Int {
        var accepted = 0
        if (try? NetlinkMessage.decodeAll(bytes[...])) != nil { accepted += 1 }
        if (try? RouteAttribute.decode(bytes[...]).map { try? $0.nested() }) != nil { accepted += 1 }
        if (try? Link(LinkMessage(decoding: bytes[...]))) != nil { accepted += 1 }
        if (try? Address(AddressMessage(decoding: bytes[...]))) != nil { accepted += 1 }
        if (try? KernelRoute(RouteMessage(decoding: bytes[...]))) != nil { accepted += 1 }
        if (try? Rule(RuleMessage(decoding: bytes[...]))) != nil { accepted += 1 }
        if (try? Nexthop(NexthopMessage(decoding: bytes[...]))) != nil { accepted += 1 }
        // A monitor decodes whatever type the kernel announces.
        for type in [16, 20, 24, 25, 104, 105] where (try? NetlinkEvent.decode(NetlinkMessage(type: UInt16(type), flags: 0, payload: bytes))) != nil {
            accepted += 1
        }
        if (try? Acknowledgement(errorPayload: bytes, flags: 0x300)) != nil { accepted += 1 }
        if (try? Acknowledgement(errorPayload: bytes, flags: 0)) != nil { accepted += 1 }
        return accepted
    }

    @Test func truncationsOfValidMessagesNeverTrap() throws {
        let samples = [
            NetlinkRequest.addLink(LinkSettings(name: "veth0", mtu: 1500, up: true),
                                   kind: .veth(peer: LinkSettings(name: "eth0", namespaceFD: 3))).payload,
            NetlinkRequest.addAddress(InterfaceAddress("fd00::1/64")!, index: 2, noDAD: true).payload,
            NetlinkRequest.replaceRoute(KernelRoute(destination: IPPrefix("10.0.0.0/8")!, gateway: IPAddress("10.1.0.1"), metric: 5)).payload,
            NetlinkRequest.addRule(Rule(family: .v4, priority: 5, source: IPPrefix("10.0.0.0/8")!, table: 9, fwmark: 1)).payload,
            NetlinkRequest.addNexthop(Nexthop(id: 7, gateway: IPAddress("fd00::2"), outputInterface: 3, protocolID: 207)).payload,
            NetlinkRequest.addRoute(KernelRoute(destination: IPPrefix("10.244.0.0/24")!, nexthopID: 7, protocolID: 207)).payload,
        ]
        for sample in samples {
            let whole = NetlinkMessage(type: 16, flags: 0, payload: sample).encoded()
            for cut in 0...whole.count {
                _ = decodeEverything(Array(whole.prefix(cut)))
                _ = decodeEverything(Array(sample.prefix(cut)))
            }
            #expect(decodeEverything(sample) >= 1)
        }
    }

    @Test func randomBytesNeverTrap() {
        var generator = SeededGenerator(seed: 0x7E57)
        for _ in 0..<3000 {
            let count = Int(generator.next() % 96)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            _ = decodeEverything(bytes)
        }
    }
}
