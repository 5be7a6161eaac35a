import CNI
import Glibc
import JSON

// bench-cni: ADD and DEL latency of terway-edge-cni against the reference bridge +
// host-local plugins with an equivalent config (same /24, bridge, MTU, default route,
// hairpin), a process per verb and pod, interleaved pod by pod so that both see the same
// machine load. Both IPAM stores live in a fresh folder under --store-dir (default /run,
// the tmpfs where the plugin keeps its store by default), so that they pay the same file
// system costs. Usage:
// bench-cni [--pods N] [--plugin PATH] [--reference-dir DIR] [--store-dir DIR]

var pods = 50
var ourBinary = ""
var referenceDirectory = "/usr/lib/cni"
var storeParent = "/run"
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    switch flag {
    case "--pods": pods = Int(arguments.popFirst() ?? "") ?? pods
    case "--plugin": ourBinary = arguments.popFirst() ?? ""
    case "--reference-dir": referenceDirectory = arguments.popFirst() ?? referenceDirectory
    case "--store-dir": storeParent = arguments.popFirst() ?? storeParent
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
}

@MainActor func environment(_ command: String, _ id: String, _ netns: String) -> [String] {
    ["CNI_COMMAND=\(command)", "CNI_CONTAINERID=\(id)", "CNI_NETNS=/var/run/netns/\(netns)", "CNI_IFNAME=eth0",
     "CNI_PATH=\(referenceDirectory)", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"]
}

@MainActor func invoke(_ contender: Contender, _ command: String, pod: Int, namespaces: BenchNamespaces) throws -> UInt64 {
    let environment = environment(command, "bench\(pod)", contender.podNamespaces[pod])
    let stdin = contender.config.serialized()
    let run = try namespaces.run(in: contender.node) {
        spawnAndWait([contender.binary], environment: environment, stdin: stdin)
    }
    guard run.status == 0 else { throw BenchError("\(contender.name) \(command) pod \(pod) exited \(run.status): \(run.output)") }
    return run.nanoseconds
}

func percentile(_ samples: [UInt64], _ p: Double) -> Double {
    let sorted = samples.sorted()
    let index = min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))
    return Double(sorted[index]) / 1e6
}

func milliseconds(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100) ms"
}

func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }

let namespaces = BenchNamespaces()
var dataDirectory = Array("\(storeParent)/te-bench-XXXXXX".utf8CString)
guard let made = mkdtemp(&dataDirectory) else { print("mkdtemp failed"); exit(1) }
let data = String(cString: made)

var failure: String?
var contenders: [Contender] = []
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
    ]
    for c in contenders.indices {
        contenders[c].podNamespaces = try (0...pods).map { try namespaces.make("\(c)p\($0)") }
    }
    // Pod `pods` is the warm-up: it creates the bridge and the store, which later ADDs reuse.
    for contender in contenders {
        _ = try invoke(contender, "ADD", pod: pods, namespaces: namespaces)
    }
    for pod in 0..<pods {
        for c in contenders.indices { contenders[c].add.append(try invoke(contenders[c], "ADD", pod: pod, namespaces: namespaces)) }
    }
    for pod in 0..<pods {
        for c in contenders.indices { contenders[c].del.append(try invoke(contenders[c], "DEL", pod: pod, namespaces: namespaces)) }
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

print("ADD/DEL latency, \(pods) pods, one process per verb, in a node namespace (cniVersion 1.0.0, /24, bridge cni0, MTU 1450)")
print(pad("verb", 6) + pad("plugin", 20) + pad("median", 12) + "p90")
for verb in ["ADD", "DEL"] {
    for contender in contenders {
        let samples = verb == "ADD" ? contender.add : contender.del
        print(pad(verb, 6) + pad(contender.name, 20) + pad(milliseconds(percentile(samples, 0.5)), 12) + milliseconds(percentile(samples, 0.9)))
    }
}
for verb in ["ADD", "DEL"] {
    let ours = percentile(verb == "ADD" ? contenders[0].add : contenders[0].del, 0.5)
    let reference = percentile(verb == "ADD" ? contenders[1].add : contenders[1].del, 0.5)
    let hundredths = Int((ours / reference * 100).rounded())
    let ratio = "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    print("\(verb) median ratio ours/reference: \(ratio)" + (hundredths <= 50 ? " (target <= 0.50 met)" : " (target <= 0.50 missed)"))
}
