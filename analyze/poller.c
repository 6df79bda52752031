/* SPDX-License-Identifier: MIT */
/* poller.c: a thread that polls a server's Rpl_semi_sync status and variables through libmariadb
 * and hands timestamped rows to the capture thread through a bounded queue.
 *
 * This is the one place in semiscope where the wall clock is legitimately read: the samples are
 * the *server's* state at a moment, and the only way to place them next to packet timestamps
 * (themselves wall-clock times taken by the kernel) is the host's realtime clock. Scheduling and
 * backoff use the monotonic clock. The residual offset between the two is estimated later by the
 * postmortem from matching transitions. */
#include "semiscope/poller.h"

#include <errno.h>
#include <mysql.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "semiscope/status.h"
#include "semiscope/status_samples.h"

#define MAX_VARS 48 /* variables remembered for change detection */

struct ss_poller {
    struct ss_poller_cfg cfg;
    struct ss_dsn dsn;
    char *password;              /* from MYSQL_PWD; wiped on free, never printed */
    FILE *record;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    bool first_done;             /* the first poll round (or connection attempt) is over */
    struct ss_poll_item *q;      /* ring */
    uint32_t head, count;
    struct ss_poller_stats st;
    /* thread-private */
    char var_names[MAX_VARS][64];
    char var_values[MAX_VARS][160];
    uint32_t n_vars;
};

void ss_poller_cfg_defaults(struct ss_poller_cfg *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->interval_s = 1.0;
    cfg->queue_cap = 16384;
    cfg->backoff_min_s = 0.25;
    cfg->backoff_max_s = 10.0;
    cfg->timeout_s = 5;
}

/* ---- DSN ------------------------------------------------------------------------------------ */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Copy n bytes decoding %XX; false when it does not fit or an escape is bad. */
static bool copy_decoded(char *dst, size_t cap, const char *src, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = src[i];
        if (c == '%') {
            if (i + 2 >= n)
                return false;
            int h = hexval(src[i + 1]), l = hexval(src[i + 2]);
            if (h < 0 || l < 0)
                return false;
            c = (char)(h * 16 + l);
            i += 2;
        }
        if (o + 1 >= cap)
            return false;
        dst[o++] = c;
    }
    dst[o] = '\0';
    return true;
}

static bool dsn_fail(char *errbuf, const char *what)
{
    snprintf(errbuf, SS_ERRBUF_SIZE, "--dsn: %s (expected mysql://user@host:port or "
                                     "mysql://user@/path/to/socket)",
             what);
    return false;
}

static bool parse_hostport(const char *s, size_t n, struct ss_dsn *out, char *errbuf)
{
    const char *port = NULL;
    size_t hn = n;
    if (n > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close)
            return dsn_fail(errbuf, "unclosed [ in the host");
        if (!copy_decoded(out->host, sizeof(out->host), s + 1, (size_t)(close - s - 1)))
            return dsn_fail(errbuf, "host too long");
        if ((size_t)(close - s + 1) < n) {
            if (close[1] != ':')
                return dsn_fail(errbuf, "junk after ]");
            port = close + 2;
        }
        hn = 0;
    } else {
        const char *colon = memchr(s, ':', n);
        if (colon) {
            hn = (size_t)(colon - s);
            port = colon + 1;
        }
        if (!copy_decoded(out->host, sizeof(out->host), s, hn))
            return dsn_fail(errbuf, "host too long");
    }
    if (port) {
        size_t pn = (size_t)(s + n - port);
        unsigned v = 0;
        if (pn == 0 || pn > 5)
            return dsn_fail(errbuf, "bad port");
        for (size_t i = 0; i < pn; i++) {
            if (port[i] < '0' || port[i] > '9')
                return dsn_fail(errbuf, "bad port");
            v = v * 10 + (unsigned)(port[i] - '0');
        }
        if (v == 0 || v > 65535)
            return dsn_fail(errbuf, "bad port");
        out->port = v;
    }
    return true;
}

