import JSON

/// One plugin's network configuration, as read from stdin. The plugin-specific fields stay
/// in `raw` for the plugin to read with its own rules.
public struct NetworkConfig: Hashable, Sendable {
    public var cniVersion: CNIVersion
    public var name: String
    public var type: String
    /// The Result of the previous plugin of a conflist, in `cniVersion`'s format.
    public var prevResult: CNIResult?
    public var runtimeConfig: JSONObject?
    /// GC only: the attachments that must be kept; nil when the runtime sent no list.
    public var validAttachments: [CNIAttachment]?
    public var raw: JSONObject

    /// GC's list, as SPEC.md on main and libcni name it.
    public static let validAttachmentsKey = "cni.dev/valid-attachments"
    /// The same list as the tagged 1.1.0 SPEC.md names it (libcni sends both keys).
    public static let taggedAttachmentsKey = "cni.dev/attachments"

    /// Parses stdin. Undecodable JSON is code 6 with the position; a version this package
    /// cannot speak is code 1 listing the supported ones; other problems are code 7.
    public init(bytes: some Collection<UInt8>, supportedVersions: [CNIVersion] = CNIVersion.supported) throws(CNIError) {
        try self.init(json: try Self.parse(bytes), supportedVersions: supportedVersions)
    }

    public init(json value: JSONValue, supportedVersions: [CNIVersion] = CNIVersion.supported) throws(CNIError) {
        let object = try value.requireObject(what: "network config")
        raw = object
        cniVersion = try Self.version(object, supportedVersions: supportedVersions)
        name = try Self.name(object)
        type = try object.require("type", object.string)
        runtimeConfig = try object.object("runtimeConfig")
        if let prev = object["prevResult"], !prev.isNull {
            prevResult = try CNIResult(json: prev)
        }
        for key in [Self.validAttachmentsKey, Self.taggedAttachmentsKey] where validAttachments == nil {
            guard let attachments = try object.array(key) else { continue }
            var parsed: [CNIAttachment] = []
            for item in attachments { parsed.append(try CNIAttachment(json: item)) }
            validAttachments = parsed
        }
    }

    /// DEL's reading: only the network name must be sound (it names the store). A version
    /// this package no longer speaks reads as the newest, and a `prevResult`, `runtimeConfig`
    /// or `type` that does not parse is dropped, so that a pod never stays stuck terminating.
    public init(bestEffort bytes: some Collection<UInt8>, supportedVersions: [CNIVersion] = CNIVersion.supported) throws(CNIError) {
        let object = try Self.parse(bytes).requireObject(what: "network config")
        raw = object
        cniVersion = (try? Self.version(object, supportedVersions: supportedVersions)) ?? CNIVersion.latest
        name = try Self.name(object)
        type = (try? object.string("type")) ?? ""
        runtimeConfig = try? object.object("runtimeConfig")
        prevResult = object["prevResult"].flatMap { try? CNIResult(json: $0) }
    }

    private static func parse(_ bytes: some Collection<UInt8>) throws(CNIError) -> JSONValue {
        do { return try JSONValue.parse(bytes) } catch {
            throw CNIError(.decodingFailure, "network config is not valid JSON", details: error.description)
        }
    }

    private static func name(_ object: JSONObject) throws(CNIError) -> String {
        let name = try object.require("name", object.string)
        try CNIValidation.checkNetworkName(name)
        return name
    }

    static func version(_ object: JSONObject, supportedVersions: [CNIVersion]) throws(CNIError) -> CNIVersion {
        let supportedList = supportedVersions.map(\.description).joined(separator: ", ")
        guard let text = try object.string("cniVersion") else {
            throw CNIError(.invalidNetworkConfig, "required field \"cniVersion\" is missing", details: "set it to one of \(supportedList)")
        }
        guard let version = CNIVersion(text), supportedVersions.contains(version) else {
            throw CNIError(.incompatibleVersion, "incompatible CNI version \"\(text)\"",
                           details: "this plugin supports \(supportedList)")
        }
        return version
    }
}
