@testable import Agent
import Foundation
import Testing
import TestSupport

/// The cloud role's ledger on disk: what a SIGKILL leaves is read back whole, a torn last
/// line is dropped, an open intent survives until its `done`.
@Suite struct PoolLedgerTests {
    let eni = PoolLedger.ENI(id: "eni-1", mac: "00:16:3e:00:00:02", slot: 1, vSwitchId: "vsw-a", gateway: "192.168.15.253", cidr: "192.168.0.0/20")

    @Test func changesSurviveAReopenAndATornLastLine() throws {
        let folder = try TemporaryDirectory("te-ledger")
        do {
            let ledger = try PoolLedger(folder: folder.file("ledger"))
            try ledger.record(.eni(eni))
            try ledger.record(.address(.init(address: "192.168.0.20", eni: "eni-1", owner: nil, idleSince: 1)))
            try ledger.record(.address(.init(address: "192.168.0.21", eni: "eni-1",
                                             owner: .init(containerID: "c1", ifName: "eth0", namespace: "default", name: "web-0"), idleSince: 1)))
            try ledger.record(.intent(.init(token: "t-1", action: .assign, eni: "eni-1", count: 3)))
            try ledger.record(.intent(.init(token: "t-2", action: .unassign, eni: "eni-1", addresses: ["192.168.0.20"])))
            try ledger.record(.done("t-2"))
        }
        // A write the kill cut short.
        let journal = try #require(FileHandle(forWritingAtPath: folder.file("ledger/ledger.journal")))
        journal.seekToEndOfFile()
        journal.write(Data(#"{"address":{"_0":{"address":"192.168.0.2"#.utf8))
        try journal.close()

        let reopened = try PoolLedger(folder: folder.file("ledger"))
        #expect(reopened.state.enis == ["eni-1": eni])
        #expect(Set(reopened.state.addresses.keys) == ["192.168.0.20", "192.168.0.21"])
        #expect(reopened.state.addresses["192.168.0.21"]?.owner?.containerID == "c1")
        #expect(Array(reopened.state.intents.keys) == ["t-1"], "the intent without done is still open")
        // Folded into the snapshot: the journal starts empty.
        #expect(try String(contentsOfFile: folder.file("ledger/ledger.journal"), encoding: .utf8).isEmpty)
        try reopened.record(.eniGone("eni-1"))
        #expect(try PoolLedger(folder: folder.file("ledger")).state.addresses.isEmpty, "an ENI's addresses go with it")
    }

    /// A ledger written before IPv6 pairs (no `ipv6`, `ipv6Gateway`, `ipv6Cidr`) still loads;
    /// the pairs written now survive a reopen.
    @Test func aLedgerFromBeforeIPv6LoadsAndPairsSurvive() throws {
        let folder = try TemporaryDirectory("te-ledger")
        try FileManager.default.createDirectory(atPath: folder.file("ledger"), withIntermediateDirectories: true)
        try folder.write("ledger/ledger.json", #"{"enis":{"eni-1":{"cidr":"192.168.0.0/20","gateway":"192.168.15.253","id":"eni-1","mac":"00:16:3e:00:00:02","slot":1,"vSwitchId":"vsw-a"}},"addresses":{"192.168.0.20":{"address":"192.168.0.20","eni":"eni-1","idleSince":1}},"intents":{}}"#)
        let old = try PoolLedger(folder: folder.file("ledger"))
        #expect(old.state.enis["eni-1"] == eni && old.state.addresses["192.168.0.20"]?.ipv6 == nil)
        var dual = eni
        dual.ipv6Gateway = "2408:4000:10::1"
        dual.ipv6Cidr = "2408:4000:10::/64"
        try old.record(.eni(dual))
        try old.record(.address(.init(address: "192.168.0.20", eni: "eni-1", owner: nil, ipv6: "2408:4000:10::20", idleSince: 1)))
        let reopened = try PoolLedger(folder: folder.file("ledger"))
        #expect(reopened.state.enis["eni-1"] == dual)
        #expect(reopened.state.addresses["192.168.0.20"]?.ipv6 == "2408:4000:10::20")
    }

    @Test func anUnreadableSnapshotIsRefusedNotReset() throws {
        let folder = try TemporaryDirectory("te-ledger")
        try FileManager.default.createDirectory(atPath: folder.file("ledger"), withIntermediateDirectories: true)
        try folder.write("ledger/ledger.json", "{not json")
        #expect { try PoolLedger(folder: folder.file("ledger")) } throws: { "\($0)".contains("unreadable") }
    }
}
