import Foundation

/// A Python virtual environment outside the repo, made on first use from PyPI and reused by
/// later runs (and by `scripts/install-deps.sh`, which makes the same ones).
public struct PythonVenv: Sendable {
    public let path: String
    let packages: [String]
    /// Python that exits 0 once the packages are importable.
    let probe: String
    private static let lock = NSLock()

    public init(path: String, packages: [String], probe: String) {
        self.path = path
        self.packages = packages
        self.probe = probe
    }

    /// The venv's python, after making the venv if it lacks a package.
    public func python() throws -> String {
        Self.lock.lock()
        defer { Self.lock.unlock() }
        let python = "\(path)/bin/python"
        if FileManager.default.isExecutableFile(atPath: python),
           (try? run([python, "-c", probe], check: false))?.succeeded == true {
            return python
        }
        try run(["python3", "-m", "venv", path])
        try run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"] + packages)
        return python
    }
}
