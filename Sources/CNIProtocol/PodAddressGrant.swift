import CNI
import JSON
import NetworkCore

/// The addresses the agent gave one pod, and the ENI they belong to: everything the plugin
/// needs to wire the pod (see `CloudPodRouting`) without asking the cloud itself.
public struct PodAddressGrant: Hashable, Sendable {
    /// One address per family, IPv4 first.
    public var addresses: [IPAddress]
    public var eni: ENIBinding

    public init(addresses: [IPAddress], eni: ENIBinding) {
        self.addresses = addresses
        self.eni = eni
    }

    /// The ENI as the node sees it. `slot` is stable for the ENI's life on the instance (its
    /// device index), unlike the ifindex, which changes on re-attach; `table` derives from it.
    public struct ENIBinding: Hashable, Sendable {
        /// The ENI's MAC: how the node finds its link (`ethN`).
        public var mac: MACAddress
        public var slot: Int
        public var table: Int
        /// The vSwitch gateway, one per family the pod has.
        public var gateways: [IPAddress]
        /// The vSwitch CIDRs, one per family.
        public var subnets: [IPPrefix]
        public var mtu: Int?

        public init(mac: MACAddress, slot: Int, gateways: [IPAddress], subnets: [IPPrefix], mtu: Int? = nil) {
            self.mac = mac
            self.slot = slot
            self.table = CloudPodRouting.table(slot: slot)
            self.gateways = gateways
            self.subnets = subnets
            self.mtu = mtu
        }
    }

    public var json: JSONValue {
        var eniObject = JSONObject()
        eniObject["mac"] = .string(eni.mac.description)
        eniObject["slot"] = .integer(Int64(eni.slot))
        eniObject["table"] = .integer(Int64(eni.table))
        eniObject["gateways"] = .array(eni.gateways.map { .string($0.description) })
        eniObject["subnets"] = .array(eni.subnets.map { .string($0.description) })
        if let mtu = eni.mtu { eniObject["mtu"] = .integer(Int64(mtu)) }
        var object = JSONObject()
        object["addresses"] = .array(addresses.map { .string($0.description) })
        object["eni"] = .object(eniObject)
        return .object(object)
    }

    init(_ object: JSONObject) throws(CNIError) {
        addresses = try Self.addresses(object, "addresses")
        guard !addresses.isEmpty else { throw CNIError(.decodingFailure, "grant has no addresses") }
        let eniObject = try object.require("eni", object.object)
        let macText = try eniObject.require("mac", eniObject.string)
        guard let mac = MACAddress(macText) else { throw CNIError(.decodingFailure, "eni.mac \"\(macText)\" is not a MAC address") }
        let slot = try eniObject.require("slot") { (key) throws(CNIError) in try eniObject.integer(key, in: 0...CloudPodRouting.maximumSlot) }
        var subnets: [IPPrefix] = []
        for text in try eniObject.stringArray("subnets") ?? [] {
            guard let prefix = IPPrefix(text) else { throw CNIError(.decodingFailure, "eni.subnets: \"\(text)\" is not a CIDR") }
            subnets.append(prefix)
        }
        eni = ENIBinding(mac: mac, slot: slot, gateways: try Self.addresses(eniObject, "gateways"), subnets: subnets,
                         mtu: try eniObject.integer("mtu", in: 576...65535))
        let table = try eniObject.integer("table")
        guard table == nil || table == Int64(eni.table) else {
            throw CNIError(.decodingFailure, "eni.table \(table!) is not the table of slot \(slot) (\(eni.table))")
        }
    }

    private static func addresses(_ object: JSONObject, _ key: String) throws(CNIError) -> [IPAddress] {
        var addresses: [IPAddress] = []
        for text in try object.stringArray(key) ?? [] {
            guard let address = IPAddress(text) else { throw CNIError(.decodingFailure, "\(key): \"\(text)\" is not an IP address") }
            addresses.append(address)
        }
        return addresses
    }
}

/// An answer on the address socket.
public enum PodAddressAnswer: Hashable, Sendable {
    case granted(PodAddressGrant)
    /// `release`: done (also for an unknown key).
    case released
    /// `keep`: how many grants outside the list were released.
    case kept(released: Int)
    /// `status`: the pool can serve an allocate now.
    case ready
    case failed(CNIError)

    public var json: JSONValue {
        switch self {
        case .granted(let grant): return ["ok": grant.json]
        case .released, .ready: return ["ok": .object(JSONObject())]
        case .kept(let released): return ["ok": ["released": .integer(Int64(released))]]
        case .failed(let error):
            var object = JSONObject()
            object["code"] = .integer(Int64(error.code.rawValue))
            object["msg"] = .string(error.msg)
            if !error.details.isEmpty { object["details"] = .string(error.details) }
            return ["error": .object(object)]
        }
    }

    /// Reads the answer to `request`: which `ok` shape is expected depends on the op.
    public init(bytes: [UInt8], answering request: PodAddressRequest) throws(CNIError) {
        let object = try PodAddressSocket.object(bytes, what: "answer")
        do throws(CNIError) {
            if let error = try object.object("error") {
                let code = try error.require("code", error.integer)
                self = .failed(CNIError(CNIErrorCode(rawValue: Int(code)), try error.string("msg") ?? "",
                                        details: try error.string("details") ?? ""))
                return
            }
            let ok = try object.require("ok", object.object)
            switch request {
            case .allocate, .lookup: self = .granted(try PodAddressGrant(ok))
            case .release: self = .released
            case .keep: self = .kept(released: Int(try ok.integer("released") ?? 0))
            case .status: self = .ready
            }
        } catch {
            throw CNIError(.decodingFailure, "answer: \(error.msg)", details: error.details)
        }
    }
}
