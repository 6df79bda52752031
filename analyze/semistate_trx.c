/* SPDX-License-Identifier: MIT */
/* semistate_trx.c: what each dump-stream event tells about the master's semisync state —
 * transaction ends (flagged or not) accounted once per binlog position across every stream,
 * OFF-state probes, and idle streams. protocol.md §5.3, §7.16, §8.5. */
#include "semistate_priv.h"

#include <string.h>

/* How one new transaction end was committed, as far as the wire tells. */
struct trx_info {
    struct ss_sem_pos pos;
    bool flagged;
    bool late;                   /* seen well after its header second: commit time from header */
    uint64_t hdr_ts;             /* its event header's second, ns (0 none) */
    uint64_t tc, approx;         /* commit time estimate and its uncertainty (wait start) */
    uint64_t show_tc, show_approx; /* the same for the report: sent ≥ 1 s after its header
                                    * second, the header bounds it better than the send time */
};

/* Commit time. An end that a fresh dump stream, caught up with the binlog, shows first was
 * committed just now: a caught-up dump thread sends what is written within microseconds. An end
 * first seen on a stale stream (a new dump catching up, a replica whose window was closed) was
 * committed earlier: after the last moment a fresh stream was watching, and not before its
 * event header's second. As the upper bound the header's second is taken as well, assuming the
 * statement committed within the second it started in (a longer statement makes the commit look
 * older); the first sighting bounds it anyway. Without TCP acks to judge freshness, an end sent
 * within 2 s of its header second counts as live. */
static void commit_time(const struct ss_sem_master *m, const struct ss_sem_stream *st,
                        const struct ss_event *ev, uint64_t now, bool watched,
                        struct trx_info *t)
{
    uint64_t hdr = (uint64_t)ev->h.timestamp * SS_NS_PER_SEC;
    t->hdr_ts = hdr;
    t->show_tc = now;
    t->show_approx = 0;
    if (hdr && now >= hdr + SS_NS_PER_SEC) {
        t->show_tc = hdr + SS_NS_PER_SEC / 2;
        t->show_approx = SS_NS_PER_SEC / 2;
    }
    bool live = st->tcp_seen ? (watched || ss_sem_stream_fresh(st))
                             : !(hdr && now > hdr + SS_SEM_LIVE_SLACK_NS);
    t->late = !live;
    if (live) {
        t->tc = now;
        t->approx = 0;
        return;
    }
    /* A statement commits within the second it started in, unless it was held up: while a
     * commit waits for its ack (AFTER_SYNC) the commits behind it wait too, for as long as a
     * timeout. Then only the first sighting bounds it. */
    bool held = ss_sem_oldest_waiting(m) != NULL;
    uint64_t lo = hdr, hi = hdr && !held ? hdr + SS_NS_PER_SEC : now;
    if (m->watch_until > lo)
        lo = m->watch_until;
    if (m->all_gone_ts > lo && m->all_gone_ts < hi && ss_sem_clients_at(m, hi) == 0)
        lo = m->all_gone_ts;
    if (hi > now)
        hi = now;
    if (lo > hi)
        lo = hi;
    t->tc = lo + (hi - lo) / 2;
    t->approx = (hi - lo) / 2;
    if (t->approx) {
        t->show_tc = t->tc;
        t->show_approx = t->approx;
    }
}

static void push_pending(struct ss_semistate *s, struct ss_sem_master *m,
                         const struct trx_info *t, enum ss_sem_kind kind, const char *gtid,
                         uint64_t now, bool unflagged_fresh)
{
    struct ss_sem_pending *p = ss_sem_pend_push(m, s->an);
    if (!p)
        return;
    p->pos = t->pos;
    p->t0 = t->tc;
    p->approx = t->approx;
    p->flag_ts = t->flagged ? now : 0;
    p->kind = (uint8_t)kind;
    p->unflagged_fresh = unflagged_fresh;
    p->nacks = ss_sem_covering(m, &t->pos); /* e.g. a dump started past it */
    snprintf(p->gtid, sizeof(p->gtid), "%s", gtid);
    if (kind == SS_SEM_REQ)
        m->c.request_ack++;
    ss_sem_drain(m, NULL, now);
    if (t->late)
        ss_sem_check_timeouts(m, now);
}

