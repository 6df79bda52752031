/* SPDX-License-Identifier: MIT */
/* semistate_master.c: the per-master state machine — what the master's semisync plugin decided
 * (ON/OFF/disabled), reconstructed from flags, acks, disconnects and time. The evidence rules
 * follow protocol.md §5.3 (when the flag is set) and §8.1 (when the state changes); the reasoning
 * behind each rule is in docs/semisync-state.md. */
#include "semistate_priv.h"

#include <string.h>

static uint64_t timeout_ns(const struct ss_sem_master *m)
{
    return (uint64_t)m->p.timeout_ms * 1000000u;
}

uint32_t ss_sem_need_acks(const struct ss_sem_master *m)
{
    return m->p.wait_count > 0 ? (uint32_t)m->p.wait_count : 1;
}

/* MySQL AFTER_COMMIT waits once per transaction, AFTER_SYNC once per flush group (the leader);
 * MariaDB registers every transaction it flags (protocol.md §5.3, §5.4). */
bool ss_sem_count_members(const struct ss_sem_master *m)
{
    return m->flavor == SS_FLAVOR_MYSQL && m->p.wait_point_after_sync == 0;
}

uint32_t ss_sem_covering(const struct ss_sem_master *m, const struct ss_sem_pos *p)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < m->n_replicas; i++)
        if (m->replicas[i].have_best && ss_sem_pos_cmp(&m->replicas[i].best, p) >= 0)
            k++;
    return k;
}

static const char *sid_str(int64_t sid, char *buf, size_t n)
{
    if (sid >= 0)
        ss_sem_fmt(buf, n, "server_id %lld", (long long)sid);
    else
        ss_sem_fmt(buf, n, "a replica of unknown server_id");
    return buf;
}

/* ---- switching -------------------------------------------------------------------------- */

/* switch_off(): every waiter returns without its ack (no_tx) and the master forgets the reply
 * position (MariaDB's switch_off(), also run by disable_master()). Ends committed after the
 * switch were never registered: while OFF they count no_tx when they commit, while disabled
 * nothing at all (`disabled_from`: ends at or past it were committed while disabled). */
static void revise_after_disable(struct ss_sem_master *m, uint64_t ts, uint64_t approx);

