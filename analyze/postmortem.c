/* SPDX-License-Identifier: MIT */
/* postmortem.c: the postmortem's entry points: facts extracted from one master's report object
 * and the server data, then correlation (correlate.c) and diagnosis (diagnosis.c); results kept
 * per master as JSON, from which the text report is also written. */
#include "semiscope/postmortem.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "pm_priv.h"
#include "semiscope/status.h"

struct pm_master {
    struct ss_endpoint ep;
    json_t *obj;
};

struct ss_postmortem {
    struct ss_postmortem_cfg cfg;
    const struct ss_status_samples *st;
    const struct ss_errlog *el;
    struct pm_master *masters;
    uint32_t n, cap;
};

void ss_postmortem_cfg_defaults(struct ss_postmortem_cfg *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->max_match_s = 60.0;
    cfg->max_timeline = 400;
    cfg->tx_wait_time_tolerance = 0.25;
}

/* ---- JSON helpers ---------------------------------------------------------------------------- */

int64_t pm_jint(const json_t *o, const char *key, int64_t dflt)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    if (json_is_integer(v))
        return (int64_t)json_integer_value(v);
    if (json_is_real(v))
        return (int64_t)json_real_value(v);
    if (json_is_boolean(v))
        return json_is_true(v);
    if (json_is_object(v)) /* {"value": n, "source": "…"} as parameters are reported */
        return pm_jint(v, "value", dflt);
    return dflt;
}

const char *pm_jstr(const json_t *o, const char *key, const char *dflt)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    if (json_is_object(v))
        v = json_object_get(v, "value");
    return json_is_string(v) ? json_string_value(v) : dflt;
}

static int64_t days_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

int64_t pm_jts(const json_t *v)
{
    /* times beyond 2262 do not fit ns in int64: treated as absent */
    if (json_is_real(v)) {
        /* report times carry microseconds; d * 1e9 would lose the last digits of a 2020s time
         * (a double holds ~16), so whole seconds and the microseconds are converted apart */
        double d = json_real_value(v);
        if (!(d > 0 && d < 9.2e9))
            return 0;
        double secs = floor(d);
        return (int64_t)secs * (int64_t)SS_NS_PER_SEC + llround((d - secs) * 1e6) * 1000;
    }
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        return i > 0 && i < 9200000000LL ? (int64_t)i * (int64_t)SS_NS_PER_SEC : 0;
    }
    if (!json_is_string(v))
        return 0;
    const char *s = json_string_value(v);
    int y, mo, d, h, mi, se, n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6 ||
        y < 1970 || y > 2261)
        return 0;
    int64_t ns = (days_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) * (int64_t)SS_NS_PER_SEC;
    if (s[n] == '.') {
        int64_t mul = 100000000;
        for (const char *p = s + n + 1; isdigit((unsigned char)*p) && mul > 0; p++, mul /= 10)
            ns += (*p - '0') * mul;
    }
    return ns;
}

