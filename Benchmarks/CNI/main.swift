import CNI
import CNIProtocol
import Glibc
import JSON
import Netlink
import NetworkCore
import PodAddressFixture

// The cloud mode runs in the same interleaving (the last contender): a node with an ENI (a
// veth carrying the ENI's MAC) and a warm pool served over the address socket by
// `PodAddressFixture` (the contract's answers from memory: the plugin's cost, not the agent's).
//
// bench-cni: ADD and DEL latency of terway-edge-cni against the reference bridge +
// host-local plugins with an equivalent config (same /24, bridge, MTU, default route,
// hairpin), a process per verb and pod, interleaved pod by pod so that both see the same
// machine load. Both IPAM stores live in a fresh folder under --store-dir (default /run,
// the tmpfs where the plugin keeps its store by default; /dev/shm where /run is no tmpfs, as
// on some VMs, since our reservation's fsync costs milliseconds on a disk and nothing on
// tmpfs), so that they pay the same file system costs.
//
// DEL is dominated by the kernel's veth deletion, paid by both: RTM_DELLINK returns only
// after netdev_run_todo's rcu_barrier(), which waits for RCU callbacks on every CPU (about
// 16 ms here, in steps of a jiffy). A bare veth pair (peer in a pod namespace, as a pod's)
// deleted in process over netlink is the floor both DELs are compared above. Beside it: a
// pair built as a pod's (bridge port, address, route), the kernel's whole share of a DEL,
// and the same deleted by `ip link del`, what a minimal process pays for it (FloorPair).
// The wait is longer when a deletion follows another within a grace period (the first
// one's callbacks are still pending), which would favour whichever starts slowest: each
// timed deletion starts after the same pause, and each pod's five (ours, the reference's,
// the three floors) take turns in going first. A second DEL of every pod, with nothing left
// to delete (runtimes repeat DEL), times each plugin's own work alone. Usage:
// bench-cni [--pods N] [--plugin PATH] [--reference-dir DIR] [--store-dir DIR]

var pods = 50
var ourBinary = ""
var referenceDirectory = "/usr/lib/cni"
var storeParent: String?
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    switch flag {
    case "--pods": pods = Int(arguments.popFirst() ?? "") ?? pods
    case "--plugin": ourBinary = arguments.popFirst() ?? ""
    case "--reference-dir": referenceDirectory = arguments.popFirst() ?? referenceDirectory
    case "--store-dir": storeParent = arguments.popFirst()
    default:
        print("usage: bench-cni [--pods N] [--plugin PATH] [--reference-dir DIR] [--store-dir DIR]")
        exit(2)
    }
}
if ourBinary.isEmpty {
    // Built next to this executable by `swift build`.
    let me = CommandLine.arguments[0]
    let dir = me.contains("/") ? String(me[..<me.lastIndex(of: "/")!]) : "."
    ourBinary = dir + "/terway-edge-cni"
}
guard geteuid() == 0 else {
    print("bench-cni builds network namespaces and needs root")
    exit(1)
}

struct Contender {
    let name: String
    let binary: String
    let config: JSONValue
    let node: String
    var podNamespaces: [String] = []
    var add: [UInt64] = []
    var del: [UInt64] = []
    var addCPU: [UInt64] = []
    var delCPU: [UInt64] = []
    var delAgain: [UInt64] = []
}

/// The kernel's floor for DEL: a veth pair (host end in the node, peer `eth0` in a pod
/// namespace of its own) made by `make`, untimed, and deleted by `delete`, timed. Bare, as
/// the issue defines the floor; or as a pod's: the host end a hairpin port of a bridge of
/// its own, the peer up with an address and a default route, all that the kernel tears down
/// in either plugin's DEL. Deleted by one netlink request in this process, or by a process
/// spawned as the plugins are (`ip link del`), which adds what any process pays: its start
/// and exit, and the longer RCU wait of a deletion made right after a process starts.
struct FloorPair {
    let name: String
    let nodeName: String
    let node: NetlinkSocket
    let pod: NetworkNamespace
    let podSocket: NetlinkSocket
    /// The bridge the host end joins, for a pair as a pod's.
    let bridgeIndex: Int32?
    let byProcess: Bool

