import BGPCore
import NetworkCore

/// A change of the Loc-RIB's best path as a kernel table sees it: the best route learned
/// from a peer, or nil when there is none any more (withdrawn, or our originated route won).
public struct LearnedRouteChange: Hashable, Sendable {
    public var prefix: IPPrefix
    public var best: RIBRoute?

    init(_ change: BestPathChange) {
        prefix = change.prefix.prefix
        best = change.best.flatMap { $0.peer == .local ? nil : $0 }
    }
}
