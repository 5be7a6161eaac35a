import BGPCore

/// One row of `terway-edge bgp peers`. The JSON has exactly these keys; `lastError` is
/// null when the peer never sent or got a NOTIFICATION.
public struct PeerStatus: Codable, Sendable, Equatable {
    public var address: String
    public var `as`: UInt32
    /// The RFC 4271 state name: Idle, Connect, Active, OpenSent, OpenConfirm, Established.
    public var state: String
    /// Seconds in Established; 0 when not established.
    public var uptimeSeconds: Int
    /// Prefixes the peer announced in this session (counting re-announcements).
    public var prefixesReceived: Int
    /// Prefixes from the peer now in its Adj-RIB-In (after the loop check, RFC 7606).
    public var prefixesAccepted: Int
    /// Prefixes in our Adj-RIB-Out to it.
    public var prefixesAdvertised: Int
    public var lastError: LastError?

    /// The last NOTIFICATION sent or received: code, subcode and the RFC names.
    public struct LastError: Codable, Sendable, Equatable {
        public var code: UInt8
        public var subcode: UInt8
        public var name: String

        public init(code: UInt8, subcode: UInt8, name: String) {
            self.code = code
            self.subcode = subcode
            self.name = name
        }
    }

    public init(address: String, as asNumber: UInt32, state: String, uptimeSeconds: Int, prefixesReceived: Int,
                prefixesAccepted: Int, prefixesAdvertised: Int, lastError: LastError?) {
        self.address = address
        self.as = asNumber
        self.state = state
        self.uptimeSeconds = uptimeSeconds
        self.prefixesReceived = prefixesReceived
        self.prefixesAccepted = prefixesAccepted
        self.prefixesAdvertised = prefixesAdvertised
        self.lastError = lastError
    }

    private enum CodingKeys: String, CodingKey {
        case address, `as`, state, uptimeSeconds, prefixesReceived, prefixesAccepted, prefixesAdvertised, lastError
    }

    /// Writes `lastError: null` rather than leaving the key out.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(address, forKey: .address)
        try container.encode(self.as, forKey: .as)
        try container.encode(state, forKey: .state)
        try container.encode(uptimeSeconds, forKey: .uptimeSeconds)
        try container.encode(prefixesReceived, forKey: .prefixesReceived)
        try container.encode(prefixesAccepted, forKey: .prefixesAccepted)
        try container.encode(prefixesAdvertised, forKey: .prefixesAdvertised)
        try container.encode(lastError, forKey: .lastError)
    }
}