    @MainActor init(_ name: String, node nodeName: String, podNamespace: String, bridge: String? = nil, byProcess: Bool = false,
                    namespaces: BenchNamespaces) throws {
        self.name = name
        self.nodeName = nodeName
        self.byProcess = byProcess
        pod = try NetworkNamespace(path: "/var/run/netns/\(podNamespace)")
        // Opened in their namespaces, the sockets stay bound there.
        node = try namespaces.run(in: nodeName) { try NetlinkSocket() }
        podSocket = try pod.run { try NetlinkSocket() }
        guard let bridge else { bridgeIndex = nil; return }
        try node.addLink(LinkSettings(name: bridge, up: true), kind: .bridge)
        let index = try node.link(named: bridge).index
        try node.addAddress(InterfaceAddress("10.78.0.1/24")!, index: index)
        bridgeIndex = index
    }

    func make() throws {
        try node.addLink(LinkSettings(name: name, up: true, masterIndex: bridgeIndex),
                         kind: .veth(peer: LinkSettings(name: "eth0", namespaceFD: pod.fd)))
        guard bridgeIndex != nil else { return }
        try node.setBridgePortHairpin(name, true)
        let eth0 = try podSocket.link(named: "eth0").index
        try podSocket.addAddress(InterfaceAddress("10.78.0.2/24")!, index: eth0)
        try podSocket.setLinkUp("eth0")
        try podSocket.addRoute(KernelRoute(destination: IPPrefix("0.0.0.0/0")!, gateway: IPAddress("10.78.0.1")!, outputInterface: eth0))
    }

    @MainActor func delete(namespaces: BenchNamespaces) throws -> UInt64 {
        guard byProcess else {
            let start = now()
            try node.deleteLink(name)
            return now() - start
        }
        let run = try namespaces.run(in: nodeName) { spawnAndWait(["/usr/sbin/ip", "link", "del", name], environment: [], stdin: "") }
        guard run.status == 0 else { throw BenchError("ip link del \(name) exited \(run.status): \(run.output)") }
        return run.nanoseconds
    }
}

@MainActor func environment(_ command: String, _ id: String, _ netns: String) -> [String] {
    ["CNI_COMMAND=\(command)", "CNI_CONTAINERID=\(id)", "CNI_NETNS=/var/run/netns/\(netns)", "CNI_IFNAME=eth0",
     "CNI_PATH=\(referenceDirectory)", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"]
}

@MainActor func invoke(_ contender: Contender, _ command: String, pod: Int, namespaces: BenchNamespaces) throws -> (wall: UInt64, cpu: UInt64) {
    let environment = environment(command, "bench\(pod)", contender.podNamespaces[pod])
    let stdin = contender.config.serialized()
    let run = try namespaces.run(in: contender.node) {
        spawnAndWait([contender.binary], environment: environment, stdin: stdin)
    }
    guard run.status == 0 else { throw BenchError("\(contender.name) \(command) pod \(pod) exited \(run.status): \(run.output)") }
    return (run.nanoseconds, run.cpuNanoseconds)
}

func percentile(_ samples: [UInt64], _ p: Double) -> Double {
    let sorted = samples.sorted()
    let index = min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))
    return Double(sorted[index]) / 1e6
}

func milliseconds(_ value: Double) -> String {
    let hundredths = abs(Int((value * 100).rounded()))
    return (value < 0 ? "-" : "") + "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100) ms"
}

func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }

let namespaces = BenchNamespaces()
/// Where production keeps the store: /run, on tmpfs (as `/proc/self/mounts` says).
func isTmpfs(_ path: String) -> Bool {
    let mounts = spawnAndWait(["/bin/cat", "/proc/self/mounts"], environment: [], stdin: "").output
    return mounts.split(separator: "\n").contains { line in
        let fields = line.split(separator: " ")
        return fields.count > 2 && fields[1] == path && fields[2] == "tmpfs"
    }
}
let storeFolder = storeParent ?? (isTmpfs("/run") ? "/run" : "/dev/shm")
var dataDirectory = Array("\(storeFolder)/te-bench-XXXXXX".utf8CString)
guard let made = mkdtemp(&dataDirectory) else { print("mkdtemp failed"); exit(1) }
let data = String(cString: made)

