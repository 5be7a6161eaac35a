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
    /// GC only: the attachments that must be kept.
    public var validAttachments: [CNIAttachment]?
    public var raw: JSONObject

    public static let validAttachmentsKey = "cni.dev/valid-attachments"

    /// Parses stdin. Undecodable JSON is code 6 with the position; a version this package
    /// cannot speak is code 1 listing the supported ones; other problems are code 7.
    public init(bytes: some Collection<UInt8>, supportedVersions: [CNIVersion] = CNIVersion.supported) throws(CNIError) {
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch {
            throw CNIError(.decodingFailure, "network config is not valid JSON", details: error.description)
        }
        try self.init(json: value, supportedVersions: supportedVersions)
    }

    public init(json value: JSONValue, supportedVersions: [CNIVersion] = CNIVersion.supported) throws(CNIError) {
        let object = try value.requireObject(what: "network config")
        raw = object
        cniVersion = try Self.version(object, supportedVersions: supportedVersions)
        name = try object.require("name", object.string)
        try CNIValidation.checkNetworkName(name)
        type = try object.require("type", object.string)
        runtimeConfig = try object.object("runtimeConfig")
        if let prev = object["prevResult"], !prev.isNull {
            prevResult = try CNIResult(json: prev)
        }
        if let attachments = try object.array(Self.validAttachmentsKey) {
            var parsed: [CNIAttachment] = []
            for item in attachments { parsed.append(try CNIAttachment(json: item)) }
            validAttachments = parsed
        }
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
