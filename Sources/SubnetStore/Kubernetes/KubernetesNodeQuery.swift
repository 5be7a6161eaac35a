import Foundation

/// Which Nodes a list or watch asks for, and how much of each. The API server filters:
/// only Nodes matching `labelSelector` and `fieldSelector` (for Nodes the fields are
/// `metadata.name` and `spec.unschedulable`) are sent, and with `metadataOnly` each comes as
/// a `PartialObjectMetadata` (name, labels, annotations, resourceVersion) without the spec
/// and the status the kubelet keeps rewriting (conditions, images: most of a Node's bytes).
/// A server that cannot send partial objects sends whole Nodes (`Accept` falls back to
/// plain JSON), which decode the same.
public struct KubernetesNodeQuery: Sendable, Hashable {
    public var labelSelector: String?
    public var fieldSelector: String?
    public var metadataOnly: Bool

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, metadataOnly: Bool = false) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.metadataOnly = metadataOnly
    }

    /// Whole Nodes, all of them.
    public static let all = KubernetesNodeQuery()

    /// The selectors as query items, percent-encoded (`=` and `,` inside a selector too).
    var parameters: [String] {
        var items: [String] = []
        if let labelSelector { items.append("labelSelector=\(Self.encode(labelSelector))") }
        if let fieldSelector { items.append("fieldSelector=\(Self.encode(fieldSelector))") }
        return items
    }

    /// The `Accept` header: for a list the `PartialObjectMetadataList`, for a watch (whose
    /// events each carry one object) the `PartialObjectMetadata` of meta.k8s.io/v1.
    func accept(watch: Bool) -> String {
        guard metadataOnly else { return "application/json" }
        return "application/json;as=\(watch ? "PartialObjectMetadata" : "PartialObjectMetadataList");g=meta.k8s.io;v=v1,application/json"
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
