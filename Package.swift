// swift-tools-version: 6.1
import PackageDescription

// One target per layer of ARCHITECTURE.md; the dependency lists below are the import
// arrows, so a module cannot reach past its layer.
let package = Package(
    name: "TerwayEdge",
    products: [
        .executable(name: "terway-edge-cni", targets: ["terway-edge-cni"]),
        .executable(name: "terway-edge", targets: ["terway-edge"]),
        .executable(name: "terway-edged", targets: ["terway-edged"]),
        // For FuzzTesting/, a separate package built with -sanitize=fuzzer.
        .library(name: "BGPFuzzProperties", targets: ["BGPFuzzProperties"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        // The agent: services with ordered start and reverse shutdown, logs, metrics.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // HMAC-SHA1/SHA-256 and SHA-256 of the cloud API signatures.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // Everything imports NetworkCore: addresses, prefixes, prefix math. No I/O.
        .target(name: "NetworkCore"),
        // The one EINTR loop, and whole-file reads and writes over it. Glibc only.
        .target(name: "POSIX"),
        // Programs run to completion without a shell (the lab, and the tests through TestSupport).
        .target(name: "Command"),

        // Linux headers for rtnetlink, and the netlink client over them.
        .target(name: "CNetlink"),
        .target(name: "Netlink", dependencies: ["CNetlink", "NetworkCore", "POSIX"]),

        // The per-pod CNI plugin: spec types, node-local IPAM, pod data path. No NIO, no Foundation.
        .target(name: "JSON"),
        .target(name: "CNI", dependencies: ["JSON", "NetworkCore"]),
        .target(name: "IPAM", dependencies: ["NetworkCore", "POSIX"]),
        .target(name: "Datapath", dependencies: ["Netlink", "NetworkCore"]),
        // The node's kernel routes: one writer taking BGP's learned routes and the peer host routes.
        .target(name: "RouteSync", dependencies: ["Netlink", "NetworkCore"]),
        // Pod traffic leaving the cluster ranges masqueraded, in our own nftables table (through `nft -f -`).
        .target(name: "Masquerade", dependencies: ["NetworkCore"]),
        // The contract between agent and plugin (the subnet file): imported by both, so no NIO, no Foundation.
        .target(name: "CNIProtocol", dependencies: ["CNI", "JSON", "NetworkCore", "POSIX"]),
        // The init container's work: the plugin binary and our conflist into the runtime's folders, by atomic rename.
        .target(name: "CNIInstall", dependencies: ["JSON", "POSIX"]),
        .target(name: "CNIPlugin", dependencies: ["CNI", "CNIProtocol", "IPAM", "Datapath", "Netlink", "NetworkCore", "POSIX"]),
        .executableTarget(
            name: "terway-edge-cni",
            dependencies: ["CNIPlugin"],
            // Exec'd once per pod: a fully static binary skips the dynamic loader (VERSION in
            // 0.8 ms, the figure README's Benchmarks keeps). It links no Foundation and no NIO.
            linkerSettings: [.unsafeFlags(["-static-executable"])]
        ),

        // ADD/DEL latency of the plugin (edge mode, and cloud mode from a warm pool) against
        // bridge + host-local (`scripts/bench-cni.sh`).
        .executableTarget(name: "bench-cni", dependencies: ["CNI", "CNIProtocol", "JSON", "Netlink", "NetworkCore", "PodAddressFixture"], path: "Benchmarks/CNI"),
        // The address socket answered from memory in place of the cloud agent: the plugin's
        // tests and bench-cni (apart from TestSupport, so that the bench builds without NIO).
        .target(name: "PodAddressFixture", dependencies: ["CNI", "CNIProtocol", "NetworkCore"], path: "Tests/PodAddressFixture"),

        // What commands print and stores write: stable JSON, aligned text tables.
        .target(name: "Formatting"),
        // The one YAML walker of every configuration file (plan, bgp serve, agent, emulator world): line-numbered
        // errors naming the field path, unknown keys refused, typed scalars.
        .target(name: "ConfigFile", dependencies: ["NetworkCore", .product(name: "Yams", package: "Yams")]),

        // HTTP/1.1 over TCP and TLS: pipelined keep-alive requests and line-streamed responses
        // (etcd's JSON gateway, the Kubernetes API, cloud APIs). No domain knowledge.
        .target(
            name: "HTTPClient",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ]
        ),
        // One request line in, answer lines out, close: the control sockets' framing (BGP speaker, agent).
        .target(
            name: "LineSocket",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")]
        ),
        // glibc's mallopt and its parameters (the agent's memory footprint): headers only.
        .target(name: "CMalloc"),
        // The kernel's wall clock by system call, past any LD_PRELOAD time shim (one C function).
        .target(name: "CHostClock"),
        // Node subnet leases, the BGP speaker, the CIDR plan checker.
        .target(
            name: "SubnetStore",
            dependencies: [
                "Formatting", "NetworkCore", "POSIX", "HTTPClient", "CHostClock",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Socket options Glibc does not export (TCP_MD5SIG, IP_MINTTL): headers only.
        .target(name: "CBGPSocket"),
        // The BGP wire codec, session state machine and RIB: pure values, no I/O, no NIO.
        .target(name: "BGPCore", dependencies: ["NetworkCore"]),
        // The speaker on SwiftNIO, its YAML config and its control socket, over BGPCore; it
        // reads the kernel's routes for next-hop resolution through Netlink.
        .target(
            name: "BGP",
            dependencies: [
                "BGPCore", "ConfigFile", "NetworkCore", "CBGPSocket", "LineSocket", "POSIX",
                // The host's table iBGP next hops resolve through (read and followed, never written).
                "Netlink", "CNetlink",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // What every fuzz input must satisfy: used by FuzzTesting/ and by the corpus replay.
        .target(name: "BGPFuzzProperties", dependencies: ["BGPCore"]),
        .target(name: "Plan", dependencies: ["ConfigFile", "Formatting", "NetworkCore"]),

        // The node agent: each part a Service (lease, subnet file, peer routes, masquerade, BGP
        // speaker and its kernel export, control socket, metrics), started in order, stopped in reverse.
        .target(
            name: "Agent",
            dependencies: [
                "Plan", "BGP", "BGPCore", "ConfigFile", "SubnetStore", "RouteSync", "Masquerade", "Netlink", "NetworkCore", "CNIProtocol", "LineSocket", "CMalloc", "POSIX",
                // Role cloud: the ENI pool over the cloud client; pods' host ends named as the plugin names them.
                "CNI", "CNetlink", "CloudAPI", "CloudENI", "HTTPClient", "Datapath",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // `terway-edge doctor`: reads the node (kernel, sysctls, CNI files, subnet file, agent, BGP, routes); changes nothing.
        .target(
            name: "Doctor",
            dependencies: ["Agent", "BGP", "CNI", "CNIInstall", "CNIProtocol", "JSON", "Masquerade", "Netlink", "NetworkCore"]
        ),
        .executableTarget(
            name: "terway-edged",
            dependencies: [
                "Agent",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // Fully static, as the image ships it (and so what bench-agent measures): no shared
            // Swift runtime or Foundation to relocate and map (idle RSS 37 -> 27 MB). The objects
            // are compiled for the shared libraries, whose dependencies Foundation's archive
            // does not name: they are listed here, C++ last for ICU.
            exclude: ["symbol-order.txt"],
            linkerSettings: [
                .unsafeFlags([
                    "-static-executable",
                    "-lFoundation", "-lCoreFoundation", "-lFoundationInternationalization", "-lFoundationEssentials",
                    "-l_FoundationICU", "-l_FoundationCShims", "-l_FoundationCollections",
                    "-lswiftSynchronization", "-lswiftDispatch", "-ldispatch", "-lBlocksRuntime", "-lstdc++", "-lm",
                ]),
                // The functions the idle agent runs, first and together (scripts/agent-symbol-order.sh):
                // the kernel maps code 64 KB (or a 2 MB folio) around each fault, and scattered over
                // 33 MB of code they made 17 MB of it resident.
                .unsafeFlags([
                    "-use-ld=lld",
                    "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Sources/terway-edged/symbol-order.txt",
                    "-Xlinker", "--no-warn-symbol-ordering",
                ], .when(configuration: .release)),
            ]
        ),

        // Alibaba Cloud ECS/VPC API: requests, both signature styles, typed answers and errors. No I/O.
        .target(name: "CloudAPI", dependencies: ["JSON", "NetworkCore", .product(name: "Crypto", package: "swift-crypto")]),
        // The client of the API and of instance metadata: retries, pacing, credentials.
        .target(name: "CloudENI", dependencies: ["CloudAPI", "JSON", "HTTPClient"]),
        // A local Alibaba Cloud for the lab and tests: API semantics, metadata, a real datapath.
        .target(
            name: "CloudEmulator",
            dependencies: [
                "CloudAPI", "ConfigFile", "JSON", "NetworkCore", "Netlink",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),

        // `terway-edge lab`: the seed's topology in te- namespaces from one plan, its path tests, its teardown.
        .target(name: "Lab", dependencies: ["Agent", "Command", "Formatting", "Netlink", "NetworkCore", "Plan"]),

        // The operator's CLI: wiring only.
        .executableTarget(
            name: "terway-edge",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                "Agent", "Plan", "BGP", "BGPCore", "Formatting", "SubnetStore", "NetworkCore", "CloudEmulator", "CNIInstall", "CNIProtocol", "Doctor", "Lab",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // bench-agent: terway-edged's idle RSS with 1,000 peers beside BIRD's, and lease change -> kernel.
        .executableTarget(name: "bench-agent", dependencies: ["SubnetStore", "RouteSync", "Netlink", "NetworkCore", "TestSupport"], path: "Benchmarks/Agent"),
        // bench-routes: 10k/20k peer host routes through RouteWriter beside `ip -batch` of classic routes.
        .executableTarget(name: "bench-routes", dependencies: ["RouteSync", "Netlink", "NetworkCore", "TestSupport"], path: "Benchmarks/Routes"),

        // bench-leases: time to acquire 5,000 leases per store, printed with leases/s.
        .executableTarget(name: "bench-leases", dependencies: ["SubnetStore", "NetworkCore", "TestSupport"], path: "Benchmarks/Leases"),

        // Helpers shared by tests: throw-away `te-` namespaces, daemons started by PID, and
        // in-memory fakes of the IPAM and lease stores for the layers above them.
        // KubernetesAPIServer: the loopback Nodes API of the Kubernetes store and agent tests
        // (in the test's namespace or a node's);
        // CloudLab: the emulator and terway-edged role cloud in namespaces.
        .target(name: "TestSupport", dependencies: [
                    "Command", "IPAM", "Netlink", "NetworkCore", "POSIX", "SubnetStore",
                    "CNI", "CNIProtocol", "CloudAPI", "CloudENI", "CloudEmulator", "HTTPClient",
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "NIOPosix", package: "swift-nio"),
                    .product(name: "NIOHTTP1", package: "swift-nio"),
                    .product(name: "NIOSSL", package: "swift-nio-ssl"),
                ], path: "Tests/TestSupport",
                // CloudSDK/: the Python scripts the official Alibaba Cloud SDKs run (PythonCloudSDK).
                exclude: ["CloudSDK"]),
        // Calls/s against the cloud emulator, ours beside the official Python SDKs; signing cost.
        .executableTarget(
            name: "bench-cloud",
            dependencies: ["CloudAPI", "CloudENI", "CloudEmulator", "HTTPClient", "TestSupport"],
            path: "Benchmarks/Cloud"
        ),
        // bench-cloudpool: the address socket's allocation p99 on a warm pool, and a cold pool's
        // API calls per 100 pods beside Terway's fixed batches of ten.
        .executableTarget(name: "bench-cloudpool", dependencies: ["CNIProtocol", "POSIX", "TestSupport"], path: "Benchmarks/CloudPool"),
        // A full table into our speaker, BIRD and GoBGP, and out to BIRD (scripts/bench-bgp.sh).
        .executableTarget(name: "bench-bgp", dependencies: ["BGP", "BGPCore", "NetworkCore", "TestSupport"], path: "Benchmarks/BGP"),

        .testTarget(name: "TestSupportTests", dependencies: ["NetworkCore", "SubnetStore", "TestSupport"]),
        .testTarget(name: "NetworkCoreTests", dependencies: ["NetworkCore", "TestSupport"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON", "TestSupport"]),
        .testTarget(name: "NetlinkTests", dependencies: ["Netlink", "NetworkCore", "TestSupport"]),
        .testTarget(name: "DatapathTests", dependencies: ["Datapath", "Netlink", "NetworkCore", "TestSupport"]),
        .testTarget(name: "CNITests", dependencies: ["CNI", "JSON", "TestSupport"]),
        .testTarget(name: "HTTPClientTests", dependencies: ["HTTPClient"]),
        .testTarget(name: "IPAMTests", dependencies: ["IPAM", "TestSupport"]),
        .testTarget(name: "CNIPluginTests", dependencies: ["CNIPlugin", "CNIProtocol", "CNI", "IPAM", "JSON", "NetworkCore", "PodAddressFixture", "TestSupport"]),
        .testTarget(name: "CNIInstallTests", dependencies: ["CNIInstall", "CNI", "CNIPlugin", "JSON", "POSIX", "TestSupport"]),
        .testTarget(name: "FormattingTests", dependencies: ["Formatting"]),
        .testTarget(name: "CNIProtocolTests", dependencies: ["CNIProtocol", "CNI", "NetworkCore", "TestSupport"]),
        .testTarget(
            name: "SubnetStoreTests",
            dependencies: [
                "SubnetStore", "HTTPClient", "TestSupport",
                // The Kubernetes API server of the Kubernetes store tests (HTTP and HTTPS).
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(name: "BGPCoreTests", dependencies: ["BGPCore", "BGPFuzzProperties", "NetworkCore", "TestSupport"]),
        .testTarget(
            name: "BGPTests",
            dependencies: [
                "BGP", "BGPCore", "ConfigFile", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Signatures byte-equal to the official Python SDKs', codecs, damaged answers.
        .testTarget(name: "CloudAPITests", dependencies: ["CloudAPI", "JSON", "TestSupport"]),
        // The official SDKs and our client against the emulator; the emulator's datapath.
        .testTarget(
            name: "CloudEmulatorTests",
            dependencies: ["CloudEmulator", "CloudENI", "CloudAPI", "CNIProtocol", "ConfigFile", "HTTPClient", "JSON", "NetworkCore",
                           "PodAddressFixture", "TestSupport"]
        ),
        // The topology from the plan (pure), and `lab up/test/down` run as processes on the seed and two-domain plans.
        .testTarget(name: "LabTests", dependencies: ["Lab", "Plan", "NetworkCore", "TestSupport"]),
        // doctor in a te- node namespace with each problem planted; the deploy manifests, the image under podman.
        .testTarget(
            name: "DoctorTests",
            dependencies: [
                "Agent", "BGP", "CNIProtocol", "Doctor", "Netlink", "NetworkCore", "TestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "DeployTests", dependencies: ["TestSupport"]),
        .testTarget(name: "PlanTests", dependencies: ["ConfigFile", "Plan", "TestSupport"]),
        // `terway-edge` run as a process: plan, ipam (its help output against Snapshots/).
        .testTarget(name: "TerwayEdgeTests", dependencies: ["TestSupport"], exclude: ["Snapshots"]),
        // Real BIRD, FRR, GoBGP and ExaBGP against each other and against `terway-edge bgp serve`.
        .testTarget(name: "BGPInteropTests", dependencies: ["BGP", "BGPCore", "TestSupport"]),
        // KernelRouteSync in a te- namespace, and `bgp serve` installing BIRD's routes there.
        .testTarget(name: "RouteSyncTests", dependencies: ["RouteSync", "Netlink", "NetworkCore", "TestSupport"]),
        // The masquerade table in a te- node namespace, with real packets to an outside and a cluster namespace.
        .testTarget(name: "MasqueradeTests", dependencies: ["Masquerade", "NetworkCore", "TestSupport"]),
        // Config and services in-process; whole agents on a bridge with a BIRD gateway in te- namespaces.
        .testTarget(
            name: "AgentTests",
            dependencies: [
                "Agent", "Lab", "Plan", "BGP", "SubnetStore", "RouteSync", "Netlink", "NetworkCore", "CNIProtocol", "TestSupport",
                "CNI", "CloudAPI", "CloudENI", "CloudEmulator", "Datapath", "HTTPClient", "JSON",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)

// Release builds put each of our functions in a section of its own, so that terway-edged's
// order file (Sources/terway-edged/symbol-order.txt) packs the code the agent runs into few
// pages instead of moving whole files' code; --gc-sections drops what nothing calls.
for target in package.targets where target.type != .test {
    target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-Xfrontend", "-function-sections"], .when(configuration: .release))]
}