let eniMAC = MACAddress("00:16:3e:00:00:11")!
var pool: PodAddressFixture?
/// A cloud node: its secondary ENI as a veth carrying the ENI's MAC, and the warm pool's socket.
@MainActor func cloudNode() throws -> String {
    let node = try namespaces.make("n3")
    try namespaces.run(in: node) {
        try NetlinkSocket().addLink(LinkSettings(name: "eth1", mac: eniMAC, up: true), kind: .veth(peer: LinkSettings(name: "vpc1")))
    }
    let eni = PodAddressGrant.ENIBinding(mac: eniMAC, slot: 1, gateways: [IPAddress("192.168.0.253")!],
                                         subnets: [IPPrefix("192.168.0.0/16")!], mtu: 1500)
    pool = try PodAddressFixture(path: data + "/ip.sock", eni: eni,
                                 addresses: (0...pods).map { [IPAddress("192.168.\(1 + $0 / 250).\(1 + $0 % 250)")!] })
    return node
}

var failure: String?
var contenders: [Contender] = []
/// The deletions of each floor pair, in `floors`' order.
var floor: [[UInt64]] = [[], [], []]
do {
    contenders = [
        Contender(name: "terway-edge-cni", binary: ourBinary, config: [
            "cniVersion": "1.0.0", "name": "bench", "type": "terway-edge-cni", "mode": "edge",
            "subnet": "10.77.0.0/24", "bridge": "cni0", "mtu": 1450, "dataDir": .string(data + "/ours"),
        ], node: try namespaces.make("n1")),
        Contender(name: "bridge+host-local", binary: referenceDirectory + "/bridge", config: [
            "cniVersion": "1.0.0", "name": "bench", "type": "bridge", "bridge": "cni0", "mtu": 1450,
            "isGateway": true, "isDefaultGateway": true, "hairpinMode": true, "ipMasq": false,
            "ipam": ["type": "host-local", "ranges": [[["subnet": "10.77.0.0/24"]]], "dataDir": .string(data + "/reference")],
        ], node: try namespaces.make("n2")),
        Contender(name: "terway-edge-cni mode cloud (warm)", binary: ourBinary, config: [
            "cniVersion": "1.0.0", "name": "bench", "type": "terway-edge-cni", "mode": "cloud",
            "socket": .string(data + "/ip.sock"),
        ], node: try cloudNode()),
    ]
    for c in contenders.indices {
        contenders[c].podNamespaces = try (0...pods).map { try namespaces.make("\(c)p\($0)") }
    }
    // Pod `pods` is the warm-up: it creates the bridge and the store, which later ADDs reuse.
    for contender in contenders {
        _ = try invoke(contender, "ADD", pod: pods, namespaces: namespaces)
    }
    for pod in 0..<pods {
        for c in contenders.indices {
            let time = try invoke(contenders[c], "ADD", pod: pod, namespaces: namespaces)
            contenders[c].add.append(time.wall)
            contenders[c].addCPU.append(time.cpu)
        }
    }
    let node = contenders[0].node
    let floors = [
        try FloorPair("te-floor", node: node, podNamespace: try namespaces.make("fbare"), namespaces: namespaces),
        try FloorPair("te-floorpod", node: node, podNamespace: try namespaces.make("fpod"), bridge: "te-fbr-pod", namespaces: namespaces),
        try FloorPair("te-floorip", node: node, podNamespace: try namespaces.make("fip"), bridge: "te-fbr-ip", byProcess: true,
                      namespaces: namespaces),
    ]
    for pod in 0..<pods {
        for pair in floors { try pair.make() }
        // Indices from contenders.count on are the floors; the first of the round turns with the pod.
        let timed = contenders.count + floors.count
        for turn in 0..<timed {
            let c = (turn + pod) % timed
            // Past the grace periods of whatever came before (about 16 ms each here).
            usleep(50_000)
            guard c < contenders.count else {
                floor[c - contenders.count].append(try floors[c - contenders.count].delete(namespaces: namespaces))
                continue
            }
            let time = try invoke(contenders[c], "DEL", pod: pod, namespaces: namespaces)
            contenders[c].del.append(time.wall)
            contenders[c].delCPU.append(time.cpu)
        }
    }
    for pod in 0...pods {
        for turn in contenders.indices {
            let c = (turn + pod) % contenders.count
            let time = try invoke(contenders[c], "DEL", pod: pod, namespaces: namespaces)
            if pod < pods { contenders[c].delAgain.append(time.wall) }
        }
    }
} catch {
    failure = "\(error)"
}
namespaces.removeAll()
_ = spawnAndWait(["/bin/rm", "-rf", data], environment: [], stdin: "")
if let failure {
    print("bench-cni failed: \(failure)")
    exit(1)
}