/* Accounting of a transaction end seen for the first time (on any stream), under the state the
 * master is believed to be in when it was committed. */
static void account_new(struct ss_semistate *s, struct ss_sem_master *m, struct ss_sem_stream *st,
                        const struct ss_event *ev, const struct trx_info *t, uint64_t now)
{
    m->frontier = t->pos;
    m->have_frontier = true;
    m->trx_seen++;
    uint64_t hdr = (uint64_t)ev->h.timestamp * SS_NS_PER_SEC;
    if (hdr && hdr + SS_NS_PER_SEC <= s->first_ts) {
        /* Committed before the capture began: outside the counters' window. */
        m->trx_before_capture++;
        return;
    }
    switch (m->state) {
    case SS_SEMI_UNKNOWN:
        if (m->p.enabled == 0 && !t->flagged) {
            ss_sem_set_start(m, SS_SEMI_DISABLED, now);
            m->trx_disabled++;
        } else {
            m->trx_unclassified++;
        }
        return;
    case SS_SEMI_DISABLED:
        m->trx_disabled++;
        return;
    case SS_SEMI_OFF: {
        m->c.no_tx++;
        m->off_since_flag++;
        enum ss_sem_why why = SS_SEM_WHY_OFF;
        /* Committed before the master gave up (known only now, from the header): it was
         * registered and waited too. */
        const struct ss_semi_transition *last = m->n_tr ? &m->tr[m->n_tr - 1] : NULL;
        if (t->late && last && last->to == SS_SEMI_OFF) {
            uint64_t first_c = t->tc - t->approx, last_c = t->tc + t->approx;
            uint64_t sw_lo = last->ts_ns - last->approx_ns, sw_hi = last->ts_ns + last->approx_ns;
            bool queued = m->have_off_timeout && m->p.wait_point_after_sync != 0 &&
                          ss_sem_pos_cmp(&t->pos, &m->off_timeout_pos) > 0;
            if (!queued && last_c < sw_lo) {
                m->c.request_ack++;
                why = SS_SEM_WHY_TIMEOUT;
            } else if (queued ? (t->hdr_ts && t->hdr_ts <= m->off_timeout_t0)
                              : first_c <= sw_hi) {
                /* Its commit time and the switch overlap (or, behind a commit that timed out
                 * under AFTER_SYNC, it was most likely held up until the switch): it may have
                 * been registered before the master gave up. */
                m->rng.request_ack_hi++;
            }
        }
        ss_sem_unprotected(m, t->show_tc, t->show_approx, &t->pos, st->gtid, why);
        return;
    }
    case SS_SEMI_ON:
        break;
    }
    bool first = now < m->on_race_until;
    /* The chain goes on while no stream watches the binlog's end (the replicas still catching
     * up): the commit position may then be past every end the wire has shown. */
    bool chained = m->race_n && m->race_n < SS_SEM_RACE_CHAIN_MAX &&
                   (now - m->race_ack_ts < SS_SEM_RACE_CHAIN_NS ||
                    (m->tcp_any && !ss_sem_watched(m)));
    /* A late end (its commit time known only from its header second) may have been written at
     * any time before it was sent, the ack's instant included: in the race as well. */
    if (first || chained) {
        /* Right after an ack switched ON: this commit may have been written before that ack
         * was read (visible only after it was written and flushed), in which case the master
         * was still OFF for it and switched ON only at a later ack. Under sustained load the
         * same may repeat at the next acks (seen in the soak: five in a row within 1 ms, the
         * write-to-visible time varying from 0.15 ms to 10 ms): each such commit is counted
         * as ON and reported as a range. */
        char pos[SS_SEMI_POS_MAX], why[SS_SEMI_REASON_MAX];
        uint64_t ack = first ? m->on_race_until - SS_SEM_ON_RACE_NS : m->race_ack_ts;
        ss_sem_fmt(why, sizeof(why),
                   "%s was sent %.2f ms after an ack that reached the commit frontier: if it was "
                   "written before that ack was read, the master was still OFF for it (no_tx) and "
                   "switched ON only at a later ack",
                   ss_sem_pos_str(m, &t->pos, pos), (double)(now - ack) / 1e6);
        ss_sem_uncertain(m, m->race_start ? m->race_start : ack, now, why);
        if (!m->race_n)
            m->race_start = ack;
        m->race_n++;
        m->race_ack_ts = ack;
        m->rng.yes_tx_lo--;
        m->rng.no_tx_hi++;
        m->rng.request_ack_lo--;
        m->on_race_until = 0;
    } else {
        m->race_n = 0;
        m->race_start = 0;
    }
    uint32_t clients = t->late ? ss_sem_clients_at(m, t->tc) : m->semi_alive;
    if (clients == 0 && !m->p.wait_no_slave) {
        /* MariaDB: no semisync client and wait_no_slave=OFF: not even registered. */
        m->c.no_tx++;
        ss_sem_unprotected(m, t->show_tc, t->show_approx, &t->pos, st->gtid,
                           SS_SEM_WHY_NO_REPLICA);
        return;
    }
    enum ss_sem_kind kind = SS_SEM_REQ;
    if (!t->flagged && clients > 0) {
        /* Unflagged while ON. MariaDB registers every transaction it commits while ON
         * (write_tranx_in_binlog) and every committing session waits for its own position, so
         * it is a request whatever its flag: the flag only tells whether this dump thread still
         * asked for an ack (not when another ack or a later waiter came first). MySQL registers
         * only the last end of each flush group: the others are members. */
        if (st->semi)
            m->unflagged_on++;
        if (m->flavor != SS_FLAVOR_MARIADB)
            kind = SS_SEM_MEMBER;
    }
    push_pending(s, m, t, kind, st->gtid, now,
                 !t->flagged && st->semi && st->tcp_seen && ss_sem_stream_fresh(st) && !t->late);
}

