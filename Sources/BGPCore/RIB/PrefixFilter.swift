import NetworkCore

/// An ordered prefix list: one peer's import or export policy (RFC 8212). The first entry
/// that matches a prefix decides; a prefix no entry matches is rejected. Entries read as
/// FRR's prefix lists: `10.0.0.0/16` (exactly), `10.0.0.0/16 le 24` (it and its
/// more-specifics up to /24), `10.0.0.0/8 ge 24 le 28`, `any` (every prefix of both
/// families), each optionally led by `reject`.
public struct PrefixFilter: Sendable, Equatable, CustomStringConvertible {
    public var entries: [Entry]

    public init(_ entries: [Entry]) { self.entries = entries }

    /// `[any]`: accepts everything.
    public static let acceptAll = PrefixFilter([Entry(accept: true, prefix: nil, lengths: 0...128)])

    public struct Entry: Sendable, Equatable, CustomStringConvertible {
        public var accept: Bool
        /// nil for `any`.
        public var prefix: IPPrefix?
        /// The prefix lengths matched (`ge`/`le`); the prefix's own length when neither is given.
        public var lengths: ClosedRange<Int>

        public init(accept: Bool, prefix: IPPrefix?, lengths: ClosedRange<Int>) {
            self.accept = accept
            self.prefix = prefix
            self.lengths = lengths
        }

        /// Parses one entry; the error says what is wrong with it.
        public init(parsing text: String) throws(PrefixFilterError) {
            var words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            accept = true
            if words.first?.lowercased() == "reject" {
                accept = false
                words.removeFirst()
            } else if words.first?.lowercased() == "accept" {
                words.removeFirst()
            }
            guard let first = words.first else { throw PrefixFilterError("is empty") }
            if first.lowercased() == "any" {
                guard words.count == 1 else { throw PrefixFilterError("`any` takes no ge/le") }
                prefix = nil
                lengths = 0...128
                return
            }
            let parsed: IPPrefix
            do { parsed = try IPPrefix(parsing: first) } catch { throw PrefixFilterError("\(first): \(error)") }
            let maximum = parsed.family == .v4 ? 32 : 128
            var ge: Int?, le: Int?
            var rest = words.dropFirst()
            while let keyword = rest.first {
                rest = rest.dropFirst()
                guard let number = rest.first.flatMap({ Int($0) }) else {
                    throw PrefixFilterError("\(keyword) needs a prefix length")
                }
                rest = rest.dropFirst()
                guard (parsed.length...maximum).contains(number) else {
                    throw PrefixFilterError("\(keyword) \(number) must be \(parsed.length)..\(maximum)")
                }
                switch keyword.lowercased() {
                case "ge" where ge == nil: ge = number
                case "le" where le == nil: le = number
                default: throw PrefixFilterError("expected `ge N` or `le N`, not \(keyword)")
                }
            }
            let low = ge ?? parsed.length, high = le ?? (ge == nil ? parsed.length : maximum)
            guard low <= high else { throw PrefixFilterError("ge \(low) is above le \(high)") }
            prefix = parsed
            lengths = low...high
        }

        public func matches(_ candidate: IPPrefix) -> Bool {
            guard let prefix else { return true }
            return lengths.contains(candidate.length) && prefix.contains(candidate)
        }

        public var description: String {
            let action = accept ? "" : "reject "
            guard let prefix else { return action + "any" }
            var text = action + prefix.description
            let maximum = prefix.family == .v4 ? 32 : 128
            if lengths.lowerBound != prefix.length { text += " ge \(lengths.lowerBound)" }
            if lengths.upperBound != prefix.length, !(lengths.upperBound == maximum && lengths.lowerBound != prefix.length) {
                text += " le \(lengths.upperBound)"
            }
            return text
        }
    }

    /// The index of the deciding entry and its verdict; nil when no entry matches (rejected).
    public func decision(for prefix: IPPrefix) -> (entry: Int, accept: Bool)? {
        for (index, entry) in entries.enumerated() where entry.matches(prefix) {
            return (index, entry.accept)
        }
        return nil
    }

    /// True when every prefix is accepted (the filter is `[any]`), so that no route needs a look.
    public var acceptsAll: Bool { entries.first.map { $0.accept && $0.prefix == nil } ?? false }

    public var description: String { "[" + entries.map(\.description).joined(separator: ", ") + "]" }
}

public struct PrefixFilterError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
