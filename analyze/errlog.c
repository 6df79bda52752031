/* SPDX-License-Identifier: MIT */
/* errlog.c: semisync lines of MySQL / MariaDB error logs as typed, time-sorted records. Matching
 * uses the stable fragments of each message (protocol.md §8.4), case-insensitively, so the
 * master/source and slave/replica spellings and trailing-period differences all match. */
#include "semiscope/errlog.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lines_priv.h"
#include "semiscope/status.h"

const char *ss_el_kind_name(enum ss_el_kind k)
{
    static const char *const names[SS_EL_KIND_COUNT] = {
        "timeout",    "switched_off", "switched_on", "dump_start",    "dump_stop",
        "magic_error", "io_stopped",  "zombie_kill", "enabled",       "disabled",
        "insert_failed", "flush_failed", "forced_shutdown", "shutdown", "shutdown_complete",
        "starting", "ready", "crash",
    };
    return (unsigned)k < SS_EL_KIND_COUNT ? names[k] : "unknown";
}

void ss_errlog_cfg_defaults(struct ss_errlog_cfg *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->max_records = 100000;
}

static int digits(const char *s, size_t len, size_t n, int *out)
{
    if (len < n)
        return 0;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

bool ss_errlog_parse_tz(const char *s, int32_t *offset_s, char *errbuf)
{
    if (!strcmp(s, "UTC") || !strcmp(s, "utc") || !strcmp(s, "Z") || !strcmp(s, "GMT")) {
        *offset_s = 0;
        return true;
    }
    size_t len = strlen(s);
    int hh = 0, mm = 0;
    bool ok = false;
    if (len >= 3 && (s[0] == '+' || s[0] == '-') && digits(s + 1, len - 1, 2, &hh)) {
        if (len == 3)
            ok = true;
        else if (len == 5 && digits(s + 3, 2, 2, &mm))
            ok = true;
        else if (len == 6 && s[3] == ':' && digits(s + 4, 2, 2, &mm))
            ok = true;
    }
    if (!ok || hh > 14 || mm > 59) {
        snprintf(errbuf, SS_ERRBUF_SIZE,
                 "--log-tz '%s': give UTC or an offset like +02:00 (zone names such as "
                 "Europe/Paris are not supported: use the offset in force at the incident)",
                 s);
        return false;
    }
    *offset_s = (s[0] == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (no libc time zone state involved). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "HH:MM:SS" where HH may be " H" (MariaDB pads the hour with a space). */
static size_t parse_hms(const char *s, size_t len, int *h, int *mi, int *se)
{
    size_t i = 0;
    if (len >= 1 && s[0] == ' ')
        i = 1;
    int hv;
    if (i == 1) {
        if (!digits(s + 1, len - 1, 1, &hv))
            return 0;
        i = 2;
    } else {
        if (digits(s, len, 2, &hv))
            i = 2;
        else if (digits(s, len, 1, &hv))
            i = 1;
        else
            return 0;
    }
    if (len < i + 6 || s[i] != ':' || s[i + 3] != ':' || !digits(s + i + 1, 2, 2, mi) ||
        !digits(s + i + 4, 2, 2, se))
        return 0;
    *h = hv;
    return i + 6;
}

size_t ss_errlog_parse_ts(const char *s, size_t len, int32_t tz_offset_s, int64_t *ts_ns,
                          int32_t *res_ns)
{
    int y, mo, d, h, mi, se;
    size_t i;
    if (len >= 10 && digits(s, 4, 4, &y) && s[4] == '-' && digits(s + 5, 2, 2, &mo) &&
        s[7] == '-' && digits(s + 8, 2, 2, &d)) {
        i = 10;
        bool iso = len > i && s[i] == 'T';
        if (!iso) {
            /* MariaDB: one or two spaces, the second being the hour's padding */
            if (len <= i || s[i] != ' ')
                return 0;
            i++;
        } else {
            i++;
        }
        size_t n = parse_hms(s + i, len - i, &h, &mi, &se);
        if (n == 0)
            return 0;
        i += n;
    } else if (len >= 6 && digits(s, 6, 6, &y)) {
        /* YYMMDD H:MM:SS, MariaDB < 10.1.4 and MySQL ≤ 5.6 */
        mo = (y / 100) % 100;
        d = y % 100;
        y = 2000 + y / 10000;
        i = 6;
        if (len <= i || s[i] != ' ')
            return 0;
        i++;
        size_t n = parse_hms(s + i, len - i, &h, &mi, &se);
        if (n == 0)
            return 0;
        i += n;
    } else {
        return 0;
    }
    /* years past 2261 would overflow ns in int64 */
    if (y < 1970 || y > 2261 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        se > 60)
        return 0;
    int64_t frac = 0;
    int32_t res = 1000000000;
    if (i < len && s[i] == '.') {
        i++;
        int nd = 0;
        while (i < len && isdigit((unsigned char)s[i])) {
            if (nd < 9) {
                frac = frac * 10 + (s[i] - '0');
                nd++;
            }
            i++;
        }
        res = 1;
        for (int k = nd; k < 9; k++) {
            frac *= 10;
            res *= 10;
        }
    }
    int64_t off = tz_offset_s;
    if (i < len && s[i] == 'Z') {
        off = 0;
        i++;
    } else if (i + 6 <= len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
        int oh, om;
        if (!digits(s + i + 1, 2, 2, &oh) || !digits(s + i + 4, 2, 2, &om))
            return 0;
        off = (s[i] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        i += 6;
    }
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
    *ts_ns = secs * (int64_t)SS_NS_PER_SEC + frac;
    *res_ns = res;
    return i;
}

struct ss_errlog *ss_errlog_new(const struct ss_errlog_cfg *cfg)
{
    struct ss_errlog *el = calloc(1, sizeof(*el));
    if (!el)
        return NULL;
    if (cfg)
        el->cfg = *cfg;
    else
        ss_errlog_cfg_defaults(&el->cfg);
    if (el->cfg.max_records == 0)
        el->cfg.max_records = 100000;
    return el;
}

void ss_errlog_free(struct ss_errlog *el)
{
    if (!el)
        return;
    free(el->recs);
    free(el);
}

/* Case-insensitive search in a length-bounded line. */
static const char *ci_find(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++) {
        size_t k = 0;
        while (k < n && tolower((unsigned char)s[i + k]) == tolower((unsigned char)needle[k]))
            k++;
        if (k == n)
            return s + i;
    }
    return NULL;
}

static int64_t num_after(const char *s, size_t len, const char *key, const char **end)
{
    const char *p = ci_find(s, len, key);
    if (!p)
        return -1;
    p += strlen(key);
    const char *lim = s + len;
    while (p < lim && *p == ' ')
        p++;
    if (p >= lim || !isdigit((unsigned char)*p))
        return -1;
    int64_t v = 0;
    while (p < lim && isdigit((unsigned char)*p) && v < INT64_MAX / 10)
        v = v * 10 + (*p++ - '0');
    if (end)
        *end = p;
    return v;
}

/* Copy a binlog file name up to one of the stop characters; drops a leading "./". */
static void copy_file(char *dst, const char *p, const char *lim, const char *stops)
{
    while (p < lim && *p == ' ')
        p++;
    if (lim - p >= 2 && p[0] == '.' && p[1] == '/')
        p += 2;
    size_t n = 0;
    while (p + n < lim && !strchr(stops, p[n]) && n < SS_EL_FILE_MAX - 1)
        n++;
    memcpy(dst, p, n);
    dst[n] = '\0';
}

/* "(FILE, POS)" right after `key`. */
static void file_pos_paren(const char *s, size_t len, const char *key, char *file, int64_t *pos)
{
    const char *p = ci_find(s, len, key);
    if (!p)
        return;
    p += strlen(key);
    const char *lim = s + len;
    copy_file(file, p, lim, ",)");
    const char *c = memchr(p, ',', (size_t)(lim - p));
    if (c)
        *pos = num_after(c, (size_t)(lim - c), ",", NULL);
}

/* "Shutdown complete" as a whole phrase: InnoDB's "Shutdown completed; log sequence number" is
 * a step of the shutdown, not its end. */
static bool shutdown_complete(const char *m, size_t len)
{
    const char *p = ci_find(m, len, "Shutdown complete");
    size_t after = p ? (size_t)(m + len - p) - 17 : 0;
    return p && (after == 0 || !isalpha((unsigned char)p[17]));
}

/* The server's own shutdown, startup and crash lines (MariaDB; MySQL 5.7, 8.0, 8.4). */
static bool classify_lifecycle(struct ss_el_record *r, const char *m, size_t len)
{
    if (ci_find(m, len, "Normal shutdown") || ci_find(m, len, "Received SHUTDOWN from user"))
        r->kind = SS_EL_SHUTDOWN;
    else if (shutdown_complete(m, len))
        r->kind = SS_EL_SHUTDOWN_COMPLETE;
    else if (ci_find(m, len, "Starting MariaDB") || ci_find(m, len, "starting as process"))
        r->kind = SS_EL_STARTING;
    else if (ci_find(m, len, "ready for connections") && !ci_find(m, len, "X Plugin"))
        r->kind = SS_EL_READY;
    else if (ci_find(m, len, "got signal"))
        r->kind = SS_EL_CRASH;
    else
        return false;
    return true;
}

static bool classify(struct ss_el_record *r, const char *m, size_t len)
{
    if (ci_find(m, len, "Timeout waiting for reply of binlog")) {
        r->kind = SS_EL_TIMEOUT;
        const char *p = ci_find(m, len, "(file:");
        if (p)
            copy_file(r->file, p + 6, m + len, ",)");
        r->pos = num_after(m, len, "pos:", NULL);
        p = ci_find(m, len, "up to file");
        if (!p)
            p = ci_find(m, len, "last semi-sync at file");
        if (p) {
            const char *f = p + (tolower((unsigned char)*p) == 'u' ? 10 : 22);
            copy_file(r->file2, f, m + len, ", ");
            r->pos2 = num_after(f, (size_t)(m + len - f), "position", NULL);
        }
    } else if (ci_find(m, len, "switched OFF")) {
        r->kind = SS_EL_SWITCHED_OFF;
    } else if (ci_find(m, len, "switched ON")) {
        r->kind = SS_EL_SWITCHED_ON;
        r->server_id = num_after(m, len, "(server_id:", NULL);
        const char *on = ci_find(m, len, "switched ON");
        file_pos_paren(on, (size_t)(m + len - on), " at (", r->file, &r->pos);
    } else if (ci_find(m, len, "binlog_dump to slave") || ci_find(m, len, "binlog_dump to replica")) {
        bool start = ci_find(m, len, "Start ") != NULL;
        if (!start && !ci_find(m, len, "Stop "))
            return false;
        r->kind = start ? SS_EL_DUMP_START : SS_EL_DUMP_STOP;
        r->semisync = ci_find(m, len, "semi-sync binlog_dump") ? 1
                      : ci_find(m, len, "asynchronous binlog_dump") ? 0
                                                                     : -1;
        r->server_id = num_after(m, len, "(server_id:", NULL);
        if (r->server_id < 0)
            r->server_id = num_after(m, len, "slave_server(", NULL); /* MariaDB's plain dump */
        file_pos_paren(m, len, "pos(", r->file, &r->pos);
    } else if (ci_find(m, len, "magic number")) {
        r->kind = SS_EL_MAGIC_ERROR;
    } else if (ci_find(m, len, "slave IO thread has stopped") ||
               ci_find(m, len, "replica IO thread has stopped")) {
        r->kind = SS_EL_IO_STOPPED;
    } else if (ci_find(m, len, "zombie dump thread")) {
        r->kind = SS_EL_ZOMBIE_KILL;
        r->server_id = num_after(m, len, "server_id", NULL);
        const char *p = ci_find(m, len, "zombie dump thread(");
        if (p)
            r->killed_thread_id = num_after(p, (size_t)(m + len - p), "thread(", NULL);
    } else if (ci_find(m, len, "Semi-sync replication enabled on the") ||
               ci_find(m, len, "Enable Semi-sync Master after reset")) {
        r->kind = SS_EL_ENABLED;
    } else if (ci_find(m, len, "Semi-sync replication disabled on the")) {
        r->kind = SS_EL_DISABLED;
    } else if (ci_find(m, len, "failed to insert tranx_node")) {
        r->kind = SS_EL_INSERT_FAILED;
        const char *p = ci_find(m, len, "binlog file:");
        if (p)
            copy_file(r->file, p + 12, m + len, ", ");
        r->pos = num_after(m, len, "position:", NULL);
    } else if (ci_find(m, len, "failed on net_flush()")) {
        r->kind = SS_EL_FLUSH_FAILED;
    } else if (ci_find(m, len, "SEMISYNC: Forced shutdown")) {
        r->kind = SS_EL_FORCED_SHUTDOWN;
    } else {
        return classify_lifecycle(r, m, len);
    }
    return true;
}

/* After the timestamp: "<thread> [Level] [MY-nnnnnn] [Subsys] message" (parts optional). */
static const char *parse_prefix(struct ss_el_record *r, const char *p, const char *lim,
                                int *flavor)
{
    while (p < lim && *p == ' ')
        p++;
    if (p < lim && isdigit((unsigned char)*p)) {
        int64_t t = 0;
        while (p < lim && isdigit((unsigned char)*p) && t < INT64_MAX / 10)
            t = t * 10 + (*p++ - '0');
        r->thread_id = t;
        while (p < lim && *p == ' ')
            p++;
    }
    while (p < lim && *p == '[') {
        const char *close = memchr(p, ']', (size_t)(lim - p));
        if (!close)
            break;
        size_t n = (size_t)(close - p - 1);
        if (n == 7 && !strncmp(p + 1, "Warning", 7))
            r->level = SS_EL_WARNING;
        else if (n == 5 && !strncmp(p + 1, "ERROR", 5))
            r->level = SS_EL_ERROR;
        else if (n == 5 && !strncmp(p + 1, "Error", 5))
            r->level = SS_EL_ERROR;
        else if (n == 6 && !strncmp(p + 1, "System", 6))
            r->level = SS_EL_SYSTEM;
        else if (n > 3 && !strncmp(p + 1, "MY-", 3))
            *flavor = 1;
        p = close + 1;
        while (p < lim && *p == ' ')
            p++;
    }
    return p;
}

static void note_dropped(struct ss_errlog *el, int64_t ts_ns)
{
    el->dropped++;
    if (ts_ns > el->dropped_last_ts_ns)
        el->dropped_last_ts_ns = ts_ns;
}

/* Keep a record. At the cap the oldest one gives way (the array is then a ring from `head`,
 * put back in order by ss_errlog_sort): the incident a log was collected for is near its end. */
static void push_record(struct ss_errlog *el, const struct ss_el_record *r)
{
    if (el->n == el->cap && el->cap >= el->cfg.max_records) {
        struct ss_el_record *old = &el->recs[el->head];
        note_dropped(el, old->ts_ns);
        el->kind_counts[old->kind]--;
        *old = *r;
        el->kind_counts[r->kind]++;
        el->head = (el->head + 1) % el->n;
        return;
    }
    if (el->n == el->cap) {
        uint32_t ncap = el->cap ? el->cap * 2 : 64;
        if (ncap > el->cfg.max_records)
            ncap = el->cfg.max_records;
        struct ss_el_record *nr = realloc(el->recs, (size_t)ncap * sizeof(*nr));
        if (!nr) {
            note_dropped(el, r->ts_ns); /* out of memory: this one is lost, and counted */
            return;
        }
        el->recs = nr;
        el->cap = ncap;
    }
    el->recs[el->n++] = *r;
    el->kind_counts[r->kind]++;
}

void ss_errlog_line(struct ss_errlog *el, const char *line, size_t len)
{
    el->lines++;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    struct ss_el_record r;
    memset(&r, 0, sizeof(r));
    r.thread_id = -1;
    r.server_id = -1;
    r.semisync = -1;
    r.pos = -1;
    r.pos2 = -1;
    r.killed_thread_id = -1;
    int64_t ts = 0;
    int32_t res = 0;
    size_t tl = ss_errlog_parse_ts(line, len, el->cfg.tz_offset_s, &ts, &res);
    int flavor = 0;
    const char *msg = tl ? parse_prefix(&r, line + tl, line + len, &flavor) : line;
    size_t mlen = (size_t)(line + len - msg);
    if (!classify(&r, msg, mlen)) {
        el->skipped++;
        return;
    }
    if (tl == 0) {
        el->bad_ts++; /* a semisync message we cannot place in time */
        return;
    }
    if (flavor == 0)
        flavor = line[10] == 'T' ? 1 : 2; /* ISO 'T': MySQL 5.7+; MariaDB writes a space */
    /* MySQL 8.0.26+ wording ("replication" contains "replica": match whole phrases) */
    if (ci_find(msg, mlen, "to replica") || ci_find(msg, mlen, "the source") ||
        ci_find(msg, mlen, "Source is"))
        flavor = 1;
    if (el->flavor_hint == 0 || flavor == 1)
        el->flavor_hint = flavor;
    r.ts_ns = ts;
    r.ts_res_ns = res;
    size_t n = SS_MIN(len, sizeof(r.raw) - 1);
    memcpy(r.raw, line, n);
    r.raw[n] = '\0';
    push_record(el, &r);
}

static int rec_cmp(const void *a, const void *b)
{
    const struct ss_el_record *x = a, *y = b;
    if (x->ts_ns != y->ts_ns)
        return x->ts_ns < y->ts_ns ? -1 : 1;
    return 0;
}

static void reverse(struct ss_el_record *a, uint32_t n)
{
    for (uint32_t i = 0; i < n / 2; i++) {
        struct ss_el_record t = a[i];
        a[i] = a[n - 1 - i];
        a[n - 1 - i] = t;
    }
}

void ss_errlog_sort(struct ss_errlog *el)
{
    if (el->head) {
        /* The ring back in file order, oldest first: a rotation by `head`, in place. */
        reverse(el->recs, el->head);
        reverse(el->recs + el->head, el->n - el->head);
        reverse(el->recs, el->n);
        el->head = 0;
    }
    /* Insertion sort when nearly sorted (a log is), qsort otherwise; both keep file order for
     * equal times only in the insertion case, which is the normal one. */
    bool sorted = true;
    for (uint32_t i = 1; i < el->n && sorted; i++)
        if (el->recs[i].ts_ns < el->recs[i - 1].ts_ns)
            sorted = false;
    if (sorted)
        return;
    qsort(el->recs, el->n, sizeof(*el->recs), rec_cmp);
}

int ss_errlog_load_stream(struct ss_errlog *el, FILE *f)
{
    struct ss_lines *r = ss_lines_new(f);
    if (!r)
        return SS_ERR_NOMEM;
    const char *line;
    size_t len;
    unsigned fl;
    int rc;
    while ((rc = ss_lines_next(r, &line, &len, &fl)) == 1) {
        if (fl & SS_LINE_NUL) {
            /* cut short by a run of NUL bytes (a crash): counted, never parsed, since what is
             * left of it could be mistaken for a complete message; the line after the run is
             * read as usual */
            el->lines++;
            el->damaged_lines++;
            continue;
        }
        ss_errlog_line(el, line, len); /* an overlong line is judged by its first 4 KiB */
    }
    free(r);
    ss_errlog_sort(el);
    return rc < 0 ? SS_ERR_IO : SS_OK;
}

int ss_errlog_load_file(struct ss_errlog *el, const char *path, char *errbuf)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errbuf, SS_ERRBUF_SIZE, "%s: %s", path, strerror(errno));
        return SS_ERR_IO;
    }
    int rc = ss_errlog_load_stream(el, f);
    if (rc != SS_OK)
        snprintf(errbuf, SS_ERRBUF_SIZE, "%s: %s", path,
                 rc == SS_ERR_NOMEM ? "out of memory" : "read error");
    fclose(f);
    return rc;
}
