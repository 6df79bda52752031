/* SPDX-License-Identifier: MIT */
/* diagnosis.c: rules that turn the wire facts and the servers' records into a cause, its evidence
 * and the remedy in the runbook's words (docs/postmortem.md "Diagnosis rules"). Each rule reads
 * the facts in struct pm_ctx and adds at most a few rows; a healthy capture gets one info row. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pm_priv.h"
#include "semiscope/status.h"

#define EVID 1400
#define REM 900

int pm_add_diag(struct pm_ctx *c, const char *sev, const char *cause, const char *evidence,
                const char *remedy)
{
    json_t *d = json_object();
    if (!d)
        return SS_ERR_NOMEM;
    json_object_set_new(d, "severity", json_string(sev));
    json_object_set_new(d, "cause", json_string(cause));
    json_object_set_new(d, "evidence", json_string(evidence));
    json_object_set_new(d, "remedy", json_string(remedy));
    return json_array_append_new(c->diagnosis, d) ? SS_ERR_NOMEM : SS_OK;
}

static const char *t_str(int64_t ns, char *buf, size_t n)
{
    return pm_fmt_time(ns, false, buf, n);
}

static bool is_state(const char *s, const char *want)
{
    return strcasecmp(s, want) == 0;
}

void pm_replica_name(const struct pm_repl *r, char *buf, size_t n)
{
    snprintf(buf, n, "%s", r->address);
    if (r->server_id >= 0)
        pm_appendf(buf, n, " (server_id %lld)", (long long)r->server_id);
}

const char *pm_times(uint32_t n, char *buf, size_t size)
{
    if (n == 1)
        return "once";
    if (n == 2)
        return "twice";
    snprintf(buf, size, "%u times", n);
    return buf;
}

/* The server's Rpl_semi_sync_master_clients at the capture's end (the first sample at or after
 * it, else the last before it). */
static bool server_clients_end(const struct pm_ctx *c, int64_t *v)
{
    struct ss_sv_span sp;
    if (!c->st || !ss_status_samples_span(c->st, SS_SV_CLIENTS, pm_to_server(c, c->w0),
                                          pm_to_server(c, c->w1), &sp))
        return false;
    *v = sp.to_value;
    return true;
}

/* Server-clock bounds of the window: the logs and samples are in the server's clock. */
static int64_t srv(const struct pm_ctx *c, int64_t capture_ns)
{
    return c->have_offset ? capture_ns + (int64_t)(c->offset_s * 1e9) : capture_ns;
}

static bool in_window(const struct pm_ctx *c, int64_t server_ns, double slack_s)
{
    int64_t s = (int64_t)(slack_s * 1e9);
    return server_ns >= srv(c, c->w0) - s && server_ns <= srv(c, c->w1) + s;
}

/* ---- rule: semisync disabled on the master --------------------------------------------------- */

