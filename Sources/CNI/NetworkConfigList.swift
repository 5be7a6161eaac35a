import JSON

/// A network configuration list (`.conflist`): what a runtime reads to call a chain of plugins.
/// The plugin never sees it; runtimes, tests and the benchmark use it to build each plugin's config.
public struct NetworkConfigList: Hashable, Sendable {
    public var cniVersion: CNIVersion?
    /// 1.1.0: the versions the list is valid for; the runtime picks the highest it supports.
    public var cniVersions: [CNIVersion]
    public var name: String
    public var disableCheck: Bool
    public var disableGC: Bool
    public var plugins: [JSONObject]

    public init(json value: JSONValue) throws(CNIError) {
        let object = try value.requireObject(what: "network config list")
        if let text = try object.string("cniVersion") {
            guard let version = CNIVersion(text) else { throw CNIError(.incompatibleVersion, "cniVersion \"\(text)\" is not x.y.z") }
            cniVersion = version
        }
        cniVersions = []
        for text in try object.stringArray("cniVersions") ?? [] {
            guard let version = CNIVersion(text) else { throw CNIError(.incompatibleVersion, "cniVersions entry \"\(text)\" is not x.y.z") }
            cniVersions.append(version)
        }
        name = try object.require("name", object.string)
        try CNIValidation.checkNetworkName(name)
        disableCheck = try object.bool("disableCheck") ?? false
        disableGC = try object.bool("disableGC") ?? false
        let list = try object.require("plugins", object.array)
        guard !list.isEmpty else { throw CNIError(.invalidNetworkConfig, "\"plugins\" is empty") }
        plugins = []
        for plugin in list {
            let p = try plugin.requireObject(what: "plugin config")
            _ = try p.require("type", p.string)
            plugins.append(p)
        }
    }

    /// The version to run the list at: the highest of `cniVersions` and `cniVersion` together
    /// that the runtime supports, as libcni's `ConfListFromBytes` picks it.
    public func negotiatedVersion(runtimeSupports supported: [CNIVersion] = CNIVersion.supported) -> CNIVersion? {
        (cniVersions + (cniVersion.map { [$0] } ?? [])).filter(supported.contains).max()
    }

    /// The stdin for plugin `index`: its own fields plus the list's name, the version and,
    /// when chaining, the previous plugin's Result and any runtime-supplied keys.
    public func pluginConfig(at index: Int, version: CNIVersion, prevResult: JSONValue? = nil,
                             extra: [(String, JSONValue)] = []) -> JSONValue {
        var config = plugins[index]
        config["cniVersion"] = .string(version.description)
        config["name"] = .string(name)
        if let prevResult { config["prevResult"] = prevResult }
        for (key, value) in extra { config[key] = value }
        return .object(config)
    }
}
