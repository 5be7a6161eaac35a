import TestSupport

/// The four reference daemons, so that one test body can run against each.
enum DaemonKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case bird, frr, gobgp, exabgp

    var description: String { rawValue }

    func start(in namespace: TestNamespace, setup: BGPDaemonSetup) throws -> any BGPDaemon {
        switch self {
        case .bird: try BGPBirdDaemon(in: namespace, setup: setup)
        case .frr: try BGPFRRDaemon(in: namespace, setup: setup)
        case .gobgp: try BGPGoBGPDaemon(in: namespace, setup: setup)
        case .exabgp: try BGPExaBGPDaemon(in: namespace, setup: setup)
        }
    }
}
