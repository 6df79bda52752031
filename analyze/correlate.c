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

int64_t pm_to_server(const struct pm_ctx *c, int64_t capture_ns)
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
        /* Clocks are usually synchronized (NTP): of the offsets every match allows, take the
         * smallest shift. The middle of a wide interval (whole-second log times) would move
         * server samples by up to half a second for nothing. */
        c->offset_s = a.lo > 0 ? a.lo : a.hi < 0 ? a.hi : 0.0;
        c->offset_err_s = c->offset_s - a.lo > a.hi - c->offset_s ? c->offset_s - a.lo
                                                                  : a.hi - c->offset_s;
        snprintf(c->offset_basis, sizeof(c->offset_basis),
                 "%u match(es): %u status-sample transition(s), %u log transition line(s), %u "
                 "dump start(s) in the log allow server clock - capture clock in [%+.3f, %+.3f] "
                 "s; %s",
                 a.n, a.n_status, a.n_log, a.n_conn, a.lo, a.hi,
                 c->offset_s == 0.0 ? "0 is inside: the clocks agree, no shift applied"
                                    : "the smallest shift in it is applied");
    } else {
        uint32_t m = a.n < SS_ARRAY_LEN(a.mids) ? a.n : (uint32_t)SS_ARRAY_LEN(a.mids);
        qsort(a.mids, m, sizeof(double), dbl_cmp);
        c->offset_s = a.mids[m / 2];
        c->offset_err_s = (a.mids[m - 1] - a.mids[0]) / 2;
        snprintf(c->offset_basis, sizeof(c->offset_basis),
                 "%u match(es): %u status-sample transition(s), %u log transition line(s), %u "
                 "dump start(s) in the log; they disagree, so the median is taken: server clock "
                 "= capture clock %+.3f s (spread ±%.3f s)",
                 a.n, a.n_status, a.n_log, a.n_conn, c->offset_s, c->offset_err_s);
    }
}

/* ---- correlation table -------------------------------------------------------------------- */

/* The window on the server's clock, and its sampling interval (for the verdicts' reasons). */
struct srv_window {
    int64_t s0, s1;
    double interval_s;
};

static void window_info(const struct pm_ctx *c, struct srv_window *w)
{
    memset(w, 0, sizeof(*w));
    w->s0 = pm_to_server(c, c->w0);
    w->s1 = pm_to_server(c, c->w1);
    if (c->st && c->st->samples > 1)
        w->interval_s = NS_F(c->st->last_ts_ns - c->st->first_ts_ns) / (double)(c->st->samples - 1);
}

static bool span_of(const struct pm_ctx *c, const struct srv_window *w, enum ss_sv_id id,
                    struct ss_sv_span *sp)
{
    return c->st && ss_status_samples_span(c->st, id, w->s0, w->s1, sp);
}

static const char *no_server_value(const struct pm_ctx *c, enum ss_sv_id id)
{
    if (!c->st)
        return "no status samples given";
    if (!ss_status_samples_has(c->st, id))
        return "not in the status samples (not exported by this server, or not recorded)";
    return "the status samples do not cover the capture window";
}

/* note: said after the verdict, e.g. why a match spans a server restart ("" none). It is a key
 * of its own so that `verdict` stays "matches" or "differs by …" for programs that read it. */
static int add_row_note(struct pm_ctx *c, const char *var, json_t *wire, json_t *server,
                        const char *verdict, const char *note)
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
    if (note && note[0])
        json_object_set_new(r, "note", json_string(note));
    return json_array_append_new(c->correlation, r) ? SS_ERR_NOMEM : SS_OK;
}

static int add_row(struct pm_ctx *c, const char *var, json_t *wire, json_t *server,
                   const char *verdict)
{
    return add_row_note(c, var, wire, server, verdict, NULL);
}

/* How the server's delta spans a restart of its counters: a known server restart (with its
 * time), or a counter that went down (server restart or RESET MASTER). "" when none. */
static void reset_note(const struct pm_ctx *c, const struct ss_sv_span *sp, char *v, size_t n)
{
    const struct ss_sv_restart *r = NULL;
    if (sp->server_restarts &&
        ss_status_samples_restarts_in(c->st, sp->from_ts, sp->to_ts + 1, &r) > 0 && r) {
        char when[64];
        pm_restart_when(c, r, when, sizeof(when));
        snprintf(v, n, "the server restarted %s; its counters were summed over both lifetimes",
                 when);
        if (sp->server_restarts > 1)
            pm_appendf(v, n, " (%u restarts)", sp->server_restarts);
    } else if (sp->resets) {
        snprintf(v, n, "the server's counter went back to 0 %u time(s) in the window (server "
                       "restart or RESET MASTER); the values were summed across it",
                 sp->resets);
    } else {
        v[0] = '\0';
    }
}

