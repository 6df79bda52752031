/* SPDX-License-Identifier: MIT */
/* analysis.c: groups dump streams into masters and replicas, feeds the ack matcher, and exposes
 * the sorted read-only model for the reporters (analyze.h). */
#include "semiscope/analyze.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_priv.h"

void ss_analysis_cfg_defaults(struct ss_analysis_cfg *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->interval_ns = SS_NS_PER_SEC;
    cfg->max_masters = 64;
    cfg->max_replicas = 256;
    cfg->max_pending = 65536;
    cfg->slowest_n = 10;
    cfg->max_intervals = 86400;
    cfg->max_conn_records = 64;
    cfg->max_trx_ranges = 1024;
}

struct ss_analysis *ss_analysis_new(const struct ss_analysis_cfg *cfg, struct ss_anomalies *an)
{
    struct ss_analysis_cfg d;
    ss_analysis_cfg_defaults(&d);
    struct ss_analysis *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->cfg = d;
    if (cfg) {
        /* Zero fields keep their defaults (slowest_n 0 is a legitimate "keep none"). */
        a->cfg.slowest_n = cfg->slowest_n;
        a->cfg.interval_ns = cfg->interval_ns ? cfg->interval_ns : d.interval_ns;
        a->cfg.max_masters = cfg->max_masters ? cfg->max_masters : d.max_masters;
        a->cfg.max_replicas = cfg->max_replicas ? cfg->max_replicas : d.max_replicas;
        a->cfg.max_pending = cfg->max_pending ? cfg->max_pending : d.max_pending;
        a->cfg.max_intervals = cfg->max_intervals ? cfg->max_intervals : d.max_intervals;
        a->cfg.max_conn_records = cfg->max_conn_records ? cfg->max_conn_records
                                                        : d.max_conn_records;
        a->cfg.max_trx_ranges = cfg->max_trx_ranges ? cfg->max_trx_ranges : d.max_trx_ranges;
    }
    a->an = an;
    a->tot.interval_ns = a->cfg.interval_ns;
    a->tot.slowest_n = a->cfg.slowest_n;
    a->nslots = 64;
    a->slots = calloc(a->nslots, sizeof(*a->slots));
    if (!a->slots || ss_names_init(&a->names) < 0) {
        free(a->slots);
        free(a);
        return NULL;
    }
    a->nofile = ss_names_intern(&a->names, "");
    return a;
}

/* ---- streams by flow id: open addressing, backward-shift deletion ---- */

static size_t slot_of(const struct ss_analysis *a, uint64_t id)
{
    return (size_t)((id * UINT64_C(0x9E3779B97F4A7C15)) >> 20) & (a->nslots - 1);
}

static struct ss_stream *stream_find(struct ss_analysis *a, uint64_t id)
{
    if (a->last && a->last->flow_id == id)
        return a->last;
    for (size_t j = slot_of(a, id); a->slots[j]; j = (j + 1) & (a->nslots - 1))
        if (a->slots[j]->flow_id == id)
            return a->last = a->slots[j];
    return NULL;
}

static void slot_put(struct ss_stream **slots, size_t nslots, size_t start, struct ss_stream *s)
{
    size_t j = start;
    while (slots[j])
        j = (j + 1) & (nslots - 1);
    slots[j] = s;
}

static int stream_insert(struct ss_analysis *a, struct ss_stream *s)
{
    if ((a->nstreams + 1) * 2 > a->nslots) {
        size_t ns = a->nslots * 2;
        struct ss_stream **sl = calloc(ns, sizeof(*sl));
        if (!sl)
            return -1;
        size_t old = a->nslots;
        a->nslots = ns;
        for (size_t i = 0; i < old; i++)
            if (a->slots[i])
                slot_put(sl, ns, slot_of(a, a->slots[i]->flow_id), a->slots[i]);
        free(a->slots);
        a->slots = sl;
    }
    slot_put(a->slots, a->nslots, slot_of(a, s->flow_id), s);
    a->nstreams++;
    return 0;
}