static int rule_master_disabled(struct pm_ctx *c, bool *fired)
{
    char ev[EVID] = "", t[24];
    bool wire = is_state(c->state_start, "disabled") || is_state(c->state_end, "disabled");
    if (wire) {
        int64_t ev_n = 0, semi = 0;
        for (uint32_t i = 0; i < c->n_repl; i++)
            if (c->repl[i].semisync == 1) {
                semi++;
                ev_n += c->repl[i].events > 0 ? c->repl[i].events : 0;
            }
        pm_appendf(ev, sizeof(ev), "wire: %lld semisync replica(s) received %lld events with the "
                                   "semisync header and not one ack request (state %s -> %s)",
                   (long long)semi, (long long)ev_n, c->state_start, c->state_end);
    }
    int64_t en, since;
    bool var_off = c->st && ss_status_samples_value_at(c->st, SS_SV_VAR_ENABLED,
                                                       srv(c, c->w1), &en, &since) && en == 0;
    if (!var_off && c->st && ss_status_samples_has(c->st, SS_SV_VAR_ENABLED) &&
        c->st->series[SS_SV_VAR_ENABLED].last.value == 0) {
        var_off = true; /* a variables file taken outside the capture window */
        since = c->st->series[SS_SV_VAR_ENABLED].last.ts_ns;
    }
    if (var_off)
        pm_appendf(ev, sizeof(ev), "%svariables: %s=OFF (sample at %s)", ev[0] ? "; " : "",
                   c->st->series[SS_SV_VAR_ENABLED].spelling, t_str(since, t, sizeof(t)));
    const struct ss_el_record *dis = NULL;
    for (uint32_t i = 0; c->el && i < c->el->n; i++) {
        const struct ss_el_record *r = &c->el->recs[i];
        if (r->kind == SS_EL_DISABLED && r->ts_ns <= srv(c, c->w1))
            dis = r;
        else if (r->kind == SS_EL_ENABLED && r->ts_ns <= srv(c, c->w1))
            dis = NULL;
    }
    if (dis)
        pm_appendf(ev, sizeof(ev), "%slog: semisync disabled on the master at %s",
                   ev[0] ? "; " : "", t_str(dis->ts_ns, t, sizeof(t)));
    int64_t st_end;
    if ((var_off || dis) && c->st &&
        ss_status_samples_value_at(c->st, SS_SV_STATUS, srv(c, c->w1), &st_end, &since))
        pm_appendf(ev, sizeof(ev), "; status: %sstatus=%s", c->names.st_master,
                   st_end ? "ON" : "OFF");
    bool param_off = c->enabled == 0 && !var_off;
    if (param_off)
        pm_appendf(ev, sizeof(ev), "%sparameters: enabled=OFF (source: %s)", ev[0] ? "; " : "",
                   c->enabled_src && c->enabled_src[0] ? c->enabled_src : "report");
    if (!wire && !var_off && !dis && !param_off)
        return SS_OK;
    *fired = true;
    char rem[REM];
    snprintf(rem, sizeof(rem),
             "on the master: SET GLOBAL %s=1; and set %s=ON in the [mysqld] section of its "
             "configuration so that a restart keeps it",
             c->names.master_enabled, c->names.master_enabled);
    if (c->names.both)
        pm_appendf(rem, sizeof(rem), " (MySQL before 8.0.26 or with the old plugin: "
                                     "rpl_semi_sync_master_enabled)");
    return pm_add_diag(c, "critical",
                    "semisync is disabled on the master: commits never wait for a replica", ev,
                    rem);
}

/* ---- rule: a replica streaming without the semisync header ----------------------------------- */

/* A server_id the log shows starting a dump without semisync, with no semi-sync start beside it. */
static bool log_async_dump(const struct pm_ctx *c, int64_t sid, int64_t *when)
{
    const struct ss_el_record *last_plain = NULL, *last_semi = NULL;
    for (uint32_t i = 0; c->el && i < c->el->n; i++) {
        const struct ss_el_record *r = &c->el->recs[i];
        if (r->kind != SS_EL_DUMP_START || r->server_id != sid || !in_window(c, r->ts_ns, 60))
            continue;
        if (r->semisync == 1)
            last_semi = r;
        else
            last_plain = r;
    }
    if (!last_plain)
        return false;
    /* MariaDB writes a plain line, then a semi-sync line for the same dump (same thread) */
    if (last_semi && last_semi->thread_id == last_plain->thread_id &&
        last_semi->ts_ns >= last_plain->ts_ns)
        return false;
    *when = last_plain->ts_ns;
    return true;
}

