import ConfigFile
import Plan
import RouteSync

extension RouteSyncConfig {
    /// The kernel table of learned routes, `{table, protocol, metric}`: `bgp serve`'s
    /// `kernel` key and the agent's `bgp.kernel`. Numbers another daemon owns are refused.
    mutating func readKernel(_ field: ConfigNode) throws(ConfigError) {
        let map = try field.mapping(allowing: ["table", "protocol", "metric"])
        if let tableField = map.optional("table") {
            let table = try tableField.integer(in: 1...Int(UInt32.max))
            // 255 is `local`: the kernel's own addresses, never a place for learned routes.
            guard table != 255 else { throw tableField.error("must not be 255 (the local table)") }
            self.table = UInt32(table)
        }
        if let protocolField = map.optional("protocol") {
            // 0-4 are the kernel's own (unspec, redirect, kernel, boot, static).
            learnedProtocolID = UInt8(try protocolField.integer(in: 5...255))
            do { try Self.checkProtocol(learnedProtocolID, key: protocolField.path) } catch {
                throw protocolField.error(error.reason)
            }
        }
        if let metricField = map.optional("metric") {
            metric = UInt32(try metricField.integer(in: 0...Int(UInt32.max)))
        }
    }

    /// The agent's `routes` key: `mode`, `resyncSeconds` and the peer routes' `protocol`.
    mutating func readRoutes(_ field: ConfigNode) throws(ConfigError) {
        let map = try field.mapping(allowing: ["mode", "resyncSeconds", "protocol"])
        if let modeField = map.optional("mode") {
            let text = try modeField.string()
            guard let mode = RoutesMode(rawValue: text) else {
                throw modeField.error("expected one of \(RoutesMode.allCases.map(\.rawValue).joined(separator: ", ")), found \"\(text)\"")
            }
            self.mode = mode
        }
        if let seconds = try map.optional("resyncSeconds")?.integer(in: 1...3600) { resyncInterval = .seconds(seconds) }
        if let protocolField = map.optional("protocol") {
            peerProtocolID = UInt8(try protocolField.integer(in: 5...255))
            do { try Self.checkProtocol(peerProtocolID, key: protocolField.path) } catch {
                throw protocolField.error(error.reason)
            }
        }
    }
}
