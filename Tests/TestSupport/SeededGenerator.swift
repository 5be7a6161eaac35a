/// SplitMix64: a seeded generator for tests that make random inputs, so that a failure
/// replays with the same bytes.
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// `bytes` with `edits` random edits, each a truncation, an overwritten, inserted or deleted
/// byte: the damage decoder robustness tests feed to parsers. For text formats pass an
/// `alphabet` of syntax characters, which reach deeper into a parser than random bytes.
public func damaged(_ bytes: [UInt8], edits: Int = 1, alphabet: [UInt8]? = nil,
                    using generator: inout SeededGenerator) -> [UInt8] {
    func byte() -> UInt8 {
        alphabet?.randomElement(using: &generator) ?? UInt8.random(in: 0...255, using: &generator)
    }
    var copy = bytes
    for _ in 0..<edits {
        guard !copy.isEmpty else {
            copy = [byte()]
            continue
        }
        switch Int.random(in: 0..<4, using: &generator) {
        case 0: copy = Array(copy.prefix(Int.random(in: 0..<copy.count, using: &generator)))
        case 1: copy[Int.random(in: 0..<copy.count, using: &generator)] = byte()
        case 2: copy.insert(byte(), at: Int.random(in: 0...copy.count, using: &generator))
        default: copy.remove(at: Int.random(in: 0..<copy.count, using: &generator))
        }
    }
    return copy
}
