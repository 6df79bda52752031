/* SPDX-License-Identifier: MIT */
/* pm_replica_rules.c: diagnosis rules about the replicas' dump connections: whether a replica was
 * connected at a given time (wire connections, else the log's dump start/stop lines), a semisync
 * replica that left and did not come back, and replicas that reconnected. */
#include <string.h>
#include <strings.h>

#include "pm_priv.h"
#include "semiscope/status.h"

#define EVID 1400
#define REM 900

static const char *t_str(int64_t ns, char *buf, size_t n)
{
    return pm_fmt_time(ns, false, buf, n);
}

static uint32_t ended_conns(const struct pm_repl *r)
{
    uint32_t n = 0;
    for (uint32_t k = 0; k < r->n_conns; k++)
        n += r->conns[k].end_ns != 0;
    return n;
}

/* What the replica's own KILLs say about how its connection ended. A MariaDB replica running
 * semisync kills its dump thread on the master when its IO thread stops (STOP SLAVE, or an IO
 * thread restart): a KILL-only connection from its address is that stop. The report counts
 * them per replica without times, so they are attributed only as far as the counts allow. */
void pm_kill_note(const struct pm_repl *r, char *buf, size_t n)
{
    uint32_t ended = ended_conns(r);
    if (r->kill_connections <= 0)
        snprintf(buf, n, "%s", "");
    else if ((uint64_t)r->kill_connections >= ended)
        snprintf(buf, n, "it had killed its own dump thread on the master (%lld KILL "
                         "connection(s)): its IO thread was stopped (STOP SLAVE, or an IO thread "
                         "restart)",
                 (long long)r->kill_connections);
    else
        snprintf(buf, n, "it killed its own dump thread %lld time(s) during the capture (its IO "
                         "thread stopped), not before every disconnection",
                 (long long)r->kill_connections);
}

static const char *how_word(const char *how)
{
    return !strcmp(how, "fin") ? "FIN" : !strcmp(how, "rst") ? "RST"
           : !strcmp(how, "idle") ? "silent, idle timeout"
           : !strcmp(how, "evicted") ? "evicted from the flow table" : how;
}

int pm_connected_at(const struct pm_ctx *c, const struct pm_repl *r, int64_t t, char *how,
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
                     how_word(last_end->how));
            return 0;
        }
    }
    /* the log: the last start/stop of a semi-sync dump for this server_id before t */
    const struct ss_el_record *last = NULL;
    int64_t ts = pm_to_server(c, t);
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
             pm_log_time(c, last, tb, sizeof(tb)));
    return 0;
}

int64_t pm_semisync_left(const struct pm_ctx *c)
{
    int64_t end = c->w1 < INT64_MAX / 2 ? c->w1 : 0, left = 0;
    char how[240];
    for (uint32_t i = 0; i < c->n_repl; i++)
        left += c->repl[i].semisync == 1 &&
                (!end || pm_connected_at(c, &c->repl[i], end, how, sizeof(how)) != 0);
    return left;
}

/* The log's "Stop semi-sync binlog_dump" for this server_id within a second of t, as
 * corroboration. */
static void log_stop_near(const struct pm_ctx *c, const struct pm_repl *r, int64_t t, char *ev,
                          size_t n)
{
    for (uint32_t i = 0; c->el && r->server_id >= 0 && i < c->el->n; i++) {
        const struct ss_el_record *e = &c->el->recs[i];
        /* a whole-second log time may precede the wire's by up to its resolution */
        int64_t d = pm_to_capture(c, e->ts_ns) - t, sec = (int64_t)SS_NS_PER_SEC;
        if (e->kind != SS_EL_DUMP_STOP || e->server_id != r->server_id ||
            d < -(int64_t)e->ts_res_ns - sec || d > sec)
            continue;
        char tb[24];
        pm_appendf(ev, n, "; log %s: stop semi-sync binlog dump to server_id %lld",
                   pm_log_time(c, e, tb, sizeof(tb)), (long long)r->server_id);
        return;
    }
}

int pm_rule_replica_gone(struct pm_ctx *c)
{
    int64_t end = c->w1 < INT64_MAX / 2 ? c->w1 : 0;
    if (!end)
        return SS_OK;
    int64_t left = pm_semisync_left(c);
    char how[240];
    for (uint32_t i = 0; i < c->n_repl; i++) {
        const struct pm_repl *r = &c->repl[i];
        how[0] = '\0';
        if (r->semisync != 1 || pm_connected_at(c, r, end, how, sizeof(how)) != 0)
            continue;
        char who[96], ev[EVID], cause[300], rem[REM], tb[24], kn[200];
        pm_replica_name(r, who, sizeof(who));
        const struct pm_conn *last = NULL;
        for (uint32_t k = 0; k < r->n_conns; k++)
            if (r->conns[k].end_ns && (!last || r->conns[k].end_ns > last->end_ns))
                last = &r->conns[k];
        snprintf(cause, sizeof(cause), "semisync replica %s stopped replicating", who);
        if (last)
            pm_appendf(cause, sizeof(cause), " at %s", t_str(last->end_ns, tb, sizeof(tb)));
        pm_appendf(cause, sizeof(cause), "%s and had not reconnected when the capture ended",
                   r->kill_connections > 0 ? " (its IO thread was stopped on the replica)" : "");
        snprintf(ev, sizeof(ev), "%s %s", who, how);
        if (last)
            pm_appendf(ev, sizeof(ev), "; no new dump connection in the remaining %.1f s of the "
                                       "capture",
                       (double)(end - last->end_ns) / 1e9);
        pm_kill_note(r, kn, sizeof(kn));
        if (kn[0])
            pm_appendf(ev, sizeof(ev), "; %s", kn);
        if (last)
            log_stop_near(c, r, last->end_ns, ev, sizeof(ev));
        if (r->acks >= 0 && r->ack_requests >= 0)
            pm_appendf(ev, sizeof(ev), "; before leaving it had acked %lld of %lld request(s)",
                       (long long)r->acks, (long long)r->ack_requests);
        if (left >= c->wait_count)
            pm_appendf(ev, sizeof(ev), "; semisync stays ON through the %lld other semisync "
                                       "replica(s) (the master waits for %lld ack(s)), but with "
                                       "%s spare",
                       (long long)left, (long long)c->wait_count,
                       left > c->wait_count ? "less" : "no");
        else
            pm_appendf(ev, sizeof(ev), "; %lld semisync replica(s) left, fewer than the %lld "
                                       "ack(s) the master waits for",
                       (long long)left, (long long)c->wait_count);
        snprintf(rem, sizeof(rem),
                 "on replica %s: %s -- %s and Last_IO_Error say why it stopped; %s once the "
                 "cause is fixed (nothing to fix if it was stopped on purpose). Until it is "
                 "back, if the remaining replica(s) stop acking, commits wait the full %lld ms "
                 "timeout and semisync switches OFF",
                 r->address, c->names.show_replica, c->names.io_running, c->names.start_io,
                 (long long)c->timeout_ms);
        int rc = pm_add_diag(c, left < c->wait_count ? "critical" : "warning", cause, ev, rem);
        if (rc)
            return rc;
    }
    return SS_OK;
}

