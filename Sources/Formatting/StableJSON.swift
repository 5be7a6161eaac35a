import Foundation

/// JSON for tools and stored records: sorted keys, slashes unescaped (CIDRs stay
/// readable), pretty-printed for people. The same input gives the same bytes every time.
public enum StableJSON {
    public static func encoder(pretty: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Pretty JSON and a newline. For values of only strings, numbers, booleans and
    /// containers of them, whose encoding cannot fail.
    public static func encode(_ value: some Encodable) -> String {
        String(decoding: try! encoder().encode(value), as: UTF8.self) + "\n"
    }
}
