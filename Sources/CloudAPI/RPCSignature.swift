import Crypto

/// The RPC signature (`SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`): HMAC-SHA1 keyed
/// with `secret&` over `METHOD&%2F&` and the encoded canonical query of every parameter,
/// query and form body alike, base64 in the `Signature` parameter.
public enum RPCSignature {
    public static let method = "HMAC-SHA1"
    public static let version = "1.0"

    /// The text that is signed; `parameters` must not hold `Signature`.
    public static func stringToSign(httpMethod: String, parameters: [String: String]) -> String {
        "\(httpMethod)&\(acsPercentEncode("/"))&\(acsPercentEncode(acsCanonicalQuery(parameters)))"
    }

    public static func signature(httpMethod: String, parameters: [String: String], secret: String) -> String {
        let text = stringToSign(httpMethod: httpMethod, parameters: parameters)
        let mac = HMAC<Insecure.SHA1>.authenticationCode(
            for: Array(text.utf8), using: SymmetricKey(data: Array((secret + "&").utf8)))
        return base64(Array(mac))
    }
}

/// Standard base64 with padding (RFC 4648 §4).
func base64(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var out = [UInt8]()
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var index = 0
    while index < bytes.count {
        let b0 = bytes[index]
        let b1 = index + 1 < bytes.count ? bytes[index + 1] : 0
        let b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
        out.append(alphabet[Int(b0 >> 2)])
        out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
        out.append(index + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
        out.append(index + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
        index += 3
    }
    return String(decoding: out, as: UTF8.self)
}

/// Lower-case hex, as the V3 style writes digests and signatures.
func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}
