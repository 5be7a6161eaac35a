/// Why an announced route did not enter the Adj-RIB-In, as `terway-edge bgp routes
/// --rejected` shows it.
public struct RouteRejection: Hashable, Sendable, CustomStringConvertible {
    public enum Reason: UInt8, Sendable {
        /// An eBGP peer without an `import` list: RFC 8212 imports nothing.
        case noImportPolicy = 1
        /// A `reject` entry of the `import` list matched.
        case importRejected
        /// No entry of the `import` list matched.
        case importUnmatched
        /// Our AS is in the AS_PATH (RFC 4271 §9.1.2).
        case asPathLoop
        /// A malformed attribute made the UPDATE a withdraw (RFC 7606 §2).
        case treatAsWithdraw
        /// The peer is at its prefix limit for the family (`maxPrefixes` with `action: warn`).
        case prefixLimit
    }

    public var reason: Reason
    /// The import entry that decided (`importRejected`).
    public var entry: Int?

    public init(_ reason: Reason, entry: Int? = nil) {
        self.reason = reason
        self.entry = entry
    }

    public var description: String {
        switch reason {
        case .noImportPolicy: "no import policy (RFC 8212: an eBGP peer's routes need an import list)"
        case .importRejected: "import entry \(entry ?? 0) rejects it"
        case .importUnmatched: "no import entry matches"
        case .asPathLoop: "AS path loop (our AS in AS_PATH)"
        case .treatAsWithdraw: "malformed attribute, treated as withdraw (RFC 7606)"
        case .prefixLimit: "the peer's prefix limit is reached"
        }
    }

    /// Packed into a prefix map's value: reason in the low 6 bits, entry above.
    var packed: UInt32 { UInt32(reason.rawValue) | UInt32(min(entry ?? 0, 0xFFFF)) << 6 }

    init?(packed: UInt32) {
        guard let reason = Reason(rawValue: UInt8(packed & 0x3F)) else { return nil }
        self.init(reason, entry: reason == .importRejected ? Int(packed >> 6) : nil)
    }
}

/// The announcements of one peer that were refused, with the reason: what BIRD keeps with
/// `import keep filtered`, without the attributes (a prefix and a reason in one map slot).
public struct RejectedRoutes: Sendable {
    private var v4 = PrefixMap<IPv4NLRI>()
    private var v6 = PrefixMap<IPv6NLRI>()

    public init() {}

    public var count: Int { v4.count + v6.count }
    public var isEmpty: Bool { count == 0 }

    public mutating func record(_ prefix: RIBPrefix, _ rejection: RouteRejection) {
        switch prefix {
        case .v4(let key):
            if let slot = v4.slot(of: key) { v4.setValue(rejection.packed, at: slot) } else { v4.insertNew(key, rejection.packed) }
        case .v6(let key):
            if let slot = v6.slot(of: key) { v6.setValue(rejection.packed, at: slot) } else { v6.insertNew(key, rejection.packed) }
        }
    }

    /// The peer withdrew the prefix, or announced it again and it was accepted.
    public mutating func remove(_ prefix: RIBPrefix) {
        switch prefix {
        case .v4(let key): if let slot = v4.slot(of: key) { v4.remove(at: slot) }
        case .v6(let key): if let slot = v6.slot(of: key) { v6.remove(at: slot) }
        }
    }

    public mutating func removeAll() {
        v4 = PrefixMap()
        v6 = PrefixMap()
    }

    public func rejection(of prefix: RIBPrefix) -> RouteRejection? {
        switch prefix {
        case .v4(let key): v4[key].flatMap(RouteRejection.init(packed:))
        case .v6(let key): v6[key].flatMap(RouteRejection.init(packed:))
        }
    }

    /// Every rejected prefix with its reason, in table order.
    public func forEach(_ body: (RIBPrefix, RouteRejection) -> Void) {
        for slot in 0..<v4.capacity where v4.isOccupied(slot) {
            if let rejection = RouteRejection(packed: v4.value(at: slot)) { body(.v4(v4.key(at: slot)), rejection) }
        }
        for slot in 0..<v6.capacity where v6.isOccupied(slot) {
            if let rejection = RouteRejection(packed: v6.value(at: slot)) { body(.v6(v6.key(at: slot)), rejection) }
        }
    }
}
