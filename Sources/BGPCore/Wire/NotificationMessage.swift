/// NOTIFICATION (RFC 4271 §4.5): error code, subcode and data, sent before closing.
public struct NotificationMessage: Hashable, Sendable, CustomStringConvertible {
    public var code: NotificationCode
    public var subcode: UInt8
    public var data: [UInt8]

    public init(code: NotificationCode, subcode: UInt8, data: [UInt8] = []) {
        self.code = code
        self.subcode = subcode
        self.data = data
    }

    /// Cease with an RFC 4486 subcode, e.g. on shutdown or max-prefix.
    public static func cease(_ subcode: CeaseSubcode, data: [UInt8] = []) -> NotificationMessage {
        NotificationMessage(code: .cease, subcode: subcode.rawValue, data: data)
    }

    public var description: String { "\(name) (\(code.rawValue)/\(subcode))" }
}

/// The NOTIFICATION error codes (RFC 4271 §4.5, RFC 7313 for 7).
public struct NotificationCode: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let messageHeaderError = NotificationCode(rawValue: 1)
    public static let openMessageError = NotificationCode(rawValue: 2)
    public static let updateMessageError = NotificationCode(rawValue: 3)
    public static let holdTimerExpired = NotificationCode(rawValue: 4)
    public static let finiteStateMachineError = NotificationCode(rawValue: 5)
    public static let cease = NotificationCode(rawValue: 6)
    public static let routeRefreshMessageError = NotificationCode(rawValue: 7)
}

/// Subcodes of code 1 (RFC 4271 §6.1).
public enum HeaderErrorSubcode: UInt8, Sendable, CaseIterable {
    case connectionNotSynchronized = 1
    case badMessageLength = 2
    case badMessageType = 3
}

/// Subcodes of code 2 (RFC 4271 §6.2, RFC 5492 for 7).
public enum OpenErrorSubcode: UInt8, Sendable, CaseIterable {
    case unsupportedVersionNumber = 1
    case badPeerAS = 2
    case badBGPIdentifier = 3
    case unsupportedOptionalParameter = 4
    case unacceptableHoldTime = 6
    case unsupportedCapability = 7
}

/// Subcodes of code 3 (RFC 4271 §6.3).
public enum UpdateErrorSubcode: UInt8, Sendable, CaseIterable {
    case malformedAttributeList = 1
    case unrecognizedWellKnownAttribute = 2
    case missingWellKnownAttribute = 3
    case attributeFlagsError = 4
    case attributeLengthError = 5
    case invalidOriginAttribute = 6
    case invalidNextHopAttribute = 8
    case optionalAttributeError = 9
    case invalidNetworkField = 10
    case malformedASPath = 11
}

/// Subcodes of code 5 (RFC 6608).
public enum FSMErrorSubcode: UInt8, Sendable, CaseIterable {
    case unspecified = 0
    case unexpectedMessageInOpenSent = 1
    case unexpectedMessageInOpenConfirm = 2
    case unexpectedMessageInEstablished = 3
}

/// Subcodes of code 6 (RFC 4486, RFC 8203 for the shutdown communication).
public enum CeaseSubcode: UInt8, Sendable, CaseIterable {
    case maximumNumberOfPrefixesReached = 1
    case administrativeShutdown = 2
    case peerDeconfigured = 3
    case administrativeReset = 4
    case connectionRejected = 5
    case otherConfigurationChange = 6
    case connectionCollisionResolution = 7
    case outOfResources = 8
    case hardReset = 9
    case bfdDown = 10
}

/// Subcodes of code 7 (RFC 7313).
public enum RouteRefreshErrorSubcode: UInt8, Sendable, CaseIterable {
    case invalidMessageLength = 1
}
