import CNetlink
import NetworkCore

/// One change the kernel announced to a monitor (`ip monitor`), decoded.
public enum NetlinkEvent: Hashable, Sendable {
    case link(Link, removed: Bool)
    case address(Address, removed: Bool)
    case route(KernelRoute, removed: Bool)
    case nexthop(Nexthop, removed: Bool)
    case rule(Rule, removed: Bool)
    /// The socket's receive buffer overflowed (ENOBUFS): some events are gone for good, so
    /// whatever the listener keeps in step with the kernel must be read again in full.
    case eventsLost

    /// Decodes a multicast message; nil for types a monitor does not report (and for the
    /// route cache's clones). Pure: the monitor's socket only frames datagrams.
    public static func decode(_ message: NetlinkMessage) throws(NetlinkDecodingError) -> NetlinkEvent? {
        let payload = message.payload[...]
        switch Int(message.type) {
        case Int(RTM_NEWLINK), Int(RTM_DELLINK):
            return .link(try Link(LinkMessage(decoding: payload)), removed: message.type == UInt16(RTM_DELLINK))
        case Int(RTM_NEWADDR), Int(RTM_DELADDR):
            return .address(try Address(AddressMessage(decoding: payload)), removed: message.type == UInt16(RTM_DELADDR))
        case Int(RTM_NEWROUTE), Int(RTM_DELROUTE):
            let route = try RouteMessage(decoding: payload)
            guard route.flags & UInt32(RTM_F_CLONED) == 0, IPFamily(addressFamily: route.family) != nil else { return nil }
            return .route(try KernelRoute(route), removed: message.type == UInt16(RTM_DELROUTE))
        case Int(RTM_NEWNEXTHOP), Int(RTM_DELNEXTHOP):
            return .nexthop(try Nexthop(NexthopMessage(decoding: payload)), removed: message.type == UInt16(RTM_DELNEXTHOP))
        case Int(RTM_NEWRULE), Int(RTM_DELRULE):
            return .rule(try Rule(RuleMessage(decoding: payload)), removed: message.type == UInt16(RTM_DELRULE))
        default:
            return nil
        }
    }
}

/// The rtnetlink multicast groups a monitor can join (RTNLGRP_*).
public enum MonitorGroup: Hashable, Sendable, CaseIterable {
    case link, ipv4Address, ipv6Address, ipv4Route, ipv6Route, nexthop, ipv4Rule, ipv6Rule

    var number: UInt32 {
        switch self {
        case .link: RTNLGRP_LINK.rawValue
        case .ipv4Address: RTNLGRP_IPV4_IFADDR.rawValue
        case .ipv6Address: RTNLGRP_IPV6_IFADDR.rawValue
        case .ipv4Route: RTNLGRP_IPV4_ROUTE.rawValue
        case .ipv6Route: RTNLGRP_IPV6_ROUTE.rawValue
        case .nexthop: RTNLGRP_NEXTHOP.rawValue
        case .ipv4Rule: RTNLGRP_IPV4_RULE.rawValue
        case .ipv6Rule: RTNLGRP_IPV6_RULE.rawValue
        }
    }
}
