import Glibc
import POSIX

/// What the init container does on every start of the agent's pod: puts the plugin binary
/// into the runtime's binary folder and our conflist into its config folder, each by an
/// atomic rename (`AtomicFile`), so a runtime starting a pod during an upgrade runs the old
/// binary or the new one and never finds none or half of one. Unchanged files are left as
/// they are (no rename, no new inode).
public struct CNIInstaller: Sendable {
    /// The plugin binary shipped in the image.
    public var plugin: String
    /// The runtime's folders, as mounted from the host (`/opt/cni/bin`, `/etc/cni/net.d`).
    public var binDirectory: String
    public var confDirectory: String
    public var conflist: PluginConflist

    public init(plugin: String, binDirectory: String, confDirectory: String, conflist: PluginConflist) {
        self.plugin = plugin
        self.binDirectory = binDirectory
        self.confDirectory = confDirectory
        self.conflist = conflist
    }

    public struct Report: Sendable, Equatable {
        public var binary: String
        public var binaryReplaced: Bool
        public var conflist: String
        public var conflistReplaced: Bool
        /// Config files the runtime loads before ours (it takes the first in name order).
        public var shadowing: [String]
    }

    public func install() throws(FileReplaceError) -> Report {
        let binary = "\(binDirectory)/\(PluginConflist.pluginName)"
        let shipped = try Self.contents(of: plugin)
        let binaryReplaced = shipped != (try? Self.contents(of: binary)) || !Self.isExecutable(binary)
        if binaryReplaced { try AtomicFile.replace(binary, copying: plugin, mode: 0o755) }

        let conf = "\(confDirectory)/\(PluginConflist.fileName)"
        let bytes = conflist.bytes
        let conflistReplaced = bytes != (try? Self.contents(of: conf))
        if conflistReplaced { try AtomicFile.replace(conf, with: bytes, mode: 0o644) }
        return Report(binary: binary, binaryReplaced: binaryReplaced, conflist: conf, conflistReplaced: conflistReplaced,
                      shadowing: Self.configsBefore(PluginConflist.fileName, in: confDirectory))
    }

    /// The names in `directory` a runtime reads as network configs (libcni: `.conf`,
    /// `.conflist`, `.json`) that sort before `name`: the runtime would use the first of them.
    public static func configsBefore(_ name: String, in directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            let isConfig = [".conf", ".conflist", ".json"].contains { entryName.hasSuffix($0) }
            if isConfig && entryName < name { names.append(entryName) }
        }
        return names.sorted()
    }

    static func contents(of path: String) throws(FileReplaceError) -> [UInt8] {
        let fd = retryingEINTR { open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw FileReplaceError(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        do throws(SystemCallError) { return try readUntilEnd(fd, limit: 1 << 30, chunk: 1 << 16) } catch {
            throw FileReplaceError(operation: "read", path: path, errno: error.errno)
        }
    }

    static func isExecutable(_ path: String) -> Bool { access(path, X_OK) == 0 }
}
