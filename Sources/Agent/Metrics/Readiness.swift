import Synchronization

/// What `/readyz` answers: ready once every named condition holds (the lease is held, the
/// subnet file written, the routes programmed). Services set their own condition.
public final class Readiness: Sendable {
    private let conditions: Mutex<[String: Bool]>

    /// `names`: the conditions that must hold, all false at first.
    public init(_ names: [String]) {
        conditions = Mutex(Dictionary(uniqueKeysWithValues: names.map { ($0, false) }))
    }

    public func set(_ name: String, _ holds: Bool) {
        conditions.withLock { $0[name] = holds }
    }

    /// The conditions not yet holding, sorted; empty when ready.
    public var unmet: [String] {
        conditions.withLock { $0.filter { !$0.value }.map(\.key).sorted() }
    }
}
