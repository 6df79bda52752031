/* SPDX-License-Identifier: MIT */
/* diagnosis.c: rules that turn the wire facts and the servers' records into a cause, its evidence
 * and the remedy in the runbook's words (docs/postmortem.md "Diagnosis rules"). Each rule reads
 * the facts in struct pm_ctx and adds at most a few rows; a healthy capture gets one info row. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pm_priv.h"
#include "semiscope/status.h"

#define EVID 2000
#define REM 900

int pm_add_diag(struct pm_ctx *c, const char *sev, const char *cause, const char *evidence,
                const char *remedy)
{
    json_t *d = json_object();
    if (!d)
        return SS_ERR_NOMEM;
    json_object_set_new(d, "severity", json_string(sev));
    json_object_set_new(d, "rule", json_string(c->rule ? c->rule : "unknown"));
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

char *pm_log_time(const struct pm_ctx *c, const struct ss_el_record *r, char *buf, size_t n)
{
    int64_t t = pm_to_capture(c, r->ts_ns);
    pm_fmt_time(t, false, buf, n);
    /* a whole-second log time, unshifted: its milliseconds are unknown, not zero */
    if (r->ts_res_ns >= 1000000000 && t == r->ts_ns && strlen(buf) > 8)
        buf[8] = '\0';
    return buf;
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

static bool in_window(const struct pm_ctx *c, int64_t server_ns, double slack_s)
{
    int64_t s = (int64_t)(slack_s * 1e9);
    return server_ns >= pm_to_server(c, c->w0) - s && server_ns <= pm_to_server(c, c->w1) + s;
}

/* ---- rule: semisync disabled on the master --------------------------------------------------- */

/* The variables say rpl_semi_sync_master_enabled=OFF at the end of the window (or, for a
 * variables file taken outside it, in its last sample). */
static bool vars_disabled(const struct pm_ctx *c, int64_t *since)
{
    int64_t en;
    if (!c->st || !ss_status_samples_has(c->st, SS_SV_VAR_ENABLED))
        return false;
    if (ss_status_samples_value_at(c->st, SS_SV_VAR_ENABLED, pm_to_server(c, c->w1), &en, since))
        return en == 0;
    *since = c->st->series[SS_SV_VAR_ENABLED].last.ts_ns;
    return c->st->series[SS_SV_VAR_ENABLED].last.value == 0;
}

static const struct ss_el_record *log_disabled(const struct pm_ctx *c)
{
    const struct ss_el_record *dis = NULL;
    for (uint32_t i = 0; c->el && i < c->el->n; i++) {
        const struct ss_el_record *r = &c->el->recs[i];
        if (r->ts_ns > pm_to_server(c, c->w1))
            break;
        if (r->kind == SS_EL_DISABLED)
            dis = r;
        else if (r->kind == SS_EL_ENABLED)
            dis = NULL;
    }
    return dis;
}

static int rule_master_disabled(struct pm_ctx *c)
{
    /* disabled (or enabled) at runtime during the capture: that row tells it, with the same
     * remedy when it is still disabled (pm_disable.c) */
    if (c->n_dis > 0)
        return SS_OK;
    char ev[EVID] = "", t[24];
    /* the wire's "disabled" that the server's samples contradict is not evidence: the samples
     * win (pm_rule_contradictions says so) */
    bool wire = pm_wire_disabled(c);
    int64_t semi = 0, ev_n = 0;
    for (uint32_t i = 0; i < c->n_repl; i++)
        if (c->repl[i].semisync == 1) {
            semi++;
            ev_n += c->repl[i].events > 0 ? c->repl[i].events : 0;
        }
    if (wire)
        pm_appendf(ev, sizeof(ev), "wire: %lld semisync replica(s) received %lld events with the "
                                   "semisync header and not one ack request (state %s -> %s)",
                   (long long)semi, (long long)ev_n, c->state_start, c->state_end);
    int64_t since = 0;
    bool var_off = vars_disabled(c, &since);
    if (var_off)
        pm_appendf(ev, sizeof(ev), "%svariables: %s=OFF (sample at %s)", ev[0] ? "; " : "",
                   c->st->series[SS_SV_VAR_ENABLED].spelling,
                   t_str(pm_to_capture(c, since), t, sizeof(t)));
    const struct ss_el_record *dis = log_disabled(c);
    if (dis)
        pm_appendf(ev, sizeof(ev), "%slog: semisync disabled on the master at %s",
                   ev[0] ? "; " : "", pm_log_time(c, dis, t, sizeof(t)));
    struct ss_sv_span sp;
    if ((var_off || dis) && c->st &&
        ss_status_samples_span(c->st, SS_SV_STATUS, pm_to_server(c, c->w0),
                               pm_to_server(c, c->w1), &sp))
        pm_appendf(ev, sizeof(ev), "; status: %sstatus=%s", c->names.st_master,
                   sp.to_value ? "ON" : "OFF");
    bool wire_param = c->enabled_src && !strcmp(c->enabled_src, "wire");
    bool param_off = c->enabled == 0 && !var_off && !(c->disabled_contradicted && wire_param);
    if (param_off)
        pm_appendf(ev, sizeof(ev), "%sparameters: enabled=OFF (source: %s)", ev[0] ? "; " : "",
                   c->enabled_src && c->enabled_src[0] ? c->enabled_src : "report");
    if (!wire && !var_off && !dis && !param_off)
        return SS_OK;
    if (c->while_disabled > 0)
        pm_appendf(ev, sizeof(ev), "; %lld transaction(s) committed without waiting for any "
                                   "replica",
                   (long long)c->while_disabled);
    if (semi > 0)
        pm_appendf(ev, sizeof(ev), "; the replicas are ready: %lld of them asked for semisync "
                                   "(%s=ON), only the master side is off",
                   (long long)semi, c->names.slave_enabled);
    char rem[REM];
    snprintf(rem, sizeof(rem),
             "on the master: SET GLOBAL %s=1; and set %s=ON in the [mysqld] section of its "
             "configuration so that a restart keeps it",
             c->names.master_enabled, c->names.master_enabled);
    if (c->names.both)
        pm_appendf(rem, sizeof(rem), " (MySQL before 8.0.26 or with the old plugin: "
                                     "rpl_semi_sync_master_enabled)");
    return pm_add_diag(c, "critical",
                       "semisync is disabled on the master: commits never wait for a replica",
                       ev, rem);
}

