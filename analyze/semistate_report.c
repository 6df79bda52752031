/* SPDX-License-Identifier: MIT */
/* semistate_report.c: one master's semisync-state sections of the report — JSON keys merged into
 * the master object, and the text timeline a DBA reads at a glance. Layout and key meanings in
 * docs/semisync-state.md "Report". */
#include "semiscope/semistate.h"

#include <string.h>
#include <time.h>

#include "semistate_priv.h"
#include "semiscope/report.h"

static json_t *ts_json(uint64_t ts_ns)
{
    return json_real((double)ts_ns / 1e9);
}

static json_t *count_json(int64_t v)
{
    return v < 0 ? json_null() : json_integer(v);
}

static json_t *approx_json(uint64_t approx_ns)
{
    return approx_ns ? json_real((double)approx_ns / 1e9) : json_null();
}

static const char *why_name(uint8_t why)
{
    switch (why) {
    case SS_SEM_WHY_TIMEOUT: return "timed_out";
    case SS_SEM_WHY_NO_REPLICA: return "no_semisync_replica";
    default: return "committed_while_off";
    }
}

static const char *flavor_name(enum ss_flavor f)
{
    return f == SS_FLAVOR_MYSQL ? "mysql" : f == SS_FLAVOR_MARIADB ? "mariadb" : "unknown";
}

/* "OFF at 10:01:52.000: …" or "OFF at about 10:01:52.1 (+/-0.43 s): …". */
static void summary(const struct ss_semi_transition *t, char *buf, size_t n)
{
    char clk[24];
    const char *to = t->to == SS_SEMI_ON ? "ON" : "OFF";
    if (t->approx_ns)
        snprintf(buf, n, "%s at about %s (+/-%.2f s): %s", to,
                 ss_sem_clock(t->ts_ns, 1, clk, sizeof(clk)), (double)t->approx_ns / 1e9,
                 t->reason);
    else
        snprintf(buf, n, "%s at %s: %s", to, ss_sem_clock(t->ts_ns, 3, clk, sizeof(clk)),
                 t->reason);
}

static void range_set(json_t *o, const char *name, int64_t v, int64_t lo, int64_t hi)
{
    if (v < 0 || (!lo && !hi))
        return;
    json_t *a = json_array();
    json_array_append_new(a, json_integer((json_int_t)(v + lo)));
    json_array_append_new(a, json_integer((json_int_t)(v + hi)));
    json_object_set_new(o, name, a);
}

/* Counters whose value the wire could not decide, each as [min, max] (absent when exact). */
static json_t *ranges_json(const struct ss_sem_master *m)
{
    json_t *o = json_object();
    const struct ss_semi_counter_range *g = &m->rng;
    range_set(o, "yes_tx", m->c.yes_tx, g->yes_tx_lo, g->yes_tx_hi);
    range_set(o, "no_tx", m->c.no_tx, g->no_tx_lo, g->no_tx_hi);
    range_set(o, "request_ack", m->c.request_ack, g->request_ack_lo, g->request_ack_hi);
    range_set(o, "get_ack", m->c.get_ack, g->get_ack_lo, g->get_ack_hi);
    return o;
}

