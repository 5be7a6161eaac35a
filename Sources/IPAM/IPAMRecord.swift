/// The content of one reservation file: a header line, the container id and the interface
/// name, each on its own line. Pure codec; the file store does the I/O.
public enum IPAMRecord {
    static let header = "terway-edge-ipam 1"

    public static func encode(_ owner: IPAMOwner) -> [UInt8] {
        Array("\(header)\n\(owner.containerID)\n\(owner.ifname)\n".utf8)
    }

    /// Nil for anything that is not exactly a record this version wrote.
    public static func decode(_ bytes: [UInt8]) -> IPAMOwner? {
        guard bytes.count <= 1024, bytes.last == UInt8(ascii: "\n"),
              let text = String(validating: bytes, as: UTF8.self) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 4, lines[0] == header, !lines[1].isEmpty, !lines[2].isEmpty, lines[3].isEmpty,
              !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else { return nil }
        return IPAMOwner(containerID: String(lines[1]), ifname: String(lines[2]))
    }
}
