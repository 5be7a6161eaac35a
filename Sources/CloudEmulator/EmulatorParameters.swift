/// The business parameters of one call (signature and common parameters removed), read the
/// way the service reads them: `Name.N` lists from 1 up, `Tag.N.Key`/`Tag.N.Value`.
struct EmulatorParameters: Sendable {
    let values: [String: String]

    func optional(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    func required(_ name: String) throws(EmulatorFault) -> String {
        guard let value = optional(name) else { throw .missing(name) }
        return value
    }

    func int(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws(EmulatorFault) -> Int {
        guard let text = optional(name) else { return fallback }
        guard let value = Int(text), range.contains(value) else { throw .invalid(name, text) }
        return value
    }

    func list(_ name: String) -> [String] {
        var out: [String] = []
        var index = 1
        while let value = values["\(name).\(index)"] {
            out.append(value)
            index += 1
        }
        return out
    }

    func tags() -> [String: String] {
        var out: [String: String] = [:]
        var index = 1
        while let key = values["Tag.\(index).Key"] {
            out[key] = values["Tag.\(index).Value"] ?? ""
            index += 1
        }
        return out
    }
}
