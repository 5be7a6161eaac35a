import Foundation

/// The outcome of `plan check`, printed as a table for people or as JSON for tools.
public struct CheckReport: Sendable {
    public var planName: String
    public var findings: [Finding]

    public init(plan: Plan) {
        planName = plan.name ?? "plan"
        findings = PlanChecker.check(plan)
    }

    public var errors: Int { findings.count { $0.severity == .error } }
    public var warnings: Int { findings.count { $0.severity == .warning } }
    /// Sound: nothing that stops the plan from working. Warnings are allowed.
    public var isSound: Bool { errors == 0 }

    private var summary: String {
        "plan \(planName): \(isSound ? "sound" : "NOT sound"), \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
    }

    /// One block per finding: severity, kind and message on the first line, then the blocks
    /// involved (line, field, value, role), the seed's precaution and the fix.
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
        return lines.joined(separator: "\n") + "\n"
    }

    /// Stable JSON: keys sorted, findings in `Finding`'s order. Schema (version 1):
    /// `{schemaVersion, plan, sound, errors, warnings, findings: [{severity, kind, message, hint,
    /// precaution: {id, quote} | null, subjects: [{role, field, line, value}]}]}`.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try! encoder.encode(JSONForm(self))  // plain strings and numbers: cannot fail
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private struct JSONForm: Encodable {
        let schemaVersion = 1
        let plan: String
        let sound: Bool
        let errors: Int
        let warnings: Int
        let findings: [JSONFinding]

        init(_ report: CheckReport) {
            plan = report.planName
            sound = report.isSound
            errors = report.errors
            warnings = report.warnings
            findings = report.findings.map(JSONFinding.init)
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