static void switch_off_as(struct ss_sem_master *m, uint64_t ts, uint64_t approx,
                          enum ss_semi_cause cause, const struct ss_sem_pos *pos,
                          const char *reason, const struct ss_sem_pos *disabled_from)
{
    if (m->state == SS_SEMI_ON)
        m->c.no_times++;
    ss_sem_transition(m, ts, SS_SEMI_OFF, cause, pos, approx, reason);
    m->state = SS_SEMI_OFF;
    const struct ss_sem_pos *tpos = m->have_off_timeout ? &m->off_timeout_pos : NULL;
    m->off_woken = m->off_after = m->off_woken_late = m->off_woken_late_req = 0;
    /* Under AFTER_SYNC the group commit leader waits for its group's commits one after the
     * other; after a disable the next ones do not wait (wait_after_sync() returns at once when
     * disabled) and count nothing. So only the commit being waited for counts no_tx: most
     * likely the oldest one pending. */
    bool sync_waiter = disabled_from && m->dis_waiter;
    while (m->pend_n) {
        struct ss_sem_pending *p = ss_sem_pend_at(m, 0);
        bool counts = p->kind == SS_SEM_REQ || ss_sem_count_members(m);
        bool after = disabled_from ? ss_sem_pos_cmp(&p->pos, disabled_from) >= 0 : p->t0 > ts;
        if (!disabled_from && p->approx && tpos && ss_sem_pos_cmp(&p->pos, tpos) > 0 &&
            m->p.wait_point_after_sync != 0) {
            /* Seen only later, after the end that timed out in binlog order: with AFTER_SYNC
             * the waiting commit holds up the binlog, so it was most likely written after the
             * switch (not registered); in the waiter's own group commit it was registered. */
            after = true;
            if (p->kind == SS_SEM_REQ)
                m->rng.request_ack_hi++;
        } else if (!disabled_from && p->approx && p->t0 - p->approx <= ts &&
                   p->t0 + p->approx >= ts && p->kind == SS_SEM_REQ) {
            if (after)
                m->rng.request_ack_hi++;
            else
                m->rng.request_ack_lo--;
        }
        enum ss_sem_why why = SS_SEM_WHY_TIMEOUT;
        if (after && !disabled_from) {
            why = SS_SEM_WHY_OFF;
            if (p->kind == SS_SEM_REQ && m->c.request_ack > 0)
                m->c.request_ack--;
        }
        if (!disabled_from && !after && p->t0 > m->last_any_flag_ts) {
            m->off_woken_late++;
            if (p->kind == SS_SEM_REQ)
                m->off_woken_late_req++;
        }
        if (after && disabled_from) {
            /* Sent unflagged after the disable, but it may have been written (and registered)
             * before it: a commit becomes visible to dump threads only after its binlog sync. */
            uint64_t since_flag = p->t0 > ts - approx ? p->t0 - (ts - approx) : 0;
            if (p->kind == SS_SEM_REQ && since_flag <= SS_SEM_SYNC_LIKELY_NS) {
                /* Registered. Under AFTER_SYNC its session was waiting and the disable woke
                 * it (no_tx); under AFTER_COMMIT it waits only after the engine commit, and a
                 * disabled master does not wait at all: most likely not counted. */
                if (m->p.wait_point_after_sync == 1 && !sync_waiter) {
                    m->c.no_tx++;
                    m->rng.no_tx_lo--;
                    sync_waiter = true;
                } else {
                    m->rng.no_tx_hi++;
                }
                m->rng.request_ack_lo--;
                ss_sem_unprotected(m, p->t0, p->approx, &p->pos, p->gtid, SS_SEM_WHY_TIMEOUT);
                ss_sem_pend_pop(m);
                continue;
            }
            if (p->kind == SS_SEM_REQ && m->c.request_ack > 0)
                m->c.request_ack--;
            if (p->kind == SS_SEM_REQ && since_flag <= SS_SEM_SYNC_MAX_NS) {
                m->rng.request_ack_hi++;
                m->rng.no_tx_hi++;
            }
            m->trx_disabled++;
        } else if (disabled_from && counts) {
            /* Committed after the last flag: it may have come after the disable (not
             * registered) and gone unflagged for that reason. */
            if (p->kind == SS_SEM_REQ && p->t0 > ts - approx)
                m->rng.request_ack_lo--;
            /* Registered before the disable and not acked: its session counts no_tx only if it
             * was already waiting when the disable woke it (a disabled master does not wait),
             * which the wire cannot see; under AFTER_COMMIT it waits only after its engine
             * commit, so most likely it was not. */
            if (m->p.wait_point_after_sync == 0 || sync_waiter) {
                m->rng.no_tx_hi++;
            } else {
                m->c.no_tx++;
                m->rng.no_tx_lo--;
                sync_waiter = true;
            }
            ss_sem_unprotected(m, p->t0, p->approx, &p->pos, p->gtid, why);
        } else {
            if (counts) {
                m->c.no_tx++;
                if (!after)
                    m->off_woken++;
                else
                    m->off_after++;
            }
            ss_sem_unprotected(m, p->t0, p->approx, &p->pos, p->gtid, why);
        }
        ss_sem_pend_pop(m);
    }
    m->have_reply = false;
    m->last_off_seen = ts;
    m->no_tx_at_off = m->c.no_tx;
    m->unp_total_at_off = m->unp_total;
    m->n_unp_at_off = m->n_unp;
}

void ss_sem_disabled_while_off(struct ss_sem_master *m, uint32_t run)
{
    struct ss_semi_transition *last = m->n_tr ? &m->tr[m->n_tr - 1] : NULL;
    int64_t revert = run;
    if (last && last->to == SS_SEMI_OFF && last->cause == SS_CAUSE_SEEN_OFF) {
        /* The switch itself was the disable: nothing committed since counted. */
        last->cause = SS_CAUSE_DISABLED;
        size_t len = strlen(last->reason);
        ss_sem_fmt(last->reason + len, sizeof(last->reason) - len,
                   "; then no stream carried any flag while commits went on: semisync was "
                   "disabled on the master (rpl_semi_sync_master_enabled=OFF)");
        revert = m->c.no_tx - m->no_tx_at_off;
        m->unp_total = m->unp_total_at_off;
        m->n_unp = m->n_unp_at_off;
        revise_after_disable(m, last->ts_ns, last->approx_ns);
        /* The commits the switch woke that came after the last flag were committed after the
         * disable: never registered, never counted. */
        revert += m->off_woken_late + m->off_after;
        m->c.request_ack -= m->off_woken_late_req;
        /* AFTER_COMMIT: a registered commit waits only after its engine commit, and a disabled
         * master does not wait: of the others, only those already waiting counted no_tx (at
         * most one per session; the wire does not see how many). */
        if (m->off_woken > m->off_woken_late) {
            int64_t early = m->off_woken - m->off_woken_late;
            if (m->p.wait_point_after_sync == 0) {
                revert += early;
                m->rng.no_tx_hi += early;
            } else {
                m->rng.no_tx_lo -= early;
            }
        }
        if (m->c.request_ack < 0)
            m->c.request_ack = 0;
        m->unp_total = m->unp_total > (uint64_t)m->off_woken_late
                           ? m->unp_total - (uint64_t)m->off_woken_late : 0;
    } else {
        /* Disabled later, while OFF, at some time after the last flag (an enabled master OFF
         * probes the commit frontier): the commits counted since count nothing; those before
         * the run may have come before the disable. */
        int64_t since = m->off_since_flag > (int64_t)run ? m->off_since_flag : (int64_t)run;
        revert = since;
        m->rng.no_tx_hi += since - (int64_t)run;
        if (m->unp_total >= (uint64_t)since)
            m->unp_total -= (uint64_t)since;
        m->n_unp = m->n_unp > (uint32_t)since ? m->n_unp - (uint32_t)since : 0;
    }
    if (revert > m->c.no_tx)
        revert = m->c.no_tx;
    m->c.no_tx -= revert;
    m->trx_disabled += (uint64_t)revert;
    m->state = SS_SEMI_DISABLED;
    m->quiet_run = 0;
    m->recent_n = 0;
    if (m->p.enabled != 0 && m->p.src_enabled != SS_PARAM_OPTION) {
        m->p.enabled = 0;
        m->p.src_enabled = SS_PARAM_WIRE;
    }
}

