import CNI
import Glibc
import POSIX

/// The process entry: the real environment, stdin and stdout around one dispatcher call.
public enum PluginMain {
    public static func run() -> Int32 {
        CNIDispatcher().run(
            environment: { name in getenv(name).map { String(cString: $0) } },
            stdin: readStandardInput,
            plugin: ModePlugin(),
            output: { text in writeStandardOutput(text + "\n") })
    }

    /// Configs are small; a runaway writer is cut off at 1 MiB and then fails to parse.
    /// A failed read yields no config, which the dispatcher refuses.
    private static func readStandardInput() -> [UInt8] {
        (try? readUntilEnd(0, limit: 1 << 20, chunk: 16 * 1024)) ?? []
    }

    /// The runtime reads our answer from the pipe; if it went away there is no one to tell.
    private static func writeStandardOutput(_ text: String) {
        try? writeAll(1, text.utf8)
    }
}