/* ---- rule: a replica streaming without the semisync header ----------------------------------- */

/* A server_id the log shows starting a dump without semisync, with no semi-sync start beside it. */
static bool log_async_dump(const struct pm_ctx *c, int64_t sid,
                           const struct ss_el_record **when)
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
    *when = last_plain;
    return true;
}

static int rule_replica_async(struct pm_ctx *c)
{
    int64_t semi = 0, srv_clients = -1;
    for (uint32_t i = 0; i < c->n_repl; i++)
        semi += c->repl[i].semisync == 1;
    bool have_clients = server_clients_end(c, &srv_clients);
    for (uint32_t i = 0; i < c->n_repl; i++) {
        const struct pm_repl *r = &c->repl[i];
        const struct ss_el_record *when_rec = NULL;
        bool log_async = r->server_id >= 0 && log_async_dump(c, r->server_id, &when_rec);
        if (r->semisync != 0 && !(r->semisync == -1 && log_async))
            continue;
        char who[96], ev[EVID] = "", rem[REM], cause[300], t[24];
        pm_replica_name(r, who, sizeof(who));
        if (r->semisync == 0)
            snprintf(ev, sizeof(ev), "wire: %lld events sent to %s without the 0xEF semisync "
                                     "header; %lld acks",
                     (long long)r->events, who, (long long)(r->acks > 0 ? r->acks : 0));
        if (log_async)
            pm_appendf(ev, sizeof(ev), "%slog: its binlog dump started at %s without semi-sync",
                       ev[0] ? "; " : "", pm_log_time(c, when_rec, t, sizeof(t)));
        if (have_clients)
            pm_appendf(ev, sizeof(ev), "; status: %sclients=%lld", c->names.st_master,
                       (long long)srv_clients);
        if (semi >= c->wait_count)
            pm_appendf(ev, sizeof(ev), "; semisync still works through the %lld other semisync "
                                       "replica(s) (the master waits for %lld ack(s)), with %s "
                                       "spare",
                       (long long)semi, (long long)c->wait_count,
                       semi > c->wait_count ? "less" : "no");
        else
            pm_appendf(ev, sizeof(ev), "; only %lld semisync replica(s), the master waits for "
                                       "%lld ack(s)",
                       (long long)semi, (long long)c->wait_count);
        snprintf(cause, sizeof(cause),
                 "replica %s replicates without semisync (its %s is OFF): it never acks, so it "
                 "protects no commit",
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
    bool all_killed;     /* cause 1: every replica gone had killed its own dump thread */
    int timeout;         /* a commit timed out: 1 (the wire's timeout rule, or the log's timeout
                          * line, which is the authority), 0 the wire's reason shows it was not
                          * a timeout, -1 not known */
    char logline[240];   /* the log's timeout line near it */
    char detail[700];
};

static void connected_detail(const struct pm_repl *r, char *d, size_t n)
{
    if (r->unanswered > 0)
        pm_appendf(d, n, " with %lld request(s) never acked", (long long)r->unanswered);
    if (r->retransmissions > 0)
        pm_appendf(d, n, ", %lld retransmission(s)", (long long)r->retransmissions);
    if (r->zero_windows > 0)
        pm_appendf(d, n, ", %lld zero-window advertisement(s)", (long long)r->zero_windows);
    if (r->repl_p50_us >= 0 && r->net_p50_us >= 0)
        pm_appendf(d, n, ", ack latency p50 %.2f ms network + %.2f ms replica",
                   (double)r->net_p50_us / 1000, (double)r->repl_p50_us / 1000);
}

static void classify_episode(const struct pm_ctx *c, struct off_ep *ep)
{
    /* The commit that timed out started one timeout before the switch; a switch that was not
     * a timeout, or whose cause the wire does not show (the timeout in use may be unknown), is
     * looked at when it happened. */
    int64_t t = ep->timeout != 1 ? ep->t : ep->t - c->timeout_ms * 1000000;
    int known = 0, gone = 0, conn = 0, killed = 0;
    char tmp[300], who[96];
    pm_appendf(ep->detail, sizeof(ep->detail), "at %s, %s: ", t_str(t, tmp, sizeof(tmp)),
               ep->timeout != 1 ? "when it switched OFF" : "when the commit began to wait");
    for (uint32_t i = 0; i < c->n_repl; i++) {
        const struct pm_repl *r = &c->repl[i];
        if (r->semisync != 1)
            continue;
        pm_replica_name(r, who, sizeof(who));
        tmp[0] = '\0';
        int s = pm_connected_at(c, r, t, tmp, sizeof(tmp));
        if (s < 0)
            continue;
        known++;
        /* connected when the commit began to wait, gone by the switch: it left during the wait
         * (under load the commit's start and the last replica's end may be microseconds apart:
         * the wire's reason then says "both semisync replicas had disconnected") */
        bool during = false;
        if (s == 1 && ep->timeout != 0 && t < ep->t) {
            char tmp2[240] = "";
            if (pm_connected_at(c, r, ep->t, tmp2, sizeof(tmp2)) == 0) {
                s = 0;
                during = true;
                snprintf(tmp, sizeof(tmp), "%.240s, while the commit waited", tmp2);
            }
        }
        if (s == 0) {
            gone++;
            killed += r->kill_connections > 0;
            pm_appendf(ep->detail, sizeof(ep->detail), "%s%s %s", known > 1 ? "; " : "", who, tmp);
            if (during)
                connected_detail(r, ep->detail, sizeof(ep->detail));
        } else {
            conn++;
            pm_appendf(ep->detail, sizeof(ep->detail), "%s%s was connected", known > 1 ? "; " : "",
                       who);
            connected_detail(r, ep->detail, sizeof(ep->detail));
        }
    }
    if (known == 0)
        ep->detail[0] = '\0';
    ep->cause = known > 0 && gone == known ? 1 : conn > 0 ? 2 : 0;
    ep->all_killed = ep->cause == 1 && killed == gone;
}

static uint32_t off_from_status(const struct pm_ctx *c, struct off_ep *ep, uint32_t max)
{
    uint32_t n = 0;
    char a[24], t[24];
    const struct ss_sv_series *se = &c->st->series[SS_SV_STATUS];
    bool skip_on = false;
    for (uint32_t k = 1; k < se->n_points && n < max; k++) {
        const struct ss_sv_point *p = &se->points[k];
        if (!in_window(c, p->ts_ns, 0))
            continue;
        if (p->value) {
            if (n > 0 && !ep[n - 1].back_on && !skip_on)
                ep[n - 1].back_on = pm_to_capture(c, p->ts_ns);
            skip_on = false;
            continue;
        }
        /* a runtime disable (pm_disable.c) is not a switch OFF of its own */
        if (pm_disable_explains(c, pm_to_capture(c, p->prev_ts_ns), pm_to_capture(c, p->ts_ns))) {
            skip_on = true;
            continue;
        }
        memset(&ep[n], 0, sizeof(ep[n]));
        ep[n].timeout = -1;
        ep[n].t = pm_to_capture(c, p->ts_ns);
        snprintf(ep[n].src, sizeof(ep[n].src), "status: %sstatus ON -> OFF between %s and %s",
                 c->names.st_master, t_str(pm_to_capture(c, p->prev_ts_ns), a, sizeof(a)),
                 t_str(ep[n].t, t, sizeof(t)));
        n++;
    }
    return n;
}

static uint32_t off_from_log(const struct pm_ctx *c, struct off_ep *ep, uint32_t max)
{
    uint32_t n = 0;
    char t[24];
    bool skip_on = false;
    for (uint32_t i = 0; i < c->el->n && n < max; i++) {
        const struct ss_el_record *r = &c->el->recs[i];
        if (!in_window(c, r->ts_ns, 2))
            continue;
        if ((r->kind == SS_EL_SWITCHED_ON || r->kind == SS_EL_ENABLED) && n > 0 &&
            !ep[n - 1].back_on && !skip_on)
            ep[n - 1].back_on = pm_to_capture(c, r->ts_ns);
        if (r->kind == SS_EL_SWITCHED_ON || r->kind == SS_EL_ENABLED)
            skip_on = false;
        if (r->kind != SS_EL_SWITCHED_OFF)
            continue;
        int64_t t0 = pm_to_capture(c, r->ts_ns);
        if (pm_disable_explains(c, t0, t0 + r->ts_res_ns)) {
            skip_on = true;
            continue;
        }
        memset(&ep[n], 0, sizeof(ep[n]));
        ep[n].timeout = -1;
        ep[n].t = pm_to_capture(c, r->ts_ns);
        snprintf(ep[n].src, sizeof(ep[n].src), "log: switched OFF at %s",
                 pm_log_time(c, r, t, sizeof(t)));
        n++;
    }
    return n;
}

/* OFF episodes: the wire's transitions, else the status samples' ON -> OFF, else the log. */
static uint32_t off_episodes(const struct pm_ctx *c, struct off_ep *ep, uint32_t max)
{
    uint32_t n = 0;
    char t[24];
    bool skip_on = false;
    for (uint32_t i = 0; i < c->n_tr && n < max; i++) {
        const struct pm_tr *tr = &c->tr[i];
        if (tr->to_on) {
            if (n > 0 && !ep[n - 1].back_on && !skip_on)
                ep[n - 1].back_on = tr->ts_ns;
            skip_on = false;
            continue;
        }
        /* the server's samples say ON throughout: they win; a runtime disable is told by its
         * own row (pm_disable.c), never as a timeout */
        if (tr->contradicted || tr->disable) {
            skip_on = true;
            continue;
        }
        memset(&ep[n], 0, sizeof(ep[n]));
        ep[n].t = tr->ts_ns;
        ep[n].timeout = tr->timed_out ? 1 : tr->not_timeout ? 0 : -1;
        /* the timeout's reason repeats what the classification says: position only; any other
         * reason is the evidence itself */
        pm_appendf(ep[n].src, sizeof(ep[n].src), "wire: OFF at %s", t_str(ep[n].t, t, sizeof(t)));
        if (tr->approx_s > 0)
            pm_appendf(ep[n].src, sizeof(ep[n].src), " (+/-%.2f s)", tr->approx_s);
        if (tr->pos[0] && (tr->timed_out || !tr->reason[0]))
            pm_appendf(ep[n].src, sizeof(ep[n].src), ", %s waited with no ack", tr->pos);
        else if (tr->reason[0])
            pm_appendf(ep[n].src, sizeof(ep[n].src), ", %s", tr->reason);
        n++;
    }
    if (n == 0 && c->st && !c->n_contradicted)
        n = off_from_status(c, ep, max);
    if (n == 0 && c->el)
        n = off_from_log(c, ep, max);
    return n;
}

/* Log lines that corroborate an episode: the timeout warning next to it. The log is the
 * authority on whether a commit timed out. */
static bool log_timeout_near(const struct pm_ctx *c, const struct off_ep *ep, char *ev, size_t n)
{
    for (uint32_t i = 0; c->el && i < c->el->n; i++) {
        const struct ss_el_record *r = &c->el->recs[i];
        double d = (double)(pm_to_capture(c, r->ts_ns) - ep->t) / 1e9;
        if (r->kind != SS_EL_TIMEOUT || d < -2.5 || d > 2.5)
            continue;
        char t[24];
        pm_appendf(ev, n, "; log %s: timeout waiting for the ack of %s:%lld",
                   pm_log_time(c, r, t, sizeof(t)), r->file, (long long)r->pos);
        return true;
    }
    return false;
}

void pm_off_remedy(const struct pm_ctx *c, int cause, bool timeout, char *rem, size_t n)
{
    char tw[200];
    pm_timeout_source(c, tw, sizeof(tw));
    if (!timeout && cause != 1)
        snprintf(rem, n,
                 "the wire saw the master stop asking for acks before any commit had waited out "
                 "the timeout (%s): a shorter %s than assumed, semisync disabled and enabled "
                 "again (look for SET GLOBAL %s in the master's general or audit log), or a "
                 "commit the capture did not show. The server's variables (--status) and error "
                 "log (--error-log) decide; check each semisync replica (%s: %s, "
                 "Last_IO_Error)",
                 tw, pm_timeout_var(c), c->names.master_enabled, c->names.show_replica,
                 c->names.io_running);
    else if (cause == 1)
        snprintf(rem, n,
                 "find why every semisync replica went away: on each replica %s (%s, "
                 "Last_IO_Error) and its error log; %s if the IO thread was stopped. Semisync comes "
                 "back ON by itself at the first ack that reaches the master's last commit. Keep "
                 "at least one semisync replica running during maintenance",
                 c->names.show_replica, c->names.io_running, c->names.start_io);
    else if (cause == 2)
        snprintf(rem, n,
                 "the replicas stayed connected but did not ack within the timeout (%s). Network "
                 "(packet loss: retransmissions, zero windows): check the path between master and "
                 "replicas. Replica slow (the replica part of the ack latency): check its relay-log "
                 "disk and load. If such delays are normal, raise %s",
                 tw, pm_timeout_var(c));
    else
        snprintf(rem, n,
                 "a commit waited the timeout (%s) without an ack. Check each semisync replica "
                 "(%s: %s, Last_IO_Error) and the network between them and the master",
                 tw, c->names.show_replica, c->names.io_running);
    if (c->unprotected > 0)
        pm_appendf(rem, n, ". Before any failover, check that the %lld transaction(s) committed "
                           "without an ack reached the replica you promote",
                   (long long)c->unprotected);
}

/* Once per row: what each gone replica's own KILLs say. */
static void kill_notes(const struct pm_ctx *c, char *ev, size_t n)
{
    for (uint32_t i = 0; i < c->n_repl; i++) {
        char kn[200], who[96];
        if (c->repl[i].semisync != 1)
            continue;
        pm_kill_note(&c->repl[i], kn, sizeof(kn));
        if (!kn[0])
            continue;
        pm_replica_name(&c->repl[i], who, sizeof(who));
        pm_appendf(ev, n, " | %s: %s", who, kn);
    }
}

static void off_cause(const struct pm_ctx *c, int cause, bool timeout, bool unknown, uint32_t k,
                      bool killed, bool recovered, char *buf, size_t n)
{
    char times[24], tw[160];
    pm_timeout_words(c, tw, sizeof(tw));
    if (timeout && unknown)
        /* Seen OFF, no commit seen waiting the timeout in use: a shorter timeout than the one
         * assumed, a disable and re-enable, a lost ack would each do it. Never "not a
         * timeout" unless the wire shows it (the timeout may only be assumed). */
        snprintf(buf, n, "semisync switched OFF %s; the wire does not show why (no commit was "
                         "seen waiting %s: a shorter timeout would explain it): %s",
                 pm_times(k, times, sizeof(times)), tw,
                 cause == 1   ? "every semisync replica had disconnected"
                 : cause == 2 ? "the semisync replicas stayed connected but stopped acking"
                              : "the cause is not visible in this data");
    else if (timeout)
        snprintf(buf, n, "semisync switched OFF %s after commits waited %s: %s",
                 pm_times(k, times, sizeof(times)), tw,
                 cause == 1   ? "every semisync replica had disconnected"
                 : cause == 2 ? "the semisync replicas stayed connected but stopped acking"
                              : "the cause is not visible in this data");
    else /* the wire's reason shows no commit waited out the timeout */
        snprintf(buf, n, "semisync switched OFF %s, not after a commit waited out the timeout "
                         "(the wire saw the master stop asking for acks): %s",
                 pm_times(k, times, sizeof(times)),
                 cause == 1   ? "every semisync replica had disconnected"
                 : cause == 2 ? "the semisync replicas were connected, and the cause is not "
                                "visible in this data"
                              : "the cause is not visible in this data");
    if (cause == 1 && killed)
        pm_appendf(buf, n, " (their IO threads were stopped)");
    if (recovered)
        pm_appendf(buf, n, "; it came back ON%s", cause == 1 ? " when they reconnected" : "");
    else
        pm_appendf(buf, n, "; it is still OFF at the end of the capture");
}

static int rule_off(struct pm_ctx *c)
{
    struct off_ep ep[16];
    uint32_t n = off_episodes(c, ep, SS_ARRAY_LEN(ep));
    for (uint32_t i = 0; i < n; i++) {
        ep[i].logline[0] = '\0';
        if (log_timeout_near(c, &ep[i], ep[i].logline, sizeof(ep[i].logline)))
            ep[i].timeout = 1; /* the log's timeout line is the authority */
        classify_episode(c, &ep[i]);
    }
    /* one row per cause (timeouts, or not known not to be, first), listing its episodes */
    for (int row = 0; row < 6; row++) {
        int cause = row % 3;
        bool timeout = row < 3;
        char ev[EVID] = "", t[24];
        uint32_t k = 0;
        bool recovered = true, killed = true, unknown = false;
        for (uint32_t i = 0; i < n; i++) {
            if (ep[i].cause != cause || (ep[i].timeout != 0) != timeout)
                continue;
            k++;
            unknown = unknown || ep[i].timeout < 0;
            killed = killed && ep[i].all_killed;
            pm_appendf(ev, sizeof(ev), "%s#%u %s", ev[0] ? " | " : "", k, ep[i].src);
            pm_appendf(ev, sizeof(ev), "%s", ep[i].logline);
            if (ep[i].detail[0])
                pm_appendf(ev, sizeof(ev), "; %s", ep[i].detail);
            if (ep[i].back_on)
                pm_appendf(ev, sizeof(ev), "; back ON at %s", t_str(ep[i].back_on, t, sizeof(t)));
            else
                recovered = false;
        }
        if (k == 0)
            continue;
        if (cause == 1)
            kill_notes(c, ev, sizeof(ev));
        if (c->unprotected > 0)
            pm_appendf(ev, sizeof(ev), " | %lld transaction(s) were committed without a "
                                       "replica's ack (timed out, or committed while OFF)",
                       (long long)c->unprotected);
        char cause_s[500], rem[REM], tw[200];
        pm_timeout_source(c, tw, sizeof(tw));
        pm_appendf(ev, sizeof(ev), " | timeout in use: %s", tw);
        off_cause(c, cause, timeout, unknown, k, killed, recovered, cause_s, sizeof(cause_s));
        pm_off_remedy(c, cause, timeout, rem, sizeof(rem));
        int rc = pm_add_diag(c, recovered ? "warning" : "critical", cause_s, ev, rem);
        if (rc)
            return rc;
    }
    return SS_OK;
}

/* ---- rule: fewer semisync clients than the master waits for ---------------------------------- */

static int rule_clients(struct pm_ctx *c)
{
    if ((is_state(c->state_end, "disabled") && pm_wire_disabled(c)) || c->enabled == 0)
        return SS_OK; /* the master-disabled row says it all */
    int64_t wire = pm_jint(json_object_get(c->m, "counters"), "clients_end", -1), srv = -1;
    bool have_srv = server_clients_end(c, &srv);
    /* the wire knows the capture's end exactly; the server's sample corroborates */
    bool few = wire >= 0 ? wire < c->wait_count && (!have_srv || srv < c->wait_count)
                         : have_srv && srv < c->wait_count;
    if (!few)
        return SS_OK;
    int64_t v = wire >= 0 ? wire : srv;
    char ev[EVID] = "", cause[300], rem[REM];
    if (wire >= 0)
        pm_appendf(ev, sizeof(ev), "wire: %lld semisync replica(s) connected at the end of the "
                                   "capture",
                   (long long)wire);
    if (have_srv)
        pm_appendf(ev, sizeof(ev), "%sstatus: %sclients=%lld", ev[0] ? "; " : "",
                   c->names.st_master, (long long)srv);
    pm_appendf(ev, sizeof(ev), "; the master waits for %lld ack(s) per commit",
               (long long)c->wait_count);
    snprintf(cause, sizeof(cause),
             "fewer semisync replicas connected (%lld) than the master waits for (%lld): every "
             "commit waits the full timeout and semisync switches OFF",
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

static void latency_split(const struct pm_repl *r, char *ev, size_t n, char *rem, size_t rn)
{
    if (r->net_p50_us >= 0 && r->repl_p50_us >= 0) {
        pm_appendf(ev, n, "; its p50 splits into %.2f ms network and %.2f ms on the replica",
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

/* The fastest other semisync replica with a latency, or NULL. */
static const struct pm_repl *fastest_other(const struct pm_ctx *c, const struct pm_repl *r,
                                           uint32_t *n_other)
{
    const struct pm_repl *best = NULL;
    *n_other = 0;
    for (uint32_t i = 0; i < c->n_repl; i++) {
        const struct pm_repl *o = &c->repl[i];
        if (o == r || o->semisync != 1 || o->p50_us < 0)
            continue;
        (*n_other)++;
        if (!best || o->p50_us < best->p50_us)
            best = o;
    }
    return best;
}

static void slow_row(const struct pm_ctx *c, const struct pm_repl *r, const struct pm_repl *o,
                     uint32_t n_other, char *cause, size_t cn, char *ev, size_t n)
{
    char who[96], other[96];
    pm_replica_name(r, who, sizeof(who));
    pm_replica_name(o, other, sizeof(other));
    snprintf(cause, cn, "replica %s acks much slower than %s: p50 %.2f ms vs %.2f ms (%.1fx)", who,
             n_other == 1 ? "the other replica" : "the fastest other replica",
             (double)r->p50_us / 1000, (double)o->p50_us / 1000,
             (double)r->p50_us / (double)(o->p50_us > 0 ? o->p50_us : 1));
    /* with one ack per commit, commits wait for the fastest replica: say what it costs now */
    if (c->wait_count <= 1 && o->released >= 0 && r->released >= 0 && o->released > r->released)
        pm_appendf(cause, cn, "; commits do not wait for it while %s acks first, but would if "
                              "%s went away",
                   other, other);
    snprintf(ev, n, "ack latency p50 %.2f ms, p99 %.2f ms; %s: p50 %.2f ms, p99 %.2f ms",
             (double)r->p50_us / 1000, (double)r->p99_us / 1000, other, (double)o->p50_us / 1000,
             (double)o->p99_us / 1000);
    if (o->released >= 0 && r->released >= 0)
        pm_appendf(ev, n, "; first ack of a commit: %s %lld time(s), this replica %lld",
                   other, (long long)o->released, (long long)r->released);
    if (c->commit_wait_p50_us >= 0)
        pm_appendf(ev, n, "; commit wait p50 %.2f ms", (double)c->commit_wait_p50_us / 1000);
}

static int rule_latency(struct pm_ctx *c)
{
    for (uint32_t i = 0; i < c->n_repl; i++) {
        const struct pm_repl *r = &c->repl[i];
        if (r->semisync != 1 || r->p50_us < 0)
            continue;
        uint32_t n_other;
        const struct pm_repl *o = fastest_other(c, r, &n_other);
        char who[96], ev[EVID] = "", rem[REM], cause[300];
        bool slow = o && r->p50_us > 3 * o->p50_us && r->p50_us - o->p50_us > 2000;
        bool degr = r->first_p50_us >= 0 && r->last_p50_us > 3 * r->first_p50_us &&
                    r->last_p50_us - r->first_p50_us > 2000;
        if (!slow && !degr)
            continue;
        if (slow) {
            slow_row(c, r, o, n_other, cause, sizeof(cause), ev, sizeof(ev));
        } else {
            pm_replica_name(r, who, sizeof(who));
            snprintf(cause, sizeof(cause), "replica %s: ack latency degraded during the capture "
                                           "(p50 %.2f ms -> %.2f ms)",
                     who, (double)r->first_p50_us / 1000, (double)r->last_p50_us / 1000);
            snprintf(ev, sizeof(ev), "p50 %.2f ms in the first quarter of the intervals, %.2f ms "
                                     "in the last",
                     (double)r->first_p50_us / 1000, (double)r->last_p50_us / 1000);
        }
        latency_split(r, ev, sizeof(ev), rem, sizeof(rem));
        int rc = pm_add_diag(c, "warning", cause, ev, rem);
        if (rc)
            return rc;
    }
    return SS_OK;
}

/* ---- rules from log lines alone ---------------------------------------------------------------- */

static int rule_log_errors(struct pm_ctx *c)
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
        char ev[EVID], t[24];
        snprintf(ev, sizeof(ev), "log: %u line(s), the first at %s: %.150s", cnt,
                 pm_log_time(c, first, t, sizeof(t)), first->raw);
        int rc = pm_add_diag(c, rules[k].sev, rules[k].cause, ev, rules[k].remedy);
        if (rc)
            return rc;
    }
    return SS_OK;
}

/* ---- what the wire cannot decide ------------------------------------------------------------ */

/* semisync.uncertain: spans in which the wire cannot tell what the master did; the counters they
 * touch are counter_ranges. Never an alarm: the server's own counters settle them. */
static int rule_uncertain(struct pm_ctx *c)
{
    const json_t *semi = json_object_get(c->m, "semisync");
    const json_t *u = json_object_get(semi, "uncertain");
    size_t n = json_array_size(u);
    int64_t total = pm_jint(semi, "uncertain_total", (int64_t)n);
    if (total < (int64_t)n)
        total = (int64_t)n;
    const json_t *rng = json_object_get(c->m, "counter_ranges");
    if (total == 0 && json_object_size(rng) == 0)
        return SS_OK;
    char ev[EVID] = "", cause[300], a[24], b[24];
    size_t i;
    json_t *s;
    json_array_foreach(u, i, s)
    {
        if (i >= 5) {
            pm_appendf(ev, sizeof(ev), " | and %lld more", (long long)(total - 5));
            break;
        }
        pm_appendf(ev, sizeof(ev), "%s%s to %s: %s", i ? " | " : "",
                   pm_fmt_time(pm_jts(json_object_get(s, "from")), false, a, sizeof(a)),
                   pm_fmt_time(pm_jts(json_object_get(s, "to")), false, b, sizeof(b)),
                   pm_jstr(s, "reason", "(no reason given)"));
    }
    if (total > (int64_t)n && n < 5)
        pm_appendf(ev, sizeof(ev), " | and %lld more (not listed in the report)",
                   (long long)(total - (int64_t)n));
    const char *key;
    json_t *r;
    uint32_t n_rng = 0;
    json_object_foreach((json_t *)rng, key, r)
    {
        if (json_array_size(r) != 2)
            continue;
        pm_appendf(ev, sizeof(ev), "%s%s %lld to %lld",
                   n_rng ? ", " : ev[0] ? " | counters the wire gives as ranges: "
                                        : "counters the wire gives as ranges: ",
                   key, (long long)json_integer_value(json_array_get(r, 0)),
                   (long long)json_integer_value(json_array_get(r, 1)));
        n_rng++;
    }
    if (total > 0)
        snprintf(cause, sizeof(cause), "not decidable from the wire: %lld span(s) in which the "
                                       "wire cannot tell what the master did; the counters they "
                                       "touch are reported as ranges, not as facts",
                 (long long)total);
    else
        snprintf(cause, sizeof(cause), "not decidable from the wire: %u counter(s) the wire can "
                                       "only bound (around a switch); reported as ranges, not "
                                       "as facts",
                 n_rng);
    return pm_add_diag(c, "info", cause, ev,
                       c->st ? "nothing to fix for this: the server's own counters settle it "
                               "(the correlation compares them with the wire's ranges)"
                             : "nothing to fix for this: the server's own counters settle it; "
                               "give its status samples with --status and the correlation "
                               "compares them with the wire's ranges");
}

/* ---- summary rows ---------------------------------------------------------------------------- */

/* Correlation rows that differ for a reason other than the two known to (tx_waits, tx_wait_time). */
static void unexpected_differences(const struct pm_ctx *c, char *ev, size_t n)
{
    size_t i;
    json_t *row;
    uint32_t differ = 0, rows = 0;
    char names[200] = "";
    json_array_foreach(c->correlation, i, row)
    {
        const char *var = pm_jstr(row, "variable", "");
        if (json_is_null(json_object_get(row, "server")))
            continue;
        rows++;
        const char *vd = pm_jstr(row, "verdict", "");
        /* a server value inside the wire's range (counter_ranges) is no difference */
        if (!strcmp(var, "tx_waits") || !strcmp(var, "tx_wait_time") ||
            !strncmp(vd, "matches", 7) || !strncmp(vd, PM_WITHIN_RANGE, strlen(PM_WITHIN_RANGE)))
            continue;
        differ++;
        pm_appendf(names, sizeof(names), "%s%s", names[0] ? ", " : "", var);
    }
    if (rows == 0)
        return;
    if (differ == 0)
        pm_appendf(ev, n, "; the servers' counters agree with the wire (tx_waits and "
                          "tx_wait_time may differ: see their verdicts)");
    else
        pm_appendf(ev, n, "; %u correlation row(s) differ: %s (see their verdicts)", differ,
                   names);
}

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
    bool contra = c->n_contradicted || c->disabled_contradicted;
    snprintf(ev, sizeof(ev), "semisync %s throughout%s; %lld semisync replica(s) acked %lld of "
                             "%lld request(s)",
             contra ? "on" : c->state_end[0] ? c->state_end : "state not reported",
             contra ? " by the server's samples (they contradict the wire: see that row)" : "",
             (long long)semi, (long long)acks, (long long)req);
    if (p99 >= 0)
        pm_appendf(ev, sizeof(ev), "; worst replica ack latency p99 %.2f ms", (double)p99 / 1000);
    if (c->commit_wait_p50_us >= 0)
        pm_appendf(ev, sizeof(ev), "; commit wait p50 %.2f ms",
                   (double)c->commit_wait_p50_us / 1000);
    if (c->st)
        unexpected_differences(c, ev, sizeof(ev));
    return pm_add_diag(c, "info",
                       c->restart_found ? "nothing else wrong found: semisync worked before and "
                                          "after the master's restart"
                                        : "nothing wrong found: semisync worked during this "
                                          "capture",
                       ev, "none needed");
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

static int sev_rank(const json_t *d)
{
    const char *s = pm_jstr(d, "severity", "");
    return !strcmp(s, "critical") ? 0 : !strcmp(s, "warning") ? 1 : 2;
}

/* Most severe first (stable within a severity), so the first row is the answer. */
static int sort_by_severity(struct pm_ctx *c, bool *alarm)
{
    json_t *sorted = json_array();
    if (!sorted)
        return SS_ERR_NOMEM;
    *alarm = false;
    for (int rank = 0; rank <= 2; rank++) {
        size_t i;
        json_t *d;
        json_array_foreach(c->diagnosis, i, d)
        {
            if (sev_rank(d) != rank)
                continue;
            *alarm = *alarm || rank < 2;
            if (json_array_append(sorted, d)) {
                json_decref(sorted);
                return SS_ERR_NOMEM;
            }
        }
    }
    json_array_clear(c->diagnosis);
    int rc = json_array_extend(c->diagnosis, sorted) ? SS_ERR_NOMEM : SS_OK;
    json_decref(sorted);
    return rc;
}

int pm_diagnose(struct pm_ctx *c)
{
    /* the restart first: it explains the reconnects (and stays the first row of its severity);
     * each row carries its rule's name (`rule`), which is how the wire's verdict and the one the
     * server's files give are compared (pm_verdict.c) */
    static const struct {
        const char *name;
        int (*fn)(struct pm_ctx *);
    } rules[] = {
        {"restart", pm_rule_restart},
        {"disabled_at_runtime", pm_rule_runtime_disable},
        {"master_disabled", rule_master_disabled},
        {"replica_without_semisync", rule_replica_async},
        {"switched_off", rule_off},
        {"replica_gone", pm_rule_replica_gone},
        {"too_few_clients", rule_clients},
        {"slow_replica", rule_latency},
        {"log_errors", rule_log_errors},
        {"reconnected", pm_rule_reconnects},
        {"unprotected", pm_rule_unprotected},
        {"samples_win", pm_rule_contradictions},
        {"not_decidable", rule_uncertain},
        {"capture_loss", pm_rule_capture_loss},
    };
    for (size_t i = 0; i < SS_ARRAY_LEN(rules); i++) {
        c->rule = rules[i].name;
        int rc = rules[i].fn(c);
        if (rc)
            return rc;
    }
    bool alarm;
    int rc = sort_by_severity(c, &alarm);
    if (rc)
        return rc;
    c->rule = alarm ? "after_the_fix" : "healthy";
    if (!alarm)
        return rule_healthy(c);
    return pm_after_fix_applies(c) ? rule_after_fix(c) : SS_OK;
}
