import CNI

extension CNIRequest {
    /// CHECK's starting point in either mode (SPEC.md): the prevResult of this attachment's
    /// ADD and the index of our interface in it, the one named CNI_IFNAME in sandbox CNI_NETNS.
    func previousAttachment() throws(CNIError) -> (result: CNIResult, podIndex: Int) {
        guard let previous = config.prevResult else {
            throw CNIError(.invalidNetworkConfig, "CHECK needs prevResult", details: "pass the Result of ADD as prevResult")
        }
        guard let podIndex = previous.interfaces.lastIndex(where: { $0.name == ifname && $0.sandbox == netns }) else {
            throw CNIError(.invalidNetworkConfig, "prevResult lists no interface \(ifname) in sandbox \(netns)",
                           details: "pass the Result of this attachment's ADD as prevResult")
        }
        return (previous, podIndex)
    }
}
