import IPAM
import NetworkCore

/// The store contract kept in memory, for allocator tests without a file system. The same
/// conformance tests run against it and against `FileStore`; layers above IPAM use it too.
/// Its owner index is the records themselves, so it never goes stale.
public final class MemoryIPAMStore: IPAMStore {
    public var records: [IPAddress: IPAMOwner?] = [:]
    public var last: [IPFamily: IPAddress] = [:]
    private var isLocked = false

    public init() {}

    public func locked<T>(_ body: () throws -> T) throws -> T {
        if isLocked { return try body() }
        isLocked = true
        defer { isLocked = false }
        return try body()
    }

    public func isReserved(_ address: IPAddress) throws -> Bool {
        precondition(isLocked, "isReserved() outside locked")
        return records[address] != nil
    }

    public func addresses(of owner: IPAMOwner) throws -> [IPAddress] {
        precondition(isLocked, "addresses(of:) outside locked")
        return records.filter { $0.value == owner }.map(\.key).sorted()
    }

    public func reservations() throws -> [IPAddress: IPAMOwner?] {
        precondition(isLocked, "reservations() outside locked")
        return records
    }

    public func reserve(_ address: IPAddress, for owner: IPAMOwner) throws -> Bool {
        precondition(isLocked, "reserve() outside locked")
        guard records[address] == nil else { return false }
        records[address] = owner
        return true
    }

    public func release(_ address: IPAddress) throws {
        precondition(isLocked, "release() outside locked")
        records[address] = nil
    }

    public func forget(_ owner: IPAMOwner) throws { precondition(isLocked, "forget() outside locked") }
    public func rebuildOwnerIndex() throws { precondition(isLocked, "rebuildOwnerIndex() outside locked") }
    public func lastReserved(_ family: IPFamily) throws -> IPAddress? { last[family] }
    public func setLastReserved(_ address: IPAddress) throws { last[address.family] = address }
}
