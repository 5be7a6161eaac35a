/// Percent-encoding as both Alibaba Cloud signature styles define it: every byte of the
/// UTF-8 form except the RFC 3986 unreserved characters (`A-Z a-z 0-9 - _ . ~`) becomes
/// `%XX` with upper-case hex; a space is `%20`, never `+`.
public func acsPercentEncode(_ text: String) -> String {
    var out = [UInt8]()
    out.reserveCapacity(text.utf8.count)
    let hex = Array("0123456789ABCDEF".utf8)
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            out.append(byte)
        default:
            out.append(UInt8(ascii: "%"))
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// The inverse for `application/x-www-form-urlencoded` and query strings (`+` is a space);
/// nil for a malformed escape or bytes that are not UTF-8.
public func acsPercentDecode(_ text: Substring) -> String? {
    var out = [UInt8]()
    var bytes = text.utf8.makeIterator()
    func hexValue(_ b: UInt8?) -> UInt8? {
        switch b {
        case .some(let b) where b >= 0x30 && b <= 0x39: b - 0x30
        case .some(let b) where b >= 0x41 && b <= 0x46: b - 0x41 + 10
        case .some(let b) where b >= 0x61 && b <= 0x66: b - 0x61 + 10
        default: nil
        }
    }
    while let byte = bytes.next() {
        switch byte {
        case UInt8(ascii: "%"):
            guard let high = hexValue(bytes.next()), let low = hexValue(bytes.next()) else { return nil }
            out.append(high << 4 | low)
        case UInt8(ascii: "+"): out.append(0x20)
        default: out.append(byte)
        }
    }
    return String(validating: out, as: UTF8.self)
}

/// `a=1&b=2` into ordered pairs; nil when any escape is malformed.
public func acsParseForm(_ text: Substring) -> [(String, String)]? {
    var pairs: [(String, String)] = []
    for item in text.split(separator: "&", omittingEmptySubsequences: true) {
        let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard let key = acsPercentDecode(parts[0]),
              let value = parts.count > 1 ? acsPercentDecode(parts[1]) : "" else { return nil }
        pairs.append((key, value))
    }
    return pairs
}

/// Sorted `key=value` pairs, both encoded, joined by `&`: the canonical query of both styles.
public func acsCanonicalQuery(_ parameters: [String: String]) -> String {
    parameters.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        .map { "\(acsPercentEncode($0.key))=\(acsPercentEncode($0.value))" }
        .joined(separator: "&")
}
