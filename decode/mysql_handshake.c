/* SPDX-License-Identifier: MIT */
/* mysql_handshake.c: the connection phase — the server's greeting (Initial Handshake v10), the
 * client's HandshakeResponse41 (or the old 320 form) and the 32-byte SSLRequest that announces TLS.
 * Reference: protocol.md §3. */
#include "mysql_conn_priv.h"

#include <string.h>

#include "semiscope/rd.h"

#define PROTOCOL_V10 0x0A
#define SSL_REQUEST_LEN 32
#define MARIADB_PREFIX "5.5.5-"

enum ss_flavor ss_version_flavor(const char *version, const char **shown)
{
    bool maria = strstr(version, "MariaDB") != NULL;
    /* MariaDB ≥ 10 prefixes "5.5.5-" so that old clients parse a 5.x version. */
    if (shown)
        *shown = maria && strncmp(version, MARIADB_PREFIX, strlen(MARIADB_PREFIX)) == 0
                     ? version + strlen(MARIADB_PREFIX)
                     : version;
    if (version[0] == '\0')
        return SS_FLAVOR_UNKNOWN;
    return maria ? SS_FLAVOR_MARIADB : SS_FLAVOR_MYSQL;
}

/* A version string: printable, starts with a digit. */
static bool plausible_version(const char *v)
{
    if (v[0] < '0' || v[0] > '9')
        return false;
    for (; *v; v++)
        if ((unsigned char)*v < 0x20 || (unsigned char)*v > 0x7e)
            return false;
    return true;
}

bool ss_greeting_parse(const uint8_t *p, size_t n, struct ss_greeting *g)
{
    memset(g, 0, sizeof(*g));
    struct rd r = rd_init(p, n);
    g->protocol = rd_u8(&r);
    if (g->protocol != PROTOCOL_V10)
        return false;
    rd_strz(&r, g->version, sizeof(g->version));
    g->thread_id = rd_le32(&r);
    rd_skip(&r, 8 + 1);                  /* auth data part 1, filler */
    g->caps = rd_le16(&r);
    if (r.err || !plausible_version(g->version))
        return false;
    if (rd_left(&r) == 0)
        return true;                     /* pre-4.1 servers stop here */
    g->charset = rd_u8(&r);
    g->status = rd_le16(&r);
    g->caps |= (uint32_t)rd_le16(&r) << 16;
    uint8_t auth_len = rd_u8(&r);
    rd_skip(&r, 6);
    uint32_t ext = rd_le32(&r);          /* MariaDB: extended caps in the last 4 reserved bytes */
    if (r.err)
        return false;
    if (!(g->caps & SS_CLIENT_LONG_PASSWORD))
        g->mariadb_caps = ext;
    if (g->caps & SS_CLIENT_SECURE_CONNECTION) {
        size_t part2 = auth_len > 8 ? (size_t)auth_len - 8 : 13;
        rd_skip(&r, SS_MAX(part2, (size_t)13));
    }
    if ((g->caps & SS_CLIENT_PLUGIN_AUTH) && !r.err) {
        /* Some servers omit the final NUL: take the rest. */
        struct rd t = r;
        if (!rd_strz(&t, g->auth_plugin, sizeof(g->auth_plugin)))
            rd_str(&r, rd_left(&r), g->auth_plugin, sizeof(g->auth_plugin));
    }
    return true;
}

/* The fields of a HandshakeResponse41 after the fixed 32 bytes. */
static bool parse_response41(struct rd *r, uint64_t total, struct ss_login *l)
{
    if (!rd_strz(r, l->user, sizeof(l->user)) && r->err)
        return false;
    if (l->caps & SS_CLIENT_PLUGIN_AUTH_LENENC) {
        uint64_t alen = rd_lenenc(r);
        rd_skip(r, (size_t)SS_MIN(alen, (uint64_t)SIZE_MAX));
    } else if (l->caps & SS_CLIENT_SECURE_CONNECTION) {
        rd_skip(r, rd_u8(r));
    } else {
        char junk[8];
        rd_strz(r, junk, sizeof(junk));
    }
    if (r->err)
        return false;
    if ((l->caps & SS_CLIENT_CONNECT_WITH_DB) && rd_left(r) > 0)
        rd_strz(r, l->db, sizeof(l->db));
    if ((l->caps & SS_CLIENT_PLUGIN_AUTH) && rd_left(r) > 0)
        rd_strz(r, l->auth_plugin, sizeof(l->auth_plugin));
    if ((l->caps & SS_CLIENT_CONNECT_ATTRS) && rd_left(r) > 0) {
        uint64_t alen = rd_lenenc(r);
        rd_skip(r, (size_t)SS_MIN(alen, (uint64_t)SIZE_MAX));
    }
    /* The zstd level is the last byte, only readable when the whole packet was kept. */
    if ((l->caps & SS_CLIENT_ZSTD) && !r->err && rd_left(r) == 1 && r->len == total)
        l->zstd_level = rd_u8(r);
    return !r->err;
}

bool ss_login_parse(const uint8_t *p, size_t n, uint64_t total, struct ss_login *l)
{
    memset(l, 0, sizeof(*l));
    l->zstd_level = -1;
    struct rd r = rd_init(p, n);
    uint16_t lo = rd_le16(&r);
    if (r.err)
        return false;
    if (!(lo & SS_CLIENT_PROTOCOL_41)) {
        /* HandshakeResponse320: u16 caps, u24 max packet, user. */
        l->caps = lo;
        l->max_packet = rd_le24(&r);
        if (total == 5 && (l->caps & SS_CLIENT_SSL)) {
            l->ssl_request = true;
            return !r.err;
        }
        return rd_strz(&r, l->user, sizeof(l->user)) || !r.err;
    }
    l->caps = lo | (uint32_t)rd_le16(&r) << 16;
    l->max_packet = rd_le32(&r);
    l->charset = rd_u8(&r);
    rd_skip(&r, 19);
    uint32_t ext = rd_le32(&r);          /* MariaDB: extended client caps */
    if (r.err)
        return false;
    if (!(l->caps & SS_CLIENT_LONG_PASSWORD))
        l->mariadb_caps = ext;
    if (total == SSL_REQUEST_LEN) {
        l->ssl_request = (l->caps & SS_CLIENT_SSL) != 0;
        return l->ssl_request;
    }
    return parse_response41(&r, total, l);
}
