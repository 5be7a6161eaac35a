import Foundation

/// Starts `argv` (no shell) with stdout and stderr going to the file `log`; the caller
/// waits for it (off the cooperative pool: `offPool { process.waitUntilExit() }`).
public func launchLogged(_ argv: [String], log: String) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try resolveExecutable(argv[0]))
    process.arguments = Array(argv.dropFirst())
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
    process.standardOutput = handle
    process.standardError = handle
    process.standardInput = FileHandle.nullDevice
    try process.run()
    try handle.close()
    return process
}
