/* SPDX-License-Identifier: MIT */
/* pm_restart.c: a restart of the master. Every replica loses its dump connection at once, the
 * status poller loses the server, the counters start again at 0 and the error log shows the
 * shutdown and the startup; the replicas then reconnect by themselves. Seen one replica at a
 * time this looks like "reconnected; semisync stayed ON", which is false when all of them were
 * cut together. This rule tells the whole story once, and says whether semisync came back: after
 * a restart rpl_semi_sync_master_enabled is ON only when the configuration file says so. */
#include <string.h>
#include <strings.h>

#include "pm_priv.h"
#include "semiscope/status.h"

#define EVID 2000
#define REM 900
#define SEC ((int64_t)SS_NS_PER_SEC)
#define CUT_WINDOW_NS SEC      /* every connection cut within this: "at once" */
#define NEAR_NS (60 * SEC)     /* evidence this far from the restart belongs to it */

/* Every replica's dump connection ended within CUT_WINDOW_NS: when, and who closed them. */
struct rs_cut {
    int64_t t0, t1;                /* first and last end, capture clock */
    uint32_t n, by_master, by_replica, rst, kills;
};

/* What is known of one restart. Times are on the capture clock unless said otherwise. */
struct rs_ev {
    const struct ss_sv_restart *sr;    /* the status samples' restart (Uptime, or hint) */
    uint32_t n_sr;                     /* restarts in the window */
    const struct ss_sv_gap *gap;       /* the poller's gap around it */
    const struct ss_el_record *down, *crash, *complete, *starting, *ready, *enabled;
    bool have_cut;
    struct rs_cut cut;
    int64_t anchor_srv;                /* server clock: the restart's best time */
    int64_t down_ns, up_ns;            /* when it went away / was back, 0 unknown */
    bool up_coarse;                    /* up_ns is a whole-second time (Uptime, log) */
};

static const char *t_ms(int64_t ns, char *buf, size_t n)
{
    return pm_fmt_time(ns, false, buf, n);
}

/* "03:38:51": a whole-second time (its milliseconds are unknown, not zero). */
static const char *t_sec(int64_t ns, char *buf, size_t n)
{
    pm_fmt_time(ns, false, buf, n);
    if (strlen(buf) > 8)
        buf[8] = '\0';
    return buf;
}

void pm_restart_when(const struct pm_ctx *c, const struct ss_sv_restart *r, char *buf, size_t n)
{
    char a[24], b[24];
    if (r->source == SS_RESTART_UPTIME)
        snprintf(buf, n, "at %s", t_sec(pm_to_capture(c, r->start_ns), a, sizeof(a)));
    else
        snprintf(buf, n, "between %s and %s", t_ms(pm_to_capture(c, r->lo_ns), a, sizeof(a)),
                 t_ms(pm_to_capture(c, r->hi_ns), b, sizeof(b)));
}

bool pm_restart_explains(const struct pm_ctx *c, int64_t t)
{
    return c->restart_found && t >= c->outage_from_ns && t <= c->outage_to_ns;
}

/* ---- the wire: every dump connection cut at once ------------------------------------------- */

/* Whether replica r had a connection open just before t and ended it in [t, t + window]; its end
 * in *end. */
static const struct pm_conn *cut_conn(const struct pm_repl *r, int64_t t)
{
    for (uint32_t k = 0; k < r->n_conns; k++) {
        const struct pm_conn *cn = &r->conns[k];
        if (cn->start_ns < t && cn->end_ns >= t && cn->end_ns <= t + CUT_WINDOW_NS)
            return cn;
    }
    return NULL;
}

/* Whether replica r was connected across t (open before, not ended by t + window). */
static bool open_across(const struct pm_repl *r, int64_t t)
{
    for (uint32_t k = 0; k < r->n_conns; k++) {
        const struct pm_conn *cn = &r->conns[k];
        if (cn->start_ns < t && (cn->end_ns == 0 || cn->end_ns > t + CUT_WINDOW_NS))
            return true;
    }
    return false;
}

