import Foundation

/// Everything the emulator changes, saved after every change so that a restart keeps the
/// world: ENIs and their addresses, the answers of ClientTokens, issued STS credentials.
struct EmulatorState: Codable, Sendable {
    var enis: [String: ENIRecord] = [:]
    var serial: UInt64 = 0
    /// `action/ClientToken` to the parameters and the answer given the first time.
    var clientTokens: [String: TokenRecord] = [:]
    var stsCredentials: [String: STSRecord] = [:]

    struct TokenRecord: Codable, Sendable {
        var parameters: [String: String]
        var answer: String
    }

    struct STSRecord: Codable, Sendable {
        var secret: String
        var token: String
        var role: String
        var expiration: Double
    }

    static func load(path: String) throws -> EmulatorState {
        guard let data = FileManager.default.contents(atPath: path) else { return EmulatorState() }
        do {
            return try JSONDecoder().decode(EmulatorState.self, from: data)
        } catch {
            throw EmulatorConfigError("state \(path): \(error)")
        }
    }

    /// Written to a temporary file and renamed, so a crash leaves the old or the new state.
    func save(path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(self)
        let temporary = path + ".tmp"
        try data.write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else { throw EmulatorConfigError("state \(path): rename failed: errno \(errno)") }
    }
}

/// An address and when it was assigned (metadata shows it `delays.metadata` later).
struct TimedAddress: Codable, Sendable, Hashable {
    var address: String
    var since: Double
}

/// One ENI as the emulator keeps it.
struct ENIRecord: Codable, Sendable {
    enum Phase: String, Codable, Sendable {
        case available = "Available", attaching = "Attaching", inUse = "InUse", detaching = "Detaching"
    }

    var id: String
    var primary: Bool
    var vSwitchId: String
    var zoneId: String
    var macAddress: String
    var primaryIP: String
    var secondaryIPs: [TimedAddress]
    var ipv6s: [TimedAddress]
    var securityGroupIds: [String]
    var tags: [String: String]
    var description: String
    var instanceId: String?
    var deviceIndex: Int?
    var phase: Phase
    /// When the current phase began.
    var phaseSince: Double
    var created: Double

    var privateIPs: [String] { [primaryIP] + secondaryIPs.map(\.address) }
}
