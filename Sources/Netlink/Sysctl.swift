import Glibc

/// Network sysctls of the calling thread's namespace (`/proc/sys/net/...` resolves by the
/// opening thread's namespace). Use `NetworkNamespace.readSysctl`/`writeSysctl` for another one.
public enum Sysctl {
    /// Reads `net.ipv4.ip_forward` (or `net/ipv4/ip_forward`), without the trailing newline.
    public static func read(_ key: String) throws(NetlinkError) -> String {
        let path = try self.path(key)
        let fd = try systemCall("open \(path)") { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = try systemCall("read \(path)") { buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) } }
        var text = String(decoding: buffer[..<count], as: UTF8.self)
        while text.last == "\n" { text.removeLast() }
        return text
    }

    /// Writes `value` to a network sysctl.
    public static func write(_ key: String, _ value: String) throws(NetlinkError) {
        let path = try self.path(key)
        let fd = try systemCall("open \(path)") { open(path, O_WRONLY | O_CLOEXEC) }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        try systemCall("write \(path)") { bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } }
    }

    /// `/proc/sys/net/...` for a `net.` key; other keys are not per namespace and are refused.
    static func path(_ key: String) throws(NetlinkError) -> String {
        let relative = key.contains("/") ? key : key.replacingDots()
        guard relative.hasPrefix("net/"), !relative.split(separator: "/").contains(".."), !relative.contains("\0") else {
            throw .system(call: "sysctl \(key): not a net.* key", errno: EINVAL)
        }
        return "/proc/sys/" + relative
    }
}

extension String {
    fileprivate func replacingDots() -> String { String(map { $0 == "." ? "/" : $0 }) }
}

extension NetworkNamespace {
    public func readSysctl(_ key: String) throws -> String {
        try run { try Sysctl.read(key) }
    }

    public func writeSysctl(_ key: String, _ value: String) throws {
        try run { try Sysctl.write(key, value) }
    }
}
