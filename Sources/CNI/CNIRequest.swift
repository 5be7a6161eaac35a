/// What a verb works on: the environment the runtime set, validated, and the parsed config.
public struct CNIRequest: Sendable {
    public var command: CNICommand
    /// Empty for GC and STATUS, which are not about one container.
    public var containerID: String
    /// Empty when the runtime passed none (allowed for DEL, GC and STATUS).
    public var netns: String
    public var ifname: String
    /// `CNI_ARGS` as key/value pairs, in order.
    public var args: [(key: String, value: String)]
    public var path: [String]
    public var config: NetworkConfig

    public init(command: CNICommand, containerID: String = "", netns: String = "", ifname: String = "",
                args: [(key: String, value: String)] = [], path: [String] = [], config: NetworkConfig) {
        self.command = command
        self.containerID = containerID
        self.netns = netns
        self.ifname = ifname
        self.args = args
        self.path = path
        self.config = config
    }

    /// Parses `K1=V1;K2=V2`; a pair without `=` is an invalid environment (code 4).
    static func parseArgs(_ text: String) throws(CNIError) -> [(key: String, value: String)] {
        var pairs: [(key: String, value: String)] = []
        for part in text.split(separator: ";") {
            guard let eq = part.firstIndex(of: "="), eq != part.startIndex else {
                throw CNIError(.invalidEnvironment, "CNI_ARGS entry \"\(part)\" is not KEY=VALUE")
            }
            pairs.append((String(part[..<eq]), String(part[part.index(after: eq)...])))
        }
        return pairs
    }
}