static void switch_off(struct ss_sem_master *m, uint64_t ts, uint64_t approx,
                       enum ss_semi_cause cause, const struct ss_sem_pos *pos, const char *reason)
{
    switch_off_as(m, ts, approx, cause, pos, reason, NULL);
}

void ss_sem_recent_add(struct ss_sem_master *m, enum ss_sem_recent_kind kind, uint64_t ts,
                       uint64_t wait)
{
    uint32_t i = (m->recent_head + m->recent_n) % SS_SEM_RECENT;
    if (m->recent_n == SS_SEM_RECENT) {
        m->recent_lost_ts = m->recent[m->recent_head].ts;
        m->recent_head = (m->recent_head + 1) % SS_SEM_RECENT;
    } else {
        m->recent_n++;
    }
    m->recent[i].ts = ts;
    m->recent[i].wait = wait;
    m->recent[i].kind = (uint8_t)kind;
}

/* The master was disabled at ts (+/- approx), concluded only now: an ack read after it was not
 * counted (the ack thread stops), a commit released after it counted no_tx (disable_master()
 * woke it without its ack). Those inside the uncertainty go into the ranges. */
static void revise_after_disable(struct ss_sem_master *m, uint64_t ts, uint64_t approx)
{
    uint64_t lo = ts > approx ? ts - approx : 0, hi = ts + approx;
    /* The wire shows when an ack arrived, not when the ack thread read it or when the session
     * it released re-checked the state (both wait for a CPU under load): the uncertainty starts
     * that much earlier. */
    lo = lo > SS_SEM_WAKE_NS ? lo - SS_SEM_WAKE_NS : 0;
    m->dis_waiter = false;
    for (uint32_t k = 0; k < m->recent_n; k++) {
        const struct ss_sem_recent *e = &m->recent[(m->recent_head + k) % SS_SEM_RECENT];
        if (e->ts <= lo)
            continue;
        bool after = e->ts > ts, unsure = e->ts <= hi;
        if (e->kind == SS_SEM_RECENT_ACK) {
            if (after) {
                m->c.get_ack--;
                m->acks_held++;
                if (unsure) {
                    m->rng.get_ack_hi++;
                    m->acks_held_unsure++;
                }
            } else if (unsure) {
                m->rng.get_ack_lo--;
            }
        } else {
            if (after) {
                /* Released only after the disable: like a commit still pending then, it
                 * counted no_tx only if its session was the one waiting (see switch_off_as). */
                m->c.yes_tx--;
                if (m->c.tx_waits > 0)
                    m->c.tx_waits--;
                bool waiting = m->p.wait_point_after_sync != 0 && !m->dis_waiter;
                if (waiting) {
                    m->c.no_tx++;
                    m->dis_waiter = true;
                } else {
                    m->rng.no_tx_hi++;
                }
                if (unsure) {
                    m->rng.yes_tx_hi++;
                    if (waiting)
                        m->rng.no_tx_lo--;
                }
            } else if (unsure) {
                m->rng.yes_tx_lo--;
                m->rng.no_tx_hi++;
            }
        }
    }
    /* Entries older than the ring: the disable may predate some of them, unknown how many. */
    if (m->recent_lost_ts > lo) {
        char a[24], why[SS_SEMI_REASON_MAX];
        ss_sem_fmt(why, sizeof(why), "too many acks between the last ack request and the first "
                   "commit seen without one to revise them all (the disable came at about %s)",
                   ss_sem_clock(ts, 3, a, sizeof(a)));
        ss_sem_uncertain(m, lo, hi, why);
    }
    m->recent_n = 0;
}

