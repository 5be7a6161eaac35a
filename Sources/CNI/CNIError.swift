import JSON

/// The spec's error object: a code, a short message and details that say what to fix.
public struct CNIError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: CNIErrorCode
    public var msg: String
    public var details: String

    public init(_ code: CNIErrorCode, _ msg: String, details: String = "") {
        self.code = code
        self.msg = msg
        self.details = details
    }

    public var description: String {
        details.isEmpty ? "CNI error \(code): \(msg)" : "CNI error \(code): \(msg): \(details)"
    }

    /// `{"cniVersion", "code", "msg", "details"}`, as printed on stdout with exit status 1.
    public func json(cniVersion: CNIVersion) -> JSONValue {
        var object = JSONObject()
        object["cniVersion"] = .string(cniVersion.description)
        object["code"] = .integer(Int64(code.rawValue))
        object["msg"] = .string(msg)
        if !details.isEmpty { object["details"] = .string(details) }
        return .object(object)
    }

    /// Reads an error printed by another plugin.
    public init(json value: JSONValue) throws(CNIError) {
        let object = try value.requireObject(what: "error")
        guard let code = try object.integer("code") else {
            throw CNIError(.decodingFailure, "error object has no code")
        }
        self.init(CNIErrorCode(rawValue: Int(code)), try object.string("msg") ?? "", details: try object.string("details") ?? "")
    }
}