/* The cut starting at t: every replica connected just before t lost its connection within the
 * window. False when one stayed connected, or none was cut. */
static bool cut_at(const struct pm_ctx *c, int64_t t, struct rs_cut *cut)
{
    memset(cut, 0, sizeof(*cut));
    cut->t0 = t;
    for (uint32_t i = 0; i < c->n_repl; i++) {
        const struct pm_repl *r = &c->repl[i];
        if (open_across(r, t))
            return false;
        const struct pm_conn *cn = cut_conn(r, t);
        if (!cn)
            continue;
        cut->n++;
        cut->by_master += cn->closed_by_master == 1;
        cut->by_replica += cn->closed_by_master == 0;
        cut->rst += !strcmp(cn->end, "rst");
        cut->kills += r->kill_connections > 0;
        if (cn->end_ns > cut->t1)
            cut->t1 = cn->end_ns;
    }
    return cut->n > 0;
}

/* Whether some connection ended in [t - window, t): then t is not where a cut begins. */
static bool end_just_before(const struct pm_ctx *c, int64_t t)
{
    for (uint32_t i = 0; i < c->n_repl; i++)
        for (uint32_t k = 0; k < c->repl[i].n_conns; k++) {
            int64_t e = c->repl[i].conns[k].end_ns;
            if (e && e < t && e >= t - CUT_WINDOW_NS)
                return true;
        }
    return false;
}

/* The cut nearest to `near` (capture clock; 0: the first one). `strict`: the wire alone must
 * point at the master — two replicas or more, none that killed its own dump thread, and a FIN/RST
 * from the master or all ends within 50 ms. (The replica often sends the first FIN: MariaDB ends
 * each dump stream with an EOF packet at shutdown and the replica hangs up on it; replicas on
 * different hosts do not hang up within milliseconds of each other by chance.) */
static bool find_cut(const struct pm_ctx *c, int64_t near, bool strict, struct rs_cut *out)
{
    bool found = false;
    int64_t best = 0;
    for (uint32_t i = 0; i < c->n_repl; i++) {
        for (uint32_t k = 0; k < c->repl[i].n_conns; k++) {
            int64_t t = c->repl[i].conns[k].end_ns;
            struct rs_cut cut;
            if (!t || end_just_before(c, t) || !cut_at(c, t, &cut))
                continue;
            if (strict && (cut.n < 2 || cut.kills > 0 ||
                           (cut.by_master == 0 && cut.t1 - cut.t0 > 50 * SEC / 1000)))
                continue;
            int64_t d = near ? (t > near ? t - near : near - t) : t;
            if (near && d > NEAR_NS)
                continue;
            if (!found || d < best) {
                found = true;
                best = d;
                *out = cut;
            }
        }
    }
    return found;
}

/* ---- the servers' records --------------------------------------------------------------------- */

static bool near_window(const struct pm_ctx *c, int64_t server_ns)
{
    return server_ns >= pm_to_server(c, c->w0) - NEAR_NS &&
           (c->w1 >= INT64_MAX / 2 || server_ns <= pm_to_server(c, c->w1) + NEAR_NS);
}

/* The anchor from the log alone: its first startup (or, without one, shutdown/crash) line near
 * the capture window; 0 when none. */
static int64_t log_anchor(const struct pm_ctx *c)
{
    int64_t down = 0;
    for (uint32_t i = 0; c->el && i < c->el->n; i++) {
        const struct ss_el_record *r = &c->el->recs[i];
        if (!near_window(c, r->ts_ns))
            continue;
        if (r->kind == SS_EL_STARTING || r->kind == SS_EL_READY)
            return r->ts_ns;
        if (!down && (r->kind == SS_EL_SHUTDOWN || r->kind == SS_EL_SHUTDOWN_COMPLETE ||
                      r->kind == SS_EL_CRASH))
            down = r->ts_ns;
    }
    return down;
}

