/* SPDX-License-Identifier: MIT */
/* correlate.c: the wire against the servers' own records: clock offset between capture and
 * server, the counter table with a verdict per row, and one merged timeline. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pm_priv.h"
#include "semiscope/status.h"

#define NS_F(x) ((double)(x) / 1e9)

int64_t pm_to_capture(const struct pm_ctx *c, int64_t server_ns)
{
    return c->have_offset ? server_ns - (int64_t)(c->offset_s * 1e9) : server_ns;
}

static int64_t to_server(const struct pm_ctx *c, int64_t capture_ns)
{
    return c->have_offset ? capture_ns + (int64_t)(c->offset_s * 1e9) : capture_ns;
}

/* ---- clock offset --------------------------------------------------------------------------- */

/* A server-side observation that a wire event happened within [lo, hi] (server clock). */
struct pm_obs {
    int64_t lo, hi;
    int to_on;           /* transitions: 1/0; dump starts: 2 */
    int64_t server_id;   /* dump starts */
    char pos[96];
    int src;             /* 0 status sample, 1 log line */
    bool used;
};

struct pm_offset_acc {
    double lo, hi;       /* running intersection of offset intervals, s */
    double mids[64];
    uint32_t n, n_status, n_log, n_conn;
    bool empty;
};

static void acc_add(struct pm_offset_acc *a, const struct pm_obs *o, int64_t wire_ns, double tol)
{
    double lo = NS_F(o->lo - wire_ns) - tol, hi = NS_F(o->hi - wire_ns) + tol;
    if (a->n == 0) {
        a->lo = lo;
        a->hi = hi;
    } else {
        if (lo > a->lo)
            a->lo = lo;
        if (hi < a->hi)
            a->hi = hi;
    }
    if (a->n < SS_ARRAY_LEN(a->mids))
        a->mids[a->n] = (lo + hi) / 2;
    a->n++;
    if (o->src == 0)
        a->n_status++;
    else if (o->to_on == 2)
        a->n_conn++;
    else
        a->n_log++;
}

static uint32_t collect_obs(const struct pm_ctx *c, struct pm_obs *obs, uint32_t max)
{
    uint32_t n = 0;
    int64_t margin = (int64_t)(c->cfg->max_match_s * 1e9);
    if (c->st) {
        const struct ss_sv_series *se = &c->st->series[SS_SV_STATUS];
        for (uint32_t k = 1; k < se->n_points && n < max; k++) {
            const struct ss_sv_point *p = &se->points[k];
            if (p->ts_ns < c->w0 - margin || p->ts_ns > c->w1 + margin)
                continue;
            obs[n++] = (struct pm_obs){.lo = p->prev_ts_ns, .hi = p->ts_ns,
                                       .to_on = p->value != 0, .src = 0};
        }
    }
    for (uint32_t i = 0; c->el && i < c->el->n && n < max; i++) {
        const struct ss_el_record *r = &c->el->recs[i];
        if (r->ts_ns < c->w0 - margin || r->ts_ns > c->w1 + margin)
            continue;
        int kind = r->kind == SS_EL_SWITCHED_OFF ? 0
                   : r->kind == SS_EL_SWITCHED_ON ? 1
                   : (r->kind == SS_EL_DUMP_START && r->semisync != 0 && r->server_id >= 0) ? 2
                                                                                             : -1;
        if (kind < 0)
            continue;
        struct pm_obs o = {.lo = r->ts_ns, .hi = r->ts_ns + r->ts_res_ns, .to_on = kind,
                           .server_id = r->server_id, .src = 1};
        if (r->file[0] && r->pos >= 0)
            snprintf(o.pos, sizeof(o.pos), "%s:%lld", r->file, (long long)r->pos);
        obs[n++] = o;
    }
    return n;
}

/* Best unused observation for a wire event: same kind, the position when both have one, else the
 * nearest in time within max_match_s. */