static void stream_remove(struct ss_analysis *a, struct ss_stream *s)
{
    size_t mask = a->nslots - 1, j = slot_of(a, s->flow_id);
    while (a->slots[j] != s)
        j = (j + 1) & mask;
    a->slots[j] = NULL;
    /* Shift back later members of the probe chain that may no longer be reachable. */
    for (size_t k = (j + 1) & mask; a->slots[k]; k = (k + 1) & mask) {
        size_t home = slot_of(a, a->slots[k]->flow_id);
        bool movable = (j <= k) ? (home <= j || home > k) : (home <= j && home > k);
        if (movable) {
            a->slots[j] = a->slots[k];
            a->slots[k] = NULL;
            j = k;
        }
    }
    a->nstreams--;
    if (a->last == s)
        a->last = NULL;
}

/* ---- masters and replicas ---- */

static struct ss_master *master_for(struct ss_analysis *a, const struct ss_endpoint *ep)
{
    for (size_t i = 0; i < a->masters.n; i++)
        if (ss_endpoint_eq(&a->masters.v[i]->pub.endpoint, ep))
            return a->masters.v[i];
    if (a->masters.n >= a->cfg.max_masters)
        return NULL;
    if (a->masters.n == a->masters.cap) {
        size_t nc = a->masters.cap ? a->masters.cap * 2 : 4;
        struct ss_master **nv = realloc(a->masters.v, nc * sizeof(*nv));
        if (!nv)
            return NULL;
        a->masters.v = nv;
        a->masters.cap = nc;
    }
    struct ss_master *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->pub.endpoint = *ep;
    ss_trxset_init(&m->trx, a->cfg.max_trx_ranges);
    a->masters.v[a->masters.n++] = m;
    return m;
}

static void replica_free(struct ss_replica *r)
{
    if (!r)
        return;
    free(r->net);
    free(r->rside);
    free(r->slow);
    free(r->unans);
    free(r->conns);
    ss_timeline_free(&r->tl);
    free(r);
}

static struct ss_replica *replica_new(struct ss_analysis *a, struct ss_master *m,
                                      const struct ss_conn_info *ci)
{
    struct ss_replica *r = calloc(1, sizeof(*r));
    size_t n = a->cfg.slowest_n ? a->cfg.slowest_n : 1;
    if (!r || !(r->slow = calloc(n, sizeof(*r->slow))) ||
        !(r->unans = calloc(n, sizeof(*r->unans)))) {
        replica_free(r);
        return NULL;
    }
    r->m = m;
    r->pub.addr = ci->client.addr;
    r->pub.server_id = ci->replica_server_id;
    r->pub.semisync = -1;
    ss_hist_init(&r->lat);
    r->pub.latency = &r->lat;
    r->pub.slowest = r->slow;
    r->pub.unanswered = r->unans;
    ss_timeline_init(&r->tl, a->cfg.interval_ns, a->cfg.max_intervals);
    return r;
}

static struct ss_replica *replica_for(struct ss_analysis *a, struct ss_master *m,
                                      const struct ss_conn_info *ci)
{
    if (ci->replica_server_id >= 0)
        for (size_t i = 0; i < m->nreps; i++)
            if (m->reps[i]->pub.server_id == ci->replica_server_id &&
                ss_addr_eq(&m->reps[i]->pub.addr, &ci->client.addr))
                return m->reps[i];
    if (m->nreps >= a->cfg.max_replicas) {
        m->pub.replicas_dropped++;
        ss_anomaly_add(a->an, SS_AN_REPLICA_CAP_HIT, 1);
        return NULL;
    }
    if (m->nreps == m->capreps) {
        size_t nc = m->capreps ? m->capreps * 2 : 4;
        struct ss_replica **nv = realloc(m->reps, nc * sizeof(*nv));
        if (!nv)
            return NULL;
        m->reps = nv;
        m->capreps = nc;
    }
    struct ss_replica *r = replica_new(a, m, ci);
    if (r)
        m->reps[m->nreps++] = r;
    return r;
}