static json_t *semisync_json(const struct ss_sem_master *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "state_start", json_string(ss_semi_state_name(m->state_start)));
    json_object_set_new(o, "state_end", json_string(ss_semi_state_name(m->state)));
    json_object_set_new(o, "flavor", json_string(flavor_name(m->flavor)));
    json_t *tr = json_array();
    for (uint32_t i = 0; i < m->n_tr; i++) {
        const struct ss_semi_transition *t = &m->tr[i];
        json_t *e = json_object();
        char sum[SS_SEMI_REASON_MAX + 64];
        summary(t, sum, sizeof(sum));
        json_object_set_new(e, "ts", ts_json(t->ts_ns));
        json_object_set_new(e, "to", json_string(ss_semi_state_name(t->to)));
        json_object_set_new(e, "position",
                            t->position[0] ? json_string(t->position) : json_null());
        json_object_set_new(e, "reason", json_string(t->reason));
        json_object_set_new(e, "cause", json_string(ss_semi_cause_name(t->cause)));
        json_object_set_new(e, "approximate_s", approx_json(t->approx_ns));
        json_object_set_new(e, "summary", json_string(sum));
        json_array_append_new(tr, e);
    }
    json_object_set_new(o, "transitions", tr);
    json_object_set_new(o, "transitions_dropped", json_integer((json_int_t)m->tr_dropped));
    json_t *un = json_array();
    for (uint32_t i = 0; i < m->n_unc; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "from", ts_json(m->unc[i].from));
        json_object_set_new(e, "to", ts_json(m->unc[i].to));
        json_object_set_new(e, "reason", json_string(m->unc[i].reason));
        json_array_append_new(un, e);
    }
    json_object_set_new(o, "uncertain", un);
    json_object_set_new(o, "uncertain_total", json_integer((json_int_t)m->unc_total));
    json_t *tx = json_object();
    json_object_set_new(tx, "seen", json_integer((json_int_t)m->trx_seen));
    json_object_set_new(tx, "before_capture", json_integer((json_int_t)m->trx_before_capture));
    json_object_set_new(tx, "unclassified", json_integer((json_int_t)m->trx_unclassified));
    json_object_set_new(tx, "while_disabled", json_integer((json_int_t)m->trx_disabled));
    json_object_set_new(tx, "unflagged_while_on", json_integer((json_int_t)m->unflagged_on));
    json_object_set_new(tx, "pending_at_end", json_integer((json_int_t)m->pend_n));
    json_object_set_new(tx, "pending_dropped", json_integer((json_int_t)m->pend_dropped));
    json_object_set_new(tx, "unresolved", json_integer((json_int_t)m->members_unresolved));
    json_object_set_new(o, "transactions", tx);
    json_t *rb = json_object();
    for (uint32_t i = 0; i < m->n_replicas; i++) {
        const struct ss_sem_replica *r = &m->replicas[i];
        if (!r->releases)
            continue;
        char key[32];
        if (r->server_id >= 0)
            snprintf(key, sizeof(key), "%lld", (long long)r->server_id);
        else
            snprintf(key, sizeof(key), "unknown#%u", i);
        json_object_set_new(rb, key, json_integer((json_int_t)r->releases));
    }
    json_object_set_new(o, "released_by_server_id", rb);
    json_t *sl = json_array();
    for (uint32_t i = 0; i < m->n_slow; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "ts", ts_json(m->slow[i].ts));
        json_object_set_new(e, "position", json_string(m->slow[i].position));
        json_object_set_new(e, "wait_us", json_integer((json_int_t)(m->slow[i].wait_ns / 1000)));
        json_object_set_new(e, "server_id", count_json(m->slow[i].server_id));
        json_array_append_new(sl, e);
    }
    json_object_set_new(o, "slowest_commit_waits", sl);
    return o;
}

static json_t *counters_json(const struct ss_semi_counters *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "yes_tx", count_json(c->yes_tx));
    json_object_set_new(o, "no_tx", count_json(c->no_tx));
    json_object_set_new(o, "no_times", count_json(c->no_times));
    json_object_set_new(o, "get_ack", count_json(c->get_ack));
    json_object_set_new(o, "request_ack", count_json(c->request_ack));
    json_object_set_new(o, "clients_start", count_json(c->clients_start));
    json_object_set_new(o, "clients_end", count_json(c->clients_end));
    json_object_set_new(o, "tx_waits", count_json(c->tx_waits));
    json_object_set_new(o, "tx_wait_time_us", count_json(c->tx_wait_time_us));
    json_object_set_new(o, "net_waits", count_json(c->net_waits));
    return o;
}

static json_t *waits_json(const struct ss_hist *h)
{
    if (!h->count)
        return json_null();
    struct ss_hist_summary sm;
    ss_hist_summarize(h, &sm);
    json_t *o = json_object();
    json_object_set_new(o, "count", json_integer((json_int_t)sm.count));
    json_object_set_new(o, "min", json_integer((json_int_t)(sm.min / 1000)));
    json_object_set_new(o, "mean", json_real(sm.mean / 1000.0));
    json_object_set_new(o, "p50", json_integer((json_int_t)(sm.p50 / 1000)));
    json_object_set_new(o, "p90", json_integer((json_int_t)(sm.p90 / 1000)));
    json_object_set_new(o, "p99", json_integer((json_int_t)(sm.p99 / 1000)));
    json_object_set_new(o, "p999", json_integer((json_int_t)(sm.p999 / 1000)));
    json_object_set_new(o, "max", json_integer((json_int_t)(sm.max / 1000)));
    return o;
}