bool ss_dsn_parse(const char *dsn, struct ss_dsn *out, char *errbuf)
{
    memset(out, 0, sizeof(*out));
    const char *p;
    if (!strncmp(dsn, "mysql://", 8))
        p = dsn + 8;
    else if (!strncmp(dsn, "mariadb://", 10))
        p = dsn + 10;
    else
        return dsn_fail(errbuf, "not a mysql:// URL");
    const char *at = strchr(p, '@');
    if (at) {
        if (memchr(p, ':', (size_t)(at - p)))
            return dsn_fail(errbuf, "a password on the command line is refused: use MYSQL_PWD "
                                    "or the [client] section of ~/.my.cnf");
        if (!copy_decoded(out->user, sizeof(out->user), p, (size_t)(at - p)))
            return dsn_fail(errbuf, "bad user");
        p = at + 1;
    }
    if (*p == '/') { /* mysql://user@/path/to/socket */
        if (!copy_decoded(out->socket, sizeof(out->socket), p, strlen(p)) || strlen(p) < 2)
            return dsn_fail(errbuf, "bad socket path");
        return true;
    }
    size_t hn = strcspn(p, "/?");
    if (!parse_hostport(p, hn, out, errbuf))
        return false;
    p += hn;
    if (*p == '/')
        p++;
    if (*p == '?') {
        p++;
        if (strncmp(p, "socket=", 7) != 0)
            return dsn_fail(errbuf, "the only query parameter is socket=");
        p += 7;
        if (!copy_decoded(out->socket, sizeof(out->socket), p, strcspn(p, "&")) ||
            out->socket[0] != '/')
            return dsn_fail(errbuf, "bad socket path");
        if (p[strcspn(p, "&")] == '&')
            return dsn_fail(errbuf, "the only query parameter is socket=");
    } else if (*p) {
        return dsn_fail(errbuf, "unexpected path");
    }
    if (!out->host[0] && !out->socket[0])
        snprintf(out->host, sizeof(out->host), "localhost");
    return true;
}

/* ---- queue ------------------------------------------------------------------------------------ */

static int64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts); /* the server sample's time: see the file comment */
    /* in microseconds, as the record keeps it: a replay of the record (--status) then places
     * every sample, and every parameter change, exactly where the live run did */
    return (int64_t)ts.tv_sec * (int64_t)SS_NS_PER_SEC + ts.tv_nsec / 1000 * 1000;
}

static void push(struct ss_poller *p, enum ss_poll_kind kind, int64_t ts, const char *name,
                 const char *value)
{
    pthread_mutex_lock(&p->mu);
    if (p->count == p->cfg.queue_cap) {
        p->st.queue_dropped++;
    } else {
        struct ss_poll_item *it = &p->q[(p->head + p->count) % p->cfg.queue_cap];
        it->kind = kind;
        it->ts_ns = ts;
        snprintf(it->name, sizeof(it->name), "%s", name ? name : "");
        snprintf(it->value, sizeof(it->value), "%s", value ? value : "");
        /* the record format is line- and tab-separated */
        for (char *c = it->value; *c; c++)
            if (*c == '\t' || *c == '\n' || *c == '\r')
                *c = ' ';
        for (char *c = it->name; *c; c++)
            if (*c == '\t' || *c == '\n' || *c == '\r')
                *c = ' ';
        p->count++;
        if (kind == SS_POLL_SAMPLE)
            p->st.samples++;
    }
    pthread_mutex_unlock(&p->mu);
}

/* Sleep up to `s` seconds or until stop; returns true when stopping. */
static bool nap(struct ss_poller *p, double s)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    int64_t ns = until.tv_nsec + (int64_t)(s * 1e9);
    until.tv_sec += (time_t)(ns / 1000000000);
    until.tv_nsec = (long)(ns % 1000000000);
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        if (pthread_cond_timedwait(&p->cv, &p->mu, &until) == ETIMEDOUT)
            break;
    }
    bool stop = p->stop;
    pthread_mutex_unlock(&p->mu);
    return stop;
}

