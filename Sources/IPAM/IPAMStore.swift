import NetworkCore

/// Where reservations live. Every call but `locked` must run inside `locked`, which holds
/// the store's single lock: one process mutates at a time.
///
/// The store keeps an owner index beside the reservations, so that ADD and DEL touch only
/// their own attachment's records; it may name addresses the owner no longer holds (a
/// crash between the index write and the record), never miss one it holds, and GC rebuilds
/// it from the records.
public protocol IPAMStore: AnyObject {
    func locked<T>(_ body: () throws -> T) throws -> T
    /// Whether `address` is reserved (by anyone); one lookup.
    func isReserved(_ address: IPAddress) throws -> Bool
    /// The addresses `owner` holds, found through the owner index and checked against their
    /// records; sorted.
    func addresses(of owner: IPAMOwner) throws -> [IPAddress]
    /// Every reserved address and its owner: a full scan, for GC. An unreadable record maps
    /// to nil: the address stays taken until GC frees it.
    func reservations() throws -> [IPAddress: IPAMOwner?]
    /// Records `address` for `owner` (index first, then the record); false when it is
    /// already taken. All or nothing.
    func reserve(_ address: IPAddress, for owner: IPAMOwner) throws -> Bool
    /// Forgets `address`; releasing a free address is not an error.
    func release(_ address: IPAddress) throws
    /// Drops `owner` from the owner index once its addresses are released.
    func forget(_ owner: IPAMOwner) throws
    /// Makes the owner index say exactly what the records say (GC).
    func rebuildOwnerIndex() throws
    /// Where the last round-robin search of `family` stopped.
    func lastReserved(_ family: IPFamily) throws -> IPAddress?
    func setLastReserved(_ address: IPAddress) throws
}