char *pm_fmt_time(int64_t ns, bool with_date, char *buf, size_t n)
{
    time_t secs = (time_t)(ns / (int64_t)SS_NS_PER_SEC);
    int ms = (int)((ns % (int64_t)SS_NS_PER_SEC) / 1000000);
    if (ms < 0) {
        ms += 1000;
        secs--;
    }
    struct tm tm;
    gmtime_r(&secs, &tm);
    if (with_date)
        snprintf(buf, n, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    else
        snprintf(buf, n, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    return buf;
}

void pm_appendf(char *buf, size_t n, const char *fmt, ...)
{
    size_t used = strnlen(buf, n);
    if (used + 1 >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, n - used, fmt, ap);
    va_end(ap);
}

/* ---- facts from the master object -------------------------------------------------------------- */

static bool ci_contains(const char *s, const char *needle)
{
    size_t n = strlen(needle);
    for (; *s; s++)
        if (strncasecmp(s, needle, n) == 0)
            return true;
    return false;
}

/* MySQL ≥ 8.0.26 from a version string like "8.0.36-log"; -1 unknown. */
static int mysql_new_names(const char *v)
{
    int a, b, c;
    if (!v || sscanf(v, "%d.%d.%d", &a, &b, &c) != 3)
        return -1;
    return a > 8 || (a == 8 && (b > 0 || c >= 26));
}

static void pick_names(struct pm_ctx *c)
{
    const char *ver = pm_jstr(c->m, "server_version", NULL);
    const char *fl = pm_jstr(c->m, "flavor", "");
    if (ci_contains(fl, "mariadb") || (ver && ci_contains(ver, "mariadb")))
        c->flavor = 2;
    else if (ci_contains(fl, "mysql"))
        c->flavor = 1;
    else if (c->el && c->el->flavor_hint)
        c->flavor = c->el->flavor_hint;
    if (c->st && c->st->naming == SS_NAMING_SOURCE)
        c->flavor = 1;
    int newnames = -1;
    if (c->flavor == 1) {
        newnames = mysql_new_names(ver);
        if (c->st && c->st->naming == SS_NAMING_SOURCE)
            newnames = 1;
        else if (c->st && c->st->naming == SS_NAMING_MASTER)
            newnames = 0; /* the server exposes only its installed plugin's names */
    } else if (c->flavor == 2) {
        newnames = 0;
    }
    struct pm_names *n = &c->names;
    if (newnames == 1 || (newnames == -1 && c->flavor == 1)) {
        *n = (struct pm_names){"rpl_semi_sync_source_enabled", "rpl_semi_sync_replica_enabled",
                               "STOP REPLICA IO_THREAD",       "START REPLICA IO_THREAD",
                               "SHOW REPLICA STATUS\\G",       "SHOW GLOBAL STATUS LIKE '%semi%'",
                               "rpl_semi_sync_source_wait_for_replica_count", "Replica_IO_Running",
                               "Rpl_semi_sync_source_",
                               "Rpl_semi_sync_replica_status", newnames == -1};
    } else {
        *n = (struct pm_names){"rpl_semi_sync_master_enabled", "rpl_semi_sync_slave_enabled",
                               "STOP SLAVE IO_THREAD",         "START SLAVE IO_THREAD",
                               "SHOW SLAVE STATUS\\G",         "SHOW GLOBAL STATUS LIKE '%semi%'",
                               "rpl_semi_sync_master_wait_for_slave_count", "Slave_IO_Running",
                               "Rpl_semi_sync_master_",
                               "Rpl_semi_sync_slave_status", newnames == -1};
    }
}

static int64_t lat(const json_t *r, const char *key, const char *pct)
{
    json_t *o = json_object_get(r, key);
    return json_is_object(o) ? pm_jint(o, pct, -1) : -1;
}

static void interval_p50s(struct pm_repl *p, const json_t *r)
{
    /* the report's replica `timeline` {`intervals`: [{`p50_us` or null, …}]}, present when the
     * report was built with verbosity >= 1 (the CLI's postmortem pass always does) */
    json_t *iv = json_object_get(json_object_get(r, "timeline"), "intervals");
    size_t n = json_array_size(iv);
    if (n < 4)
        return;
    /* mean p50 of the first and last quarter of the intervals that had acks */
    size_t q = n / 4;
    int64_t a = 0, b = 0, na = 0, nb = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(iv, i);
        int64_t v = pm_jint(e, "p50_us", -1);
        if (v < 0)
            continue;
        if (i < q) {
            a += v;
            na++;
        } else if (i >= n - q) {
            b += v;
            nb++;
        }
    }
    if (na && nb) {
        p->first_p50_us = a / na;
        p->last_p50_us = b / nb;
    }
}

static void conns_of(struct pm_repl *p, const json_t *r)
{
    json_t *cs = json_object_get(r, "connections");
    size_t i;
    json_t *e;
    json_array_foreach(cs, i, e)
    {
        if (p->n_conns >= SS_ARRAY_LEN(p->conns))
            break;
        /* the report's connection: first_ts, last_ts, end ("fin", "rst", "idle", "capture",
         * "evicted", "open"); a connection open at the end of the capture has no end time.
         * `closed_by` says which side sent the FIN/RST first. */
        struct pm_conn *k = &p->conns[p->n_conns++];
        k->start_ns = pm_jts(json_object_get(e, "first_ts"));
        const char *end = pm_jstr(e, "end", "");
        const char *by = pm_jstr(e, "closed_by", "");
        if (by[0] && (!strcmp(end, "fin") || !strcmp(end, "rst")))
            snprintf(k->how, sizeof(k->how), "%s from the %s", !strcmp(end, "fin") ? "FIN" : "RST",
                     by);
        else
            snprintf(k->how, sizeof(k->how), "%s", end);
        k->thread_id = pm_jint(e, "thread_id", -1);
        k->midstream = json_is_true(json_object_get(e, "midstream"));
        snprintf(k->end, sizeof(k->end), "%s", end);
        k->closed_by_master = !strcmp(by, "master") ? 1 : !strcmp(by, "replica") ? 0 : -1;
        json_t *ss = json_object_get(e, "semisync");
        k->semisync = json_is_boolean(ss) ? json_is_true(ss) : -1;
        k->ack_requests = pm_jint(e, "ack_requests", -1);
        k->acks = pm_jint(e, "acks", -1);
        bool open = !strcmp(end, "open") || !strcmp(end, "capture") || !end[0];
        k->end_ns = open ? 0 : pm_jts(json_object_get(e, "last_ts"));
    }
}

static void replicas_of(struct pm_ctx *c)
{
    json_t *rs = json_object_get(c->m, "replicas");
    size_t i;
    json_t *r;
    json_array_foreach(rs, i, r)
    {
        if (c->n_repl >= PM_MAX_REPL)
            break;
        struct pm_repl *p = &c->repl[c->n_repl++];
        memset(p, 0, sizeof(*p));
        snprintf(p->address, sizeof(p->address), "%s", pm_jstr(r, "address", "?"));
        p->server_id = pm_jint(r, "server_id", -1);
        json_t *ss = json_object_get(r, "semisync");
        p->semisync = json_is_boolean(ss) ? json_is_true(ss) : -1;
        p->events = pm_jint(r, "events", -1);
        p->ack_requests = pm_jint(r, "ack_requests", -1);
        p->acks = pm_jint(r, "acks", -1);
        p->unanswered = pm_jint(r, "requests_unanswered", -1);
        p->kill_connections = pm_jint(r, "kill_connections", -1);
        p->released = -1;
        if (p->server_id >= 0) { /* semisync.released_by_server_id {"2": 39, …} */
            char key[24];
            snprintf(key, sizeof(key), "%lld", (long long)p->server_id);
            json_t *rb = json_object_get(json_object_get(c->m, "semisync"),
                                         "released_by_server_id");
            p->released = json_is_object(rb) ? pm_jint(rb, key, 0) : -1; /* absent: none */
        }
        p->p50_us = lat(r, "ack_latency_us", "p50");
        p->p99_us = lat(r, "ack_latency_us", "p99");
        p->max_us = lat(r, "ack_latency_us", "max");
        p->net_p50_us = lat(r, "network_latency_us", "p50");
        p->repl_p50_us = lat(r, "replica_latency_us", "p50");
        p->retransmissions = pm_jint(r, "retransmissions", -1);
        p->zero_windows = pm_jint(r, "zero_windows", -1);
        p->first_p50_us = p->last_p50_us = -1;
        interval_p50s(p, r);
        conns_of(p, r);
        if (json_is_true(json_object_get(r, "midstream")))
            c->midstream = true;
    }
}

static void transitions_of(struct pm_ctx *c, const json_t *semi)
{
    json_t *trs = json_object_get(semi, "transitions");
    size_t i;
    json_t *t;
    json_array_foreach(trs, i, t)
    {
        if (c->n_tr >= PM_MAX_TR)
            break;
        const char *to = pm_jstr(t, "to", "");
        if (strcasecmp(to, "on") != 0 && strcasecmp(to, "off") != 0)
            continue;
        struct pm_tr *p = &c->tr[c->n_tr];
        p->ts_ns = pm_jts(json_object_get(t, "ts"));
        if (p->ts_ns == 0)
            continue;
        p->to_on = strcasecmp(to, "on") == 0;
        snprintf(p->pos, sizeof(p->pos), "%s", pm_jstr(t, "position", ""));
        snprintf(p->reason, sizeof(p->reason), "%s", pm_jstr(t, "reason", ""));
        json_t *ap = json_object_get(t, "approximate_s"); /* null when exact */
        p->approx_s = json_is_number(ap) ? json_number_value(ap) : 0;
        /* the state machine's reasons (docs/semisync-state.md "Evidence and transitions"); the
         * full text is read, even past what `reason` keeps */
        const char *why = pm_jstr(t, "reason", "");
        /* The state machine names the cause (`cause`); reports written before it had one are
         * read by their reason's wording. */
        const char *cause = pm_jstr(t, "cause", "");
        if (cause[0]) {
            p->disable = !p->to_on && strcmp(cause, "disabled") == 0;
            p->enable = p->to_on && strcmp(cause, "enabled") == 0;
            /* seen_off: the cause is not on the wire (a shorter timeout than assumed is one):
             * unknown, not "not a timeout" */
            p->not_timeout = !p->to_on && strcmp(cause, "no_semisync_replica") == 0;
            p->timed_out = !p->to_on && strcmp(cause, "timeout") == 0;
        } else {
            p->disable = !p->to_on && (ci_contains(why, "_enabled=OFF") ||
                                       ci_contains(why, "semisync was disabled on the"));
            p->enable = p->to_on && ci_contains(why, "semisync was enabled on the");
            p->not_timeout = !p->to_on && !p->disable && ci_contains(why, "wait_no_slave=OFF");
            p->timed_out = !p->to_on && !p->disable && !p->not_timeout &&
                           (ci_contains(why, " with no ack") ||
                            ci_contains(why, "acks needed arrived"));
        }
        c->n_tr++;
    }
}

static void params_of(struct pm_ctx *c)
{
    json_t *pa = json_object_get(c->m, "parameters");
    /* each parameter is {value, source}; wait_point's value is "AFTER_SYNC", "AFTER_COMMIT" or
     * null, enabled's true, false or null */
    c->timeout_ms = pm_jint(pa, "timeout_ms", -1);
    c->wait_count = pm_jint(pa, "wait_count", -1);
    const char *wp = pm_jstr(pa, "wait_point", NULL);
    c->wait_point_after_sync = !wp ? -1 : !strcasecmp(wp, "AFTER_SYNC") ? 1
                                          : !strcasecmp(wp, "AFTER_COMMIT") ? 0 : -1;
    c->enabled = (int)pm_jint(pa, "enabled", -1);
    c->enabled_src = pm_jstr(json_object_get(pa, "enabled"), "source", "");
    c->timeout_src = pm_jstr(json_object_get(pa, "timeout_ms"), "source", "");
    c->wait_count_src = pm_jstr(json_object_get(pa, "wait_count"), "source", "");
    const struct ss_status_samples *st = c->st;
    /* the server's own variables over an assumed default (the CLI feeds them to the state
     * machine, so there they already are the report's, source "file") */
    if ((c->timeout_ms < 0 || !strcmp(c->timeout_src, "default")) &&
        ss_status_samples_has(st, SS_SV_VAR_TIMEOUT)) {
        c->timeout_ms = st->series[SS_SV_VAR_TIMEOUT].first.value;
        c->timeout_src = "file";
    }
    if (c->wait_count < 0 && ss_status_samples_has(st, SS_SV_VAR_WAIT_COUNT)) {
        c->wait_count = st->series[SS_SV_VAR_WAIT_COUNT].first.value;
        c->wait_count_src = "file";
    }
    if (c->wait_point_after_sync < 0 && ss_status_samples_has(st, SS_SV_VAR_WAIT_POINT))
        c->wait_point_after_sync = st->series[SS_SV_VAR_WAIT_POINT].first.value != 0;
    if (c->timeout_ms < 0) {
        c->timeout_ms = 10000;
        c->timeout_src = "default";
    }
    if (c->wait_count < 1)
        c->wait_count = 1;
}

/* The capture window: the configured one (ss_postmortem_add_report takes the report's
 * `capture.first_ts`/`last_ts`), else the span of the replicas' streams, else the server data. */
static void window_of(struct pm_ctx *c)
{
    c->w0 = c->cfg->window_start_ns;
    c->w1 = c->cfg->window_end_ns;
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(c->m, "replicas"), i, r)
    {
        int64_t a = pm_jts(json_object_get(r, "first_ts")), b = pm_jts(json_object_get(r, "last_ts"));
        if (a && c->cfg->window_start_ns == 0 && (c->w0 == 0 || a < c->w0))
            c->w0 = a;
        if (b && c->cfg->window_end_ns == 0 && b > c->w1)
            c->w1 = b;
    }
    if (c->w0 == 0 && c->st)
        c->w0 = c->st->first_ts_ns;
    if (c->w1 == 0 && c->st)
        c->w1 = c->st->last_ts_ns;
    if (c->w1 == 0)
        c->w1 = INT64_MAX / 2;
}