void ss_sem_disable(struct ss_sem_master *m, uint64_t ts, uint64_t approx,
                    const struct ss_sem_pos *first, const char *reason)
{
    revise_after_disable(m, ts, approx);
    m->have_off_timeout = false;
    if (m->state == SS_SEMI_ON)
        switch_off_as(m, ts, approx, SS_CAUSE_DISABLED, first, reason, first);
    m->state = SS_SEMI_DISABLED;
    m->last_off_seen = ts;
    m->quiet_run = 0;
    m->trx_disabled += m->trx_unclassified;
    m->trx_unclassified = 0;
    if (m->p.enabled != 0 && m->p.src_enabled != SS_PARAM_OPTION) {
        m->p.enabled = 0;
        m->p.src_enabled = SS_PARAM_WIRE;
    }
}

void ss_sem_switch_on(struct ss_sem_master *m, uint64_t now, enum ss_semi_cause cause,
                      const struct ss_sem_pos *pos, const char *reason)
{
    ss_sem_switch_on_about(m, now, 0, cause, pos, reason);
}

void ss_sem_switch_on_about(struct ss_sem_master *m, uint64_t now, uint64_t approx,
                            enum ss_semi_cause cause, const struct ss_sem_pos *pos,
                            const char *reason)
{
    if (m->state == SS_SEMI_DISABLED && m->acks_held) {
        /* Enabled again: the restarted ack thread reads the acks left in the sockets. */
        m->c.get_ack += (int64_t)m->acks_held;
        m->rng.get_ack_hi -= m->acks_held_unsure;
        m->acks_held = 0;
        m->acks_held_unsure = 0;
    }
    ss_sem_transition(m, now, SS_SEMI_ON, cause, pos, approx, reason);
    m->state = SS_SEMI_ON;
    m->on_since = m->last_on_ev = now;
    m->last_on_tr = now;
    m->quiet_run = 0;
}

/* Who was there to acknowledge `p` at time t, in words. */
static void replica_context(const struct ss_sem_master *m, uint64_t t,
                            const struct ss_sem_pending *p, char *buf, size_t n)
{
    uint32_t known = 0, anon = 0, alive = ss_sem_clients_at(m, t);
    uint64_t gone = 0;
    int64_t sid = -1;
    for (uint32_t i = 0; i < m->n_replicas; i++) {
        const struct ss_sem_replica *r = &m->replicas[i];
        if (!r->ever_semi)
            continue;
        /* A stream seen before its replica named itself is keyed by its connection: count
         * replicas by server_id, and such streams only when no replica is named. */
        if (r->server_id >= 0) {
            known++;
            sid = r->server_id;
        } else {
            anon++;
        }
        if (r->gone_ts <= t && r->gone_ts > gone)
            gone = r->gone_ts;
    }
    if (!known)
        known = anon;
    char clk[24], sb[48];
    ss_sem_clock(gone, 3, clk, sizeof(clk));
    if (alive == 0) {
        if (known == 0 || !gone)
            ss_sem_fmt(buf, n, "no semisync replica was connected");
        else if (known == 1)
            ss_sem_fmt(buf, n, "the only semisync replica (%s) had disconnected at %s",
                     sid_str(sid, sb, sizeof(sb)), clk);
        else if (known == 2)
            ss_sem_fmt(buf, n, "both semisync replicas had disconnected at %s", clk);
        else
            ss_sem_fmt(buf, n, "all %u semisync replicas had disconnected by %s", known, clk);
    } else if (p && p->nacks > 0) {
        ss_sem_fmt(buf, n, "only %u of the %u acks needed arrived", p->nacks, ss_sem_need_acks(m));
    } else {
        ss_sem_fmt(buf, n, "%u semisync replica%s connected, none acknowledged it", alive,
                 alive == 1 ? " was" : "s were");
    }
}

static void timeout_reason(const struct ss_sem_master *m, const struct ss_sem_pending *p,
                           uint64_t deadline, char *buf, size_t n)
{
    char pos[SS_SEMI_POS_MAX], ctx[160];
    ss_sem_pos_str(m, &p->pos, pos);
    replica_context(m, deadline, p, ctx, sizeof(ctx));
    double waited = (double)(deadline - p->t0) / 1e9;
    if (p->approx)
        ss_sem_fmt(buf, n,
                 "%s waited %.2f s with no ack; %s (its commit time is known only from the "
                 "event header, 1 s resolution: +/-%.2f s)",
                 pos, waited, ctx, (double)p->approx / 1e9);
    else
        ss_sem_fmt(buf, n, "%s waited %.2f s with no ack; %s", pos, waited, ctx);
}

