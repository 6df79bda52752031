/* SPDX-License-Identifier: MIT */
/* cli_time.c: the times --since and --until take — ISO 8601 or unix seconds — as capture time. */
#include "cli.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

#define NS_PER_SEC UINT64_C(1000000000)

/* Up to 9 fraction digits after a '.' or ',' at *p → ns; advances *p. False on no digit. */
static bool parse_frac(const char **p, uint64_t *ns)
{
    const char *s = *p;
    if (*s != '.' && *s != ',') {
        *ns = 0;
        return true;
    }
    s++;
    if (!isdigit((unsigned char)*s))
        return false;
    uint64_t v = 0, scale = NS_PER_SEC;
    for (; isdigit((unsigned char)*s); s++) {
        if (scale > 1) {
            scale /= 10;
            v += (uint64_t)(*s - '0') * scale;
        }
    }
    *ns = v;
    *p = s;
    return true;
}

static bool parse_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool parse_unix(const char *s, uint64_t *ns)
{
    uint64_t secs = 0;
    const char *p = s;
    if (!isdigit((unsigned char)*p))
        return false;
    for (; isdigit((unsigned char)*p); p++) {
        if (secs > (UINT64_MAX / NS_PER_SEC) / 10)
            return false;
        secs = secs * 10 + (uint64_t)(*p - '0');
    }
    uint64_t frac;
    if (!parse_frac(&p, &frac) || *p)
        return false;
    *ns = secs * NS_PER_SEC + frac;
    return true;
}

/* "Z", "+HH:MM", "-HHMM", "+HH", or nothing (UTC) → seconds east of UTC. */
static bool parse_zone(const char *p, long *east)
{
    *east = 0;
    if (!*p || ((*p == 'Z' || *p == 'z') && !p[1]))
        return true;
    if (*p != '+' && *p != '-')
        return false;
    int sign = *p == '-' ? -1 : 1, hh, mm = 0;
    p++;
    if (!parse_digits(&p, 2, &hh))
        return false;
    if (*p == ':')
        p++;
    if (*p && !parse_digits(&p, 2, &mm))
        return false;
    if (*p || hh > 23 || mm > 59)
        return false;
    *east = sign * (hh * 3600L + mm * 60L);
    return true;
}

bool cli_parse_time(const char *s, uint64_t *ns)
{
    if (!strchr(s, '-') || strlen(s) < 10)
        return parse_unix(s, ns);
    const char *p = s;
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    int y, mo, d, h = 0, mi = 0, se = 0;
    if (!parse_digits(&p, 4, &y) || *p++ != '-' || !parse_digits(&p, 2, &mo) || *p++ != '-' ||
        !parse_digits(&p, 2, &d))
        return false;
    uint64_t frac = 0;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!parse_digits(&p, 2, &h) || *p++ != ':' || !parse_digits(&p, 2, &mi))
            return false;
        if (*p == ':') {
            p++;
            if (!parse_digits(&p, 2, &se) || !parse_frac(&p, &frac))
                return false;
        }
    }
    long east;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 ||
        !parse_zone(p, &east))
        return false;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    time_t t = timegm(&tm);
    if (t == (time_t)-1 || tm.tm_mday != d || (int64_t)t - east < 0) /* 31 February */
        return false;
    *ns = (uint64_t)((int64_t)t - east) * NS_PER_SEC + frac;
    return true;
}