/* The log lines of the restart at `a` (server clock): the shutdown (or crash) before it, the
 * startup after it, and semisync enabled at the startup. */
static void log_lines(const struct pm_ctx *c, struct rs_ev *e)
{
    int64_t a = e->anchor_srv;
    for (uint32_t i = 0; c->el && i < c->el->n; i++) {
        const struct ss_el_record *r = &c->el->recs[i];
        int64_t d = r->ts_ns - a;
        if (d < -NEAR_NS || d > NEAR_NS)
            continue;
        bool before = d <= 2 * SEC; /* whole-second log times, an anchor to the second */
        switch (r->kind) {
        case SS_EL_SHUTDOWN:
            if (before && !e->starting)
                e->down = r;
            break;
        case SS_EL_CRASH:
            if (before && !e->starting)
                e->crash = r;
            break;
        case SS_EL_SHUTDOWN_COMPLETE:
            if (before && !e->starting)
                e->complete = r;
            break;
        case SS_EL_STARTING:
            if (!e->starting && d >= -2 * SEC)
                e->starting = r;
            break;
        case SS_EL_READY:
            if (!e->ready && d >= -2 * SEC)
                e->ready = r;
            break;
        case SS_EL_ENABLED:
            if (!e->enabled && (e->starting || e->ready || d >= -2 * SEC))
                e->enabled = r;
            break;
        default:
            break;
        }
    }
}

/* The poller gap around the restart (server clock). */
static const struct ss_sv_gap *gap_near(const struct pm_ctx *c, int64_t a)
{
    for (uint32_t i = 0; c->st && i < c->st->n_gaps; i++) {
        const struct ss_sv_gap *g = &c->st->gaps[i];
        if (g->start_ns <= a + 2 * SEC && g->start_ns >= a - NEAR_NS &&
            (g->end_ns == 0 || g->end_ns >= a - 2 * SEC))
            return g;
    }
    return NULL;
}

static void gather(const struct pm_ctx *c, struct rs_ev *e)
{
    memset(e, 0, sizeof(*e));
    if (c->st)
        e->n_sr = ss_status_samples_restarts_in(c->st, pm_to_server(c, c->w0) - NEAR_NS,
                                                c->w1 >= INT64_MAX / 2
                                                    ? INT64_MAX
                                                    : pm_to_server(c, c->w1) + NEAR_NS,
                                                &e->sr);
    if (e->sr)
        e->anchor_srv = e->sr->source == SS_RESTART_UPTIME ? e->sr->start_ns : e->sr->lo_ns;
    else
        e->anchor_srv = log_anchor(c);
    if (e->anchor_srv) {
        log_lines(c, e);
        e->gap = gap_near(c, e->anchor_srv);
        e->have_cut = find_cut(c, pm_to_capture(c, e->anchor_srv), false, &e->cut);
        return;
    }
    /* no server record of a restart: the wire must show it, with the poller's gap if any */
    if (!find_cut(c, 0, true, &e->cut))
        return;
    e->have_cut = true;
    const struct ss_sv_gap *g = gap_near(c, pm_to_server(c, e->cut.t0));
    if (g && g->start_ns >= pm_to_server(c, e->cut.t0) - 2 * SEC)
        e->gap = g;
    e->anchor_srv = pm_to_server(c, e->cut.t0);
}

/* ---- evidence ------------------------------------------------------------------------------------ */

static void wire_evidence(const struct rs_ev *e, char *ev, size_t n)
{
    char a[24];
    const struct rs_cut *k = &e->cut;
    pm_appendf(ev, n, "wire: all %u replica dump connection(s) ended within %.1f ms at %s", k->n,
               (double)(k->t1 - k->t0) / 1e6, t_ms(k->t0, a, sizeof(a)));
    if (k->by_master || k->by_replica)
        pm_appendf(ev, n, " (FIN/RST sent first by the master on %u, by the replica on %u%s)",
                   k->by_master, k->by_replica,
                   k->by_replica ? ": a replica hangs up first when the master ends its dump "
                                   "stream, as MariaDB does at shutdown"
                                 : "");
    if (k->kills == 0)
        pm_appendf(ev, n, "; no replica killed its own dump thread");
}

