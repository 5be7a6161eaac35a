import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// TCP keepalive probes and a user timeout on every connection: a peer that vanished (a dead
/// WAN path, a powered-off host) is noticed in `idle + interval * count` seconds instead of
/// the kernel's two hours, on quiet watch streams as well as on kept-alive connections.
/// A frozen server process is not detected this way (its kernel still answers): watch
/// streams add an idle read timeout for that.
public struct TCPKeepalive: Sendable, Hashable {
    /// Seconds of silence before the first probe.
    public var idle: Int
    /// Seconds between probes.
    public var interval: Int
    /// Unanswered probes after which the connection is dropped.
    public var count: Int

    public init(idle: Int = 10, interval: Int = 5, count: Int = 3) {
        self.idle = idle
        self.interval = interval
        self.count = count
    }

    /// The socket options that apply it (TCP_USER_TIMEOUT bounds unacknowledged sends the same way).
    var options: [(ChannelOptions.Types.SocketOption, SocketOptionValue)] {
        let tcp = NIOBSDSocket.OptionLevel(rawValue: CInt(IPPROTO_TCP))
        func option(_ name: CInt) -> ChannelOptions.Types.SocketOption { .init(level: tcp, name: NIOBSDSocket.Option(rawValue: name)) }
        return [
            (ChannelOptions.Types.SocketOption(level: .socket, name: .so_keepalive), 1),
            (option(TCP_KEEPIDLE), SocketOptionValue(idle)),
            (option(TCP_KEEPINTVL), SocketOptionValue(interval)),
            (option(TCP_KEEPCNT), SocketOptionValue(count)),
            (option(CInt(TCP_USER_TIMEOUT)), SocketOptionValue((idle + interval * count) * 1000)),
        ]
    }
}
