import Foundation

/// `kubernetes-validate` (PyPI) with the Kubernetes JSON schemas it ships: manifests are
/// checked offline against any version it carries.
public enum KubernetesValidate {
    public static let venv = PythonVenv(
        path: ProcessInfo.processInfo.environment["TE_K8S_VENV"] ?? "/var/tmp/te-k8s-venv",
        packages: ["kubernetes-validate"], probe: "import kubernetes_validate, yaml")

    /// The versions whose strict schemas it ships, oldest first (`1.28.0`, ...).
    public static func versions() throws -> [String] {
        let python = try venv.python()
        let listing = try run([python, "-c", """
            import os, kubernetes_validate
            folder = os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema")
            print("\\n".join(name[1:-len("-local-strict")] for name in os.listdir(folder) if name.endswith("-local-strict")))
            """]).stdout
        return listing.split(separator: "\n").map(String.init).sorted { $0.compare($1, options: .numeric) == .orderedAscending }
    }

    /// Validates `files` strictly (unknown fields are errors) against `version`.
    public static func validate(_ files: [String], version: String) throws -> CommandResult {
        try run(["\(venv.path)/bin/kubernetes-validate", "--strict", "-k", version] + files, check: false)
    }

    /// The documents of YAML `files` as JSON (one array), for tests to read fields from.
    public static func documents(_ files: [String]) throws -> Any {
        let python = try venv.python()
        let json = try run([python, "-c", """
            import json, sys, yaml
            docs = [d for f in sys.argv[1:] for d in yaml.safe_load_all(open(f)) if d]
            print(json.dumps(docs))
            """] + files).stdout
        return try JSONSerialization.jsonObject(with: Data(json.utf8))
    }
}
