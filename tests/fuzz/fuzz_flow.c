/* SPDX-License-Identifier: MIT */
/* fuzz_flow.c: the flow table and TCP reassembly fed segments built from the fuzz bytes — a few
 * connections, sequence numbers near a per-direction cursor (or anywhere), random flags, payload
 * lengths, snaplen cuts, acks and time steps, under tiny caps so every cap is hit. The consumer
 * callbacks check the stream contract of flow.h and abort on a breach:
 *   - open once per flow, end exactly once per open, nothing for a flow after its end;
 *   - per direction, each data/gap starts where the previous one ended, from offset 0;
 *   - acked offsets strictly increase and never pass what was delivered;
 *   - window calls alternate per direction, the first one closing (zero = true);
 *   - every delivered byte is the byte sent at that place: payload byte = (seq + salt) mod 256,
 *     so (byte − offset) mod 256 is constant over a direction (unless a conflicting copy of some
 *     bytes was sent, which taints that direction's content check);
 *   - the flow's own counters agree with what was delivered; the memcap holds.
 *
 * Input: 4 configuration bytes, then 8-byte segment records:
 *   [0] bits 0-1 connection slot, bit 2 reverse direction (server → client), bit 3 wide seq delta,
 *       bit 4 seq anywhere (the 16-bit delta lands in the top half), bit 5 conflicting copy,
 *       bit 6 cut by the snaplen, bit 7 no ack number update from the peer cursor
 *   [1] TCP flags (bit 7 also: bad checksum)  [2-3] seq delta  [4] payload length  [5] snaplen cut / window
 *   [6] ack delta (signed, ×16)  [7] time step (bit 7: backwards) */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semiscope/flow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FF_SLOTS 4
#define FF_REC 8

/* What the checker knows of one flow (by id). */
struct ff_flow {
    bool open, ended;
    uint64_t next[2];       /* next stream offset expected per direction */
    uint64_t acked[2];
    bool win_zero[2];       /* as the last window call said */
    uint64_t data_bytes[2], gap_bytes[2];
    bool have_k[2];
    uint8_t k[2];           /* (byte − offset) mod 256 of the direction */
};

struct ff {
    struct ff_flow *flows;  /* indexed by flow id; ids are 1.. in creation order */
    size_t nflows_max;
    uint64_t last_id;
    uint64_t ended;
    bool tainted;           /* a conflicting copy was sent: content checks are off */
    bool dump;              /* SEMISCOPE_FUZZ_DUMP set: trace the callbacks (harness debugging) */
};

static void ff_check(bool ok)
{
    if (!ok)
        abort();
}

static struct ff_flow *ff_get(struct ff *z, const struct ss_flow *f)
{
    ff_check(f->id >= 1 && f->id <= z->last_id);
    struct ff_flow *s = &z->flows[f->id];
    ff_check(s->open && !s->ended && f->app == s);
    return s;
}

static void ff_open(void *ctx, struct ss_flow *f)
{
    struct ff *z = ctx;
    ff_check(f->id == z->last_id + 1 && f->id < z->nflows_max && f->app == NULL);
    if (z->dump)
        fprintf(stderr, "open #%" PRIu64 " midstream=%d\n", f->id, f->midstream);
    z->last_id = f->id;
    struct ff_flow *s = &z->flows[f->id];
    memset(s, 0, sizeof *s);
    s->open = true;
    f->app = s;
}

static void ff_data(void *ctx, struct ss_flow *f, enum ss_dir dir, const uint8_t *p, size_t n,
                    uint64_t off, uint64_t ts, uint64_t frame)
{
    struct ff *z = ctx;
    struct ff_flow *s = ff_get(z, f);
    (void)ts;
    (void)frame;
    ff_check(dir == SS_C2S || dir == SS_S2C);
    ff_check(n > 0 && off == s->next[dir]);
    if (z->dump)
        fprintf(stderr, "data #%" PRIu64 " dir=%d off=%" PRIu64 " n=%zu\n", f->id, dir, off, n);
    if (!s->have_k[dir]) {
        s->have_k[dir] = true;
        s->k[dir] = (uint8_t)(p[0] - (uint8_t)off);
    }
    for (size_t i = 0; i < n; i++) /* also touches every byte for the sanitizer */
        ff_check(z->tainted || (uint8_t)(p[i] - (uint8_t)(off + i)) == s->k[dir]);
    s->next[dir] += n;
    s->data_bytes[dir] += n;
}

static void ff_gap(void *ctx, struct ss_flow *f, enum ss_dir dir, uint64_t off, uint64_t len,
                   uint64_t ts, uint64_t frame)
{
    struct ff *z = ctx;
    struct ff_flow *s = ff_get(z, f);
    (void)ts;
    (void)frame;
    ff_check(dir == SS_C2S || dir == SS_S2C);
    ff_check(len > 0 && off == s->next[dir]);
    if (z->dump)
        fprintf(stderr, "gap  #%" PRIu64 " dir=%d off=%" PRIu64 " len=%" PRIu64 "\n", f->id, dir,
                off, len);
    s->next[dir] += len;
    s->gap_bytes[dir] += len;
}

