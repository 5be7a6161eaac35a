import Foundation
import Testing
import TestSupport

/// `deploy/`: every manifest valid for Kubernetes 1.28 (the seed's floor) and the newest
/// schemas kubernetes-validate ships, offline; and what the manifests promise (least RBAC,
/// one DaemonSet per node pool, capabilities not privilege, probes on the metrics port,
/// the network first) read back from them.
@Suite struct ManifestTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy").path

    static func manifests() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yaml") }.sorted().map { "\(folder)/\($0)" }
    }

    static func documents() throws -> [[String: Any]] {
        try #require(try KubernetesValidate.documents(try manifests()) as? [[String: Any]])
    }

    static func document(_ kind: String, _ name: String) throws -> [String: Any] {
        try #require(try documents().first { $0["kind"] as? String == kind && value($0, "metadata", "name") as? String == name })
    }

    /// The value at a path of keys (String) and indices (Int).
    static func value(_ root: Any, _ path: Any...) -> Any? {
        var current: Any? = root
        for step in path {
            if let key = step as? String { current = (current as? [String: Any])?[key] }
            if let index = step as? Int { current = (current as? [Any]).flatMap { index < $0.count ? $0[index] : nil } }
        }
        return current
    }

    @Test func everyManifestValidatesAgainst128AndTheNewest() throws {
        let versions = try KubernetesValidate.versions()
        let newest = try #require(versions.last)
        #expect(versions.contains("1.28.0"))
        let files = try Self.manifests()
        #expect(files.count == 5)
        for version in ["1.28.0", newest] {
            let result = try KubernetesValidate.validate(files, version: version)
            #expect(result.succeeded, "Kubernetes \(version): \(result.stdout) \(result.stderr)")
            // One "passed" line per resource: 7 resources in 5 files.
            #expect(result.stdout.components(separatedBy: "passed for resource").count - 1 == 7, "\(result.stdout)")
        }
    }

    @Test func aMisspelledFieldFailsValidation() throws {
        let directory = try TemporaryDirectory("te-manifest")
        let text = try String(contentsOfFile: "\(Self.folder)/30-daemonset-edge.yaml", encoding: .utf8)
        try directory.write("bad.yaml", text.replacingOccurrences(of: "readinessProbe", with: "readynessProbe"))
        let result = try KubernetesValidate.validate([directory.file("bad.yaml")], version: "1.28.0")
        #expect(!result.succeeded)
        #expect(result.stdout.contains("'readynessProbe' was unexpected"), "\(result.stdout)")
    }

    @Test func theClusterRoleGrantsOnlyWhatTheAgentCalls() throws {
        let role = try Self.document("ClusterRole", "terway-edge")
        let rules = try #require(role["rules"] as? [[String: Any]])
        let granted = rules.map { rule in
            "\((rule["apiGroups"] as? [String]) ?? []) \((rule["resources"] as? [String]) ?? []) \((rule["verbs"] as? [String]) ?? [])"
        }
        #expect(granted == [#"[""] ["nodes"] ["get", "list", "watch", "patch"]"#, #"[""] ["nodes/status"] ["patch"]"#])
        let binding = try Self.document("ClusterRoleBinding", "terway-edge")
        #expect(Self.value(binding, "subjects", 0, "name") as? String == "terway-edge")
        #expect(Self.value(binding, "subjects", 0, "namespace") as? String == "terway-edge")
    }

    @Test func oneDaemonSetPerNodePoolWithCapabilitiesProbesAndTolerations() throws {
        let config = try Self.document("ConfigMap", "terway-edge-config")
        let agentYAML = try #require(Self.value(config, "data", "agent.yaml") as? String)
        let metricsPort = try #require(agentYAML.split(separator: "\n").first { $0.hasPrefix("metricsAddress:") }?.split(separator: ":").last)
            .trimmingCharacters(in: .whitespaces)
        for (role, op) in [("edge", "In"), ("cloud", "NotIn")] {
            let daemonSet = try Self.document("DaemonSet", "terway-edge-\(role)")
            let pod = try #require(Self.value(daemonSet, "spec", "template", "spec") as? [String: Any])
            #expect(pod["hostNetwork"] as? Bool == true)
            #expect(pod["priorityClassName"] as? String == "system-node-critical")
            #expect(pod["serviceAccountName"] as? String == "terway-edge")
            let term = Self.value(pod, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms", 0,
                                  "matchExpressions", 0) as? [String: Any]
            #expect(term?["key"] as? String == "alibabacloud.com/is-edge-worker")
            #expect(term?["operator"] as? String == op)
            #expect(term?["values"] as? [String] == ["true"])

            let tolerations = try #require(pod["tolerations"] as? [[String: Any]])
            #expect(tolerations.contains { $0["operator"] as? String == "Exists" && $0["effect"] as? String == "NoSchedule" && $0["key"] == nil })
            #expect(tolerations.contains { $0["operator"] as? String == "Exists" && $0["effect"] as? String == "NoExecute" && $0["key"] == nil })
            for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/network-unavailable"] {
                #expect(tolerations.contains { $0["key"] as? String == key && $0["operator"] as? String == "Exists" })
            }

            let install = try #require(Self.value(pod, "initContainers", 0) as? [String: Any])
            #expect((install["command"] as? [String])?.prefix(2) == ["/usr/bin/terway-edge", "install-cni"])
            let agent = try #require(Self.value(pod, "containers", 0) as? [String: Any])
            #expect(agent["image"] as? String == install["image"] as? String)
            #expect(Self.value(agent, "securityContext", "privileged") as? Bool == false)
            #expect(Self.value(agent, "securityContext", "capabilities", "add") as? [String] == ["NET_ADMIN", "NET_RAW", "SYS_ADMIN"])
            for (probe, path) in [("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")] {
                #expect(Self.value(agent, probe, "httpGet", "path") as? String == path)
                #expect("\(Self.value(agent, probe, "httpGet", "port") ?? "")" == metricsPort)
                #expect(Self.value(agent, probe, "httpGet", "host") as? String == "127.0.0.1")
            }
            for resource in ["cpu", "memory"] {
                #expect(Self.value(agent, "resources", "requests", resource) != nil, "\(role): requests.\(resource)")
            }
            #expect(Self.value(agent, "resources", "limits", "memory") != nil)
        }
    }

    /// Each DaemonSet's init container writes its role's conflist: what `install-cni` writes
    /// with the manifest's own arguments names the file its agent serves (edge: the subnet
    /// file; cloud: cloud.yaml's addressSocket), in a folder the agent mounts from the same
    /// host path, since the runtime runs the plugin on the host.
    @Test func eachDaemonSetInstallsTheConflistOfItsRole() throws {
        let config = try Self.document("ConfigMap", "terway-edge-config")
        let cloudYAML = try #require(Self.value(config, "data", "cloud.yaml") as? String)
        let addressSocket = try #require(cloudYAML.split(separator: "\n").first { $0.hasPrefix("addressSocket:") }?
            .split(separator: ":", maxSplits: 1).last).trimmingCharacters(in: .whitespaces)
        for (role, key, served) in [("edge", "subnetFile", "/run/terway-edge/subnet.json"), ("cloud", "socket", addressSocket)] {
            let pod = try #require(Self.value(try Self.document("DaemonSet", "terway-edge-\(role)"), "spec", "template", "spec") as? [String: Any])
            let command = try #require(Self.value(pod, "initContainers", 0, "command") as? [String])
            #expect(command.contains("--mode=\(role)"), "\(role): \(command)")

            let directory = try TemporaryDirectory("te-manifest")
            for folder in ["bin", "net.d"] { try FileManager.default.createDirectory(atPath: directory.file(folder), withIntermediateDirectories: true) }
            try directory.write("plugin", "#!/bin/sh\n")
            let arguments = command.dropFirst(2).map {
                $0.replacingOccurrences(of: "/host/opt/cni/bin", with: directory.file("bin"))
                    .replacingOccurrences(of: "/host/etc/cni/net.d", with: directory.file("net.d"))
            }
            let install = try run([try builtExecutable("terway-edge"), "install-cni", "--plugin", directory.file("plugin")] + arguments, check: false)
            #expect(install.succeeded, "\(role): \(install.stdout)\(install.stderr)")
            let written = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: directory.file("net.d/10-terway-edge.conflist"))))
            #expect(Self.value(written, "plugins", 0, "mode") as? String == role)
            #expect(Self.value(written, "plugins", 0, key) as? String == served, "\(role): \(written)")

            // The agent's container mounts the served file's folder from the same host path.
            let folder = (served as NSString).deletingLastPathComponent
            let mounts = try #require(Self.value(pod, "containers", 0, "volumeMounts") as? [[String: Any]])
            let mount = try #require(mounts.first { $0["mountPath"] as? String == folder }, "\(role): no mount at \(folder)")
            #expect(mount["readOnly"] as? Bool != true)
            let volume = (pod["volumes"] as? [[String: Any]])?.first { $0["name"] as? String == mount["name"] as? String }
            #expect(Self.value(volume as Any, "hostPath", "path") as? String == folder, "\(role): \(volume ?? [:])")
        }
    }

    /// The ConfigMap's plan is sound and its agent.yaml is one terway-edged accepts.
    @Test func theConfigMapHoldsASoundPlanAndAnAgentConfig() throws {
        let config = try Self.document("ConfigMap", "terway-edge-config")
        let directory = try TemporaryDirectory("te-manifest")
        try directory.write("plan.yaml", try #require(Self.value(config, "data", "plan.yaml") as? String))
        let check = try run([try builtExecutable("terway-edge"), "plan", "check", directory.file("plan.yaml")], check: false)
        #expect(check.succeeded, "\(check.stdout)\(check.stderr)")

        let agentYAML = try #require(Self.value(config, "data", "agent.yaml") as? String)
        // The node's address comes from the host's default route; here one on the plan's node network.
        try directory.write("agent.yaml", agentYAML.replacingOccurrences(of: "/etc/terway-edge/plan.yaml", with: directory.file("plan.yaml"))
            + "nodeAddress: 172.16.10.11\n")
        let resolved = try run([try builtExecutable("terway-edged"), "--check-config", "--config", directory.file("agent.yaml"),
                                "--node", "edge-7"], check: false)
        #expect(resolved.succeeded, "\(resolved.stdout)\(resolved.stderr)")
        #expect(resolved.stdout.contains("node: edge-7"))
        #expect(resolved.stdout.contains("domain: dc1"))
    }
}
