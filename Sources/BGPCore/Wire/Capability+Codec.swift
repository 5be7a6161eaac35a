/// Capability TLVs (RFC 5492 §4) and the layouts of the ones we interpret.
extension Capability {
    static func decodeList(_ bytes: UnsafeRawBufferPointer) throws(BGPMessageError) -> [Capability] {
        var reader = BGPByteReader(bytes)
        var result: [Capability] = []
        while !reader.isAtEnd {
            guard let code = reader.u8(), let length = reader.u8(), let value = reader.slice(Int(length)) else {
                throw .malformedOpen("capability overruns its parameter")
            }
            result.append(try decode(code: code, value: value))
        }
        return result
    }

    private static func decode(code: UInt8, value: UnsafeRawBufferPointer) throws(BGPMessageError) -> Capability {
        var reader = BGPByteReader(value)
        switch code {
        case 1:
            guard value.count == 4, let afi = reader.u16(), reader.u8() != nil, let safi = reader.u8() else {
                throw .malformedOpen("multiprotocol capability of \(value.count) octets")
            }
            return .multiprotocol(AddressFamily(afi: afi, safi: safi))
        case 2:
            guard value.isEmpty else { throw .malformedOpen("route refresh capability with a value") }
            return .routeRefresh
        case 5:
            // Tuples of NLRI AFI (2), NLRI SAFI (2 octets here), next-hop AFI (2).
            guard value.count % 6 == 0 else {
                throw .malformedOpen("extended next hop capability of \(value.count) octets")
            }
            var tuples: [ExtendedNextHop] = []
            while let afi = reader.u16(), let safi = reader.u16(), let nextHopAFI = reader.u16() {
                // No SAFI is above one octet; one that is stays raw, as an unknown capability.
                guard safi <= 0xFF else { return .unknown(code: code, value: Array(value)) }
                tuples.append(ExtendedNextHop(family: AddressFamily(afi: afi, safi: UInt8(safi)), nextHopAFI: nextHopAFI))
            }
            return .extendedNextHop(tuples)
        case 6:
            guard value.isEmpty else { throw .malformedOpen("extended message capability with a value") }
            return .extendedMessage
        case 64:
            guard value.count >= 2, (value.count - 2) % 4 == 0, let head = reader.u16() else {
                throw .malformedOpen("graceful restart capability of \(value.count) octets")
            }
            var families: [GracefulRestartCapability.Family] = []
            while let afi = reader.u16(), let safi = reader.u8(), let flags = reader.u8() {
                families.append(.init(family: AddressFamily(afi: afi, safi: safi),
                                      forwardingPreserved: flags & 0x80 != 0))
            }
            return .gracefulRestart(GracefulRestartCapability(
                restarting: head & 0x8000 != 0, notification: head & 0x4000 != 0,
                restartTime: head & 0x0FFF, families: families))
        case 65:
            guard value.count == 4, let asn = reader.u32() else {
                throw .malformedOpen("4-octet AS capability of \(value.count) octets")
            }
            return .fourOctetAS(asn)
        default:
            return .unknown(code: code, value: Array(value))
        }
    }

    func encode(into out: inout [UInt8]) {
        out.append(code)
        let lengthIndex = out.count
        out.append(0)
        switch self {
        case .multiprotocol(let family):
            out.appendU16(family.afi)
            out.append(0)
            out.append(family.safi)
        case .routeRefresh, .extendedMessage:
            break
        case .extendedNextHop(let tuples):
            // 42 tuples fill the 255-octet value.
            for tuple in tuples.prefix(42) {
                out.appendU16(tuple.family.afi)
                out.appendU16(UInt16(tuple.family.safi))
                out.appendU16(tuple.nextHopAFI)
            }
        case .gracefulRestart(let gr):
            out.appendU16((gr.restarting ? 0x8000 : 0) | (gr.notification ? 0x4000 : 0) | (gr.restartTime & 0x0FFF))
            // 63 families fill the 255-octet value.
            for entry in gr.families.prefix(63) {
                out.appendU16(entry.family.afi)
                out.append(entry.family.safi)
                out.append(entry.forwardingPreserved ? 0x80 : 0)
            }
        case .fourOctetAS(let asn):
            out.appendU32(asn)
        case .unknown(_, let value):
            out += value.prefix(255)
        }
        out[lengthIndex] = UInt8(truncatingIfNeeded: out.count - lengthIndex - 1)
    }
}