static void status_evidence(const struct pm_ctx *c, const struct rs_ev *e, char *ev, size_t n)
{
    char a[24], b[24], w[64];
    if (e->gap) {
        pm_appendf(ev, n, "%sstatus poller: lost the server at %s (%s)", ev[0] ? "; " : "",
                   t_ms(pm_to_capture(c, e->gap->start_ns), a, sizeof(a)),
                   e->gap->reason[0] ? e->gap->reason : "no reason given");
        if (e->gap->end_ns)
            pm_appendf(ev, n, ", back at %s%s%s", t_ms(pm_to_capture(c, e->gap->end_ns), b, sizeof(b)),
                       e->gap->version[0] ? " to " : "", e->gap->version);
        else
            pm_appendf(ev, n, ", not back at the end of the samples");
    }
    const struct ss_sv_restart *r = e->sr;
    if (!r)
        return;
    pm_restart_when(c, r, w, sizeof(w));
    if (r->source == SS_RESTART_UPTIME) {
        /* both starts, so that an Uptime that grew across a long gap reads right too */
        char p0[24];
        int64_t prev_start = (r->prev_seen_ns / SEC - r->prev_uptime_s) * SEC;
        pm_appendf(ev, n, "%sstatus: Uptime %lld s at %s, a start %s, where %lld s at %s meant "
                          "a start at %s: the server restarted, and every counter started again "
                          "at 0",
                   ev[0] ? "; " : "", (long long)r->uptime_s,
                   t_ms(pm_to_capture(c, r->seen_ns), a, sizeof(a)), w,
                   (long long)r->prev_uptime_s,
                   t_ms(pm_to_capture(c, r->prev_seen_ns), b, sizeof(b)),
                   t_sec(pm_to_capture(c, prev_start), p0, sizeof(p0)));
    } else {
        pm_appendf(ev, n, "%sstatus: %s went from %lld down to %lld across the poller's gap: the "
                          "server restarted %s",
                   ev[0] ? "; " : "", c->st->series[r->hint_id].spelling,
                   (long long)r->hint_from, (long long)r->hint_to, w);
    }
    if (e->n_sr > 1)
        pm_appendf(ev, n, " (%u restarts in all near the capture)", e->n_sr);
}

static void log_evidence(const struct pm_ctx *c, const struct rs_ev *e, char *ev, size_t n)
{
    const struct {
        const struct ss_el_record *r;
        const char *what;
    } lines[] = {
        {e->crash, "crashed"},     {e->down, "shutdown began"},
        {e->complete, "shutdown complete"}, {e->starting, "starting"},
        {e->ready, "ready for connections"},
        {e->enabled, "semi-sync enabled on the master"},
    };
    bool first = true;
    char a[24];
    for (size_t i = 0; i < SS_ARRAY_LEN(lines); i++) {
        if (!lines[i].r)
            continue;
        pm_appendf(ev, n, "%s%s %s", first ? (ev[0] ? "; log: " : "log: ") : ", ", lines[i].what,
                   pm_log_time(c, lines[i].r, a, sizeof(a)));
        first = false;
    }
}

/* Each replica cut: when it came back (its next connection), or that it did not. Returns how
 * many did not come back. */
