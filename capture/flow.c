/* SPDX-License-Identifier: MIT */
/* flow.c: the TCP flow table: 4-tuple lookup, client/server sides, caps, idle expiry on packet
 * time, flow ends; per-direction reassembly is capture/reasm.c. Reference: RFC 9293 §3.5-3.6
 * (opening, closing, reset); Suricata flow-hash.c / stream-tcp.c for midstream pickup and caps. */
#include "semiscope/flow.h"

#include <stdlib.h>
#include <string.h>

#include "reasm_priv.h"

/* A flow as the table keeps it; consumers only ever see `pub`. */
struct flow_node {
    struct ss_flow pub;      /* what consumers see */
    struct flow_node *hnext; /* hash chain */
    /* [FL_LRU]: by last packet, the head least recently active; [FL_ALL]: creation (= id) order */
    struct flow_link {
        struct flow_node *prev, *next;
    } link[2];
    struct ss_endpoint ka, kb; /* canonical key: ka sorts before kb */
    uint32_t hash;
    struct ss_reasm r[2];
    bool any_fin;
    enum ss_dir fin_first; /* the side that started the close */
    bool win_zero[2];      /* [dir]: the receiver of dir's data advertises a zero window (as
                            * last reported through ops->window) */
};

struct flow_list {
    struct flow_node *head, *tail;
};

struct ss_flowtab {
    struct ss_flow_cfg cfg;
    uint16_t *ports; /* copy of cfg.ports */
    struct flow_node **buckets;
    uint32_t mask; /* buckets - 1, a power of two minus one */
    struct flow_list lru, all;
    uint64_t next_id;
    uint64_t now; /* latest packet time seen */
    struct ss_flow_stats st;
    struct ss_reasm_ctx rc;
};

void ss_flow_cfg_defaults(struct ss_flow_cfg *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->max_flows = 65536;
    cfg->memcap = UINT64_C(64) << 20;
    cfg->dir_ooo_cap = UINT32_C(4) << 20;
    cfg->idle_timeout_ns = UINT64_C(3600) * SS_NS_PER_SEC;
    cfg->gap_after = UINT32_C(256) << 10;
}

/* ---- keys and hashing ---------------------------------------------------------------------- */

static int ep_cmp(const struct ss_endpoint *a, const struct ss_endpoint *b)
{
    if (a->addr.family != b->addr.family)
        return a->addr.family < b->addr.family ? -1 : 1;
    int c = memcmp(a->addr.b, b->addr.b, sizeof(a->addr.b));
    if (c != 0)
        return c;
    if (a->port != b->port)
        return a->port < b->port ? -1 : 1;
    return 0;
}

static uint32_t fnv_ep(uint32_t h, const struct ss_endpoint *e)
{
    /* FNV-1a over the fields (never over the struct, whose padding is undefined) */
    h = (h ^ e->addr.family) * UINT32_C(16777619);
    for (size_t i = 0; i < sizeof(e->addr.b); i++)
        h = (h ^ e->addr.b[i]) * UINT32_C(16777619);
    h = (h ^ (uint32_t)(e->port >> 8)) * UINT32_C(16777619);
    h = (h ^ (uint32_t)(e->port & 0xff)) * UINT32_C(16777619);
    return h;
}

/* Both directions of a connection share one key: the endpoints in sorted order. */
static uint32_t canon_key(const struct ss_tcp_pkt *pkt, const struct ss_endpoint **a,
                          const struct ss_endpoint **b)
{
    bool swap = ep_cmp(&pkt->src, &pkt->dst) > 0;
    *a = swap ? &pkt->dst : &pkt->src;
    *b = swap ? &pkt->src : &pkt->dst;
    return fnv_ep(fnv_ep(UINT32_C(2166136261), *a), *b);
}

static struct flow_node *lookup(const struct ss_flowtab *t, uint32_t h, const struct ss_endpoint *a,
                                const struct ss_endpoint *b)
{
    for (struct flow_node *n = t->buckets[h & t->mask]; n; n = n->hnext)
        if (n->hash == h && ss_endpoint_eq(&n->ka, a) && ss_endpoint_eq(&n->kb, b))
            return n;
    return NULL;
}

/* ---- intrusive lists ---------------------------------------------------------------------- */

/* Each node sits on two lists; `which` picks the link. */
enum flow_list_id { FL_LRU = 0, FL_ALL = 1 };

static void list_push_tail(struct flow_list *l, struct flow_node *n, enum flow_list_id w)
{
    n->link[w].prev = l->tail;
    n->link[w].next = NULL;
    if (l->tail)
        l->tail->link[w].next = n;
    else
        l->head = n;
    l->tail = n;
}

