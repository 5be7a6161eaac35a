// Linux headers for the Netlink module. Filled in by the netlink work.
#include <linux/netlink.h>