static void ff_acked(void *ctx, struct ss_flow *f, enum ss_dir dir, uint64_t off, uint64_t ts,
                     uint64_t frame)
{
    struct ff *z = ctx;
    struct ff_flow *s = ff_get(z, f);
    (void)ts;
    (void)frame;
    ff_check(dir == SS_C2S || dir == SS_S2C);
    ff_check(off > s->acked[dir] && off <= s->next[dir]);
    if (z->dump)
        fprintf(stderr, "ack  #%" PRIu64 " dir=%d off=%" PRIu64 "\n", f->id, dir, off);
    s->acked[dir] = off;
}

static void ff_window(void *ctx, struct ss_flow *f, enum ss_dir dir, bool zero, uint64_t ts,
                      uint64_t frame)
{
    struct ff *z = ctx;
    struct ff_flow *s = ff_get(z, f);
    (void)ts;
    (void)frame;
    ff_check(dir == SS_C2S || dir == SS_S2C);
    ff_check(zero != s->win_zero[dir]); /* changes only, and each direction starts open */
    if (z->dump)
        fprintf(stderr, "win  #%" PRIu64 " dir=%d zero=%d\n", f->id, dir, zero);
    s->win_zero[dir] = zero;
}

static void ff_end(void *ctx, struct ss_flow *f, enum ss_end_reason why, enum ss_dir by,
                   uint64_t ts, uint64_t frame)
{
    struct ff *z = ctx;
    struct ff_flow *s = ff_get(z, f);
    (void)ts;
    (void)frame;
    ff_check(why <= SS_END_EVICTED && (by == SS_C2S || by == SS_S2C));
    if (z->dump)
        fprintf(stderr, "end  #%" PRIu64 " why=%d by=%d\n", f->id, (int)why, (int)by);
    for (int d = 0; d < 2; d++) {
        ff_check(f->dir[d].bytes == s->data_bytes[d]);
        ff_check(f->dir[d].gap_bytes == s->gap_bytes[d]);
    }
    s->open = false;
    s->ended = true;
    f->app = NULL;
    z->ended++;
}

static const struct ss_stream_ops ff_ops = {
    .open = ff_open, .data = ff_data, .gap = ff_gap, .acked = ff_acked, .window = ff_window,
    .end = ff_end,
};

/* Connection slots: distinct 4-tuples, one of them IPv6; the server on 3306 or on a port that is
 * not a hint (so sides come from the SYN or from the port guess). */
static void ff_endpoints(unsigned slot, struct ss_endpoint *cli, struct ss_endpoint *srv)
{
    memset(cli, 0, sizeof *cli);
    memset(srv, 0, sizeof *srv);
    uint8_t fam = slot == 3 ? 6 : 4;
    cli->addr.family = srv->addr.family = fam;
    cli->addr.b[0] = srv->addr.b[0] = 10;
    cli->addr.b[3] = (uint8_t)(1 + slot);
    srv->addr.b[3] = 100;
    cli->port = (uint16_t)(40000 + slot);
    srv->port = slot == 2 ? 50000 : 3306;
}

static uint64_t ff_ts_step(uint64_t ts, uint8_t b)
{
    /* Mostly small steps; large ones pass the idle timeout; bit 7 goes back in time. */
    uint64_t step = (b & 0x40) ? (uint64_t)(b & 0x3f) * 1000000000u : (uint64_t)(b & 0x3f) * 1000u;
    if (b & 0x80)
        return ts > step ? ts - step : 0;
    return ts + step;
}

