import CNetlink
import NetworkCore

/// An address on an interface (`ip addr show`).
public struct Address: Hashable, Sendable {
    public var index: Int32
    public var address: InterfaceAddress
    /// RT_SCOPE_*: 0 universe (global), 253 link, 254 host.
    public var scope: UInt8
    /// IFA_F_* (IFA_FLAGS when present, which carries more than the header's 8 bits).
    public var flags: UInt32
    public var label: String?

    public init(_ message: AddressMessage) throws(NetlinkDecodingError) {
        let family = try IPFamily.decoding(message.family, in: "ifaddrmsg")
        // IPv4 puts the local address in IFA_LOCAL (IFA_ADDRESS is the peer); IPv6 only sends IFA_ADDRESS.
        guard let attribute = message.attributes.first(IFA_LOCAL) ?? message.attributes.first(IFA_ADDRESS) else {
            throw NetlinkDecodingError("ifaddrmsg: no IFA_LOCAL or IFA_ADDRESS")
        }
        let ip = try attribute.address()
        guard ip.family == family, let address = InterfaceAddress(address: ip, prefixLength: Int(message.prefixLength)) else {
            throw NetlinkDecodingError("ifaddrmsg: bad address \(ip)/\(message.prefixLength)")
        }
        index = Int32(bitPattern: message.index)
        self.address = address
        scope = message.scope
        flags = try message.attributes.first(IFA_FLAGS)?.uint32() ?? UInt32(message.flags)
        label = message.attributes.first(IFA_LABEL)?.string()
    }

    /// The message that adds or deletes `address` on link `index`.
    static func message(_ address: InterfaceAddress, index: Int32, noDAD: Bool) -> AddressMessage {
        let attributes = [
            RouteAttribute(type: UInt16(IFA_LOCAL), address: address.address),
            RouteAttribute(type: UInt16(IFA_ADDRESS), address: address.address),
        ]
        return AddressMessage(family: address.family.addressFamily, prefixLength: UInt8(address.prefixLength),
                              flags: noDAD ? UInt8(IFA_F_NODAD) : 0, index: UInt32(bitPattern: index),
                              attributes: attributes)
    }
}