static void extract(struct pm_ctx *c)
{
    pick_names(c);
    json_t *semi = json_object_get(c->m, "semisync");
    snprintf(c->state_start, sizeof(c->state_start), "%s", pm_jstr(semi, "state_start", ""));
    snprintf(c->state_end, sizeof(c->state_end), "%s", pm_jstr(semi, "state_end", ""));
    transitions_of(c, semi);
    replicas_of(c);
    params_of(c);
    /* {count, list: [{ts, position, gtid, why, approximate_s}]} */
    c->unprotected = pm_jint(json_object_get(c->m, "unprotected_transactions"), "count", -1);
    c->while_disabled = pm_jint(json_object_get(semi, "transactions"), "while_disabled", -1);
    c->commit_wait_p50_us = pm_jint(json_object_get(c->m, "commit_wait_us"), "p50", -1);
    if (json_is_true(json_object_get(c->m, "midstream")))
        c->midstream = true;
    window_of(c);
}

static json_t *server_data_json(const struct pm_ctx *c)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    if (c->st) {
        json_object_set_new(o, "status_samples", json_integer((json_int_t)c->st->samples));
        json_object_set_new(o, "status_bad_lines", json_integer((json_int_t)c->st->bad_lines));
        json_object_set_new(o, "status_damaged_lines",
                            json_integer((json_int_t)c->st->damaged_lines));
        json_object_set_new(o, "status_gaps", json_integer((json_int_t)c->st->n_gaps));
        json_object_set_new(o, "server_restarts", json_integer((json_int_t)c->st->n_restarts));
    }
    if (c->el) {
        json_object_set_new(o, "log_records", json_integer((json_int_t)c->el->n));
        json_object_set_new(o, "log_lines_skipped", json_integer((json_int_t)c->el->skipped));
        json_object_set_new(o, "log_bad_timestamps", json_integer((json_int_t)c->el->bad_ts));
        json_object_set_new(o, "log_damaged_lines", json_integer((json_int_t)c->el->damaged_lines));
        json_object_set_new(o, "log_records_dropped", json_integer((json_int_t)c->el->dropped));
        json_object_set_new(o, "log_records_dropped_until",
                            c->el->dropped ? json_real((double)c->el->dropped_last_ts_ns / 1e9)
                                           : json_null());
    }
    json_object_set_new(o, "window_start", c->w0 ? json_real((double)c->w0 / 1e9) : json_null());
    json_object_set_new(o, "window_end",
                        c->w1 < INT64_MAX / 2 ? json_real((double)c->w1 / 1e9) : json_null());
    return o;
}

