import NetworkCore

/// MP_REACH_NLRI / MP_UNREACH_NLRI layouts (RFC 4760 §3-4, RFC 2545 §3 for IPv6 next hops,
/// RFC 8950 §4 for IPv6 next hops of IPv4 routes).
/// Any fault here resets the session (RFC 7606 §7.11): the prefixes cannot be trusted.
extension MPReachNLRI {
    static func decode(_ value: UnsafeRawBufferPointer, options: BGPCodecOptions,
                       raw: UnsafeRawBufferPointer) throws(BGPMessageError) -> MPReachNLRI {
        var reader = BGPByteReader(value)
        guard let afi = reader.u16(), let safi = reader.u8(), let nextHopLength = reader.u8(),
              let nextHopBytes = reader.slice(Int(nextHopLength)), reader.u8() != nil else {
            throw .update(.optionalAttributeError, data: Array(raw), "MP_REACH_NLRI cut short")
        }
        let family = AddressFamily(afi: afi, safi: safi)
        let nlri = reader.rest()
        guard options.families.contains(family), family == .ipv4Unicast || family == .ipv6Unicast else {
            return MPReachNLRI(family: family, nextHop: .other(Array(nextHopBytes)), prefixes: .other(Array(nlri)))
        }
        var hop = BGPByteReader(nextHopBytes)
        let nextHop: NextHop
        let ipv6Allowed = family == .ipv6Unicast || options.ipv6NextHopFamilies.contains(family)
        switch (family, nextHopLength) {
        case (.ipv4Unicast, 4):
            nextHop = .ipv4(IPv4Address(hop.u32() ?? 0))
        case (_, 16) where ipv6Allowed:
            nextHop = .ipv6(global: IPv6Address(hop.u128() ?? 0), linkLocal: nil)
        case (_, 32) where ipv6Allowed:
            let global = IPv6Address(hop.u128() ?? 0)
            nextHop = .ipv6(global: global, linkLocal: IPv6Address(hop.u128() ?? 0))
        default:
            throw .update(.optionalAttributeError, data: Array(raw),
                          "next hop of \(nextHopLength) octets for \(family)")
        }
        return MPReachNLRI(family: family, nextHop: nextHop,
                           prefixes: try NLRIList.decode(nlri, family: family))
    }

    func encode(into out: inout [UInt8]) {
        out.appendU16(family.afi)
        out.append(family.safi)
        switch nextHop {
        case .ipv4(let a):
            out.append(4)
            out.appendU32(a.value)
        case .ipv6(let global, let linkLocal):
            out.append(linkLocal == nil ? 16 : 32)
            out.appendU128(global.value)
            if let linkLocal { out.appendU128(linkLocal.value) }
        case .other(let bytes):
            out.append(UInt8(truncatingIfNeeded: bytes.count))
            out += bytes.prefix(255)
        }
        out.append(0)
        NLRICodec.encode(prefixes, into: &out)
    }
}

extension MPUnreachNLRI {
    static func decode(_ value: UnsafeRawBufferPointer, options: BGPCodecOptions,
                       raw: UnsafeRawBufferPointer) throws(BGPMessageError) -> MPUnreachNLRI {
        var reader = BGPByteReader(value)
        guard let afi = reader.u16(), let safi = reader.u8() else {
            throw .update(.optionalAttributeError, data: Array(raw), "MP_UNREACH_NLRI cut short")
        }
        let family = AddressFamily(afi: afi, safi: safi)
        let nlri = reader.rest()
        guard options.families.contains(family), family == .ipv4Unicast || family == .ipv6Unicast else {
            return MPUnreachNLRI(family: family, prefixes: .other(Array(nlri)))
        }
        return MPUnreachNLRI(family: family, prefixes: try NLRIList.decode(nlri, family: family))
    }

    func encode(into out: inout [UInt8]) {
        out.appendU16(family.afi)
        out.append(family.safi)
        NLRICodec.encode(prefixes, into: &out)
    }
}

extension NLRIList {
    static func decode(_ bytes: UnsafeRawBufferPointer, family: AddressFamily) throws(BGPMessageError) -> NLRIList {
        if family == .ipv4Unicast {
            var prefixes: [IPv4NLRI] = []
            guard NLRICodec.decode(bytes, into: &prefixes) else {
                throw .update(.invalidNetworkField, "malformed IPv4 prefixes in an MP attribute")
            }
            return .ipv4(prefixes)
        }
        var prefixes: [IPv6NLRI] = []
        guard NLRICodec.decode(bytes, into: &prefixes) else {
            throw .update(.invalidNetworkField, "malformed IPv6 prefixes in an MP attribute")
        }
        return .ipv6(prefixes)
    }
}
