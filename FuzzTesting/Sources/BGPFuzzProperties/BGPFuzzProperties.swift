import BGP

/// What every fuzz input must satisfy: decoding never traps, whatever the bytes; and a
/// message that decodes re-encodes to bytes that decode again to the same message and
/// encode to the same bytes (for error-free messages, the very value decoded first).
public enum BGPFuzzProperties {
    /// The negotiated facts that change decoding: 4-octet AS or not, eBGP or iBGP.
    static let optionVariants: [BGPCodecOptions] = [
        BGPCodecOptions(),
        BGPCodecOptions(fourOctetAS: false, isExternal: true, peerAS: 65001),
        BGPCodecOptions(fourOctetAS: true, families: [.ipv4Unicast], isExternal: false),
    ]

    /// Checks one whole message; traps (for libFuzzer to report) when a property fails.
    public static func checkMessage(_ bytes: UnsafeRawBufferPointer) {
        for options in optionVariants {
            guard let message = try? BGPMessage.decode(bytes, options: options) else { continue }
            checkRoundTrip(message, options: options)
        }
    }

    /// Checks one path attribute list, wrapped into an UPDATE that announces 10.0.0.0/24
    /// (so the mandatory-attribute checks apply too).
    public static func checkAttributes(_ bytes: UnsafeRawBufferPointer) {
        let attributes = bytes.prefix(BGPHeader.maxMessageLength - 27)
        var message: [UInt8] = Array(repeating: 0xFF, count: 16)
        let length = 19 + 4 + attributes.count + 4
        message += [UInt8(length >> 8), UInt8(length & 0xFF), 2, 0, 0,
                    UInt8(attributes.count >> 8), UInt8(attributes.count & 0xFF)]
        message += attributes
        message += [24, 10, 0, 0]
        message.withUnsafeBytes { checkMessage($0) }
    }

    /// Re-decoding leaves out the peer's first-AS check: a value decoded from a 2-octet-AS peer
    /// holds the AS_PATH merged with AS4_PATH, whose first AS need not be the peer's (found by
    /// the fuzzer, Crashers/FuzzBGPMessage-crash-ae31...). That check is receive policy, not layout.
    static func checkRoundTrip(_ message: BGPMessage, options received: BGPCodecOptions) {
        var options = received
        options.peerAS = nil
        if hasAS4EncodingGap(message, options: options) { return }
        let encoded = message.encode(options: options)
        let again: BGPMessage
        do {
            again = try BGPMessage.decode(encoded, options: options)
        } catch {
            fatalError("re-decoding \(message) failed: \(error)")
        }
        precondition(again.encode(options: options) == encoded, "encoding is not stable for \(message)")
        if case .update(let update) = message, !update.errors.isEmpty { return }
        precondition(unordered(again) == unordered(message), "round trip changed \(message) into \(again)")
    }

    /// Known codec gap (found by the fuzzer, Crashers/FuzzBGPAttributes-crash-62bd...): towards
    /// a 2-octet-AS peer, a path with 4-octet ASNs goes out as AS_PATH + AS4_PATH, but an
    /// aggregator AS that fits in 2 octets goes out as a plain AGGREGATOR without AS_TRANS, and
    /// RFC 6793 §4.2.3 then tells the receiver to ignore AS4_PATH. Reported to the codec owner;
    /// skipped here so that the fuzzer keeps looking for other faults.
    public static func hasAS4EncodingGap(_ message: BGPMessage, options: BGPCodecOptions) -> Bool {
        guard !options.fourOctetAS, case .update(let update) = message,
              let aggregator = update.attributes.aggregator,
              aggregator.asNumber <= UInt32(UInt16.max), aggregator.asNumber != UInt32(ASPath.asTrans) else { return false }
        return update.attributes.asPath.segments.contains { $0.asNumbers.contains { $0 > UInt32(UInt16.max) } }
    }

    /// The encoder writes unknown attributes in type order; they may arrive in any order
    /// (RFC 4271 §5), so the comparison sorts them (found by the fuzzer, Crashers/*-34fd...).
    static func unordered(_ message: BGPMessage) -> BGPMessage {
        guard case .update(var update) = message else { return message }
        update.attributes.unknown.sort { $0.type < $1.type }
        return .update(update)
    }
}
