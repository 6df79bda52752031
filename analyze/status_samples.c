/* SPDX-License-Identifier: MIT */
/* status_samples.c: parser and compact store for `--status FILE` (SHOW GLOBAL STATUS/VARIABLES
 * samples, in TSV or mysqladmin-table form), and the state-machine parameters they carry. */
#include "semiscope/status_samples.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lines_priv.h"
#include "semiscope/status.h"
#include "status_samples_priv.h"

static const char *const sv_names[SS_SV__COUNT] = {
    [SS_SV_UNKNOWN] = "unknown",
    [SS_SV_STATUS] = "status",
    [SS_SV_CLIENTS] = "clients",
    [SS_SV_YES_TX] = "yes_tx",
    [SS_SV_NO_TX] = "no_tx",
    [SS_SV_NO_TIMES] = "no_times",
    [SS_SV_GET_ACK] = "get_ack",
    [SS_SV_REQUEST_ACK] = "request_ack",
    [SS_SV_TX_WAITS] = "tx_waits",
    [SS_SV_TX_WAIT_TIME] = "tx_wait_time",
    [SS_SV_TX_AVG_WAIT_TIME] = "tx_avg_wait_time",
    [SS_SV_NET_WAITS] = "net_waits",
    [SS_SV_NET_WAIT_TIME] = "net_wait_time",
    [SS_SV_NET_AVG_WAIT_TIME] = "net_avg_wait_time",
    [SS_SV_WAIT_SESSIONS] = "wait_sessions",
    [SS_SV_WAIT_POS_BACKTRAVERSE] = "wait_pos_backtraverse",
    [SS_SV_TIMEFUNC_FAILURES] = "timefunc_failures",
    [SS_SV_SLAVE_STATUS] = "slave_status",
    [SS_SV_SLAVE_SEND_ACK] = "slave_send_ack",
    [SS_SV_VAR_ENABLED] = "enabled",
    [SS_SV_VAR_TIMEOUT] = "timeout",
    [SS_SV_VAR_WAIT_COUNT] = "wait_count",
    [SS_SV_VAR_WAIT_NO_SLAVE] = "wait_no_slave",
    [SS_SV_VAR_WAIT_POINT] = "wait_point",
    [SS_SV_VAR_TRACE_LEVEL] = "trace_level",
    [SS_SV_VAR_SLAVE_ENABLED] = "slave_enabled",
    [SS_SV_VAR_SLAVE_TRACE_LEVEL] = "slave_trace_level",
    [SS_SV_VAR_SLAVE_DELAY_MASTER] = "slave_delay_master",
    [SS_SV_VAR_SLAVE_KILL_CONN_TIMEOUT] = "slave_kill_conn_timeout",
    [SS_SV_UPTIME] = "uptime",
};

const char *ss_sv_name(enum ss_sv_id id)
{
    if ((int)id <= 0 || id >= SS_SV__COUNT)
        return "unknown";
    return sv_names[id];
}

/* Suffixes after `rpl_semi_sync_{master,source}_`. Status and variable names never collide once
 * lower-cased (status: `status`, `clients`, …; variables: `enabled`, `timeout`, …), which is why
 * one table serves both. */
