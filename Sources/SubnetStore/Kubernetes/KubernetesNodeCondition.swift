import Foundation

/// A condition of a Node's status (`type`, `status`, `reason`, `message`), and the patch
/// that sets it.
public struct KubernetesNodeCondition: Sendable, Equatable {
    public var type: String
    /// "True", "False" or "Unknown".
    public var status: String
    public var reason: String
    public var message: String

    public init(type: String, status: String, reason: String, message: String) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
    }

    /// `NetworkUnavailable` False: the node's pod network is up. Set by the network plug-in
    /// once its routes are in place (flannel: "FlannelIsUp"); a cloud route controller or
    /// a node registered with it True keeps pods off the node until then.
    public static let networkAvailable = KubernetesNodeCondition(
        type: "NetworkUnavailable", status: "False", reason: "TerwayEdgeIsUp", message: "TerwayEdge is running on this node")

    /// The strategic merge patch of the Node's status that sets this condition, stamped
    /// `now` (RFC 3339, whole seconds, as the API stores them): `conditions` merge by
    /// `type`, so the kubelet's own conditions stay.
    public func statusPatch(at now: Date) -> [UInt8] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let time = formatter.string(from: now)
        let condition: [String: String] = ["type": type, "status": status, "reason": reason, "message": message,
                                           "lastTransitionTime": time, "lastHeartbeatTime": time]
        let patch = ["status": ["conditions": [condition]]]
        return Array((try? JSONSerialization.data(withJSONObject: patch, options: [.sortedKeys])) ?? Data())
    }
}
