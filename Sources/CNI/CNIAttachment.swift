import JSON

/// One container interface the runtime still knows about (GC's `cni.dev/valid-attachments`).
public struct CNIAttachment: Hashable, Sendable {
    public var containerID: String
    public var ifname: String

    public init(containerID: String, ifname: String) {
        self.containerID = containerID
        self.ifname = ifname
    }

    init(json value: JSONValue) throws(CNIError) {
        let object = try value.requireObject(what: "valid attachment")
        self.init(containerID: try object.require("containerID", object.string), ifname: try object.require("ifname", object.string))
    }

    public var json: JSONValue { ["containerID": .string(containerID), "ifname": .string(ifname)] }
}