struct sv_suffix {
    const char *suffix;
    enum ss_sv_id id;
};
static const struct sv_suffix master_suffixes[] = {
    {"status", SS_SV_STATUS},
    {"clients", SS_SV_CLIENTS},
    {"yes_tx", SS_SV_YES_TX},
    {"no_tx", SS_SV_NO_TX},
    {"no_times", SS_SV_NO_TIMES},
    {"get_ack", SS_SV_GET_ACK},
    {"request_ack", SS_SV_REQUEST_ACK},
    {"tx_waits", SS_SV_TX_WAITS},
    {"tx_wait_time", SS_SV_TX_WAIT_TIME},
    {"tx_avg_wait_time", SS_SV_TX_AVG_WAIT_TIME},
    {"net_waits", SS_SV_NET_WAITS},
    {"net_wait_time", SS_SV_NET_WAIT_TIME},
    {"net_avg_wait_time", SS_SV_NET_AVG_WAIT_TIME},
    {"wait_sessions", SS_SV_WAIT_SESSIONS},
    {"wait_pos_backtraverse", SS_SV_WAIT_POS_BACKTRAVERSE},
    {"timefunc_failures", SS_SV_TIMEFUNC_FAILURES},
    {"enabled", SS_SV_VAR_ENABLED},
    {"timeout", SS_SV_VAR_TIMEOUT},
    {"wait_for_slave_count", SS_SV_VAR_WAIT_COUNT},
    {"wait_for_replica_count", SS_SV_VAR_WAIT_COUNT},
    {"wait_no_slave", SS_SV_VAR_WAIT_NO_SLAVE},
    {"wait_no_replica", SS_SV_VAR_WAIT_NO_SLAVE},
    {"wait_point", SS_SV_VAR_WAIT_POINT},
    {"trace_level", SS_SV_VAR_TRACE_LEVEL},
};
static const struct sv_suffix slave_suffixes[] = {
    {"status", SS_SV_SLAVE_STATUS},
    {"send_ack", SS_SV_SLAVE_SEND_ACK},
    {"enabled", SS_SV_VAR_SLAVE_ENABLED},
    {"trace_level", SS_SV_VAR_SLAVE_TRACE_LEVEL},
    {"delay_master", SS_SV_VAR_SLAVE_DELAY_MASTER},
    {"delay_source", SS_SV_VAR_SLAVE_DELAY_MASTER},
    {"kill_conn_timeout", SS_SV_VAR_SLAVE_KILL_CONN_TIMEOUT},
};

static bool ci_prefix(const char *s, size_t len, const char *prefix, size_t *plen)
{
    size_t n = strlen(prefix);
    if (len < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)s[i]) != prefix[i])
            return false;
    *plen = n;
    return true;
}

static bool ci_equal(const char *s, size_t len, const char *lower)
{
    size_t n = strlen(lower);
    size_t used;
    return len == n && ci_prefix(s, len, lower, &used);
}

static enum ss_sv_id lookup_suffix(const char *s, size_t len, const struct sv_suffix *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ci_equal(s, len, t[i].suffix))
            return t[i].id;
    return SS_SV_UNKNOWN;
}

/* naming: set to the spelling family seen (for the diagnosis' SQL). */
static enum ss_sv_id sv_lookup_naming(const char *name, size_t len, enum ss_sv_naming *naming)
{
    size_t used;
    if (!ci_prefix(name, len, "rpl_semi_sync_", &used))
        return SS_SV_UNKNOWN;
    name += used;
    len -= used;
    static const struct {
        const char *side;
        int master;
        enum ss_sv_naming naming;
    } sides[] = {
        {"master_", 1, SS_NAMING_MASTER},
        {"source_", 1, SS_NAMING_SOURCE},
        {"slave_", 0, SS_NAMING_MASTER},
        {"replica_", 0, SS_NAMING_SOURCE},
    };
    for (size_t i = 0; i < SS_ARRAY_LEN(sides); i++) {
        if (!ci_prefix(name, len, sides[i].side, &used))
            continue;
        enum ss_sv_id id =
            sides[i].master
                ? lookup_suffix(name + used, len - used, master_suffixes,
                                SS_ARRAY_LEN(master_suffixes))
                : lookup_suffix(name + used, len - used, slave_suffixes,
                                SS_ARRAY_LEN(slave_suffixes));
        if (id != SS_SV_UNKNOWN && naming)
            *naming = sides[i].naming;
        return id;
    }
    return SS_SV_UNKNOWN;
}

enum ss_sv_id ss_sv_lookup(const char *name, size_t len)
{
    if (ci_equal(name, len, "uptime"))
        return SS_SV_UPTIME;
    return sv_lookup_naming(name, len, NULL);
}

