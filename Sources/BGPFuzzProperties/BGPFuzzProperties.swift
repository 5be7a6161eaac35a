import BGPCore

/// What every fuzz input must satisfy: decoding never traps, whatever the bytes; and a
/// message that decodes re-encodes to bytes that decode again to the same message and
/// encode to the same bytes (for error-free messages, the very value decoded first).
/// Shared by the libFuzzer entry points (FuzzTesting/), which trap on a violation, and the
/// replay of the committed corpus and crashers (BGPCoreTests), which records it.
public enum BGPFuzzProperties {
    /// A property that failed, with the message it failed on.
    public struct Violation: Error, CustomStringConvertible {
        public let description: String
    }

    /// The negotiated facts that change decoding: 4-octet AS or not, eBGP or iBGP, IPv6 next
    /// hops for IPv4 routes (RFC 8950) or not.
    static let optionVariants: [BGPCodecOptions] = [
        BGPCodecOptions(ipv6NextHopFamilies: [.ipv4Unicast]),
        BGPCodecOptions(fourOctetAS: false, isExternal: true, peerAS: 65001),
        BGPCodecOptions(fourOctetAS: true, families: [.ipv4Unicast], isExternal: false),
    ]

    /// Checks one whole message under every option variant.
    public static func checkMessage(_ bytes: UnsafeRawBufferPointer) throws(Violation) {
        for options in optionVariants {
            guard let message = try? BGPMessage.decode(bytes, options: options) else { continue }
            try checkRoundTrip(message, options: options)
        }
    }

    /// Checks one path attribute list, wrapped into an UPDATE that announces 10.0.0.0/24
    /// (so the mandatory-attribute checks apply too).
    public static func checkAttributes(_ bytes: UnsafeRawBufferPointer) throws(Violation) {
        let attributes = bytes.prefix(BGPHeader.maxMessageLength - 27)
        var message: [UInt8] = Array(repeating: 0xFF, count: 16)
        let length = 19 + 4 + attributes.count + 4
        message += [UInt8(length >> 8), UInt8(length & 0xFF), 2, 0, 0,
                    UInt8(attributes.count >> 8), UInt8(attributes.count & 0xFF)]
        message += attributes
        message += [24, 10, 0, 0]
        // withUnsafeBytes rethrows untyped errors: carry the violation out by hand.
        var violation: Violation?
        message.withUnsafeBytes { bytes in
            do throws(Violation) { try checkMessage(bytes) } catch { violation = error }
        }
        if let violation { throw violation }
    }

    /// Re-decoding leaves out the peer's first-AS check: a value decoded from a 2-octet-AS peer
    /// holds the AS_PATH merged with AS4_PATH, whose first AS need not be the peer's (found by
    /// the fuzzer, Crashers/FuzzBGPMessage-crash-ae31...). That check is receive policy, not layout.
    static func checkRoundTrip(_ message: BGPMessage, options received: BGPCodecOptions) throws(Violation) {
        var options = received
        options.peerAS = nil
        let encoded = message.encode(options: options)
        let again: BGPMessage
        do {
            again = try BGPMessage.decode(encoded, options: options)
        } catch {
            throw Violation(description: "re-decoding \(message) failed: \(error)")
        }
        guard again.encode(options: options) == encoded else {
            throw Violation(description: "encoding is not stable for \(message)")
        }
        if case .update(let update) = message, !update.errors.isEmpty { return }
        guard unordered(again) == unordered(message) else {
            throw Violation(description: "round trip changed \(message) into \(again)")
        }
    }

    /// The encoder writes unknown attributes in type order; they may arrive in any order
    /// (RFC 4271 §5), so the comparison sorts them (found by the fuzzer, Crashers/*-34fd...).
    static func unordered(_ message: BGPMessage) -> BGPMessage {
        guard case .update(var update) = message else { return message }
        update.attributes.unknown.sort { $0.type < $1.type }
        return .update(update)
    }
}
