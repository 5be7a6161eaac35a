import JSON

/// Reads the verb from the environment, validates what the verb needs, calls the plugin and
/// prints its Result or the spec's error JSON. Environment, stdin and stdout are injected so
/// that tests drive it with a map; `main` passes getenv and the real streams.
public struct CNIDispatcher {
    public var supportedVersions: [CNIVersion]

    public init(supportedVersions: [CNIVersion] = CNIVersion.supported) {
        self.supportedVersions = supportedVersions
    }

    /// Returns the exit status: 0, or 1 after printing an error object.
    public func run(environment: (String) -> String?, stdin: () -> [UInt8], plugin: some CNIPluginVerbs,
                    output: (String) -> Void) -> Int32 {
        var version = CNIVersion.latest
        do {
            if let text = try dispatch(environment: environment, stdin: stdin, plugin: plugin, version: &version) {
                output(text)
            }
            return 0
        } catch let error as CNIError {
            output(error.json(cniVersion: version).serialized(indent: 4))
        } catch {
            output(CNIError(.internalError, "\(error)").json(cniVersion: version).serialized(indent: 4))
        }
        return 1
    }

    public func run(environment: [String: String], stdin: [UInt8], plugin: some CNIPluginVerbs,
                    output: (String) -> Void) -> Int32 {
        run(environment: { environment[$0] }, stdin: { stdin }, plugin: plugin, output: output)
    }

    private func dispatch(environment: (String) -> String?, stdin: () -> [UInt8], plugin: some CNIPluginVerbs,
                          version: inout CNIVersion) throws -> String? {
        guard let verb = environment("CNI_COMMAND"), !verb.isEmpty else {
            throw CNIError(.invalidEnvironment, "CNI_COMMAND is not set", details: "one of ADD, DEL, CHECK, VERSION, GC, STATUS")
        }
        guard let command = CNICommand(rawValue: verb) else {
            throw CNIError(.invalidEnvironment, "unknown CNI_COMMAND \"\(verb)\"", details: "one of ADD, DEL, CHECK, VERSION, GC, STATUS")
        }
        if command == .version {
            let asked = Self.askedVersion(stdin())
            version = asked ?? .latest
            return versionInfo(asked: asked).serialized(indent: 4)
        }

        let missing = command.requiredVariables.filter { (environment($0) ?? "").isEmpty }
        guard missing.isEmpty else {
            throw CNIError(.invalidEnvironment, "required environment variables missing for \(verb)",
                           details: missing.joined(separator: ", "))
        }
        // DEL is best effort: what only ADD needs (a parseable prevResult, CNI_ARGS, an
        // absolute CNI_NETNS, a version still spoken) must not keep a pod from terminating.
        let bestEffort = command == .del
        let config = bestEffort ? try NetworkConfig(bestEffort: stdin(), supportedVersions: supportedVersions)
                                : try NetworkConfig(bytes: stdin(), supportedVersions: supportedVersions)
        version = config.cniVersion
        if let minimum = command.minimumVersion, config.cniVersion < minimum {
            throw CNIError(.incompatibleVersion, "config version \(config.cniVersion) does not allow \(verb)",
                           details: "\(verb) needs cniVersion \(minimum) or later")
        }

        var request = CNIRequest(command: command, config: config)
        request.path = (environment("CNI_PATH") ?? "").split(separator: ":").map(String.init)
        let args = environment("CNI_ARGS") ?? ""
        request.args = bestEffort ? ((try? CNIRequest.parseArgs(args)) ?? []) : try CNIRequest.parseArgs(args)
        if [.add, .del, .check].contains(command) {
            request.containerID = environment("CNI_CONTAINERID") ?? ""
            try CNIValidation.checkContainerID(request.containerID)
            request.ifname = environment("CNI_IFNAME") ?? ""
            try CNIValidation.checkInterfaceName(request.ifname)
            request.netns = environment("CNI_NETNS") ?? ""
            if !request.netns.isEmpty {
                do { try CNIValidation.checkNetnsPath(request.netns) } catch {
                    // DEL without a usable path still removes the host end and the addresses.
                    guard bestEffort else { throw error }
                    request.netns = ""
                }
            }
        }

        switch command {
        case .add: return try plugin.add(request).json(version: config.cniVersion).serialized(indent: 4)
        case .del: try plugin.del(request)
        case .check: try plugin.check(request)
        case .gc: try plugin.gc(request)
        case .status: try plugin.status(request)
        case .version: break
        }
        return nil
    }

    /// VERSION's answer: the version it was asked in (SPEC.md: "the value of cniVersion
    /// specified on input"), else the newest, and every supported one.
    public func versionInfo(asked: CNIVersion? = nil) -> JSONValue {
        ["cniVersion": .string((asked ?? CNIVersion.latest).description),
         "supportedVersions": .array(supportedVersions.map { .string($0.description) })]
    }

    /// The `cniVersion` of VERSION's input; nil when there is none to read.
    static func askedVersion(_ bytes: [UInt8]) -> CNIVersion? {
        guard !bytes.isEmpty, let object = (try? JSONValue.parse(bytes))?.objectValue,
              let text = object["cniVersion"]?.stringValue else { return nil }
        return CNIVersion(text)
    }
}
