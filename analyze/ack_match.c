/* SPDX-License-Identifier: MIT */
/* ack_match.c: pending ack requests per stream, cumulative ack matching, the network/replica
 * split from TCP acks, and unanswered requests.
 *
 * Requests sit in a FIFO ring in send order, which is binlog order on one stream, so an ack
 * releases a prefix of the ring: O(1) per request. A TCP-ack cursor walks the same ring. */
#include "analysis_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct ss_pending *q_at(struct ss_stream *s, uint32_t i)
{
    return &s->q[(s->qhead + i) % s->qcap];
}

static void q_pop(struct ss_stream *s)
{
    s->qhead = (s->qhead + 1) % s->qcap;
    s->qlen--;
    if (s->qtcp)
        s->qtcp--;
    s->rep->npending--;
}

static int q_grow(struct ss_stream *s)
{
    uint32_t nc = s->qcap ? s->qcap * 2 : 16;
    struct ss_pending *nv = malloc((size_t)nc * sizeof(*nv));
    if (!nv)
        return -1;
    for (uint32_t i = 0; i < s->qlen; i++)
        nv[i] = *q_at(s, i);
    free(s->q);
    s->q = nv;
    s->qcap = nc;
    s->qhead = 0;
    return 0;
}

/* Keep the n slowest samples, slowest first; ties keep the earlier one first. */
static void keep_slowest(struct ss_replica *r, size_t cap, const struct ss_ack_sample *smp)
{
    size_t n = r->pub.nslowest;
    if (!cap || (n == cap && smp->latency_ns <= r->slow[n - 1].latency_ns))
        return;
    size_t at = n < cap ? n : cap - 1;
    while (at > 0 && r->slow[at - 1].latency_ns < smp->latency_ns)
        at--;
    size_t move = (n < cap ? n : cap - 1) - at;
    memmove(&r->slow[at + 1], &r->slow[at], move * sizeof(r->slow[0]));
    r->slow[at] = *smp;
    if (n < cap)
        r->pub.nslowest++;
}

static void keep_unanswered(struct ss_replica *r, size_t cap, const struct ss_unanswered *u)
{
    size_t n = r->pub.nunanswered;
    if (!cap || (n == cap && u->pending_ns <= r->unans[n - 1].pending_ns))
        return;
    size_t at = n < cap ? n : cap - 1;
    while (at > 0 && r->unans[at - 1].pending_ns < u->pending_ns)
        at--;
    size_t move = (n < cap ? n : cap - 1) - at;
    memmove(&r->unans[at + 1], &r->unans[at], move * sizeof(r->unans[0]));
    r->unans[at] = *u;
    if (n < cap)
        r->pub.nunanswered++;
}

static uint64_t span(uint64_t from, uint64_t to)
{
    return to > from ? to - from : 0;
}

void ss_ackm_request(struct ss_analysis *a, struct ss_stream *s, const struct ss_msg *m)
{
    struct ss_replica *r = s->rep;
    const struct ss_event *ev = &m->u.ev;
    if (r->npending >= a->cfg.max_pending) {
        /* Cap: forget this stream's oldest request (or refuse if it has none) so that matching
         * keeps working for new ones. */
        ss_anomaly_add(a->an, SS_AN_PENDING_CAP_HIT, 1);
        a->tot.pending_cap_hit++;
        r->pub.requests_dropped++;
        if (!s->qlen)
            return;
        q_pop(s);
    }
    if (s->qlen == s->qcap && q_grow(s) < 0) {
        a->alloc_failures++;
        r->pub.requests_dropped++;
        return;
    }
    struct ss_pending *p = q_at(s, s->qlen);
    memset(p, 0, sizeof(*p));
    p->file = ss_names_intern(&a->names, ev->file);
    p->pos = ev->end_pos;
    p->ev_frame = m->frame;
    p->ev_ts_ns = m->ts_ns;
    p->end_off = m->stream_end_off;
    /* Bytes the replica had already acknowledged when we saw them (reassembly delivered them
     * late): the TCP ack time would precede the event, so no split for this one. */
    p->tcp_unknown = s->tcp_seen && s->tcp_off >= p->end_off;
    if (s->qtcp == s->qlen && p->tcp_unknown)
        s->qtcp++;
    s->qlen++;
    r->npending++;
}

