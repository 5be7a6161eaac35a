/// A CNI spec version `major.minor.patch`.
public struct CNIVersion: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let major: Int
    public let minor: Int
    public let patch: Int

    public init(_ major: Int, _ minor: Int, _ patch: Int) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Parses `x.y.z` with plain decimal parts; nil otherwise.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var numbers: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 4, part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(part) else { return nil }
            numbers.append(n)
        }
        self.init(numbers[0], numbers[1], numbers[2])
    }

    public static func < (lhs: CNIVersion, rhs: CNIVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }

    public var description: String { "\(major).\(minor).\(patch)" }

    public static let v0_3_0 = CNIVersion(0, 3, 0)
    public static let v0_3_1 = CNIVersion(0, 3, 1)
    public static let v0_4_0 = CNIVersion(0, 4, 0)
    public static let v1_0_0 = CNIVersion(1, 0, 0)
    public static let v1_1_0 = CNIVersion(1, 1, 0)

    /// The versions whose Result format this package reads and writes (0.1/0.2 used another format).
    public static let supported: [CNIVersion] = [.v0_3_0, .v0_3_1, .v0_4_0, .v1_0_0, .v1_1_0]
    public static let latest = CNIVersion.v1_1_0

    /// True for versions whose Result lists `ips[].version` (before 1.0.0).
    var usesLegacyResult: Bool { self < .v1_0_0 }
}
