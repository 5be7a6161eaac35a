import NetworkCore

/// Walks the Path Attributes field of one UPDATE, building `PathAttributes` and recording
/// the RFC 7606 outcome of every faulty attribute. Throws only for session resets.
struct AttributeDecoder {
    let options: BGPCodecOptions
    var attributes = PathAttributes()
    var mpReach: MPReachNLRI?
    var mpUnreach: MPUnreachNLRI?
    var errors: [BGPMessageError] = []
    var seen = Seen()
    private var as4Path: ASPath?
    private var as4Aggregator: Aggregator?
    private var aggregatorIsTrans = false

    /// Which type codes occurred, for duplicate and missing-attribute checks.
    struct Seen {
        private var bits: (UInt128, UInt128) = (0, 0)
        func contains(_ type: UInt8) -> Bool {
            type < 128 ? bits.0 >> UInt128(type) & 1 == 1 : bits.1 >> UInt128(type - 128) & 1 == 1
        }
        mutating func insert(_ type: UInt8) {
            if type < 128 { bits.0 |= 1 << UInt128(type) } else { bits.1 |= 1 << UInt128(type - 128) }
        }
    }

    init(options: BGPCodecOptions) { self.options = options }

    mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(BGPMessageError) {
        var reader = BGPByteReader(bytes)
        while !reader.isAtEnd {
            let start = reader.offset
            guard let flags = reader.u8(), let type = reader.u8(),
                  let length = flags & AttributeFlags.extendedLength != 0 ? reader.u16().map(Int.init) : reader.u8().map(Int.init)
            else {
                record(.update(.malformedAttributeList, action: .treatAsWithdraw,
                               "fewer octets than an attribute header at the end of the path attributes"))
                return
            }
            guard let value = reader.slice(length) else {
                record(.update(.malformedAttributeList, action: .treatAsWithdraw,
                               "attribute \(type) of length \(length) overruns the path attributes"))
                return
            }
            let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<reader.offset])
            if seen.contains(type) {
                guard type != AttributeType.mpReach, type != AttributeType.mpUnreach else {
                    throw .update(.malformedAttributeList, "MP_REACH_NLRI or MP_UNREACH_NLRI twice")
                }
                record(.update(.malformedAttributeList, data: Array(raw), action: .attributeDiscard,
                               "attribute \(type) repeated; the first one is kept"))
                continue
            }
            seen.insert(type)
            try decodeAttribute(flags: flags, type: type, value: value, raw: raw)
        }
    }

    private mutating func record(_ error: BGPMessageError) { errors.append(error) }

    /// The RFC 7606 §7 action for a faulty attribute of `type`.
    private static func action(for type: UInt8) -> BGPErrorAction {
        switch type {
        case AttributeType.atomicAggregate, AttributeType.aggregator,
             AttributeType.as4Path, AttributeType.as4Aggregator: .attributeDiscard
        case AttributeType.mpReach, AttributeType.mpUnreach: .sessionReset
        default: .treatAsWithdraw
        }
    }

    /// The Optional and Transitive bits each known attribute must carry (RFC 4271 §5).
    private static func expectedFlags(for type: UInt8) -> UInt8? {
        switch type {
        case AttributeType.origin, AttributeType.asPath, AttributeType.nextHop,
             AttributeType.localPref, AttributeType.atomicAggregate: AttributeFlags.transitive
        case AttributeType.med, AttributeType.mpReach, AttributeType.mpUnreach: AttributeFlags.optional
        case AttributeType.aggregator, AttributeType.communities,
             AttributeType.as4Path, AttributeType.as4Aggregator: AttributeFlags.optional | AttributeFlags.transitive
        default: nil
        }
    }

    private mutating func fail(_ subcode: UpdateErrorSubcode, type: UInt8, raw: UnsafeRawBufferPointer,
                               _ reason: String) throws(BGPMessageError) {
        let error = BGPMessageError.update(subcode, data: Array(raw), action: Self.action(for: type), reason)
        if error.action == .sessionReset { throw error }
        record(error)
    }

    private mutating func decodeAttribute(flags: UInt8, type: UInt8, value: UnsafeRawBufferPointer,
                                          raw: UnsafeRawBufferPointer) throws(BGPMessageError) {
        guard let expected = Self.expectedFlags(for: type) else {
            try keepUnknown(flags: flags, type: type, value: value, raw: raw)
            return
        }
        guard flags & (AttributeFlags.optional | AttributeFlags.transitive) == expected else {
            try fail(.attributeFlagsError, type: type, raw: raw, "attribute \(type) with flags \(flags)")
            return
        }
        var reader = BGPByteReader(value)
        switch type {
        case AttributeType.origin:
            guard value.count == 1, let byte = reader.u8() else {
                return try fail(.attributeLengthError, type: type, raw: raw, "ORIGIN of \(value.count) octets")
            }
            guard let origin = Origin(rawValue: byte) else {
                return try fail(.invalidOriginAttribute, type: type, raw: raw, "ORIGIN value \(byte)")
            }
            attributes.origin = origin
        case AttributeType.asPath:
            guard let path = ASPath.decode(value, fourOctet: options.fourOctetAS) else {
                return try fail(.malformedASPath, type: type, raw: raw, "malformed AS_PATH segments")
            }
            guard !path.contains(0) else {
                return try fail(.malformedASPath, type: type, raw: raw, "AS 0 in AS_PATH (RFC 7607)")
            }
            // RFC 5065 §5.3: confederation segments from outside the confederation.
            if options.isExternal,
               path.segments.contains(where: { $0.type == .confedSequence || $0.type == .confedSet }) {
                return try fail(.malformedASPath, type: type, raw: raw, "confederation segment from an external peer")
            }
            if options.isExternal, let peerAS = options.peerAS, path.firstAS != peerAS {
                return try fail(.malformedASPath, type: type, raw: raw,
                                "AS_PATH does not start with the peer's AS \(peerAS)")
            }
            attributes.asPath = path
        case AttributeType.nextHop:
            guard value.count == 4, let address = reader.u32() else {
                return try fail(.attributeLengthError, type: type, raw: raw, "NEXT_HOP of \(value.count) octets")
            }
            // RFC 4271 §6.3: not a usable unicast address (0/8, multicast, limited broadcast).
            guard address >> 24 != 0, address >> 28 != 0xE, address != .max else {
                return try fail(.invalidNextHopAttribute, type: type, raw: raw,
                                "NEXT_HOP \(IPv4Address(address)) is not a unicast address")
            }
            attributes.nextHop = .ipv4(IPv4Address(address))
        case AttributeType.med:
            guard value.count == 4, let med = reader.u32() else {
                return try fail(.attributeLengthError, type: type, raw: raw, "MULTI_EXIT_DISC of \(value.count) octets")
            }
            attributes.med = med
        case AttributeType.localPref:
            guard value.count == 4, let pref = reader.u32() else {
                return try fail(.attributeLengthError, type: type, raw: raw, "LOCAL_PREF of \(value.count) octets")
            }
            // RFC 7606 §7.5: an external peer's LOCAL_PREF is ignored.
            if !options.isExternal { attributes.localPref = pref }
        case AttributeType.atomicAggregate:
            guard value.isEmpty else {
                return try fail(.attributeLengthError, type: type, raw: raw, "ATOMIC_AGGREGATE of \(value.count) octets")
            }
            attributes.atomicAggregate = true
        case AttributeType.aggregator:
            let asSize = options.fourOctetAS ? 4 : 2
            guard value.count == asSize + 4,
                  let asn = options.fourOctetAS ? reader.u32() : reader.u16().map(UInt32.init),
                  let address = reader.u32() else {
                return try fail(.attributeLengthError, type: type, raw: raw, "AGGREGATOR of \(value.count) octets")
            }
            guard asn != 0 else {
                return try fail(.optionalAttributeError, type: type, raw: raw, "AS 0 in AGGREGATOR (RFC 7607)")
            }
            attributes.aggregator = Aggregator(asNumber: asn, address: IPv4Address(address))
            aggregatorIsTrans = !options.fourOctetAS && asn == UInt32(ASPath.asTrans)
        case AttributeType.communities:
            guard !value.isEmpty, value.count % 4 == 0 else {
                return try fail(.attributeLengthError, type: type, raw: raw, "COMMUNITIES of \(value.count) octets")
            }
            attributes.communities.reserveCapacity(value.count / 4)
            while let community = reader.u32() { attributes.communities.append(Community(rawValue: community)) }
        case AttributeType.mpReach:
            mpReach = try MPReachNLRI.decode(value, options: options, raw: raw)
        case AttributeType.mpUnreach:
            mpUnreach = try MPUnreachNLRI.decode(value, options: options, raw: raw)
        case AttributeType.as4Path:
            // RFC 6793 §6: a NEW speaker ignores AS4_PATH from a NEW speaker; malformed ones are discarded.
            guard !options.fourOctetAS else { return }
            guard let path = ASPath.decode(value, fourOctet: true), !path.contains(0),
                  !path.segments.contains(where: { $0.type == .confedSet || $0.type == .confedSequence }) else {
                return try fail(.optionalAttributeError, type: type, raw: raw, "malformed AS4_PATH")
            }
            as4Path = path
        case AttributeType.as4Aggregator:
            guard !options.fourOctetAS else { return }
            guard value.count == 8, let asn = reader.u32(), let address = reader.u32() else {
                return try fail(.attributeLengthError, type: type, raw: raw, "AS4_AGGREGATOR of \(value.count) octets")
            }
            guard asn != 0 else {
                return try fail(.optionalAttributeError, type: type, raw: raw, "AS 0 in AS4_AGGREGATOR (RFC 7607)")
            }
            as4Aggregator = Aggregator(asNumber: asn, address: IPv4Address(address))
        default:
            break
        }
    }

    /// Unrecognized attributes (RFC 4271 §5): well-known ones are an error, optional
    /// non-transitive ones are dropped, optional transitive ones are kept with Partial set.
    private mutating func keepUnknown(flags: UInt8, type: UInt8, value: UnsafeRawBufferPointer,
                                      raw: UnsafeRawBufferPointer) throws(BGPMessageError) {
        guard flags & AttributeFlags.optional != 0 else {
            throw .update(.unrecognizedWellKnownAttribute, data: Array(raw),
                          "unrecognized well-known attribute \(type)")
        }
        guard flags & AttributeFlags.transitive != 0 else { return }
        let kept = flags & (AttributeFlags.optional | AttributeFlags.transitive) | AttributeFlags.partial
        attributes.unknown.append(RawAttribute(flags: kept, type: type, value: Array(value)))
    }

    /// Merges AS4_PATH and AS4_AGGREGATOR into the 2-octet fields (RFC 6793 §4.2.3).
    /// Also puts unknown attributes in type order, the order the encoder writes (RFC 4271 §5),
    /// so equal routes compare equal however the peer ordered them.
    mutating func finish() -> PathAttributes {
        attributes.unknown.sort { $0.type < $1.type }
        guard !options.fourOctetAS else { return attributes }
        if let as4Aggregator, attributes.aggregator != nil {
            // AGGREGATOR and AS4_AGGREGATOR both present, and AGGREGATOR names a real
            // 2-octet AS: an OLD speaker aggregated, so both AS4_* attributes are stale.
            guard aggregatorIsTrans else { return attributes }
            attributes.aggregator = as4Aggregator
        }
        if let as4Path { attributes.asPath = attributes.asPath.merging(as4Path: as4Path) }
        return attributes
    }
}