/* A flagged copy of a transaction end while ON: the wait as the master saw it starts at the first
 * flagged send. A flagged copy of an end already acked by enough replicas means more acks were
 * needed: wait_count is larger than assumed. */
static void flagged_copy(struct ss_semistate *s, struct ss_sem_master *m, struct ss_sem_stream *st,
                         const struct trx_info *t, bool is_new, uint64_t now)
{
    struct ss_sem_pending *p = ss_sem_pend_find(m, &t->pos);
    if (p) {
        if (!p->flag_ts)
            p->flag_ts = now;
        if (p->kind == SS_SEM_MEMBER) {
            p->kind = SS_SEM_REQ; /* the registered end of its group */
            m->c.request_ack++;
        }
        return;
    }
    if (is_new)
        return;
    if (m->have_reply && ss_sem_pos_cmp(&t->pos, &m->reply) <= 0) {
        /* MariaDB has no wait_for_slave_count: one ack releases a commit. On MySQL a flagged
         * copy means more acks were needed only if it was decided after the ack was read: a
         * copy that may have waited in the send buffer (closed window, backlog) proves nothing,
         * and without TCP acks freshness cannot be judged. */
        if (m->flavor != SS_FLAVOR_MYSQL || !st->tcp_seen || !ss_sem_stream_fresh(st))
            return;
        if (now > m->reply_ts + SS_SEM_WC_MARGIN_NS && ++m->wc_evidence >= 2) {
            int64_t k = (int64_t)ss_sem_covering(m, &t->pos) + 1;
            if (k > m->p.wait_count) {
                m->p.wait_count = k;
                m->p.src_wait_count = SS_PARAM_WIRE;
            }
        }
        return;
    }
    /* Registered, but first seen while the state was not yet known: track it from here. */
    const struct ss_sem_pending *last = m->pend_n ? ss_sem_pend_at(m, m->pend_n - 1) : NULL;
    if (!last || ss_sem_pos_cmp(&last->pos, &t->pos) < 0) {
        struct trx_info live = *t;
        live.tc = now;
        live.approx = 0;
        live.late = false;
        push_pending(s, m, &live, SS_SEM_REQ, st->gtid, now, false);
    }
}

/* A new transaction end sent unflagged to a semisync replica, past every ack. An enabled master
 * flags the commit frontier on a caught-up stream whether ON (the end is registered) or OFF (the
 * probe: end >= commit position); single ends go unflagged while ON when a later waiter or an
 * ack came first. A whole second of new ends, at least SS_SEM_QUIET_RUN_MIN of them, shown
 * first by a fresh stream with no flag on any stream is what only a disabled master does
 * (rpl_semi_sync_master_enabled=OFF at runtime, with commits going on). */
