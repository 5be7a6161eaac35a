import Foundation
@testable import SubnetStore
import Testing
import TestSupport

/// The etcd and Kubernetes decoders fed damaged copies of real answers: truncated, with
/// bytes flipped and spliced. Every one must decode or throw the codec's error, never trap.
@Suite struct EtcdAndKubernetesCodecMutationTests {
    static let etcdLines = [
        #"{"result":{"header":{"cluster_id":"1","member_id":"2","revision":"4","raft_term":"2"},"events":[{"type":"DELETE","kv":{"key":"Zm9vMg==","mod_revision":"4"},"prev_kv":{"key":"Zm9vMg==","create_revision":"3","mod_revision":"3","version":"1","value":"YmF6"}}]}}"#,
        #"{"header":{"revision":"3"},"kvs":[{"key":"Zm9v","create_revision":"2","mod_revision":"2","version":"1","value":"YmFy","lease":"7"}],"count":"1","more":true}"#,
        #"{"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader"}}"#,
    ]
    static let kubernetesLines = [
        String(decoding: KubernetesAPIServer.event("MODIFIED", KubernetesAPIServer.node(name: "edge-1", podCIDRs: ["10.0.1.0/24"], internalIP: "192.168.1.1")).dropLast(), as: UTF8.self),
        String(decoding: KubernetesAPIServer.goneEvent(7).dropLast(), as: UTF8.self),
        #"{"type":"BOOKMARK","object":{"kind":"Node","apiVersion":"v1","metadata":{"resourceVersion":"12746"}}}"#,
    ]

    /// Up to four edits per copy, drawn from JSON's syntax characters and a few bytes that
    /// are not UTF-8, with a fixed seed so that a failure repeats.
    static func mutations(of line: String, count: Int, seed: UInt64) -> [[UInt8]] {
        var generator = SeededGenerator(seed: seed)
        let bytes = Array(line.utf8)
        let alphabet = Array(#"{}[]":,0123456789-eE.nulltruefalse\ "#.utf8) + [0x00, 0xff, 0xc3]
        return (0..<count).map { _ in
            damaged(bytes, edits: Int.random(in: 1...4, using: &generator), alphabet: alphabet, using: &generator)
        }
    }

    @Test func etcdDecodersNeverTrap() {
        var decoded = 0, refused = 0
        for (index, line) in Self.etcdLines.enumerated() {
            for bytes in Self.mutations(of: line, count: 1500, seed: UInt64(index) + 1) {
                do {
                    _ = try EtcdWatchResponse(line: bytes)
                    _ = try EtcdRangeResponse(json: EtcdJSON(parsing: bytes, context: "range"))
                    decoded += 1
                } catch {
                    // Both decoders throw only EtcdError (typed throws): the compiler checks it.
                    refused += 1
                }
            }
        }
        #expect(decoded + refused == 4500 && refused > 0)
    }

    @Test func kubernetesDecodersNeverTrap() {
        var refused = 0
        for (index, line) in Self.kubernetesLines.enumerated() {
            for bytes in Self.mutations(of: line, count: 1500, seed: UInt64(index) + 100) {
                do {
                    _ = try KubernetesWatchEvent(line: bytes)
                } catch {
                    refused += 1
                }
            }
        }
        #expect(refused > 0)
    }
}
