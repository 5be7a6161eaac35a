/// FNV-1a, 64 bits: the same on every run and machine (Swift's `Hasher` is seeded per
/// process), so names and MACs derived from a container id can be found again by DEL.
func stableHash(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash &*= 0x0000_0100_0000_01b3
    }
    return hash
}