static int rule_replica_async(struct pm_ctx *c, bool *fired)
{
    int64_t semi = 0;
    for (uint32_t i = 0; i < c->n_repl; i++)
        semi += c->repl[i].semisync == 1;
    for (uint32_t i = 0; i < c->n_repl; i++) {
        const struct pm_repl *r = &c->repl[i];
        int64_t when = 0;
        bool log_async = r->server_id >= 0 && log_async_dump(c, r->server_id, &when);
        if (r->semisync != 0 && !(r->semisync == -1 && log_async))
            continue;
        *fired = true;
        char who[96], ev[EVID] = "", rem[REM], cause[300], t[24];
        pm_replica_name(r, who, sizeof(who));
        if (r->semisync == 0)
            snprintf(ev, sizeof(ev), "wire: %lld events sent to %s without the 0xEF semisync "
                                     "header; %lld acks",
                     (long long)r->events, who, (long long)(r->acks > 0 ? r->acks : 0));
        if (log_async)
            pm_appendf(ev, sizeof(ev), "%slog: its binlog dump started at %s without semi-sync",
                       ev[0] ? "; " : "", t_str(when, t, sizeof(t)));
        pm_appendf(ev, sizeof(ev), "; %lld other semisync replica(s), the master waits for %lld",
                   (long long)semi, (long long)c->wait_count);
        snprintf(cause, sizeof(cause),
                 "replica %s streams without semisync (its %s is OFF): it never acks, so it does "
                 "not protect commits",
                 who, c->names.slave_enabled);
        snprintf(rem, sizeof(rem),
                 "on replica %s: SET GLOBAL %s=1; %s; %s; and set %s=ON in its configuration "
                 "(the replica asks for semisync only when its IO thread connects)",
                 r->address, c->names.slave_enabled, c->names.stop_io, c->names.start_io,
                 c->names.slave_enabled);
        if (c->names.both)
            pm_appendf(rem, sizeof(rem), " (MySQL before 8.0.26: rpl_semi_sync_slave_enabled, "
                                         "STOP SLAVE IO_THREAD, START SLAVE IO_THREAD)");
        int rc = pm_add_diag(c, semi < c->wait_count ? "critical" : "warning", cause, ev, rem);
        if (rc)
            return rc;
    }
    return SS_OK;
}

/* ---- rule: semisync switched OFF (timeouts) -------------------------------------------------- */

struct off_ep {
    int64_t t;           /* capture clock */
    int64_t back_on;     /* capture clock, 0 never */
    char src[400];       /* what showed it */
    int cause;           /* 0 unknown, 1 all disconnected, 2 connected but no ack */
    char detail[600];
};

/* Whether semisync replica r was connected at capture time t: 1 yes, 0 no (why in `how`), -1
 * unknown. */
static int connected_at(const struct pm_ctx *c, const struct pm_repl *r, int64_t t, char *how,
                        size_t n)
{
    char tb[24];
    if (r->n_conns > 0) {
        const struct pm_conn *last_end = NULL;
        for (uint32_t k = 0; k < r->n_conns; k++) {
            const struct pm_conn *cn = &r->conns[k];
            if (cn->start_ns <= t && (cn->end_ns == 0 || cn->end_ns > t))
                return 1;
            if (cn->end_ns && cn->end_ns <= t && (!last_end || cn->end_ns > last_end->end_ns))
                last_end = cn;
        }
        if (last_end) {
            snprintf(how, n, "disconnected at %s (wire%s%s)",
                     t_str(last_end->end_ns, tb, sizeof(tb)), last_end->how[0] ? ": " : "",
                     last_end->how);
            if (r->kill_connections > 0)
                pm_appendf(how, n, ", after it sent KILL for its own dump thread: its IO thread "
                                   "was stopped");
            return 0;
        }
    }
    /* the log: the last start/stop of a semi-sync dump for this server_id before t */
    const struct ss_el_record *last = NULL;
    int64_t ts = srv(c, t);
    for (uint32_t i = 0; c->el && r->server_id >= 0 && i < c->el->n; i++) {
        const struct ss_el_record *e = &c->el->recs[i];
        if (e->server_id != r->server_id || e->ts_ns > ts || e->semisync == 0)
            continue;
        if (e->kind == SS_EL_DUMP_START || e->kind == SS_EL_DUMP_STOP)
            last = e;
    }
    if (!last)
        return -1;
    if (last->kind == SS_EL_DUMP_START)
        return 1;
    snprintf(how, n, "its semi-sync binlog dump stopped at %s (log)",
             t_str(last->ts_ns, tb, sizeof(tb)));
    return 0;
}

