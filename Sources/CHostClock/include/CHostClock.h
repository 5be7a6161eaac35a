// The host kernel's wall clock, read with the clock_gettime system call itself rather than
// through libc or the vDSO, so that no per-process interposition (LD_PRELOAD libfaketime,
// a test harness) changes it. Every process sharing an embedded lease file then judges
// expiry by this one clock.
#ifndef CHOSTCLOCK_H
#define CHOSTCLOCK_H

#include <time.h>

/// CLOCK_REALTIME as the kernel keeps it; 0 on success, -1 with errno set.
int chostclock_realtime(struct timespec *now);

#endif