json_t *ss_postmortem_build(const json_t *master_obj, const struct ss_status_samples *status,
                            const struct ss_errlog *errlog, const struct ss_postmortem_cfg *cfg)
{
    struct ss_postmortem_cfg defaults;
    if (!cfg) {
        ss_postmortem_cfg_defaults(&defaults);
        cfg = &defaults;
    }
    struct pm_ctx *c = calloc(1, sizeof(*c));
    json_t *out = json_object();
    if (!c || !out)
        goto oom;
    c->m = master_obj;
    c->st = status && status->samples ? status : NULL;
    c->el = errlog;
    c->cfg = cfg;
    c->correlation = json_array();
    c->diagnosis = json_array();
    c->timeline = json_array();
    if (!c->correlation || !c->diagnosis || !c->timeline)
        goto oom;
    extract(c);
    pm_clock_offset(c);
    pm_samples_vs_wire(c);
    if (pm_correlate(c) != SS_OK || pm_timeline(c) != SS_OK || pm_diagnose(c) != SS_OK)
        goto oom;
    /* the wire's verdict alone, to say whether the server's files confirm or correct it */
    json_t *wire = NULL;
    if (status || errlog) {
        wire = ss_postmortem_build(master_obj, NULL, NULL, cfg);
        if (!wire)
            goto oom;
    }
    json_t *basis = pm_basis_json(c, json_object_get(wire, "diagnosis"), status != NULL,
                                  errlog != NULL);
    json_decref(wire);
    if (!basis)
        goto oom;
    json_object_set_new(out, "correlation", c->correlation);
    json_object_set_new(out, "diagnosis", c->diagnosis);
    json_object_set_new(out, "diagnosis_basis", basis);
    json_object_set_new(out, "clock_offset_s",
                        c->have_offset ? json_real(c->offset_s) : json_null());
    json_object_set_new(out, "clock_offset_error_s",
                        c->have_offset ? json_real(c->offset_err_s) : json_null());
    json_object_set_new(out, "clock_offset_basis", json_string(c->offset_basis));
    json_object_set_new(out, "timeline", c->timeline);
    json_object_set_new(out, "timeline_dropped", json_integer((json_int_t)c->timeline_dropped));
    json_object_set_new(out, "server_data", server_data_json(c));
    free(c);
    return out;
oom:
    if (c) {
        json_decref(c->correlation);
        json_decref(c->diagnosis);
        json_decref(c->timeline);
    }
    free(c);
    json_decref(out);
    return NULL;
}