static void classify_episode(const struct pm_ctx *c, struct off_ep *ep)
{
    /* The commit that timed out started one timeout before the switch. */
    int64_t t = ep->t - c->timeout_ms * 1000000;
    int known = 0, gone = 0, conn = 0;
    char tmp[200];
    for (uint32_t i = 0; i < c->n_repl; i++) {
        const struct pm_repl *r = &c->repl[i];
        if (r->semisync != 1)
            continue;
        char who[96];
        pm_replica_name(r, who, sizeof(who));
        tmp[0] = '\0';
        int s = connected_at(c, r, t, tmp, sizeof(tmp));
        if (s < 0)
            continue;
        known++;
        if (s == 0) {
            gone++;
            pm_appendf(ep->detail, sizeof(ep->detail), "%s%s %s", ep->detail[0] ? "; " : "", who,
                       tmp);
        } else {
            conn++;
            pm_appendf(ep->detail, sizeof(ep->detail), "%s%s was connected", ep->detail[0] ? "; " : "",
                       who);
            if (r->unanswered > 0)
                pm_appendf(ep->detail, sizeof(ep->detail), " with %lld request(s) never acked",
                           (long long)r->unanswered);
            if (r->retransmissions > 0)
                pm_appendf(ep->detail, sizeof(ep->detail), ", %lld retransmission(s)",
                           (long long)r->retransmissions);
            if (r->zero_windows > 0)
                pm_appendf(ep->detail, sizeof(ep->detail), ", %lld zero-window advertisement(s)",
                           (long long)r->zero_windows);
            if (r->repl_p50_us >= 0 && r->net_p50_us >= 0)
                pm_appendf(ep->detail, sizeof(ep->detail),
                           ", ack latency p50 %.2f ms network + %.2f ms replica",
                           (double)r->net_p50_us / 1000, (double)r->repl_p50_us / 1000);
        }
    }
    ep->cause = known > 0 && gone == known ? 1 : conn > 0 ? 2 : 0;
}

static uint32_t off_episodes(const struct pm_ctx *c, struct off_ep *ep, uint32_t max)
{
    uint32_t n = 0;
    char t[24];
    for (uint32_t i = 0; i < c->n_tr && n < max; i++) {
        if (c->tr[i].to_on) {
            if (n > 0 && !ep[n - 1].back_on)
                ep[n - 1].back_on = c->tr[i].ts_ns;
            continue;
        }
        memset(&ep[n], 0, sizeof(ep[n]));
        ep[n].t = c->tr[i].ts_ns;
        pm_appendf(ep[n].src, sizeof(ep[n].src), "wire: OFF at %s%s%s",
                   t_str(ep[n].t, t, sizeof(t)), c->tr[i].reason[0] ? ", " : "", c->tr[i].reason);
        n++;
    }
    if (n > 0 || !c->st)
        goto from_log;
    /* no wire transitions: the status samples' ON→OFF changes */
    const struct ss_sv_series *se = &c->st->series[SS_SV_STATUS];
    for (uint32_t k = 1; k < se->n_points && n < max; k++) {
        const struct ss_sv_point *p = &se->points[k];
        if (!in_window(c, p->ts_ns, 0))
            continue;
        if (p->value) {
            if (n > 0 && !ep[n - 1].back_on)
                ep[n - 1].back_on = pm_to_capture(c, p->ts_ns);
            continue;
        }
        memset(&ep[n], 0, sizeof(ep[n]));
        ep[n].t = pm_to_capture(c, p->ts_ns);
        char a[24];
        snprintf(ep[n].src, sizeof(ep[n].src), "status: %sstatus ON -> OFF between %s and %s",
                 c->names.st_master, t_str(pm_to_capture(c, p->prev_ts_ns), a, sizeof(a)),
                 t_str(ep[n].t, t, sizeof(t)));
        n++;
    }
from_log:
    if (n > 0 || !c->el)
        return n;
    for (uint32_t i = 0; i < c->el->n && n < max; i++) {
        const struct ss_el_record *r = &c->el->recs[i];
        if (!in_window(c, r->ts_ns, 2))
            continue;
        if (r->kind == SS_EL_SWITCHED_ON && n > 0 && !ep[n - 1].back_on)
            ep[n - 1].back_on = pm_to_capture(c, r->ts_ns);
        if (r->kind != SS_EL_SWITCHED_OFF)
            continue;
        memset(&ep[n], 0, sizeof(ep[n]));
        ep[n].t = pm_to_capture(c, r->ts_ns);
        snprintf(ep[n].src, sizeof(ep[n].src), "log: switched OFF at %s",
                 t_str(r->ts_ns, t, sizeof(t)));
        n++;
    }
    return n;
}

