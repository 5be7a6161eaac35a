import CloudAPI
import CloudENI
import HTTPClient
import Testing
import TestSupport

/// Where credentials come from, and role credentials renewed before they expire.
@Suite struct CredentialTests {
    @Test func environmentAndFile() async throws {
        let env = try StaticCredentials.environment(["ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI-lab",
                                                     "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "lab-secret",
                                                     "ALIBABA_CLOUD_SECURITY_TOKEN": "tok"])
        #expect(try await env.credentials() == CloudCredentials(accessKeyId: "LTAI-lab", accessKeySecret: "lab-secret", securityToken: "tok"))
        #expect(throws: CredentialError.self) { try StaticCredentials.environment(["ALIBABA_CLOUD_ACCESS_KEY_ID": "x"]) }

        let folder = try TemporaryDirectory("te-cred")
        try folder.write("ak", "# mounted from a Secret\naccess_key_id: LTAI-lab\naccess_key_secret = lab-secret\n")
        #expect(try await StaticCredentials.file(folder.file("ak")).credentials().accessKeySecret == "lab-secret")
        try folder.write("bad", "access_key_id: LTAI-lab\nsecret-without-separator\n")
        do {
            _ = try StaticCredentials.file(folder.file("bad"))
            Issue.record("a malformed file was accepted")
        } catch {
            #expect(!"\(error)".contains("LTAI-lab"), "errors name the file and the key, never a value")
        }
    }

    /// A role whose credentials live 3 s: the provider renews them before they expire, and
    /// the old ones stop working at their expiry.
    @Test func roleCredentialsAreRenewedBeforeExpiry() async throws {
        let yaml = EmulatorHarness.testWorld().replacingOccurrences(of: "ttlSeconds: 3600", with: "ttlSeconds: 3")
        let harness = try await EmulatorHarness(yaml: yaml)
        let http = HTTPConnectionCache(connectTimeout: 2, tls: nil)
        let role = RAMRoleCredentials(metadata: MetadataClient(endpoint: .init(host: "127.0.0.1", port: harness.metadataPort), transport: http),
                                      renewBefore: 1)
        let c = ClientHarness(harness, credentials: role)
        defer { Task { await c.close(); await http.closeAll(); await harness.stop() } }
        let first = try await role.credentials()
        _ = try await c.client.describeInstanceTypes([])
        try await Task.sleep(for: .milliseconds(2300))
        let second = try await role.credentials()
        #expect(second.accessKeyId != first.accessKeyId, "renewed with under a third of the life left")
        _ = try await c.client.describeInstanceTypes([])
        try await Task.sleep(for: .milliseconds(1000))
        let stale = ClientHarness(harness, credentials: StaticCredentials(first))
        defer { Task { await stale.close() } }
        await #expect(throws: CloudAPIError.self) { _ = try await stale.client.describeInstanceTypes([]) }
    }
}
