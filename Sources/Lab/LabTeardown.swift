import Command
import Foundation

/// `lab down`: stops the lab's processes and deletes its namespaces (their links go with
/// them; the lab never adds anything to the root namespace), then its folder. Works from the
/// state file and, for what a killed `lab up` had not recorded yet, by the namespace prefix:
/// every process inside one of our namespaces is ours.
public enum LabTeardown {
    public struct Report: Sendable {
        public var processes: Int = 0
        public var namespaces: Int = 0
        /// What could not be removed; empty when nothing is left.
        public var left: [String] = []
    }

    public static func down(lab: String) throws -> Report {
        var report = Report()
        let prefix = LabTopology.prefix(lab: lab)
        if let state = try? LabState.load(lab: lab) {
            // Recorded processes first, by PID and only if it is still the same process.
            try parallel(state.processes.filter { $0.startTime == DetachedProcess.startTime($0.pid) }) { process in
                DetachedProcess.stop(process.pid)
            }
            report.processes += state.processes.count
        }
        let namespaces = try Self.namespaces(prefix: prefix)
        let stray = try parallel(namespaces) { namespace -> Int in
            let pids = (try run(["ip", "netns", "pids", namespace], check: false)).stdout.split(separator: "\n").compactMap { Int32($0) }
            for pid in pids { DetachedProcess.stop(pid) }
            return pids.count
        }
        report.processes += stray.reduce(0, +)
        for namespace in namespaces {
            _ = try run(["ip", "netns", "delete", namespace], check: false)
        }
        report.namespaces = namespaces.count
        report.left = try Self.namespaces(prefix: prefix)
        if report.left.isEmpty {
            try? FileManager.default.removeItem(atPath: LabState.directory(lab: lab))
            // The labs' folder too once no lab is left in it (rmdir refuses a folder that is not empty).
            rmdir(LabState.root)
        }
        return report
    }

    /// Named namespaces starting with `prefix`.
    static func namespaces(prefix: String) throws -> [String] {
        try run(["ip", "netns", "list"]).stdout.split(separator: "\n")
            .compactMap { $0.split(separator: " ").first.map(String.init) }
            .filter { $0.hasPrefix(prefix) }
    }
}