/* Log lines that corroborate an episode: the timeout warning next to it. */
static void log_timeout_near(const struct pm_ctx *c, const struct off_ep *ep, char *ev, size_t n)
{
    for (uint32_t i = 0; c->el && i < c->el->n; i++) {
        const struct ss_el_record *r = &c->el->recs[i];
        double d = (double)(pm_to_capture(c, r->ts_ns) - ep->t) / 1e9;
        if (r->kind != SS_EL_TIMEOUT || d < -2.5 || d > 2.5)
            continue;
        char t[24];
        pm_appendf(ev, n, "; log %s: timeout waiting for the ack of %s:%lld", t_str(r->ts_ns, t, sizeof(t)),
                   r->file, (long long)r->pos);
        return;
    }
}

static void remedy_for(const struct pm_ctx *c, int cause, char *rem, size_t n)
{
    if (cause == 1)
        snprintf(rem, n,
                 "find why every semisync replica went away: on each replica %s (Slave_IO_Running, "
                 "Last_IO_Error) and its error log; %s if the IO thread was stopped. Semisync comes "
                 "back ON by itself at the first ack that reaches the master's last commit. "
                 "Transactions committed while OFF were not on any replica when the client was "
                 "told they committed",
                 c->names.show_replica, c->names.start_io);
    else if (cause == 2)
        snprintf(rem, n,
                 "the replicas stayed connected but did not ack within %lld ms. Network (packet "
                 "loss: retransmissions, zero windows): check the path between master and "
                 "replicas. Replica slow (the replica part of the ack latency): check its relay-log "
                 "disk and load. If such delays are normal, raise rpl_semi_sync_%s_timeout",
                 (long long)c->timeout_ms,
                 strstr(c->names.master_enabled, "source") ? "source" : "master");
    else
        snprintf(rem, n,
                 "a commit waited %lld ms without an ack. Check each semisync replica (%s: "
                 "Slave_IO_Running, Last_IO_Error) and the network between them and the master",
                 (long long)c->timeout_ms, c->names.show_replica);
}

static int rule_off(struct pm_ctx *c, bool *fired)
{
    struct off_ep ep[16];
    uint32_t n = off_episodes(c, ep, SS_ARRAY_LEN(ep));
    if (n == 0)
        return SS_OK;
    *fired = true;
    for (uint32_t i = 0; i < n; i++)
        classify_episode(c, &ep[i]);
    /* one row per cause, listing its episodes */
    for (int cause = 0; cause <= 2; cause++) {
        char ev[EVID] = "", t[24];
        uint32_t k = 0;
        bool recovered = true;
        for (uint32_t i = 0; i < n; i++) {
            if (ep[i].cause != cause)
                continue;
            k++;
            pm_appendf(ev, sizeof(ev), "%s#%u %s", ev[0] ? " | " : "", k, ep[i].src);
            log_timeout_near(c, &ep[i], ev, sizeof(ev));
            if (ep[i].detail[0])
                pm_appendf(ev, sizeof(ev), "; %s", ep[i].detail);
            if (ep[i].back_on)
                pm_appendf(ev, sizeof(ev), "; back ON at %s", t_str(ep[i].back_on, t, sizeof(t)));
            else
                recovered = false;
        }
        if (k == 0)
            continue;
        if (c->unprotected > 0)
            pm_appendf(ev, sizeof(ev), " | %lld transaction(s) committed while OFF (unprotected)",
                       (long long)c->unprotected);
        char cause_s[300], rem[REM];
        snprintf(cause_s, sizeof(cause_s), "semisync switched OFF %u time(s) after a commit waited "
                                           "%lld ms for an ack: %s%s",
                 k, (long long)c->timeout_ms,
                 cause == 1   ? "every semisync replica had disconnected"
                 : cause == 2 ? "the semisync replicas stopped acking while connected"
                              : "the cause is not visible in this data",
                 recovered ? " (it came back ON)" : "; it is still OFF at the end");
        remedy_for(c, cause, rem, sizeof(rem));
        int rc = pm_add_diag(c, recovered ? "warning" : "critical", cause_s, ev, rem);
        if (rc)
            return rc;
    }
    return SS_OK;
}

