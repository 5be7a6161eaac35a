/// An error answer of the service: its `Code`, `Message` and `RequestId`, the HTTP status,
/// and the action that got it.
public struct CloudAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: String
    public let message: String
    public let requestId: String
    public let httpStatus: Int
    public let action: String
    /// The RAM namespace of the action (`ecs`, `vpc`).
    public let product: String

    public init(code: String, message: String, requestId: String, httpStatus: Int, action: String, product: String = "ecs") {
        self.code = code
        self.message = message
        self.requestId = requestId
        self.httpStatus = httpStatus
        self.action = action
        self.product = product
    }

    /// Refusals that go away by waiting: throttling, overload and the service's own faults.
    public var isRetryable: Bool {
        code.hasPrefix("Throttling") || code == "ServiceUnavailable" || code == "InternalError"
            || code.hasPrefix("InternalError.") || httpStatus == 503
    }

    /// The caller lacks a RAM permission: retrying cannot help.
    public var isPermissionDenied: Bool { code.hasPrefix("Forbidden.RAM") || code == "Forbidden.RAM" }

    public var description: String {
        var text = "\(action): \(code) (HTTP \(httpStatus)): \(message) [RequestId \(requestId)]"
        if isPermissionDenied {
            text += "; the RAM policy of these credentials must allow \(product):\(action)"
        }
        return text
    }
}

/// An answer that is not what the API reference says it is (truncated, not JSON, a field
/// missing or of the wrong type): typed, never a crash.
public struct CloudResponseError: Error, Sendable, Hashable, CustomStringConvertible {
    public let action: String
    public let httpStatus: Int
    public let reason: String

    public init(action: String, httpStatus: Int, reason: String) {
        self.action = action
        self.httpStatus = httpStatus
        self.reason = reason
    }

    public var description: String { "\(action): malformed answer (HTTP \(httpStatus)): \(reason)" }
}
