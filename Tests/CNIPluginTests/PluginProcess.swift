import Foundation
import TestSupport

/// A plugin run started without waiting, so that many run at once (as a busy kubelet
/// runs them) and so that a test can SIGKILL one at any instant.
final class PluginProcess: @unchecked Sendable {
    let process = Process()
    private let output = Pipe()

    init(node: EdgeNode, command: String, stdin: String, containerID: String, netns: String, ifname: String) throws {
        process.executableURL = URL(fileURLWithPath: try resolveExecutable("ip"))
        process.arguments = ["netns", "exec", node.namespace.name, node.binary]
        process.environment = ["CNI_COMMAND": command, "CNI_CONTAINERID": containerID, "CNI_NETNS": netns,
                               "CNI_IFNAME": ifname, "CNI_PATH": "/usr/lib/cni"]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
    }

    func kill() { if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) } }

    /// Waits for the end; the output fits the pipe buffer, so the child never blocks on it.
    func wait() -> (status: Int32, stdout: String, killed: Bool) {
        process.waitUntilExit()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self),
                process.terminationReason == .uncaughtSignal)
    }
}