/* ---- rule: a semisync replica left and did not come back ------------------------------------- */

/* The end of the window, minus a little: a connection closed by the capture's own end is open. */
static int rule_replica_gone(struct pm_ctx *c, bool *fired)
{
    int64_t end = c->w1 < INT64_MAX / 2 ? c->w1 : 0;
    if (!end)
        return SS_OK;
    int64_t left = 0; /* semisync replicas still there at the end */
    char how[240];
    for (uint32_t i = 0; i < c->n_repl; i++)
        left += c->repl[i].semisync == 1 && connected_at(c, &c->repl[i], end, how, sizeof(how)) != 0;
    for (uint32_t i = 0; i < c->n_repl; i++) {
        const struct pm_repl *r = &c->repl[i];
        how[0] = '\0';
        if (r->semisync != 1 || connected_at(c, r, end, how, sizeof(how)) != 0)
            continue;
        *fired = true;
        char who[96], ev[EVID], cause[300], rem[REM];
        pm_replica_name(r, who, sizeof(who));
        snprintf(ev, sizeof(ev), "%s %s; no new dump connection until the end of the capture", who,
                 how);
        if (r->acks >= 0)
            pm_appendf(ev, sizeof(ev), "; it had acked %lld of %lld request(s)",
                       (long long)r->acks, (long long)r->ack_requests);
        snprintf(cause, sizeof(cause),
                 "semisync replica %s stopped replicating and did not come back", who);
        snprintf(rem, sizeof(rem),
                 "on replica %s: %s -- Slave_IO_Running and Last_IO_Error say why; %s once the "
                 "cause is fixed. Until then the master depends on the remaining semisync "
                 "replica(s)",
                 r->address, c->names.show_replica, c->names.start_io);
        pm_appendf(ev, sizeof(ev), "; %lld semisync replica(s) left, the master waits for %lld",
                   (long long)left, (long long)c->wait_count);
        int rc = pm_add_diag(c, left < c->wait_count ? "critical" : "warning", cause, ev, rem);
        if (rc)
            return rc;
    }
    return SS_OK;
}

/* ---- rule: fewer semisync clients than the master waits for ---------------------------------- */

static int rule_clients(struct pm_ctx *c, bool *fired)
{
    int64_t v = -1, since;
    const char *src = "wire";
    if (c->st && ss_status_samples_value_at(c->st, SS_SV_CLIENTS, srv(c, c->w1), &v, &since))
        src = "status";
    else
        v = pm_jint(json_object_get(c->m, "counters"), "clients_end", -1);
    if (v < 0 || v >= c->wait_count)
        return SS_OK;
    *fired = true;
    char ev[EVID], cause[300], rem[REM];
    snprintf(ev, sizeof(ev), "%s: %lld semisync client(s) at the end of the capture; the master "
                             "waits for %lld ack(s) per commit",
             src, (long long)v, (long long)c->wait_count);
    snprintf(cause, sizeof(cause),
             "fewer semisync replicas connected (%lld) than the master waits for (%lld): every "
             "commit will wait the full timeout and semisync switches OFF",
             (long long)v, (long long)c->wait_count);
    snprintf(rem, sizeof(rem),
             "connect semisync replicas: on each replica %s, then %s; %s=1 on each replica. "
             "If fewer replicas are intended, lower %s",
             c->names.show_replica, c->names.start_io, c->names.slave_enabled,
             c->flavor == 2 ? "the number of replicas the master waits for (MariaDB waits for one)"
                            : c->names.wait_count);
    return pm_add_diag(c, "critical", cause, ev, rem);
}

