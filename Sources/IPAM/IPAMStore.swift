import NetworkCore

/// Where reservations live. Every call but `locked` must run inside `locked`, which holds
/// the store's single lock: one process mutates at a time.
public protocol IPAMStore: AnyObject {
    func locked<T>(_ body: () throws -> T) throws -> T
    /// Every reserved address and its owner. An unreadable record maps to nil: the address
    /// stays taken until GC frees it.
    func reservations() throws -> [IPAddress: IPAMOwner?]
    /// Records `address` for `owner`; false when it is already taken. All or nothing.
    func reserve(_ address: IPAddress, for owner: IPAMOwner) throws -> Bool
    /// Forgets `address`; releasing a free address is not an error.
    func release(_ address: IPAddress) throws
    /// Where the last round-robin search of `family` stopped.
    func lastReserved(_ family: IPFamily) throws -> IPAddress?
    func setLastReserved(_ address: IPAddress) throws
}