static uint32_t reconnect_evidence(const struct pm_ctx *c, const struct rs_ev *e, char *ev,
                                   size_t n, int64_t *acks_after, int64_t *reqs_after)
{
    uint32_t missing = 0;
    char who[96], a[24];
    *acks_after = *reqs_after = 0;
    pm_appendf(ev, n, "%sreplicas: ", ev[0] ? "; " : "");
    bool first = true;
    for (uint32_t i = 0; i < c->n_repl; i++) {
        const struct pm_repl *r = &c->repl[i];
        const struct pm_conn *cut = e->have_cut ? cut_conn(r, e->cut.t0) : NULL;
        if (e->have_cut && !cut)
            continue;
        int64_t from = cut ? cut->end_ns : e->down_ns;
        if (!from)
            continue;
        const struct pm_conn *next = NULL;
        for (uint32_t k = 0; k < r->n_conns; k++)
            if (r->conns[k].start_ns >= from && (!next || r->conns[k].start_ns < next->start_ns))
                next = &r->conns[k];
        pm_replica_name(r, who, sizeof(who));
        if (next) {
            pm_appendf(ev, n, "%s%s back at %s (%.3f s later%s)", first ? "" : ", ", who,
                       t_ms(next->start_ns, a, sizeof(a)), (double)(next->start_ns - from) / 1e9,
                       next->semisync == 1 ? ", semisync" : next->semisync == 0 ? ", async" : "");
            *acks_after += next->acks > 0 ? next->acks : 0;
            *reqs_after += next->ack_requests > 0 ? next->ack_requests : 0;
        } else {
            pm_appendf(ev, n, "%s%s not back by the end of the capture", first ? "" : ", ", who);
            missing += r->semisync == 1;
        }
        first = false;
    }
    if (first)
        pm_appendf(ev, n, "none seen on the wire");
    return missing;
}

/* ---- did semisync come back? ---------------------------------------------------------------------- */

struct rs_back {
    int state;            /* 1 ON, 0 OFF or disabled, -1 unknown */
    bool disabled;        /* rpl_semi_sync_master_enabled=OFF after the restart */
    char why[600];
};

/* A series' value from a sample after the restart (server clock `after`), the latest at or
 * before the end of the window. */
static bool value_after(const struct pm_ctx *c, enum ss_sv_id id, int64_t after, int64_t *v)
{
    if (!c->st || !ss_status_samples_has(c->st, id) || c->st->series[id].last.ts_ns <= after)
        return false;
    int64_t end = c->w1 >= INT64_MAX / 2 ? c->st->series[id].last.ts_ns : pm_to_server(c, c->w1);
    int64_t ts, v1;
    /* the first sample after the restart, or a later one up to the window's end (never a value
     * of the old lifetime: the first sample after the restart is a change point) */
    if (!ss_status_samples_first_after(c->st, id, after + 1, &v1, &ts))
        return false;
    if (ts > end || !ss_status_samples_value_at(c->st, id, end, v, &ts))
        *v = v1;
    return true;
}

static void semisync_back(const struct pm_ctx *c, const struct rs_ev *e, int64_t acks_after,
                          int64_t reqs_after, struct rs_back *b)
{
    memset(b, 0, sizeof(*b));
    b->state = -1;
    int64_t after = e->sr ? e->sr->after_ns : e->gap && e->gap->end_ns ? e->gap->start_ns
                                                                         : e->anchor_srv;
    int64_t en = -1, st = -1;
    bool have_en = value_after(c, SS_SV_VAR_ENABLED, after, &en);
    bool have_st = value_after(c, SS_SV_STATUS, after, &st);
    if (have_en)
        pm_appendf(b->why, sizeof(b->why), "%s=%s after the restart", c->names.master_enabled,
                   en ? "ON" : "OFF");
    if (have_st)
        pm_appendf(b->why, sizeof(b->why), "%s%sstatus=%s", b->why[0] ? ", " : "",
                   c->names.st_master, st ? "ON" : "OFF");
    if (e->enabled && !have_en)
        pm_appendf(b->why, sizeof(b->why), "%sthe log says semi-sync was enabled at the startup",
                   b->why[0] ? ", " : "");
    if (reqs_after > 0)
        pm_appendf(b->why, sizeof(b->why), "%sthe master asked the reconnected replicas for "
                                           "%lld ack(s) and got %lld",
                   b->why[0] ? ", " : "", (long long)reqs_after, (long long)acks_after);
    bool wire_disabled = !strcasecmp(c->state_end, "disabled");
    if (wire_disabled)
        pm_appendf(b->why, sizeof(b->why), "%sthe wire shows semisync disabled at the end",
                   b->why[0] ? ", " : "");
    b->disabled = (have_en && en == 0) || wire_disabled;
    if (b->disabled || (have_st && st == 0) || !strcasecmp(c->state_end, "off"))
        b->state = 0;
    else if ((have_st && st) || (have_en && en) || e->enabled || reqs_after > 0 ||
             !strcasecmp(c->state_end, "on"))
        b->state = 1;
    if (!b->why[0])
        snprintf(b->why, sizeof(b->why), "no status sample, log line or ack request after the "
                                         "restart tells");
}