/* ---- rule: one replica's ack latency -------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void latency_split(const struct pm_repl *r, char *ev, size_t n, char *rem, size_t rn)
{
    if (r->net_p50_us >= 0 && r->repl_p50_us >= 0) {
        pm_appendf(ev, n, "; p50 split: %.2f ms network, %.2f ms replica",
                   (double)r->net_p50_us / 1000, (double)r->repl_p50_us / 1000);
        if (r->net_p50_us > r->repl_p50_us)
            snprintf(rem, rn, "the network part dominates: check the path between the master and "
                              "%s (latency, loss, retransmissions)",
                     r->address);
        else
            snprintf(rem, rn, "the replica part dominates: %s is slow to write and flush its relay "
                              "log (disk fsync latency, load)",
                     r->address);
    } else {
        snprintf(rem, rn, "check the network path to %s and its relay-log disk (fsync latency, "
                          "load)",
                 r->address);
    }
}

static int rule_latency(struct pm_ctx *c, bool *fired)
{
    int64_t p50s[PM_MAX_REPL];
    uint32_t m = 0;
    for (uint32_t i = 0; i < c->n_repl; i++)
        if (c->repl[i].semisync == 1 && c->repl[i].p50_us >= 0)
            p50s[m++] = c->repl[i].p50_us;
    qsort(p50s, m, sizeof(int64_t), cmp_i64);
    for (uint32_t i = 0; i < c->n_repl; i++) {
        const struct pm_repl *r = &c->repl[i];
        if (r->semisync != 1 || r->p50_us < 0)
            continue;
        char who[96], ev[EVID] = "", rem[REM], cause[300];
        pm_replica_name(r, who, sizeof(who));
        int64_t med = m >= 2 ? p50s[(m - 1) / 2] : -1;
        if (med == r->p50_us && m >= 2)
            med = p50s[0]; /* compare against the others: the fastest one */
        bool slow = m >= 2 && r->p50_us > 3 * med && r->p50_us - med > 2000;
        bool degr = r->first_p50_us >= 0 && r->last_p50_us > 3 * r->first_p50_us &&
                    r->last_p50_us - r->first_p50_us > 2000;
        if (!slow && !degr)
            continue;
        *fired = true;
        if (slow) {
            snprintf(cause, sizeof(cause), "replica %s acks slower than the others", who);
            snprintf(ev, sizeof(ev), "ack latency p50 %.2f ms (p99 %.2f ms) vs %.2f ms for the "
                                     "fastest other replica",
                     (double)r->p50_us / 1000, (double)r->p99_us / 1000, (double)med / 1000);
        } else {
            snprintf(cause, sizeof(cause), "replica %s: ack latency degraded during the capture",
                     who);
            snprintf(ev, sizeof(ev), "p50 %.2f ms in the first quarter of the intervals, %.2f ms "
                                     "in the last",
                     (double)r->first_p50_us / 1000, (double)r->last_p50_us / 1000);
        }
        latency_split(r, ev, sizeof(ev), rem, sizeof(rem));
        if (c->wait_count <= 1 && m >= 2)
            pm_appendf(ev, sizeof(ev), "; commits wait for the fastest ack, so it matters when "
                                       "the other replicas are gone");
        int rc = pm_add_diag(c, "warning", cause, ev, rem);
        if (rc)
            return rc;
    }
    return SS_OK;
}

/* ---- rules from log lines alone ---------------------------------------------------------------- */

