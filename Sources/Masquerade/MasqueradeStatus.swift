import Foundation

/// What the kernel holds of our masquerade table, read back for `status`.
public struct MasqueradeStatus: Hashable, Sendable {
    /// Whether our table exists.
    public var installed: Bool
    /// The rules of its postrouting chain, as `nft list` prints them.
    public var rules: [String]
    /// The table's comment: the fingerprint of the rules that were applied.
    public var fingerprint: String?

    public init(installed: Bool, rules: [String] = [], fingerprint: String? = nil) {
        self.installed = installed
        self.rules = rules
        self.fingerprint = fingerprint
    }

    /// Reads `nft list table inet terway_edge` output. Pure.
    public init(listing: String) {
        var rules: [String] = []
        var fingerprint: String?
        var inChain = false
        for raw in listing.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("comment \""), !inChain {
                fingerprint = String(line.dropFirst("comment \"".count).dropLast())
            } else if line.hasPrefix("chain \(MasqueradeRules.chain) ") {
                inChain = true
            } else if inChain, line == "}" {
                inChain = false
            } else if inChain, !line.hasPrefix("type "), !line.isEmpty {
                rules.append(line)
            }
        }
        self.init(installed: true, rules: rules, fingerprint: fingerprint)
    }
}