static long conn_record_new(struct ss_analysis *a, struct ss_replica *r, const struct ss_msg *m)
{
    if (r->pub.nconns >= a->cfg.max_conn_records) {
        r->pub.conns_dropped++;
        return -1;
    }
    if (r->pub.nconns == r->conns_cap) {
        size_t nc = r->conns_cap ? r->conns_cap * 2 : 2;
        struct ss_an_conn *nv = realloc(r->conns, nc * sizeof(*nv));
        if (!nv) {
            a->alloc_failures++;
            return -1;
        }
        r->conns = nv;
        r->conns_cap = nc;
        r->pub.conns = nv;
    }
    struct ss_an_conn *c = &r->conns[r->pub.nconns];
    memset(c, 0, sizeof(*c));
    c->flow_id = m->conn->flow_id;
    c->client = m->conn->client;
    c->thread_id = m->conn->thread_id;
    c->semisync = -1;
    c->closed_by_master = -1;
    c->first_ts_ns = m->ts_ns;
    c->first_frame = m->frame;
    return (long)r->pub.nconns++;
}

static struct ss_stream *stream_open(struct ss_analysis *a, const struct ss_msg *m)
{
    struct ss_stream *s = calloc(1, sizeof(*s));
    if (!s) {
        a->alloc_failures++;
        return NULL;
    }
    s->flow_id = m->conn->flow_id;
    s->seq = ++a->tot.streams;
    s->rec = -1;
    s->m = master_for(a, &m->conn->server);
    if (!s->m) {
        a->tot.masters_dropped++;
        ss_anomaly_add(a->an, SS_AN_REPLICA_CAP_HIT, 1);
    } else {
        s->rep = replica_for(a, s->m, m->conn);
    }
    if (stream_insert(a, s) < 0) {
        a->alloc_failures++;
        free(s);
        return NULL;
    }
    if (s->rep) {
        s->rep->pub.dump_connections++;
        s->rec = conn_record_new(a, s->rep, m);
    }
    return s;
}

static int conn_semisync(const struct ss_conn_info *ci)
{
    if (ci->semisync_header == 1 || ci->semisync_requested == 1)
        return 1;
    return ci->semisync_header == 0 ? 0 : -1;
}

/* What the decoder has learnt so far about the connection, copied onto the model. */
static void stream_update(struct ss_stream *s, const struct ss_msg *m)
{
    struct ss_replica *r = s->rep;
    const struct ss_conn_info *ci = m->conn;
    struct ss_an_replica *p = &r->pub;
    if (!p->first_ts_ns || m->ts_ns < p->first_ts_ns)
        p->first_ts_ns = m->ts_ns;
    if (m->ts_ns > p->last_ts_ns)
        p->last_ts_ns = m->ts_ns;
    if (p->server_id < 0 && ci->replica_server_id >= 0)
        p->server_id = ci->replica_server_id;
    if (ci->replica_host[0] && !p->host[0])
        snprintf(p->host, sizeof(p->host), "%s", ci->replica_host);
    if (ci->replica_port && !p->port)
        p->port = ci->replica_port;
    int semi = conn_semisync(ci);
    if (semi >= 0 && s->seq >= r->semisync_seq) {
        p->semisync = semi;
        r->semisync_seq = s->seq;
    }
    struct ss_an_master *mp = &s->m->pub;
    if (mp->flavor == SS_FLAVOR_UNKNOWN)
        mp->flavor = ci->flavor;
    if (!mp->server_version[0] && ci->server_version[0])
        snprintf(mp->server_version, sizeof(mp->server_version), "%s", ci->server_version);
    if (s->rec >= 0) {
        struct ss_an_conn *c = &r->conns[s->rec];
        c->last_ts_ns = m->ts_ns;
        c->last_frame = m->frame;
        c->semisync = semi >= 0 ? semi : c->semisync;
        if (ci->thread_id >= 0)
            c->thread_id = ci->thread_id;
    }
}