static int rule_log_errors(struct pm_ctx *c, bool *fired)
{
    static const struct {
        enum ss_el_kind kind;
        const char *sev, *cause, *remedy;
    } rules[] = {
        {SS_EL_MAGIC_ERROR, "warning",
         "malformed semisync replies (magic number errors): a replica's ack was not understood",
         "check that the master and the replicas run compatible semisync plugins (same family "
         "and version line); restart the affected replica's IO thread"},
        {SS_EL_INSERT_FAILED, "critical",
         "the master could not record a transaction to wait for (failed to insert tranx_node) "
         "and switched semisync OFF",
         "check the master's memory; semisync comes back ON at the next ack reaching its last "
         "commit"},
        {SS_EL_FLUSH_FAILED, "warning",
         "the master failed to flush an event to a replica before waiting for its reply",
         "check the network between the master and its replicas"},
    };
    for (size_t k = 0; k < SS_ARRAY_LEN(rules); k++) {
        uint32_t cnt = 0;
        const struct ss_el_record *first = NULL;
        for (uint32_t i = 0; c->el && i < c->el->n; i++)
            if (c->el->recs[i].kind == rules[k].kind && in_window(c, c->el->recs[i].ts_ns, 60)) {
                cnt++;
                if (!first)
                    first = &c->el->recs[i];
            }
        if (!cnt)
            continue;
        *fired = true;
        char ev[EVID], t[24];
        snprintf(ev, sizeof(ev), "log: %u line(s), the first at %s: %.150s", cnt,
                 t_str(first->ts_ns, t, sizeof(t)), first->raw);
        int rc = pm_add_diag(c, rules[k].sev, rules[k].cause, ev, rules[k].remedy);
        if (rc)
            return rc;
    }
    return SS_OK;
}

/* ---- summary rows ---------------------------------------------------------------------------- */

static int rule_healthy(struct pm_ctx *c)
{
    char ev[EVID] = "";
    int64_t semi = 0, req = 0, acks = 0, p99 = -1;
    for (uint32_t i = 0; i < c->n_repl; i++) {
        if (c->repl[i].semisync != 1)
            continue;
        semi++;
        req += c->repl[i].ack_requests > 0 ? c->repl[i].ack_requests : 0;
        acks += c->repl[i].acks > 0 ? c->repl[i].acks : 0;
        if (c->repl[i].p99_us > p99)
            p99 = c->repl[i].p99_us;
    }
    snprintf(ev, sizeof(ev), "semisync %s throughout; %lld semisync replica(s); %lld ack "
                             "request(s), %lld ack(s)",
             c->state_end[0] ? c->state_end : "state not reported", (long long)semi,
             (long long)req, (long long)acks);
    if (p99 >= 0)
        pm_appendf(ev, sizeof(ev), "; worst replica ack latency p99 %.2f ms", (double)p99 / 1000);
    size_t i;
    json_t *row;
    uint32_t differ = 0;
    json_array_foreach(c->correlation, i, row)
    {
        if (!strncmp(pm_jstr(row, "verdict", ""), "differs", 7))
            differ++;
    }
    if (c->st)
        pm_appendf(ev, sizeof(ev), "; %u correlation row(s) differ", differ);
    return pm_add_diag(c, "info", "nothing wrong found: semisync worked during this capture", ev,
                    "none needed");
}

static int rule_after_fix(struct pm_ctx *c)
{
    char rem[REM];
    snprintf(rem, sizeof(rem),
             "on the master: %s -- %sstatus=ON, %sclients >= %lld, %sno_tx no longer growing; on "
             "each replica: %s -- %s=ON; in the router's view of the data servers, no server "
             "marked 'semisync down'; then capture again and check that every replica acks",
             c->names.status_like, c->names.st_master, c->names.st_master,
             (long long)c->wait_count, c->names.st_master, c->names.status_like,
             c->names.st_slave);
    return pm_add_diag(c, "info", "after the fix, verify", "", rem);
}

int pm_diagnose(struct pm_ctx *c)
{
    bool fired = false;
    int rc = rule_master_disabled(c, &fired);
    if (!rc)
        rc = rule_replica_async(c, &fired);
    if (!rc)
        rc = rule_off(c, &fired);
    if (!rc)
        rc = rule_replica_gone(c, &fired);
    if (!rc)
        rc = rule_clients(c, &fired);
    if (!rc)
        rc = rule_latency(c, &fired);
    if (!rc)
        rc = rule_log_errors(c, &fired);
    if (!rc)
        rc = fired ? rule_after_fix(c) : rule_healthy(c);
    return rc;
}