static void list_unlink(struct flow_list *l, struct flow_node *n, enum flow_list_id w)
{
    struct flow_node *p = n->link[w].prev, *x = n->link[w].next;
    if (p)
        p->link[w].next = x;
    else
        l->head = x;
    if (x)
        x->link[w].prev = p;
    else
        l->tail = p;
}

/* ---- table lifecycle ----------------------------------------------------------------------- */

struct ss_flowtab *ss_flowtab_new(const struct ss_flow_cfg *cfg, const struct ss_stream_ops *ops,
                                  void *ctx)
{
    struct ss_flowtab *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->cfg = *cfg;
    if (t->cfg.max_flows == 0)
        t->cfg.max_flows = 1;
    uint32_t nb = 64;
    while (nb < t->cfg.max_flows && nb < (UINT32_C(1) << 22))
        nb <<= 1;
    t->mask = nb - 1;
    t->buckets = calloc(nb, sizeof(*t->buckets));
    if (cfg->nports > 0 && cfg->ports) {
        t->ports = malloc(cfg->nports * sizeof(*t->ports));
        if (t->ports)
            memcpy(t->ports, cfg->ports, cfg->nports * sizeof(*t->ports));
    } else {
        t->cfg.nports = 0;
    }
    t->cfg.ports = t->ports;
    if (!t->buckets || (t->cfg.nports > 0 && !t->ports)) {
        free(t->buckets);
        free(t->ports);
        free(t);
        return NULL;
    }
    t->rc.ops = ops;
    t->rc.ctx = ctx;
    t->rc.memcap = t->cfg.memcap;
    t->rc.dir_cap = t->cfg.dir_ooo_cap;
    t->rc.gap_after = t->cfg.gap_after;
    t->rc.st = &t->st;
    return t;
}

static void node_free(struct ss_flowtab *t, struct flow_node *n)
{
    ss_reasm_release(&t->rc, &n->r[SS_C2S]);
    ss_reasm_release(&t->rc, &n->r[SS_S2C]);
    free(n);
}

void ss_flowtab_free(struct ss_flowtab *t)
{
    if (!t)
        return;
    while (t->all.head) {
        struct flow_node *n = t->all.head;
        list_unlink(&t->all, n, FL_ALL);
        node_free(t, n);
    }
    free(t->buckets);
    free(t->ports);
    free(t);
}

void ss_flowtab_stats(const struct ss_flowtab *t, struct ss_flow_stats *out)
{
    *out = t->st;
}

/* ---- ending flows -------------------------------------------------------------------------- */

static struct ss_reasm_io make_io(struct ss_flowtab *t, struct flow_node *n, enum ss_dir d,
                                  uint64_t ts, uint64_t frame)
{
    struct ss_reasm_io io = {.rc = &t->rc, .f = &n->pub, .dir = d, .ts_ns = ts, .frame = frame};
    return io;
}

/* Deliver what is left (holes become gaps), call end exactly once, and free the flow. */
static void end_flow(struct ss_flowtab *t, struct flow_node *n, enum ss_end_reason why,
                     enum ss_dir by, uint64_t ts, uint64_t frame)
{
    for (int d = SS_C2S; d <= SS_S2C; d++) {
        struct ss_reasm_io io = make_io(t, n, (enum ss_dir)d, ts, frame);
        ss_reasm_flush(&io, &n->r[d]);
    }
    if (t->rc.ops->end)
        t->rc.ops->end(t->rc.ctx, &n->pub, why, by, ts, frame);
    struct flow_node **pp = &t->buckets[n->hash & t->mask];
    while (*pp != n)
        pp = &(*pp)->hnext;
    *pp = n->hnext;
    list_unlink(&t->lru, n, FL_LRU);
    list_unlink(&t->all, n, FL_ALL);
    t->st.flows_active--;
    node_free(t, n);
}

void ss_flowtab_finish(struct ss_flowtab *t, uint64_t ts_ns)
{
    /* the all-list is in creation order, so flows end in id order: deterministic output */
    while (t->all.head)
        end_flow(t, t->all.head, SS_END_CAPTURE, SS_C2S, ts_ns, t->all.head->pub.last_frame);
}

/* Flows whose last packet is more than the idle timeout before the newest packet time. The LRU
 * head is the least recently active, so this stops at the first flow still alive: O(expired). */
static void expire_idle(struct ss_flowtab *t)
{
    while (t->lru.head && t->now - t->lru.head->pub.last_ts_ns > t->cfg.idle_timeout_ns &&
           t->now > t->lru.head->pub.last_ts_ns) {
        struct flow_node *n = t->lru.head;
        t->st.idle_expired++;
        end_flow(t, n, SS_END_IDLE, SS_C2S, t->now, n->pub.last_frame);
    }
}

/* ---- creating flows ------------------------------------------------------------------------ */

