/* SPDX-License-Identifier: MIT */
/* mysql_command.c: the command phase — client commands (COM_QUERY with the replica's setup
 * queries recognised, COM_REGISTER_SLAVE, COM_BINLOG_DUMP, COM_BINLOG_DUMP_GTID, COM_QUIT …) and
 * the server's OK / ERR / EOF replies and result rows.
 * Reference: protocol.md §4, §5.9. */
#include "mysql_conn_priv.h"
#include "sql_words.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "semiscope/rd.h"

bool ss_text_copy(char *dst, size_t dstsz, const uint8_t *p, size_t n)
{
    if (dstsz == 0)
        return n == 0;
    size_t c = SS_MIN(n, dstsz - 1);
    for (size_t i = 0; i < c; i++)
        dst[i] = p[i] >= 0x20 && p[i] <= 0x7e ? (char)p[i] : '.';
    dst[c] = '\0';
    return c == n;
}

struct uvar {
    const char *name;
    enum ss_query_kind kind;
};

/* The user variables a replica sets before a dump (MySQL ≥ 8.0.26 sets both spellings). */
static const struct uvar known_vars[] = {
    {"rpl_semi_sync_slave", SS_Q_SET_SEMISYNC},
    {"rpl_semi_sync_replica", SS_Q_SET_SEMISYNC},
    {"master_binlog_checksum", SS_Q_SET_CHECKSUM},
    {"source_binlog_checksum", SS_Q_SET_CHECKSUM},
    {"master_heartbeat_period", SS_Q_SET_HEARTBEAT},
    {"source_heartbeat_period", SS_Q_SET_HEARTBEAT},
    {"slave_connect_state", SS_Q_SET_CONNECT_STATE},
    {"mariadb_slave_capability", SS_Q_SET_CAPABILITY},
    {"slave_uuid", SS_Q_SET_UUID},
    {"replica_uuid", SS_Q_SET_UUID},
};

/* The value of one assignment, as far as the kinds above need it. */
static int64_t assignment_value(enum ss_query_kind kind, const char *v, size_t len)
{
    char buf[48];
    size_t c = SS_MIN(len, sizeof(buf) - 1);
    memcpy(buf, v, c);
    buf[c] = '\0';
    if (kind == SS_Q_SET_CHECKSUM) {
        /* Usually @@global.binlog_checksum, unknown until the SELECT answers. */
        if (strcasecmp(buf, "'CRC32'") == 0 || strcasecmp(buf, "CRC32") == 0)
            return 1;
        if (strcasecmp(buf, "'NONE'") == 0 || strcasecmp(buf, "NONE") == 0)
            return 0;
        return -1;
    }
    if (kind == SS_Q_SET_CONNECT_STATE || kind == SS_Q_SET_UUID)
        return -1;
    char *end;
    errno = 0;
    double d = strtod(buf, &end);
    if (end == buf || errno != 0 || d < 0 || d > 9.2e18)
        return -1;
    return (int64_t)d;
}

/* SET @a = v [, @b = v]…: classify by the first variable we know. */
static void classify_set(const char *t, size_t len, size_t i, struct ss_cmd *c)
{
    while (i < len) {
        i = ss_sql_skip_blank(t, len, i);
        if (i >= len || t[i] != '@')
            return;
        i++;
        bool sysvar = i < len && t[i] == '@';
        bool quoted = i < len && t[i] == '`';
        if (quoted)
            i++;
        size_t ns = i;
        while (i < len && (quoted ? t[i] != '`' : (isalnum((unsigned char)t[i]) || t[i] == '_' ||
                                                    t[i] == '$' || t[i] == '.' || t[i] == '@')))
            i++;
        size_t nl = i - ns;
        if (quoted && i < len)
            i++;
        i = ss_sql_skip_blank(t, len, i);
        if (i + 1 < len && t[i] == ':' && t[i + 1] == '=')
            i += 2;
        else if (i < len && t[i] == '=')
            i++;
        else
            return;
        i = ss_sql_skip_blank(t, len, i);
        size_t vs = i;
        char quote = 0;
        int depth = 0;
        for (; i < len; i++) {
            char ch = t[i];
            if (quote) {
                if (ch == quote)
                    quote = 0;
            } else if (ch == '\'' || ch == '"') {
                quote = ch;
            } else if (ch == '(') {
                depth++;
            } else if (ch == ')') {
                depth--;
            } else if (ch == ',' && depth <= 0) {
                break;
            }
        }
        size_t ve = i;
        while (ve > vs && isspace((unsigned char)t[ve - 1]))
            ve--;
        for (size_t k = 0; !sysvar && k < SS_ARRAY_LEN(known_vars); k++) {
            if (strlen(known_vars[k].name) == nl &&
                strncasecmp(known_vars[k].name, t + ns, nl) == 0) {
                c->qkind = known_vars[k].kind;
                c->value = assignment_value(c->qkind, t + vs, ve - vs);
                return;
            }
        }
        if (i < len && t[i] == ',')
            i++;
    }
}

void ss_query_classify(const char *text, size_t len, struct ss_cmd *c)
{
    c->qkind = SS_Q_OTHER;
    c->value = -1;
    size_t i = ss_sql_skip_blank(text, len, 0);
    if (ss_sql_word(text, len, &i, "SET")) {
        classify_set(text, len, i, c);
    } else if (ss_sql_word(text, len, &i, "KILL")) {
        /* KILL [HARD|SOFT] [CONNECTION] n ends a connection; KILL QUERY n does not. */
        if (!ss_sql_word(text, len, &i, "HARD"))
            ss_sql_word(text, len, &i, "SOFT");
        if (ss_sql_word(text, len, &i, "QUERY"))
            return;
        ss_sql_word(text, len, &i, "CONNECTION");
        if (i < len && isdigit((unsigned char)text[i])) {
            int64_t v = 0;
            while (i < len && isdigit((unsigned char)text[i]) && v < INT64_MAX / 10 - 10)
                v = v * 10 + (text[i++] - '0');
            c->qkind = SS_Q_KILL;
            c->value = v;
        }
    } else if (ss_sql_word(text, len, &i, "SELECT")) {
        c->qkind = SS_Q_SELECT;
    } else if (ss_sql_word(text, len, &i, "SHOW")) {
        c->qkind = SS_Q_SHOW;
    }
}

