/// AS_PATH (RFC 4271 §4.3, 4-octet AS numbers per RFC 6793): a list of segments.
public struct ASPath: Hashable, Sendable, CustomStringConvertible {
    public var segments: [Segment]

    public init(segments: [Segment] = []) { self.segments = segments }

    /// A path of one AS_SEQUENCE (the empty path when `sequence` is empty).
    public init(sequence: [UInt32]) {
        segments = sequence.isEmpty ? [] : [Segment(type: .sequence, asNumbers: sequence)]
    }

    /// The AS that stands in for a 4-octet AS in 2-octet fields (RFC 6793 §9).
    public static let asTrans: UInt16 = 23456

    public struct Segment: Hashable, Sendable {
        public var type: SegmentType
        public var asNumbers: [UInt32]

        public init(type: SegmentType, asNumbers: [UInt32]) {
            self.type = type
            self.asNumbers = asNumbers
        }
    }

    public enum SegmentType: UInt8, Hashable, Sendable {
        case set = 1
        case sequence = 2
        /// RFC 5065 confederation segments: kept, not counted in the path length.
        case confedSequence = 3
        case confedSet = 4
    }

    /// The length the decision process compares (RFC 4271 §9.1.2.2 a): a set counts as one,
    /// confederation segments not at all.
    public var length: Int {
        segments.reduce(0) { total, segment in
            switch segment.type {
            case .sequence: total + segment.asNumbers.count
            case .set: total + 1
            case .confedSequence, .confedSet: total
            }
        }
    }

    /// The neighbouring AS: the first AS of a leading AS_SEQUENCE, for the MED rule.
    public var firstAS: UInt32? {
        guard let first = segments.first, first.type == .sequence else { return nil }
        return first.asNumbers.first
    }

    /// The path with `asn` put in front, as an eBGP speaker sends it (RFC 4271 §5.1.2).
    public func prepending(_ asn: UInt32) -> ASPath {
        var copy = self
        if let first = copy.segments.first, first.type == .sequence, first.asNumbers.count < 255 {
            copy.segments[0].asNumbers.insert(asn, at: 0)
        } else {
            copy.segments.insert(Segment(type: .sequence, asNumbers: [asn]), at: 0)
        }
        return copy
    }

    public func contains(_ asn: UInt32) -> Bool {
        segments.contains { $0.asNumbers.contains(asn) }
    }

    public var description: String {
        segments.map { segment in
            let list = segment.asNumbers.map(String.init).joined(separator: " ")
            switch segment.type {
            case .sequence: return list
            case .set: return "{\(list)}"
            case .confedSequence: return "(\(list))"
            case .confedSet: return "[\(list)]"
            }
        }.joined(separator: " ")
    }
}
