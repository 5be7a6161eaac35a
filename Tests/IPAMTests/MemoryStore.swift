import IPAM
import NetworkCore

/// The store contract kept in memory, for allocator tests without a file system. The same
/// conformance tests run against it and against `FileStore`.
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

    func lastReserved(_ family: IPFamily) throws -> IPAddress? { last[family] }
    func setLastReserved(_ address: IPAddress) throws { last[address.family] = address }
}