/* A transaction end registered while ON (a request, no ack covering it) sent unflagged to a
 * semisync replica. While ON it is in the master's table of registered ends, and once its
 * session waits the wait position is at or below it, so every dump thread flags it until an ack
 * covers it or the master switches OFF. Only decisive when the flag was certainly decided after
 * the session began to wait: on a fresh stream (decided as seen) or on a new dump catching up
 * (decided after the dump began), well after the latest possible commit time. Early copies
 * (a later waiter came first) and copies that waited in the send buffer prove nothing. */
static void unflagged_request(struct ss_sem_master *m, struct ss_sem_stream *st,
                              const struct trx_info *t, uint64_t now)
{
    const struct ss_sem_pending *p = ss_sem_pend_find(m, &t->pos);
    if (!p || p->kind != SS_SEM_REQ)
        return;
    uint64_t decided_after;
    if (ss_sem_stream_fresh(st))
        decided_after = now;
    else if (st->stale_catchup)
        decided_after = st->start_ts;
    else
        return;
    if (decided_after < p->t0 + p->approx + SS_SEM_WAIT_ENTER_NS)
        return;
    char pos[SS_SEMI_POS_MAX], what[SS_SEMI_REASON_MAX];
    ss_sem_fmt(what, sizeof(what),
               "%s, registered for an ack and not acked, was sent unflagged to semisync replica "
               "server_id %lld",
               ss_sem_pos_str(m, &t->pos, pos), (long long)st->server_id);
    ss_sem_evidence_off(m, now, &t->pos, what);
}

static void quiet_run(struct ss_sem_master *m, const struct ss_sem_stream *st,
                      const struct trx_info *t, uint64_t now)
{
    if ((m->state != SS_SEMI_ON && m->state != SS_SEMI_OFF) || !st->tcp_seen ||
        !ss_sem_stream_fresh(st) || t->late)
        return;
    if (m->quiet_run++ == 0) {
        m->quiet_first_ts = now;
        m->quiet_first = t->pos;
    }
    if (m->quiet_run < SS_SEM_QUIET_RUN_MIN || now - m->quiet_first_ts < SS_SEM_QUIET_RUN_NS)
        return;
    if (m->state == SS_SEMI_OFF) {
        /* OFF but enabled, the master would probe the commit frontier (a flag whenever a dump
         * thread reaches it): no flag at all means it was disabled. */
        ss_sem_disabled_while_off(m, m->quiet_run);
        return;
    }
    uint64_t lo = m->last_any_flag_ts > m->on_since ? m->last_any_flag_ts : m->on_since;
    if (lo > m->quiet_first_ts)
        lo = m->quiet_first_ts;
    char reason[SS_SEMI_REASON_MAX], pos[SS_SEMI_POS_MAX], clk[24];
    ss_sem_fmt(reason, sizeof(reason),
               "from %s on, %u new transaction ends over %.1f s were sent without an ack request "
               "to caught-up semisync replicas, and no stream carried any flag: semisync was "
               "disabled on the master (rpl_semi_sync_master_enabled=OFF); the last flag was "
               "seen at %s",
               ss_sem_pos_str(m, &m->quiet_first, pos), m->quiet_run,
               (double)(now - m->quiet_first_ts) / 1e9, ss_sem_clock(lo, 3, clk, sizeof(clk)));
    /* The disable came between the last flag and the first commit nobody flagged. Commits
     * follow each other closely under load, so it most likely came just before that commit:
     * acks and releases in between counted (observed in the soak). The whole span is the
     * uncertainty. */
    struct ss_sem_pos first = m->quiet_first;
    ss_sem_disable(m, m->quiet_first_ts, m->quiet_first_ts - lo, &first, reason);
}

