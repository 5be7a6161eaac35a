import ConfigFile
import Foundation
import NetworkCore
import POSIX

extension AgentConfig.Environment {
    /// `node` from the config, else the host name (both roles' rule).
    func nodeName(_ top: ConfigMapping) throws(ConfigError) -> String {
        if let field = top.optional("node") { return try field.string() }
        guard let host = hostName() else { throw top.missing("node", "the host name cannot be read; set node") }
        return host
    }

    /// The host's: its name, and the source address the kernel picks for the default route.
    public static let host = AgentConfig.Environment(
        hostName: {
            var buffer = [CChar](repeating: 0, count: 256)
            guard gethostname(&buffer, buffer.count) == 0 else { return nil }
            let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return name.isEmpty ? nil : name
        },
        defaultRouteSource: defaultRouteSource,
        readFile: { path in String(decoding: try readConfigFile(path), as: UTF8.self) })

    /// A config or plan file's bytes; the error says why in the system's words
    /// (`open /etc/terway-edge/plan.yaml: No such file or directory (errno 2)`).
    static func readConfigFile(_ path: String) throws(FileReplaceError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileReplaceError(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        do throws(SystemCallError) { return try readUntilEnd(fd, limit: 16 << 20) } catch {
            throw FileReplaceError(operation: "read", path: path, errno: error.errno)
        }
    }

    /// A UDP socket "connected" to an address only the default route covers (TEST-NET-1,
    /// 2001:db8::1) sends nothing; `getsockname` then tells the source the kernel chose.
    static func defaultRouteSource(_ family: IPFamily) -> IPAddress? {
        let fd = socket(family == .v4 ? AF_INET : AF_INET6, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        switch family {
        case .v4:
            var remote = sockaddr_in()
            remote.sin_family = sa_family_t(AF_INET)
            remote.sin_port = UInt16(9).bigEndian
            remote.sin_addr.s_addr = UInt32(0xC000_0201).bigEndian
            let connected = withUnsafePointer(to: &remote) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { return nil }
            var local = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            guard named == 0 else { return nil }
            return .v4(IPv4Address(UInt32(bigEndian: local.sin_addr.s_addr)))
        case .v6:
            var remote = sockaddr_in6()
            remote.sin6_family = sa_family_t(AF_INET6)
            remote.sin6_port = UInt16(9).bigEndian
            withUnsafeMutableBytes(of: &remote.sin6_addr) { bytes in
                bytes.copyBytes(from: [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1])
            }
            let connected = withUnsafePointer(to: &remote) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
            guard connected == 0 else { return nil }
            var local = sockaddr_in6()
            var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            let named = withUnsafeMutablePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            guard named == 0 else { return nil }
            let bytes = withUnsafeBytes(of: local.sin6_addr) { Array($0) }
            return IPAddress(bytes: bytes)
        }
    }
}

extension AgentConfig {
    /// Reads `path` and resolves it against the host.
    public static func load(contentsOf path: String, environment: Environment = .host) throws -> AgentConfig {
        let text: String
        do { text = try environment.readFile(path) } catch {
            throw ConfigRefused(description: "cannot read \(path): \(error)")
        }
        do {
            return try AgentConfig(yaml: text, folder: (path as NSString).deletingLastPathComponent, environment: environment)
        } catch {
            throw ConfigRefused(description: "\(path): \(error)")
        }
    }
}

/// Which role a configuration file is for (`role:`, default edge), and that role's settings.
public enum NodeAgentConfig {
    case edge(AgentConfig)
    case cloud(CloudAgentConfig)

    public static func load(contentsOf path: String, environment: AgentConfig.Environment = .host) throws -> NodeAgentConfig {
        let text: String
        do { text = try environment.readFile(path) } catch {
            throw ConfigRefused(description: "cannot read \(path): \(error)")
        }
        do {
            guard try CloudAgentConfig.role(ofYAML: text) == "cloud" else {
                return .edge(try AgentConfig.load(contentsOf: path, environment: environment))
            }
            return .cloud(try CloudAgentConfig(yaml: text, environment: environment))
        } catch let error as ConfigError {
            throw ConfigRefused(description: "\(path): \(error)")
        }
    }
}

/// A configuration refused at start: `FILE: line N: field: reason` (or `FILE: field: reason`).
public struct ConfigRefused: Error, CustomStringConvertible {
    public let description: String
}
