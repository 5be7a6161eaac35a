import CNI
import JSON

/// A request on the address socket (see `PodAddressSocket`).
public enum PodAddressRequest: Hashable, Sendable {
    /// ADD: the pod's addresses, from the warm pool; the same grant again for a known key.
    case allocate(PodAttachmentKey, pod: PodReference?)
    /// DEL: returns the addresses to the pool; succeeds for an unknown key.
    case release(PodAttachmentKey)
    /// CHECK: the grant held for the key, or error code 3 (unknown container).
    case lookup(PodAttachmentKey)
    /// GC: the attachments still valid; every other grant is released.
    case keep([PodAttachmentKey])
    /// STATUS: `ok` when an allocate can be served now (an idle address, or room and a
    /// reachable cloud to get one); otherwise an error saying why (code 50).
    case status

    public var json: JSONValue {
        var object = JSONObject()
        switch self {
        case .allocate(let key, let pod):
            object["op"] = "allocate"
            key.write(into: &object)
            if let pod { object["pod"] = ["namespace": .string(pod.namespace), "name": .string(pod.name)] }
        case .release(let key):
            object["op"] = "release"
            key.write(into: &object)
        case .lookup(let key):
            object["op"] = "lookup"
            key.write(into: &object)
        case .keep(let keys):
            object["op"] = "keep"
            object["attachments"] = .array(keys.map { key in
                var entry = JSONObject()
                key.write(into: &entry)
                return .object(entry)
            })
        case .status:
            object["op"] = "status"
        }
        return .object(object)
    }

    /// Strict: a malformed request is code 6 (decoding failure) naming the field.
    public init(bytes: [UInt8]) throws(CNIError) {
        let object = try PodAddressSocket.object(bytes, what: "request")
        do throws(CNIError) {
            switch try object.require("op", object.string) {
            case "allocate":
                let pod = try object.object("pod").map { (pod) throws(CNIError) in
                    PodReference(namespace: try pod.require("namespace", pod.string), name: try pod.require("name", pod.string))
                }
                self = .allocate(try PodAttachmentKey(object), pod: pod)
            case "release": self = .release(try PodAttachmentKey(object))
            case "lookup": self = .lookup(try PodAttachmentKey(object))
            case "keep":
                var keys: [PodAttachmentKey] = []
                for entry in try object.require("attachments", object.array) {
                    keys.append(try PodAttachmentKey(try entry.requireObject(what: "attachment")))
                }
                self = .keep(keys)
            case "status": self = .status
            case let op:
                throw CNIError(.decodingFailure, "unknown op \"\(op)\"", details: "use allocate, release, lookup, keep or status")
            }
        } catch {
            throw CNIError(.decodingFailure, error.msg, details: error.details)
        }
    }
}

extension PodAttachmentKey {
    init(_ object: JSONObject) throws(CNIError) {
        let containerID = try object.require("containerID", object.string)
        let ifName = try object.require("ifName", object.string)
        guard !containerID.isEmpty, !ifName.isEmpty else {
            throw CNIError(.decodingFailure, "containerID and ifName must not be empty")
        }
        self.init(containerID: containerID, ifName: ifName)
    }

    func write(into object: inout JSONObject) {
        object["containerID"] = .string(containerID)
        object["ifName"] = .string(ifName)
    }
}
