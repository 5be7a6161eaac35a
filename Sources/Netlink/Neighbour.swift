import CNetlink
import NetworkCore

/// A neighbour entry (`ip neigh`): `ADDRESS lladdr MAC dev INDEX nud STATE`.
public struct Neighbour: Hashable, Sendable {
    public var address: IPAddress
    public var mac: MACAddress?
    public var index: Int32
    /// NUD_* (`permanent` 0x80, `reachable` 0x02...).
    public var state: UInt16
    /// A proxy entry (NTF_PROXY, `ip neigh add proxy`): the kernel answers neighbour
    /// solicitations for `address` on the device itself (with `proxy_ndp` on); no MAC.
    public var isProxy: Bool

    public static let permanent = UInt16(NUD_PERMANENT)

    public init(address: IPAddress, mac: MACAddress?, index: Int32, state: UInt16 = Neighbour.permanent) {
        self.address = address
        self.mac = mac
        self.index = index
        self.state = state
        isProxy = false
    }

    /// `ip neigh add proxy ADDRESS dev INDEX`
    public static func proxy(_ address: IPAddress, index: Int32) -> Neighbour {
        var neighbour = Neighbour(address: address, mac: nil, index: index, state: 0)
        neighbour.isProxy = true
        return neighbour
    }

    public init(_ message: NeighbourMessage) throws(NetlinkDecodingError) {
        let family = try IPFamily.decoding(message.family, in: "ndmsg")
        guard let destination = message.attributes.first(UInt16(NDA_DST)) else {
            throw NetlinkDecodingError("ndmsg: no NDA_DST")
        }
        address = try destination.address()
        guard address.family == family else { throw NetlinkDecodingError("ndmsg: NDA_DST of the other family") }
        mac = message.attributes.first(UInt16(NDA_LLADDR)).flatMap { MACAddress(bytes: $0.value) }
        index = message.index
        state = message.state
        isProxy = message.flags & UInt8(NTF_PROXY) != 0
    }

    func message() -> NeighbourMessage {
        var attributes = [RouteAttribute(type: UInt16(NDA_DST), address: address)]
        if let mac { attributes.append(RouteAttribute(type: UInt16(NDA_LLADDR), value: mac.bytes)) }
        return NeighbourMessage(family: address.family.addressFamily, index: index, state: state,
                                flags: isProxy ? UInt8(NTF_PROXY) : 0, attributes: attributes)
    }
}

extension Neighbour: CustomStringConvertible {
    public var description: String {
        (isProxy ? "proxy " : "") + "\(address)" + (mac.map { " lladdr \($0)" } ?? "") + " dev \(index)" + (state == Self.permanent ? " permanent" : "")
    }
}

/// RTM_NEWNEIGH/DELNEIGH/GETNEIGH payload: `struct ndmsg` plus attributes.
public struct NeighbourMessage: Hashable, Sendable {
    public var family: UInt8
    public var index: Int32
    public var state: UInt16
    public var flags: UInt8
    public var type: UInt8
    public var attributes: [RouteAttribute]

    public init(family: UInt8, index: Int32 = 0, state: UInt16 = 0, flags: UInt8 = 0, type: UInt8 = 0,
                attributes: [RouteAttribute] = []) {
        self.family = family
        self.index = index
        self.state = state
        self.flags = flags
        self.type = type
        self.attributes = attributes
    }

    public func encoded() -> [UInt8] {
        var writer = NetlinkByteWriter()
        writer.append(family)
        writer.append(UInt8(0))
        writer.append(UInt16(0))
        writer.append(UInt32(bitPattern: index))
        writer.append(state)
        writer.append(flags)
        writer.append(type)
        writer.append(contentsOf: RouteAttribute.encode(attributes))
        return writer.bytes
    }

    public init(decoding payload: ArraySlice<UInt8>) throws(NetlinkDecodingError) {
        var reader = NetlinkByteReader(payload, context: "ndmsg")
        family = try reader.readUInt8()
        _ = try reader.readUInt8()
        _ = try reader.readUInt16()
        index = Int32(bitPattern: try reader.readUInt32())
        state = try reader.readUInt16()
        flags = try reader.readUInt8()
        type = try reader.readUInt8()
        attributes = try RouteAttribute.decode(reader.readRest())
    }
}
