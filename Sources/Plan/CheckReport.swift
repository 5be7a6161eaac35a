import Formatting
import Foundation

/// The outcome of `plan check`, printed as a table for people or as JSON for tools.
public struct CheckReport: Sendable {
    public var planName: String
    public var headroomPercent: Int
    public var findings: [Finding]
    public var capacities: [Capacity]

    public init(plan: Plan) {
        planName = plan.name ?? "plan"
        headroomPercent = plan.headroomPercent
        (findings, capacities) = PlanChecker.run(plan)
    }

    public var errors: Int { findings.count { $0.severity == .error } }
    public var warnings: Int { findings.count { $0.severity == .warning } }
    /// Sound: nothing that stops the plan from working. Warnings are allowed.
    public var isSound: Bool { errors == 0 }

    private var summary: String {
        "plan \(planName): \(isSound ? "sound" : "NOT sound"), \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
    }

    /// The summary line, one block per finding (severity, kind and message, then the blocks
    /// involved by line and field, the seed's precaution and the fix), and the sizes compared.
    public var table: String {
        var lines = [summary]
        for finding in findings {
            lines.append("")
            lines.append("\(finding.severity == .error ? "ERROR" : "WARN ")  \(finding.kind.rawValue): \(finding.message)")
            let width = finding.subjects.map { String($0.line).count }.max() ?? 1
            for (index, subject) in finding.subjects.enumerated() {
                let line = String(repeating: " ", count: width - String(subject.line).count) + String(subject.line)
                let value = subject.value.isEmpty ? "" : " = \(subject.value)"
                lines.append("       \(index == 0 ? "at  " : "    ")  line \(line)  \(subject.field)\(value)  (\(subject.role))")
            }
            if let precaution = finding.precaution {
                lines.append("       seed  \"\(precaution.quote)\"")
            }
            lines.append("       fix   \(finding.hint)")
        }
        if !capacities.isEmpty {
            lines += ["", "CAPACITY (has / needs\(headroomPercent > 0 ? ", \(headroomPercent)% headroom wanted" : ""))"]
            let has = capacities.map { Self.count($0.available) }, needs = capacities.map { Self.count($0.needed) }
            let hasWidth = has.map(\.count).max()!, needsWidth = needs.map(\.count).max()!
            for (index, capacity) in capacities.enumerated() {
                let mark = capacity.available < capacity.needed ? "✗" : capacity.available < capacity.wanted ? "!" : " "
                lines.append("  \(mark) \(String(repeating: " ", count: hasWidth - has[index].count))\(has[index]) / "
                             + "\(needs[index])\(String(repeating: " ", count: needsWidth - needs[index].count))  \(capacity.unit): \(capacity.what)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Exact below a billion; beyond that (IPv6 subnets) a power of two says more at a glance.
    static func count(_ value: UInt128) -> String {
        if value < 1_000_000_000 { return String(value) }
        let bits = 128 - value.leadingZeroBitCount - 1
        if value == UInt128(1) << bits { return "2^\(bits)" }
        // 2^64 - 2 reads as ~2^64, not ~2^63: round to the nearer power.
        return value >= UInt128(3) << (bits - 1) ? "~2^\(bits + 1)" : "~2^\(bits)"
    }

    /// Stable JSON: keys sorted, findings in `Finding`'s order, capacities in check order;
    /// counts are decimal strings (IPv6 counts exceed what JSON numbers carry exactly). Schema 1:
    /// `{schemaVersion, plan, sound, errors, warnings, headroomPercent,
    ///   findings: [{severity, kind, message, hint, precaution: {id, quote} | null,
    ///               subjects: [{role, field, line, value}]}],
    ///   capacities: [{what, unit, available, needed, wanted}]}`.
    public var json: String {
        StableJSON.encode(JSONForm(self))
    }

    private struct JSONForm: Encodable {
        let schemaVersion = 1
        let plan: String
        let sound: Bool
        let errors: Int
        let warnings: Int
        let headroomPercent: Int
        let findings: [JSONFinding]
        let capacities: [JSONCapacity]

        init(_ report: CheckReport) {
            plan = report.planName
            sound = report.isSound
            errors = report.errors
            warnings = report.warnings
            headroomPercent = report.headroomPercent
            findings = report.findings.map(JSONFinding.init)
            capacities = report.capacities.map(JSONCapacity.init)
        }
    }

    private struct JSONCapacity: Encodable {
        let what: String, unit: String, available: String, needed: String, wanted: String

        init(_ capacity: Capacity) {
            what = capacity.what
            unit = capacity.unit
            available = String(capacity.available)
            needed = String(capacity.needed)
            wanted = String(capacity.wanted)
        }
    }

    private struct JSONFinding: Encodable {
        let finding: Finding

        enum Keys: String, CodingKey { case severity, kind, message, hint, precaution, subjects, id, quote }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(finding.severity.rawValue, forKey: .severity)
            try container.encode(finding.kind.rawValue, forKey: .kind)
            try container.encode(finding.message, forKey: .message)
            try container.encode(finding.hint, forKey: .hint)
            try container.encode(finding.subjects, forKey: .subjects)
            if let precaution = finding.precaution {
                var nested = container.nestedContainer(keyedBy: Keys.self, forKey: .precaution)
                try nested.encode(precaution.rawValue, forKey: .id)
                try nested.encode(precaution.quote, forKey: .quote)
            } else {
                try container.encodeNil(forKey: .precaution)
            }
        }
    }
}
