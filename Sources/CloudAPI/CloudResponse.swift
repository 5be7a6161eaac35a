import JSON

/// Turns one HTTP answer into the JSON body of a success or a thrown `CloudAPIError`.
public enum CloudResponse {
    /// Bodies above this are refused before parsing.
    public static let maxBodyBytes = 8 << 20

    public static func decode(action: String, service: CloudService = .ecs, status: Int, body: [UInt8]) throws -> JSONObject {
        guard body.count <= maxBodyBytes else {
            throw CloudResponseError(action: action, httpStatus: status, reason: "body of \(body.count) bytes")
        }
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(body, maxDepth: 16)
        } catch {
            throw CloudResponseError(action: action, httpStatus: status, reason: "not JSON: \(error)")
        }
        guard let object = parsed.objectValue else {
            throw CloudResponseError(action: action, httpStatus: status, reason: "expected an object, found \(parsed.typeName)")
        }
        if status >= 200 && status < 300 { return object }
        guard let code = object["Code"]?.stringValue else {
            throw CloudResponseError(action: action, httpStatus: status, reason: "error answer without Code")
        }
        throw CloudAPIError(code: code, message: object["Message"]?.stringValue ?? "",
                            requestId: object["RequestId"]?.stringValue ?? "", httpStatus: status, action: action,
                            product: service.product.lowercased())
    }
}

/// Typed reads of answer fields, each naming what is missing.
struct FieldReader {
    let object: JSONObject
    let action: String

    func error(_ reason: String) -> CloudResponseError {
        CloudResponseError(action: action, httpStatus: 200, reason: reason)
    }

    func string(_ key: String) throws(CloudResponseError) -> String {
        guard let value = object[key]?.stringValue else { throw error("\(key): expected a string") }
        return value
    }

    func optionalString(_ key: String) -> String? {
        guard let value = object[key]?.stringValue, !value.isEmpty else { return nil }
        return value
    }

    func int(_ key: String) throws(CloudResponseError) -> Int {
        guard let value = object[key]?.integerValue, let exact = Int(exactly: value) else { throw error("\(key): expected an integer") }
        return exact
    }

    /// `{"Outer": {"Inner": [ ... ]}}`, the service's list wrapping; missing means empty.
    func list(_ outer: String, _ inner: String) throws(CloudResponseError) -> [JSONValue] {
        guard let wrapper = object[outer], !wrapper.isNull else { return [] }
        guard let items = wrapper[inner] else { return [] }
        guard let array = items.arrayValue else { throw error("\(outer).\(inner): expected an array") }
        return array
    }

    func nested(_ value: JSONValue, _ what: String) throws(CloudResponseError) -> FieldReader {
        guard let inner = value.objectValue else { throw error("\(what): expected an object") }
        return FieldReader(object: inner, action: action)
    }

    func strings(_ outer: String, _ inner: String) throws(CloudResponseError) -> [String] {
        try list(outer, inner).map { (item: JSONValue) throws(CloudResponseError) -> String in
            guard let text = item.stringValue else { throw error("\(outer).\(inner): expected strings") }
            return text
        }
    }
}
