import BGP
import Foundation
import Testing

/// Replays the fuzzer's committed seed corpus and every committed crasher
/// (FuzzTesting/Corpus, FuzzTesting/Crashers) through the codec as ordinary tests, with the
/// fuzz entry points' property: decoding never traps; what decodes re-encodes stably.
@Suite("Fuzz corpus and crashers replayed")
struct FuzzReplayTests {
    static let fuzzFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FuzzTesting")

    /// Every file under Corpus/ and Crashers/, named by its path below FuzzTesting/.
    static let inputs: [String] = ["Corpus/FuzzBGPMessage", "Corpus/FuzzBGPAttributes", "Crashers"].flatMap { folder in
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fuzzFolder.appendingPathComponent(folder).path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { "\(folder)/\($0)" }
    }

    static let optionVariants: [BGPCodecOptions] = [
        BGPCodecOptions(),
        BGPCodecOptions(fourOctetAS: false, isExternal: true, peerAS: 65001),
        BGPCodecOptions(fourOctetAS: true, families: [.ipv4Unicast], isExternal: false),
    ]

    @Test func corpusIsThere() {
        #expect(Self.inputs.filter { $0.hasPrefix("Corpus/FuzzBGPMessage/") }.count >= 30)
    }

    @Test(arguments: inputs)
    func replay(_ name: String) throws {
        let data = try [UInt8](Data(contentsOf: Self.fuzzFolder.appendingPathComponent(name)))
        // Attribute-list inputs are wrapped into an UPDATE announcing 10.0.0.0/24, as the entry point does.
        let bytes = name.contains("FuzzBGPAttributes") ? Self.wrapAttributes(data) : data
        for received in Self.optionVariants {
            guard let message = try? BGPMessage.decode(bytes, options: received) else { continue }
            // As in FuzzTesting's property: the peer's first-AS check is receive policy, not layout.
            var options = received
            options.peerAS = nil
            if Self.hasAS4EncodingGap(message, options: options) {
                // The encoder's output then decodes differently: still open in the codec.
                withKnownIssue("AGGREGATOR with a 2-octet AS makes the receiver ignore our AS4_PATH (RFC 6793 §4.2.3)") { () throws in
                    let encoded = message.encode(options: options)
                    #expect(try BGPMessage.decode(encoded, options: options).encode(options: options) == encoded)
                }
                continue
            }
            let encoded = message.encode(options: options)
            let again = try BGPMessage.decode(encoded, options: options)
            #expect(again.encode(options: options) == encoded, "\(name): encoding not stable")
            if case .update(let update) = message, !update.errors.isEmpty { continue }
            #expect(Self.unordered(again) == Self.unordered(message), "\(name): round trip changed the message")
        }
    }

    /// The fuzz property's known gap (FuzzTesting/Sources/BGPFuzzProperties): a 2-octet-AS
    /// session, 4-octet ASNs in the path, and an aggregator AS that fits in 2 octets.
    static func hasAS4EncodingGap(_ message: BGPMessage, options: BGPCodecOptions) -> Bool {
        guard !options.fourOctetAS, case .update(let update) = message,
              let aggregator = update.attributes.aggregator,
              aggregator.asNumber <= UInt32(UInt16.max), aggregator.asNumber != UInt32(ASPath.asTrans) else { return false }
        return update.attributes.asPath.segments.contains { $0.asNumbers.contains { $0 > UInt32(UInt16.max) } }
    }

    /// Unknown attributes may arrive in any order (RFC 4271 §5); the encoder sorts them by type.
    static func unordered(_ message: BGPMessage) -> BGPMessage {
        guard case .update(var update) = message else { return message }
        update.attributes.unknown.sort { $0.type < $1.type }
        return .update(update)
    }

    static func wrapAttributes(_ attributes: [UInt8]) -> [UInt8] {
        let attributes = attributes.prefix(BGPHeader.maxMessageLength - 27)
        let length = 19 + 4 + attributes.count + 4
        return Array(repeating: 0xFF, count: 16)
            + [UInt8(length >> 8), UInt8(length & 0xFF), 2, 0, 0, UInt8(attributes.count >> 8), UInt8(attributes.count & 0xFF)]
            + attributes + [24, 10, 0, 0]
    }
}
