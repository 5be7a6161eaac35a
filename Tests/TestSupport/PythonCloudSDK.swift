import Foundation

/// The official Alibaba Cloud Python SDKs (`aliyun-python-sdk-core` + `-ecs`, and the
/// generated `alibabacloud-ecs20140526`/`-vpc20160428`) in a virtual environment outside
/// the repo, made on first use from PyPI and reused by later runs.
public enum PythonCloudSDK {
    public static let venv = ProcessInfo.processInfo.environment["TE_CLOUD_VENV"] ?? "/var/tmp/te-cloud-venv"
    static let packages = ["aliyun-python-sdk-core", "aliyun-python-sdk-ecs", "alibabacloud-ecs20140526", "alibabacloud-vpc20160428"]

    /// The venv's python, after making the venv if it lacks any SDK.
    public static func python() throws -> String {
        try PythonVenv(path: venv, packages: packages,
                       probe: "import aliyunsdkcore, aliyunsdkecs, alibabacloud_ecs20140526, alibabacloud_vpc20160428").python()
    }

    /// A script of `Tests/TestSupport/CloudSDK/`.
    public static func script(_ name: String, file: String = #filePath) -> String {
        URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("CloudSDK/\(name)").path
    }

    /// Runs a script of `CloudSDK/` with the venv's python.
    public static func runScript(_ name: String, arguments: [String] = [], stdin: String? = nil) throws -> CommandResult {
        try run([try python(), script(name)] + arguments, stdin: stdin)
    }
}