/* One segment from one record; payload bytes follow the (seq + salt) pattern of the direction. */
static void ff_segment(struct ss_flowtab *t, struct ff *z, const uint8_t *r, uint32_t cur[][2],
                       uint64_t *ts, uint64_t frame)
{
    unsigned slot = r[0] & 3, dir = (r[0] >> 2) & 1;
    struct ss_endpoint cli, srv;
    ff_endpoints(slot, &cli, &srv);
    struct ss_tcp_pkt pkt;
    memset(&pkt, 0, sizeof pkt);
    pkt.src = dir ? srv : cli;
    pkt.dst = dir ? cli : srv;
    uint16_t raw = (uint16_t)(r[2] | r[3] << 8);
    uint32_t delta = (r[0] & 8) ? (uint32_t)(int32_t)(int16_t)raw : (uint32_t)(int32_t)(int8_t)r[2];
    if (r[0] & 16)
        delta = (uint32_t)raw << 16;
    pkt.seq = cur[slot][dir] + delta;
    pkt.ack = cur[slot][!dir] + (uint32_t)(int32_t)((int8_t)r[6] * 16);
    pkt.flags = r[1]; /* bits 6-7 (ECE, CWR) are not SS_TCP_* flags: the table ignores them */
    pkt.csum_bad = (r[1] & 0x80) != 0;
    pkt.csum_checked = true;
    pkt.window = (uint16_t)(r[5] & 1 ? 0 : 65535);
    pkt.wscale = -1;
    uint32_t wire = r[4];
    uint32_t cap = (r[0] & 64) ? wire - SS_MIN(wire, (uint32_t)(r[5] >> 1)) : wire;
    pkt.wire_payload_len = wire;
    pkt.payload_len = cap;
    pkt.ts_ns = *ts = ff_ts_step(*ts, r[7]);
    pkt.frame = frame;
    uint32_t first = pkt.seq + ((pkt.flags & SS_TCP_SYN) ? 1u : 0u);
    uint8_t salt = (uint8_t)(slot * 2 + dir);
    /* Exact-size heap copy, so reads past the captured payload trip the sanitizer. */
    uint8_t *payload = malloc(cap ? cap : 1);
    if (!payload)
        return;
    for (uint32_t i = 0; i < cap; i++)
        payload[i] = (uint8_t)(first + i + salt) ^ ((r[0] & 32) ? 0x5a : 0);
    if ((r[0] & 32) && cap > 0)
        z->tainted = true;
    pkt.payload = payload;
    ss_flowtab_packet(t, &pkt);
    free(payload);
    /* The sender's cursor follows its highest sequence number sent, as a real stack's would. */
    uint32_t end = first + wire + ((pkt.flags & SS_TCP_FIN) ? 1u : 0u);
    if ((int32_t)(end - cur[slot][dir]) > 0 && !(r[0] & 16))
        cur[slot][dir] = end;
    if (!(r[0] & 128) && (pkt.flags & SS_TCP_ACK) && (int32_t)(pkt.ack - cur[slot][!dir]) > 0)
        cur[slot][!dir] = pkt.ack;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    struct ss_flow_cfg cfg;
    ss_flow_cfg_defaults(&cfg);
    static const uint16_t ports[] = {3306};
    cfg.ports = ports;
    cfg.nports = 1;
    cfg.max_flows = 1 + (data[0] & 3);
    if (data[0] & 4)
        cfg.idle_timeout_ns = 5u * 1000000000u;
    cfg.memcap = 256 + (uint64_t)data[1] * 32;
    cfg.dir_ooo_cap = 16 + (uint32_t)data[2] * 8;
    cfg.gap_after = 16 + (uint32_t)data[3] * 16;
    size_t nrec = (size - 4) / FF_REC;
    struct ff z = {.nflows_max = nrec + 2, .dump = getenv("SEMISCOPE_FUZZ_DUMP") != NULL};
    z.flows = calloc(z.nflows_max, sizeof *z.flows);
    if (!z.flows)
        return 0;
    struct ss_flowtab *t = ss_flowtab_new(&cfg, &ff_ops, &z);
    if (!t) {
        free(z.flows);
        return 0;
    }
    /* Initial sequence numbers: one slot starts just before the 2^32 wrap. */
    uint32_t cur[FF_SLOTS][2] = {
        {0xfffffc00u, 0x10000000u}, {1000u, 2000u}, {0x7fffff00u, 0x80000100u}, {0u, 0xffffffffu},
    };
    uint64_t ts = 1000000000u;
    for (size_t i = 0; i < nrec; i++)
        ff_segment(t, &z, data + 4 + i * FF_REC, cur, &ts, i + 1);
    ss_flowtab_finish(t, ts);
    struct ss_flow_stats st;
    ss_flowtab_stats(t, &st);
    ff_check(z.ended == z.last_id && st.flows_created == z.last_id && st.flows_active == 0);
    for (uint64_t id = 1; id <= z.last_id; id++)
        ff_check(z.flows[id].ended && !z.flows[id].open);
    ff_check(st.ooo_bytes_peak <= cfg.memcap);
    if (z.dump)
        fprintf(stderr, "stats: created=%" PRIu64 " evicted=%" PRIu64 " idle=%" PRIu64
                " memcap_hit=%" PRIu64 " dir_cap_hit=%" PRIu64 " gaps=%" PRIu64
                " retrans=%" PRIu64 " conflicts=%" PRIu64 " midstream=%" PRIu64 "\n",
                st.flows_created, st.flows_max_hit, st.idle_expired, st.memcap_hit,
                st.dir_ooo_cap_hit, st.gaps, st.retrans, st.overlap_conflicts,
                st.midstream_pickups);
    ff_check(z.tainted || st.overlap_conflicts == 0);
    ss_flowtab_free(t);
    free(z.flows);
    return 0;
}