/* The oldest request that can time out. A request a fresh semisync stream showed unflagged and
 * no stream flagged is left out: while ON the master flags a registered end it waits for, so it
 * was not registered (disabled) or the master had switched already; its "timeout" would be a
 * phantom. An ack, the disable rule or a later flagged copy settles it. */
const struct ss_sem_pending *ss_sem_oldest_waiting(const struct ss_sem_master *m)
{
    for (uint32_t i = 0; i < m->pend_n; i++) {
        const struct ss_sem_pending *p = &m->pend[(m->pend_head + i) % m->pend_cap];
        if (p->kind == SS_SEM_REQ && !(p->unflagged_fresh && !p->flag_ts))
            return p;
    }
    return NULL;
}

void ss_sem_check_timeouts(struct ss_sem_master *m, uint64_t now)
{
    while (m->state == SS_SEMI_ON && m->pend_n) {
        const struct ss_sem_pending *r = ss_sem_oldest_waiting(m);
        if (!r && ss_sem_pend_at(m, 0)->kind == SS_SEM_REQ)
            return;
        if (!r) {
            /* Unflagged ends with no flagged end after them: nothing the master waits for is
             * known. Forget them once they are older than a timeout (counted). */
            const struct ss_sem_pending *h = ss_sem_pend_at(m, 0);
            if (now < h->t0 + timeout_ns(m))
                return;
            ss_sem_pend_pop(m);
            m->members_unresolved++;
            continue;
        }
        /* The wait began at the commit, known to t0 +/- approx: the master has certainly
         * given up once the latest possible commit time is a timeout ago. */
        uint64_t deadline = r->t0 + timeout_ns(m);
        if (deadline + r->approx > now)
            return;
        char reason[SS_SEMI_REASON_MAX];
        timeout_reason(m, r, deadline, reason, sizeof(reason));
        struct ss_sem_pos pos = r->pos;
        m->have_off_timeout = true;
        m->off_timeout_pos = pos;
        m->off_timeout_t0 = r->t0 + r->approx;
        switch_off(m, deadline, r->approx, SS_CAUSE_TIMEOUT, &pos, reason);
    }
}

/* Evidence that the master was OFF by `now` (a probe) with no timeout predicted. The cause is not
 * on the wire: a timeout shorter than assumed, semisync disabled and re-enabled, a replica gone
 * with wait_no_slave=OFF, or a timeout of a commit the capture did not show. The parameters are
 * never corrected from it (a note says what it suggests); the switch is placed between the last
 * corroboration of ON and now, with that uncertainty. */
void ss_sem_evidence_off(struct ss_sem_master *m, uint64_t now, const struct ss_sem_pos *pos,
                         const char *what)
{
    ss_sem_check_timeouts(m, now);
    if (m->state == SS_SEMI_UNKNOWN) {
        ss_sem_set_start(m, SS_SEMI_OFF, now);
        m->last_off_seen = now;
        return;
    }
    if (m->state != SS_SEMI_ON)
        return;
    char reason[SS_SEMI_REASON_MAX], clk[24];
    uint64_t lo = m->last_on_ev ? m->last_on_ev : m->first_ts;
    if (lo > now)
        lo = now;
    const struct ss_sem_pending *r = ss_sem_oldest_waiting(m);
    if (r && r->t0 + timeout_ns(m) <= now + r->approx) {
        /* The oldest waiting commit may have reached its timeout by now (its commit time is
         * known to a window): the evidence that the master is OFF is that timeout's. */
        uint64_t deadline = r->t0 + timeout_ns(m);
        if (deadline > now)
            deadline = now;
        char because[SS_SEMI_REASON_MAX], tr[SS_SEMI_REASON_MAX];
        timeout_reason(m, r, deadline, tr, sizeof(tr));
        ss_sem_fmt(because, sizeof(because), "%s; then %s", tr, what);
        struct ss_sem_pos rpos = r->pos;
        m->have_off_timeout = true;
        m->off_timeout_pos = rpos;
        m->off_timeout_t0 = r->t0 + r->approx;
        switch_off(m, deadline, r->approx, SS_CAUSE_TIMEOUT, &rpos, because);
        return;
    }
    if (r) {
        uint64_t waited = now > r->t0 ? now - r->t0 : 0;
        char pr[SS_SEMI_POS_MAX];
        ss_sem_pos_str(m, &r->pos, pr);
        if (waited < (uint64_t)m->p.timeout_ms * 1000000u && !m->timeout_note[0]) {
            if (waited < m->max_ok_wait)
                ss_sem_fmt(m->timeout_note, sizeof(m->timeout_note),
                           "the master was seen OFF while %s had waited %.3f s, less than the "
                           "longest wait that succeeded (%.3f s): the switch had another cause "
                           "than this commit's timeout",
                           pr, (double)waited / 1e9, (double)m->max_ok_wait / 1e9);
            else
                ss_sem_fmt(m->timeout_note, sizeof(m->timeout_note),
                           "the master was seen OFF while %s had waited only %.3f s: either the "
                           "timeout is at most that (not applied), or the switch had another "
                           "cause",
                           pr, (double)waited / 1e9);
        }
        ss_sem_fmt(reason, sizeof(reason), "%s; %s was then waiting (%.2f s); ON was last "
                   "corroborated at %s", what, pr, (double)waited / 1e9,
                   ss_sem_clock(lo, 3, clk, sizeof(clk)));
    } else {
        ss_sem_fmt(reason, sizeof(reason), "%s; ON was last corroborated at %s", what,
                   ss_sem_clock(lo, 3, clk, sizeof(clk)));
    }
    m->have_off_timeout = false;
    switch_off(m, lo + (now - lo) / 2, (now - lo) / 2, SS_CAUSE_SEEN_OFF, pos, reason);
}