/* ---- the per-run object ------------------------------------------------------------------------ */

struct ss_postmortem *ss_postmortem_new(const struct ss_postmortem_cfg *cfg,
                                        const struct ss_status_samples *status,
                                        const struct ss_errlog *errlog)
{
    struct ss_postmortem *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    if (cfg)
        p->cfg = *cfg;
    else
        ss_postmortem_cfg_defaults(&p->cfg);
    p->st = status;
    p->el = errlog;
    return p;
}

void ss_postmortem_free(struct ss_postmortem *p)
{
    if (!p)
        return;
    for (uint32_t i = 0; i < p->n; i++)
        json_decref(p->masters[i].obj);
    free(p->masters);
    free(p);
}

static struct pm_master *find_master(const struct ss_postmortem *p, const struct ss_endpoint *ep)
{
    for (uint32_t i = 0; i < p->n; i++)
        if (ss_endpoint_eq(&p->masters[i].ep, ep))
            return &p->masters[i];
    return NULL;
}

int ss_postmortem_add_master(struct ss_postmortem *p, const struct ss_endpoint *master,
                             const json_t *master_obj)
{
    bool ours = !p->cfg.has_server_endpoint || ss_endpoint_eq(&p->cfg.server_endpoint, master);
    json_t *obj = ss_postmortem_build(master_obj, ours ? p->st : NULL, ours ? p->el : NULL,
                                      &p->cfg);
    if (!obj)
        return SS_ERR_NOMEM;
    struct pm_master *m = find_master(p, master);
    if (!m) {
        if (p->n == p->cap) {
            uint32_t ncap = p->cap ? p->cap * 2 : 4;
            struct pm_master *nm = realloc(p->masters, ncap * sizeof(*nm));
            if (!nm) {
                json_decref(obj);
                return SS_ERR_NOMEM;
            }
            p->masters = nm;
            p->cap = ncap;
        }
        m = &p->masters[p->n++];
        m->ep = *master;
        m->obj = NULL;
    }
    json_decref(m->obj);
    m->obj = obj;
    return SS_OK;
}

