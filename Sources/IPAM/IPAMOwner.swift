/// Who holds an address: the container and its interface, as CNI names an attachment.
public struct IPAMOwner: Hashable, Sendable, CustomStringConvertible {
    public var containerID: String
    public var ifname: String

    public init(containerID: String, ifname: String) {
        self.containerID = containerID
        self.ifname = ifname
    }

    public var description: String { "\(containerID)/\(ifname)" }
}
