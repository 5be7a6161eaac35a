// swift-tools-version: 6.1
import Foundation
import PackageDescription

// libFuzzer entry points over the BGP codec, kept out of the main package because they are
// built with `-sanitize=fuzzer` (scripts/fuzz-bgp.sh). A path dependency's identity is its
// folder name, which differs between checkouts and worktrees, so it is computed here.
let parent = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let terwayEdge = parent.lastPathComponent.lowercased()

// No Swift `main`: each entry point defines `<Module>_main` (SwiftPM's alias for main) and
// runs libFuzzer's driver with its test function (see CLibFuzzer.h).
let entryPoint: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]
// The properties live in the main package, where the corpus replay tests use them too.
let properties = Target.Dependency.product(name: "BGPFuzzProperties", package: terwayEdge)

let package = Package(
    name: "FuzzTesting",
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "CLibFuzzer"),
        .executableTarget(name: "FuzzBGPMessage", dependencies: [properties, "CLibFuzzer"],
                          swiftSettings: entryPoint),
        .executableTarget(name: "FuzzBGPAttributes", dependencies: [properties, "CLibFuzzer"],
                          swiftSettings: entryPoint),
    ]
)
