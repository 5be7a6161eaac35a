import Foundation
import NetworkCore
import SubnetStore
import Testing

@Suite struct LeaseWatchStateTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    private func lease(_ node: String, subnet: String = "10.0.1.0/24", expires: TimeInterval = 60, renewed: TimeInterval = 0,
                       data: [String: String] = [:]) -> Lease {
        Lease(node: node, subnets: [IPPrefix(subnet)!], nodeAddress: IPAddress("192.168.1.1")!, domain: .edge,
              acquiredAt: Self.t0, renewedAt: Self.t0 + renewed, expiresAt: Self.t0 + expires, backendData: data)
    }

    @Test func classifiesEveryKindOfChange() {
        var state = LeaseWatchState()
        let a = lease("a"), b = lease("b", subnet: "10.0.2.0/24", expires: 10)
        #expect(state.update(to: [a, b], now: Self.t0) == [.added(a), .added(b)])
        #expect(state.update(to: [a, b], now: Self.t0 + 1).isEmpty)
        let renewedA = lease("a", expires: 120, renewed: 5)
        #expect(state.update(to: [renewedA, b], now: Self.t0 + 5) == [.renewed(renewedA)])
        let changedA = lease("a", expires: 120, renewed: 5, data: ["bgp.router-id": "1.1.1.1"])
        #expect(state.update(to: [changedA, b], now: Self.t0 + 6) == [.changed(changedA)])
        #expect(state.nextExpiry() == Self.t0 + 10)
        #expect(state.expire(now: Self.t0 + 10) == [.expired(b)])
        #expect(state.expire(now: Self.t0 + 11).isEmpty, "an expiry is reported once")
        #expect(state.update(to: [changedA], now: Self.t0 + 12).isEmpty, "reclaiming an already expired lease says nothing more")
        #expect(state.update(to: [], now: Self.t0 + 13) == [.deleted(changedA)])
    }

    @Test func aLeaseRemovedAfterItsExpiryIsReportedExpiredOnce() {
        var state = LeaseWatchState()
        let a = lease("a", expires: 10)
        _ = state.update(to: [a], now: Self.t0)
        #expect(state.update(to: [], now: Self.t0 + 20) == [.expired(a)])
    }

    @Test func aNodeThatComesBackAfterExpiryIsAddedAgain() {
        var state = LeaseWatchState()
        _ = state.update(to: [lease("a", expires: 10)], now: Self.t0)
        _ = state.expire(now: Self.t0 + 11)
        let back = lease("a", expires: 100, renewed: 20)
        #expect(state.update(to: [back], now: Self.t0 + 20) == [.added(back)])
        #expect(state.snapshotEvents == [.added(back)])
    }

    /// One node's change gives the same events as a whole new view, at O(1) cost.
    @Test func perNodeChangesMatchWholeViews() {
        var whole = LeaseWatchState(), incremental = LeaseWatchState()
        let a = lease("a"), b = lease("b", subnet: "10.0.2.0/24", expires: 10)
        let renewedA = lease("a", expires: 120, renewed: 5)
        let steps: [(String, Lease?, [Lease], TimeInterval)] = [
            ("a", a, [a], 0), ("b", b, [a, b], 1), ("a", renewedA, [renewedA, b], 5),
            ("b", nil, [renewedA], 6), ("b", b, [renewedA, b], 7), ("a", nil, [b], 8),
        ]
        for (node, lease, view, at) in steps {
            #expect(incremental.set(node, lease, now: Self.t0 + at) == whole.update(to: view, now: Self.t0 + at), "\(node) at \(at)")
        }
        #expect(incremental.expire(now: Self.t0 + 11) == whole.expire(now: Self.t0 + 11))
        #expect(incremental.set("b", nil, now: Self.t0 + 12).isEmpty, "an expired lease's removal says nothing more")
    }
}
