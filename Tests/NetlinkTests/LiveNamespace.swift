import Netlink
import TestSupport

/// A `te-` namespace with a netlink socket bound to it: every request of a test lands there,
/// never in the root namespace.
final class LiveNamespace {
    let testNamespace: TestNamespace
    let namespace: NetworkNamespace
    let socket: NetlinkSocket

    init(_ label: String) throws {
        testNamespace = try TestNamespace(label)
        namespace = try NetworkNamespace(path: testNamespace.path)
        socket = try namespace.openNetlinkSocket()
    }

    /// Runs an `ip ...` command (or anything) inside the namespace, for cross-checks.
    @discardableResult
    func exec(_ argv: [String], check: Bool = true) throws -> String {
        try testNamespace.exec(argv, check: check).stdout
    }
}