static struct pm_obs *match_obs(const struct pm_ctx *c, struct pm_obs *obs, uint32_t n, int kind,
                                int64_t sid, const char *pos, int64_t wire_ns, int src)
{
    struct pm_obs *best = NULL;
    double best_d = c->cfg->max_match_s;
    for (uint32_t i = 0; i < n; i++) {
        struct pm_obs *o = &obs[i];
        if (o->used || o->to_on != kind || o->src != src || (kind == 2 && o->server_id != sid))
            continue;
        double d = NS_F(o->lo / 2 + o->hi / 2 - wire_ns);
        if (d < 0)
            d = -d;
        if (pos && pos[0] && o->pos[0] && strcmp(pos, o->pos) == 0)
            d = 0; /* the same binlog coordinates: the same event */
        if (d <= best_d) {
            best = o;
            best_d = d;
        }
    }
    return best;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void pm_clock_offset(struct pm_ctx *c)
{
    struct pm_obs *obs = calloc(1024, sizeof(*obs));
    if (!obs) {
        snprintf(c->offset_basis, sizeof(c->offset_basis), "not estimated (out of memory)");
        return;
    }
    uint32_t n = collect_obs(c, obs, 1024);
    struct pm_offset_acc a = {0};
    for (int src = 0; src < 2; src++) {
        for (uint32_t i = 0; i < c->n_tr; i++) {
            const struct pm_tr *t = &c->tr[i];
            struct pm_obs *o = match_obs(c, obs, n, t->to_on, -1, t->pos, t->ts_ns, src);
            if (!o)
                continue;
            o->used = true;
            /* an OFF on the wire is placed at flag time + timeout: allow 50 ms for the commit's
             * own start before the flagged event left the master */
            acc_add(&a, o, t->ts_ns, (t->to_on ? 0.005 : 0.05) + t->approx_s);
        }
    }
    for (uint32_t r = 0; r < c->n_repl; r++) {
        for (uint32_t k = 0; k < c->repl[r].n_conns; k++) {
            const struct pm_conn *cn = &c->repl[r].conns[k];
            if (cn->start_ns == 0 || c->repl[r].server_id < 0)
                continue;
            struct pm_obs *o =
                match_obs(c, obs, n, 2, c->repl[r].server_id, NULL, cn->start_ns, 1);
            if (!o)
                continue;
            o->used = true;
            acc_add(&a, o, cn->start_ns, 0.05);
        }
    }
    free(obs);
    if (a.n == 0) {
        snprintf(c->offset_basis, sizeof(c->offset_basis),
                 "not estimated: no wire transition or dump start matched a status sample or log "
                 "line within %.0f s",
                 c->cfg->max_match_s);
        return;
    }
    c->have_offset = true;
    if (a.lo <= a.hi) {
        c->offset_s = (a.lo + a.hi) / 2;
        c->offset_err_s = (a.hi - a.lo) / 2;
    } else {
        uint32_t m = a.n < SS_ARRAY_LEN(a.mids) ? a.n : (uint32_t)SS_ARRAY_LEN(a.mids);
        qsort(a.mids, m, sizeof(double), dbl_cmp);
        c->offset_s = a.mids[m / 2];
        c->offset_err_s = (a.mids[m - 1] - a.mids[0]) / 2;
    }
    snprintf(c->offset_basis, sizeof(c->offset_basis),
             "%u match(es): %u status-sample transition(s), %u log transition line(s), %u dump "
             "start(s) in the log; server clock = capture clock %+.3f s (±%.3f s)%s",
             a.n, a.n_status, a.n_log, a.n_conn, c->offset_s, c->offset_err_s,
             a.lo <= a.hi ? "" : "; the matches disagree, median taken");
}

/* ---- correlation table -------------------------------------------------------------------- */

struct srv_window {
    bool any;            /* a sample inside the window */
    int64_t first_ts, last_ts;
    double interval_s;   /* estimated sampling interval */
};

static void window_info(const struct pm_ctx *c, struct srv_window *w)
{
    memset(w, 0, sizeof(*w));
    if (!c->st)
        return;
    int64_t s0 = to_server(c, c->w0), s1 = to_server(c, c->w1);
    w->first_ts = c->st->first_ts_ns > s0 ? c->st->first_ts_ns : s0;
    w->last_ts = c->st->last_ts_ns < s1 ? c->st->last_ts_ns : s1;
    w->any = c->st->last_ts_ns >= s0 && c->st->first_ts_ns <= s1;
    if (c->st->samples > 1)
        w->interval_s = NS_F(c->st->last_ts_ns - c->st->first_ts_ns) / (double)(c->st->samples - 1);
}

static int add_row(struct pm_ctx *c, const char *var, json_t *wire, json_t *server,
                   const char *verdict)
{
    json_t *r = json_object();
    if (!r || !wire || !server) {
        json_decref(r);
        json_decref(wire);
        json_decref(server);
        return SS_ERR_NOMEM;
    }
    json_object_set_new(r, "variable", json_string(var));
    json_object_set_new(r, "wire", wire);
    json_object_set_new(r, "server", server);
    json_object_set_new(r, "verdict", json_string(verdict));
    return json_array_append_new(c->correlation, r) ? SS_ERR_NOMEM : SS_OK;
}

static void coverage_reasons(const struct pm_ctx *c, const struct srv_window *w, char *v, size_t n)
{
    int64_t s0 = to_server(c, c->w0), s1 = to_server(c, c->w1);
    double slack = w->interval_s * 1.5 + 0.5;
    if (c->st->first_ts_ns > s0 && NS_F(c->st->first_ts_ns - s0) > slack)
        pm_appendf(v, n, "; the first server sample is %.1f s after the capture start",
                   NS_F(c->st->first_ts_ns - s0));
    if (c->st->last_ts_ns < s1 && NS_F(s1 - c->st->last_ts_ns) > slack)
        pm_appendf(v, n, "; the last server sample is %.1f s before the capture end",
                   NS_F(s1 - c->st->last_ts_ns));
    for (uint32_t i = 0; i < c->st->n_gaps; i++) {
        const struct ss_sv_gap *g = &c->st->gaps[i];
        if (g->start_ns <= s1 && (g->end_ns == 0 || g->end_ns >= s0)) {
            pm_appendf(v, n, "; the poller lost the server for part of the window");
            break;
        }
    }
    if (c->midstream)
        pm_appendf(v, n, "; the capture started mid-stream, so work before it is missing");
}

static void counter_reasons(const struct pm_ctx *c, enum ss_sv_id id, int64_t diff, char *v,
                            size_t n)
{
    bool mysql_sync = c->flavor == 1 && c->wait_point_after_sync != 0;
    switch (id) {
    case SS_SV_YES_TX:
    case SS_SV_NO_TX:
        if (mysql_sync && diff > 0)
            pm_appendf(v, n, "; MySQL with AFTER_SYNC counts commit groups, not transactions");
        break;
    case SS_SV_TX_WAITS:
        pm_appendf(v, n, "; a commit whose ack arrived before it began to wait is not counted by "
                         "the server, which the wire cannot see");
        break;
    case SS_SV_NO_TIMES:
        if (diff < 0)
            pm_appendf(v, n, "; an OFF switch the wire did not show (e.g. no transaction was "
                             "waiting, or wait_no_slave=OFF with the last client gone)");
        break;
    case SS_SV_GET_ACK:
    case SS_SV_NET_WAITS:
        if (diff < 0)
            pm_appendf(v, n, "; packets missing from the capture (drops, or a link not captured)");
        break;
    default:
        break;
    }
}

static int counter_row(struct pm_ctx *c, const struct srv_window *w, const char *wire_key,
                       const char *alt_key, enum ss_sv_id id)
{
    json_t *cnt = json_object_get(c->m, "counters");
    int64_t wv = pm_jint(cnt, wire_key, alt_key ? pm_jint(cnt, alt_key, -1) : -1);
    if (wv < 0 && id == SS_SV_GET_ACK) { /* fall back on the replicas' ack counts */
        int64_t s = 0;
        for (uint32_t i = 0; i < c->n_repl && s >= 0; i++)
            s = c->repl[i].acks >= 0 ? s + c->repl[i].acks : -1;
        wv = c->n_repl ? s : -1;
    }
    if (wv < 0 && id == SS_SV_NET_WAITS) {
        int64_t s = 0;
        for (uint32_t i = 0; i < c->n_repl && s >= 0; i++)
            s = c->repl[i].ack_requests >= 0 ? s + c->repl[i].ack_requests : -1;
        wv = c->n_repl ? s : -1;
    }
    int64_t sv = 0;
    uint32_t resets = 0;
    bool have = c->st && w->any &&
                ss_status_samples_delta(c->st, id, to_server(c, c->w0), to_server(c, c->w1), &sv,
                                        &resets);
    char v[400] = "";
    if (!have) {
        snprintf(v, sizeof(v), "%s",
                 !c->st ? "no status samples given"
                 : !ss_status_samples_has(c->st, id)
                     ? "not in the status samples (not exported by this server, or not recorded)"
                     : "no server sample inside the capture window");
    } else if (wv < 0) {
        snprintf(v, sizeof(v), "not estimable from the wire");
    } else if (id == SS_SV_TX_WAIT_TIME) {
        double rel = sv ? (double)(wv - sv) / (double)sv : (wv ? 1.0 : 0.0);
        if (rel < 0)
            rel = -rel;
        if (rel <= c->cfg->tx_wait_time_tolerance)
            snprintf(v, sizeof(v), "matches within %.0f%% (approximate: the master's wait also "
                                   "includes its own time before the event leaves)",
                     rel * 100);
        else
            snprintf(v, sizeof(v), "differs by %+lld us (%.0f%%): the master's wait includes its "
                                   "own time before the event leaves, which the wire cannot see",
                     (long long)(wv - sv), rel * 100);
    } else if (wv == sv) {
        snprintf(v, sizeof(v), "matches");
    } else {
        snprintf(v, sizeof(v), "differs by %+lld", (long long)(wv - sv));
        if (resets)
            pm_appendf(v, sizeof(v), "; the server counter restarted %u time(s) in the window "
                                     "(server restart or RESET MASTER)",
                       resets);
        coverage_reasons(c, w, v, sizeof(v));
        counter_reasons(c, id, wv - sv, v, sizeof(v));
    }
    return add_row(c, ss_sv_name(id), wv >= 0 ? json_integer(wv) : json_null(),
                   have ? json_integer(sv) : json_null(), v);
}

static const char *onoff(int64_t v)
{
    return v ? "ON" : "OFF";
}

static int status_row(struct pm_ctx *c, const struct srv_window *w)
{
    int64_t a = 0, b = 0, ts;
    bool have = c->st && w->any &&
                ss_status_samples_first_after(c->st, SS_SV_STATUS, to_server(c, c->w0), &a, &ts) &&
                ss_status_samples_value_at(c->st, SS_SV_STATUS, to_server(c, c->w1), &b, &ts);
    char wire[48] = "", srv[32] = "", v[300] = "";
    bool wire_known = c->state_start[0] && c->state_end[0];
    if (wire_known)
        snprintf(wire, sizeof(wire), "%s -> %s", c->state_start, c->state_end);
    if (have)
        snprintf(srv, sizeof(srv), "%s -> %s", onoff(a), onoff(b));
    if (!have)
        snprintf(v, sizeof(v), "%s", c->st ? "no server sample inside the capture window"
                                           : "no status samples given");
    else if (!wire_known)
        snprintf(v, sizeof(v), "the wire state is not reported");
    else {
        /* disabled on the wire is OFF for the server (rpl_semi_sync_master_enabled=OFF) */
        bool s_ok = !strcasecmp(c->state_start, "unknown") ||
                    (strcasecmp(c->state_start, "on") == 0) == (a != 0);
        bool e_ok = !strcasecmp(c->state_end, "unknown") ||
                    (strcasecmp(c->state_end, "on") == 0) == (b != 0);
        if (s_ok && e_ok)
            snprintf(v, sizeof(v), "matches%s",
                     !strcasecmp(c->state_end, "disabled") ? " (disabled: the server shows OFF)"
                     : !strcasecmp(c->state_start, "unknown")
                         ? " (the wire could not tell the state at the start)"
                         : "");
        else
            snprintf(v, sizeof(v), "differs at the %s", s_ok ? "end" : e_ok ? "start" : "start and end");
    }
    return add_row(c, "status", wire_known ? json_string(wire) : json_null(),
                   have ? json_string(srv) : json_null(), v);
}

static int transitions_row(struct pm_ctx *c, const struct srv_window *w)
{
    int64_t wire_off = 0;
    for (uint32_t i = 0; i < c->n_tr; i++)
        wire_off += !c->tr[i].to_on;
    int64_t srv_off = 0, log_off = 0;
    int64_t s0 = to_server(c, c->w0), s1 = to_server(c, c->w1);
    if (c->st) {
        const struct ss_sv_series *se = &c->st->series[SS_SV_STATUS];
        for (uint32_t k = 1; k < se->n_points; k++)
            if (se->points[k].value == 0 && se->points[k].ts_ns >= s0 && se->points[k].ts_ns <= s1)
                srv_off++;
    }
    for (uint32_t i = 0; c->el && i < c->el->n; i++)
        if (c->el->recs[i].kind == SS_EL_SWITCHED_OFF && c->el->recs[i].ts_ns >= s0 &&
            c->el->recs[i].ts_ns <= s1)
            log_off++;
    bool have = (c->st && w->any && ss_status_samples_has(c->st, SS_SV_STATUS)) || c->el;
    bool wire_known = c->state_end[0] != '\0';
    char v[300] = "";
    int64_t srv = c->st && w->any ? srv_off : log_off;
    if (!have)
        snprintf(v, sizeof(v), "no server data");
    else if (!wire_known)
        snprintf(v, sizeof(v), "the wire state is not reported");
    else if (wire_off == srv)
        snprintf(v, sizeof(v), "matches");
    else
        snprintf(v, sizeof(v), "differs by %+lld", (long long)(wire_off - srv));
    if (have && c->el && c->st && w->any)
        pm_appendf(v, sizeof(v), "; the error log says switched OFF %lld time(s)",
                   (long long)log_off);
    if (have && wire_known && wire_off > srv && c->st && w->any)
        pm_appendf(v, sizeof(v), "; an OFF shorter than the sampling interval (%.2f s) falls "
                                 "between samples",
                   w->interval_s);
    return add_row(c, "off_transitions", wire_known ? json_integer(wire_off) : json_null(),
                   have ? json_integer(srv) : json_null(), v);
}

static int clients_row(struct pm_ctx *c, const struct srv_window *w, bool end)
{
    json_t *cnt = json_object_get(c->m, "counters");
    int64_t wv = pm_jint(cnt, end ? "clients_end" : "clients_start", -1);
    int64_t sv = 0, ts;
    bool have = c->st && w->any &&
                (end ? ss_status_samples_value_at(c->st, SS_SV_CLIENTS, to_server(c, c->w1), &sv, &ts)
                     : ss_status_samples_first_after(c->st, SS_SV_CLIENTS, to_server(c, c->w0), &sv,
                                                     &ts));
    char v[300] = "";
    if (!have)
        snprintf(v, sizeof(v), "%s", c->st ? "no server sample inside the capture window"
                                           : "no status samples given");
    else if (wv < 0)
        snprintf(v, sizeof(v), "not estimable from the wire");
    else if (wv == sv)
        snprintf(v, sizeof(v), "matches");
    else {
        snprintf(v, sizeof(v), "differs by %+lld", (long long)(wv - sv));
        if (!end)
            pm_appendf(v, sizeof(v), "; a dump that started before the capture is counted only "
                                     "once it shows the semisync header");
        coverage_reasons(c, w, v, sizeof(v));
    }
    return add_row(c, end ? "clients_end" : "clients_start",
                   wv >= 0 ? json_integer(wv) : json_null(), have ? json_integer(sv) : json_null(),
                   v);
}

int pm_correlate(struct pm_ctx *c)
{
    struct srv_window w;
    window_info(c, &w);
    static const struct {
        const char *key, *alt;
        enum ss_sv_id id;
    } counters[] = {
        {"yes_tx", NULL, SS_SV_YES_TX},
        {"no_tx", NULL, SS_SV_NO_TX},
        {"no_times", NULL, SS_SV_NO_TIMES},
        {"request_ack", NULL, SS_SV_REQUEST_ACK},
        {"get_ack", NULL, SS_SV_GET_ACK},
        {"net_waits", NULL, SS_SV_NET_WAITS},
        {"tx_waits", NULL, SS_SV_TX_WAITS},
        {"tx_wait_time_us", "tx_wait_time", SS_SV_TX_WAIT_TIME},
    };
    if (status_row(c, &w) || transitions_row(c, &w) || clients_row(c, &w, false) ||
        clients_row(c, &w, true))
        return SS_ERR_NOMEM;
    for (size_t i = 0; i < SS_ARRAY_LEN(counters); i++)
        if (counter_row(c, &w, counters[i].key, counters[i].alt, counters[i].id))
            return SS_ERR_NOMEM;
    return SS_OK;
}
