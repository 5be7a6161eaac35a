import BGP
import BGPCore
import Foundation
import NetworkCore
import TestSupport

/// `bench-bgp [PREFIXES] [GOBGP_CAP_SECONDS] [receive|send|kernel|all]`: a full IPv4 table (default 1,000,000 /24s)
/// fed to our speaker, BIRD 2 and GoBGP as receivers, one after the other in fresh `te-`
/// namespaces; then into a kernel table, by our speaker (the `kernel` key: table 100, and a
/// second time with the feed as a multihop peer whose next hops resolve through main, into
/// main) and by BIRD (its kernel protocol, table 100), each timed until the kernel holds them
/// all, then until it holds none after the session ends, beside `ip -batch` of the same
/// routes; then the same table originated by our speaker and by BIRD towards a BIRD
/// receiver. Prints times, RSS and ratios against BIRD doing the same. `kernel` leaves out
/// GoBGP and the sending part. Needs root and a release build.
@main
struct BenchBGP {
    static func main() throws {
        let arguments = CommandLine.arguments.dropFirst()
        let count = arguments.first.flatMap { Int($0) } ?? 1_000_000
        let gobgpCap = arguments.dropFirst().first.flatMap { Double($0) } ?? 150
        let parts = arguments.dropFirst(2).first ?? "all"
        try requireRoot()
        if parts != "send" { try receiving(count: count, gobgpCap: gobgpCap, withGoBGP: parts != "kernel") }
        if parts == "all" || parts == "send" { sending(count: count) }
    }

    static func receiving(count: Int, gobgpCap: Double, withGoBGP: Bool) throws {
        let started = Date()
        let feed = Feed(count: count, routerID: IPv4Address(0x0AFE_0001))
        print(String(format: "feed: %d prefixes in %d UPDATEs, %.1f MB, encoded in %.2f s before connecting",
                     count, feed.messages, Double(feed.updates.count) / 1_048_576, Date().timeIntervalSince(started)))

        let ribs = [
            attempt("terway-edge") { try Receiving.run($0, feed: feed, cap: 300, start: Receiving.speaker) },
            attempt("BIRD") { try Receiving.run($0, feed: feed, cap: 300, start: Receiving.bird) },
            withGoBGP ? attempt("GoBGP") { try Receiving.run($0, feed: feed, cap: gobgpCap, start: Receiving.gobgp) } : nil,
        ].compactMap { $0 }
        let kernels = [
            attempt("terway-edge, kernel table") {
                try Receiving.run($0, feed: feed, cap: 300, start: Receiving.speakerWithKernel)
            },
            attempt("terway-edge multihop, main kernel table") {
                try Receiving.run($0, feed: feed, cap: 300, start: Receiving.speakerResolvingNextHops)
            },
            attempt("BIRD, kernel table") { try Receiving.run($0, feed: feed, cap: 300, start: Receiving.birdWithKernel) },
            attempt("ip -batch, kernel table") { try Receiving.ipBatch($0, count: count) },
        ]
        Table.print("receiving \(count) IPv4 prefixes: first byte of the first UPDATE until all are in the RIB",
                    ribs, reference: "BIRD")
        Table.print("receiving \(count) IPv4 prefixes into a kernel table (\(Receiving.kernelTable), the multihop row main): until the kernel holds all, "
                    + "removal from the session's end until it holds none", kernels, reference: "BIRD, kernel table")
    }

    static func sending(count: Int) {
        let prefixes = Feed.prefixTexts(count: count)
        let senders = [
            attempt("terway-edge") { try Sending.run($0, prefixes: prefixes, cap: Sending.startCap + 60, start: Sending.speaker) },
            attempt("BIRD") { try Sending.run($0, prefixes: prefixes, cap: 300, start: Sending.bird) },
        ]
        Table.print("originating \(count) prefixes to a BIRD receiver: sender start until all are in the receiver's RIB",
                    senders, reference: "BIRD")
    }

    /// One row of a table: a run that fails is reported, and the others still run.
    static func attempt(_ name: String, _ body: (String) throws -> Measurement) -> Measurement {
        do { return try body(name) } catch {
            print("  \(name): \(error)")
            return .failed(name, error)
        }
    }
}