static void on_event(struct ss_analysis *a, struct ss_stream *s, const struct ss_msg *m)
{
    struct ss_replica *r = s->rep;
    const struct ss_event *ev = &m->u.ev;
    struct ss_an_conn *c = s->rec >= 0 ? &r->conns[s->rec] : NULL;
    r->pub.events++;
    r->pub.event_bytes += m->payload_len;
    if (c)
        c->events++;
    if (ev->h.type == SS_EV_HEARTBEAT || ev->h.type == SS_EV_HEARTBEAT_V2)
        r->pub.heartbeats++;
    if (ev->trx == SS_TRX_END && !ev->artificial) {
        uint32_t f = ss_names_intern(&a->names, ev->file);
        ss_trxset_add(&s->m->trx, s->has_trx, s->trx_file, s->trx_pos, f, ev->end_pos);
        s->has_trx = true;
        s->trx_file = f;
        s->trx_pos = ev->end_pos;
    }
    if (ev->ack_requested) {
        r->pub.ack_requests++;
        if (c)
            c->ack_requests++;
        ss_timeline_request(&r->tl, m->ts_ns);
        ss_ackm_request(a, s, m);
    }
}

static void kill_count(struct ss_analysis *a, const struct ss_conn_info *ci)
{
    for (size_t i = 0; i < a->nkills; i++)
        if (ss_endpoint_eq(&a->kills[i].server, &ci->server) &&
            ss_addr_eq(&a->kills[i].client, &ci->client.addr)) {
            a->kills[i].n++;
            return;
        }
    if (a->nkills >= SS_KILL_TABLE_MAX) {
        a->tot.kill_table_full++;
        return;
    }
    if (a->nkills == a->capkills) {
        size_t nc = a->capkills ? a->capkills * 2 : 8;
        struct ss_kill_ent *nv = realloc(a->kills, nc * sizeof(*nv));
        if (!nv) {
            a->alloc_failures++;
            return;
        }
        a->kills = nv;
        a->capkills = nc;
    }
    a->kills[a->nkills++] = (struct ss_kill_ent){ ci->server, ci->client.addr, 1 };
}

/* ended: the decoder reported the connection's end (why); false when the analysis closes it. */
static void stream_close(struct ss_analysis *a, struct ss_stream *s, uint64_t ts_ns,
                         enum ss_unanswered_until until, bool ended, enum ss_end_reason why,
                         int by_master)
{
    ss_ackm_close(a, s, ts_ns, until);
    if (s->rep && s->rec >= 0 && ended) {
        s->rep->conns[s->rec].ended = true;
        s->rep->conns[s->rec].end_reason = why;
        /* Who hung up tells a stopped IO thread (replica) from a killed dump thread (master). */
        s->rep->conns[s->rec].closed_by_master =
            why == SS_END_FIN || why == SS_END_RST ? by_master : -1;
    }
    stream_remove(a, s);
    free(s->q);
    free(s);
}

/* TCP facts of an ending stream: evidence for the postmortem (network trouble, late pickup). */
static void flow_facts(struct ss_stream *s, const struct ss_flow *f)
{
    if (!f)
        return;
    struct ss_an_replica *p = &s->rep->pub;
    uint64_t re = f->dir[SS_C2S].retrans + f->dir[SS_S2C].retrans;
    uint64_t zw = f->dir[SS_C2S].zero_windows + f->dir[SS_S2C].zero_windows;
    p->retransmissions += re;
    p->zero_windows += zw;
    p->midstream |= f->midstream;
    if (s->rec >= 0) {
        struct ss_an_conn *c = &s->rep->conns[s->rec];
        c->retransmissions = re;
        c->zero_windows = zw;
        c->midstream = f->midstream;
    }
}

void ss_analysis_msg(struct ss_analysis *a, const struct ss_msg *m)
{
    const struct ss_conn_info *ci = m->conn;
    if (a->finished || !ci)
        return;
    a->tot.msgs++;
    if (!a->tot.first_ts_ns || m->ts_ns < a->tot.first_ts_ns)
        a->tot.first_ts_ns = m->ts_ns;
    if (m->ts_ns > a->tot.last_ts_ns)
        a->tot.last_ts_ns = m->ts_ns;
    struct ss_stream *s = stream_find(a, ci->flow_id);
    if (m->kind == SS_MSG_END) {
        if (s) {
            if (s->rep) {
                stream_update(s, m);
                flow_facts(s, m->u.end.flow);
            }
            /* The flow table ends every open flow with SS_END_CAPTURE when the input ends:
             * requests pending then were in flight, not lost. */
            stream_close(a, s, m->ts_ns,
                         m->u.end.why == SS_END_CAPTURE ? SS_UNANSWERED_CAPTURE_END
                                                        : SS_UNANSWERED_STREAM_END,
                         true, m->u.end.why, m->u.end.by_server ? 1 : 0);
        } else if (ci->is_kill_only) {
            kill_count(a, ci);
        }
        return;
    }
    if (!s) {
        if (!ci->is_dump)
            return;
        if (!(s = stream_open(a, m)))
            return;
    }
    if (!s->rep)
        return;
    stream_update(s, m);
    switch (m->kind) {
    case SS_MSG_EVENT:
        if (m->from_server)
            on_event(a, s, m);
        break;
    case SS_MSG_ACK:
        if (!m->from_server) {
            s->rep->pub.acks++;
            if (s->rec >= 0)
                s->rep->conns[s->rec].acks++;
            ss_ackm_ack(a, s, m);
        }
        break;
    case SS_MSG_TCP_ACK:
        a->tot.tcp_acks_seen = true;
        ss_ackm_tcp_ack(a, s, m);
        break;
    default:
        break;
    }
}

