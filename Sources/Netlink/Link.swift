import CNetlink
import NetworkCore

/// A network interface as RTM_NEWLINK describes it (`ip link show`).
public struct Link: Hashable, Sendable {
    public var index: Int32
    public var name: String
    /// IFLA_INFO_KIND: `veth`, `bridge`; nil for loopback and physical devices.
    public var kind: String?
    public var mtu: Int
    /// The device flags (IFF_UP...).
    public var flags: UInt32
    public var mac: MACAddress?
    /// The bridge (or other master) the link is enslaved to.
    public var masterIndex: Int32?
    /// For a bridge port, whether hairpin mode is on (IFLA_BRPORT_MODE); nil otherwise.
    public var hairpin: Bool?
    /// For a bridge port, its STP state (IFLA_BRPORT_STATE; `forwardingState` once it
    /// passes frames); nil otherwise.
    public var bridgePortState: UInt8?

    /// BR_STATE_FORWARDING from linux/if_bridge.h.
    public static let forwardingState: UInt8 = 3

    /// IFF_UP from linux/if.h (not included: it clashes with glibc's net/if.h).
    static let upFlag: UInt32 = 0x1

    public var isUp: Bool { flags & Self.upFlag != 0 }

    public init(_ message: LinkMessage) throws(NetlinkDecodingError) {
        let attributes = message.attributes
        guard let name = attributes.first(IFLA_IFNAME)?.string() else {
            throw NetlinkDecodingError("link \(message.index): no IFLA_IFNAME")
        }
        index = message.index
        self.name = name
        flags = message.flags
        mtu = Int(try attributes.first(IFLA_MTU)?.uint32() ?? 0)
        mac = attributes.first(IFLA_ADDRESS).flatMap { MACAddress(bytes: $0.value) }
        masterIndex = try attributes.first(IFLA_MASTER)?.int32()
        let info = try attributes.first(IFLA_LINKINFO)?.nested() ?? []
        kind = info.first(IFLA_INFO_KIND)?.string()
        if info.first(IFLA_INFO_SLAVE_KIND)?.string() == "bridge" {
            let port = try info.first(IFLA_INFO_SLAVE_DATA)?.nested()
            hairpin = try port?.first(IFLA_BRPORT_MODE).map { (attribute) throws(NetlinkDecodingError) in try attribute.uint8() != 0 }
            bridgePortState = try port?.first(IFLA_BRPORT_STATE)?.uint8()
        }
    }
}
