/* SPDX-License-Identifier: MIT */
/* semistate_events.c: the state machine's bounded records — the pending ring of transaction ends
 * awaiting acks, the transition list, the unprotected-transaction list — and GTID naming. */
#include "semistate_priv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ss_sem_set_start(struct ss_sem_master *m, enum ss_semi_state st, uint64_t now)
{
    if (!m->start_set) {
        m->state_start = st;
        m->start_set = true;
    }
    m->state = st;
    if (st == SS_SEMI_ON)
        m->on_since = m->last_on_ev = now;
}

void ss_sem_transition(struct ss_sem_master *m, uint64_t ts, enum ss_semi_state to,
                       enum ss_semi_cause cause, const struct ss_sem_pos *pos, uint64_t approx,
                       const char *reason)
{
    if (!m->tr) {
        m->tr = calloc(SS_SEM_MAX_TRANSITIONS, sizeof(*m->tr));
        if (!m->tr) {
            m->tr_dropped++;
            return;
        }
    }
    struct ss_semi_transition *t;
    if (m->n_tr < SS_SEM_MAX_TRANSITIONS) {
        t = &m->tr[m->n_tr++];
    } else {
        /* Keep the first ones (how it started) and always the latest (how it ended). */
        t = &m->tr[SS_SEM_MAX_TRANSITIONS - 1];
        m->tr_dropped++;
    }
    memset(t, 0, sizeof(*t));
    /* A transition placed from late evidence can precede one already recorded only if the
     * evidence was inconsistent; keep the list monotonic so readers can rely on the order. */
    if (m->n_tr >= 2 && ts < t[-1].ts_ns)
        ts = t[-1].ts_ns;
    t->ts_ns = ts;
    t->to = to;
    t->cause = cause;
    if (pos && pos->ord)
        ss_sem_pos_str(m, pos, t->position);
    t->approx_ns = approx;
    snprintf(t->reason, sizeof(t->reason), "%s", reason);
}

void ss_sem_unprotected(struct ss_sem_master *m, uint64_t ts, uint64_t approx,
                        const struct ss_sem_pos *pos, const char *gtid, enum ss_sem_why why)
{
    m->unp_total++;
    if (m->n_unp >= SS_SEM_MAX_UNPROTECTED)
        return;
    if (!m->unp) {
        m->unp = calloc(SS_SEM_MAX_UNPROTECTED, sizeof(*m->unp));
        if (!m->unp)
            return;
    }
    struct ss_sem_unprot *u = &m->unp[m->n_unp++];
    u->ts = ts;
    u->approx = approx;
    ss_sem_pos_str(m, pos, u->position);
    snprintf(u->gtid, sizeof(u->gtid), "%s", gtid ? gtid : "");
    u->why = (uint8_t)why;
}

struct ss_sem_pending *ss_sem_pend_at(struct ss_sem_master *m, uint32_t i)
{
    if (i >= m->pend_n)
        return NULL;
    return &m->pend[(m->pend_head + i) % m->pend_cap];
}

void ss_sem_pend_pop(struct ss_sem_master *m)
{
    if (!m->pend_n)
        return;
    m->pend_head = (m->pend_head + 1) % m->pend_cap;
    m->pend_n--;
}

/* Grows the ring by doubling up to the cap; at the cap the oldest entry is dropped (its fate is
 * then unknown: counted, never guessed). */
struct ss_sem_pending *ss_sem_pend_push(struct ss_sem_master *m, struct ss_anomalies *an)
{
    if (m->pend_n == m->pend_cap && m->pend_cap < SS_SEM_MAX_PENDING) {
        uint32_t cap = m->pend_cap ? m->pend_cap * 2 : 64;
        struct ss_sem_pending *n = malloc(cap * sizeof(*n));
        if (n) {
            for (uint32_t i = 0; i < m->pend_n; i++)
                n[i] = *ss_sem_pend_at(m, i);
            free(m->pend);
            m->pend = n;
            m->pend_cap = cap;
            m->pend_head = 0;
        }
    }
    if (m->pend_cap == 0)
        return NULL;
    if (m->pend_n == m->pend_cap) {
        ss_sem_pend_pop(m);
        m->pend_dropped++;
        ss_anomaly_add(an, SS_AN_PENDING_CAP_HIT, 1);
    }
    struct ss_sem_pending *p = &m->pend[(m->pend_head + m->pend_n) % m->pend_cap];
    m->pend_n++;
    memset(p, 0, sizeof(*p));
    return p;
}

struct ss_sem_pending *ss_sem_pend_find(struct ss_sem_master *m, const struct ss_sem_pos *pos)
{
    /* Newest first: a flagged copy usually follows its first sighting closely. */
    for (uint32_t i = m->pend_n; i-- > 0;) {
        struct ss_sem_pending *p = ss_sem_pend_at(m, i);
        int c = ss_sem_pos_cmp(&p->pos, pos);
        if (c == 0)
            return p;
        if (c < 0)
            break;
    }
    return NULL;
}

static void uuid_str(const uint8_t *b, char *out, size_t n)
{
    snprintf(out, n,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

void ss_sem_gtid_from_event(const struct ss_event *ev, char *out, size_t n)
{
    out[0] = 0;
    switch (ev->h.type) {
    case SS_EV_MARIA_GTID:
        /* MariaDB GTID: domain-server-seq; the server id is the event header's. */
        snprintf(out, n, "%u-%u-%llu", ev->u.mgtid.domain, ev->h.server_id,
                 (unsigned long long)ev->u.mgtid.seq);
        break;
    case SS_EV_GTID:
    case SS_EV_GTID_TAGGED: {
        char u[40];
        uuid_str(ev->u.gtid.sid, u, sizeof(u));
        if (ev->u.gtid.tag[0])
            snprintf(out, n, "%s:%s:%lld", u, ev->u.gtid.tag, (long long)ev->u.gtid.gno);
        else
            snprintf(out, n, "%s:%lld", u, (long long)ev->u.gtid.gno);
        break;
    }
    default:
        break;
    }
}

void ss_sem_fmt(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
}