/* ---- acks ----------------------------------------------------------------------------------- */

static void slow_add(struct ss_sem_master *m, uint64_t wait, uint64_t now, int64_t sid,
                     const struct ss_sem_pos *pos)
{
    uint32_t i = m->n_slow < SS_SEM_SLOWEST ? m->n_slow++ : SS_SEM_SLOWEST - 1;
    if (i == SS_SEM_SLOWEST - 1 && m->n_slow == SS_SEM_SLOWEST && m->slow[i].wait_ns >= wait)
        return;
    while (i > 0 && m->slow[i - 1].wait_ns < wait) {
        m->slow[i] = m->slow[i - 1];
        i--;
    }
    m->slow[i].wait_ns = wait;
    m->slow[i].ts = now;
    m->slow[i].server_id = sid;
    ss_sem_pos_str(m, pos, m->slow[i].position);
}

static void release(struct ss_sem_master *m, const struct ss_sem_pending *p,
                    struct ss_sem_replica *r, uint64_t now)
{
    m->last_on_ev = now;
    if (p->kind != SS_SEM_REQ && !ss_sem_count_members(m))
        return;
    uint64_t start = p->flag_ts ? p->flag_ts : p->t0;
    uint64_t wait = now > start ? now - start : 0;
    /* Its commit time is known only to a window: if the earliest possible commit was a timeout
     * before this ack, the master may have given up first. Not decidable from the wire. */
    if (p->approx && now > p->t0 - p->approx + timeout_ns(m)) {
        char pos[SS_SEMI_POS_MAX], a[24], b[24], why[SS_SEMI_REASON_MAX];
        ss_sem_fmt(why, sizeof(why),
                   "%s was acked at %s, but its commit time is known only to %s +/- %.2f s (first "
                   "seen on a stream that was catching up): it may have waited past the %lld ms "
                   "timeout",
                   ss_sem_pos_str(m, &p->pos, pos), ss_sem_clock(now, 3, a, sizeof(a)),
                   ss_sem_clock(p->t0, 1, b, sizeof(b)), (double)p->approx / 1e9,
                   (long long)m->p.timeout_ms);
        ss_sem_uncertain(m, p->t0 - p->approx + timeout_ns(m), now, why);
    }
    m->c.yes_tx++;
    m->c.tx_waits++;
    ss_sem_recent_add(m, SS_SEM_RECENT_RELEASE, now, wait);
    ss_hist_add(&m->wait_hist, wait);
    m->c.tx_wait_time_us = (int64_t)(m->wait_hist.sum / 1000u);
    if (wait > m->max_ok_wait)
        m->max_ok_wait = wait;
    if (r)
        r->releases++;
    slow_add(m, wait, now, r ? r->server_id : -1, &p->pos);
}

void ss_sem_drain(struct ss_sem_master *m, struct ss_sem_replica *r, uint64_t now)
{
    while (m->state == SS_SEMI_ON && m->pend_n && ss_sem_pend_at(m, 0)->nacks >= ss_sem_need_acks(m)) {
        release(m, ss_sem_pend_at(m, 0), r, now);
        ss_sem_pend_pop(m);
    }
}

