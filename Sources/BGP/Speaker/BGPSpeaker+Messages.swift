import BGPCore
import NIOCore

/// Messages from a peer: decoded by the codec, checked, fed to the FSM, and routes to the RIB.
/// A malformed message ends at most its own session; nothing here can trap on input.
extension BGPSpeaker {
    func received(_ frame: BGPFrame, on channel: Channel) {
        guard let session = sessions.first(where: { $0.connection(for: channel) != nil }),
              let connection = session.connection(for: channel) else { return }
        switch frame {
        case .headerError(let error):
            handle(.messageError(error.notification), session: session, connection: connection)
        case .message(let buffer):
            let decoded: Result<BGPMessage, BGPMessageError> = buffer.withUnsafeReadableBytes { bytes in
                do throws(BGPMessageError) {
                    return .success(try BGPMessage.decode(bytes, options: connection.options))
                } catch {
                    return .failure(error)
                }
            }
            switch decoded {
            case .success(let message):
                received(message, session: session, connection: connection)
            case .failure(let error):
                let isUpdate = buffer.getInteger(at: buffer.readerIndex + 18, as: UInt8.self) == BGPMessageType.update.rawValue
                let event: SessionEvent = isUpdate ? .updateError(error.notification) : .messageError(error.notification)
                handle(event, session: session, connection: connection)
            }
        }
    }

    private func received(_ message: BGPMessage, session: PeerSession, connection: PeerConnection) {
        switch message {
        case .open(let open):
            receivedOpen(open, session: session, connection: connection)
        case .keepalive:
            handle(.keepaliveReceived, session: session, connection: connection)
        case .notification(let notification):
            log("peer \(session.config.address): received NOTIFICATION \(notification)")
            session.lastError = notification
            handle(.notificationReceived(notification), session: session, connection: connection)
        case .update(let update):
            handle(.updateReceived, session: session, connection: connection)
            if connection.fsm.state == .established, connection === session.primary {
                receivedUpdate(update, session: session)
            }
        case .routeRefresh(let refresh):
            handle(.routeRefreshReceived, session: session, connection: connection)
            if connection.fsm.state == .established, connection === session.primary {
                resend(family: refresh.family, to: session)
            }
        }
    }

    private func receivedOpen(_ open: OpenMessage, session: PeerSession, connection: PeerConnection) {
        if connection.fsm.state == .openSent {
            do throws(BGPMessageError) {
                try open.validate(expectedPeerAS: session.config.remoteAS, localIdentifier: config.routerID,
                                  localAS: config.localAS)
                if let minimum = session.config.minHoldTime, open.holdTime < minimum {
                    throw BGPMessageError(code: .openMessageError, subcode: OpenErrorSubcode.unacceptableHoldTime.rawValue,
                                          data: [UInt8(open.holdTime >> 8), UInt8(open.holdTime & 0xFF)],
                                          reason: "hold time \(open.holdTime) below minHoldTime \(minimum)")
                }
            } catch {
                handle(.messageError(error.notification), session: session, connection: connection)
                return
            }
            guard resolveCollision(session: session, connection: connection,
                                   remoteIdentifier: open.bgpIdentifier.value) else { return }
            connection.peerOpen = open
            connection.options = negotiatedOptions(with: open, peer: session.config)
        }
        handle(.openReceived(OpenSummary(holdTime: open.holdTime, bgpIdentifier: open.bgpIdentifier.value)),
               session: session, connection: connection)
    }

    /// What both OPENs agree on (RFC 4760 families, RFC 6793 4-octet AS, RFC 8950 IPv6
    /// next hops for IPv4 routes).
    private func negotiatedOptions(with open: OpenMessage, peer: PeerConfig) -> BGPCodecOptions {
        let theirs = open.families.isEmpty ? [AddressFamily.ipv4Unicast] : open.families
        let families = Set(theirs).intersection(Self.families(of: peer))
        let ipv6NextHops = Set(open.extendedNextHops.filter { $0.nextHopAFI == AddressFamily.ipv6Unicast.afi }.map(\.family))
        return BGPCodecOptions(fourOctetAS: open.supportsFourOctetAS, families: families,
                               isExternal: peer.remoteAS != config.localAS,
                               peerAS: peer.remoteAS != config.localAS ? peer.remoteAS : nil,
                               ipv6NextHopFamilies: ipv6NextHops.intersection(families).intersection([.ipv4Unicast]))
    }

    /// Our OPEN to this peer: multiprotocol per configured family, route refresh, IPv6
    /// next hops for IPv4 routes (RFC 8950) when IPv4 is configured, 4-octet AS (added by
    /// the codec), and graceful restart when configured.
    func localOpen(for session: PeerSession) -> OpenMessage {
        let families = Self.families(of: session.config).sorted { $0.afi < $1.afi }
        var capabilities: [Capability] = families.map { .multiprotocol($0) } + [.routeRefresh]
        if families.contains(.ipv4Unicast) { capabilities.append(.extendedNextHop([.ipv4OverIPv6])) }
        if let gr = config.gracefulRestart {
            // Forwarding survives our restart: routes live in the kernel, not in this process.
            capabilities.append(.gracefulRestart(GracefulRestartCapability(
                restarting: session.announcesRestart, restartTime: gr.restartTime,
                families: families.map { .init(family: $0, forwardingPreserved: true) })))
        }
        return OpenMessage(asNumber: config.localAS, holdTime: session.config.holdTime,
                           bgpIdentifier: config.routerID, capabilities: capabilities)
    }

    static func families(of peer: PeerConfig) -> Set<AddressFamily> {
        Set(peer.families.map { $0 == .v4 ? AddressFamily.ipv4Unicast : .ipv6Unicast })
    }
}
