/// The error codes of the CNI spec (section "Error"); 100 and up are plugin-specific.
public struct CNIErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let incompatibleVersion = CNIErrorCode(rawValue: 1)
    public static let unsupportedField = CNIErrorCode(rawValue: 2)
    /// Never for DEL, which succeeds for unknown containers.
    public static let unknownContainer = CNIErrorCode(rawValue: 3)
    public static let invalidEnvironment = CNIErrorCode(rawValue: 4)
    public static let ioFailure = CNIErrorCode(rawValue: 5)
    public static let decodingFailure = CNIErrorCode(rawValue: 6)
    public static let invalidNetworkConfig = CNIErrorCode(rawValue: 7)
    public static let tryAgainLater = CNIErrorCode(rawValue: 11)
    /// STATUS: the plugin cannot serve ADDs.
    public static let pluginNotAvailable = CNIErrorCode(rawValue: 50)
    /// STATUS: ADDs work but existing pods may have limited connectivity.
    public static let limitedConnectivity = CNIErrorCode(rawValue: 51)
    /// A failure of the plugin itself that none of the codes above describes.
    public static let internalError = CNIErrorCode(rawValue: 999)

    public var description: String { String(rawValue) }
}
