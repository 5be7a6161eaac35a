import CloudAPI
import Testing

/// The client's per-action pacing and the emulator's rate caps share one bucket.
@Suite struct TokenBucketTests {
    @Test func burstThenRate() {
        var bucket = TokenBucket(rate: 10, burst: 3)
        let burst = (0..<4).map { _ in bucket.take(now: 100) }
        #expect(burst == [true, true, true, false])
        // A quarter second at 10/s: 2.5 tokens.
        let later = bucket.take(now: 100.25)
        #expect(later)
        // Reservations queue behind each other at the rate.
        let waits = (0..<3).map { _ in bucket.reserve(now: 100.25) }
        #expect(waits[0] == 0 && abs(waits[1] - 0.05) < 1e-9 && abs(waits[2] - 0.15) < 1e-9, "\(waits)")
        // A clock that goes back does not mint tokens.
        let past = bucket.take(now: 50)
        #expect(!past)
    }
}