print("ADD/DEL latency, \(pods) pods, one process per verb, in a node namespace (cniVersion 1.0.0, /24, bridge cni0, MTU 1450, stores in \(storeFolder))")
print(pad("verb", 6) + pad("plugin", 34) + pad("median", 12) + pad("p90", 12) + "CPU median (user+sys)")
for verb in ["ADD", "DEL"] {
    for contender in contenders {
        let samples = verb == "ADD" ? contender.add : contender.del
        let cpu = verb == "ADD" ? contender.addCPU : contender.delCPU
        print(pad(verb, 6) + pad(contender.name, 34) + pad(milliseconds(percentile(samples, 0.5)), 12)
              + pad(milliseconds(percentile(samples, 0.9)), 12) + milliseconds(percentile(cpu, 0.5)))
    }
}
for (label, samples) in zip(["floor: bare veth pair", "floor: pod-like pair", "floor: pod-like pair, ip link del"], floor) {
    print(pad("DEL", 6) + pad(label, 34) + pad(milliseconds(percentile(samples, 0.5)), 12) + milliseconds(percentile(samples, 0.9)))
}
for contender in contenders {
    print(pad("DEL", 6) + pad("again: \(contender.name)", 34) + pad(milliseconds(percentile(contender.delAgain, 0.5)), 12)
          + milliseconds(percentile(contender.delAgain, 0.9)))
}

func ratio(_ value: Double) -> (text: String, hundredths: Int) {
    let hundredths = Int((value * 100).rounded())
    // Negative when ours ends below a floor the reference stays above.
    let size = abs(hundredths)
    return ((hundredths < 0 ? "-" : "") + "\(size / 100).\(size % 100 < 10 ? "0" : "")\(size % 100)", hundredths)
}
let add = ratio(percentile(contenders[0].add, 0.5) / percentile(contenders[1].add, 0.5))
print("ADD median ratio ours/reference: \(add.text)" + (add.hundredths <= 50 ? " (target <= 0.50 met)" : " (target <= 0.50 missed)"))
let cloudAdd = ratio(percentile(contenders[2].add, 0.5) / percentile(contenders[1].add, 0.5))
print("ADD median ratio mode cloud (warm pool)/reference: \(cloudAdd.text)" + (cloudAdd.hundredths <= 50 ? " (target <= 0.50 met)" : " (target <= 0.50 missed)"))
for (label, samples) in zip(["the floor", "the pod-like floor", "`ip link del` of a pod-like pair"], floor) {
    let floorMedian = percentile(samples, 0.5)
    let ourAbove = percentile(contenders[0].del, 0.5) - floorMedian
    let referenceAbove = percentile(contenders[1].del, 0.5) - floorMedian
    let del = ratio(ourAbove / referenceAbove)
    print("DEL median above \(label): ours \(milliseconds(ourAbove)), reference \(milliseconds(referenceAbove)), ratio \(del.text)"
          + (del.hundredths <= 50 ? " (target <= 0.50 met)" : " (target <= 0.50 missed)"))
}
let again = ratio(percentile(contenders[0].delAgain, 0.5) / percentile(contenders[1].delAgain, 0.5))
print("DEL again (the plugin's own work, no kernel deletion) median ratio ours/reference: \(again.text)")
