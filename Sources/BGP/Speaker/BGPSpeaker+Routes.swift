import BGPCore
import NIOCore
import NetworkCore

/// Routes: originated prefixes, UPDATEs into the RIB, Loc-RIB changes out to every peer's
/// Adj-RIB-Out, max-prefix, and graceful restart on both sides (RFC 4724).
extension BGPSpeaker {
    func sessionEstablished(_ session: PeerSession) {
        let connection = session.primary
        session.establishedAt = .now()
        session.prefixesReceived = 0
        if let open = connection.peerOpen, var info = rib.peer(session.peerID) {
            info.routerID = open.bgpIdentifier
            rib.updatePeer(session.peerID, info)
        }
        let local = connection.channel?.localAddress.flatMap(Self.ipAddress) ?? .v4(config.routerID)
        session.export = ExportPolicy(localAS: config.localAS, routerID: config.routerID, peer: session.peerID,
                                      isExternal: session.config.remoteAS != config.localAS,
                                      exportLearned: session.config.exportLearned,
                                      families: connection.options.families, localAddress: local,
                                      otherFamilyNextHop: session.config.otherFamilyNextHop
                                          ?? LocalInterfaces.sibling(of: local, family: local.family == .v4 ? .v6 : .v4))
        // RFC 4724 §4.2: stale routes of families whose forwarding state the restarted peer
        // did not keep (no capability, or F bit clear) go at once; the others wait for EoR.
        if !session.stale.isEmpty {
            let kept = Set(connection.peerOpen?.gracefulRestart?.families.filter(\.forwardingPreserved).map(\.family) ?? [])
            endStale(session, families: session.stale.keys.filter { !kept.contains($0) })
        }
        // The initial update: the whole exportable Loc-RIB, then End-of-RIB per family. It
        // leaves in chunks while the RIB is walked, so the peer works on the first UPDATEs
        // as the rest are built, and a full table's worth is never encoded at once. The walk
        // is over a copy: a write that fails ends the session at once, which changes the RIB.
        session.adjRIBOut.removeAll()
        let packer = UpdatePacker(options: connection.options)
        var delta = AdjRIBOut.Delta()
        let table = rib
        table.forEachBest { route in
            session.adjRIBOut.set(route.prefix, exported(route, to: session), into: &delta)
            if delta.count == Self.initialUpdateChunk {
                connection.write(session.adjRIBOut.encode(delta, with: packer))
                delta = AdjRIBOut.Delta()
            }
        }
        var bytes = session.adjRIBOut.encode(delta, with: packer)
        if connection.peerOpen?.gracefulRestart != nil {
            for family in connection.options.families.sorted(by: { $0.afi < $1.afi }) {
                BGPMessage.update(.endOfRIB(family)).encode(into: &bytes, options: connection.options)
            }
        }
        if !bytes.isEmpty { connection.write(bytes) }
    }

    /// Prefixes per chunk of the initial update: about 64 full UPDATEs of /24s.
    static let initialUpdateChunk = 65_536

    /// The session ended: the peer's routes go, or stay as stale when it restarts gracefully.
    func sessionDown(_ session: PeerSession, graceful: Bool) {
        session.establishedAt = nil
        session.adjRIBOut.removeAll()
        session.export = nil
        let restartTime = session.primary.peerOpen?.gracefulRestart?.restartTime
            ?? session.secondary?.peerOpen?.gracefulRestart?.restartTime
        if graceful, !stopping, let restartTime, restartTime > 0 {
            markStale(session, for: restartTime)
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
            return
        }
        if !session.stale.isEmpty { unmarkStale(update, session: session) }
        var changes: [BestPathChange] = []
        let result = rib.apply(update, from: session.peerID, changes: &changes)
        session.prefixesReceived += result.announced
        if let limit = session.config.maxPrefixes, rib.acceptedCount(session.peerID) > limit {
            // RFC 4271 §8.1.2 / RFC 4486: Cease 6/1, and the session stays down until restart.
            distribute(changes)
            let connection = session.primary
            handle(.updateError(.cease(.maximumNumberOfPrefixesReached)), session: session, connection: connection)
            handle(.manualStop, session: session, connection: connection)
            return
        }
        distribute(changes)
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
        for session in sessions where session.isEstablished {
            var delta = AdjRIBOut.Delta()
            for change in changes {
                session.adjRIBOut.set(change.prefix, change.best.flatMap { exported($0, to: session) }, into: &delta)
            }
            guard !delta.isEmpty else { continue }
            session.primary.write(session.adjRIBOut.encode(delta, with: UpdatePacker(options: session.primary.options)))
        }
    }

    /// ROUTE-REFRESH (RFC 2918): the Adj-RIB-Out of that family again.
    func resend(family: AddressFamily, to session: PeerSession) {
        let delta = session.adjRIBOut.all(family: family)
        let bytes = session.adjRIBOut.encode(delta, with: UpdatePacker(options: session.primary.options))
        if !bytes.isEmpty { session.primary.write(bytes) }
    }

    private func exported(_ route: RIBRoute, to session: PeerSession) -> PathAttributes? {
        guard session.export != nil else { return nil }
        let source = route.peer == .local ? nil : rib.peer(route.peer)?.isExternal
        return session.export?.attributes(for: route, sourceIsExternal: source)
    }
}
