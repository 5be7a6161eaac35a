/// Even division of a block into node subnets.
extension IPPrefix {
    /// How many subnets of `length` the block holds; nil when `length` is shorter than the
    /// block's or longer than the family allows, saturating at `UInt128.max`.
    public func subnetCount(ofLength length: Int) -> UInt128? {
        guard length >= self.length, length <= family.bitWidth else { return nil }
        let bits = length - self.length
        return bits >= 128 ? .max : UInt128(1) << bits
    }

    /// The `index`-th subnet of `length` inside the block; nil past the last one.
    public func subnet(ofLength length: Int, at index: UInt128) -> IPPrefix? {
        guard let count = subnetCount(ofLength: length), index < count || count == .max else { return nil }
        let shift = family.bitWidth - length
        let offset = shift >= 128 ? 0 : index << shift
        return IPPrefix(network: IPAddress(family: family, bits: network.bits | offset)!, length: length)
    }

    /// The position of `subnet` among this block's subnets of its length; nil when it is not one.
    public func subnetIndex(of subnet: IPPrefix) -> UInt128? {
        guard contains(subnet), let offset = index(of: subnet.network) else { return nil }
        let shift = family.bitWidth - subnet.length
        return shift >= 128 ? 0 : offset >> shift
    }

    /// All subnets of `length`, in address order, produced lazily (a /8 holds 2^24 /32s).
    public func subnets(ofLength length: Int) -> SubnetSequence {
        SubnetSequence(block: self, length: length)
    }

    /// Splits the block into `parts` equal subnets; `parts` must be a power of two that fits.
    public func divided(into parts: Int) -> [IPPrefix]? {
        guard parts > 0, parts & (parts - 1) == 0 else { return nil }
        let length = self.length + parts.trailingZeroBitCount
        guard length <= family.bitWidth else { return nil }
        return Array(subnets(ofLength: length))
    }
}

/// The subnets of one length inside a block, in address order.
public struct SubnetSequence: Sequence, Sendable {
    public let block: IPPrefix
    public let length: Int

    public func makeIterator() -> Iterator {
        Iterator(block: block, length: length, position: 0, count: block.subnetCount(ofLength: length) ?? 0)
    }

    public struct Iterator: IteratorProtocol, Sendable {
        let block: IPPrefix
        let length: Int
        var position: UInt128
        let count: UInt128

        public mutating func next() -> IPPrefix? {
            guard position < count else { return nil }
            defer { position += 1 }
            return block.subnet(ofLength: length, at: position)
        }
    }
}
