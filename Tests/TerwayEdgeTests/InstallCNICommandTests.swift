import Foundation
import Testing
import TestSupport

/// `terway-edge install-cni --mode`: each mode writes its keys and refuses the other's flags
/// (the plugin would refuse them at the first pod ADD, on every node).
@Suite struct InstallCNICommandTests {
    static func install(_ arguments: [String], in directory: TemporaryDirectory) throws -> CommandResult {
        for folder in ["bin", "net.d"] { try FileManager.default.createDirectory(atPath: directory.file(folder), withIntermediateDirectories: true) }
        try directory.write("plugin", "#!/bin/sh\n")
        return try run([try builtExecutable("terway-edge"), "install-cni", "--plugin", directory.file("plugin"),
                        "--bin-dir", directory.file("bin"), "--conf-dir", directory.file("net.d")] + arguments, check: false)
    }

    static func pluginEntry(_ directory: TemporaryDirectory) throws -> [String: Any] {
        let list = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: directory.file("net.d/10-terway-edge.conflist"))))
        return try #require(((list as? [String: Any])?["plugins"] as? [[String: Any]])?.first)
    }

    @Test func edgeIsTheDefault() throws {
        let directory = try TemporaryDirectory("te-install-cni")
        let result = try Self.install([], in: directory)
        #expect(result.succeeded, "\(result.stderr)")
        let entry = try Self.pluginEntry(directory)
        #expect(entry["mode"] as? String == "edge")
        #expect(entry["subnetFile"] as? String == "/run/terway-edge/subnet.json")
        #expect(entry["bridge"] as? String == "cni0")
        #expect(entry["socket"] == nil)
    }

    @Test func cloudWritesTheSocketAndNoEdgeKey() throws {
        let directory = try TemporaryDirectory("te-install-cni")
        let result = try Self.install(["--mode", "cloud", "--socket", "/run/te/ip.sock", "--socket-timeout", "90", "--mtu", "9000"], in: directory)
        #expect(result.succeeded, "\(result.stderr)")
        let entry = try Self.pluginEntry(directory)
        #expect(entry.keys.sorted() == ["mode", "mtu", "socket", "socketTimeout", "type"])
        #expect(entry["mode"] as? String == "cloud")
        #expect(entry["socket"] as? String == "/run/te/ip.sock")
        #expect(entry["socketTimeout"] as? Int == 90)
        // The socket defaults to the cloud agent's default address socket.
        let defaults = try TemporaryDirectory("te-install-cni")
        #expect(try Self.install(["--mode", "cloud"], in: defaults).succeeded)
        #expect(try Self.pluginEntry(defaults)["socket"] as? String == "/run/terway-edge/ip.sock")
    }

    @Test func theOtherModesFlagsAreRefused() throws {
        for (arguments, flag) in [(["--mode", "cloud", "--subnet-file", "/run/x.json"], "--subnet-file"),
                                  (["--mode", "cloud", "--bridge", "br0"], "--bridge"),
                                  (["--socket", "/run/te/ip.sock"], "--socket"),
                                  (["--mode", "cloud", "--socket", "ip.sock"], "absolute"),
                                  (["--mode", "fog"], "fog")] {
            let directory = try TemporaryDirectory("te-install-cni")
            let result = try Self.install(arguments, in: directory)
            #expect(!result.succeeded && result.stderr.contains(flag), "\(arguments): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: directory.file("net.d/10-terway-edge.conflist")))
        }
    }

    /// Without --plugin, the plugin is the one beside the program itself, also when that was
    /// started through a symlink elsewhere (a PATH entry, /usr/local/bin).
    @Test func theDefaultPluginIsTheOneBesideTheProgramThroughASymlink() throws {
        let directory = try TemporaryDirectory("te-install-cni")
        for folder in ["bin", "net.d", "path"] { try FileManager.default.createDirectory(atPath: directory.file(folder), withIntermediateDirectories: true) }
        try FileManager.default.createSymbolicLink(atPath: directory.file("path/terway-edge"), withDestinationPath: try builtExecutable("terway-edge"))
        let result = try run([directory.file("path/terway-edge"), "install-cni", "--bin-dir", directory.file("bin"),
                              "--conf-dir", directory.file("net.d")], check: false)
        #expect(result.succeeded, "\(result.stderr)")
        let installed = try Data(contentsOf: URL(fileURLWithPath: directory.file("bin/terway-edge-cni")))
        #expect(installed == (try Data(contentsOf: URL(fileURLWithPath: try builtExecutable("terway-edge-cni")))))
    }
}