void ss_analysis_sink(void *ctx, const struct ss_msg *m)
{
    ss_analysis_msg(ctx, m);
}

/* ---- finish: close out, attach kill counts, sort ---- */

static int addr_cmp(const struct ss_addr *a, const struct ss_addr *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    return memcmp(a->b, b->b, sizeof(a->b));
}

static int master_cmp(const void *pa, const void *pb)
{
    const struct ss_an_master *a = *(const struct ss_an_master *const *)pa;
    const struct ss_an_master *b = *(const struct ss_an_master *const *)pb;
    int c = addr_cmp(&a->endpoint.addr, &b->endpoint.addr);
    if (c)
        return c;
    return (a->endpoint.port > b->endpoint.port) - (a->endpoint.port < b->endpoint.port);
}

/* By server_id (unknown last), then address, then first stream. */
static int replica_cmp(const void *pa, const void *pb)
{
    const struct ss_replica *a = *(const struct ss_replica *const *)pa;
    const struct ss_replica *b = *(const struct ss_replica *const *)pb;
    int64_t ia = a->pub.server_id, ib = b->pub.server_id;
    if ((ia < 0) != (ib < 0))
        return ia < 0 ? 1 : -1;
    if (ia != ib)
        return ia < ib ? -1 : 1;
    int c = addr_cmp(&a->pub.addr, &b->pub.addr);
    if (c)
        return c;
    uint64_t fa = a->pub.nconns ? a->pub.conns[0].flow_id : 0;
    uint64_t fb = b->pub.nconns ? b->pub.conns[0].flow_id : 0;
    return (fa > fb) - (fa < fb);
}

static void finish_master(struct ss_analysis *a, struct ss_master *m)
{
    for (size_t i = 0; i < m->nreps; i++) {
        struct ss_replica *r = m->reps[i];
        ss_timeline_flush(&r->tl);
        r->pub.timeline = r->tl.v;
        r->pub.ntimeline = r->tl.n;
        r->pub.timeline_dropped = r->tl.dropped;
        for (size_t k = 0; k < a->nkills; k++)
            if (ss_endpoint_eq(&a->kills[k].server, &m->pub.endpoint) &&
                ss_addr_eq(&a->kills[k].client, &r->pub.addr))
                r->pub.kill_connections = a->kills[k].n;
        a->alloc_failures += r->tl.alloc_failures;
    }
    qsort(m->reps, m->nreps, sizeof(*m->reps), replica_cmp);
    m->pub.replicas = (const struct ss_an_replica *const *)(void *)m->reps;
    m->pub.nreplicas = m->nreps;
    m->pub.transactions = m->trx.count;
    m->pub.trx_ranges_dropped = m->trx.dropped;
}