static void on_trx_end(struct ss_semistate *s, struct ss_sem_master *m, struct ss_sem_stream *st,
                       const struct ss_event *ev, struct trx_info *t, uint64_t now)
{
    int cf = m->have_frontier ? ss_sem_pos_cmp(&t->pos, &m->frontier) : 1;
    bool is_new = cf > 0;
    bool beyond_reply = !m->have_reply || ss_sem_pos_cmp(&t->pos, &m->reply) > 0;
    if (t->flagged) {
        m->flag_seen = true;
        m->last_flag_ts = now;
        /* A copy that may have waited in the send buffer since before the master was seen
         * disabled was flagged before that: it says nothing about now. */
        bool old_news = !ss_sem_stream_fresh(st) && st->stale_since <= m->last_off_seen;
        if (m->state == SS_SEMI_DISABLED && !old_news) {
            char pos[SS_SEMI_POS_MAX], reason[SS_SEMI_REASON_MAX];
            ss_sem_pos_str(m, &t->pos, pos);
            if (m->all_gone_ts > m->last_off_seen && m->dump_after_close_ts &&
                m->dump_after_close_ts <= now) {
                /* Every semisync dump went away since the master was seen disabled (a restart,
                 * the replicas stopped): it was enabled at some time in between, unseen. */
                char a[24];
                uint64_t lo = m->all_gone_ts;
                if (m->disabled_seen_ts > lo && m->disabled_seen_ts <= now) {
                    /* A replica back since then was sent a new commit without a flag: the
                     * master was still disabled at that time. */
                    lo = m->disabled_seen_ts;
                    ss_sem_fmt(reason, sizeof(reason),
                               "ack request on %s: semisync was enabled on the master, at some "
                               "time after %s (a new commit still sent without an ack request "
                               "to a caught-up semisync replica)",
                               pos, ss_sem_clock(lo, 3, a, sizeof(a)));
                } else {
                    ss_sem_fmt(reason, sizeof(reason),
                               "ack request on %s: semisync was enabled on the master, at some "
                               "time after every semisync dump had gone (%s; a restart?)",
                               pos, ss_sem_clock(m->all_gone_ts, 3, a, sizeof(a)));
                }
                ss_sem_switch_on_about(m, lo + (now - lo) / 2, (now - lo) / 2, SS_CAUSE_ENABLED,
                                       &t->pos, reason);
            } else {
                ss_sem_fmt(reason, sizeof(reason),
                           "ack request on %s: semisync was enabled on the master", pos);
                ss_sem_switch_on(m, now, SS_CAUSE_ENABLED, &t->pos, reason);
            }
            if (m->p.enabled != 1) {
                m->p.enabled = 1;
                m->p.src_enabled = SS_PARAM_WIRE;
            }
        } else if (m->state == SS_SEMI_UNKNOWN) {
            /* A flagged end is what ON looks like (an OFF probe at a caught-up replica looks
             * the same, but its ack switches ON at once). */
            ss_sem_set_start(m, SS_SEMI_ON, now);
        } else if (m->state == SS_SEMI_ON) {
            m->last_on_ev = now;
        }
        if (m->p.enabled < 0) {
            m->p.enabled = 1;
            m->p.src_enabled = SS_PARAM_WIRE;
        }
    }
    if (is_new)
        account_new(s, m, st, ev, t, now);
    if (t->flagged && m->state == SS_SEMI_ON)
        flagged_copy(s, m, st, t, is_new, now);
    if (!t->flagged && st->semi && beyond_reply && m->state == SS_SEMI_ON)
        unflagged_request(m, st, t, now);
    if (is_new && !t->flagged && st->semi && beyond_reply && m->state == SS_SEMI_DISABLED &&
        st->tcp_seen && ss_sem_stream_fresh(st) && !t->late)
        m->disabled_seen_ts = now;
    if (is_new && !t->flagged && st->semi && beyond_reply)
        quiet_run(m, st, t, now);
    else if (t->flagged)
        m->quiet_run = 0;
    st->last_end = t->pos;
    st->have_last_end = true;
    /* A candidate for "caught up yet unflagged" (see ss_sem_confirm_tail): only an end committed
     * live during the capture (and, while ON, during this ON period) qualifies; older ones were
     * never registered (committed before semisync was enabled, or before a restart). */
    uint64_t hdr = (uint64_t)ev->h.timestamp * SS_NS_PER_SEC;
    bool in_capture = !hdr || hdr + SS_NS_PER_SEC > s->first_ts;
    if (st->semi && !t->flagged && cf >= 0 && beyond_reply && !t->late && in_capture &&
        ss_sem_stream_fresh(st) &&
        (m->state != SS_SEMI_ON || t->tc >= m->on_since)) {
        st->tail_valid = true;
        st->tail = t->pos;
        st->tail_ts = now;
    }
}

