import Foundation
import Formatting

/// One row of `lab test`: a path of the seed's picture, its two ends, whether it works,
/// the round trip, and what was seen (for a failure: the hop where the packet stopped).
public struct LabCheck: Codable, Sendable, Equatable {
    public var path: String
    public var from: String
    public var to: String
    public var ok: Bool
    /// Round trip of one ping; nil for checks that are no ping (sessions, the plan).
    public var latencyMs: Double?
    public var detail: String

    public init(path: String, from: String, to: String, ok: Bool, latencyMs: Double? = nil, detail: String) {
        self.path = path
        self.from = from
        self.to = to
        self.ok = ok
        self.latencyMs = latencyMs
        self.detail = detail
    }

    enum CodingKeys: String, CodingKey { case path, from, to, ok, latencyMs, detail }

    /// Every key always present: `latencyMs` is null when not measured.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(ok, forKey: .ok)
        if let latencyMs { try container.encode(latencyMs, forKey: .latencyMs) } else { try container.encodeNil(forKey: .latencyMs) }
        try container.encode(detail, forKey: .detail)
    }

    public static func table(_ checks: [LabCheck]) -> String {
        TextTable.render(["PATH", "FROM", "TO", "RESULT", "LATENCY", "DETAIL"], checks.map {
            [$0.path, $0.from, $0.to, $0.ok ? "ok" : "FAIL", $0.latencyMs.map { String(format: "%.3f ms", $0) } ?? "-", $0.detail]
        }) + "\(checks.filter(\.ok).count)/\(checks.count) passed\n"
    }

    public static func json(_ checks: [LabCheck]) -> String {
        StableJSON.encode(checks)
    }
}