bool ss_sv_is_counter(enum ss_sv_id id)
{
    switch (id) {
    case SS_SV_YES_TX:
    case SS_SV_NO_TX:
    case SS_SV_NO_TIMES:
    case SS_SV_GET_ACK:
    case SS_SV_REQUEST_ACK:
    case SS_SV_TX_WAITS:
    case SS_SV_TX_WAIT_TIME:
    case SS_SV_NET_WAITS:
    case SS_SV_NET_WAIT_TIME:
    case SS_SV_WAIT_POS_BACKTRAVERSE:
    case SS_SV_TIMEFUNC_FAILURES:
    case SS_SV_SLAVE_SEND_ACK:
        return true;
    default:
        return false;
    }
}

bool ss_sv_parse_value(const char *s, size_t len, int64_t *out)
{
    static const struct {
        const char *word;
        int64_t v;
    } words[] = {{"on", 1},  {"off", 0},         {"yes", 1},          {"no", 0},
                 {"true", 1}, {"false", 0},     {"after_sync", 1},   {"after_commit", 0}};
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    while (len > 0 && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    if (len == 0 || len > 24)
        return false;
    for (size_t i = 0; i < SS_ARRAY_LEN(words); i++)
        if (ci_equal(s, len, words[i].word)) {
            *out = words[i].v;
            return true;
        }
    char buf[32];
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    if (errno != 0 || end == buf || *end != '\0')
        return false;
    *out = (int64_t)v;
    return true;
}

void ss_status_samples_cfg_defaults(struct ss_status_samples_cfg *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->max_points = 16384;
    cfg->max_gaps = 1024;
    cfg->interval_ns = (int64_t)SS_NS_PER_SEC;
}

struct ss_status_samples *ss_status_samples_new(const struct ss_status_samples_cfg *cfg)
{
    struct ss_status_samples *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    if (cfg)
        s->cfg = *cfg;
    else
        ss_status_samples_cfg_defaults(&s->cfg);
    if (s->cfg.max_points == 0)
        s->cfg.max_points = 16384;
    if (s->cfg.interval_ns <= 0)
        s->cfg.interval_ns = (int64_t)SS_NS_PER_SEC;
    s->anchor_ns = s->cfg.anchor_ns;
    s->anchor_interval_ns = s->cfg.interval_ns;
    return s;
}

void ss_status_samples_free(struct ss_status_samples *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < SS_SV__COUNT; i++)
        free(s->series[i].points);
    free(s->gaps);
    free(s);
}

/* Keep a change point; grows geometrically up to the cap, then counts what it drops. */
void ss_sv_series_push(struct ss_status_samples *s, struct ss_sv_series *se,
                       const struct ss_sv_point *pt)
{
    if (se->n_points == se->cap_points) {
        if (se->cap_points >= s->cfg.max_points) {
            se->dropped_points++;
            return;
        }
        uint32_t ncap = se->cap_points ? se->cap_points * 2 : 16;
        if (ncap > s->cfg.max_points)
            ncap = s->cfg.max_points;
        struct ss_sv_point *np = realloc(se->points, (size_t)ncap * sizeof(*np));
        if (!np) {
            se->dropped_points++;
            return;
        }
        se->points = np;
        se->cap_points = ncap;
    }
    se->points[se->n_points++] = *pt;
}

static void store_sample(struct ss_status_samples *s, enum ss_sv_id id, const char *name,
                         size_t name_len, int64_t ts, int64_t v)
{
    struct ss_sv_series *se = &s->series[id];
    if (se->samples > 0 && ts < se->last.ts_ns) {
        se->out_of_order++;
        return;
    }
    ss_sv_restart_sample(s, id, ts, v);
    if (se->samples == 0) {
        size_t n = SS_MIN(name_len, sizeof(se->spelling) - 1);
        memcpy(se->spelling, name, n);
        se->spelling[n] = '\0';
        se->first = (struct ss_sv_point){.ts_ns = ts, .prev_ts_ns = 0, .value = v};
        ss_sv_series_push(s, se, &se->first);
    } else {
        bool restart = ts > se->last.ts_ns && ss_sv_crosses_restart(s, se, ts);
        if (v != se->last.value || restart) {
            struct ss_sv_point pt = {.ts_ns = ts, .prev_ts_ns = se->last.ts_ns, .value = v,
                                     .restart = restart};
            ss_sv_series_push(s, se, &pt);
        }
    }
    se->last = (struct ss_sv_point){.ts_ns = ts, .prev_ts_ns = se->last.ts_ns, .value = v};
    se->samples++;
    if (ts != s->prev_sample_ts_ns || s->samples == 0) {
        s->samples++;
        s->prev_sample_ts_ns = ts;
    }
    if (s->first_ts_ns == 0 || ts < s->first_ts_ns)
        s->first_ts_ns = ts;
    if (ts > s->last_ts_ns)
        s->last_ts_ns = ts;
}

