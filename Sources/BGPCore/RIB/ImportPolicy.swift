/// What stands between one peer's UPDATEs and its Adj-RIB-In: the loop check (RFC 4271
/// §9.1.2), RFC 7606's treat-as-withdraw, and the peer's `import` list. Without a list
/// nothing is imported (RFC 8212; the speaker gives iBGP peers `[any]` instead).
public struct ImportPolicy: Sendable {
    public var localAS: UInt32
    /// nil: reject every route (an eBGP peer without an `import` list).
    public var filter: PrefixFilter?

    public init(localAS: UInt32, filter: PrefixFilter?) {
        self.localAS = localAS
        self.filter = filter
    }

    /// Splits `update` into what enters the RIB and the withdrawals of the refused
    /// announcements (each also an implicit withdraw of the peer's earlier path), and keeps
    /// `rejected` current: refused prefixes with their reason in, accepted and withdrawn
    /// ones out. With `[any]` and nothing refused before, the UPDATE passes untouched.
    public func screen(_ update: UpdateMessage, rejected: inout RejectedRoutes) -> (accepted: UpdateMessage, refused: UpdateMessage?) {
        if !rejected.isEmpty {
            for prefix in update.withdrawn { rejected.remove(.v4(prefix)) }
            switch update.mpUnreach?.prefixes {
            case .ipv4(let list)?: for prefix in list { rejected.remove(.v4(prefix)) }
            case .ipv6(let list)?: for prefix in list { rejected.remove(.v6(prefix)) }
            default: break
            }
        }
        let whole: RouteRejection? =
            if update.isTreatAsWithdraw { RouteRejection(.treatAsWithdraw) }
            else if update.attributes.asPath.contains(localAS) { RouteRejection(.asPathLoop) }
            else if filter == nil { RouteRejection(.noImportPolicy) }
            else { nil }
        if whole == nil, filter?.acceptsAll == true, rejected.isEmpty { return (update, nil) }

        var refusedV4: [IPv4NLRI] = [], refusedV6: [IPv6NLRI] = []
        func admit(_ prefix: RIBPrefix) -> Bool {
            let verdict: RouteRejection?
            if let whole {
                verdict = whole
            } else if let filter, !filter.acceptsAll {
                switch filter.decision(for: prefix.prefix) {
                case (_, true)?: verdict = nil
                case (let entry, false)?: verdict = RouteRejection(.importRejected, entry: entry)
                case nil: verdict = RouteRejection(.importUnmatched)
                }
            } else {
                verdict = nil
            }
            guard let verdict else {
                rejected.remove(prefix)
                return true
            }
            rejected.record(prefix, verdict)
            switch prefix {
            case .v4(let p): refusedV4.append(p)
            case .v6(let p): refusedV6.append(p)
            }
            return false
        }
        var accepted = update
        accepted.nlri = update.nlri.filter { admit(.v4($0)) }
        switch update.mpReach?.prefixes {
        case .ipv4(let list)?: accepted.mpReach?.prefixes = .ipv4(list.filter { admit(.v4($0)) })
        case .ipv6(let list)?: accepted.mpReach?.prefixes = .ipv6(list.filter { admit(.v6($0)) })
        default: break
        }
        if accepted.mpReach?.prefixes.isEmpty == true { accepted.mpReach = nil }
        guard !refusedV4.isEmpty || !refusedV6.isEmpty else { return (accepted, nil) }
        let refused = UpdateMessage(withdrawn: refusedV4,
                                    mpUnreach: refusedV6.isEmpty ? nil : MPUnreachNLRI(family: .ipv6Unicast, prefixes: .ipv6(refusedV6)))
        return (accepted, refused)
    }
}
