import Foundation
import NetworkCore
@testable import SubnetStore
import Testing

/// Issue 16, backpressure: a watcher that stops reading ends with a clear error once its
/// buffer is full; the store never holds more than the bound.
@Suite struct LeaseEventStreamTests {
    @Test func aConsumerThatFallsBehindGetsAnErrorNotUnboundedMemory() async throws {
        let (stream, continuation) = LeaseEventStream.make(leases: 0)
        let now = Date()
        let lease = Lease(node: "edge-1", subnets: [IPPrefix("10.0.1.0/24")!], nodeAddress: IPAddress("192.168.1.1")!,
                          domain: .edge, acquiredAt: now, renewedAt: now, expiresAt: now + 60)
        for _ in 0..<16_385 { continuation.deliver(.renewed(lease), store: "test") }
        var received = 0
        do {
            for try await _ in stream { received += 1 }
            Issue.record("the stream ended without an error")
        } catch let error as LeaseStoreError {
            guard case .unavailable(_, let reason) = error else { Issue.record("got \(error)"); return }
            #expect(reason.contains("fell too many events behind"))
        }
        #expect(received == 16_384)
    }
}
