import Command
import Foundation

/// Where a packet goes, read from the kernels of the lab's namespaces: `ip route get` in
/// the sender, then, hop by hop, in the namespace that owns the next hop's address, as a
/// forwarded packet (`from SOURCE iif DEVICE`). Names the hop where the routes end.
struct HopWalk {
    /// Every address of every lab namespace: (namespace, device, address).
    let addresses: [(namespace: String, device: String, address: String)]
    let labels: [String: String]

    init(namespaces: [LabNamespace]) throws {
        labels = Dictionary(namespaces.map { ($0.name, $0.label) }, uniquingKeysWith: { a, _ in a })
        addresses = try parallel(namespaces.map(\.name)) { namespace in
            try run(["ip", "-n", namespace, "-o", "addr", "show"], check: false).stdout.split(separator: "\n").compactMap { line in
                // "2: eth0    inet 10.0.1.2/24 brd ... scope global eth0"
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 3, let family = fields.firstIndex(where: { $0 == "inet" || $0 == "inet6" }),
                      family + 1 < fields.count else { return nil }
                return (namespace, String(fields[1]), String(fields[family + 1].split(separator: "/")[0]))
            }
        }.flatMap { $0 }
    }

    struct Outcome {
        /// The namespaces passed, sender first.
        var hops: [String]
        /// Why the walk ended before the destination; nil when it arrived.
        var stop: String?
    }

    func label(_ namespace: String) -> String { labels[namespace] ?? namespace }

    func walk(from namespace: String, source: String, to destination: String) -> Outcome {
        var current = namespace, incoming: String?
        var hops = [namespace]
        for _ in 0..<16 {
            var argv = ["ip", "-n", current, "route", "get", destination]
            if let incoming { argv += ["from", source, "iif", incoming] }
            guard let result = try? run(argv, check: false), result.succeeded else {
                let why = ((try? run(argv, check: false))?.stderr ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                return Outcome(hops: hops, stop: "stops at \(label(current)): no route to \(destination) (\(why.replacingOccurrences(of: "RTNETLINK answers: ", with: "")))")
            }
            let fields = result.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
            if fields.first == "local" { return Outcome(hops: hops, stop: nil) }
            if let kind = fields.first, ["unreachable", "blackhole", "prohibit", "throw"].contains(kind) {
                return Outcome(hops: hops, stop: "stops at \(label(current)): \(kind) route to \(destination)")
            }
            let via = fields.firstIndex(of: "via").map { fields[$0 + 1] }
            let device = fields.firstIndex(of: "dev").map { fields[$0 + 1] } ?? "?"
            let nextHop = via ?? destination
            let owners = addresses.filter { $0.address == nextHop && $0.namespace != current }
            let next: String
            if let owner = owners.first?.namespace {
                next = owner
                let candidates = owners.filter { $0.namespace == next }
                incoming = candidates.count == 1 ? candidates[0].device
                    : peer(of: device, in: current).flatMap { peer in candidates.first { $0.device == peer.device }?.device } ?? candidates[0].device
            } else if let peer = peer(of: device, in: current) {
                // A next hop no interface holds (a link-local gateway answered by a static
                // neighbour entry, as for cloud pods): the other end of the veth.
                next = peer.namespace
                incoming = peer.device
            } else {
                return Outcome(hops: hops, stop: "stops at \(label(current)): next hop \(nextHop) on \(device) is no lab namespace's address")
            }
            current = next
            hops.append(next)
        }
        return Outcome(hops: hops, stop: "a routing loop: \(hops.suffix(4).map(label).joined(separator: " → "))")
    }

    /// The other end of veth `device` of `namespace` (`ip -o link`: `eth0@if7: … link-netns NAME`).
    private func peer(of device: String, in namespace: String) -> (namespace: String, device: String)? {
        guard let line = try? run(["ip", "-n", namespace, "-o", "link", "show", "dev", device], check: false).stdout,
              let at = line.range(of: "@if"), let netns = line.range(of: "link-netns ") else { return nil }
        let index = line[at.upperBound...].prefix { $0.isNumber }
        let other = String(line[netns.upperBound...].prefix { !$0.isWhitespace })
        guard let links = try? run(["ip", "-n", other, "-o", "link", "show"], check: false).stdout else { return nil }
        for entry in links.split(separator: "\n") where entry.hasPrefix("\(index): ") {
            let name = entry.dropFirst(index.count + 2).prefix { $0 != ":" && $0 != "@" }
            return (other, String(name))
        }
        return nil
    }

    /// A sentence for a failed path: where the forward walk stopped, else where the way back
    /// did, else that the routes are whole both ways (the packet was dropped on a link or by a filter).
    func explain(from: String, source: String, to: String, destination: String) -> String {
        let forward = walk(from: from, source: source, to: destination)
        if let stop = forward.stop { return "\(stop) (hops: \(path(forward.hops)))" }
        let back = walk(from: forward.hops.last ?? to, source: destination, to: source)
        if let stop = back.stop { return "the reply \(stop) (hops: \(path(back.hops)))" }
        return "routes whole both ways (\(path(forward.hops))), yet no answer: dropped on a link or by a filter at one of these hops"
    }

    func path(_ hops: [String]) -> String { hops.map(label).joined(separator: " → ") }
}
