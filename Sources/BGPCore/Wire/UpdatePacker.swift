/// Packs many prefixes that share one attribute set into as few UPDATEs as fit in the
/// maximum message size: the attributes are encoded once, then each message is filled with
/// prefixes. This is how a table of a million routes goes out in about a thousand messages.
public struct UpdatePacker: Sendable {
    public var options: BGPCodecOptions
    public var maxMessageLength: Int

    /// `maxMessageLength` defaults to what the session negotiated (4096, or 65535 with RFC 8654).
    public init(options: BGPCodecOptions, maxMessageLength: Int? = nil) {
        self.options = options
        self.maxMessageLength = min(maxMessageLength ?? options.maxMessageLength, BGPHeader.maxExtendedMessageLength)
    }

    /// Appends UPDATEs announcing IPv4 `prefixes` in the NLRI field (next hop from
    /// `attributes.nextHop`) and returns how many messages were written. With an IPv6 next
    /// hop (RFC 8950) they go in MP_REACH_NLRI instead, which alone can carry it.
    @discardableResult
    public func announce(_ prefixes: some Collection<IPv4NLRI>, attributes: PathAttributes,
                         into out: inout [UInt8]) -> Int {
        if case .ipv6? = attributes.nextHop {
            return announceMP(prefixes, head: MPReachNLRI(family: .ipv4Unicast, nextHop: attributes.nextHop!, prefixes: .ipv4([])),
                              attributes: attributes, into: &out)
        }
        var encoded: [UInt8] = []
        attributes.encode(into: &encoded, options: options)
        return pack(prefixes, into: &out) { out, body in
            out.appendU16(0)
            out.appendU16(UInt16(truncatingIfNeeded: encoded.count))
            out += encoded
            body(&out)
        } fixedSize: { 4 + encoded.count }
    }

    /// Appends UPDATEs announcing IPv6 `prefixes` in MP_REACH_NLRI, placed first (RFC 7606
    /// §5.1), with the next hop from `attributes.nextHop`.
    @discardableResult
    public func announce(_ prefixes: some Collection<IPv6NLRI>, attributes: PathAttributes,
                         into out: inout [UInt8]) -> Int {
        announceMP(prefixes, head: MPReachNLRI(family: .ipv6Unicast, nextHop: attributes.nextHop ?? .other([]), prefixes: .ipv6([])),
                   attributes: attributes, into: &out)
    }

    /// Prefixes in MP_REACH_NLRI behind `head` (family and next hop), the other attributes after.
    private func announceMP<Prefixes: Collection>(_ prefixes: Prefixes, head: MPReachNLRI, attributes: PathAttributes,
                                                  into out: inout [UInt8]) -> Int where Prefixes.Element: WirePrefix {
        var shared = attributes
        shared.nextHop = nil
        var encoded: [UInt8] = []
        shared.encode(into: &encoded, options: options)
        var mpHead: [UInt8] = []
        head.encode(into: &mpHead)
        return pack(prefixes, into: &out) { out, body in
            out.appendU16(0)
            let attributesAt = out.count
            out.appendU16(0)
            Self.appendMPAttribute(type: AttributeType.mpReach, head: mpHead, body: body, into: &out)
            out += encoded
            out.patchU16(UInt16(truncatingIfNeeded: out.count - attributesAt - 2), at: attributesAt)
        } fixedSize: { 8 + mpHead.count + encoded.count }
    }

    /// Appends UPDATEs withdrawing IPv4 `prefixes` in the Withdrawn Routes field.
    @discardableResult
    public func withdraw(_ prefixes: some Collection<IPv4NLRI>, into out: inout [UInt8]) -> Int {
        pack(prefixes, into: &out) { out, body in
            let lengthAt = out.count
            out.appendU16(0)
            body(&out)
            out.patchU16(UInt16(truncatingIfNeeded: out.count - lengthAt - 2), at: lengthAt)
            out.appendU16(0)
        } fixedSize: { 4 }
    }

    /// Appends UPDATEs withdrawing IPv6 `prefixes` in MP_UNREACH_NLRI.
    @discardableResult
    public func withdraw(_ prefixes: some Collection<IPv6NLRI>, into out: inout [UInt8]) -> Int {
        var head: [UInt8] = []
        MPUnreachNLRI(family: .ipv6Unicast, prefixes: .ipv6([])).encode(into: &head)
        return pack(prefixes, into: &out) { out, body in
            out.appendU16(0)
            let attributesAt = out.count
            out.appendU16(0)
            Self.appendMPAttribute(type: AttributeType.mpUnreach, head: head, body: body, into: &out)
            out.patchU16(UInt16(truncatingIfNeeded: out.count - attributesAt - 2), at: attributesAt)
        } fixedSize: { 8 + head.count }
    }

    /// An MP attribute with the Extended Length bit, its fixed head, then the prefixes.
    private static func appendMPAttribute(type: UInt8, head: [UInt8], body: (inout [UInt8]) -> Void,
                                          into out: inout [UInt8]) {
        out.append(AttributeFlags.optional | AttributeFlags.extendedLength)
        out.append(type)
        let lengthAt = out.count
        out.appendU16(0)
        out += head
        body(&out)
        out.patchU16(UInt16(truncatingIfNeeded: out.count - lengthAt - 2), at: lengthAt)
    }

    /// The loop shared by all four: start a message, let `layout` write its body with the
    /// prefixes that fit into the room left after `fixedSize` octets, patch the header length.
    private func pack<Prefixes: Collection>(
        _ prefixes: Prefixes, into out: inout [UInt8],
        layout: (inout [UInt8], (inout [UInt8]) -> Void) -> Void, fixedSize: () -> Int
    ) -> Int where Prefixes.Element: WirePrefix {
        let room = maxMessageLength - BGPHeader.length - fixedSize()
        guard room >= 17 else { return 0 } // attributes too large to carry even one prefix
        var index = prefixes.startIndex
        var messages = 0
        while index != prefixes.endIndex {
            let start = out.count
            BGPMessage.appendHeader(type: .update, into: &out)
            layout(&out) { body in
                var used = 0
                while index != prefixes.endIndex {
                    let prefix = prefixes[index]
                    let bytes = prefix.encodedSize
                    guard used + bytes <= room else { break }
                    prefix.encode(into: &body)
                    used += bytes
                    prefixes.formIndex(after: &index)
                }
            }
            out.patchU16(UInt16(truncatingIfNeeded: out.count - start), at: start + 16)
            messages += 1
        }
        return messages
    }
}
