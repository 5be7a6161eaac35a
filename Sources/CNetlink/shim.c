#include "CNetlink.h"

// The Swift codecs hard-code these layouts; fail the build if a header ever disagrees.
_Static_assert(sizeof(struct nlmsghdr) == 16, "nlmsghdr");
_Static_assert(sizeof(struct nlmsgerr) == 20, "nlmsgerr");
_Static_assert(sizeof(struct rtattr) == 4, "rtattr");
_Static_assert(sizeof(struct ifinfomsg) == 16, "ifinfomsg");
_Static_assert(sizeof(struct ifaddrmsg) == 8, "ifaddrmsg");
_Static_assert(sizeof(struct rtmsg) == 12, "rtmsg");
_Static_assert(sizeof(struct fib_rule_hdr) == 12, "fib_rule_hdr");
_Static_assert(sizeof(struct nhmsg) == 8, "nhmsg");
_Static_assert(sizeof(struct ifa_cacheinfo) == 16, "ifa_cacheinfo");
_Static_assert(NLMSG_ALIGNTO == 4 && RTA_ALIGNTO == 4, "alignment");
