import Glibc
import NetworkCore

extension IPFamily {
    /// AF_INET / AF_INET6, as the messages' family byte.
    var addressFamily: UInt8 {
        switch self {
        case .v4: UInt8(AF_INET)
        case .v6: UInt8(AF_INET6)
        }
    }

    init?(addressFamily: UInt8) {
        switch Int32(addressFamily) {
        case AF_INET: self = .v4
        case AF_INET6: self = .v6
        default: return nil
        }
    }

    /// The family byte of a decoded message, or a decoding error for anything but IPv4/IPv6.
    static func decoding(_ addressFamily: UInt8, in context: String) throws(NetlinkDecodingError) -> IPFamily {
        guard let family = IPFamily(addressFamily: addressFamily) else {
            throw NetlinkDecodingError("\(context): address family \(addressFamily)")
        }
        return family
    }
}

extension IPPrefix {
    /// A prefix from a decoded address attribute and length; the whole family when absent.
    static func decoding(_ attribute: RouteAttribute?, length: UInt8, family: IPFamily,
                         in context: String) throws(NetlinkDecodingError) -> IPPrefix {
        let address = try attribute?.address() ?? IPAddress(family: family, bits: 0)!
        guard address.family == family, let prefix = IPPrefix(containing: address, length: Int(length)) else {
            throw NetlinkDecodingError("\(context): bad prefix \(address)/\(length)")
        }
        return prefix
    }
}
