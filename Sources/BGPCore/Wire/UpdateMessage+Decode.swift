/// UPDATE body decoding with RFC 4271 §6.3 checks, revised by RFC 7606: errors that leave
/// the message parseable become treat-as-withdraw or attribute-discard; only errors that
/// make the prefixes impossible to locate reset the session.
extension UpdateMessage {
    static func decode(body: UnsafeRawBufferPointer, options: BGPCodecOptions) throws(BGPMessageError) -> UpdateMessage {
        var reader = BGPByteReader(body)
        guard let withdrawnLength = reader.u16(), let withdrawnBytes = reader.slice(Int(withdrawnLength)),
              let attributesLength = reader.u16(), let attributeBytes = reader.slice(Int(attributesLength)) else {
            throw .update(.malformedAttributeList, "withdrawn routes or path attribute length overruns the UPDATE")
        }
        var update = UpdateMessage()
        guard NLRICodec.decode(withdrawnBytes, into: &update.withdrawn) else {
            throw .update(.invalidNetworkField, "malformed withdrawn routes")
        }
        guard NLRICodec.decode(reader.rest(), into: &update.nlri) else {
            throw .update(.invalidNetworkField, "malformed NLRI")
        }
        var decoder = AttributeDecoder(options: options)
        try decoder.decode(attributeBytes)
        update.mpReach = decoder.mpReach
        update.mpUnreach = decoder.mpUnreach
        update.attributes = decoder.finish()
        update.errors = decoder.errors
        update.checkMandatoryAttributes(seen: decoder.seen)
        return update
    }

    /// Missing well-known attributes (RFC 4271 §6.3, RFC 7606 §3 d): only matter when the
    /// message announces something, and then the announcement is withdrawn.
    private mutating func checkMandatoryAttributes(seen: AttributeDecoder.Seen) {
        let announcesMP = mpReach.map { !$0.prefixes.isEmpty } ?? false
        guard !nlri.isEmpty || announcesMP else { return }
        var required = [AttributeType.origin, AttributeType.asPath]
        if !nlri.isEmpty { required.append(AttributeType.nextHop) }
        for type in required where !seen.contains(type) {
            errors.append(.update(.missingWellKnownAttribute, data: [type], action: .treatAsWithdraw,
                                  "missing well-known attribute \(type)"))
            return
        }
    }
}
