import Command
import Foundation

/// The cloud stage: the emulator in the VPC namespace (API on 100.100.100.200:8460,
/// metadata on 100.100.100.200:80, reachable from the ECS instances only), which plugs
/// each instance's primary ENI into the VPC router; then the cloud nodes, each running
/// `terway-edged` role cloud with its ENI warm pool.
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

    /// Every cloud node runs `terway-edged` role cloud: the instance learned from metadata
    /// at 100.100.100.200, credentials from its RAM role, ENIs and addresses through the
    /// emulator's API, a warm pool as large as the node's pods. Ready once its address
    /// socket answers.
    func startCloudNodes() throws {
        let nodes = topology.instances.filter(\.isCloudNode)
        for instance in nodes {
            let name = instance.node!, files = CloudNodeFiles(folder: nodeFolder(name))
            try FileManager.default.createDirectory(atPath: files.folder, withIntermediateDirectories: true)
            try files.agentConfig(node: name, vSwitch: instance.vSwitch, securityGroup: "sg-\(topology.lab)", warmPods: topology.size.podsPerNode)
                .write(toFile: files.config, atomically: true, encoding: .utf8)
            try spawn([binaries.agent, "--config", files.config], in: instance.namespace,
                      what: "terway-edged (cloud) on \(name)", log: "\(files.folder)/agent.log")
        }
        for instance in nodes {
            let files = CloudNodeFiles(folder: nodeFolder(instance.node!))
            guard waitUntil(timeout: 30, interval: 0.05, { FileManager.default.fileExists(atPath: files.addressSocket) }) else {
                throw LabError("terway-edged on \(instance.node!) opened no address socket: \(tail("\(files.folder)/agent.log"))")
            }
        }
    }
}
