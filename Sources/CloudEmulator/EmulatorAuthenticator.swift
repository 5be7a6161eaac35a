import CloudAPI

/// Checks the signature of an API request in either style and names the caller. The
/// parameters returned are the action's own (signature and common parameters removed).
struct AuthenticatedCall: Sendable {
    var version: String
    var action: String
    var parameters: [String: String]
    var accessKeyId: String
    /// Actions the caller's RAM policy refuses.
    var denied: [String]
}

struct EmulatorAuthenticator {
    /// Parameters of the request envelope, not of the action.
    static let common: Set<String> = [
        "AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion", "SignatureNonce", "SignatureType",
        "Timestamp", "Format", "Version", "Action", "SecurityToken",
    ]

    let world: EmulatorWorld

    /// `secret`, deny list and expected token of a key, or nil for an unknown one.
    typealias KeyLookup = (String) -> (secret: String, denied: [String], token: String?, expired: Bool)?

    /// How far a request's timestamp may be from the service's clock (15 minutes).
    static let allowedSkew: Double = 900

    func authenticate(_ request: EmulatorRequest, now: Double, lookup: KeyLookup) throws(EmulatorFault) -> (AuthenticatedCall, nonce: String) {
        guard let queryPairs = acsParseForm(request.query) else { throw .invalid("query", "malformed percent-encoding") }
        var parameters = Dictionary(queryPairs, uniquingKeysWith: { _, last in last })
        if request.header("content-type")?.hasPrefix("application/x-www-form-urlencoded") == true {
            guard let form = acsParseForm(Substring(String(decoding: request.body, as: UTF8.self))) else {
                throw .invalid("body", "malformed percent-encoding")
            }
            for (key, value) in form { parameters[key] = value }
        }
        let timestamp = request.header("authorization") == nil ? parameters["Timestamp"] : request.header("x-acs-date")
        guard let timestamp, let seconds = ACSTimestamp.parse(timestamp) else { throw .missing("Timestamp") }
        guard abs(Double(seconds) - now) <= Self.allowedSkew else {
            throw EmulatorFault("InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
        }
        let call: AuthenticatedCall
        let nonce: String
        if let authorization = request.header("authorization") {
            (call, nonce) = try v3(request, authorization: authorization, parameters: parameters, lookup: lookup)
        } else {
            (call, nonce) = try rpc(request, parameters: parameters, lookup: lookup)
        }
        return (call, nonce)
    }

    private func key(_ id: String, token: String?, lookup: KeyLookup) throws(EmulatorFault) -> (secret: String, denied: [String]) {
        guard let key = lookup(id) else {
            throw EmulatorFault("InvalidAccessKeyId.NotFound", "Specified access key is not found.", status: 404)
        }
        if let expected = key.token {
            guard token == expected else {
                throw EmulatorFault("InvalidSecurityToken.MismatchWithAccessKey", "The security token does not match the access key.")
            }
            guard !key.expired else { throw EmulatorFault("InvalidSecurityToken.Expired", "Specified SecurityToken is expired.") }
        }
        return (key.secret, key.denied)
    }

    private func rpc(_ request: EmulatorRequest, parameters: [String: String],
                     lookup: KeyLookup) throws(EmulatorFault) -> (AuthenticatedCall, nonce: String) {
        let p = EmulatorParameters(values: parameters)
        let id = try p.required("AccessKeyId")
        let signature = try p.required("Signature")
        guard p.optional("SignatureMethod") == RPCSignature.method else {
            throw EmulatorFault("InvalidParameter.SignatureMethod", "Only HMAC-SHA1 is supported by the RPC style.")
        }
        let nonce = try p.required("SignatureNonce")
        let (secret, denied) = try key(id, token: p.optional("SecurityToken"), lookup: lookup)
        var signed = parameters
        signed["Signature"] = nil
        let expected = RPCSignature.signature(httpMethod: request.method, parameters: signed, secret: secret)
        guard expected == signature else {
            throw EmulatorFault("SignatureDoesNotMatch", "Specified signature is not matched with our calculation. server string to sign is:\(RPCSignature.stringToSign(httpMethod: request.method, parameters: signed))")
        }
        return (AuthenticatedCall(version: try p.required("Version"), action: try p.required("Action"),
                                  parameters: parameters.filter { !Self.common.contains($0.key) }, accessKeyId: id, denied: denied), nonce)
    }

    private func v3(_ request: EmulatorRequest, authorization: String, parameters: [String: String],
                    lookup: KeyLookup) throws(EmulatorFault) -> (AuthenticatedCall, nonce: String) {
        guard let parsed = V3Signature.parseAuthorization(authorization) else {
            throw EmulatorFault("InvalidAuthorization", "The Authorization header is not an ACS3-HMAC-SHA256 one.")
        }
        guard let action = request.header("x-acs-action"), let version = request.header("x-acs-version") else {
            throw .missing("x-acs-action")
        }
        guard let nonce = request.header("x-acs-signature-nonce") else { throw .missing("x-acs-signature-nonce") }
        let payload = V3Signature.payloadHash(request.body)
        guard request.header("x-acs-content-sha256") == payload else {
            throw EmulatorFault("ContentSHA256NotMatched", "The x-acs-content-sha256 header does not match the body.")
        }
        let (secret, denied) = try key(parsed.accessKeyId, token: request.header("x-acs-security-token"), lookup: lookup)
        var signedHeaders: [(String, String)] = []
        for name in parsed.signedHeaders {
            guard let value = request.header(name) else { throw .missing("signed header \(name)") }
            signedHeaders.append((name, value))
        }
        // Only the query is in the canonical request; a form body is covered by its hash.
        let query = Dictionary(acsParseForm(request.query) ?? [], uniquingKeysWith: { _, last in last })
        let canonical = V3Signature.canonicalRequest(method: request.method, path: String(request.path), query: query,
                                                     headers: signedHeaders, payloadHash: payload)
        let expected = V3Signature.signature(stringToSign: V3Signature.stringToSign(canonicalRequest: canonical), secret: secret)
        guard expected == parsed.signature else {
            throw EmulatorFault("SignatureDoesNotMatch", "Specified signature is not matched with our calculation. server string to sign is:\(V3Signature.stringToSign(canonicalRequest: canonical))")
        }
        return (AuthenticatedCall(version: version, action: action, parameters: parameters.filter { !Self.common.contains($0.key) },
                                  accessKeyId: parsed.accessKeyId, denied: denied), nonce)
    }
}