/* The largest position wait_count replicas have reached: what the master treats as replied. */
static void update_reply(struct ss_sem_master *m, uint64_t now)
{
    uint32_t need = ss_sem_need_acks(m);
    bool have = false;
    struct ss_sem_pos best = {0, 0};
    for (uint32_t i = 0; i < m->n_replicas; i++) {
        const struct ss_sem_replica *r = &m->replicas[i];
        if (!r->have_best || (have && ss_sem_pos_cmp(&r->best, &best) <= 0))
            continue;
        if (ss_sem_covering(m, &r->best) >= need) {
            best = r->best;
            have = true;
        }
    }
    if (have && (!m->have_reply || ss_sem_pos_cmp(&best, &m->reply) > 0)) {
        m->reply = best;
        m->have_reply = true;
        m->reply_ts = now;
    }
}

/* try_switch_on(): an ack at or past the commit position (here: the largest transaction end seen)
 * switches ON. MariaDB switches on one replica's ack; MySQL once wait_count replicas reached it. */
static void try_switch_on(struct ss_sem_master *m, const struct ss_sem_replica *r,
                          const struct ss_sem_pos *a, uint64_t now, bool counted)
{
    if (!m->have_frontier)
        return;
    uint32_t need = m->flavor == SS_FLAVOR_MARIADB ? 1 : ss_sem_need_acks(m);
    if (ss_sem_covering(m, &m->frontier) < need || ss_sem_pos_cmp(a, &m->frontier) < 0)
        return;
    if (m->state == SS_SEMI_UNKNOWN) {
        ss_sem_set_start(m, SS_SEMI_ON, now);
        return;
    }
    char reason[SS_SEMI_REASON_MAX], pos[SS_SEMI_POS_MAX], sb[48];
    ss_sem_pos_str(m, a, pos);
    sid_str(r->server_id, sb, sizeof(sb));
    if (counted)
        ss_sem_fmt(reason, sizeof(reason), "ack from %s at %s", sb, pos);
    else
        ss_sem_fmt(reason, sizeof(reason),
                 "%s started a semisync dump at %s, at the commit position (the master counts "
                 "a dump's start position as acknowledged)",
                 sb, pos);
    ss_sem_switch_on(m, now, counted ? SS_CAUSE_ACK : SS_CAUSE_DUMP_START, a, reason);
    if (counted)
        m->on_race_until = now + SS_SEM_ON_RACE_NS;
}

/* An ack past every transaction end seen, and past what enough replicas had acked: it answers a
 * flagged end the capture missed (mid-stream start, gap). While ON that was a registered commit,
 * now released; its wait cannot be measured. The frontier moves so the end, if a lagging stream
 * shows it later, is not counted again. */
static void unseen_release(struct ss_sem_master *m, const struct ss_sem_pos *a, uint64_t now)
{
    if (!a->ord || (m->have_frontier && ss_sem_pos_cmp(a, &m->frontier) <= 0) ||
        (m->have_reply && ss_sem_pos_cmp(a, &m->reply) <= 0))
        return;
    if (m->state == SS_SEMI_UNKNOWN)
        ss_sem_set_start(m, SS_SEMI_ON, now);
    if (m->state != SS_SEMI_ON)
        return;
    m->frontier = *a;
    m->have_frontier = true;
    m->acked_unseen++;
    m->c.yes_tx++;
    m->c.request_ack++;
    m->c.tx_waits++;
    m->last_on_ev = now;
}

void ss_sem_on_ack(struct ss_sem_master *m, struct ss_sem_stream *st, const struct ss_sem_pos *a,
                   uint64_t now, bool counted)
{
    /* During a chain of ON races every ack reaching the frontier is where the switch may have
     * come instead (see account_new). */
    if (counted && m->race_n && m->have_frontier && ss_sem_pos_cmp(a, &m->frontier) >= 0)
        m->race_ack_ts = now;
    /* A disabled master's ack thread is stopped: acks still on their way are not counted. */
    if (counted && m->state == SS_SEMI_DISABLED) {
        m->acks_held++;
        return;
    }
    if (counted) {
        m->c.get_ack++;
        ss_sem_recent_add(m, SS_SEM_RECENT_ACK, now, 0);
    }
    if (!a->ord)
        return;
    struct ss_sem_replica *r = ss_sem_replica_of(m, st);
    if (!r)
        return;
    if (counted) {
        r->acks++;
        /* The replica acks exactly the flagged events it got (§6.2): an ack with none
         * outstanding answers one the capture missed (before its start, or in a gap). */
        if (st->flags_out)
            st->flags_out--;
        else
            m->c.net_waits++;
        unseen_release(m, a, now);
    }
    bool had = r->have_best;
    struct ss_sem_pos prev = r->best;
    if (had && ss_sem_pos_cmp(a, &prev) <= 0)
        return; /* behind this replica's best: the master ignores it */
    r->best = *a;
    r->have_best = true;
    for (uint32_t i = 0; i < m->pend_n; i++) {
        struct ss_sem_pending *p = ss_sem_pend_at(m, i);
        if (ss_sem_pos_cmp(&p->pos, a) > 0)
            break;
        if (!had || ss_sem_pos_cmp(&p->pos, &prev) > 0)
            p->nacks++;
    }
    ss_sem_drain(m, r, now);
    update_reply(m, now);
    if (m->state == SS_SEMI_OFF || m->state == SS_SEMI_UNKNOWN)
        try_switch_on(m, r, a, now, counted);
}