static bool is_hint_port(const struct ss_flowtab *t, uint16_t port)
{
    for (size_t i = 0; i < t->cfg.nports; i++)
        if (t->ports[i] == port)
            return true;
    return false;
}

/* Decide which endpoint is the server: SYN, then the configured ports, then the lower port. */
static void assign_sides(const struct ss_flowtab *t, struct ss_flow *f,
                         const struct ss_tcp_pkt *pkt)
{
    bool src_is_server;
    if (pkt->flags & SS_TCP_SYN) {
        src_is_server = (pkt->flags & SS_TCP_ACK) != 0; /* SYN/ACK comes from the server */
        f->side_source = SS_SIDE_SYN;
    } else {
        bool hs = is_hint_port(t, pkt->src.port), hd = is_hint_port(t, pkt->dst.port);
        if (hs != hd) {
            src_is_server = hs;
            f->side_source = SS_SIDE_PORT;
        } else {
            /* ephemeral ports are high; ties fall back to the endpoint order so it is stable */
            src_is_server = pkt->src.port != pkt->dst.port ? pkt->src.port < pkt->dst.port
                                                           : ep_cmp(&pkt->src, &pkt->dst) < 0;
            f->side_source = SS_SIDE_GUESS;
        }
    }
    f->client = src_is_server ? pkt->dst : pkt->src;
    f->server = src_is_server ? pkt->src : pkt->dst;
}

/* Only a SYN or a segment carrying data opens a flow: a late ACK, FIN or RST of a connection that
 * already ended (or that we never saw) says nothing useful and must not create a phantom flow. */
static bool starts_flow(const struct ss_tcp_pkt *pkt)
{
    if (pkt->flags & SS_TCP_RST)
        return false;
    if (pkt->flags & SS_TCP_SYN)
        return true;
    return SS_MAX(pkt->payload_len, pkt->wire_payload_len) > 0 && !(pkt->flags & SS_TCP_FIN);
}

static struct flow_node *flow_create(struct ss_flowtab *t, const struct ss_tcp_pkt *pkt, uint32_t h,
                                     const struct ss_endpoint *a, const struct ss_endpoint *b)
{
    if (t->st.flows_active >= t->cfg.max_flows && t->lru.head) {
        t->st.flows_max_hit++;
        struct flow_node *victim = t->lru.head;
        end_flow(t, victim, SS_END_EVICTED, SS_C2S, pkt->ts_ns, victim->pub.last_frame);
    }
    struct flow_node *n = calloc(1, sizeof(*n));
    if (!n) {
        t->st.alloc_failures++;
        return NULL;
    }
    n->ka = *a;
    n->kb = *b;
    n->hash = h;
    ss_reasm_init(&n->r[SS_C2S]);
    ss_reasm_init(&n->r[SS_S2C]);
    struct ss_flow *f = &n->pub;
    f->id = ++t->next_id;
    assign_sides(t, f, pkt);
    f->midstream = !(pkt->flags & SS_TCP_SYN);
    if (f->midstream)
        t->st.midstream_pickups++;
    f->first_ts_ns = f->last_ts_ns = pkt->ts_ns;
    f->first_frame = f->last_frame = pkt->frame;
    n->hnext = t->buckets[h & t->mask];
    t->buckets[h & t->mask] = n;
    list_push_tail(&t->lru, n, FL_LRU);
    list_push_tail(&t->all, n, FL_ALL);
    t->st.flows_created++;
    t->st.flows_active++;
    if (t->rc.ops->open)
        t->rc.ops->open(t->rc.ctx, f);
    return n;
}

/* A SYN (without ACK) on a live 4-tuple: either a retransmission of the flow's own SYN, or a new
 * connection reusing the ports after an end we did not see completed. */
static bool syn_is_new_connection(const struct flow_node *n, const struct ss_tcp_pkt *pkt)
{
    bool from_client = ss_endpoint_eq(&pkt->src, &n->pub.client);
    const struct ss_reasm *r = &n->r[SS_C2S];
    return !(from_client && r->syn_seen && r->isn == pkt->seq);
}

/* ---- the per-packet path ------------------------------------------------------------------- */

static void count_packet(struct ss_flowtab *t, struct flow_node *n, enum ss_dir d,
                         const struct ss_tcp_pkt *pkt)
{
    struct ss_dir_stats *ds = &n->pub.dir[d];
    ds->packets++;
    if (pkt->csum_bad) {
        ds->csum_bad++;
        t->st.csum_bad++;
    }
    /* a zero window on a SYN or RST is not an advertisement of a full receive buffer */
    if (pkt->window == 0 && (pkt->flags & SS_TCP_ACK) && !(pkt->flags & (SS_TCP_SYN | SS_TCP_RST)))
        ds->zero_windows++;
    if (pkt->ts_ns > n->pub.last_ts_ns)
        n->pub.last_ts_ns = pkt->ts_ns;
    n->pub.last_frame = pkt->frame;
    list_unlink(&t->lru, n, FL_LRU);
    list_push_tail(&t->lru, n, FL_LRU);
}

