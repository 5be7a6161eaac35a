import CHostClock
import Foundation

/// The host kernel's wall clock, read with the system call itself: every process sharing
/// an embedded lease file judges expiry by this one clock, whatever a process's libc has
/// been told (libfaketime, or any LD_PRELOAD time shim). Linux time namespaces leave the
/// wall clock shared too, so containers of one host agree on it.
public enum HostClock {
    public static func now() -> Date {
        var time = timespec()
        guard chostclock_realtime(&time) == 0 else { return Date() }
        return Date(timeIntervalSince1970: TimeInterval(time.tv_sec) + TimeInterval(time.tv_nsec) / 1e9)
    }
}