/* Whether another semisync replica stayed connected over [t0, t1] (it could ack meanwhile). */
static bool other_connected(const struct pm_ctx *c, const struct pm_repl *r, int64_t t0,
                            int64_t t1)
{
    for (uint32_t i = 0; i < c->n_repl; i++) {
        const struct pm_repl *o = &c->repl[i];
        if (o == r || o->semisync != 1)
            continue;
        for (uint32_t k = 0; k < o->n_conns; k++)
            if (o->conns[k].start_ns <= t0 && (o->conns[k].end_ns == 0 || o->conns[k].end_ns >= t1))
                return true;
    }
    return false;
}

/* One replica's reconnects as evidence: when it left, how, and how long it was away. Those the
 * master's restart explains are left to its row. *alone: for each, whether no other semisync
 * replica was connected meanwhile (then none "kept acking"). */
static uint32_t reconnect_evidence(const struct pm_ctx *c, const struct pm_repl *r, char *ev,
                                   size_t n, bool *alone)
{
    uint32_t k_rec = 0;
    char a[24], b[24];
    *alone = false;
    for (uint32_t k = 0; k + 1 < r->n_conns; k++) {
        const struct pm_conn *x = &r->conns[k], *y = &r->conns[k + 1];
        if (!x->end_ns || y->start_ns < x->end_ns || pm_restart_explains(c, x->end_ns))
            continue;
        k_rec++;
        *alone = *alone || !other_connected(c, r, x->end_ns, y->start_ns);
        pm_appendf(ev, n, "%sdisconnected at %s (%s) and reconnected at %s, %.3f s later",
                   ev[0] ? "; " : "", t_str(x->end_ns, a, sizeof(a)),
                   x->how[0] ? how_word(x->how) : "end not seen", t_str(y->start_ns, b, sizeof(b)),
                   (double)(y->start_ns - x->end_ns) / 1e9);
    }
    return k_rec;
}

int pm_rule_reconnects(struct pm_ctx *c)
{
    for (uint32_t i = 0; i < c->n_tr; i++)
        if (!c->tr[i].to_on && !c->tr[i].contradicted)
            return SS_OK; /* the switched-OFF row tells the replicas' story */
    for (uint32_t i = 0; i < c->n_repl; i++) {
        const struct pm_repl *r = &c->repl[i];
        char ev[EVID] = "", who[96], cause[300], times[24], rem[REM];
        bool alone;
        uint32_t k = reconnect_evidence(c, r, ev, sizeof(ev), &alone);
        if (k == 0)
            continue;
        pm_replica_name(r, who, sizeof(who));
        if (r->kill_connections > 0)
            pm_appendf(ev, sizeof(ev), "; it killed its own dump thread %lld time(s): its IO "
                                       "thread was restarted on the replica (STOP/START SLAVE, "
                                       "or an IO thread restart after an error)",
                       (long long)r->kill_connections);
        else
            pm_appendf(ev, sizeof(ev), "; it sent no KILL for its dump thread, so the connection "
                                       "was ended from the master's side or by the network (a "
                                       "KILL of its dump thread on the master, a network "
                                       "failure); the replica reconnected by itself");
        bool on = !strcasecmp(c->state_start, "on") && !strcasecmp(c->state_end, "on");
        /* "kept acking" only when another semisync replica was connected all along */
        snprintf(cause, sizeof(cause), "replica %s reconnected %s%s", who,
                 pm_times(k, times, sizeof(times)),
                 r->semisync != 1 || !on ? ""
                 : alone ? "; semisync stayed ON, but no other semisync replica was connected "
                           "meanwhile: a commit then would have waited for one to come back"
                         : "; semisync stayed ON (the other replica(s) kept acking)");
        snprintf(rem, sizeof(rem),
                 "nothing to fix if the restart was intended; otherwise the replica's error log "
                 "and %s (Last_IO_Error) say why its connection was lost",
                 c->names.show_replica);
        int rc = pm_add_diag(c, "info", cause, ev, rem);
        if (rc)
            return rc;
    }
    return SS_OK;
}