static json_t *param(json_t *value, enum ss_param_source src)
{
    json_t *o = json_object();
    json_object_set_new(o, "value", value);
    json_object_set_new(o, "source", json_string(ss_param_source_name(src)));
    return o;
}

static json_t *params_json(const struct ss_sem_master *m)
{
    const struct ss_semi_params *p = &m->p;
    json_t *o = json_object();
    json_t *t = param(json_integer(p->timeout_ms), p->src_timeout);
    if (m->timeout_note[0])
        json_object_set_new(t, "note", json_string(m->timeout_note));
    if (m->max_ok_wait)
        json_object_set_new(t, "longest_successful_wait_ms",
                            json_real((double)m->max_ok_wait / 1e6));
    json_object_set_new(o, "timeout_ms", t);
    json_object_set_new(o, "wait_count", param(json_integer(p->wait_count), p->src_wait_count));
    json_object_set_new(o, "wait_no_slave",
                        param(json_boolean(p->wait_no_slave), p->src_wait_no_slave));
    json_t *wp = p->wait_point_after_sync < 0 ? json_null()
                 : json_string(p->wait_point_after_sync ? "AFTER_SYNC" : "AFTER_COMMIT");
    json_object_set_new(o, "wait_point", param(wp, p->src_wait_point));
    json_object_set_new(o, "enabled",
                        param(p->enabled < 0 ? json_null() : json_boolean(p->enabled),
                              p->src_enabled));
    return o;
}

static json_t *unprotected_json(const struct ss_sem_master *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "count", json_integer((json_int_t)m->unp_total));
    json_t *l = json_array();
    for (uint32_t i = 0; i < m->n_unp; i++) {
        const struct ss_sem_unprot *u = &m->unp[i];
        json_t *e = json_object();
        json_object_set_new(e, "ts", ts_json(u->ts));
        json_object_set_new(e, "position", json_string(u->position));
        json_object_set_new(e, "gtid", u->gtid[0] ? json_string(u->gtid) : json_null());
        json_object_set_new(e, "why", json_string(why_name(u->why)));
        json_object_set_new(e, "approximate_s", approx_json(u->approx));
        json_array_append_new(l, e);
    }
    json_object_set_new(o, "list", l);
    return o;
}

json_t *ss_semistate_master_json(const struct ss_semistate *s, const struct ss_endpoint *master)
{
    const struct ss_sem_master *m = ss_sem_master_find(s, master);
    if (!m)
        return NULL;
    json_t *o = json_object();
    json_object_set_new(o, "semisync", semisync_json(m));
    json_object_set_new(o, "counters", counters_json(&m->c));
    json_object_set_new(o, "counter_ranges", ranges_json(m));
    json_object_set_new(o, "commit_wait_us", waits_json(&m->wait_hist));
    json_object_set_new(o, "parameters", params_json(m));
    json_object_set_new(o, "unprotected_transactions", unprotected_json(m));
    return o;
}

/* ---- text ------------------------------------------------------------------------------------ */

static void text_params(FILE *out, const struct ss_sem_master *m)
{
    const struct ss_semi_params *p = &m->p;
    fprintf(out, "  Parameters (value, source):\n");
    fprintf(out, "    timeout         %lld ms (%s)\n", (long long)p->timeout_ms,
            ss_param_source_name(p->src_timeout));
    if (m->timeout_note[0])
        ss_report_wrap(out, "                    note:", m->timeout_note, 20);
    fprintf(out, "    wait_count      %lld (%s)\n", (long long)p->wait_count,
            ss_param_source_name(p->src_wait_count));
    fprintf(out, "    wait_no_slave   %s (%s)\n", p->wait_no_slave ? "ON" : "OFF",
            ss_param_source_name(p->src_wait_no_slave));
    fprintf(out, "    wait_point      %s (%s)\n",
            p->wait_point_after_sync < 0 ? "unknown"
            : p->wait_point_after_sync   ? "AFTER_SYNC"
                                         : "AFTER_COMMIT",
            ss_param_source_name(p->src_wait_point));
    fprintf(out, "    enabled         %s (%s)\n",
            p->enabled < 0 ? "unknown" : p->enabled ? "ON" : "OFF",
            ss_param_source_name(p->src_enabled));
}