/* ---- the thread --------------------------------------------------------------------------------- */

static void first_round_over(struct ss_poller *p)
{
    pthread_mutex_lock(&p->mu);
    if (!p->first_done) {
        p->first_done = true;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
}

static MYSQL *connect_server(struct ss_poller *p, char *err, size_t errsz)
{
    MYSQL *m = mysql_init(NULL);
    if (!m) {
        snprintf(err, errsz, "out of memory");
        return NULL;
    }
    unsigned t = p->cfg.timeout_s;
    mysql_options(m, MYSQL_READ_DEFAULT_GROUP, "client"); /* password, ssl, … from my.cnf */
    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &t);
    mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &t);
    mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &t);
    const struct ss_dsn *d = &p->dsn;
    if (!mysql_real_connect(m, d->socket[0] ? "localhost" : d->host, d->user[0] ? d->user : NULL,
                            p->password, NULL, d->port, d->socket[0] ? d->socket : NULL, 0)) {
        snprintf(err, errsz, "%s", mysql_error(m));
        mysql_close(m);
        return NULL;
    }
    return m;
}

static bool var_changed(struct ss_poller *p, const char *name, const char *value)
{
    for (uint32_t i = 0; i < p->n_vars; i++) {
        if (strcmp(p->var_names[i], name) != 0)
            continue;
        if (!strcmp(p->var_values[i], value))
            return false;
        snprintf(p->var_values[i], sizeof(p->var_values[i]), "%s", value);
        return true;
    }
    if (p->n_vars < MAX_VARS) {
        snprintf(p->var_names[p->n_vars], sizeof(p->var_names[0]), "%s", name);
        snprintf(p->var_values[p->n_vars], sizeof(p->var_values[0]), "%s", value);
        p->n_vars++;
    }
    return true;
}

/* One query; every row pushed with one timestamp. False on a connection error. */
static bool run_query(struct ss_poller *p, MYSQL *m, const char *sql, bool vars, char *err,
                      size_t errsz)
{
    if (mysql_query(m, sql) != 0) {
        snprintf(err, errsz, "%s", mysql_error(m));
        return false;
    }
    int64_t ts = wall_ns();
    MYSQL_RES *res = mysql_store_result(m);
    if (!res) {
        snprintf(err, errsz, "%s", mysql_error(m));
        return false;
    }
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res))) {
        if (mysql_num_fields(res) < 2 || !row[0])
            continue;
        const char *v = row[1] ? row[1] : "";
        if (vars && !var_changed(p, row[0], v))
            continue;
        push(p, SS_POLL_SAMPLE, ts, row[0], v);
    }
    mysql_free_result(res);
    return true;
}

