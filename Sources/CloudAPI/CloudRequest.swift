/// One API call before signing: the action and its parameters, flattened the way the
/// service takes them (`PrivateIpAddress.1`, `Tag.1.Key`).
public struct CloudRequest: Sendable, Hashable {
    public let service: CloudService
    public let action: String
    public var parameters: [String: String]
    /// A mutation the service deduplicates by `ClientToken`: the client keeps one token
    /// across the retries of the call, so it is applied once.
    public let takesClientToken: Bool

    public init(service: CloudService, action: String, parameters: [String: String] = [:], takesClientToken: Bool = false) {
        self.service = service
        self.action = action
        self.parameters = parameters
        self.takesClientToken = takesClientToken
    }

    /// Adds `name.1 … name.N`.
    mutating func setList(_ name: String, _ values: [String]) {
        for (index, value) in values.enumerated() { parameters["\(name).\(index + 1)"] = value }
    }
}

/// A request ready for the wire (an API call signed, or a metadata read). `target` is the
/// path with its query.
public struct CloudHTTPRequest: Sendable, Hashable {
    public var method: String
    public var target: String
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(method: String, target: String, headers: [(String, String)], body: [UInt8]) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.method == rhs.method && lhs.target == rhs.target && lhs.body == rhs.body
            && lhs.headers.map { "\($0.0):\($0.1)" } == rhs.headers.map { "\($0.0):\($0.1)" }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method); hasher.combine(target); hasher.combine(body)
    }
}

extension CloudRequest {
    /// Signs the request. `nonce` and `timestamp` (`ACSTimestamp.format`) are inputs so the
    /// result is a pure function of them: what the signature tests pin.
    public func signed(style: SignatureStyle, credentials: CloudCredentials, host: String,
                       nonce: String, timestamp: String) -> CloudHTTPRequest {
        switch style {
        case .rpc:
            var all = parameters
            all["Action"] = action
            all["Version"] = service.version
            all["Format"] = "JSON"
            all["AccessKeyId"] = credentials.accessKeyId
            all["SignatureMethod"] = RPCSignature.method
            all["SignatureVersion"] = RPCSignature.version
            // Sent empty, as aliyun-python-sdk-core does, so both sign the same parameters.
            all["SignatureType"] = ""
            all["SignatureNonce"] = nonce
            all["Timestamp"] = timestamp
            if let token = credentials.securityToken { all["SecurityToken"] = token }
            all["Signature"] = RPCSignature.signature(httpMethod: "POST", parameters: all, secret: credentials.accessKeySecret)
            return CloudHTTPRequest(
                method: "POST", target: "/",
                headers: [("host", host), ("content-type", "application/x-www-form-urlencoded"), ("accept", "application/json")],
                body: Array(acsCanonicalQuery(all).utf8))
        case .v3:
            let payload = V3Signature.payloadHash([])
            var headers = [
                ("host", host), ("x-acs-action", action), ("x-acs-version", service.version),
                ("x-acs-date", timestamp), ("x-acs-signature-nonce", nonce),
                ("x-acs-content-sha256", payload), ("accept", "application/json"),
            ]
            if let token = credentials.securityToken { headers.append(("x-acs-security-token", token)) }
            let authorization = V3Signature.authorization(
                method: "POST", path: "/", query: parameters, headers: headers, payloadHash: payload,
                accessKeyId: credentials.accessKeyId, secret: credentials.accessKeySecret)
            headers.append(("authorization", authorization))
            let query = acsCanonicalQuery(parameters)
            return CloudHTTPRequest(method: "POST", target: query.isEmpty ? "/" : "/?\(query)", headers: headers, body: [])
        }
    }
}