/* COM_QUERY: with query attributes the text follows parameter counts (MySQL 8.0.23+). */
static bool parse_query(struct rd *r, uint64_t total, bool query_attrs, struct ss_cmd *c)
{
    if (query_attrs) {
        uint64_t nparams = rd_lenenc(r);
        rd_lenenc(r);                    /* parameter set count, always 1 */
        if (r->err)
            return false;
        if (nparams > 0)
            return true;                 /* typed parameters precede the text: not kept */
    }
    size_t n = rd_left(r);
    c->text_truncated = !ss_text_copy(c->text, sizeof(c->text), rd_ptr(r), n) || total > r->len;
    ss_query_classify((const char *)rd_ptr(r), n, c);
    return true;
}

/* u8 length + bytes, copied as text. */
static void short_string(struct rd *r, char *dst, size_t dstsz)
{
    uint8_t l = rd_u8(r);
    if (rd_need(r, l))
        ss_text_copy(dst, dstsz, rd_ptr(r), l);
    rd_skip(r, l);
}

static bool name_copy(char *dst, const uint8_t *p, size_t n, struct ss_anomalies *an)
{
    bool fit = ss_text_copy(dst, SS_FILE_MAX, p, n);
    if (!fit)
        ss_anomaly_add(an, SS_AN_FILENAME_TRUNCATED, 1);
    return fit;
}

bool ss_command_parse(const uint8_t *p, size_t n, uint64_t total, bool query_attrs,
                      struct ss_cmd *c, struct ss_anomalies *an)
{
    memset(c, 0, sizeof(*c));
    c->value = -1;
    struct rd r = rd_init(p, n);
    c->cmd = rd_u8(&r);
    if (r.err)
        return false;
    switch (c->cmd) {
    case SS_COM_QUERY:
        return parse_query(&r, total, query_attrs, c);
    case SS_COM_REGISTER_SLAVE: {
        char skip[64];
        c->server_id = rd_le32(&r);
        short_string(&r, c->host, sizeof(c->host));
        short_string(&r, skip, sizeof(skip));   /* report_user */
        short_string(&r, skip, sizeof(skip));   /* report_password */
        c->port = rd_le16(&r);
        return !r.err;                          /* rank and master_id are not needed */
    }
    case SS_COM_BINLOG_DUMP:
        c->dump_pos = rd_le32(&r);
        c->dump_flags = rd_le16(&r);
        c->server_id = rd_le32(&r);
        if (r.err)
            return false;
        name_copy(c->dump_file, rd_ptr(&r), rd_left(&r), an);
        return true;
    case SS_COM_BINLOG_DUMP_GTID: {
        c->dump_flags = rd_le16(&r);
        c->server_id = rd_le32(&r);
        uint32_t name_len = rd_le32(&r);
        if (!rd_need(&r, name_len))
            return false;
        name_copy(c->dump_file, rd_ptr(&r), name_len, an);
        rd_skip(&r, name_len);
        c->dump_pos = rd_le64(&r);
        if (r.err)
            return false;
        if (rd_left(&r) >= 4)
            c->gtid_set_len = rd_le32(&r);
        return true;
    }
    default:
        return true;
    }
}

bool ss_reply_parse(const uint8_t *p, size_t n, uint64_t total, struct ss_reply *rep)
{
    memset(rep, 0, sizeof(*rep));
    struct rd r = rd_init(p, n);
    uint8_t first = rd_u8(&r);
    if (r.err)
        return false;
    if (first == 0x00 && total >= 7) {
        rep->kind = SS_REPLY_OK;
        return true;
    }
    if (first == 0xFE && total < 0xFFFFFF) {
        /* Short: EOF; longer: an OK packet in EOF's place (CLIENT_DEPRECATE_EOF). */
        rep->kind = total < 9 ? SS_REPLY_EOF : SS_REPLY_OK;
        return true;
    }
    if (first != 0xFF)
        return false;
    rep->kind = SS_REPLY_ERR;
    rep->err_code = rd_le16(&r);
    if (r.err)
        return true;
    if (rd_left(&r) >= 6 && rd_ptr(&r)[0] == '#') {
        rd_skip(&r, 1);
        ss_text_copy(rep->sqlstate, sizeof(rep->sqlstate), rd_ptr(&r), 5);
        rd_skip(&r, 5);
    }
    ss_text_copy(rep->message, sizeof(rep->message), rd_ptr(&r), rd_left(&r));
    return true;
}

bool ss_row_first_value(const uint8_t *p, size_t n, char *dst, size_t dstsz)
{
    struct rd r = rd_init(p, n);
    if (n > 0 && p[0] == 0xFB) {
        snprintf(dst, dstsz, "NULL");
        return true;
    }
    uint64_t len = rd_lenenc(&r);
    if (r.err) {
        if (dstsz)
            dst[0] = '\0';
        return false;
    }
    /* A value longer than what was kept is cut, not rejected. */
    size_t have = (size_t)SS_MIN(len, (uint64_t)rd_left(&r));
    ss_text_copy(dst, dstsz, rd_ptr(&r), have);
    return true;
}
