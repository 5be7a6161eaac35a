/// Message encoding: header plus body (RFC 4271 §4).
extension BGPMessage {
    /// The message as it goes on the wire. UPDATEs larger than 4096 octets are not split
    /// here; build those with `UpdatePacker`.
    public func encode(options: BGPCodecOptions) -> [UInt8] {
        var out: [UInt8] = []
        encode(into: &out, options: options)
        return out
    }

    /// Appends the message to `out`, so many messages can share one buffer.
    public func encode(into out: inout [UInt8], options: BGPCodecOptions) {
        let start = out.count
        Self.appendHeader(type: type, into: &out)
        switch self {
        case .open(let open): open.encodeBody(into: &out)
        case .update(let update): update.encodeBody(into: &out, options: options)
        case .notification(let n):
            out.append(n.code.rawValue)
            out.append(n.subcode)
            out += n.data.prefix(BGPHeader.maxMessageLength - 21)
        case .keepalive: break
        case .routeRefresh(let rr):
            out.appendU16(rr.family.afi)
            out.append(rr.subtype)
            out.append(rr.family.safi)
        }
        out.patchU16(UInt16(truncatingIfNeeded: out.count - start), at: start + 16)
    }

    /// Marker, a zero length to be patched, and the type.
    static func appendHeader(type: BGPMessageType, into out: inout [UInt8]) {
        out.append(contentsOf: repeatElement(0xFF, count: BGPHeader.markerLength))
        out.append(0)
        out.append(0)
        out.append(type.rawValue)
    }
}

extension UpdateMessage {
    func encodeBody(into out: inout [UInt8], options: BGPCodecOptions) {
        let withdrawnStart = out.count
        out.appendU16(0)
        for prefix in withdrawn { prefix.encode(into: &out) }
        out.patchU16(UInt16(truncatingIfNeeded: out.count - withdrawnStart - 2), at: withdrawnStart)
        let attributesStart = out.count
        out.appendU16(0)
        attributes.encode(into: &out, options: options, mpReach: mpReach, mpUnreach: mpUnreach)
        out.patchU16(UInt16(truncatingIfNeeded: out.count - attributesStart - 2), at: attributesStart)
        for prefix in nlri { prefix.encode(into: &out) }
    }
}
