import Foundation

/// A throw-away etcd cluster of `size` members (the real /usr/bin/etcd) on free loopback
/// ports, data in its own temporary folder, each member stopped by PID when the value goes.
public final class EtcdCluster: @unchecked Sendable {
    public struct Member: Sendable {
        public let name: String
        public let clientURL: String
        public let peerURL: String
    }

    public let members: [Member]
    /// With certificates, clients speak HTTPS and must show a certificate of the same CA.
    public let certificates: TestCertificates?
    private let directory: TemporaryDirectory
    private var processes: [BackgroundProcess?]
    /// Where the members run: nil for this (the test's) namespace, on loopback.
    private let namespace: TestNamespace?

    /// Starts the members and waits until the cluster has a leader. Data lives in /dev/shm
    /// (TemporaryDirectory names paths under /tmp): etcd fsyncs every write, and the tests
    /// measure etcd and the client, not this VM's disk.
    /// With `namespace`, the members run inside it on `host` (an address of that namespace,
    /// which other `te-` namespaces reach), on ports 23790 and up.
    public init(size: Int = 3, certificates: TestCertificates? = nil, namespace: TestNamespace? = nil,
                host: String = "127.0.0.1") throws {
        _ = try resolveExecutable("etcd")
        self.certificates = certificates
        self.namespace = namespace
        directory = try TemporaryDirectory("../dev/shm/te-etcd")
        let ports = namespace == nil ? try freeLoopbackPorts(2 * size) : Array(23790..<(23790 + 2 * size))
        let scheme = certificates == nil ? "http" : "https"
        members = (0..<size).map { index in
            Member(name: "m\(index)", clientURL: "\(scheme)://\(host):\(ports[2 * index])",
                   peerURL: "http://\(host):\(ports[2 * index + 1])")
        }
        processes = Array(repeating: nil, count: size)
        for index in members.indices { try start(index) }
        guard waitUntil(timeout: 20, interval: 0.1, { (try? leaderIndex()) != nil }) else {
            stopAll()
            throw TestEnvironmentError("etcd cluster did not elect a leader within 20 s; logs in \(directory.path)")
        }
    }

    /// Client URLs joined by commas, as etcdctl takes them.
    public var endpoints: String { members.map(\.clientURL).joined(separator: ",") }

    /// `host:port,host:port` for an `etcd://` store URL.
    public var storeAuthority: String {
        members.map { $0.clientURL.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "") }
            .joined(separator: ",")
    }

    /// etcdctl's flags to reach the members (TLS files included).
    public func etcdctl(_ arguments: [String], endpoints: String? = nil) -> [String] {
        var argv = ["etcdctl", "--endpoints", endpoints ?? self.endpoints]
        if let certificates {
            argv += ["--cacert", certificates.caFile, "--cert", certificates.clientCertificateFile, "--key", certificates.clientKeyFile]
        }
        return argv + arguments
    }

    public func pid(of index: Int) -> Int32? { processes[index].map(\.pid) }

    /// The prefix that runs a command where the members are.
    private var inNamespace: [String] { namespace.map { ["ip", "netns", "exec", $0.name] } ?? [] }

    /// (Re)starts member `index` with its data folder: a killed member rejoins.
    public func start(_ index: Int) throws {
        let member = members[index]
        let cluster = members.map { "\($0.name)=\($0.peerURL)" }.joined(separator: ",")
        let tls = certificates.map {
            ["--cert-file", $0.serverCertificateFile, "--key-file", $0.serverKeyFile,
             "--client-cert-auth", "--trusted-ca-file", $0.caFile]
        } ?? []
        processes[index] = try BackgroundProcess(inNamespace + [
            "etcd", "--name", member.name, "--data-dir", directory.file(member.name),
            "--listen-client-urls", member.clientURL, "--advertise-client-urls", member.clientURL,
            "--listen-peer-urls", member.peerURL, "--initial-advertise-peer-urls", member.peerURL,
            "--initial-cluster", cluster, "--initial-cluster-state", "new",
            "--initial-cluster-token", "te-etcd",
            "--heartbeat-interval", "100", "--election-timeout", "1000",
            "--logger", "zap", "--log-outputs", "stderr",
        ] + tls, logFile: directory.file("\(member.name).log"))
    }

    /// The index of the member that is leader now (asked with etcdctl), nil while there is none.
    public func leaderIndex() throws -> Int? {
        for (index, member) in members.enumerated() where processes[index]?.isRunning == true {
            let result = try run(inNamespace + etcdctl(["--command-timeout", "1s", "endpoint", "status", "-w", "simple"],
                                         endpoints: member.clientURL),
                                 environment: ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"], check: false)
            guard result.succeeded else { continue }
            // "127.0.0.1:2379, 8e9e05c52164694d, 3.4.23, 20 kB, true, false, 2, 8, 8, "
            let fields = result.stdout.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if fields.count > 4, fields[4] == "true" { return index }
        }
        return nil
    }

    /// Kills the leader with SIGKILL (by PID) and returns its index.
    @discardableResult
    public func killLeader() throws -> Int {
        guard let index = try leaderIndex(), let process = processes[index] else {
            throw TestEnvironmentError("the etcd cluster has no leader to kill")
        }
        process.signal(SIGKILL)
        process.terminate(grace: 1)
        processes[index] = nil
        return index
    }

    /// A member's log, for failure messages.
    public func log(of index: Int) -> String {
        (try? String(contentsOfFile: directory.file("\(members[index].name).log"), encoding: .utf8)) ?? ""
    }

    /// Stops member `index` (SIGTERM by PID); `start(index)` brings it back with its data.
    public func stop(_ index: Int) {
        processes[index]?.terminate(grace: 2)
        processes[index] = nil
    }

    public func stopAll() {
        for index in processes.indices { stop(index) }
    }

    deinit { stopAll() }
}

/// Ports the kernel has free on 127.0.0.1 now: each bound to port 0 and read back, all held
/// open together so that they differ, then released for the caller's servers.
public func freeLoopbackPorts(_ count: Int) throws -> [Int] {
    var sockets: [Int32] = []
    defer { for fd in sockets { close(fd) } }
    var ports: [Int] = []
    for _ in 0..<count {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestEnvironmentError("socket() failed: errno \(errno)") }
        sockets.append(fd)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw TestEnvironmentError("bind to 127.0.0.1:0 failed: errno \(errno)") }
        ports.append(Int(UInt16(bigEndian: address.sin_port)))
    }
    return ports
}