/* ---- the rule --------------------------------------------------------------------------------- */

static void cause_text(const struct pm_ctx *c, const struct rs_ev *e, const struct rs_back *b,
                       bool confirmed, char *cause, size_t n)
{
    char a[24], w[64] = "";
    /* Uptime and the log's startup line give the start to the second; a counter reset only
     * bounds it by the poller's gap */
    const struct ss_el_record *up = e->starting ? e->starting : e->ready;
    if (e->sr && (e->sr->source == SS_RESTART_UPTIME || !up))
        pm_restart_when(c, e->sr, w, sizeof(w));
    else if (up)
        snprintf(w, sizeof(w), "at %s", pm_log_time(c, up, a, sizeof(a)));
    if (confirmed)
        snprintf(cause, n, "the master %s%s%s", e->crash ? "crashed and restarted" : "restarted",
                 w[0] ? " " : "", w);
    else if (e->gap)
        snprintf(cause, n, "the master went away at %s and came back (a restart or a crash)",
                 t_ms(e->cut.t0, a, sizeof(a)));
    else
        snprintf(cause, n, "every replica's dump connection ended at once at %s (a restart of "
                           "the master, or its dump threads killed)",
                 t_ms(e->cut.t0, a, sizeof(a)));
    if (e->have_cut)
        pm_appendf(cause, n, ": all %u replica(s) were disconnected at once", e->cut.n);
    if (e->down_ns && e->up_ns > e->down_ns) {
        double d = (double)(e->up_ns - e->down_ns) / 1e9;
        if (e->up_coarse) /* a whole-second start: say no more than it knows */
            pm_appendf(cause, n, "%s down about %.0f s", e->have_cut ? "," : ":", d < 1 ? 1 : d);
        else
            pm_appendf(cause, n, "%s down %.1f s", e->have_cut ? "," : ":", d);
    }
    pm_appendf(cause, n, "%s", b->state == 1   ? "; semisync came back ON"
                               : b->disabled  ? "; semisync came back DISABLED"
                               : b->state == 0 ? "; semisync is OFF after it"
                                               : "; whether semisync came back is not known");
}

static void remedy_text(const struct pm_ctx *c, const struct rs_back *b, char *rem, size_t n)
{
    if (b->state == 1)
        snprintf(rem, n, "nothing to fix if the restart was planned (else the error log before "
                         "it says why the master stopped); commits sent while it was down "
                         "failed on the clients. Keep %s=ON in the [mysqld] section of the "
                         "master's configuration: that is why semisync came back",
                 c->names.master_enabled);
    else if (b->state == 0 && !b->disabled)
        snprintf(rem, n, "semisync is enabled on the master but OFF: no replica has acked since "
                         "the restart. On each replica %s -- %s, and %s=ON (also in its "
                         "configuration); then %s on the master -- %sstatus=ON, %sclients >= %lld",
                 c->names.show_replica, c->names.io_running, c->names.slave_enabled,
                 c->names.status_like, c->names.st_master, c->names.st_master,
                 (long long)c->wait_count);
    else if (b->state == 0)
        snprintf(rem, n, "on the master: SET GLOBAL %s=1, and put %s=ON in the [mysqld] section "
                         "of its configuration (with MySQL's plugin, also plugin-load-add for "
                         "the semisync plugin): a value set with SET GLOBAL does not survive a "
                         "restart. Then %s -- %sstatus=ON, %sclients >= %lld",
                 c->names.master_enabled, c->names.master_enabled, c->names.status_like,
                 c->names.st_master, c->names.st_master, (long long)c->wait_count);
    else
        snprintf(rem, n, "check on the master that semisync came back: %s -- %sstatus=ON, "
                         "%sclients >= %lld. After a restart %s is ON only when the "
                         "configuration file says so (else SET GLOBAL %s=1, and add it to the "
                         "[mysqld] section)",
                 c->names.status_like, c->names.st_master, c->names.st_master,
                 (long long)c->wait_count, c->names.master_enabled, c->names.master_enabled);
}

