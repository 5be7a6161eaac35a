import CloudAPI
import Foundation

/// Where the client's credentials come from. Asked before every attempt, so a provider
/// that renews hands out fresh ones without the client knowing.
public protocol CredentialProvider: Sendable {
    func credentials() async throws -> CloudCredentials
}

/// A fixed AccessKey pair or STS token.
public struct StaticCredentials: CredentialProvider {
    let value: CloudCredentials
    public init(_ value: CloudCredentials) { self.value = value }
    public func credentials() async throws -> CloudCredentials { value }

    /// `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and, for STS,
    /// `ALIBABA_CLOUD_SECURITY_TOKEN` (the official SDKs' names).
    public static func environment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> StaticCredentials {
        guard let id = environment["ALIBABA_CLOUD_ACCESS_KEY_ID"], !id.isEmpty,
              let secret = environment["ALIBABA_CLOUD_ACCESS_KEY_SECRET"], !secret.isEmpty else {
            throw CredentialError("ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET must both be set")
        }
        let token = environment["ALIBABA_CLOUD_SECURITY_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return StaticCredentials(CloudCredentials(accessKeyId: id, accessKeySecret: secret, securityToken: token))
    }

    /// A file of `key: value` lines with `access_key_id`, `access_key_secret` and
    /// optionally `security_token` (a Kubernetes Secret mounted as a file). Errors name
    /// the file and the key, never a value.
    public static func file(_ path: String) throws -> StaticCredentials {
        guard let data = FileManager.default.contents(atPath: path) else { throw CredentialError("\(path): cannot read") }
        var fields: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            guard let separator = trimmed.firstIndex(where: { $0 == ":" || $0 == "=" }) else {
                throw CredentialError("\(path): a line is not `key: value`")
            }
            fields[trimmed[..<separator].trimmingCharacters(in: .whitespaces)] =
                trimmed[trimmed.index(after: separator)...].trimmingCharacters(in: .whitespaces)
        }
        guard let id = fields["access_key_id"], !id.isEmpty else { throw CredentialError("\(path): access_key_id is missing") }
        guard let secret = fields["access_key_secret"], !secret.isEmpty else { throw CredentialError("\(path): access_key_secret is missing") }
        return StaticCredentials(CloudCredentials(accessKeyId: id, accessKeySecret: secret, securityToken: fields["security_token"]))
    }
}

/// The instance's RAM role through metadata: STS credentials renewed when less than
/// `renewBefore` seconds (or a third of their life) are left, so a call never signs with
/// credentials about to expire.
public actor RAMRoleCredentials: CredentialProvider {
    let metadata: MetadataClient
    let role: String?
    let renewBefore: Double
    private var current: CloudCredentials?
    private var issued: Double = 0

    public init(metadata: MetadataClient, role: String? = nil, renewBefore: Double = 300) {
        self.metadata = metadata
        self.role = role
        self.renewBefore = renewBefore
    }

    public func credentials() async throws -> CloudCredentials {
        let now = Date().timeIntervalSince1970
        if let current, let expiration = current.expiration,
           expiration - now > max(renewBefore, (expiration - issued) / 3) {
            return current
        }
        var name = role ?? ""
        if name.isEmpty {
            name = try await metadata.get("ram/security-credentials/").split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            guard !name.isEmpty else { throw CredentialError("the instance has no RAM role") }
        }
        let text = try await metadata.get("ram/security-credentials/\(name)")
        let fresh = try CloudCredentials(roleCredentialsJSON: text)
        current = fresh
        issued = now
        return fresh
    }
}

public struct CredentialError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