static void *poll_thread(void *arg)
{
    struct ss_poller *p = arg;
    mysql_thread_init();
    MYSQL *m = NULL;
    double backoff = p->cfg.backoff_min_s;
    bool outage = false, stopping = false;
    char err[160];
    while (!stopping) {
        if (!m) {
            m = connect_server(p, err, sizeof(err));
            if (!m) {
                pthread_mutex_lock(&p->mu);
                p->st.connect_failures++;
                pthread_mutex_unlock(&p->mu);
                if (!outage) { /* one record per outage, not per attempt */
                    push(p, SS_POLL_DISCONNECTED, wall_ns(), NULL, err);
                    outage = true;
                }
                first_round_over(p);
                stopping = nap(p, backoff);
                backoff = SS_MIN(backoff * 2, p->cfg.backoff_max_s);
                continue;
            }
            backoff = p->cfg.backoff_min_s;
            outage = false;
            p->n_vars = 0; /* a (re)connect records every variable again */
            push(p, SS_POLL_CONNECTED, wall_ns(), NULL, mysql_get_server_info(m));
            pthread_mutex_lock(&p->mu);
            p->st.connects++;
            pthread_mutex_unlock(&p->mu);
        }
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        /* Uptime beside the semisync status, in the same query (one timestamp): a restart of
         * the server shows as Uptime going down, even when every counter has already grown
         * past its old value by the time the poller is back */
        bool ok = run_query(p, m,
                            "SHOW GLOBAL STATUS WHERE Variable_name LIKE 'Rpl_semi_sync%' OR "
                            "Variable_name = 'Uptime'",
                            false, err, sizeof(err)) &&
                  run_query(p, m, "SHOW GLOBAL VARIABLES LIKE 'rpl_semi_sync%'", true, err,
                            sizeof(err));
        pthread_mutex_lock(&p->mu);
        p->st.polls++;
        if (!ok)
            p->st.disconnects++;
        pthread_mutex_unlock(&p->mu);
        first_round_over(p);
        if (!ok) {
            push(p, SS_POLL_DISCONNECTED, wall_ns(), NULL, err);
            outage = true;
            mysql_close(m);
            m = NULL;
            stopping = nap(p, backoff);
            continue;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double spent = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        stopping = nap(p, p->cfg.interval_s > spent ? p->cfg.interval_s - spent : 0);
    }
    if (m)
        mysql_close(m);
    mysql_thread_end();
    return NULL;
}

/* ---- public ------------------------------------------------------------------------------------- */

static void poller_free(struct ss_poller *p)
{
    if (p->password) {
        memset(p->password, 0, strlen(p->password));
        free(p->password);
    }
    free(p->q);
    free(p);
}

struct ss_poller *ss_poller_start(const struct ss_poller_cfg *cfg, char *errbuf)
{
    struct ss_poller *p = calloc(1, sizeof(*p));
    if (!p) {
        snprintf(errbuf, SS_ERRBUF_SIZE, "out of memory");
        return NULL;
    }
    p->cfg = *cfg;
    if (!(p->cfg.interval_s >= 0.05))
        p->cfg.interval_s = p->cfg.interval_s > 0 ? 0.05 : 1.0;
    if (p->cfg.queue_cap == 0)
        p->cfg.queue_cap = 16384;
    if (!(p->cfg.backoff_min_s > 0))
        p->cfg.backoff_min_s = 0.25;
    if (p->cfg.backoff_max_s < p->cfg.backoff_min_s)
        p->cfg.backoff_max_s = p->cfg.backoff_min_s;
    if (p->cfg.timeout_s == 0)
        p->cfg.timeout_s = 5;
    p->cfg.dsn = NULL; /* parsed below; the caller's string is not kept */
    p->cfg.record_path = NULL;
    if (!cfg->dsn || !ss_dsn_parse(cfg->dsn, &p->dsn, errbuf)) {
        if (!cfg->dsn)
            snprintf(errbuf, SS_ERRBUF_SIZE, "--dsn: missing");
        poller_free(p);
        return NULL;
    }
    const char *pwd = getenv("MYSQL_PWD");
    p->q = calloc(p->cfg.queue_cap, sizeof(*p->q));
    p->password = pwd ? strdup(pwd) : NULL;
    if (!p->q || (pwd && !p->password)) {
        snprintf(errbuf, SS_ERRBUF_SIZE, "out of memory");
        poller_free(p);
        return NULL;
    }
    if (cfg->record_path) {
        p->record = fopen(cfg->record_path, "w");
        if (!p->record) {
            snprintf(errbuf, SS_ERRBUF_SIZE, "--record-status %s: %s", cfg->record_path,
                     strerror(errno));
            poller_free(p);
            return NULL;
        }
        fprintf(p->record, "# semiscope status record: unix_ts<TAB>variable<TAB>value, "
                           "polled every %.3f s\n",
                p->cfg.interval_s);
    }
    /* libmariadb's global init must happen before threads use it */
    mysql_library_init(0, NULL, NULL);
    pthread_mutex_init(&p->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cv, &ca);
    pthread_condattr_destroy(&ca);
    int rc = pthread_create(&p->thread, NULL, poll_thread, p);
    if (rc != 0) {
        snprintf(errbuf, SS_ERRBUF_SIZE, "poller thread: %s", strerror(rc));
        if (p->record)
            fclose(p->record);
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv);
        poller_free(p);
        return NULL;
    }
    return p;
}

