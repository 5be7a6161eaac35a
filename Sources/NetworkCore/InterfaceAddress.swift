/// An address together with the length of the prefix it is on, as assigned to an
/// interface (`10.0.1.5/24`): unlike `IPPrefix`, host bits are the point.
public struct InterfaceAddress: Hashable, Sendable {
    public let address: IPAddress
    public let prefixLength: Int

    public init?(address: IPAddress, prefixLength: Int) {
        guard prefixLength >= 0, prefixLength <= address.family.bitWidth else { return nil }
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses `address/length`; nil when either half is invalid.
    public init?(_ text: some StringProtocol) {
        let string = String(text)
        guard let slash = string.firstIndex(of: "/"), let address = IPAddress(string[..<slash]) else { return nil }
        let lengthText = string[string.index(after: slash)...]
        guard !lengthText.isEmpty, lengthText.count <= 3, lengthText.allSatisfy(\.isASCIIDigit),
              let length = Int(lengthText) else { return nil }
        self.init(address: address, prefixLength: length)
    }

    public var family: IPFamily { address.family }

    /// The block the address sits in.
    public var prefix: IPPrefix { IPPrefix(containing: address, length: prefixLength)! }
}

extension InterfaceAddress: CustomStringConvertible, LosslessStringConvertible {
    public var description: String { "\(address)/\(prefixLength)" }
}
