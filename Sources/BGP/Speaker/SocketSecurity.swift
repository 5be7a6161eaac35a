import CBGPSocket
import NIOCore
import NetworkCore
import Glibc

/// RFC 2385 TCP-MD5 keys and RFC 5082 GTSM on a channel's socket. Linux checks both in
/// the kernel: a segment with a wrong or missing signature, or a TTL below the minimum,
/// never reaches us.
enum SocketSecurity {
    /// The `struct tcp_md5sig` that installs (or, with an empty key, removes) the key for
    /// one peer address.
    static func md5Signature(peer: IPAddress, key: String) -> cbgp_tcp_md5sig {
        var sig = cbgp_tcp_md5sig()
        withUnsafeMutableBytes(of: &sig.tcpm_addr) { raw in
            switch peer {
            case .v4(let address):
                var sin = sockaddr_in()
                sin.sin_family = sa_family_t(AF_INET)
                sin.sin_addr.s_addr = address.value.bigEndian
                withUnsafeBytes(of: &sin) { raw.copyMemory(from: $0) }
            case .v6(let address):
                var sin6 = sockaddr_in6()
                sin6.sin6_family = sa_family_t(AF_INET6)
                withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.copyBytes(from: address.bytes) }
                withUnsafeBytes(of: &sin6) { raw.copyMemory(from: $0) }
            }
        }
        let bytes = Array(key.utf8.prefix(Int(CBGP_TCP_MD5SIG_MAXKEYLEN)))
        sig.tcpm_keylen = UInt16(bytes.count)
        withUnsafeMutableBytes(of: &sig.tcpm_key) { $0.copyBytes(from: bytes) }
        return sig
    }

    /// Installs the MD5 key for `peer` on a listening or not yet connected socket.
    static func setMD5(on channel: Channel, peer: IPAddress, key: String) -> EventLoopFuture<Void> {
        guard let provider = channel as? SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(SpeakerError.socketOption("TCP_MD5SIG", "not a socket"))
        }
        return provider.unsafeSetSocketOption(level: SocketOptionLevel(IPPROTO_TCP),
                                              name: SocketOptionName(CBGP_TCP_MD5SIG),
                                              value: md5Signature(peer: peer, key: key))
    }

    /// GTSM for a peer `hops` away: we send with TTL 255 and accept only TTL >= 256 - hops.
    static func setTTLSecurity(on channel: Channel, family: IPFamily, hops: Int) -> EventLoopFuture<Void> {
        let minimum = switch family {
        case .v4: option(channel, CInt(IPPROTO_IP), CBGP_IP_MINTTL, 256 - hops)
        case .v6: option(channel, CInt(IPPROTO_IPV6), CBGP_IPV6_MINHOPCOUNT, 256 - hops)
        }
        return sendWithTTL255(on: channel, family: family).and(minimum).map { _ in }
    }

    /// TTL (hop limit) 255 on what the socket sends. On the listener this covers the
    /// SYN-ACK, which a GTSM peer's connecting socket would otherwise drop.
    static func sendWithTTL255(on channel: Channel, family: IPFamily) -> EventLoopFuture<Void> {
        switch family {
        case .v4: option(channel, CInt(IPPROTO_IP), CInt(IP_TTL), 255)
        case .v6: option(channel, CInt(IPPROTO_IPV6), CInt(IPV6_UNICAST_HOPS), 255)
        }
    }

    private static func option(_ channel: Channel, _ level: CInt, _ name: CInt, _ value: Int) -> EventLoopFuture<Void> {
        channel.setOption(ChannelOptions.Types.SocketOption(level: SocketOptionLevel(level), name: SocketOptionName(name)),
                          value: value)
    }
}
