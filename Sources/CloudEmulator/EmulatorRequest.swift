/// One HTTP request as the emulator's handlers see it, with the peer's address.
struct EmulatorRequest: Sendable {
    var method: String
    var uri: String
    var headers: [(String, String)]
    var body: [UInt8]
    var source: String

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name }?.1
    }

    var path: Substring { uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0] }

    var query: Substring {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count > 1 ? parts[1] : ""
    }
}

/// One HTTP answer.
struct EmulatorResponse: Sendable {
    var status: Int
    var contentType: String
    var body: [UInt8]

    static func json(_ status: Int, _ text: String) -> EmulatorResponse {
        EmulatorResponse(status: status, contentType: "application/json;charset=utf-8", body: Array(text.utf8))
    }

    static func text(_ status: Int, _ text: String) -> EmulatorResponse {
        EmulatorResponse(status: status, contentType: "text/plain", body: Array(text.utf8))
    }
}