/* Without the server's files the correlation and the merged timeline say nothing the rest of the
 * report does not: only the verdict is the postmortem's. */
static bool wire_only(const struct ss_postmortem *p)
{
    return !p->st && !p->el;
}

json_t *ss_postmortem_master_json(const struct ss_postmortem *p, const struct ss_endpoint *master)
{
    const struct pm_master *m = p ? find_master(p, master) : NULL;
    if (!m)
        return NULL;
    if (!wire_only(p))
        return json_deep_copy(m->obj);
    json_t *o = json_object();
    if (!o)
        return NULL;
    if (json_object_set_new(o, "diagnosis", json_deep_copy(json_object_get(m->obj, "diagnosis"))) ||
        json_object_set_new(o, "diagnosis_basis",
                            json_deep_copy(json_object_get(m->obj, "diagnosis_basis")))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

void ss_postmortem_master_verdict_text(FILE *out, const struct ss_postmortem *p,
                                       const struct ss_endpoint *master, int verbosity)
{
    (void)verbosity;
    const struct pm_master *m = p ? find_master(p, master) : NULL;
    if (m)
        ss_postmortem_verdict_text(out, m->obj);
}

void ss_postmortem_master_text(FILE *out, const struct ss_postmortem *p,
                               const struct ss_endpoint *master, int verbosity)
{
    const struct pm_master *m = p ? find_master(p, master) : NULL;
    if (m && !wire_only(p))
        ss_postmortem_detail_text(out, m->obj, verbosity);
}

/* "10.0.0.1:3306" or "[2001:db8::1]:3306" → endpoint. */
static bool parse_endpoint(const char *s, struct ss_endpoint *ep)
{
    char host[64];
    const char *colon;
    memset(ep, 0, sizeof(*ep));
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof(host))
            return false;
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = '\0';
        colon = close + 1;
        ep->addr.family = 6;
        if (inet_pton(AF_INET6, host, ep->addr.b) != 1)
            return false;
    } else {
        colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= sizeof(host))
            return false;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
        ep->addr.family = 4;
        if (inet_pton(AF_INET, host, ep->addr.b) != 1)
            return false;
    }
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port <= 0 || port > 65535)
        return false;
    ep->port = (uint16_t)port;
    return true;
}

