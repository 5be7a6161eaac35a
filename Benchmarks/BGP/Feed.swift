import BGP
import BGPCore
import NetworkCore

/// The benchmark's feed: `count` IPv4 /24 prefixes from 32.0.0.0 up, sharing one attribute
/// set (ORIGIN IGP, AS_PATH [65001], NEXT_HOP the sender), packed by `UpdatePacker` into
/// full 4096-octet UPDATEs. Everything is encoded before any connection is made, so the
/// sender only copies bytes into the socket.
struct Feed {
    static let senderAS: UInt32 = 65001
    let count: Int
    let open: [UInt8]
    let keepalive: [UInt8]
    let updates: [UInt8]
    let messages: Int

    init(count: Int, routerID: IPv4Address) {
        self.count = count
        let options = BGPCodecOptions(families: [.ipv4Unicast])
        open = BGPMessage.open(OpenMessage(asNumber: Self.senderAS, holdTime: 240, bgpIdentifier: routerID,
                                           capabilities: [.multiprotocol(.ipv4Unicast)])).encode(options: options)
        keepalive = BGPMessage.keepalive.encode(options: options)
        let prefixes = (0..<count).map { IPv4NLRI(address: 0x2000_0000 + UInt32($0) << 8, length: 24)! }
        let attributes = PathAttributes(origin: .igp, asPath: ASPath(sequence: [Self.senderAS]),
                                        nextHop: .ipv4(routerID))
        var out: [UInt8] = []
        out.reserveCapacity(count * 4 + count / 256 * 64)
        messages = UpdatePacker(options: options).announce(prefixes, attributes: attributes, into: &out)
        updates = out
    }

    /// The same prefixes as text, for daemons that originate them from configuration.
    static func prefixTexts(count: Int) -> [String] {
        (0..<count).map { i in
            let a = 0x2000_0000 + UInt32(i) << 8
            return "\(a >> 24).\(a >> 16 & 0xFF).\(a >> 8 & 0xFF).0/24"
        }
    }
}