/* A flag on an event that is not a transaction end: only the OFF state's probe sets it
 * (protocol.md §5.3: flag iff end ≥ commit position). */
static void on_probe(struct ss_sem_master *m, const struct ss_sem_stream *st,
                     const struct ss_event *ev, const struct ss_sem_pos *e, uint64_t now)
{
    /* The probe was decided when the dump thread wrote it; on a stream whose window was closed
     * (or that was catching up) that may be long before it is seen. If the model already had
     * the master OFF at some time since then, the probe is that OFF period's: nothing new. */
    if (!ss_sem_stream_fresh(st) &&
        (m->last_on_tr >= st->stale_since || m->last_off_seen >= st->stale_since))
        return;
    m->flag_seen = true;
    m->last_flag_ts = now;
    if (m->p.enabled < 0) {
        m->p.enabled = 1;
        m->p.src_enabled = SS_PARAM_WIRE;
    }
    if (m->state == SS_SEMI_DISABLED)
        m->state = SS_SEMI_OFF; /* enabled again at runtime, and not (yet) ON */
    char pos[SS_SEMI_POS_MAX], what[SS_SEMI_REASON_MAX];
    ss_sem_fmt(what, sizeof(what),
             "%s (%s, not a transaction end) was sent with an ack request: the master was OFF, "
             "probing for a caught-up replica",
             ss_sem_pos_str(m, e, pos), ss_binlog_type_name(ev->h.type));
    ss_sem_evidence_off(m, now, e, what);
}

static void note_flavor(struct ss_sem_master *m, uint8_t type)
{
    if (m->flavor != SS_FLAVOR_UNKNOWN)
        return;
    if (type == SS_EV_MARIA_GTID || type == SS_EV_MARIA_GTID_LIST)
        m->flavor = SS_FLAVOR_MARIADB;
    else if (type == SS_EV_GTID || type == SS_EV_ANONYMOUS_GTID || type == SS_EV_GTID_TAGGED ||
             type == SS_EV_PREVIOUS_GTIDS)
        m->flavor = SS_FLAVOR_MYSQL;
}

void ss_sem_on_event(struct ss_semistate *s, struct ss_sem_master *m, struct ss_sem_stream *st,
                     const struct ss_msg *msg)
{
    const struct ss_event *ev = &msg->u.ev;
    uint64_t now = msg->ts_ns;
    uint8_t type = ev->h.type;
    note_flavor(m, type);
    if (ev->semisync_flags >= 0 || msg->conn->semisync_header == 1)
        ss_sem_stream_semi(m, st, true, now);
    else if (msg->conn->semisync_header == 0 && st->semi)
        ss_sem_stream_semi(m, st, false, now);
    if (type == SS_EV_MARIA_GTID || type == SS_EV_GTID || type == SS_EV_GTID_TAGGED)
        ss_sem_gtid_from_event(ev, st->gtid, sizeof(st->gtid));
    else if (type == SS_EV_ANONYMOUS_GTID)
        st->gtid[0] = 0;
    if (type == SS_EV_HEARTBEAT || type == SS_EV_HEARTBEAT_V2) {
        /* Sent only when there was nothing else to send: the stream is caught up. */
        if (st->tail_valid)
            ss_sem_confirm_tail(m, st, now);
        return;
    }
    if (ev->artificial || !ev->end_pos || !ev->file[0])
        return;
    struct trx_info t = {.flagged = ev->ack_requested};
    t.pos.ord = ss_sem_file_ord(m, ev->file);
    t.pos.pos = ev->end_pos;
    if (st->tail_valid) {
        if (now >= st->tail_ts && now - st->tail_ts >= SS_SEM_IDLE_NS)
            ss_sem_confirm_tail(m, st, now);
        else
            st->tail_valid = false;
    }
    if (ev->ack_requested) {
        m->c.net_waits++;
        st->flags_out++;
        m->last_any_flag_ts = now;
        m->quiet_run = 0;
        m->off_since_flag = 0;
    }
    if (ev->trx == SS_TRX_END) {
        commit_time(m, st, ev, now, ss_sem_watched(m), &t);
        on_trx_end(s, m, st, ev, &t, now);
        st->gtid[0] = 0;
    } else if (ev->ack_requested) {
        on_probe(m, st, ev, &t.pos, now);
    }
}
