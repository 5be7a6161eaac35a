/// The pause before a watch retries: a ceiling doubling from `base` up to `cap`, each pause
/// drawn uniformly between half the ceiling and all of it, so thousands of agents that lost
/// their store together do not come back together. Never gives up.
struct WatchBackoff: Sendable {
    var base: Duration = .milliseconds(100)
    var cap: Duration = .seconds(10)
    private(set) var failures = 0

    /// The pause before the next attempt, counting this failure.
    mutating func next() -> Duration {
        failures += 1
        let ceiling = min(base * (1 << min(failures - 1, 20)), cap)
        let millis = max(Int64(ceiling.timeInterval * 1000), 1)
        return .milliseconds(Int64.random(in: millis / 2 ... millis))
    }

    /// A good event: the next failure starts from `base` again.
    mutating func reset() { failures = 0 }
}
