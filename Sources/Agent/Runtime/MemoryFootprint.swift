import CMalloc
import NIOCore
import NIOPosix

/// The agent runs on every node and waits almost always: what it holds while idle is what
/// it costs. `terway-edged` calls this first, before any service starts a thread.
public enum MemoryFootprint {
    public static func configure() {
        configureAllocator()
        // NIO's shared group defaults to a loop per core: the agent's sockets (BGP, control,
        // metrics, the lease store's HTTP) carry little, one loop serves them all.
        NIOSingletons.groupLoopCountSuggestion = 1
        NIOSingletons.blockingPoolThreadCountSuggestion = 1
    }

    /// The allocator's part alone, for `terway-edge bgp serve`: with 1M routes in the kernel
    /// it holds 102 MB instead of 151 MB, and keeps its event loops.
    public static func configureAllocator() {
        // glibc gives each thread that allocates an arena of its own (up to 8 per core), and
        // each keeps what was freed in it; two serve a daemon that mostly waits.
        _ = mallopt(M_ARENA_MAX, 2)
        // Fixed thresholds (glibc raises both after a large free, keeping the cold start's
        // big buffers in the heap for good): large blocks are mapped and unmapped, and a
        // free top of the heap goes back to the kernel.
        _ = mallopt(M_MMAP_THRESHOLD, 128 * 1024)
        _ = mallopt(M_TRIM_THRESHOLD, 128 * 1024)
    }
}