/* SYN and SYN/ACK fix the initial sequence numbers: the SYN's own, and the one its ACK confirms. */
static void handle_syn(struct flow_node *n, enum ss_dir d, const struct ss_tcp_pkt *pkt)
{
    if (!n->r[d].base_known)
        ss_reasm_set_base(&n->r[d], pkt->seq + 1u, true);
    if ((pkt->flags & SS_TCP_ACK) && !n->r[!d].base_known)
        ss_reasm_set_base(&n->r[!d], pkt->ack, true);
}

/* The receiver of `wd`'s data turned its window from open to zero or back (pkt carries it). */
static void window_changed(struct ss_flowtab *t, struct flow_node *n, enum ss_dir wd,
                           const struct ss_tcp_pkt *pkt)
{
    n->win_zero[wd] = !n->win_zero[wd];
    if (t->rc.ops->window)
        t->rc.ops->window(t->rc.ctx, &n->pub, wd, n->win_zero[wd], pkt->ts_ns, pkt->frame);
}

void ss_flowtab_packet(struct ss_flowtab *t, const struct ss_tcp_pkt *pkt)
{
    if (pkt->ts_ns > t->now)
        t->now = pkt->ts_ns;
    expire_idle(t);
    const struct ss_endpoint *ka, *kb;
    uint32_t h = canon_key(pkt, &ka, &kb);
    struct flow_node *n = lookup(t, h, ka, kb);
    uint8_t fl = pkt->flags;
    if (n && (fl & SS_TCP_SYN) && !(fl & (SS_TCP_ACK | SS_TCP_RST)) &&
        syn_is_new_connection(n, pkt)) {
        t->st.syn_reuse++;
        end_flow(t, n, n->any_fin ? SS_END_FIN : SS_END_IDLE, n->any_fin ? n->fin_first : SS_C2S,
                 pkt->ts_ns, n->pub.last_frame);
        n = NULL;
    }
    if (!n) {
        if (!starts_flow(pkt)) {
            t->st.segments_no_flow++;
            return;
        }
        n = flow_create(t, pkt, h, ka, kb);
        if (!n)
            return;
    }
    enum ss_dir d = ss_endpoint_eq(&pkt->src, &n->pub.client) ? SS_C2S : SS_S2C;
    count_packet(t, n, d, pkt);
    if (fl & SS_TCP_SYN)
        handle_syn(n, d, pkt);
    /* the ack first: the peer's kernel acknowledged before its application answered */
    if (fl & SS_TCP_ACK) {
        struct ss_reasm_io io = make_io(t, n, (enum ss_dir) !d, pkt->ts_ns, pkt->frame);
        ss_reasm_ack(&io, &n->r[!d], pkt->ack, !(fl & SS_TCP_RST));
    }
    /* then the window it advertises for the data coming back: a zero window on a SYN or RST is
     * not an advertisement of a full receive buffer (as for the zero_windows counter); only a
     * change is news, so the steady state costs one comparison */
    if ((fl & (SS_TCP_ACK | SS_TCP_SYN | SS_TCP_RST)) == SS_TCP_ACK &&
        (pkt->window == 0) != n->win_zero[!d])
        window_changed(t, n, (enum ss_dir) !d, pkt);
    struct ss_reasm_io io = make_io(t, n, d, pkt->ts_ns, pkt->frame);
    uint32_t seq = pkt->seq + ((fl & SS_TCP_SYN) ? 1u : 0u);
    uint32_t wire = SS_MAX(pkt->wire_payload_len, pkt->payload_len);
    if (!(fl & SS_TCP_RST)) /* RST payloads are diagnostics text, not stream bytes */
        ss_reasm_segment(&io, &n->r[d], seq, pkt->payload, pkt->payload_len, wire);
    if (fl & SS_TCP_RST) {
        n->pub.dir[d].rst = true;
        end_flow(t, n, SS_END_RST, d, pkt->ts_ns, pkt->frame);
        return;
    }
    if (fl & SS_TCP_FIN) {
        n->pub.dir[d].fin = true;
        if (!n->any_fin) {
            n->any_fin = true;
            n->fin_first = d;
        }
        ss_reasm_fin(&io, &n->r[d], seq + wire);
        if (n->pub.dir[SS_C2S].fin && n->pub.dir[SS_S2C].fin)
            end_flow(t, n, SS_END_FIN, n->fin_first, pkt->ts_ns, pkt->frame);
    }
}
