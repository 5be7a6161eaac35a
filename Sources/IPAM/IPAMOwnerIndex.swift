import NetworkCore

/// One file of the store's owner index: its name says whose it is (`CONTAINERID:IFNAME`), its
/// content lists that owner's addresses, one per line. Pure codec; the file store does the
/// I/O. Decoding keeps every line that is an address and drops the rest: the store checks
/// each listed address against its record, so a damaged index can only hide an address
/// until GC rebuilds the index, never give one away.
public enum IPAMOwnerIndex {
    /// At most 1 KiB is read: an owner holds one address per family.
    static let maximumSize = 1024

    public static func encode(_ addresses: [IPAddress]) -> [UInt8] {
        Array(addresses.sorted().map { $0.description + "\n" }.joined().utf8)
    }

    public static func decode(_ bytes: [UInt8]) -> [IPAddress] {
        guard bytes.count <= maximumSize else { return [] }
        return bytes.split(separator: UInt8(ascii: "\n")).compactMap { line in
            String(validating: line, as: UTF8.self).flatMap { IPAddress($0) }
        }
    }

    /// `CONTAINERID:IFNAME`; nil for an owner that cannot name a file (CNI container ids
    /// and interface names never hold `/`, `:` or NUL).
    public static func fileName(_ owner: IPAMOwner) -> String? {
        let name = owner.containerID + ":" + owner.ifname
        guard !owner.containerID.isEmpty, !owner.ifname.isEmpty, name.utf8.count < 256,
              !name.utf8.contains(where: { $0 == UInt8(ascii: "/") || $0 == 0 }), !owner.ifname.contains(":") else { return nil }
        return name
    }
}