/* ---- streams -------------------------------------------------------------------------------- */

void ss_sem_stream_semi(struct ss_sem_master *m, struct ss_sem_stream *st, bool semi, uint64_t now)
{
    if (st->semi == semi)
        return;
    st->semi = semi;
    struct ss_sem_replica *r = ss_sem_replica_of(m, st);
    if (semi) {
        m->semi_alive++;
        if (st->preexisting)
            m->c.clients_start++;
        if (r) {
            r->alive++;
            r->ever_semi = true;
        }
    } else {
        if (m->semi_alive)
            m->semi_alive--;
        if (r && r->alive && --r->alive == 0)
            r->gone_ts = now;
        if (!m->semi_alive)
            m->all_gone_ts = now;
        /* wait_no_slave=OFF: losing the replicas needed switches OFF at once (§8.1 case 2). */
        if (m->state == SS_SEMI_ON && !m->p.wait_no_slave && m->semi_alive < ss_sem_need_acks(m)) {
            char reason[SS_SEMI_REASON_MAX], sb[48];
            ss_sem_fmt(reason, sizeof(reason),
                     "semisync replica %s disconnected; with wait_no_slave=OFF, %u semisync "
                     "replica%s left, %u needed",
                     sid_str(r ? r->server_id : -1, sb, sizeof(sb)), m->semi_alive,
                     m->semi_alive == 1 ? " is" : "s are", ss_sem_need_acks(m));
            switch_off(m, now, 0, SS_CAUSE_NO_REPLICA, NULL, reason);
        }
    }
    m->c.clients_end = m->semi_alive;
}

/* The stream idled after an unflagged transaction end at the frontier, beyond every ack: it was
 * caught up, and an enabled master flags such an end whether ON (registered) or OFF (probe,
 * §5.3). So the master is not flagging at all: rpl_semi_sync_master_enabled=OFF. */
void ss_sem_confirm_tail(struct ss_sem_master *m, struct ss_sem_stream *st, uint64_t now)
{
    st->tail_valid = false;
    if (m->state == SS_SEMI_DISABLED)
        return;
    /* The end may have been acked (or overtaken) since it was sent. */
    if ((m->have_reply && ss_sem_pos_cmp(&st->tail, &m->reply) <= 0) ||
        (m->have_frontier && ss_sem_pos_cmp(&st->tail, &m->frontier) < 0))
        return;
    if (!m->flag_seen) {
        if (!m->start_set || (m->state_start == SS_SEMI_OFF && m->n_tr == 0))
            m->start_set = false;
        ss_sem_set_start(m, SS_SEMI_DISABLED, now);
        m->state = SS_SEMI_DISABLED;
    } else {
        if (m->state == SS_SEMI_ON) {
            char reason[SS_SEMI_REASON_MAX], pos[SS_SEMI_POS_MAX], sb[48];
            ss_sem_pos_str(m, &st->tail, pos);
            struct ss_sem_replica *r = ss_sem_replica_of(m, st);
            ss_sem_fmt(reason, sizeof(reason),
                     "%s was sent without an ack request to caught-up semisync replica %s: "
                     "semisync was disabled on the master (rpl_semi_sync_master_enabled=OFF)",
                     pos, sid_str(r ? r->server_id : -1, sb, sizeof(sb)));
            /* As for a run of unflagged commits (quiet_run): the disable came between the
             * last flag and the first new end nobody flagged; the commits, acks and releases
             * in between are revised the same way, whether the load went on or stopped. */
            bool run = m->quiet_run > 0;
            struct ss_sem_pos first = run ? m->quiet_first : st->tail;
            uint64_t first_ts = run ? m->quiet_first_ts : st->tail_ts;
            uint64_t lo = m->last_any_flag_ts > m->on_since ? m->last_any_flag_ts : m->on_since;
            if (lo > first_ts)
                lo = first_ts;
            ss_sem_disable(m, lo + (first_ts - lo) / 2, (first_ts - lo) / 2, &first, reason);
            return;
        }
        m->state = SS_SEMI_DISABLED;
    }
    m->trx_disabled += m->trx_unclassified;
    m->trx_unclassified = 0;
    if (m->p.enabled != 0) {
        m->p.enabled = 0;
        m->p.src_enabled = SS_PARAM_WIRE;
    }
}
