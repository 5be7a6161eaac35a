import CNetlink
import Glibc
import NetworkCore

/// Link requests, for `NetlinkSocket.perform` batches; each names its `ip` command.
extension NetlinkRequest {
    /// `ip link add NAME ... type bridge|veth peer ...`
    public static func addLink(_ settings: LinkSettings, kind: LinkKind) -> NetlinkRequest {
        let message = settings.message(extra: [kind.linkInfo])
        return NetlinkRequest(type: RTM_NEWLINK, kind: .create, payload: message.encoded(),
                              operation: "addLink", object: "\(settings.name) type \(kind.name)")
    }

    /// `ip link del NAME`
    public static func deleteLink(_ name: String) -> NetlinkRequest {
        setLink(name, operation: "deleteLink", type: RTM_DELLINK, kind: .delete)
    }

    /// `ip link set NAME up|down`
    public static func setLinkUp(_ name: String, _ up: Bool = true) -> NetlinkRequest {
        var message = LinkMessage(flags: up ? Link.upFlag : 0, change: Link.upFlag)
        return setLink(name, operation: up ? "setLinkUp" : "setLinkDown", message: &message)
    }

    /// `ip link set NAME mtu MTU`
    public static func setLinkMTU(_ name: String, _ mtu: Int) -> NetlinkRequest {
        var message = LinkMessage(attributes: [RouteAttribute(type: UInt16(IFLA_MTU), uint32: UInt32(clamping: mtu))])
        return setLink(name, operation: "setLinkMTU", message: &message)
    }

    /// `ip link set NAME master BRIDGE` (index), or `nomaster` with nil.
    public static func setLinkMaster(_ name: String, masterIndex: Int32?) -> NetlinkRequest {
        var message = LinkMessage(attributes: [RouteAttribute(type: UInt16(IFLA_MASTER), int32: masterIndex ?? 0)])
        return setLink(name, operation: "setLinkMaster", message: &message)
    }

    /// `ip link set NAME netns FD`
    public static func setLinkNamespace(_ name: String, namespaceFD: Int32) -> NetlinkRequest {
        var message = LinkMessage(attributes: [RouteAttribute(type: UInt16(IFLA_NET_NS_FD), int32: namespaceFD)])
        return setLink(name, operation: "setLinkNamespace", message: &message)
    }

    /// `ip link set NAME address MAC`
    public static func setLinkAddress(_ name: String, _ mac: MACAddress) -> NetlinkRequest {
        var message = LinkMessage(attributes: [RouteAttribute(type: UInt16(IFLA_ADDRESS), value: mac.bytes)])
        return setLink(name, operation: "setLinkAddress", message: &message)
    }

    /// `ip link set dev INDEX name NEW` (by index: the name attribute is the new name).
    public static func renameLink(index: Int32, to newName: String) -> NetlinkRequest {
        let message = LinkMessage(index: index, attributes: [RouteAttribute(type: UInt16(IFLA_IFNAME), string: newName)])
        return NetlinkRequest(type: RTM_NEWLINK, kind: .change, payload: message.encoded(),
                              operation: "renameLink", object: "index \(index) to \(newName)")
    }

    /// `ip link set NAME type bridge_slave hairpin on|off`: the port's IFLA_BRPORT_MODE,
    /// sent as slave data so the port can be named (and batched right after it is created).
    public static func setBridgePortHairpin(_ name: String, _ on: Bool) -> NetlinkRequest {
        var message = LinkMessage(attributes: [RouteAttribute(type: UInt16(IFLA_LINKINFO), nested: [
            RouteAttribute(type: UInt16(IFLA_INFO_SLAVE_KIND), string: "bridge"),
            RouteAttribute(type: UInt16(IFLA_INFO_SLAVE_DATA), nested: [
                RouteAttribute(type: UInt16(IFLA_BRPORT_MODE), uint8: on ? 1 : 0),
            ]),
        ])])
        return setLink(name, operation: "setBridgePortHairpin", message: &message)
    }

    /// `ip link show dev NAME`
    public static func getLink(_ name: String) -> NetlinkRequest {
        setLink(name, operation: "getLink", type: RTM_GETLINK, kind: .get)
    }

    /// `ip link show dev INDEX`
    public static func getLink(index: Int32) -> NetlinkRequest {
        NetlinkRequest(type: RTM_GETLINK, kind: .get, payload: LinkMessage(index: index).encoded(),
                       operation: "getLink", object: "index \(index)")
    }

    private static func setLink(_ name: String, operation: String, type: Int = Int(RTM_NEWLINK),
                                kind: RequestKind = .change) -> NetlinkRequest {
        var message = LinkMessage()
        return setLink(name, operation: operation, type: type, kind: kind, message: &message)
    }

    /// A request on an existing link looked up by name (IFLA_IFNAME with index 0).
    private static func setLink(_ name: String, operation: String, type: Int = Int(RTM_NEWLINK),
                                kind: RequestKind = .change, message: inout LinkMessage) -> NetlinkRequest {
        message.attributes.insert(RouteAttribute(type: UInt16(IFLA_IFNAME), string: name), at: 0)
        return NetlinkRequest(type: type, kind: kind, payload: message.encoded(), operation: operation, object: name)
    }
}