void ss_ackm_tcp_ack(struct ss_analysis *a, struct ss_stream *s, const struct ss_msg *m)
{
    (void)a;
    uint64_t off = m->u.tcp_ack.stream_off;
    if (s->tcp_seen && off <= s->tcp_off)
        return;
    s->tcp_seen = true;
    s->tcp_off = off;
    s->tcp_frame = m->frame;
    s->tcp_ts_ns = m->ts_ns;
    while (s->qtcp < s->qlen) {
        struct ss_pending *p = q_at(s, s->qtcp);
        if (p->end_off > off)
            break;
        if (!p->tcp_unknown) {
            p->tcp_frame = m->frame;
            p->tcp_ts_ns = m->ts_ns;
        }
        s->qtcp++;
    }
}

static void remember_answered(struct ss_stream *s, uint32_t file, uint64_t pos)
{
    s->recent[s->recent_next].file = file;
    s->recent[s->recent_next].pos = pos;
    s->recent_next = (s->recent_next + 1) % SS_RECENT_ACKED;
    if (s->nrecent < SS_RECENT_ACKED)
        s->nrecent++;
}

static bool was_answered(const struct ss_stream *s, uint32_t file, uint64_t pos)
{
    for (uint32_t i = 0; i < s->nrecent; i++)
        if (s->recent[i].file == file && s->recent[i].pos == pos)
            return true;
    return false;
}

/* One released request → one latency sample, with the split when a TCP ack is known. */
static void sample(struct ss_analysis *a, struct ss_stream *s, const struct ss_pending *p,
                   const struct ss_msg *m)
{
    struct ss_replica *r = s->rep;
    struct ss_ack_sample smp = {
        .latency_ns = span(p->ev_ts_ns, m->ts_ns),
        .ev_frame = p->ev_frame, .ev_ts_ns = p->ev_ts_ns,
        .ack_frame = m->frame, .ack_ts_ns = m->ts_ns,
        .tcp_frame = p->tcp_frame, .tcp_ts_ns = p->tcp_ts_ns,
        .pos = p->pos, .flow_id = s->flow_id,
    };
    /* No TCP ack seen before the semisync ack: the segment carrying the ack is itself the first
     * acknowledgement of the event (it acknowledges every byte the replica queued). Only when
     * the decoder reports TCP acks at all on this stream. */
    if (!smp.tcp_frame && s->tcp_seen && !p->tcp_unknown) {
        smp.tcp_frame = m->frame;
        smp.tcp_ts_ns = m->ts_ns;
    }
    ss_hist_add(&r->lat, smp.latency_ns);
    ss_timeline_sample(&r->tl, m->ts_ns, smp.latency_ns);
    if (smp.tcp_frame) {
        if (!r->net) {
            r->net = malloc(sizeof(*r->net));
            r->rside = malloc(sizeof(*r->rside));
            if (!r->net || !r->rside) {
                free(r->net);
                free(r->rside);
                r->net = r->rside = NULL;
                a->alloc_failures++;
            } else {
                ss_hist_init(r->net);
                ss_hist_init(r->rside);
                r->pub.network = r->net;
                r->pub.replica_side = r->rside;
            }
        }
        if (r->net) {
            ss_hist_add(r->net, span(p->ev_ts_ns, smp.tcp_ts_ns));
            ss_hist_add(r->rside, span(smp.tcp_ts_ns, m->ts_ns));
        }
    }
    size_t cap = a->cfg.slowest_n;
    if (cap && (r->pub.nslowest < cap || smp.latency_ns > r->slow[cap - 1].latency_ns)) {
        snprintf(smp.file, sizeof(smp.file), "%s", ss_names_str(&a->names, p->file));
        keep_slowest(r, cap, &smp);
    }
}

/* An ack that released nothing: a repeat of the best ack, a late one for a position already
 * released, one going backwards, or one for a request we never saw. */
