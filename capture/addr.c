/* SPDX-License-Identifier: MIT */
/* addr.c: printing and comparing IP addresses and TCP endpoints (packet.h). */
#include "semiscope/packet.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

char *ss_addr_str(const struct ss_addr *a, char *buf, size_t bufsz)
{
    if (bufsz == 0)
        return buf;
    /* inet_ntop gives the RFC 5952 form for IPv6 ("2001:db8::1", "::ffff:10.0.0.1"). */
    int af = a->family == 6 ? AF_INET6 : a->family == 4 ? AF_INET : -1;
    if (af < 0 || bufsz > UINT32_MAX || !inet_ntop(af, a->b, buf, (socklen_t)bufsz))
        snprintf(buf, bufsz, "%s", af < 0 ? "?" : "");
    return buf;
}

char *ss_endpoint_str(const struct ss_endpoint *e, char *buf, size_t bufsz)
{
    char a[INET6_ADDRSTRLEN];
    ss_addr_str(&e->addr, a, sizeof a);
    if (bufsz == 0)
        return buf;
    if (e->addr.family == 6)
        snprintf(buf, bufsz, "[%s]:%u", a, (unsigned)e->port);
    else
        snprintf(buf, bufsz, "%s:%u", a, (unsigned)e->port);
    return buf;
}

bool ss_addr_eq(const struct ss_addr *a, const struct ss_addr *b)
{
    if (a->family != b->family)
        return false;
    return memcmp(a->b, b->b, a->family == 4 ? 4 : 16) == 0;
}

bool ss_endpoint_eq(const struct ss_endpoint *a, const struct ss_endpoint *b)
{
    return a->port == b->port && ss_addr_eq(&a->addr, &b->addr);
}
