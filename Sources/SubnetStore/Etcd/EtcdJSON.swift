import Foundation

/// A JSON object from etcd's gRPC gateway, read with the gateway's conventions: int64 and
/// uint64 as strings, bytes as base64, zero values left out. Every accessor validates.
struct EtcdJSON {
    let object: [String: Any]
    let context: String

    init(object: [String: Any], context: String) {
        self.object = object
        self.context = context
    }

    init(parsing bytes: [UInt8], context: String) throws(EtcdError) {
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(bytes)),
              let object = parsed as? [String: Any] else {
            throw .malformed("\(context): not a JSON object: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        }
        self.init(object: object, context: context)
    }

    func int64(_ key: String) throws(EtcdError) -> Int64 {
        switch object[key] {
        case nil: return 0
        case let text as String:
            guard let value = Int64(text) else { throw .malformed("\(context).\(key) is not an int64: \(text)") }
            return value
        case let number as NSNumber where !(number is Bool) && number.int64Value.description == number.stringValue:
            return number.int64Value
        default: throw .malformed("\(context).\(key) is not an int64")
        }
    }

    /// Member and cluster ids are uint64; kept as their decimal text.
    func id(_ key: String) -> String {
        switch object[key] {
        case let text as String: text
        case let number as NSNumber: number.stringValue
        default: "0"
        }
    }

    func bytes(_ key: String) throws(EtcdError) -> [UInt8] {
        switch object[key] {
        case nil: return []
        case let text as String:
            guard let data = Data(base64Encoded: text) else { throw .malformed("\(context).\(key) is not base64") }
            return Array(data)
        default: throw .malformed("\(context).\(key) is not a base64 string")
        }
    }

    func bool(_ key: String) throws(EtcdError) -> Bool {
        switch object[key] {
        case nil: return false
        case let value as Bool: return value
        default: throw .malformed("\(context).\(key) is not a boolean")
        }
    }

    func string(_ key: String) throws(EtcdError) -> String {
        switch object[key] {
        case nil: return ""
        case let value as String: return value
        default: throw .malformed("\(context).\(key) is not a string")
        }
    }

    func child(_ key: String) throws(EtcdError) -> EtcdJSON? {
        switch object[key] {
        case nil: return nil
        case let value as [String: Any]: return EtcdJSON(object: value, context: "\(context).\(key)")
        default: throw .malformed("\(context).\(key) is not an object")
        }
    }

    func children(_ key: String) throws(EtcdError) -> [EtcdJSON] {
        switch object[key] {
        case nil: return []
        case let values as [Any]:
            var result: [EtcdJSON] = []
            for (index, value) in values.enumerated() {
                guard let value = value as? [String: Any] else { throw .malformed("\(context).\(key)[\(index)] is not an object") }
                result.append(EtcdJSON(object: value, context: "\(context).\(key)[\(index)]"))
            }
            return result
        default: throw .malformed("\(context).\(key) is not an array")
        }
    }

    /// A line of a gateway stream: `{"result": {...}}`, or `{"error": {"grpc_code": 14, ...}}`.
    func streamResult() throws(EtcdError) -> EtcdJSON {
        if let result = try child("result") { return result }
        if let error = try child("error") {
            throw .server(code: Int(try error.int64("grpc_code")), message: try error.string("message"),
                          httpStatus: Int(try error.int64("http_code")))
        }
        throw .malformed("\(context): a stream line without result or error")
    }

    /// Encodes a request body; the gateway takes int64 as strings and bytes as base64.
    static func encode(_ object: [String: Any]) -> [UInt8] {
        // Only strings, booleans, arrays and objects are ever put in: serialization cannot fail.
        Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}

/// An etcd gateway error body: `{"error": "...", "message": "...", "code": 14}`.
extension EtcdError {
    static func decode(status: Int, body: [UInt8]) -> EtcdError {
        guard let json = try? EtcdJSON(parsing: body, context: "error") else {
            return .server(code: 0, message: String(decoding: body.prefix(300), as: UTF8.self), httpStatus: status)
        }
        let message = (try? json.string("message")).flatMap { $0.isEmpty ? nil : $0 } ?? (try? json.string("error")) ?? ""
        return .server(code: Int((try? json.int64("code")) ?? 0), message: message, httpStatus: status)
    }
}