static void record_item(struct ss_poller *p, const struct ss_poll_item *it)
{
    if (!p->record)
        return;
    long long s = it->ts_ns / (int64_t)SS_NS_PER_SEC, us = (it->ts_ns % (int64_t)SS_NS_PER_SEC) / 1000;
    int n;
    if (it->kind == SS_POLL_SAMPLE)
        n = fprintf(p->record, "%lld.%06lld\t%s\t%s\n", s, us, it->name, it->value);
    else
        n = fprintf(p->record, "# %s %lld.%06lld %s\n",
                    it->kind == SS_POLL_CONNECTED ? "connected" : "disconnected", s, us,
                    it->value);
    if (n < 0)
        p->st.record_errors++;
}

size_t ss_poller_drain(struct ss_poller *p, ss_poll_cb cb, void *ctx)
{
    size_t n = 0;
    struct ss_poll_item batch[64];
    for (;;) {
        uint32_t k = 0;
        pthread_mutex_lock(&p->mu);
        while (k < SS_ARRAY_LEN(batch) && p->count > 0) {
            batch[k++] = p->q[p->head];
            p->head = (p->head + 1) % p->cfg.queue_cap;
            p->count--;
        }
        pthread_mutex_unlock(&p->mu);
        if (k == 0)
            break;
        for (uint32_t i = 0; i < k; i++) {
            record_item(p, &batch[i]);
            if (cb)
                cb(ctx, &batch[i]);
        }
        n += k;
    }
    if (p->record && n > 0 && fflush(p->record) != 0)
        p->st.record_errors++;
    return n;
}

void ss_poller_to_samples(void *ctx, const struct ss_poll_item *it)
{
    struct ss_status_samples *s = ctx;
    if (it->kind == SS_POLL_SAMPLE)
        ss_status_samples_add(s, it->ts_ns, it->name, it->value);
    else if (it->kind == SS_POLL_DISCONNECTED)
        ss_status_samples_gap(s, it->ts_ns, 0, it->value);
    else
        ss_status_samples_gap(s, 0, it->ts_ns, it->value); /* the version it found back */
}

bool ss_poller_wait_first(struct ss_poller *p, double max_s)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    int64_t ns = until.tv_nsec + (int64_t)(max_s > 0 ? max_s * 1e9 : 0);
    until.tv_sec += (time_t)(ns / 1000000000);
    until.tv_nsec = (long)(ns % 1000000000);
    pthread_mutex_lock(&p->mu);
    while (!p->first_done && !p->stop) {
        if (pthread_cond_timedwait(&p->cv, &p->mu, &until) == ETIMEDOUT)
            break;
    }
    bool done = p->first_done;
    pthread_mutex_unlock(&p->mu);
    return done;
}

void ss_poller_stats(struct ss_poller *p, struct ss_poller_stats *out)
{
    pthread_mutex_lock(&p->mu);
    *out = p->st;
    pthread_mutex_unlock(&p->mu);
}

int ss_poller_stop(struct ss_poller *p, ss_poll_cb cb, void *ctx)
{
    if (!p)
        return SS_OK;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    ss_poller_drain(p, cb, ctx);
    int rc = SS_OK;
    if (p->record) {
        if (fclose(p->record) != 0 || p->st.record_errors)
            rc = SS_ERR_IO;
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    poller_free(p);
    return rc;
}
