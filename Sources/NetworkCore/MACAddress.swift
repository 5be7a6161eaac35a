/// A 48-bit Ethernet address, as links carry it (`IFLA_ADDRESS`) and CNI results print it.
public struct MACAddress: Hashable, Sendable {
    public let bytes: [UInt8]

    /// Takes exactly 6 bytes; nil otherwise.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 6 else { return nil }
        self.bytes = Array(bytes)
    }

    /// Parses `aa:bb:cc:dd:ee:ff` (either case); nil for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard part.count == 2, let byte = UInt8(part, radix: 16) else { return nil }
            bytes.append(byte)
        }
        self.bytes = bytes
    }

    /// A unicast, locally administered address made from `seed` (e.g. a hash of a container id):
    /// stable for the same seed, never a multicast or vendor address.
    public init(locallyAdministeredFrom seed: UInt64) {
        var bytes = (0..<6).map { UInt8(truncatingIfNeeded: seed >> (8 * UInt64(5 - $0))) }
        bytes[0] = (bytes[0] & 0xFC) | 0x02
        self.bytes = bytes
    }

    public var isMulticast: Bool { bytes[0] & 0x01 != 0 }
    public var isLocallyAdministered: Bool { bytes[0] & 0x02 != 0 }
}

extension MACAddress: CustomStringConvertible, LosslessStringConvertible {
    public var description: String {
        bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined(separator: ":")
    }
}