/* One (name, value) at ts; 1 stored, 0 not a semisync name (ignored), -1 bad value. */
static int add_pair(struct ss_status_samples *s, int64_t ts, const char *name, size_t nlen,
                    const char *val, size_t vlen)
{
    enum ss_sv_naming naming = SS_NAMING_UNKNOWN;
    enum ss_sv_id id = ci_equal(name, nlen, "uptime") ? SS_SV_UPTIME
                                                      : sv_lookup_naming(name, nlen, &naming);
    if (id == SS_SV_UNKNOWN) {
        size_t used;
        if (ci_prefix(name, nlen, "rpl_semi_sync", &used))
            s->unknown_names++;
        else
            s->other_vars++;
        return 0;
    }
    int64_t v;
    if (!ss_sv_parse_value(val, vlen, &v) || v < 0)
        return -1; /* no semisync status or variable is negative */
    s->values++;
    if (naming == SS_NAMING_SOURCE || (s->naming == SS_NAMING_UNKNOWN && id != SS_SV_UPTIME))
        s->naming = naming;
    store_sample(s, id, name, nlen, ts, v);
    return 1;
}

bool ss_status_samples_add(struct ss_status_samples *s, int64_t ts_ns, const char *name,
                           const char *value)
{
    int r = add_pair(s, ts_ns, name, strlen(name), value, strlen(value));
    if (r < 0)
        s->bad_lines++;
    return r > 0;
}

void ss_status_samples_gap(struct ss_status_samples *s, int64_t start_ns, int64_t end_ns,
                           const char *reason)
{
    if (end_ns != 0 && start_ns == 0 && s->n_gaps > 0 && s->gaps[s->n_gaps - 1].end_ns == 0) {
        struct ss_sv_gap *g = &s->gaps[s->n_gaps - 1];
        g->end_ns = end_ns < g->start_ns ? g->start_ns : end_ns; /* closes the open gap */
        snprintf(g->version, sizeof(g->version), "%s", reason ? reason : "");
        return;
    }
    if (start_ns == 0)
        return; /* a reconnect without a recorded disconnect: the first connect */
    uint32_t max = s->cfg.max_gaps ? s->cfg.max_gaps : 1024;
    if (s->n_gaps >= max) {
        s->dropped_gaps++;
        return;
    }
    if (s->n_gaps == 0) {
        s->gaps = calloc(max, sizeof(*s->gaps));
        if (!s->gaps) {
            s->dropped_gaps++;
            return;
        }
    }
    struct ss_sv_gap *g = &s->gaps[s->n_gaps++];
    g->start_ns = start_ns;
    g->end_ns = end_ns;
    snprintf(g->reason, sizeof(g->reason), "%s", reason ? reason : "");
}

/* "1795314549.944347" (≤ 9 fraction digits) → ns. Returns the chars used, 0 if not a time. */
static size_t parse_unix_ts(const char *s, size_t len, int64_t *ns)
{
    size_t i = 0;
    int64_t sec = 0;
    while (i < len && isdigit((unsigned char)s[i]) && i < 10)
        sec = sec * 10 + (s[i++] - '0');
    if (i < 9 || (i < len && isdigit((unsigned char)s[i])))
        return 0; /* before 1973 or absurdly long: not a unix time */
    if (sec > INT64_C(9200000000))
        return 0; /* past 2261: ns would not fit in int64 */
    int64_t frac = 0;
    int digits = 0;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && isdigit((unsigned char)s[i])) {
            if (digits < 9) {
                frac = frac * 10 + (s[i] - '0');
                digits++;
            }
            i++;
        }
    }
    for (; digits < 9; digits++)
        frac *= 10;
    *ns = sec * (int64_t)SS_NS_PER_SEC + frac;
    return i;
}

