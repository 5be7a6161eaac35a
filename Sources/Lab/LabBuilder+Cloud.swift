import Command
import Foundation

/// The cloud stage: the emulator in the VPC namespace (API on 100.100.100.200:8460,
/// metadata on 100.100.100.200:80, reachable from the ECS instances only), which plugs
/// each instance's primary ENI into the VPC router; then the cloud nodes.
extension LabBuilder {
    func startCloud() throws {
        let world = "\(directory)/cloud-world.yaml", log = "\(directory)/cloud-emulator.log"
        try topology.cloudWorld.write(toFile: world, atomically: true, encoding: .utf8)
        try spawn([binaries.cli, "cloud", "emulator", "--config", world], in: topology.vpcNamespace, what: "cloud emulator", log: log)
        guard waitUntil(timeout: 15, interval: 0.05, { tail(log).contains("cloud emulator: API on") }) else {
            throw LabError("the cloud emulator did not come up: \(tail(log))")
        }
        for instance in topology.instances {
            guard waitUntil(timeout: 10, interval: 0.05, {
                (try? run(["ip", "-n", instance.namespace, "-4", "-o", "addr", "show", "dev", "eth0"], check: false))?.stdout
                    .contains(" \(instance.primaryIP)/") == true
            }) else { throw LabError("the emulator did not plug the primary ENI of \(instance.id) into \(instance.namespace): \(tail(log))") }
        }
    }
}