/* One counter: name, the value right-aligned in its column, what it counts. */
#define COUNTER_ROW "    %-14s %10s  %s\n"

static void text_count(FILE *out, const char *name, int64_t v, const char *note)
{
    char val[24] = "n/a";
    if (v >= 0)
        snprintf(val, sizeof(val), "%lld", (long long)v);
    fprintf(out, COUNTER_ROW, name, val, note);
}

/* A counter the wire could not pin down: the range the server's value lies in. */
static void text_range(FILE *out, int64_t v, int64_t lo, int64_t hi)
{
    if (v >= 0 && (lo || hi))
        fprintf(out, "    %-14s %10s  (undecided from the wire: %lld to %lld)\n", "", "",
                (long long)(v + lo), (long long)(v + hi));
}

static void text_counters(FILE *out, const struct ss_sem_master *m)
{
    const struct ss_semi_counters *c = &m->c;
    fprintf(out, "  Counters (Rpl_semi_sync_master_* deltas the master would show; ~ estimate):\n");
    const struct ss_semi_counter_range *g = &m->rng;
    text_count(out, "yes_tx", c->yes_tx, "commits released by an ack");
    text_range(out, c->yes_tx, g->yes_tx_lo, g->yes_tx_hi);
    text_count(out, "no_tx", c->no_tx, "commits without an ack (OFF, timed out)");
    text_range(out, c->no_tx, g->no_tx_lo, g->no_tx_hi);
    text_count(out, "no_times", c->no_times, "switches ON -> OFF");
    text_count(out, "request_ack", c->request_ack, "transactions registered for an ack");
    text_range(out, c->request_ack, g->request_ack_lo, g->request_ack_hi);
    text_count(out, "get_ack", c->get_ack, "ack packets read while enabled");
    text_range(out, c->get_ack, g->get_ack_lo, g->get_ack_hi);
    text_count(out, "net_waits", c->net_waits, "flagged events sent (exact)");
    char cl[48], tw[32], avg[48];
    snprintf(cl, sizeof(cl), "%lld -> %lld", (long long)c->clients_start,
             (long long)c->clients_end);
    fprintf(out, COUNTER_ROW, "clients", cl, "semisync replicas at start -> at end");
    text_count(out, "tx_waits", c->tx_waits, "~ commits that waited (upper bound)");
    if (c->tx_waits > 0) {
        snprintf(tw, sizeof(tw), "~%lld", (long long)c->tx_wait_time_us);
        snprintf(avg, sizeof(avg), "us waited (avg ~%lld us)",
                 (long long)(c->tx_wait_time_us / c->tx_waits));
        fprintf(out, COUNTER_ROW, "tx_wait_time", tw, avg);
    } else {
        text_count(out, "tx_wait_time", c->tx_wait_time_us, "us waited ~");
    }
}

static void text_waits(FILE *out, const struct ss_sem_master *m, int verbosity)
{
    if (!m->wait_hist.count) {
        fprintf(out, "  Commit waits: none measured\n");
        return;
    }
    struct ss_hist_summary sm;
    ss_hist_summarize(&m->wait_hist, &sm);
    fprintf(out,
            "  Commit waits (first flagged send -> releasing ack), us:\n"
            "    n=%llu min %llu p50 %llu p90 %llu p99 %llu max %llu\n",
            (unsigned long long)sm.count, (unsigned long long)(sm.min / 1000),
            (unsigned long long)(sm.p50 / 1000), (unsigned long long)(sm.p90 / 1000),
            (unsigned long long)(sm.p99 / 1000), (unsigned long long)(sm.max / 1000));
    char rel[1024] = "";
    for (uint32_t i = 0; i < m->n_replicas; i++) {
        size_t len = strlen(rel);
        if (m->replicas[i].releases && len < sizeof(rel))
            snprintf(rel + len, sizeof(rel) - len, "%sserver_id %lld: %llu", len ? ", " : "",
                     (long long)m->replicas[i].server_id,
                     (unsigned long long)m->replicas[i].releases);
    }
    ss_report_wrap(out, "    released by:", rel, 6);
    if (verbosity < 1)
        return;
    for (uint32_t i = 0; i < m->n_slow; i++) {
        char clk[24];
        char who[32] = "an unknown replica";
        if (m->slow[i].server_id >= 0)
            snprintf(who, sizeof(who), "server_id %lld", (long long)m->slow[i].server_id);
        fprintf(out, "    slow: %s waited %llu us,\n          released at %s by %s\n",
                m->slow[i].position, (unsigned long long)(m->slow[i].wait_ns / 1000),
                ss_sem_clock(m->slow[i].ts, 3, clk, sizeof(clk)), who);
    }
}

