/// The programs the lab runs: ours from one build folder, the rest from the system.
public struct LabBinaries: Sendable {
    public var cli: String
    public var agent: String
    public var plugin: String

    /// `folder`: where `swift build` put terway-edge, terway-edged and terway-edge-cni.
    public init(folder: String) {
        cli = "\(folder)/terway-edge"
        agent = "\(folder)/terway-edged"
        plugin = "\(folder)/terway-edge-cni"
    }
}
