import CNI
import CNIInstall
import Foundation
import Glibc
import JSON
import Testing
import TestSupport

@Suite struct CNIInstallerTests {
    /// A shipped "binary" of `size` bytes, every byte `fill`: a torn read shows as mixed bytes.
    static func shippedPlugin(in directory: TemporaryDirectory, _ name: String, size: Int, fill: UInt8) throws -> String {
        let path = directory.file(name)
        try Data(repeating: fill, count: size).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o755)
        return path
    }

    static func installer(_ plugin: String, _ root: TemporaryDirectory) -> CNIInstaller {
        CNIInstaller(plugin: plugin, binDirectory: root.file("bin"), confDirectory: root.file("net.d"),
                     conflist: PluginConflist(mode: .edge(subnetFile: "/run/terway-edge/subnet.json")))
    }

    static func makeFolders(_ root: TemporaryDirectory) throws {
        for name in ["bin", "net.d"] { try FileManager.default.createDirectory(atPath: root.file(name), withIntermediateDirectories: true) }
    }

    @Test func installsTheBinaryAndAConflistChainingPortmap() throws {
        let root = try TemporaryDirectory("te-install")
        try Self.makeFolders(root)
        let plugin = try Self.shippedPlugin(in: root, "shipped", size: 100_000, fill: 1)
        let report = try Self.installer(plugin, root).install()
        #expect(report.binaryReplaced && report.conflistReplaced && report.shadowing.isEmpty)

        let binary = root.file("bin/terway-edge-cni")
        #expect(FileManager.default.contents(atPath: binary) == FileManager.default.contents(atPath: plugin))
        #expect(access(binary, X_OK) == 0)
        let text = try String(contentsOfFile: root.file("net.d/10-terway-edge.conflist"), encoding: .utf8)
        let list = try NetworkConfigList(json: try JSONValue.parse(Array(text.utf8)))
        #expect(list.name == "terway-edge")
        #expect(list.plugins.map { $0["type"]?.stringValue } == ["terway-edge-cni", "portmap"])
        #expect(list.plugins[0]["subnetFile"]?.stringValue == "/run/terway-edge/subnet.json")
        #expect(list.plugins[1]["capabilities"]?.objectValue?["portMappings"] == .bool(true))
        // No temporary file is left in either folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.file("bin")) == ["terway-edge-cni"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.file("net.d")) == ["10-terway-edge.conflist"])
    }

    @Test func anUnchangedInstallKeepsTheFiles() throws {
        let root = try TemporaryDirectory("te-install")
        try Self.makeFolders(root)
        let plugin = try Self.shippedPlugin(in: root, "shipped", size: 10_000, fill: 2)
        _ = try Self.installer(plugin, root).install()
        let inode = try #require(try FileManager.default.attributesOfItem(atPath: root.file("bin/terway-edge-cni"))[.systemFileNumber] as? UInt64)
        let again = try Self.installer(plugin, root).install()
        #expect(!again.binaryReplaced && !again.conflistReplaced)
        #expect(try FileManager.default.attributesOfItem(atPath: root.file("bin/terway-edge-cni"))[.systemFileNumber] as? UInt64 == inode)
    }

    @Test func anotherCNIsEarlierConfigIsReported() throws {
        let root = try TemporaryDirectory("te-install")
        try Self.makeFolders(root)
        try root.write("net.d/05-flannel.conflist", "{}")
        try root.write("net.d/99-loopback.conf", "{}")
        try root.write("net.d/01-notes.txt", "not a config")
        let plugin = try Self.shippedPlugin(in: root, "shipped", size: 10, fill: 3)
        #expect(try Self.installer(plugin, root).install().shadowing == ["05-flannel.conflist"])
    }

    @Test func aMissingFolderNamesTheCall() throws {
        let root = try TemporaryDirectory("te-install")
        let plugin = try Self.shippedPlugin(in: root, "shipped", size: 10, fill: 4)
        #expect {
            _ = try Self.installer(plugin, root).install()
        } throws: { error in
            "\(error)".contains("open \(root.file("bin/terway-edge-cni")).tmp.") && "\(error)".contains("No such file")
        }
    }

    /// An upgrade while the runtime starts pods: a reader opening the binary by name in a
    /// loop finds it every time, and always whole (all bytes of the old or all of the new).
    @Test func anUpgradeLeavesNoWindowWithoutAWholeBinary() throws {
        let root = try TemporaryDirectory("te-install")
        try Self.makeFolders(root)
        let size = 4 << 20
        let old = try Self.shippedPlugin(in: root, "old", size: size, fill: 0xAA)
        let new = try Self.shippedPlugin(in: root, "new", size: size + 4096, fill: 0x55)
        _ = try Self.installer(old, root).install()

        let binary = root.file("bin/terway-edge-cni")
        let reader = BinaryReader(path: binary, sizes: [0xAA: size, 0x55: size + 4096])
        let thread = Thread { reader.loop() }
        thread.start()
        for round in 0..<60 {
            _ = try Self.installer(round % 2 == 0 ? new : old, root).install()
        }
        reader.stop()
        let result = reader.result()
        #expect(result.reads > 0)
        #expect(result.failures.isEmpty, "\(result.failures.prefix(5))")
    }
}

/// Opens and reads the binary by name until stopped, recording every missing, short or mixed read.
final class BinaryReader: @unchecked Sendable {
    let path: String
    let sizes: [UInt8: Int]
    private let lock = NSLock()
    private var stopped = false
    private var done = false
    private var reads = 0
    private var failures: [String] = []

    init(path: String, sizes: [UInt8: Int]) {
        self.path = path
        self.sizes = sizes
    }

    func loop() {
        var buffer = [UInt8](repeating: 0, count: 8 << 20)
        while !lock.withLock({ stopped }) {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                let reason = "open: errno \(errno)"
                lock.withLock { failures.append(reason) }
                continue
            }
            var total = 0
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + total, $0.count - total) }
                if n <= 0 { break }
                total += n
            }
            close(fd)
            let first = buffer[0]
            let whole = total > 0 && sizes[first] == total && !buffer[..<total].contains { $0 != first }
            lock.withLock {
                reads += 1
                if !whole { failures.append("read \(total) bytes starting \(first)") }
            }
        }
        lock.withLock { done = true }
    }

    func stop() {
        lock.withLock { stopped = true }
        while !lock.withLock({ done }) { usleep(1000) }
    }

    func result() -> (reads: Int, failures: [String]) { lock.withLock { (reads, failures) } }
}
