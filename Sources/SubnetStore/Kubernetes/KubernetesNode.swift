import Foundation
import NetworkCore

/// The parts of a `v1.Node` the lease store reads (API reference: Node v1 core):
/// `metadata.{name, resourceVersion, annotations}`, `spec.{podCIDR, podCIDRs}` and
/// `status.{addresses, conditions}`. Everything else in the object is ignored. A `PartialObjectMetadata`
/// (a metadata-only list or watch) decodes as a Node without podCIDRs and addresses.
public struct KubernetesNode: Sendable, Equatable, Decodable {
    public var name: String
    public var resourceVersion: String
    public var annotations: [String: String]
    /// `spec.podCIDRs`, or `spec.podCIDR` on servers older than 1.16; empty until
    /// kube-controller-manager assigns them.
    public var podCIDRs: [IPPrefix]
    /// `status.addresses` of type InternalIP.
    public var internalIPs: [IPAddress]
    /// `status.conditions` as type → status ("True", "False", "Unknown").
    public var conditions: [String: String]

    public init(name: String, resourceVersion: String, annotations: [String: String] = [:],
                podCIDRs: [IPPrefix] = [], internalIPs: [IPAddress] = [], conditions: [String: String] = [:]) {
        self.name = name
        self.resourceVersion = resourceVersion
        self.annotations = annotations
        self.podCIDRs = podCIDRs
        self.internalIPs = internalIPs
        self.conditions = conditions
    }

    private struct Wire: Decodable {
        struct Metadata: Decodable {
            var name: String?
            var resourceVersion: String?
            var annotations: [String: String]?
        }
        struct Spec: Decodable {
            var podCIDR: String?
            var podCIDRs: [String]?
        }
        struct Status: Decodable {
            struct Address: Decodable { var type: String; var address: String }
            struct Condition: Decodable { var type: String; var status: String }
            var addresses: [Address]?
            var conditions: [Condition]?
        }
        var kind: String?
        var metadata: Metadata
        var spec: Spec?
        var status: Status?
    }

    public init(from decoder: any Decoder) throws {
        let wire = try Wire(from: decoder)
        if let kind = wire.kind, kind != "Node", kind != "PartialObjectMetadata" {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "kind is '\(kind)', expected 'Node' or 'PartialObjectMetadata'"))
        }
        guard let name = wire.metadata.name, !name.isEmpty else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a Node without metadata.name"))
        }
        self.name = name
        resourceVersion = wire.metadata.resourceVersion ?? ""
        annotations = wire.metadata.annotations ?? [:]
        let texts = wire.spec?.podCIDRs ?? wire.spec?.podCIDR.map { [$0] } ?? []
        var cidrs: [IPPrefix] = []
        for text in texts {
            do { cidrs.append(try IPPrefix(parsing: text)) } catch {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Node \(name): spec.podCIDRs entry '\(text)': \(error)"))
            }
        }
        podCIDRs = cidrs
        internalIPs = (wire.status?.addresses ?? []).filter { $0.type == "InternalIP" }.compactMap { IPAddress($0.address) }
        conditions = Dictionary((wire.status?.conditions ?? []).map { ($0.type, $0.status) }, uniquingKeysWith: { _, last in last })
    }
}

/// `GET /api/v1/nodes`: the items, the list's resourceVersion to watch from, and with
/// `limit=` the `continue` token of the next page (empty on the last).
public struct KubernetesNodeList: Sendable, Equatable, Decodable {
    public var resourceVersion: String
    public var continueToken: String
    public var items: [KubernetesNode]

    private struct Metadata: Decodable {
        var resourceVersion: String?
        var `continue`: String?
    }
    enum CodingKeys: String, CodingKey { case metadata, items }

    public init(resourceVersion: String, continueToken: String = "", items: [KubernetesNode]) {
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
        self.items = items
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let metadata = try container.decode(Metadata.self, forKey: .metadata)
        resourceVersion = metadata.resourceVersion ?? ""
        continueToken = metadata.continue ?? ""
        items = try container.decodeIfPresent([KubernetesNode].self, forKey: .items) ?? []
    }
}

/// One line of a watch stream: `{"type": "ADDED", "object": {...}}`.
public enum KubernetesWatchEvent: Sendable, Equatable {
    case added(KubernetesNode)
    case modified(KubernetesNode)
    case deleted(KubernetesNode)
    /// Everything up to this resourceVersion has been sent (only metadata.resourceVersion is set).
    case bookmark(resourceVersion: String)
    /// The watch failed; code 410 means "re-list".
    case error(KubernetesStatus)

    private struct Envelope: Decodable {
        struct Bookmark: Decodable {
            struct Metadata: Decodable { var resourceVersion: String? }
            var metadata: Metadata?
        }
        var type: String
    }
    private struct Object<T: Decodable>: Decodable { var object: T }

    public init(line: [UInt8]) throws(KubernetesError) {
        let decoder = KubernetesJSON.decoder
        do {
            let data = Data(line)
            let type = try decoder.decode(Envelope.self, from: data).type
            switch type {
            case "ADDED": self = .added(try decoder.decode(Object<KubernetesNode>.self, from: data).object)
            case "MODIFIED": self = .modified(try decoder.decode(Object<KubernetesNode>.self, from: data).object)
            case "DELETED": self = .deleted(try decoder.decode(Object<KubernetesNode>.self, from: data).object)
            case "BOOKMARK":
                let bookmark = try decoder.decode(Object<Envelope.Bookmark>.self, from: data).object
                self = .bookmark(resourceVersion: bookmark.metadata?.resourceVersion ?? "")
            case "ERROR": self = .error(try decoder.decode(Object<KubernetesStatus>.self, from: data).object)
            default: throw KubernetesError.malformed("watch event of unknown type '\(type)'")
            }
        } catch let error as KubernetesError {
            throw error
        } catch {
            throw .malformed("watch event: \(KubernetesJSON.describe(error)): \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
    }
}

/// JSON helpers shared by the Kubernetes codecs.
enum KubernetesJSON {
    static let decoder = JSONDecoder()

    static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8], what: String) throws(KubernetesError) -> T {
        do { return try decoder.decode(type, from: Data(body)) } catch {
            throw .malformed("\(what): \(describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): context.debugDescription
        case DecodingError.keyNotFound(let key, let context):
            "missing '\((context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: "."))'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        default: "\(error)"
        }
    }

    /// A JSON merge patch (RFC 7386) that sets (or with nil removes) one annotation, with
    /// `metadata.resourceVersion` as precondition: the server answers 409 if the Node changed.
    static func annotationPatch(key: String, value: String?, resourceVersion: String) -> [UInt8] {
        let patch: [String: Any] = ["metadata": [
            "annotations": [key: value.map { $0 as Any } ?? NSNull()],
            "resourceVersion": resourceVersion,
        ]]
        return Array((try? JSONSerialization.data(withJSONObject: patch, options: [.sortedKeys])) ?? Data())
    }
}
