import BGPCore
import NIOCore
import NetworkCore

/// Routes: originated prefixes, UPDATEs into the RIB, Loc-RIB changes out to every peer's
/// Adj-RIB-Out, max-prefix, and graceful restart on both sides (RFC 4724).
extension BGPSpeaker {
    func sessionEstablished(_ session: PeerSession) {
        let connection = session.primary
        session.limitWarned = false
        session.establishedAt = .now()
        session.prefixesReceived = 0
        session.announcesRestart = false
        session.endOfRIBReceived = []
        if let open = connection.peerOpen, var info = rib.peer(session.peerID) {
            info.routerID = open.bgpIdentifier
            rib.updatePeer(session.peerID, info)
        }
        let local = connection.channel?.localAddress.flatMap(Self.ipAddress) ?? .v4(config.routerID)
        session.interfaceIndex = LocalInterfaces.interfaceIndex(holding: local)
        session.export = ExportPolicy(localAS: config.localAS, routerID: config.routerID, peer: session.peerID,
                                      isExternal: session.config.remoteAS != config.localAS,
                                      exportLearned: session.config.exportLearned,
                                      filter: session.config.effectiveExport(localAS: config.localAS),
                                      families: connection.options.families, localAddress: local,
                                      otherFamilyNextHop: session.config.otherFamilyNextHop
                                          ?? LocalInterfaces.sibling(of: local, family: local.family == .v4 ? .v6 : .v4),
                                      ipv6NextHopForIPv4: connection.options.ipv6NextHopFamilies.contains(.ipv4Unicast))
        // RFC 4724 §4.2: stale routes of families whose forwarding state the restarted peer
        // did not keep (no capability, or F bit clear) go at once; the others wait for EoR.
        if !session.stale.isEmpty {
            let kept = Set(connection.peerOpen?.gracefulRestart?.families.filter(\.forwardingPreserved).map(\.family) ?? [])
            endStale(session, families: session.stale.keys.filter { !kept.contains($0) })
        }
        session.initialUpdateSent = false
        if deferring {
            endDeferralIfComplete()
        } else {
            sendInitialUpdate(session)
        }
    }

    /// The initial update: the whole exportable Loc-RIB, then End-of-RIB per family, to
    /// every peer (RFC 4724 §2: a peer without the capability ignores an empty UPDATE). The
    /// walk fills the Adj-RIB-Out and queues the prefixes; their UPDATEs are built as the
    /// peer reads them (`flushOutput`), so a full table is never encoded at once. The walk
    /// is over a copy: a write that fails ends the session at once, which changes the RIB.
    private func sendInitialUpdate(_ session: PeerSession) {
        let connection = session.primary
        session.initialUpdateSent = true
        session.adjRIBOut.removeAll()
        session.output = OutputQueue()
        var delta = AdjRIBOut.Delta()
        let table = rib
        table.forEachBest { route in
            session.adjRIBOut.set(route.prefix, exported(route, to: session), into: &delta)
            if delta.count == Self.initialUpdateChunk {
                session.output.addTable(delta)
                delta = AdjRIBOut.Delta()
            }
        }
        session.output.addTable(delta)
        session.output.addEndOfRIB(connection.options.families.sorted(by: { $0.afi < $1.afi }))
        flushOutput(session)
    }

    /// RFC 4724 §4.1: the deferral ends once every peer that does graceful restart is back
    /// and sent End-of-RIB for each family of its session (peers without the capability
    /// are not waited for).
    func endDeferralIfComplete() {
        let complete = sessions.allSatisfy { session in
            guard session.isEstablished else { return false }
            guard session.primary.peerOpen?.gracefulRestart != nil else { return true }
            return session.endOfRIBReceived.isSuperset(of: session.primary.options.families)
        }
        if complete { endDeferral() }
    }

    /// Selection deferral over (or never on): every established peer gets its table now.
    func endDeferral() {
        guard deferring else { return }
        deferring = false
        deferralTimer?.cancel()
        deferralTimer = nil
        log("selection deferral ended: routes selected and sent")
        for session in sessions where session.isEstablished && !session.initialUpdateSent { sendInitialUpdate(session) }
        for waiter in deferralWaiters { waiter.resume() }
        deferralWaiters = []
    }

