import CNetlink
import NetworkCore

/// A policy routing rule (`ip rule`): `from SRC to DST iif I oif O fwmark M/K lookup T pref P`.
public struct Rule: Hashable, Sendable {
    public var family: IPFamily
    public var priority: UInt32?
    public var source: IPPrefix?
    public var destination: IPPrefix?
    public var table: UInt32
    public var inputInterface: String?
    public var outputInterface: String?
    public var fwmark: UInt32?
    public var fwmask: UInt32?
    /// FR_ACT_*: 1 `lookup` (to table).
    public var action: UInt8

    public init(family: IPFamily, priority: UInt32? = nil, source: IPPrefix? = nil, destination: IPPrefix? = nil,
                table: UInt32, inputInterface: String? = nil, outputInterface: String? = nil,
                fwmark: UInt32? = nil, fwmask: UInt32? = nil, action: UInt8 = UInt8(FR_ACT_TO_TBL)) {
        self.family = family
        self.priority = priority
        self.source = source
        self.destination = destination
        self.table = table
        self.inputInterface = inputInterface
        self.outputInterface = outputInterface
        self.fwmark = fwmark
        self.fwmask = fwmask
        self.action = action
    }

    public init(_ message: RuleMessage) throws(NetlinkDecodingError) {
        family = try IPFamily.decoding(message.family, in: "fib_rule_hdr")
        let attributes = message.attributes
        priority = try attributes.first(FRA_PRIORITY)?.uint32()
        let src = attributes.first(FRA_SRC), dst = attributes.first(FRA_DST)
        source = src == nil ? nil : try IPPrefix.decoding(src, length: message.sourceLength, family: family, in: "rule")
        destination = dst == nil ? nil : try IPPrefix.decoding(dst, length: message.destinationLength, family: family, in: "rule")
        table = try attributes.first(FRA_TABLE)?.uint32() ?? UInt32(message.table)
        inputInterface = attributes.first(FRA_IIFNAME)?.string()
        outputInterface = attributes.first(FRA_OIFNAME)?.string()
        fwmark = try attributes.first(FRA_FWMARK)?.uint32()
        fwmask = try attributes.first(FRA_FWMASK)?.uint32()
        action = message.type
    }

    func message() -> RuleMessage {
        var attributes = [RouteAttribute(type: UInt16(FRA_TABLE), uint32: table)]
        if let priority { attributes.append(RouteAttribute(type: UInt16(FRA_PRIORITY), uint32: priority)) }
        if let source { attributes.append(RouteAttribute(type: UInt16(FRA_SRC), address: source.network)) }
        if let destination { attributes.append(RouteAttribute(type: UInt16(FRA_DST), address: destination.network)) }
        if let inputInterface { attributes.append(RouteAttribute(type: UInt16(FRA_IIFNAME), string: inputInterface)) }
        if let outputInterface { attributes.append(RouteAttribute(type: UInt16(FRA_OIFNAME), string: outputInterface)) }
        if let fwmark { attributes.append(RouteAttribute(type: UInt16(FRA_FWMARK), uint32: fwmark)) }
        if let fwmask { attributes.append(RouteAttribute(type: UInt16(FRA_FWMASK), uint32: fwmask)) }
        return RuleMessage(family: family.addressFamily, destinationLength: UInt8(destination?.length ?? 0),
                           sourceLength: UInt8(source?.length ?? 0),
                           table: table < 256 ? UInt8(table) : UInt8(RT_TABLE_UNSPEC.rawValue),
                           type: action, attributes: attributes)
    }
}

extension Rule: CustomStringConvertible {
    public var description: String {
        var text = "\(family)"
        if let priority { text += " pref \(priority)" }
        text += " from \(source?.description ?? "all")"
        if let destination { text += " to \(destination)" }
        if let inputInterface { text += " iif \(inputInterface)" }
        if let outputInterface { text += " oif \(outputInterface)" }
        if let fwmark { text += " fwmark \(fwmark)" + (fwmask.map { "/\($0)" } ?? "") }
        return text + " lookup \(table)"
    }
}
