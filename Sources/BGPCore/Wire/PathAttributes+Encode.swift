/// Path attribute encoding in type-code order (MP attributes first), with AS4_PATH / AS4_AGGREGATOR added for a
/// 2-octet session when the 4-octet values do not fit (RFC 6793 §4.2.2).
extension PathAttributes {
    func encode(into out: inout [UInt8], options: BGPCodecOptions,
                mpReach: MPReachNLRI? = nil, mpUnreach: MPUnreachNLRI? = nil) {
        // RFC 7606 §5.1: MP attributes first, so a receiver can find the prefixes even when
        // a later attribute is damaged.
        if let mpReach {
            Self.append(flags: AttributeFlags.optional, type: AttributeType.mpReach, into: &out) { mpReach.encode(into: &$0) }
        }
        if let mpUnreach {
            Self.append(flags: AttributeFlags.optional, type: AttributeType.mpUnreach, into: &out) { mpUnreach.encode(into: &$0) }
        }
        let wellKnown = AttributeFlags.transitive
        let optionalTransitive = AttributeFlags.optional | AttributeFlags.transitive
        if let origin {
            Self.append(flags: wellKnown, type: AttributeType.origin, into: &out) { $0.append(origin.rawValue) }
        }
        if origin != nil || !asPath.segments.isEmpty {
            Self.append(flags: wellKnown, type: AttributeType.asPath, into: &out) {
                asPath.encode(into: &$0, fourOctet: options.fourOctetAS)
            }
        }
        if case .ipv4(let address) = nextHop {
            Self.append(flags: wellKnown, type: AttributeType.nextHop, into: &out) { $0.appendU32(address.value) }
        }
        if let med {
            Self.append(flags: AttributeFlags.optional, type: AttributeType.med, into: &out) { $0.appendU32(med) }
        }
        if let localPref {
            Self.append(flags: wellKnown, type: AttributeType.localPref, into: &out) { $0.appendU32(localPref) }
        }
        if atomicAggregate {
            Self.append(flags: wellKnown, type: AttributeType.atomicAggregate, into: &out) { _ in }
        }
        let aggregatorNeedsAS4 = !options.fourOctetAS && (aggregator?.asNumber ?? 0) > UInt32(UInt16.max)
        if let aggregator {
            Self.append(flags: optionalTransitive, type: AttributeType.aggregator, into: &out) {
                if options.fourOctetAS {
                    $0.appendU32(aggregator.asNumber)
                } else {
                    $0.appendU16(aggregatorNeedsAS4 ? ASPath.asTrans : UInt16(truncatingIfNeeded: aggregator.asNumber))
                }
                $0.appendU32(aggregator.address.value)
            }
        }
        if !communities.isEmpty {
            Self.append(flags: optionalTransitive, type: AttributeType.communities, into: &out) {
                for community in communities { $0.appendU32(community.rawValue) }
            }
        }
        var unknownIndex = 0
        let sortedUnknown = unknown.sorted { $0.type < $1.type }
        func appendUnknown(below type: UInt8) {
            while unknownIndex < sortedUnknown.count, sortedUnknown[unknownIndex].type < type {
                let attribute = sortedUnknown[unknownIndex]
                Self.append(flags: attribute.flags, type: attribute.type, into: &out) { $0 += attribute.value }
                unknownIndex += 1
            }
        }
        appendUnknown(below: AttributeType.as4Path)
        if !options.fourOctetAS, asPath.needsAS4Path {
            Self.append(flags: optionalTransitive, type: AttributeType.as4Path, into: &out) {
                asPath.as4Path.encode(into: &$0, fourOctet: true)
            }
        }
        if aggregatorNeedsAS4, let aggregator {
            Self.append(flags: optionalTransitive, type: AttributeType.as4Aggregator, into: &out) {
                $0.appendU32(aggregator.asNumber)
                $0.appendU32(aggregator.address.value)
            }
        }
        if unknownIndex < sortedUnknown.count {
            for attribute in sortedUnknown[unknownIndex...] {
                Self.append(flags: attribute.flags, type: attribute.type, into: &out) { $0 += attribute.value }
            }
        }
    }

    /// Writes one attribute, choosing the Extended Length bit by the value's size.
    static func append(flags: UInt8, type: UInt8, into out: inout [UInt8], value: (inout [UInt8]) -> Void) {
        let start = out.count
        out.append(flags & ~AttributeFlags.extendedLength)
        out.append(type)
        out.append(0)
        let valueStart = out.count
        value(&out)
        let length = out.count - valueStart
        if length > 255 {
            out[start] |= AttributeFlags.extendedLength
            out.insert(0, at: valueStart)
            out.patchU16(UInt16(truncatingIfNeeded: length), at: start + 2)
        } else {
            out[start + 2] = UInt8(length)
        }
    }
}
