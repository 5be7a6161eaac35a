import BGPFuzzProperties
import Foundation
import Testing

/// Replays the fuzzer's committed seed corpus and every committed crasher
/// (FuzzTesting/Corpus, FuzzTesting/Crashers) through the fuzz entry points' own property
/// as ordinary tests: decoding never traps; what decodes re-encodes stably.
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

    @Test func corpusIsThere() {
        #expect(Self.inputs.filter { $0.hasPrefix("Corpus/FuzzBGPMessage/") }.count >= 30)
        #expect(Self.inputs.contains { $0.hasPrefix("Crashers/") })
    }

    @Test(arguments: inputs)
    func replay(_ name: String) throws {
        let data = try [UInt8](Data(contentsOf: Self.fuzzFolder.appendingPathComponent(name)))
        // Attribute-list inputs go through the attribute entry point's wrapping, as when fuzzed.
        let attributes = name.contains("FuzzBGPAttributes")
        #expect(throws: Never.self, "\(name)") {
            try data.withUnsafeBytes { bytes in
                try attributes ? BGPFuzzProperties.checkAttributes(bytes) : BGPFuzzProperties.checkMessage(bytes)
            }
        }
    }
}