/* When the master went away and was back, capture clock; the outage the reconnect rule leaves
 * to this one. */
static void outage(struct pm_ctx *c, struct rs_ev *e)
{
    /* the wire's cut is the most precise time the master went away; then the log's shutdown
     * (whole seconds), then the poller's loss */
    const struct ss_el_record *down = e->crash ? e->crash : e->down;
    int64_t from = e->have_cut        ? e->cut.t0
                   : down             ? pm_to_capture(c, down->ts_ns)
                   : e->gap           ? pm_to_capture(c, e->gap->start_ns)
                                      : 0;
    int64_t to = 0;
    const struct ss_el_record *up = e->starting ? e->starting : e->ready;
    e->up_coarse = true;
    if (e->sr && e->sr->source == SS_RESTART_UPTIME)
        to = pm_to_capture(c, e->sr->start_ns);
    else if (up)
        to = pm_to_capture(c, up->ts_ns);
    else if (e->gap && e->gap->end_ns) {
        to = pm_to_capture(c, e->gap->end_ns); /* back by then at the latest */
        e->up_coarse = false;
    }
    e->down_ns = from;
    e->up_ns = to;
    c->restart_found = true;
    int64_t a = pm_to_capture(c, e->anchor_srv);
    c->outage_from_ns = (from && from < a ? from : a) - 2 * SEC;
    c->outage_to_ns = (to > a ? to : a) + 2 * SEC;
}

int pm_rule_restart(struct pm_ctx *c)
{
    struct rs_ev e;
    gather(c, &e);
    if (!e.anchor_srv)
        return SS_OK;
    /* a startup line alone may be the server's first start just before the capture: it needs a
     * shutdown line or the wire's cut beside it */
    bool confirmed = e.sr || e.down || e.crash || e.complete ||
                     ((e.starting || e.ready) && e.have_cut);
    if (!confirmed && !e.have_cut)
        return SS_OK;
    outage(c, &e);
    char ev[EVID] = "", cause[500], rem[REM];
    if (e.have_cut)
        wire_evidence(&e, ev, sizeof(ev));
    status_evidence(c, &e, ev, sizeof(ev));
    log_evidence(c, &e, ev, sizeof(ev));
    int64_t acks_after, reqs_after;
    uint32_t missing = reconnect_evidence(c, &e, ev, sizeof(ev), &acks_after, &reqs_after);
    struct rs_back b;
    semisync_back(c, &e, acks_after, reqs_after, &b);
    pm_appendf(ev, sizeof(ev), "; semisync after the restart: %s", b.why);
    cause_text(c, &e, &b, confirmed, cause, sizeof(cause));
    remedy_text(c, &b, rem, sizeof(rem));
    if (missing)
        pm_appendf(rem, sizeof(rem), "; %u semisync replica(s) did not reconnect: see the "
                                     "replica rows",
                   missing);
    const char *sev = b.state == 0 ? "critical" : missing || b.state < 0 ? "warning" : "info";
    return pm_add_diag(c, sev, cause, ev, rem);
}