static void text_unprotected(FILE *out, const struct ss_sem_master *m, int verbosity)
{
    fprintf(out, "  Unprotected transactions (committed without a replica's ack): %llu\n",
            (unsigned long long)m->unp_total);
    uint32_t show = verbosity >= 1 ? m->n_unp : (m->n_unp < 10 ? m->n_unp : 10);
    for (uint32_t i = 0; i < show; i++) {
        const struct ss_sem_unprot *u = &m->unp[i];
        char clk[24];
        fprintf(out, "    %s%s  %-26s %-14s %s\n", u->approx ? "~" : " ",
                ss_sem_clock(u->ts, 3, clk, sizeof(clk)), u->position,
                u->gtid[0] ? u->gtid : "-", why_name(u->why));
    }
    if (m->unp_total > show)
        fprintf(out, "    … %llu more%s\n", (unsigned long long)(m->unp_total - show),
                show < m->n_unp ? " (-v lists up to 100)" : "");
}

void ss_semistate_master_text(FILE *out, const struct ss_semistate *s,
                              const struct ss_endpoint *master, int verbosity)
{
    const struct ss_sem_master *m = ss_sem_master_find(s, master);
    if (!m || !out)
        return;
    char ep[SS_ENDPOINT_STRLEN], day[16];
    time_t sec = (time_t)(m->first_ts / SS_NS_PER_SEC);
    struct tm tm;
    gmtime_r(&sec, &tm);
    strftime(day, sizeof(day), "%Y-%m-%d", &tm);
    fprintf(out, "\nSemisync on %s (%s): %s at start, %s at end\n",
            ss_endpoint_str(&m->ep, ep, sizeof(ep)), flavor_name(m->flavor),
            ss_semi_state_name(m->state_start), ss_semi_state_name(m->state));
    fprintf(out, "  Timeline (UTC, %s):", day);
    if (!m->n_tr)
        fprintf(out, " no change seen\n");
    else
        fputc('\n', out);
    for (uint32_t i = 0; i < m->n_tr; i++) {
        char sum[SS_SEMI_REASON_MAX + 64];
        summary(&m->tr[i], sum, sizeof(sum));
        ss_report_wrap(out, "   ", sum, 6);
    }
    if (m->tr_dropped)
        fprintf(out, "    (%llu transitions not kept; the last one is the latest)\n",
                (unsigned long long)m->tr_dropped);
    if (m->unc_total) {
        fprintf(out, "  Not decidable from the wire (%llu):\n", (unsigned long long)m->unc_total);
        for (uint32_t i = 0; i < m->n_unc && (verbosity >= 1 || i < 5); i++) {
            char a[24], b[24], line[SS_SEMI_REASON_MAX + 64];
            snprintf(line, sizeof(line), "%s to %s: %s",
                     ss_sem_clock(m->unc[i].from, 1, a, sizeof(a)),
                     ss_sem_clock(m->unc[i].to, 1, b, sizeof(b)), m->unc[i].reason);
            ss_report_wrap(out, "   ", line, 6);
        }
    }
    text_params(out, m);
    text_counters(out, m);
    text_waits(out, m, verbosity);
    text_unprotected(out, m, verbosity);
    if (verbosity >= 1)
        fprintf(out,
                "  Transactions: %llu seen, %llu before the capture, %llu unclassified,\n"
                "    %llu while disabled, %llu unflagged while ON, %llu pending at end\n",
                (unsigned long long)m->trx_seen, (unsigned long long)m->trx_before_capture,
                (unsigned long long)m->trx_unclassified, (unsigned long long)m->trx_disabled,
                (unsigned long long)m->unflagged_on, (unsigned long long)m->pend_n);
}
