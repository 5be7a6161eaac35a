import CNI
import JSON

/// The cloud role's address socket, between `terway-edged` (role cloud, which owns the ENI
/// warm pool) and `terway-edge-cni` (`mode: cloud`). A unix stream socket, mode 0600; one
/// request per connection: a JSON object and a newline, answered by one JSON object and a
/// newline, then the server closes. Every request is idempotent, keyed by the attachment
/// (container id and interface), so a runtime that retries an ADD or a DEL gets the same
/// answer and leaks nothing.
///
///     → {"op":"allocate","containerID":"c1","ifName":"eth0","pod":{"namespace":"default","name":"web-0"}}
///     ← {"ok":{"addresses":["192.168.0.23"],"eni":{"mac":"00:16:3e:00:00:02","slot":1,"table":1001,
///            "gateways":["192.168.0.253"],"subnets":["192.168.0.0/20"],"mtu":1500}}}
///     → {"op":"release","containerID":"c1","ifName":"eth0"}         ← {"ok":{}}
///     → {"op":"lookup","containerID":"c1","ifName":"eth0"}          ← as allocate, or error code 3
///     → {"op":"keep","attachments":[{"containerID":"c1","ifName":"eth0"}]}   ← {"ok":{"released":2}}
///     → {"op":"status"}                                              ← {"ok":{}}, or error code 50
///     ← {"error":{"code":11,"msg":"no address left","details":"ecs.g6.large allows 2 ENIs ..."}}
public enum PodAddressSocket {
    public static let defaultPath = "/run/terway-edge/ip.sock"
    /// A request or an answer longer than this is refused: the longest legitimate one is a
    /// GC's `keep` list of a node's attachments.
    public static let maximumMessageBytes = 4 << 20

    /// The JSON object of one message; anything else is code 6 (decoding failure).
    static func object(_ bytes: [UInt8], what: String) throws(CNIError) -> JSONObject {
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch {
            throw CNIError(.decodingFailure, "\(what) is not valid JSON", details: error.description)
        }
        guard let object = value.objectValue else {
            throw CNIError(.decodingFailure, "\(what) must be a JSON object, found \(value.typeName)")
        }
        return object
    }
}

/// One attachment of a pod: the key of every request.
public struct PodAttachmentKey: Hashable, Sendable, CustomStringConvertible {
    public var containerID: String
    public var ifName: String

    public init(containerID: String, ifName: String) {
        self.containerID = containerID
        self.ifName = ifName
    }

    public var description: String { "\(containerID)/\(ifName)" }
}

/// The pod behind an attachment, from `CNI_ARGS` (`K8S_POD_NAMESPACE`, `K8S_POD_NAME`);
/// only recorded, for status and for operators reading the ledger.
public struct PodReference: Hashable, Sendable {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// Reads the Kubernetes keys of `CNI_ARGS`; nil when the runtime sent none.
    public init?(cniArgs: [(key: String, value: String)]) {
        guard let namespace = cniArgs.last(where: { $0.key == "K8S_POD_NAMESPACE" })?.value,
              let name = cniArgs.last(where: { $0.key == "K8S_POD_NAME" })?.value else { return nil }
        self.init(namespace: namespace, name: name)
    }
}
