import Foundation
import NetworkCore
import Netlink

/// Times how long our code takes to put back something a test deleted (or to react to a
/// change the test made) in a namespace, by the kernel's own notifications on a netlink
/// monitor opened before the change: from the change's event (a removal) to the event of
/// our repair. Not by polling with `ip ... show`: on a loaded machine each poll's process
/// start-up would be counted as the repair's time, and a clock started before the
/// changing command would count that command too.
public final class KernelRepairClock {
    private let monitor: NetlinkMonitor

    /// Open it before the change; it sees only what happens in `namespace` from then on.
    public init(_ namespace: TestNamespace, groups: Set<MonitorGroup>) throws {
        monitor = try NetworkNamespace(path: namespace.path).openNetlinkMonitor(groups: groups)
    }

    /// Runs `change` while a thread of its own waits on the monitor: the clock starts at the
    /// first event that `startsAt` matches and stops at the first later one that `stopsAt`
    /// matches, each read as the kernel sends it (read only after `change` returned, both
    /// would already be queued and the time tell nothing). Nil when that does not happen
    /// within `timeout`, which only ends a hang: the caller judges the time.
    public func time(_ change: () throws -> Void, startsAt: @escaping (NetlinkEvent) -> Bool,
                     stopsAt: @escaping (NetlinkEvent) -> Bool, timeout: Duration = .seconds(30)) throws -> Duration? {
        let deadline = ContinuousClock.now + timeout
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        // The reader alone uses the monitor and the matchers until it signals.
        let reader = UncheckedBox { [self] in
            Result { () throws -> Duration? in
                guard let started = try next(where: startsAt, before: deadline) else { return nil }
                return try next(where: stopsAt, before: deadline).map { $0 - started }
            }
        }
        Thread {
            outcome.result = reader.value()
            done.signal()
        }.start()
        try change()
        done.wait()
        return try outcome.result!.get()
    }

    /// Reads events (those of the namespace since the clock opened, then new ones) until
    /// one matches; the instant it was read, or nil at `deadline`.
    public func next(where matches: (NetlinkEvent) -> Bool, before deadline: ContinuousClock.Instant) throws -> ContinuousClock.Instant? {
        while ContinuousClock.now < deadline, let event = try monitor.next(timeout: deadline - ContinuousClock.now) {
            if event == .eventsLost { throw TestEnvironmentError("the netlink monitor lost events: no time to tell") }
            if matches(event) { return ContinuousClock.now }
        }
        return nil
    }
}

extension NetlinkEvent {
    /// A route to `destination` (in `table`) removed (`removed`) or added.
    public func isRoute(to destination: String, table: UInt32 = KernelRoute.mainTable, removed: Bool) -> Bool {
        guard case .route(let route, removed) = self else { return false }
        return route.destination == IPPrefix(destination) && route.table == table
    }

    /// A rule `from source` (a prefix: `192.168.0.5/32`) removed or added.
    public func isRule(from source: String, removed: Bool) -> Bool {
        guard case .rule(let rule, removed) = self else { return false }
        return rule.source == IPPrefix(source)
    }

    /// Nexthop `id` removed or added.
    public func isNexthop(_ id: UInt32, removed: Bool) -> Bool {
        guard case .nexthop(let nexthop, removed) = self else { return false }
        return nexthop.id == id
    }
}

/// Hands a value to a thread that alone uses it from then on.
private struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// The reader thread's result: written before it signals, read after the wait.
private final class Outcome: @unchecked Sendable {
    var result: Result<Duration?, any Error>?
}
