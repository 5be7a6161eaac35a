import Plan
import TestSupport

extension PlanFixture {
    static func plan(_ changes: [String: String] = [:]) throws -> Plan {
        try Plan(yaml: yaml(changes))
    }
}

/// What a finding is, for comparing sets of findings: severity, kind and the fields involved (sorted).
struct FindingKey: Hashable, CustomStringConvertible {
    let severity: Finding.Severity
    let kind: Finding.Kind
    let fields: [String]

    init(_ severity: Finding.Severity, _ kind: Finding.Kind, _ fields: [String]) {
        self.severity = severity
        self.kind = kind
        self.fields = fields.sorted()
    }

    init(_ finding: Finding) {
        self.init(finding.severity, finding.kind, finding.subjects.map(\.field))
    }

    var description: String { "\(severity) \(kind) \(fields)" }
}

func findingKeys(_ plan: Plan) -> Set<FindingKey> {
    Set(PlanChecker.check(plan).map(FindingKey.init))
}
