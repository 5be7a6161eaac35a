#define _GNU_SOURCE
#include "CHostClock.h"
#include <sys/syscall.h>
#include <unistd.h>

int chostclock_realtime(struct timespec *now) {
    return (int)syscall(SYS_clock_gettime, CLOCK_REALTIME, now);
}