int ss_postmortem_add_report(struct ss_postmortem *p, const json_t *report)
{
    struct ss_postmortem_cfg saved = p->cfg;
    const json_t *cap = json_object_get(report, "capture");
    if (p->cfg.window_start_ns == 0)
        p->cfg.window_start_ns = pm_jts(json_object_get(cap, "first_ts"));
    if (p->cfg.window_end_ns == 0)
        p->cfg.window_end_ns = pm_jts(json_object_get(cap, "last_ts"));
    /* what the capture lost: it may distort the verdict (pm_verdict.c says so) */
    const json_t *flows = json_object_get(report, "flows");
    const json_t *drops = json_object_get(cap, "drops");
    if (p->cfg.capture_gaps == 0)
        p->cfg.capture_gaps = (uint64_t)pm_jint(flows, "gaps", 0);
    if (p->cfg.capture_gap_bytes == 0)
        p->cfg.capture_gap_bytes = (uint64_t)pm_jint(flows, "gap_bytes", 0);
    if (p->cfg.capture_drops == 0)
        p->cfg.capture_drops = (uint64_t)pm_jint(drops, "kernel_dropped", 0) +
                               (uint64_t)pm_jint(drops, "if_dropped", 0);
    if (p->cfg.capture_files_unread == 0)
        p->cfg.capture_files_unread = (uint64_t)pm_jint(cap, "files_not_read_to_end", 0);
    int rc = SS_OK;
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(report, "masters"), i, m)
    {
        struct ss_endpoint ep;
        if (!parse_endpoint(pm_jstr(m, "endpoint", ""), &ep))
            continue;
        rc = ss_postmortem_add_master(p, &ep, m);
        if (rc != SS_OK)
            break;
    }
    p->cfg = saved;
    return rc;
}
