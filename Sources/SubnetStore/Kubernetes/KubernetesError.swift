import Foundation

/// What went wrong talking to the Kubernetes API: an API `Status` (code, reason, message),
/// an answer that is not what the API reference describes, or unusable settings.
public enum KubernetesError: Error, Sendable, Equatable, CustomStringConvertible {
    case status(KubernetesStatus)
    case malformed(String)
    case configuration(String)

    public var description: String {
        switch self {
        case .status(let status): "Kubernetes API answered \(status.code) \(status.reason): \(status.message)"
        case .malformed(let what): "Kubernetes API sent a malformed answer: \(what)"
        case .configuration(let what): "Kubernetes API settings: \(what)"
        }
    }
}

/// The API's error object (`kind: Status`), as a failed request's body or a watch `ERROR`.
public struct KubernetesStatus: Sendable, Equatable, Decodable {
    public var code: Int
    public var reason: String
    public var message: String

    public init(code: Int, reason: String, message: String) {
        self.code = code
        self.reason = reason
        self.message = message
    }

    enum CodingKeys: String, CodingKey { case code, reason, message }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decodeIfPresent(Int.self, forKey: .code) ?? 0
        reason = try container.decodeIfPresent(String.self, forKey: .reason) ?? ""
        message = try container.decodeIfPresent(String.self, forKey: .message) ?? ""
    }

    /// The status a failed request's body carries, or one made from the HTTP status alone.
    static func decode(httpStatus: Int, body: [UInt8]) -> KubernetesStatus {
        var status = (try? KubernetesJSON.decoder.decode(KubernetesStatus.self, from: Data(body)))
            ?? KubernetesStatus(code: httpStatus, reason: "", message: String(decoding: body.prefix(300), as: UTF8.self))
        if status.code == 0 { status.code = httpStatus }
        return status
    }

    /// 410: the resourceVersion asked for is older than the history the server keeps.
    public var isGone: Bool { code == 410 }
}