static void classify_stray(struct ss_analysis *a, struct ss_stream *s, uint32_t file,
                           uint64_t pos)
{
    struct ss_replica *r = s->rep;
    int c = s->has_ack ? ss_names_coord_cmp(&a->names, file, pos, s->ack_file, s->ack_pos) : 1;
    if (c == 0) {
        r->pub.acks_duplicate++;
        ss_anomaly_add(a->an, SS_AN_ACK_DUPLICATE, 1);
    } else if (c < 0 && was_answered(s, file, pos)) {
        r->pub.acks_late++;
        ss_anomaly_add(a->an, SS_AN_ACK_DUPLICATE, 1);
    } else if (c < 0) {
        r->pub.acks_backwards++;
        ss_anomaly_add(a->an, SS_AN_ACK_BACKWARDS, 1);
    } else {
        r->pub.acks_unmatched++;
        ss_anomaly_add(a->an, SS_AN_ACK_UNMATCHED, 1);
    }
}

void ss_ackm_ack(struct ss_analysis *a, struct ss_stream *s, const struct ss_msg *m)
{
    struct ss_replica *r = s->rep;
    const struct ss_ack *ack = &m->u.ack;
    if (!ack->well_formed) {
        r->pub.acks_malformed++;
        return;
    }
    uint32_t file = ss_names_intern(&a->names, ack->file);
    ss_timeline_ack(&r->tl, m->ts_ns);
    uint64_t released = 0;
    while (s->qlen) {
        struct ss_pending *p = q_at(s, 0);
        /* A capture that joined the dump mid-stream has events whose file the decoder has not
         * learnt yet (no ROTATE seen): they belong to the file the replica acknowledges. */
        if (p->file == a->nofile)
            p->file = file;
        if (ss_names_coord_cmp(&a->names, p->file, p->pos, file, ack->pos) > 0)
            break;
        sample(a, s, p, m);
        remember_answered(s, p->file, p->pos);
        q_pop(s);
        released++;
    }
    if (released) {
        r->pub.acks_matched++;
        r->pub.requests_answered += released;
        if (released > 1)
            r->pub.acks_cumulative++;
    } else {
        classify_stray(a, s, file, ack->pos);
    }
    if (!s->has_ack || ss_names_coord_cmp(&a->names, file, ack->pos, s->ack_file, s->ack_pos) > 0) {
        s->has_ack = true;
        s->ack_file = file;
        s->ack_pos = ack->pos;
    }
    r->pub.has_last_ack = true;
    r->pub.last_ack_ts_ns = m->ts_ns;
    r->pub.last_ack_frame = m->frame;
    r->pub.last_ack_pos = ack->pos;
    snprintf(r->pub.last_ack_file, sizeof(r->pub.last_ack_file), "%s", ack->file);
}

void ss_ackm_close(struct ss_analysis *a, struct ss_stream *s, uint64_t ts_ns,
                   enum ss_unanswered_until until)
{
    struct ss_replica *r = s->rep;
    if (!r)
        return;
    while (s->qlen) {
        struct ss_pending *p = q_at(s, 0);
        struct ss_unanswered u = {
            .pending_ns = span(p->ev_ts_ns, ts_ns), .ev_frame = p->ev_frame,
            .ev_ts_ns = p->ev_ts_ns, .end_ts_ns = ts_ns, .pos = p->pos,
            .flow_id = s->flow_id, .until = until,
        };
        r->pub.requests_unanswered++;
        if (until == SS_UNANSWERED_CAPTURE_END)
            r->pub.requests_in_flight_at_end++;
        ss_anomaly_add(a->an, SS_AN_REQUEST_UNANSWERED, 1);
        size_t cap = a->cfg.slowest_n;
        if (cap && (r->pub.nunanswered < cap || u.pending_ns > r->unans[cap - 1].pending_ns)) {
            snprintf(u.file, sizeof(u.file), "%s", ss_names_str(&a->names, p->file));
            keep_unanswered(r, cap, &u);
        }
        q_pop(s);
    }
    free(s->q);
    s->q = NULL;
    s->qcap = s->qhead = s->qlen = s->qtcp = 0;
}
