/// Human names for codes and subcodes, as `terway-edge bgp peers` shows the last error.
extension NotificationMessage {
    /// "Code name / Subcode name", e.g. "UPDATE Message Error / Malformed AS_PATH".
    public var name: String {
        guard let sub = subcodeName else { return code.name }
        return "\(code.name) / \(sub)"
    }

    /// Nil when the subcode is 0 (unspecific) or not one the RFCs define.
    public var subcodeName: String? {
        switch code {
        case .messageHeaderError: HeaderErrorSubcode(rawValue: subcode)?.name
        case .openMessageError: OpenErrorSubcode(rawValue: subcode)?.name
        case .updateMessageError: UpdateErrorSubcode(rawValue: subcode)?.name
        case .finiteStateMachineError: subcode == 0 ? nil : FSMErrorSubcode(rawValue: subcode)?.name
        case .cease: CeaseSubcode(rawValue: subcode)?.name
        case .routeRefreshMessageError: RouteRefreshErrorSubcode(rawValue: subcode)?.name
        default: nil
        }
    }
}

extension NotificationCode: CustomStringConvertible {
    public var name: String {
        switch self {
        case .messageHeaderError: "Message Header Error"
        case .openMessageError: "OPEN Message Error"
        case .updateMessageError: "UPDATE Message Error"
        case .holdTimerExpired: "Hold Timer Expired"
        case .finiteStateMachineError: "Finite State Machine Error"
        case .cease: "Cease"
        case .routeRefreshMessageError: "ROUTE-REFRESH Message Error"
        default: "Unknown error code \(rawValue)"
        }
    }

    public var description: String { name }
}

extension HeaderErrorSubcode {
    public var name: String {
        switch self {
        case .connectionNotSynchronized: "Connection Not Synchronized"
        case .badMessageLength: "Bad Message Length"
        case .badMessageType: "Bad Message Type"
        }
    }
}

extension OpenErrorSubcode {
    public var name: String {
        switch self {
        case .unsupportedVersionNumber: "Unsupported Version Number"
        case .badPeerAS: "Bad Peer AS"
        case .badBGPIdentifier: "Bad BGP Identifier"
        case .unsupportedOptionalParameter: "Unsupported Optional Parameter"
        case .unacceptableHoldTime: "Unacceptable Hold Time"
        case .unsupportedCapability: "Unsupported Capability"
        }
    }
}

extension UpdateErrorSubcode {
    public var name: String {
        switch self {
        case .malformedAttributeList: "Malformed Attribute List"
        case .unrecognizedWellKnownAttribute: "Unrecognized Well-known Attribute"
        case .missingWellKnownAttribute: "Missing Well-known Attribute"
        case .attributeFlagsError: "Attribute Flags Error"
        case .attributeLengthError: "Attribute Length Error"
        case .invalidOriginAttribute: "Invalid ORIGIN Attribute"
        case .invalidNextHopAttribute: "Invalid NEXT_HOP Attribute"
        case .optionalAttributeError: "Optional Attribute Error"
        case .invalidNetworkField: "Invalid Network Field"
        case .malformedASPath: "Malformed AS_PATH"
        }
    }
}

extension FSMErrorSubcode {
    public var name: String {
        switch self {
        case .unspecified: "Unspecified Error"
        case .unexpectedMessageInOpenSent: "Receive Unexpected Message in OpenSent State"
        case .unexpectedMessageInOpenConfirm: "Receive Unexpected Message in OpenConfirm State"
        case .unexpectedMessageInEstablished: "Receive Unexpected Message in Established State"
        }
    }
}

extension CeaseSubcode {
    public var name: String {
        switch self {
        case .maximumNumberOfPrefixesReached: "Maximum Number of Prefixes Reached"
        case .administrativeShutdown: "Administrative Shutdown"
        case .peerDeconfigured: "Peer De-configured"
        case .administrativeReset: "Administrative Reset"
        case .connectionRejected: "Connection Rejected"
        case .otherConfigurationChange: "Other Configuration Change"
        case .connectionCollisionResolution: "Connection Collision Resolution"
        case .outOfResources: "Out of Resources"
        case .hardReset: "Hard Reset"
        case .bfdDown: "BFD Down"
        }
    }
}

extension RouteRefreshErrorSubcode {
    public var name: String { "Invalid Message Length" }
}
