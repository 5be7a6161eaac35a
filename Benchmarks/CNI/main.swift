import CNI
import CNIProtocol
import Glibc
import JSON
import Netlink
import NetworkCore
import PodAddressFixture

// bench-cni: ADD and DEL latency of terway-edge-cni against the reference bridge +
// host-local plugins with an equivalent config (same /24, bridge, MTU, default route,
// hairpin), a process per verb and pod, interleaved pod by pod so that both see the same
// machine load. Both IPAM stores live in a fresh folder under --store-dir (default /run,
// the tmpfs where the plugin keeps its store by default; /dev/shm where /run is no tmpfs, as
// on some VMs, since our reservation's fsync costs milliseconds on a disk and nothing on
// tmpfs), so that they pay the same file system costs. DEL is dominated by the kernel's veth deletion (an RCU grace period), paid
// by both: a bare veth pair (peer in a pod namespace, as a pod's) deleted in process over
// netlink, timed in the same interleaving, is the floor both DELs are compared above.
// The cloud mode runs in the same interleaving: a node with an ENI (a veth carrying the
// ENI's MAC) and a warm pool served over the address socket by `PodAddressFixture` (the
// contract's answers from memory: the plugin's cost, not the agent's). Usage:
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
}

/// The kernel's floor for DEL: a veth pair like a pod's (host end in `node`, peer `eth0` in
/// the pod's namespace) created untimed, then deleted by one netlink request, timed.
@MainActor func floorDeletion(node: String, podNamespace: String, namespaces: BenchNamespaces) throws -> UInt64 {
    let pod = try NetworkNamespace(path: "/var/run/netns/\(podNamespace)")
    // Opened in the node, the socket stays bound there.
    let socket = try namespaces.run(in: node) { try NetlinkSocket() }
    try socket.addLink(LinkSettings(name: "te-floor", up: true),
                       kind: .veth(peer: LinkSettings(name: "eth0", namespaceFD: pod.fd)))
    let start = now()
    try socket.deleteLink("te-floor")
    return now() - start
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
var floor: [UInt64] = []
do {
    contenders = [
        Contender(name: "terway-edge-cni", binary: ourBinary, config: [
            "cniVersion": "1.0.0", "name": "bench", "type": "terway-edge-cni", "mode": "edge",
            "subnet": "10.77.0.0/24", "bridge": "cni0", "mtu": 1450, "dataDir": .string(data + "/ours"),
        ], node: try namespaces.make("n1")),
        Contender(name: "terway-edge-cni mode cloud (warm)", binary: ourBinary, config: [
            "cniVersion": "1.0.0", "name": "bench", "type": "terway-edge-cni", "mode": "cloud",
            "socket": .string(data + "/ip.sock"),
        ], node: try cloudNode()),
        Contender(name: "bridge+host-local", binary: referenceDirectory + "/bridge", config: [
            "cniVersion": "1.0.0", "name": "bench", "type": "bridge", "bridge": "cni0", "mtu": 1450,
            "isGateway": true, "isDefaultGateway": true, "hairpinMode": true, "ipMasq": false,
            "ipam": ["type": "host-local", "ranges": [[["subnet": "10.77.0.0/24"]]], "dataDir": .string(data + "/reference")],
        ], node: try namespaces.make("n2")),
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
    for pod in 0..<pods {
        for c in contenders.indices {
            let time = try invoke(contenders[c], "DEL", pod: pod, namespaces: namespaces)
            contenders[c].del.append(time.wall)
            contenders[c].delCPU.append(time.cpu)
        }
        // In our node, into the pod namespace our DEL just emptied.
        floor.append(try floorDeletion(node: contenders[0].node, podNamespace: contenders[0].podNamespaces[pod], namespaces: namespaces))
    }
    for contender in contenders {
        _ = try invoke(contender, "DEL", pod: pods, namespaces: namespaces)
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

print("ADD/DEL latency, \(pods) pods, one process per verb, in a node namespace (cniVersion 1.0.0, /24, bridge cni0, MTU 1450, stores in \(storeFolder); cloud: /32 from a warm pool, rules, ENI table)")
print(pad("verb", 6) + pad("plugin", 34) + pad("median", 12) + pad("p90", 12) + "CPU median (user+sys)")
for verb in ["ADD", "DEL"] {
    for contender in contenders {
        let samples = verb == "ADD" ? contender.add : contender.del
        let cpu = verb == "ADD" ? contender.addCPU : contender.delCPU
        print(pad(verb, 6) + pad(contender.name, 34) + pad(milliseconds(percentile(samples, 0.5)), 12)
              + pad(milliseconds(percentile(samples, 0.9)), 12) + milliseconds(percentile(cpu, 0.5)))
    }
}
print(pad("DEL", 6) + pad("floor: bare veth pair, netlink", 34) + pad(milliseconds(percentile(floor, 0.5)), 12) + milliseconds(percentile(floor, 0.9)))

func ratio(_ value: Double) -> (text: String, hundredths: Int) {
    let hundredths = Int((value * 100).rounded())
    return ("\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)", hundredths)
}
let reference = contenders[2]
for contender in contenders.dropLast() {
    let add = ratio(percentile(contender.add, 0.5) / percentile(reference.add, 0.5))
    print("ADD median ratio \(contender.name)/reference: \(add.text)" + (add.hundredths <= 50 ? " (target <= 0.50 met)" : " (target <= 0.50 missed)"))
}
let floorMedian = percentile(floor, 0.5)
let ourAbove = percentile(contenders[0].del, 0.5) - floorMedian
let referenceAbove = percentile(reference.del, 0.5) - floorMedian
let del = ratio(ourAbove / referenceAbove)
print("DEL median above the floor: ours \(milliseconds(ourAbove)), reference \(milliseconds(referenceAbove)), ratio \(del.text)"
      + (del.hundredths <= 50 ? " (target <= 0.50 met)" : " (target <= 0.50 missed)"))
