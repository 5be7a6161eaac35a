// Socket options for BGP session security that Glibc's Swift module does not export:
// TCP-MD5 signatures (RFC 2385) and the minimum TTL / hop limit of GTSM (RFC 5082).
// Constants and layouts only; the Speaker module sets them.
#ifndef CBGPSOCKET_H
#define CBGPSOCKET_H

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#ifndef IP_MINTTL
#define IP_MINTTL 21
#endif
#ifndef IPV6_MINHOPCOUNT
#define IPV6_MINHOPCOUNT 73
#endif

static const int CBGP_TCP_MD5SIG = TCP_MD5SIG;
static const int CBGP_TCP_MD5SIG_MAXKEYLEN = TCP_MD5SIG_MAXKEYLEN;
static const int CBGP_IP_MINTTL = IP_MINTTL;
static const int CBGP_IPV6_MINHOPCOUNT = IPV6_MINHOPCOUNT;

typedef struct tcp_md5sig cbgp_tcp_md5sig;

#endif