    /// Returns when the routes after a graceful restart of ours are complete: End-of-RIB
    /// arrived from every graceful-restart peer, or the selection deferral timer ended. At
    /// once when we did not restart. A kernel table sweeps the routes it kept then.
    public func initialRoutesComplete() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            loop.execute {
                if self.deferring { self.deferralWaiters.append(continuation) } else { continuation.resume() }
            }
        }
    }

    /// Prefixes the initial walk queues at a time.
    static let initialUpdateChunk = 65_536

    /// The session ended: the peer's routes go, or stay as stale when it restarts gracefully.
    func sessionDown(_ session: PeerSession, graceful: Bool) {
        session.establishedAt = nil
        session.adjRIBOut.removeAll()
        session.output = OutputQueue()
        session.export = nil
        session.rejected.removeAll()
        session.initialUpdateSent = false
        let capability = session.primary.peerOpen?.gracefulRestart ?? session.secondary?.peerOpen?.gracefulRestart
        // RFC 4724 §4.2: only the families the peer listed in its capability are kept, as
        // stale; FRR lists none by default (helper only), so its routes go at once. The F bit
        // speaks of the peer's previous restart: it is checked on the OPEN after this one
        // (`sessionEstablished`), as BIRD and FRR do (a fresh BIRD sends it clear).
        let kept = Set(capability?.families.map(\.family) ?? [])
        if graceful, !stopping, let capability, capability.restartTime > 0, !kept.isEmpty {
            markStale(session, for: capability.restartTime)
            endStale(session, families: session.stale.keys.filter { !kept.contains($0) })
        } else {
            flush(session)
        }
    }

    private func flush(_ session: PeerSession) {
        session.staleTimer?.cancel()
        session.stale = [:]
        var changes: [BestPathChange] = []
        rib.flush(session.peerID, changes: &changes)
        distribute(changes)
    }

    /// RFC 4724 §4.2: keep the routes, remember them as stale, drop them when the restart
    /// time passes without the peer coming back.
    private func markStale(_ session: PeerSession, for seconds: UInt16) {
        var stale: [AddressFamily: Set<RIBPrefix>] = [:]
        for route in rib.adjRIBIn(session.peerID) {
            stale[route.prefix.family, default: []].insert(route.prefix)
        }
        session.stale = stale
        session.staleTimer?.cancel()
        session.staleTimer = loop.scheduleTask(in: .seconds(Int64(seconds))) { [self] in
            if !session.isEstablished { flush(session) } else { endStale(session, families: Array(session.stale.keys)) }
        }
    }

    /// Withdraws the stale routes the peer did not re-announce.
    private func endStale(_ session: PeerSession, families: [AddressFamily]) {
        var changes: [BestPathChange] = []
        for family in families {
            guard let prefixes = session.stale.removeValue(forKey: family), !prefixes.isEmpty else { continue }
            var withdrawal = UpdateMessage()
            let v4 = prefixes.compactMap { if case .v4(let p) = $0 { p } else { nil } }
            let v6 = prefixes.compactMap { if case .v6(let p) = $0 { p } else { nil } }
            withdrawal.withdrawn = v4
            if !v6.isEmpty { withdrawal.mpUnreach = MPUnreachNLRI(family: .ipv6Unicast, prefixes: .ipv6(v6)) }
            rib.apply(withdrawal, from: session.peerID, changes: &changes)
        }
        if session.stale.isEmpty { session.staleTimer?.cancel() }
        distribute(changes)
    }

    func receivedUpdate(_ update: UpdateMessage, session: PeerSession) {
        if let family = update.endOfRIB {
            if session.stale[family] != nil { endStale(session, families: [family]) }
            session.endOfRIBReceived.insert(family)
            if deferring { endDeferralIfComplete() }
            return
        }
        if !session.stale.isEmpty { unmarkStale(update, session: session) }
        var changes: [BestPathChange] = []
        var (accepted, refused) = session.importPolicy.screen(update, rejected: &session.rejected)
        let limit = session.config.prefixLimit
        if limit.action == .warn { refuseBeyondLimit(&accepted, session: session) }
        rib.apply(accepted, from: session.peerID, changes: &changes)
        if let refused { rib.apply(refused, from: session.peerID, changes: &changes) }
        session.prefixesReceived += update.nlri.count + (update.mpReach?.prefixes.count ?? 0)
        if limit.action != .warn,
           let family = [AddressFamily.ipv4Unicast, .ipv6Unicast].first(where: {
               rib.acceptedCount(session.peerID, family: $0) > limit.limit(for: $0) ?? .max }) {
            // RFC 4271 §8.1.2 / RFC 4486: Cease 6/1. Nothing of this UPDATE was installed or
            // exported; the session's end withdraws the rest.
            log("peer \(session.config.address): more than \(limit.limit(for: family) ?? 0) \(family) prefixes, Cease 6/1"
                + (limit.action == .restart ? ", restart in \(limit.restartAfter) s" : ", kept down"))
            refused = nil
            let connection = session.primary
            handle(.updateError(.cease(.maximumNumberOfPrefixesReached)), session: session, connection: connection)
            handle(.manualStop, session: session, connection: connection)
            if limit.action == .restart {
                session.limitRestart?.cancel()
                session.limitRestart = loop.scheduleTask(in: .seconds(Int64(limit.restartAfter))) { [self] in
                    guard !stopping, session.primary.fsm.state == .idle else { return }
                    handle(.manualStart, session: session, connection: session.primary)
                }
            }
            return
        }
        distribute(changes)
    }

    /// `action: warn`: announcements of new prefixes beyond the family's limit are refused
    /// (recorded as rejected); replacements of prefixes the peer already has pass.
    private func refuseBeyondLimit(_ update: inout UpdateMessage, session: PeerSession) {
        let limit = session.config.prefixLimit
        var v4Count = rib.acceptedCount(session.peerID, family: .ipv4Unicast)
        var v6Count = rib.acceptedCount(session.peerID, family: .ipv6Unicast)
        func admit<Key>(_ prefixes: [Key], family: AddressFamily, count: inout Int, _ wrap: (Key) -> RIBPrefix) -> [Key] {
            let maximum = limit.limit(for: family) ?? .max
            guard count + prefixes.count > maximum else { return prefixes }
            if !session.limitWarned {
                session.limitWarned = true
                log("peer \(session.config.address): \(family) prefix limit \(maximum) reached; further prefixes refused")
            }
            return prefixes.filter { key in
                let prefix = wrap(key)
                if rib.hasPath(prefix, from: session.peerID) { return true }
                guard count < maximum else {
                    session.rejected.record(prefix, RouteRejection(.prefixLimit))
                    return false
                }
                count += 1
                return true
            }
        }
        update.nlri = admit(update.nlri, family: .ipv4Unicast, count: &v4Count) { .v4($0) }
        switch update.mpReach?.prefixes {
        case .ipv4(let list)?:
            update.mpReach?.prefixes = .ipv4(admit(list, family: .ipv4Unicast, count: &v4Count) { .v4($0) })
        case .ipv6(let list)?:
            update.mpReach?.prefixes = .ipv6(admit(list, family: .ipv6Unicast, count: &v6Count) { .v6($0) })
        default:
            break
        }
    }

    /// Re-announced prefixes are fresh again.
    private func unmarkStale(_ update: UpdateMessage, session: PeerSession) {
        for prefix in update.nlri { session.stale[.ipv4Unicast]?.remove(.v4(prefix)) }
        switch update.mpReach?.prefixes {
        case .ipv4(let list)?: for prefix in list { session.stale[.ipv4Unicast]?.remove(.v4(prefix)) }
        case .ipv6(let list)?: for prefix in list { session.stale[.ipv6Unicast]?.remove(.v6(prefix)) }
        default: break
        }
    }

    /// Loc-RIB changes to every established peer, as the differences to its Adj-RIB-Out.
    func distribute(_ changes: [BestPathChange]) {
        guard !changes.isEmpty else { return }
        reportLearned(changes)
        for session in sessions where session.isEstablished && session.initialUpdateSent {
            var delta = AdjRIBOut.Delta()
            for change in changes {
                session.adjRIBOut.set(change.prefix, change.best.flatMap { exported($0, to: session) }, into: &delta)
            }
            guard !delta.isEmpty else { continue }
            session.output.addChanges(delta)
            flushOutput(session)
        }
    }

    /// ROUTE-REFRESH (RFC 2918): the Adj-RIB-Out of that family again.
    func resend(family: AddressFamily, to session: PeerSession) {
        guard session.initialUpdateSent else { return }
        session.output.addTable(session.adjRIBOut.all(family: family))
        flushOutput(session)
    }

    private func exported(_ route: RIBRoute, to session: PeerSession) -> PathAttributes? {
        guard session.export != nil else { return nil }
        let source = route.peer == .local ? nil : rib.peer(route.peer)?.isExternal
        return session.export?.attributes(for: route, sourceIsExternal: source)
    }
}
