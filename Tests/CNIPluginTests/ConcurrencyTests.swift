import CNI
import Foundation
import IPAM
import JSON
import NetworkCore
import TestSupport
import Testing

/// Many plugin processes at once on one node, and processes killed at random instants.
@Suite(.serialized) struct ConcurrencyTests {
    /// Ten pods with twenty interfaces each: 200 attachments without 200 namespaces. The
    /// interfaces get no routes (`routes: []`): twenty default routes in one pod would clash.
    static func attachments(_ pods: [TestNamespace], perPod: Int) -> [(owner: IPAMOwner, netns: String)] {
        pods.enumerated().flatMap { p, pod in
            (0..<perPod).map { i in (IPAMOwner(containerID: "pod\(p)", ifname: "eth\(i)"), pod.path) }
        }
    }

    @Test func twoHundredParallelAddsGetDistinctAddresses() throws {
        let node = try EdgeNode()
        let pods = try (0..<10).map { _ in try TestNamespace("pod") }
        let config = node.config(subnet: "10.0.0.0/22", extra: ["routes": []]).serialized()
        let all = Self.attachments(pods, perPod: 20)
        let processes = try all.map { a in
            try PluginProcess(node: node, command: "ADD", stdin: config, containerID: a.owner.containerID,
                              netns: a.netns, ifname: a.owner.ifname)
        }
        let outcomes = processes.map { $0.wait() }
        let failures = outcomes.filter { $0.status != 0 }
        #expect(failures.count == 0, "\(failures.count) failed, first: \(failures.first?.stdout ?? "")")
        let printed = outcomes.compactMap { try? JSONValue.parse($0.stdout)["ips"]?.arrayValue?.first?["address"]?.stringValue }
        #expect(printed.count == 200)
        #expect(Set(printed).count == 200)
        let reservations = try node.reservations()
        #expect(reservations.count == 200)
        #expect(Set(reservations.values.compactMap { $0 }) == Set(all.map(\.owner)))
        // What the pods really hold matches the store.
        let onPod = try pods[3].addresses(on: "eth7")
        #expect(onPod.count == 1)
        #expect(reservations[IPAddress(String(onPod[0].split(separator: "/")[0]))!] == IPAMOwner(containerID: "pod3", ifname: "eth7"))
    }

    /// ADDs and DELs SIGKILLed at random instants, then GC with the attachments the runtime
    /// knows: no address held twice, none leaked, no host veth left over.
    @Test func killedAddsAndDelsThenGCLeaveNoLeakOrDuplicate() throws {
        let node = try EdgeNode()
        let pods = try (0..<6).map { _ in try TestNamespace("pod") }
        let config = node.config(subnet: "10.0.0.0/24", extra: ["routes": []])
        let all = Self.attachments(pods, perPod: 10)
        var alive = Set<IPAMOwner>()
        for round in 0..<2 {
            // Round 0 adds everything; round 1 deletes half of the survivors, both with random kills.
            let targets = round == 0 ? all : all.filter { alive.contains($0.owner) && $0.owner.ifname.hasSuffix("1") == false && Bool.random() }
            let command = round == 0 ? "ADD" : "DEL"
            let processes = try targets.map { a in
                try PluginProcess(node: node, command: command, stdin: config.serialized(), containerID: a.owner.containerID,
                                  netns: a.netns, ifname: a.owner.ifname)
            }
            for process in processes where Bool.random() {
                usleep(UInt32.random(in: 0..<15_000))
                process.kill()
            }
            for (target, process) in zip(targets, processes) {
                let outcome = process.wait()
                if round == 0 && outcome.status == 0 && !outcome.killed { alive.insert(target.owner) }
                // A DEL that was attempted makes the attachment unknown to the runtime, done or not.
                if round == 1 { alive.remove(target.owner) }
            }
        }
        var gcConfig = config.objectValue!
        gcConfig[NetworkConfig.validAttachmentsKey] = .array(alive.map { CNIAttachment(containerID: $0.containerID, ifname: $0.ifname).json })
        let gc = try node.run("GC", config: .object(gcConfig))
        #expect(gc.status == 0, "\(gc.stdout)")

        let reservations = try node.reservations()
        let owners = reservations.values.compactMap { $0 }
        #expect(owners.count == reservations.count)
        #expect(Set(owners) == alive, "kept \(owners.count), alive \(alive.count)")
        #expect(Set(owners).count == owners.count) // one address per attachment (IPv4 only here)
        let hostEnds = try node.links().filter { $0.hasPrefix("veth") }
        #expect(hostEnds.count == alive.count)
        // Every surviving pod interface carries exactly the address the store gives it.
        var seen = Set<String>()
        for a in all where alive.contains(a.owner) {
            let pod = pods[Int(a.owner.containerID.dropFirst(3))!]
            let addresses = try pod.addresses(on: a.owner.ifname)
            #expect(addresses.count == 1)
            if let address = addresses.first {
                #expect(seen.insert(address).inserted)
                #expect(reservations[IPAddress(String(address.split(separator: "/")[0]))!] == a.owner)
            }
        }
        print("kill test: \(alive.count) of \(all.count) attachments survived; GC freed the rest")
    }
}
