// swift-tools-version: 6.1
import PackageDescription

// One target per layer of ARCHITECTURE.md; the dependency lists below are the import
// arrows, so a module cannot reach past its layer.
let package = Package(
    name: "TerwayEdge",
    products: [
        .executable(name: "terway-edge-cni", targets: ["terway-edge-cni"]),
        .executable(name: "terway-edge", targets: ["terway-edge"]),
        // For FuzzTesting/, a separate package built with -sanitize=fuzzer.
        .library(name: "BGP", targets: ["BGP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
    ],
    targets: [
        // Everything imports NetworkCore: addresses, prefixes, prefix math. No I/O.
        .target(name: "NetworkCore"),

        // Linux headers for rtnetlink, and the netlink client over them.
        .target(name: "CNetlink"),
        .target(name: "Netlink", dependencies: ["CNetlink", "NetworkCore"]),

        // The per-pod CNI plugin: spec types, node-local IPAM, pod data path. No NIO, no Foundation.
        .target(name: "JSON"),
        .target(name: "CNI", dependencies: ["JSON", "NetworkCore"]),
        .target(name: "IPAM", dependencies: ["NetworkCore"]),
        .target(name: "Datapath", dependencies: ["Netlink", "NetworkCore"]),
        .target(name: "CNIPlugin", dependencies: ["CNI", "IPAM", "Datapath", "NetworkCore"]),
        .executableTarget(
            name: "terway-edge-cni",
            dependencies: ["CNIPlugin"],
            // Exec'd once per pod: a static stdlib saves the dynamic loader's work.
            linkerSettings: [.unsafeFlags(["-static-stdlib"])]
        ),

        // Node subnet leases, the BGP speaker, the CIDR plan checker.
        .target(name: "SubnetStore", dependencies: ["NetworkCore"]),
        // Socket options Glibc does not export (TCP_MD5SIG, IP_MINTTL): headers only.
        .target(name: "CBGPSocket"),
        .target(
            name: "BGP",
            dependencies: [
                "NetworkCore", "CBGPSocket",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(name: "Plan", dependencies: ["NetworkCore"]),

        // The operator's CLI: wiring only.
        .executableTarget(
            name: "terway-edge",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                "Plan", "BGP", "SubnetStore",
            ]
        ),

        // Helpers shared by tests: throw-away `te-` namespaces, daemons started by PID.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // A full table into our speaker, BIRD and GoBGP, and out to BIRD (scripts/bench-bgp.sh).
        .executableTarget(name: "bench-bgp", dependencies: ["BGP", "NetworkCore", "TestSupport"], path: "Benchmarks/BGP"),

        .testTarget(name: "NetworkCoreTests", dependencies: ["NetworkCore", "TestSupport"]),
        .testTarget(name: "NetlinkTests", dependencies: ["Netlink", "TestSupport"]),
        .testTarget(name: "CNITests", dependencies: ["CNI", "JSON"]),
        .testTarget(name: "IPAMTests", dependencies: ["IPAM", "TestSupport"]),
        .testTarget(name: "CNIPluginTests", dependencies: ["CNIPlugin", "TestSupport"]),
        .testTarget(name: "SubnetStoreTests", dependencies: ["SubnetStore", "TestSupport"]),
        .testTarget(
            name: "BGPTests",
            dependencies: [
                "BGP", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "PlanTests", dependencies: ["Plan", "TestSupport"]),
        // Real BIRD, FRR, GoBGP and ExaBGP against each other and against `terway-edge bgp serve`.
        .testTarget(name: "BGPInteropTests", dependencies: ["BGP", "TestSupport"]),
    ]
)
