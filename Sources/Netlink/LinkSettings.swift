import CNetlink
import NetworkCore

/// The attributes of a link to create (`ip link add NAME mtu M address A master B netns N up`).
public struct LinkSettings: Hashable, Sendable {
    public var name: String
    public var mtu: Int?
    public var mac: MACAddress?
    public var up: Bool
    public var masterIndex: Int32?
    /// Create the link directly in the namespace behind this fd (IFLA_NET_NS_FD).
    public var namespaceFD: Int32?

    public init(name: String, mtu: Int? = nil, mac: MACAddress? = nil, up: Bool = false,
                masterIndex: Int32? = nil, namespaceFD: Int32? = nil) {
        self.name = name
        self.mtu = mtu
        self.mac = mac
        self.up = up
        self.masterIndex = masterIndex
        self.namespaceFD = namespaceFD
    }

    /// The ifinfomsg with these attributes and `extra` (link info) appended.
    func message(extra: [RouteAttribute] = []) -> LinkMessage {
        var attributes = [RouteAttribute(type: UInt16(IFLA_IFNAME), string: name)]
        if let mtu { attributes.append(RouteAttribute(type: UInt16(IFLA_MTU), uint32: UInt32(clamping: mtu))) }
        if let mac { attributes.append(RouteAttribute(type: UInt16(IFLA_ADDRESS), value: mac.bytes)) }
        if let masterIndex { attributes.append(RouteAttribute(type: UInt16(IFLA_MASTER), int32: masterIndex)) }
        if let namespaceFD { attributes.append(RouteAttribute(type: UInt16(IFLA_NET_NS_FD), int32: namespaceFD)) }
        let flags = up ? Link.upFlag : 0
        return LinkMessage(flags: flags, change: up ? Link.upFlag : 0, attributes: attributes + extra)
    }
}

/// What kind of link `addLink` creates.
public enum LinkKind: Hashable, Sendable {
    case bridge
    /// A veth pair; the peer may be created straight in another namespace (`namespaceFD`).
    case veth(peer: LinkSettings)

    var linkInfo: RouteAttribute {
        switch self {
        case .bridge:
            return RouteAttribute(type: UInt16(IFLA_LINKINFO), nested: [
                RouteAttribute(type: UInt16(IFLA_INFO_KIND), string: "bridge"),
            ])
        case .veth(let peer):
            return RouteAttribute(type: UInt16(IFLA_LINKINFO), nested: [
                RouteAttribute(type: UInt16(IFLA_INFO_KIND), string: "veth"),
                RouteAttribute(type: UInt16(IFLA_INFO_DATA), nested: [
                    // VETH_INFO_PEER holds a whole ifinfomsg, not just attributes.
                    RouteAttribute(type: UInt16(VETH_INFO_PEER), value: peer.message().encoded()),
                ]),
            ])
        }
    }

    var name: String {
        switch self {
        case .bridge: "bridge"
        case .veth(let peer): "veth peer \(peer.name)"
        }
    }
}
