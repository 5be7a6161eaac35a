/// 64-bit FNV-1a: a tiny, stable hash (the same in every process and on every host, unlike
/// `Hasher`). Spreads node names over a pool, checksums log lines, names a pod's host-side veth;
/// not cryptographic.
public enum FNV1a {
    @inlinable
    public static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        bytes.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }
}