/* Split on a tab (or runs of blanks when no tab exists): up to 3 fields. */
static int split_fields(const char *line, size_t len, const char **f, size_t *fl)
{
    int n = 0;
    bool tabs = memchr(line, '\t', len) != NULL;
    size_t i = 0;
    while (i < len && n < 4) {
        if (!tabs)
            while (i < len && (line[i] == ' '))
                i++;
        if (i >= len)
            break;
        size_t st = i;
        while (i < len && (tabs ? line[i] != '\t' : line[i] != ' '))
            i++;
        f[n] = line + st;
        fl[n] = i - st;
        n++;
        if (i < len)
            i++;
    }
    return n;
}

static void trim(const char **s, size_t *len)
{
    while (*len > 0 && isspace((unsigned char)**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && isspace((unsigned char)(*s)[*len - 1]))
        (*len)--;
}

/* `# start TS [interval S]`, `# ts TS`, `# disconnected TS reason`, `# connected TS …`. */
static void comment_line(struct ss_status_samples *s, const char *p, size_t len)
{
    size_t used;
    int64_t ts;
    trim(&p, &len);
    if (ci_prefix(p, len, "start ", &used)) {
        size_t n = parse_unix_ts(p + used, len - used, &ts);
        if (n == 0) {
            s->bad_lines++;
            return;
        }
        s->anchor_ns = ts;
        s->table_k = 0;
        const char *rest = p + used + n;
        size_t rlen = len - used - n;
        trim(&rest, &rlen);
        if (ci_prefix(rest, rlen, "interval ", &used)) {
            double iv = strtod(rest + used, NULL);
            if (iv > 0 && iv < 86400)
                s->anchor_interval_ns = (int64_t)(iv * 1e9 + 0.5);
        }
    } else if (ci_prefix(p, len, "ts ", &used)) {
        if (parse_unix_ts(p + used, len - used, &ts) == 0) {
            s->bad_lines++;
            return;
        }
        s->next_ts_ns = ts;
    } else if (ci_prefix(p, len, "disconnected ", &used)) {
        size_t n = parse_unix_ts(p + used, len - used, &ts);
        if (n == 0) {
            s->bad_lines++;
            return;
        }
        const char *r = p + used + n;
        size_t rl = len - used - n;
        trim(&r, &rl);
        char reason[96];
        snprintf(reason, sizeof(reason), "%.*s", (int)SS_MIN(rl, 95), r);
        ss_status_samples_gap(s, ts, 0, reason);
    } else if (ci_prefix(p, len, "connected ", &used)) {
        size_t n = parse_unix_ts(p + used, len - used, &ts);
        if (n == 0) {
            s->bad_lines++;
            return;
        }
        const char *r = p + used + n;
        size_t rl = len - used - n;
        trim(&r, &rl);
        char version[64];
        snprintf(version, sizeof(version), "%.*s", (int)SS_MIN(rl, 63), r);
        ss_status_samples_gap(s, 0, ts, version);
    } else {
        s->ignored_lines++;
    }
}

/* A `| name | value |` row or a `+---+` rule of a mysqladmin / mysql -t table. */
static void table_line(struct ss_status_samples *s, const char *p, size_t len)
{
    if (p[0] == '+') {
        if (s->in_table && s->table_rows > 0) {
            s->in_table = 0; /* the closing rule */
            return;
        }
        if (!s->in_table) {
            /* The opening rule of a new table: fix its time. */
            if (s->next_ts_ns) {
                s->table_ts_ns = s->next_ts_ns;
                s->next_ts_ns = 0;
            } else if (s->anchor_ns) {
                s->table_ts_ns = s->anchor_ns + s->table_k * s->anchor_interval_ns;
            } else {
                s->table_ts_ns = 0;
            }
            s->table_k++;
            s->tables++;
            s->in_table = 1;
            s->table_rows = 0;
        }
        return;
    }
    /* "| a | b |" */
    const char *f[4];
    size_t fl[4];
    int n = 0;
    size_t i = 1;
    while (i < len && n < 3) {
        size_t st = i;
        while (i < len && p[i] != '|')
            i++;
        if (i >= len)
            break;
        f[n] = p + st;
        fl[n] = i - st;
        trim(&f[n], &fl[n]);
        n++;
        i++;
    }
    if (n != 2) {
        s->bad_lines++;
        return;
    }
    if (ci_equal(f[0], fl[0], "variable_name"))
        return; /* the header row */
    s->table_rows++;
    if (!s->in_table || s->table_ts_ns == 0) {
        s->bad_lines++; /* a table without a time anchor cannot be placed in time */
        return;
    }
    if (add_pair(s, s->table_ts_ns, f[0], fl[0], f[1], fl[1]) < 0)
        s->bad_lines++;
}

void ss_status_samples_line(struct ss_status_samples *s, const char *line, size_t len)
{
    s->lines++;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    const char *p = line;
    size_t plen = len;
    trim(&p, &plen);
    if (plen == 0)
        return;
    if (p[0] == '+' || p[0] == '|') {
        table_line(s, p, plen);
        return;
    }
    /* Anything else ends a table: the closing rule of mysqladmin is itself a '+' line, so a
     * table is over at its last rule; we close it lazily on the next non-table line. */
    s->in_table = 0;
    if (p[0] == '#') {
        comment_line(s, p + 1, plen - 1);
        return;
    }
    const char *f[4];
    size_t fl[4];
    int n = split_fields(p, plen, f, fl);
    int64_t ts;
    if (n == 3 && parse_unix_ts(f[0], fl[0], &ts) == fl[0]) {
        if (add_pair(s, ts, f[1], fl[1], f[2], fl[2]) < 0)
            s->bad_lines++;
        return;
    }
    if (n == 2 && ci_equal(f[0], fl[0], "variable_name"))
        return; /* `mysql -B` header */
    if (n == 2 && s->next_ts_ns) {
        if (add_pair(s, s->next_ts_ns, f[0], fl[0], f[1], fl[1]) < 0)
            s->bad_lines++;
        return;
    }
    s->bad_lines++;
}

int ss_status_samples_load_stream(struct ss_status_samples *s, FILE *f)
{
    struct ss_lines *r = ss_lines_new(f);
    if (!r)
        return SS_ERR_NOMEM;
    const char *line;
    size_t len;
    unsigned fl;
    int rc;
    while ((rc = ss_lines_next(r, &line, &len, &fl)) == 1) {
        if (fl & (SS_LINE_LONG | SS_LINE_NUL)) {
            /* overlong, or cut short by a run of NUL bytes (a crash): bad, never parsed */
            s->lines++;
            s->bad_lines++;
            s->damaged_lines += (fl & SS_LINE_NUL) != 0;
            continue;
        }
        ss_status_samples_line(s, line, len);
    }
    free(r);
    return rc < 0 ? SS_ERR_IO : SS_OK;
}

int ss_status_samples_load_file(struct ss_status_samples *s, const char *path, char *errbuf)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errbuf, SS_ERRBUF_SIZE, "%s: %s", path, strerror(errno));
        return SS_ERR_IO;
    }
    /* Anchors do not carry over from one file to the next. */
    s->next_ts_ns = 0;
    s->in_table = 0;
    s->table_k = 0;
    s->anchor_ns = s->cfg.anchor_ns;
    s->anchor_interval_ns = s->cfg.interval_ns;
    int rc = ss_status_samples_load_stream(s, f);
    if (rc != SS_OK)
        snprintf(errbuf, SS_ERRBUF_SIZE, "%s: %s", path,
                 rc == SS_ERR_NOMEM ? "out of memory" : "read error");
    fclose(f);
    return rc;
}