static int stream_seq_cmp(const void *pa, const void *pb)
{
    const struct ss_stream *a = *(const struct ss_stream *const *)pa;
    const struct ss_stream *b = *(const struct ss_stream *const *)pb;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Streams still open at the end of the capture: their pending requests were in flight. Closed in
 * start order so the report does not depend on hash layout. */
static void close_open_streams(struct ss_analysis *a, uint64_t ts_ns)
{
    size_t n = 0;
    struct ss_stream **v = malloc((a->nstreams ? a->nstreams : 1) * sizeof(*v));
    if (!v) {
        a->alloc_failures++;
        while (a->nstreams) {
            struct ss_stream *s = NULL;
            for (size_t j = 0; j < a->nslots && !s; j++)
                s = a->slots[j];
            stream_close(a, s, ts_ns, SS_UNANSWERED_CAPTURE_END, false, SS_END_CAPTURE, -1);
        }
        return;
    }
    for (size_t j = 0; j < a->nslots; j++)
        if (a->slots[j])
            v[n++] = a->slots[j];
    qsort(v, n, sizeof(*v), stream_seq_cmp);
    for (size_t i = 0; i < n; i++)
        stream_close(a, v[i], ts_ns, SS_UNANSWERED_CAPTURE_END, false, SS_END_CAPTURE, -1);
    free(v);
}

void ss_analysis_finish(struct ss_analysis *a, uint64_t ts_ns)
{
    if (a->finished)
        return;
    if (ts_ns < a->tot.last_ts_ns)
        ts_ns = a->tot.last_ts_ns;
    close_open_streams(a, ts_ns);
    for (size_t i = 0; i < a->masters.n; i++)
        finish_master(a, a->masters.v[i]);
    a->sorted = malloc((a->masters.n ? a->masters.n : 1) * sizeof(*a->sorted));
    if (a->sorted) {
        for (size_t i = 0; i < a->masters.n; i++)
            a->sorted[i] = &a->masters.v[i]->pub;
        qsort(a->sorted, a->masters.n, sizeof(*a->sorted), master_cmp);
        a->nsorted = a->masters.n;
    } else {
        a->alloc_failures++;
    }
    a->tot.names_cap_hit = a->names.cap_hit;
    a->tot.alloc_failures = a->alloc_failures + a->names.alloc_failures;
    for (size_t i = 0; i < a->masters.n; i++)
        a->tot.alloc_failures += a->masters.v[i]->trx.alloc_failures;
    a->finished = true;
}

size_t ss_analysis_masters(const struct ss_analysis *a, const struct ss_an_master *const **out)
{
    if (!a->finished || !a->sorted) {
        *out = NULL;
        return 0;
    }
    *out = a->sorted;
    return a->nsorted;
}

size_t ss_analysis_focus(struct ss_analysis *a, const struct ss_addr *replica)
{
    if (!a->finished || !a->sorted)
        return 0;
    size_t kept = 0, nm = 0;
    for (size_t i = 0; i < a->masters.n; i++) {
        struct ss_master *m = a->masters.v[i];
        /* A stable partition: the focused replicas first, in their order; the others stay
         * behind them (still owned by m->reps, freed with it), out of the model. */
        size_t n = 0;
        for (size_t k = 0; k < m->nreps; k++) {
            if (!ss_addr_eq(&m->reps[k]->pub.addr, replica))
                continue;
            struct ss_replica *r = m->reps[k];
            memmove(&m->reps[n + 1], &m->reps[n], (k - n) * sizeof(*m->reps));
            m->reps[n++] = r;
        }
        m->pub.nreplicas = n;
        kept += n;
    }
    for (size_t i = 0; i < a->nsorted; i++)
        if (a->sorted[i]->nreplicas > 0)
            a->sorted[nm++] = a->sorted[i];
    a->nsorted = nm;
    return kept;
}

const struct ss_an_totals *ss_analysis_totals(const struct ss_analysis *a)
{
    return &a->tot;
}

void ss_analysis_free(struct ss_analysis *a)
{
    if (!a)
        return;
    for (size_t j = 0; j < a->nslots; j++)
        if (a->slots[j]) {
            free(a->slots[j]->q);
            free(a->slots[j]);
        }
    free(a->slots);
    for (size_t i = 0; i < a->masters.n; i++) {
        struct ss_master *m = a->masters.v[i];
        for (size_t k = 0; k < m->nreps; k++)
            replica_free(m->reps[k]);
        free(m->reps);
        ss_trxset_free(&m->trx);
        free(m);
    }
    free(a->masters.v);
    free(a->sorted);
    free(a->kills);
    ss_names_free(&a->names);
    free(a);
}
