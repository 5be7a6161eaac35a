import CNetlink
import Glibc
import NetworkCore
import POSIX

/// A netlink socket that listens to rtnetlink multicast groups (`ip monitor route nexthop
/// link`). Like `NetlinkSocket` it stays bound to the namespace it was opened in
/// (`NetworkNamespace.openNetlinkMonitor`), and it is for one reader at a time: typically a
/// thread of its own blocked in `next`.
public final class NetlinkMonitor {
    private let fd: Int32
    private var receiveBuffer = [UInt8](repeating: 0, count: NetlinkSocket.receiveBufferSize)
    /// Events of the last datagram not handed out yet.
    private var pending: [NetlinkEvent] = []
    /// Notifications caused by requests of these sockets (`NetlinkSocket.portID`) are
    /// dropped undecoded: a writer knows its own changes, and a late echo of one (a delete
    /// announced after the same route was added again) must not read as someone else's.
    public var ignoredPortIDs: Set<UInt32> = []

    /// A burst (20k routes deleted by a link going down) must fit, or events are lost.
    public static let socketBufferSize: Int32 = 8 << 20

    /// Opens a monitor in the calling thread's namespace, joined to `groups`. A small
    /// `receiveBufferSize` is for tests of the overflow path.
    public init(groups: Set<MonitorGroup>, receiveBufferSize: Int32 = NetlinkMonitor.socketBufferSize) throws(NetlinkError) {
        fd = try systemCall("socket(AF_NETLINK)") { socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_ROUTE) }
        do throws(NetlinkError) {
            var size = receiveBufferSize
            // SO_RCVBUFFORCE passes rmem_max for a privileged process; the plain option is the fallback.
            if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size)) != 0 {
                try systemCall("setsockopt(SO_RCVBUF)") { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
            }
            var address = sockaddr_nl()
            address.nl_family = sa_family_t(AF_NETLINK)
            try systemCall("bind(AF_NETLINK)") {
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_nl>.size)) }
                }
            }
            // Groups past 32 (RTNLGRP_NEXTHOP) exist only through this option, so every group goes through it.
            for group in groups {
                var number = group.number
                try systemCall("setsockopt(NETLINK_ADD_MEMBERSHIP \(group))") {
                    setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &number, socklen_t(MemoryLayout<UInt32>.size))
                }
            }
        } catch {
            close(fd)
            throw error
        }
    }

    deinit { close(fd) }

    /// Has the kernel drop the route notifications of `protocolID` before they reach this
    /// socket (a classic BPF filter): a listener that ignores some daemon's routes is then
    /// neither woken nor overflowed by a full table of them going in. Other messages pass.
    public func dropRoutes(ofProtocol protocolID: UInt8) throws(NetlinkError) {
        // Each notification is one datagram: nlmsghdr (type's low octet at 4, host order),
        // then the rtmsg, whose rtm_protocol is octet 5 (21 in all).
        let load = UInt16(BPF_LD | BPF_B | BPF_ABS), equal = UInt16(BPF_JMP | BPF_JEQ | BPF_K), ret = UInt16(BPF_RET | BPF_K)
        var program = [
            sock_filter(code: load, jt: 0, jf: 0, k: 4),
            sock_filter(code: equal, jt: 1, jf: 0, k: UInt32(RTM_NEWROUTE)),
            sock_filter(code: equal, jt: 0, jf: 3, k: UInt32(RTM_DELROUTE)),
            sock_filter(code: load, jt: 0, jf: 0, k: 16 + 5),
            sock_filter(code: equal, jt: 0, jf: 1, k: UInt32(protocolID)),
            sock_filter(code: ret, jt: 0, jf: 0, k: 0),
            sock_filter(code: ret, jt: 0, jf: 0, k: UInt32.max),
        ]
        try program.withUnsafeMutableBufferPointer { (instructions) throws(NetlinkError) in
            var filter = sock_fprog(len: UInt16(instructions.count), filter: instructions.baseAddress)
            try systemCall("setsockopt(SO_ATTACH_FILTER)") {
                setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &filter, socklen_t(MemoryLayout<sock_fprog>.size))
            }
        }
    }

    /// The next event; nil when `timeout` passes without one (nil timeout: wait for one).
    /// A receive buffer overflow is reported as `.eventsLost`, after which the monitor goes
    /// on with the events that come next.
    public func next(timeout: Duration? = nil) throws(NetlinkError) -> NetlinkEvent? {
        while pending.isEmpty {
            guard try waitReadable(timeout) else { return nil }
            let capacity = receiveBuffer.count
            let length = retryingEINTR { recv(fd, &receiveBuffer, capacity, Int32(MSG_DONTWAIT)) }
            if length < 0 {
                switch errno {
                case ENOBUFS: return .eventsLost
                case EAGAIN: continue
                case let code: throw .system(call: "recv(netlink monitor)", errno: code)
                }
            }
            do throws(NetlinkDecodingError) {
                for message in try NetlinkMessage.decodeAll(receiveBuffer[..<length])
                where message.portID == 0 || !ignoredPortIDs.contains(message.portID) {
                    if let event = try NetlinkEvent.decode(message) { pending.append(event) }
                }
            } catch {
                throw .malformedReply(operation: "monitor", reason: error.description)
            }
        }
        return pending.removeFirst()
    }

    private func waitReadable(_ timeout: Duration?) throws(NetlinkError) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = timeout.map { Int32(clamping: $0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000) } ?? -1
        let ready = try systemCall("poll(netlink monitor)") { poll(&descriptor, 1, milliseconds) }
        return ready > 0
    }
}

extension NetworkNamespace {
    /// Opens a monitor inside this namespace; it reports that namespace's changes only.
    public func openNetlinkMonitor(groups: Set<MonitorGroup>) throws -> NetlinkMonitor {
        try run { try NetlinkMonitor(groups: groups) }
    }
}
