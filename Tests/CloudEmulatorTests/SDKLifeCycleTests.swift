import Foundation
import JSON
import Testing
import TestSupport

/// The official Python SDKs, unchanged, pointed at the emulator: the whole ENI life cycle,
/// and the documented errors for an unknown key and a wrong secret.
@Suite struct SDKLifeCycleTests {
    @Test(arguments: ["core", "tea"])
    func officialSDKRunsTheLifeCycle(sdk: String) async throws {
        // Attaching lasts 3 s, long enough for the SDK's next call to see it on a loaded
        // machine (a Python call there may take over a second).
        let harness = try await EmulatorHarness(yaml: EmulatorHarness.testWorld(delays: "{ attach: 3.0, detach: 0.2, metadata: 0.2 }"))
        defer { Task { await harness.stop() } }
        // Off the cooperative pool: the emulator answering the SDK runs on it.
        let endpoint = harness.apiEndpoint
        let result = try await offPool {
            try PythonCloudSDK.runScript("lifecycle.py", arguments: [sdk, endpoint, "i-big-1", "vsw-zone-h", "sg-lab"])
        }
        let report = try #require(try JSONValue.parse(result.stdout).objectValue)
        #expect(report["createdStatus"] == "Available")
        #expect(report["afterAttach"] == "Attaching", "attach is not immediate")
        let assigned = (report["assigned"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(assigned.count == 10 && Set(assigned).count == 10)
        let described = (report["described"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(described.count == 11 && Set(assigned).isSubset(of: Set(described)))
        #expect(report["instance"] == "i-big-1")
        #expect(report["afterUnassign"]?.arrayValue?.count == 1)
        #expect(report["unknownKey"] == "InvalidAccessKeyId.NotFound")
        // aliyun-python-sdk-core renames SignatureDoesNotMatch to InvalidAccessKeySecret when
        // the string to sign the service quotes equals its own: so the emulator's does.
        #expect(report["wrongSecret"] == (sdk == "core" ? "InvalidAccessKeySecret" : "SignatureDoesNotMatch"))
    }
}
