/// A token bucket with the clock passed in: `rate` tokens a second up to `burst`. The
/// client paces each action with one; the emulator caps an action's rate with one.
public struct TokenBucket: Sendable {
    public let rate: Double
    public let burst: Double
    private var tokens: Double
    private var last: Double?

    public init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = max(1, burst)
        tokens = self.burst
    }

    /// Takes a token if there is one.
    public mutating func take(now: Double) -> Bool {
        refill(now: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Takes a token now or in the future: the seconds to wait before using it.
    public mutating func reserve(now: Double) -> Double {
        refill(now: now)
        tokens -= 1
        return tokens >= 0 ? 0 : -tokens / rate
    }

    private mutating func refill(now: Double) {
        if let last, now > last { tokens = min(burst, tokens + (now - last) * rate) }
        last = max(last ?? now, now)
    }
}
