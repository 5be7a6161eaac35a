// Pins the kernel ABI the Speaker relies on; no code.
#include "CBGPSocket.h"
#include <stddef.h>

_Static_assert(sizeof(struct tcp_md5sig) == 216, "struct tcp_md5sig layout changed");
_Static_assert(offsetof(struct tcp_md5sig, tcpm_key) == 136, "tcpm_key offset changed");
