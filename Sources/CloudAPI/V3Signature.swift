import Crypto

/// The V3 signature (`ACS3-HMAC-SHA256`): a canonical request of method, path, sorted
/// query, the signed headers (lower-case names, trimmed values, sorted) and the hex SHA-256
/// of the body; its hex SHA-256 behind the algorithm name is signed with HMAC-SHA256 and
/// the secret, hex in the `Authorization` header.
public enum V3Signature {
    public static let algorithm = "ACS3-HMAC-SHA256"

    public static func payloadHash(_ body: [UInt8]) -> String { hex(SHA256.hash(data: body)) }

    /// Headers lower-cased, repeated names joined by `,` in sorted order: the canonical
    /// header block and the `SignedHeaders` list.
    public static func canonicalHeaders(_ headers: [(String, String)]) -> (block: String, signed: String) {
        var grouped: [String: [String]] = [:]
        for (name, value) in headers {
            grouped[name.lowercased(), default: []].append(trimmed(value))
        }
        let names = grouped.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let block = names.map { "\($0):\(grouped[$0]!.sorted().joined(separator: ","))\n" }.joined()
        return (block, names.joined(separator: ";"))
    }

    public static func canonicalRequest(method: String, path: String, query: [String: String],
                                        headers: [(String, String)], payloadHash: String) -> String {
        let (block, signed) = canonicalHeaders(headers)
        return "\(method)\n\(path.isEmpty ? "/" : path)\n\(acsCanonicalQuery(query))\n\(block)\n\(signed)\n\(payloadHash)"
    }

    public static func stringToSign(canonicalRequest: String) -> String {
        "\(algorithm)\n\(hex(SHA256.hash(data: Array(canonicalRequest.utf8))))"
    }

    public static func signature(stringToSign: String, secret: String) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8),
                                            using: SymmetricKey(data: Array(secret.utf8))))
    }

    /// The whole `Authorization` value over every header in `headers`.
    public static func authorization(method: String, path: String, query: [String: String],
                                     headers: [(String, String)], payloadHash: String,
                                     accessKeyId: String, secret: String) -> String {
        let request = canonicalRequest(method: method, path: path, query: query, headers: headers, payloadHash: payloadHash)
        let signed = canonicalHeaders(headers).signed
        let value = signature(stringToSign: stringToSign(canonicalRequest: request), secret: secret)
        return "\(algorithm) Credential=\(accessKeyId),SignedHeaders=\(signed),Signature=\(value)"
    }

    /// The parts of an `Authorization` value; nil when it is not a V3 one.
    public static func parseAuthorization(_ value: String) -> (accessKeyId: String, signedHeaders: [String], signature: String)? {
        guard value.hasPrefix(algorithm + " ") else { return nil }
        var fields: [String: String] = [:]
        for part in value.dropFirst(algorithm.count + 1).split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { return nil }
            fields[trimmed(String(pair[0]))] = trimmed(String(pair[1]))
        }
        guard let id = fields["Credential"], let signed = fields["SignedHeaders"], let signature = fields["Signature"] else { return nil }
        return (id, signed.split(separator: ";").map(String.init), signature)
    }

    /// Spaces, tabs and line ends off both ends, scanning bytes (grapheme-wise trimming
    /// cost most of a signature).
    private static func trimmed(_ text: String) -> String {
        let bytes = text.utf8
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        if first == bytes.startIndex && last == bytes.index(before: bytes.endIndex) { return text }
        return String(text[first...last])
    }
}
