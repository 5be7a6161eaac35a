import Formatting
import Foundation

extension LabState {
    /// `lab status`: the namespaces by role, each process and whether it still runs, the pods.
    public var statusText: String {
        var text = "lab \(lab): plan \(plan), \(edgeNodes.count) edge node(s), \(instances.filter(\.isCloudNode).count) cloud node(s), \(pods.count) pod(s); \(ready ? "ready" : "NOT ready (lab up did not finish)")\n"
        if !stages.isEmpty {
            text += "lab up: " + stages.map { "\($0.name) \(String(format: "%.2f", $0.seconds)) s" }.joined(separator: ", ")
                + String(format: "; total %.2f s\n", stages.reduce(0) { $0 + $1.seconds })
        }
        text += "\n" + TextTable.render(["NAMESPACE", "ROLE", "WHAT"], namespaces.map { [$0.name, $0.role.rawValue, $0.label] })
        text += "\n" + TextTable.render(["PID", "STATE", "NAMESPACE", "PROCESS", "LOG"], processes.map {
            let alive = DetachedProcess.startTime($0.pid) == $0.startTime && DetachedProcess.isRunning($0.pid)
            return ["\($0.pid)", alive ? "running" : "ENDED", $0.namespace, $0.what, $0.log]
        })
        if !pods.isEmpty {
            text += "\n" + TextTable.render(["POD", "NAMESPACE", "NODE", "ADDRESSES"], pods.map { [$0.name, $0.namespace, $0.node, $0.addresses.joined(separator: ", ")] })
        }
        return text
    }
}
