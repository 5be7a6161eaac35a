import Foundation
import TestSupport

/// podman as this machine runs it (MACHINE.md): its own storage (vfs) and run root under a
/// scratch folder, runc with cgroupfs, the CNI backend with the plugin and config folders a
/// test gives, events to a file; started through `nsenter` into a `te-` node namespace (so
/// `--network host` is the node's and the CNI plugins work there), never in the root one.
final class Podman: @unchecked Sendable {
    let directory: TemporaryDirectory
    let namespace: TestNamespace
    private var containers: [String] = []

    static let runLimits = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"]

    init(namespace: TestNamespace, cniBinDirectory: String, cniConfDirectory: String) throws {
        self.namespace = namespace
        directory = try TemporaryDirectory("te-podman")
        try directory.write("containers.conf", """
            [network]
            network_backend = "cni"
            cni_plugin_dirs = ["\(cniBinDirectory)"]
            network_config_dir = "\(cniConfDirectory)"
            [engine]
            cgroup_manager = "cgroupfs"
            runtime = "runc"
            events_logger = "file"

            """)
    }

    var globalOptions: [String] {
        ["--root", directory.file("root"), "--runroot", directory.file("runroot"), "--storage-driver", "vfs"]
    }

    var environment: [String: String] {
        ProcessInfo.processInfo.environment.merging(["CONTAINERS_CONF": directory.file("containers.conf")]) { $1 }
    }

    @discardableResult
    func callAsFunction(_ arguments: [String], check: Bool = true) throws -> CommandResult {
        // Standard input from /dev/null, not a pipe: `podman exec` left a pipe-fed ping hanging.
        try namespace.execNsenter(["sh", "-c", #"exec "$@" </dev/null"#, "sh", "podman"] + globalOptions + arguments,
                                  environment: environment, check: check)
    }

    /// `podman run -d --name NAME ...`; removed at the end of the test. Spawned and waited
    /// for by PID here, its output to a file: Foundation's Process never saw a detaching
    /// `podman run -d` end (it stayed a zombie while conmon lived on).
    func start(_ name: String, _ arguments: [String]) throws {
        containers.append(name)
        let log = directory.file("\(name).start.log")
        let argv = ["sh", "-c", #"log=$1; shift; exec "$@" >"$log" 2>&1 </dev/null"#, "sh", log, "nsenter", "--net=\(namespace.path)",
                    "podman"] + globalOptions + ["run", "-d", "--name", name] + Self.runLimits + arguments
        let environ = environment.map { "\($0.key)=\($0.value)" }
        var cArgs = argv.map { strdup($0) } + [nil]
        var cEnv = environ.map { strdup($0) } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawnp(&pid, "sh", nil, nil, &cArgs, &cEnv) == 0 else { throw TestEnvironmentError("cannot spawn podman") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else {
            throw TestEnvironmentError("podman run \(name) failed: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
    }

    /// An image with busybox (static) as /bin/sh, sleep, ping: `podman import` of a rootfs tar.
    func importBusybox(tag: String) throws {
        let rootfs = directory.file("busybox")
        try FileManager.default.createDirectory(atPath: "\(rootfs)/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: "\(rootfs)/bin/busybox")
        for applet in ["sh", "sleep", "ping", "ip", "cat"] {
            try FileManager.default.createSymbolicLink(atPath: "\(rootfs)/bin/\(applet)", withDestinationPath: "busybox")
        }
        try run(["tar", "-C", rootfs, "-cf", directory.file("busybox.tar"), "."])
        try self(["import", directory.file("busybox.tar"), tag])
    }

    /// Removes the test's containers (by name, in this test's own storage).
    func removeContainers() {
        for name in containers.reversed() { _ = try? self(["rm", "-f", "-t", "2", name], check: false) }
        containers.removeAll()
    }

    deinit { removeContainers() }
}
