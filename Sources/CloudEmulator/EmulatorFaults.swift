import CloudAPI

/// The misbehaviour a world asks for: failure rates answered `InternalError` (before or
/// after applying the call), and per
/// action (`"*"` for every action) a refused fraction (`Throttling.User`) and a rate cap
/// (`Throttling.Api`).
struct EmulatorFaults {
    let latency: Double
    private let failureRate: Double
    private let lostAnswerRate: Double
    private let throttle: [String: EmulatorWorld.Faults.Throttle]
    private var buckets: [String: TokenBucket] = [:]
    private var random: SystemRandomNumberGenerator

    init(_ faults: EmulatorWorld.Faults) {
        latency = faults.latency
        failureRate = faults.failureRate
        lostAnswerRate = faults.lostAnswerRate
        throttle = faults.throttle
        random = SystemRandomNumberGenerator()
    }

    mutating func refusal(action: String, now: Double) -> EmulatorFault? {
        for key in [action, "*"] {
            guard let rule = throttle[key] else { continue }
            if let fraction = rule.fraction, Double.random(in: 0..<1, using: &random) < fraction {
                return EmulatorFault("Throttling.User", "Request was denied due to user flow control.")
            }
            if let rate = rule.perSecond {
                var bucket = buckets[key] ?? TokenBucket(rate: rate, burst: rate)
                defer { buckets[key] = bucket }
                if !bucket.take(now: now) {
                    return EmulatorFault("Throttling.Api", "Request was denied due to api flow control.")
                }
            }
        }
        if failureRate > 0, Double.random(in: 0..<1, using: &random) < failureRate {
            return EmulatorFault("InternalError", "The request processing has failed due to some unknown error.", status: 500)
        }
        return nil
    }

    /// After a change was applied: whether its answer is lost.
    mutating func losesAnswer() -> EmulatorFault? {
        guard lostAnswerRate > 0, Double.random(in: 0..<1, using: &random) < lostAnswerRate else { return nil }
        return EmulatorFault("InternalError", "The request processing has failed due to some unknown error.", status: 500)
    }
}
