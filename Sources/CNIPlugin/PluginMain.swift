import Glibc
import CNI

/// The process entry: the real environment, stdin and stdout around one dispatcher call.
public enum PluginMain {
    public static func run() -> Int32 {
        CNIDispatcher().run(
            environment: { name in getenv(name).map { String(cString: $0) } },
            stdin: readStandardInput,
            plugin: EdgePlugin(),
            output: { text in writeStandardOutput(text + "\n") })
    }

    /// Configs are small; a runaway writer is cut off at 1 MiB and then fails to parse.
    private static func readStandardInput() -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while bytes.count < 1 << 20 {
            let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            bytes += buffer[..<n]
        }
        return bytes
    }

    private static func writeStandardOutput(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }
}
