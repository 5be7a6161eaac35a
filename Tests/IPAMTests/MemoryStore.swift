import IPAM
import NetworkCore

/// The store contract kept in memory, for allocator tests without a file system. The same
/// conformance tests run against it and against `FileStore`. Its owner index is the records
/// themselves, so it never goes stale.
final class MemoryStore: IPAMStore {
    var records: [IPAddress: IPAMOwner?] = [:]
    var last: [IPFamily: IPAddress] = [:]
    private var isLocked = false

    func locked<T>(_ body: () throws -> T) throws -> T {
        if isLocked { return try body() }
        isLocked = true
        defer { isLocked = false }
        return try body()
    }

    func isReserved(_ address: IPAddress) throws -> Bool {
        precondition(isLocked, "isReserved() outside locked")
        return records[address] != nil
    }

    func addresses(of owner: IPAMOwner) throws -> [IPAddress] {
        precondition(isLocked, "addresses(of:) outside locked")
        return records.filter { $0.value == owner }.map(\.key).sorted()
    }

    func reservations() throws -> [IPAddress: IPAMOwner?] {
        precondition(isLocked, "reservations() outside locked")
        return records
    }

    func reserve(_ address: IPAddress, for owner: IPAMOwner) throws -> Bool {
        precondition(isLocked, "reserve() outside locked")
        guard records[address] == nil else { return false }
        records[address] = owner
        return true
    }

    func release(_ address: IPAddress) throws {
        precondition(isLocked, "release() outside locked")
        records[address] = nil
    }

    func forget(_ owner: IPAMOwner) throws { precondition(isLocked, "forget() outside locked") }
    func rebuildOwnerIndex() throws { precondition(isLocked, "rebuildOwnerIndex() outside locked") }
    func lastReserved(_ family: IPFamily) throws -> IPAddress? { last[family] }
    func setLastReserved(_ address: IPAddress) throws { last[address.family] = address }
}
