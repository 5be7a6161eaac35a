/// Exponential backoff with full jitter, capped: attempt n waits a uniform time in
/// [0, min(cap, base·2ⁿ)], so a throttled fleet spreads out instead of retrying in step.
public struct RetryPolicy: Sendable, Hashable {
    public var maxAttempts: Int
    public var baseDelay: Double
    public var maxDelay: Double

    public init(maxAttempts: Int = 8, baseDelay: Double = 0.05, maxDelay: Double = 2) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 0).
    public func delay(afterAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Double {
        let ceiling = min(maxDelay, baseDelay * Double(1 << min(attempt, 30)))
        return Double.random(in: 0...ceiling, using: &generator)
    }
}
