/// The verbs of the spec, as passed in `CNI_COMMAND`.
public enum CNICommand: String, Hashable, Sendable, CaseIterable {
    case add = "ADD"
    case del = "DEL"
    case check = "CHECK"
    case version = "VERSION"
    case gc = "GC"
    case status = "STATUS"

    /// The environment variables the verb cannot run without. CNI_PATH is not among them:
    /// only plugins that call other plugins need it, and this package's plugin calls none.
    var requiredVariables: [String] {
        switch self {
        case .add, .check: ["CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"]
        case .del: ["CNI_CONTAINERID", "CNI_IFNAME"]
        case .gc, .status, .version: []
        }
    }

    /// The oldest config version that may carry the verb.
    var minimumVersion: CNIVersion? {
        switch self {
        case .check: .v0_4_0
        case .gc, .status: .v1_1_0
        default: nil
        }
    }
}
