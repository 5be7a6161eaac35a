// Linux headers for the Netlink module: rtnetlink message layouts and constants, and the
// namespace calls. Constants that are function-like macros are exported as values; there is
// no logic here (the TLV math is done in Swift on byte arrays).
#ifndef CNETLINK_H
#define CNETLINK_H

// No _GNU_SOURCE here: a feature macro changes glibc's headers inside this module, and
// its fd_set then clashes with SwiftGlibc's in whichever build compiles it second.
#include <linux/sched.h>
#include <sys/socket.h>
// Before the linux headers: glibc's in6_addr wins and linux/in6.h (via if_bridge.h) stands down.
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/vfs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/veth.h>
#include <linux/fib_rules.h>
#include <linux/nexthop.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
// Classic BPF: a monitor drops notifications it does not want in the kernel.
#include <linux/filter.h>

/// `ioctl(fd, NS_GET_NSTYPE)`: which kind of namespace an nsfs file is.
static const unsigned long CNETLINK_NS_GET_NSTYPE = NS_GET_NSTYPE;
/// The f_type of files on nsfs (`/proc/*/ns/*` and their bind mounts).
static const long CNETLINK_NSFS_MAGIC = NSFS_MAGIC;
static const int CNETLINK_CLONE_NEWNET = CLONE_NEWNET;

/// setns(2), which glibc declares only under _GNU_SOURCE.
extern int setns(int fd, int nstype);
static inline int cnetlink_setns(int fd, int nstype) { return setns(fd, nstype); }

#endif