/* Where the server's samples fall short of the capture (always said: it bounds what the server's
 * numbers can cover). */
static void edge_notes(const struct ss_sv_span *sp, char *v, size_t n)
{
    if (sp->late_start_ns > 0)
        pm_appendf(v, n, "; the first server sample is %.3f s after the capture start: commits "
                         "before it are not in the server's delta",
                   NS_F(sp->late_start_ns));
    if (sp->early_end_ns > 0)
        pm_appendf(v, n, "; the last server sample is %.3f s before the capture end: commits "
                         "after it are not in the server's delta",
                   NS_F(sp->early_end_ns));
}

/* Why a counter may differ: the server's samples reach beyond the capture, restarts, gaps. */
static void coverage_reasons(const struct pm_ctx *c, const struct srv_window *w,
                             enum ss_sv_id id, const struct ss_sv_span *sp, int64_t diff, char *v,
                             size_t n)
{
    /* samples beyond the capture's edges can only make the server's delta larger */
    if (sp->lead_ns > 0 && diff < 0)
        pm_appendf(v, n, "; the server's baseline sample is %.3f s before the capture start: "
                         "commits in between are in the server's delta only",
                   NS_F(sp->lead_ns));
    if (sp->trail_ns > 0 && diff < 0)
        pm_appendf(v, n, "; the server's end sample is %.3f s after the capture end: commits in "
                         "between are in the server's delta only",
                   NS_F(sp->trail_ns));
    char note[240];
    reset_note(c, sp, note, sizeof(note));
    if (note[0])
        pm_appendf(v, n, "; %s", note);
    /* (tx_waits' own difference is expected, whatever the restart lost) */
    if (sp->server_restarts && diff > 0 && id != SS_SV_TX_WAITS)
        pm_appendf(v, n, "; what the old server counted after its last sample before the "
                         "restart is not in the server's delta");
    for (uint32_t i = 0; i < c->st->n_gaps; i++) {
        const struct ss_sv_gap *g = &c->st->gaps[i];
        if (g->start_ns <= w->s1 && (g->end_ns == 0 || g->end_ns >= w->s0)) {
            pm_appendf(v, n, "; the poller lost the server for part of the window");
            break;
        }
    }
    if (c->midstream)
        pm_appendf(v, n, "; the capture joined a dump stream already running, so acks and "
                         "events of transactions before it are missing");
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
        if (diff > 0)
            pm_appendf(v, n, ": expected, the server skips a commit whose ack had already "
                             "arrived when it began to wait; the wire cannot tell those apart");
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

static int64_t wire_counter(const struct pm_ctx *c, const char *key, const char *alt,
                            enum ss_sv_id id)
{
    json_t *cnt = json_object_get(c->m, "counters");
    int64_t wv = pm_jint(cnt, key, alt ? pm_jint(cnt, alt, -1) : -1);
    if (wv >= 0 || (id != SS_SV_GET_ACK && id != SS_SV_NET_WAITS) || c->n_repl == 0)
        return wv;
    /* fall back on the replicas' ack / request counts */
    int64_t s = 0;
    for (uint32_t i = 0; i < c->n_repl && s >= 0; i++) {
        int64_t x = id == SS_SV_GET_ACK ? c->repl[i].acks : c->repl[i].ack_requests;
        s = x >= 0 ? s + x : -1;
    }
    return s;
}

static void wait_time_verdict(const struct pm_ctx *c, int64_t wv, int64_t sv, char *v, size_t n)
{
    double rel = sv ? (double)(wv - sv) / (double)sv : (wv ? 1.0 : 0.0);
    if (rel < 0)
        rel = -rel;
    if (wv == sv)
        snprintf(v, n, "matches");
    else if (rel <= c->cfg->tx_wait_time_tolerance)
        snprintf(v, n, "matches within %.0f%% (approximate: the server also times its own work "
                       "around the wait)",
                 rel * 100);
    else if (wv < sv)
        snprintf(v, n, "differs by %+lld us (%.0f%%): expected, the server also times its own "
                       "work around the wait; the wire sees only event sent -> ack",
                 (long long)(wv - sv), rel * 100);
    else
        snprintf(v, n, "differs by %+lld us (%.0f%%): expected, the server times only the "
                       "commits that waited (tx_waits), each from when it began to wait; the "
                       "wire charges every transaction from its event's send",
                 (long long)(wv - sv), rel * 100);
}

/* counter_ranges {name: [min, max]}: the counters the wire could not decide (absent: exact). */
static bool wire_range(const struct pm_ctx *c, const char *key, int64_t *lo, int64_t *hi)
{
    const json_t *r = json_object_get(json_object_get(c->m, "counter_ranges"), key);
    if (json_array_size(r) != 2 || !json_is_integer(json_array_get(r, 0)) ||
        !json_is_integer(json_array_get(r, 1)))
        return false;
    *lo = (int64_t)json_integer_value(json_array_get(r, 0));
    *hi = (int64_t)json_integer_value(json_array_get(r, 1));
    return *lo <= *hi;
}

static int counter_row(struct pm_ctx *c, const struct srv_window *w, const char *wire_key,
                       const char *alt_key, enum ss_sv_id id)
{
    int64_t wv = wire_counter(c, wire_key, alt_key, id);
    struct ss_sv_span sp;
    bool have = span_of(c, w, id, &sp);
    int64_t sv = have ? sp.delta : 0;
    int64_t lo = 0, hi = 0;
    bool ranged = wv >= 0 && wire_range(c, wire_key, &lo, &hi);
    char v[700] = "";
    if (!have)
        snprintf(v, sizeof(v), "%s", no_server_value(c, id));
    else if (wv < 0)
        snprintf(v, sizeof(v), "not estimable from the wire");
    else if (id == SS_SV_TX_WAIT_TIME) {
        wait_time_verdict(c, wv, sv, v, sizeof(v));
        char note[240];
        reset_note(c, &sp, note, sizeof(note));
        if (note[0] && strncmp(v, "matches", 7) != 0)
            pm_appendf(v, sizeof(v), "; %s", note);
    }
    else if (wv == sv)
        snprintf(v, sizeof(v), "matches");
    else if (ranged && sv >= lo && sv <= hi)
        /* the wire could not decide this counter (semisync.uncertain): its range is the claim */
        snprintf(v, sizeof(v), PM_WITHIN_RANGE " [%lld, %lld]: the wire could not decide %lld "
                 "of them (see semisync.uncertain); the server's value settles it",
                 (long long)lo, (long long)hi, (long long)(hi - lo));
    else {
        snprintf(v, sizeof(v), "differs by %+lld", (long long)(wv - sv));
        if (ranged)
            pm_appendf(v, sizeof(v), ", outside the wire's range [%lld, %lld]", (long long)lo,
                       (long long)hi);
        counter_reasons(c, id, wv - sv, v, sizeof(v));
        coverage_reasons(c, w, id, &sp, wv - sv, v, sizeof(v));
    }
    if (have && wv >= 0)
        edge_notes(&sp, v, sizeof(v));
    /* a match across a restart says so (a difference lists it among its reasons) */
    char note[240] = "";
    if (have && wv >= 0 && !strncmp(v, "matches", 7))
        reset_note(c, &sp, note, sizeof(note));
    int rc = add_row_note(c, ss_sv_name(id), wv >= 0 ? json_integer(wv) : json_null(),
                          have ? json_integer(sv) : json_null(), v, note);
    if (rc == SS_OK && ranged) {
        json_t *row = json_array_get(c->correlation, json_array_size(c->correlation) - 1);
        json_object_set_new(row, "wire_range", json_pack("[I, I]", (json_int_t)lo, (json_int_t)hi));
    }
    return rc;
}

static const char *onoff(int64_t v)
{
    return v ? "ON" : "OFF";
}

static int status_row(struct pm_ctx *c, const struct srv_window *w)
{
    struct ss_sv_span sp;
    bool have = span_of(c, w, SS_SV_STATUS, &sp);
    char wire[48] = "", srv[32] = "", v[1200] = "";
    bool wire_known = c->state_start[0] && c->state_end[0];
    if (wire_known)
        snprintf(wire, sizeof(wire), "%s -> %s", c->state_start, c->state_end);
    if (have)
        snprintf(srv, sizeof(srv), "%s -> %s", onoff(sp.from_value), onoff(sp.to_value));
    if (!have)
        snprintf(v, sizeof(v), "%s", no_server_value(c, SS_SV_STATUS));
    else if (!wire_known)
        snprintf(v, sizeof(v), "the wire state is not reported");
    else {
        /* disabled on the wire is OFF for the server (rpl_semi_sync_master_enabled=OFF) */
        bool s_ok = !strcasecmp(c->state_start, "unknown") ||
                    (strcasecmp(c->state_start, "on") == 0) == (sp.from_value != 0);
        bool e_ok = !strcasecmp(c->state_end, "unknown") ||
                    (strcasecmp(c->state_end, "on") == 0) == (sp.to_value != 0);
        if (s_ok && e_ok)
            snprintf(v, sizeof(v), "matches%s",
                     !strcasecmp(c->state_end, "disabled") ? " (disabled: the server shows OFF)"
                     : !strcasecmp(c->state_start, "unknown")
                         ? " (the wire could not tell the state at the start)"
                         : "");
        else
            snprintf(v, sizeof(v), "differs at the %s", s_ok ? "end" : e_ok ? "start" : "start and end");
        edge_notes(&sp, v, sizeof(v));
        if (!(s_ok && e_ok))
            pm_contradiction_text(c, v, sizeof(v));
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
    struct ss_sv_span sp;
    bool have_st = span_of(c, w, SS_SV_STATUS, &sp);
    if (have_st) { /* ON -> OFF changes between the bracketing samples */
        const struct ss_sv_series *se = &c->st->series[SS_SV_STATUS];
        for (uint32_t k = 1; k < se->n_points; k++)
            if (se->points[k].value == 0 && se->points[k].ts_ns > sp.from_ts &&
                se->points[k].ts_ns <= sp.to_ts)
                srv_off++;
    }
    for (uint32_t i = 0; c->el && i < c->el->n; i++) {
        const struct ss_el_record *r = &c->el->recs[i];
        /* a whole-second log time covers [ts, ts + 1 s) */
        if (r->kind == SS_EL_SWITCHED_OFF && r->ts_ns + r->ts_res_ns > w->s0 && r->ts_ns <= w->s1)
            log_off++;
    }
    bool have = have_st || c->el;
    bool wire_known = c->state_end[0] != '\0';
    char v[1200] = "";
    int64_t srv = have_st ? srv_off : log_off;
    if (!have)
        snprintf(v, sizeof(v), "no server data");
    else if (!wire_known)
        snprintf(v, sizeof(v), "the wire state is not reported");
    else if (wire_off == srv)
        snprintf(v, sizeof(v), "matches");
    else
        snprintf(v, sizeof(v), "differs by %+lld", (long long)(wire_off - srv));
    if (have_st && c->el && log_off == srv && wire_known)
        pm_appendf(v, sizeof(v), " (the error log agrees)");
    else if (have_st && c->el)
        pm_appendf(v, sizeof(v), "; the error log says switched OFF %lld time(s)",
                   (long long)log_off);
    else if (!have_st && have)
        pm_appendf(v, sizeof(v), " (server: the error log's 'switched OFF' lines)");
    if (have_st && wire_known && wire_off > srv && c->n_contradicted)
        pm_contradiction_text(c, v, sizeof(v));
    else if (have_st && wire_known && wire_off > srv)
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
    struct ss_sv_span sp;
    bool have = span_of(c, w, SS_SV_CLIENTS, &sp);
    int64_t sv = end ? sp.to_value : sp.from_value;
    bool disabled = !strcasecmp(end ? c->state_end : c->state_start, "disabled");
    char v[400] = "";
    if (!have)
        snprintf(v, sizeof(v), "%s", no_server_value(c, SS_SV_CLIENTS));
    else if (wv < 0)
        snprintf(v, sizeof(v), "not estimable from the wire");
    else if (wv == sv)
        snprintf(v, sizeof(v), "matches");
    else {
        snprintf(v, sizeof(v), "differs by %+lld", (long long)(wv - sv));
        if (disabled && sv == 0)
            pm_appendf(v, sizeof(v), "; expected: with semisync disabled on the master it counts "
                                     "no semisync clients, while the wire counts the replicas "
                                     "that asked for semisync");
        else if (!end && wv < sv)
            pm_appendf(v, sizeof(v), "; a dump that started before the capture is counted only "
                                     "once it shows the semisync header");
        else if (end && sp.trail_ns > 0)
            pm_appendf(v, sizeof(v), "; the server's sample is %.2f s after the capture end, so "
                                     "it may already show a later (dis)connection",
                       NS_F(sp.trail_ns));
        else if (end && wv < sv)
            pm_appendf(v, sizeof(v), "; a replica whose connection was not closed on the wire "
                                     "(its IO thread stopped without FIN/RST, or a link not "
                                     "captured) is still counted by the server until its dump "
                                     "thread ends");
    }
    if (have && wv >= 0)
        edge_notes(&sp, v, sizeof(v));
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
    /* wire-inferred parameters the server's variables contradict (pm_samples_vs_wire) */
    if (c->param_fixes[0]) {
        char v[700];
        snprintf(v, sizeof(v), "differs: %s", c->param_fixes);
        if (add_row(c, "parameters", json_string("wire"), json_string("file"), v))
            return SS_ERR_NOMEM;
    }
    return SS_OK;
}
