/// AS_PATH / AS4_PATH layout (RFC 4271 §4.3, RFC 6793 §3-4).
extension ASPath {
    /// Nil when a segment has an unknown type, no AS numbers, or is cut short (RFC 7606 §7.2).
    static func decode(_ bytes: UnsafeRawBufferPointer, fourOctet: Bool) -> ASPath? {
        var reader = BGPByteReader(bytes)
        var segments: [Segment] = []
        while !reader.isAtEnd {
            guard let typeByte = reader.u8(), let type = SegmentType(rawValue: typeByte),
                  let count = reader.u8(), count > 0 else { return nil }
            var numbers: [UInt32] = []
            numbers.reserveCapacity(Int(count))
            for _ in 0..<count {
                guard let asn = fourOctet ? reader.u32() : reader.u16().map(UInt32.init) else { return nil }
                numbers.append(asn)
            }
            segments.append(Segment(type: type, asNumbers: numbers))
        }
        return ASPath(segments: segments)
    }

    /// Writes segments of at most 255 AS numbers, mapping 4-octet ones to AS_TRANS when the
    /// session is 2-octet.
    func encode(into out: inout [UInt8], fourOctet: Bool) {
        for segment in segments {
            var start = 0
            repeat {
                let chunk = segment.asNumbers[start..<min(start + 255, segment.asNumbers.count)]
                out.append(segment.type.rawValue)
                out.append(UInt8(truncatingIfNeeded: chunk.count))
                for asn in chunk {
                    if fourOctet {
                        out.appendU32(asn)
                    } else {
                        out.appendU16(asn > UInt32(UInt16.max) ? ASPath.asTrans : UInt16(asn))
                    }
                }
                start += 255
            } while start < segment.asNumbers.count
        }
    }

    /// Whether a 2-octet session needs AS4_PATH to carry this path faithfully.
    var needsAS4Path: Bool {
        segments.contains { $0.asNumbers.contains { $0 > UInt32(UInt16.max) } }
    }

    /// AS4_PATH as a NEW speaker builds it: the path without confederation segments.
    var as4Path: ASPath {
        ASPath(segments: segments.filter { $0.type == .sequence || $0.type == .set })
    }

    /// Reconstructs the 4-octet path (RFC 6793 §4.2.3): the leading AS_PATH entries that
    /// AS4_PATH lacks, then AS4_PATH. An AS4_PATH longer than AS_PATH is ignored.
    func merging(as4Path: ASPath) -> ASPath {
        var surplus = length - as4Path.length
        guard surplus >= 0 else { return self }
        var merged: [Segment] = []
        for segment in segments where surplus > 0 {
            switch segment.type {
            case .sequence:
                let taken = Array(segment.asNumbers.prefix(surplus))
                merged.append(Segment(type: .sequence, asNumbers: taken))
                surplus -= taken.count
            case .set:
                merged.append(segment)
                surplus -= 1
            case .confedSequence, .confedSet:
                merged.append(segment)
            }
        }
        return ASPath(segments: merged + as4Path.segments)
    }
}
