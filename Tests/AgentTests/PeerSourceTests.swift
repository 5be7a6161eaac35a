@testable import Agent
import NetworkCore
import RouteSync
import Testing

/// The parts both peer sources share: the domain filter and the bounded change stream.
@Suite struct PeerSourceTests {
    @Test func scopeKeepsOtherNodesOfTheDomain() {
        let scope = PeerScope(node: "edge-1", podCIDRs: [IPPrefix("10.0.0.0/16")!, IPPrefix("fd00:a::/48")!])
        let address = [IPAddress("172.16.1.22")!]
        #expect(scope.peer(name: "edge-2", addresses: address, subnets: [IPPrefix("10.0.2.0/24")!, IPPrefix("fd00:a:0:2::/64")!]) != nil)
        #expect(scope.peer(name: "edge-1", addresses: address, subnets: [IPPrefix("10.0.1.0/24")!]) == nil, "not this node")
        #expect(scope.peer(name: "edge-3", addresses: address, subnets: [IPPrefix("10.1.3.0/24")!]) == nil, "another domain")
        #expect(scope.peer(name: "edge-4", addresses: address, subnets: []) == nil, "no podCIDR yet")
        #expect(scope.peer(name: "edge-5", addresses: [], subnets: [IPPrefix("10.0.5.0/24")!]) == nil, "no InternalIP")
    }

    /// A consumer that falls too far behind gets an error (and follows again from a whole
    /// set), not an ever-growing buffer.
    @Test func aConsumerTooFarBehindEndsTheStream() async throws {
        let total = PeerChangesOverflow.limit + 10
        let stream = AsyncThrowingStream<PeerChange, any Error>.producing { send in
            for index in 0..<total { send(.removed("edge-\(index)")) }
        }
        try await Task.sleep(for: .milliseconds(200))
        var received = 0
        await #expect(throws: PeerChangesOverflow.self) {
            for try await _ in stream { received += 1 }
        }
        #expect(received == PeerChangesOverflow.limit)
    }
}
