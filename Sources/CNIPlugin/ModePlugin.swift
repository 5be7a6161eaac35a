import CNI

/// The plugin the runtime execs: each verb goes to the mode the config names
/// (`mode: cloud` to `CloudPlugin`, anything else to `EdgePlugin`, which refuses unknown modes).
public struct ModePlugin: CNIPluginVerbs {
    public init() {}

    private func mode(_ request: CNIRequest) -> any CNIPluginVerbs {
        CloudConfig.isCloud(request.config) ? CloudPlugin() : EdgePlugin()
    }

    public func add(_ request: CNIRequest) throws -> CNIResult { try mode(request).add(request) }
    public func del(_ request: CNIRequest) throws { try mode(request).del(request) }
    public func check(_ request: CNIRequest) throws { try mode(request).check(request) }
    public func gc(_ request: CNIRequest) throws { try mode(request).gc(request) }
    public func status(_ request: CNIRequest) throws { try mode(request).status(request) }
}
