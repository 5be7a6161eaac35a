import Foundation
// The command runner lives in `Command` (the lab uses it too); tests keep reaching it through TestSupport.
@_exported import Command

/// The reason a test cannot run here. Tests throw it rather than skip: CI is root and has
/// every package, so a missing part is a failure to be fixed, not a test to pass over.
public struct TestEnvironmentError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Fails with the reason when the test lacks root (namespaces, netlink writes, daemons on port 179).
public func requireRoot() throws {
    guard geteuid() == 0 else {
        throw TestEnvironmentError("this test builds network namespaces and needs root (CI runs as root)")
    }
}

/// The folder that holds the package's built executables (`swift build --show-bin-path`).
public func builtExecutable(_ name: String) throws -> String {
    if let dir = ProcessInfo.processInfo.environment["TERWAY_EDGE_BIN"] {
        return "\(dir)/\(name)"
    }
    // `swift test` runs the test bundle from the same folder as the executables.
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for dir in [bundle, bundle.deletingLastPathComponent()] {
        let candidate = dir.appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    throw TestEnvironmentError("`\(name)` is not built; run `swift build` first or set TERWAY_EDGE_BIN")
}

/// A scratch folder removed when the test is done.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "te") throws {
        var template = Array("/tmp/\(label)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestEnvironmentError("mkdtemp failed: errno \(errno)") }
        path = String(cString: made)
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }

    public func write(_ name: String, _ contents: String) throws {
        try contents.write(toFile: file(name), atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
