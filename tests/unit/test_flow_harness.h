/* SPDX-License-Identifier: MIT */
/* test_flow_harness.h: shared by test_flow.c and test_reasm.c: builds ss_tcp_pkt segments directly
 * and records every ss_stream_ops callback so tests can assert exact bytes, offsets, ts and frames.
 * Header-only (static functions) because each test file is its own executable. */
#ifndef SEMISCOPE_TEST_FLOW_HARNESS_H
#define SEMISCOPE_TEST_FLOW_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "semiscope/flow.h"

enum ev_kind { EV_OPEN, EV_DATA, EV_GAP, EV_ACKED, EV_END, EV_WINDOW };

struct ev {
    enum ev_kind k;
    uint64_t flow;
    enum ss_dir dir;
    uint64_t off, len, ts, frame;
    enum ss_end_reason why;
    enum ss_dir by;
    bool zero;          /* EV_WINDOW */
    size_t buf_at;      /* EV_DATA: where its bytes were copied in rec.buf */
    const uint8_t *ptr; /* EV_DATA: the pointer the callback got (zero-copy checks) */
};

#define REC_MAX_EV 4096
#define REC_MAX_FLOWS 64

struct rec {
    struct ev ev[REC_MAX_EV];
    size_t n;
    uint8_t buf[1 << 20];
    size_t nbuf;
    uint64_t next_off[REC_MAX_FLOWS][2];  /* each direction's offsets must be contiguous */
    unsigned ends[REC_MAX_FLOWS];         /* end must come exactly once */
    struct ss_flow at_end[REC_MAX_FLOWS]; /* the flow as it was when end was called */
    size_t nflows_ended;
};

static inline struct ev *rec_push(struct rec *r, enum ev_kind k, const struct ss_flow *f)
{
    assert_true(r->n < REC_MAX_EV);
    assert_true(f->id < REC_MAX_FLOWS);
    struct ev *e = &r->ev[r->n++];
    memset(e, 0, sizeof(*e));
    e->k = k;
    e->flow = f->id;
    return e;
}

static inline void rec_open(void *ctx, struct ss_flow *f)
{
    rec_push(ctx, EV_OPEN, f);
}

static inline void rec_data(void *ctx, struct ss_flow *f, enum ss_dir dir, const uint8_t *p,
                            size_t n, uint64_t off, uint64_t ts, uint64_t frame)
{
    struct rec *r = ctx;
    struct ev *e = rec_push(r, EV_DATA, f);
    assert_true(n > 0);
    assert_int_equal(off, r->next_off[f->id][dir]);
    r->next_off[f->id][dir] = off + n;
    assert_true(r->nbuf + n <= sizeof(r->buf));
    memcpy(r->buf + r->nbuf, p, n);
    e->dir = dir;
    e->off = off;
    e->len = n;
    e->ts = ts;
    e->frame = frame;
    e->buf_at = r->nbuf;
    e->ptr = p;
    r->nbuf += n;
}

static inline void rec_gap(void *ctx, struct ss_flow *f, enum ss_dir dir, uint64_t off,
                           uint64_t len, uint64_t ts, uint64_t frame)
{
    struct rec *r = ctx;
    struct ev *e = rec_push(r, EV_GAP, f);
    assert_true(len > 0);
    assert_int_equal(off, r->next_off[f->id][dir]);
    r->next_off[f->id][dir] = off + len;
    e->dir = dir;
    e->off = off;
    e->len = len;
    e->ts = ts;
    e->frame = frame;
}

static inline void rec_acked(void *ctx, struct ss_flow *f, enum ss_dir dir, uint64_t off,
                             uint64_t ts, uint64_t frame)
{
    struct rec *r = ctx;
    /* acks are only reported for delivered bytes */
    assert_true(off <= r->next_off[f->id][dir]);
    struct ev *e = rec_push(r, EV_ACKED, f);
    e->dir = dir;
    e->off = off;
    e->ts = ts;
    e->frame = frame;
}

static inline void rec_window(void *ctx, struct ss_flow *f, enum ss_dir dir, bool zero,
                              uint64_t ts, uint64_t frame)
{
    struct ev *e = rec_push(ctx, EV_WINDOW, f);
    e->dir = dir;
    e->zero = zero;
    e->ts = ts;
    e->frame = frame;
}

static inline void rec_end(void *ctx, struct ss_flow *f, enum ss_end_reason why, enum ss_dir by,
                           uint64_t ts, uint64_t frame)
{
    struct rec *r = ctx;
    struct ev *e = rec_push(r, EV_END, f);
    e->why = why;
    e->by = by;
    e->ts = ts;
    e->frame = frame;
    r->ends[f->id]++;
    assert_int_equal(r->ends[f->id], 1);
    r->at_end[f->id] = *f;
    r->nflows_ended++;
}

static const struct ss_stream_ops rec_ops = {
    .open = rec_open,
    .data = rec_data,
    .gap = rec_gap,
    .acked = rec_acked,
    .window = rec_window,
    .end = rec_end,
};

static inline struct rec *rec_new(void)
{
    struct rec *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    return r;
}

/* ---- endpoints and segments ------------------------------------------------------------------ */

static inline struct ss_endpoint ep4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
    struct ss_endpoint e;
    memset(&e, 0, sizeof(e));
    e.addr.family = 4;
    e.addr.b[0] = a;
    e.addr.b[1] = b;
    e.addr.b[2] = c;
    e.addr.b[3] = d;
    e.port = port;
    return e;
}

/* The usual pair: a replica 10.0.0.2:40000 connected to a primary 10.0.0.1:3306. */
#define CLI ep4(10, 0, 0, 2, 40000)
#define SRV ep4(10, 0, 0, 1, 3306)

/* One second after an arbitrary epoch, plus `ms` milliseconds. */
#define TS(ms) (UINT64_C(1700000000) * SS_NS_PER_SEC + (uint64_t)(ms)*UINT64_C(1000000))

static inline struct ss_tcp_pkt seg(struct ss_endpoint src, struct ss_endpoint dst, uint32_t seq,
                                    uint32_t ack, uint8_t flags, const void *payload, uint32_t len,
                                    uint64_t ts, uint64_t frame)
{
    struct ss_tcp_pkt p;
    memset(&p, 0, sizeof(p));
    p.ts_ns = ts;
    p.frame = frame;
    p.src = src;
    p.dst = dst;
    p.seq = seq;
    p.ack = ack;
    p.flags = flags;
    p.window = 65535;
    p.wscale = -1;
    p.payload = payload;
    p.payload_len = len;
    p.wire_payload_len = len;
    p.csum_checked = true;
    return p;
}

#define AP (SS_TCP_ACK | SS_TCP_PSH)

static inline void feed(struct ss_flowtab *t, struct ss_tcp_pkt p)
{
    ss_flowtab_packet(t, &p);
}

/* ---- assertions on recorded events ---------------------------------------------------------- */

static inline void expect_data(const struct rec *r, size_t i, uint64_t flow, enum ss_dir dir,
                               uint64_t off, const char *bytes, uint64_t ts, uint64_t frame)
{
    assert_true(i < r->n);
    const struct ev *e = &r->ev[i];
    assert_int_equal(e->k, EV_DATA);
    assert_int_equal(e->flow, flow);
    assert_int_equal(e->dir, dir);
    assert_int_equal(e->off, off);
    assert_int_equal(e->len, strlen(bytes));
    assert_memory_equal(r->buf + e->buf_at, bytes, strlen(bytes));
    assert_int_equal(e->ts, ts);
    assert_int_equal(e->frame, frame);
}

static inline void expect_gap(const struct rec *r, size_t i, uint64_t flow, enum ss_dir dir,
                              uint64_t off, uint64_t len, uint64_t ts, uint64_t frame)
{
    assert_true(i < r->n);
    const struct ev *e = &r->ev[i];
    assert_int_equal(e->k, EV_GAP);
    assert_int_equal(e->flow, flow);
    assert_int_equal(e->dir, dir);
    assert_int_equal(e->off, off);
    assert_int_equal(e->len, len);
    assert_int_equal(e->ts, ts);
    assert_int_equal(e->frame, frame);
}

static inline void expect_acked(const struct rec *r, size_t i, uint64_t flow, enum ss_dir dir,
                                uint64_t off, uint64_t ts, uint64_t frame)
{
    assert_true(i < r->n);
    const struct ev *e = &r->ev[i];
    assert_int_equal(e->k, EV_ACKED);
    assert_int_equal(e->flow, flow);
    assert_int_equal(e->dir, dir);
    assert_int_equal(e->off, off);
    assert_int_equal(e->ts, ts);
    assert_int_equal(e->frame, frame);
}

static inline void expect_window(const struct rec *r, size_t i, uint64_t flow, enum ss_dir dir,
                                 bool zero, uint64_t ts, uint64_t frame)
{
    assert_true(i < r->n);
    const struct ev *e = &r->ev[i];
    assert_int_equal(e->k, EV_WINDOW);
    assert_int_equal(e->flow, flow);
    assert_int_equal(e->dir, dir);
    assert_int_equal(e->zero, zero);
    assert_int_equal(e->ts, ts);
    assert_int_equal(e->frame, frame);
}

static inline void expect_open(const struct rec *r, size_t i, uint64_t flow)
{
    assert_true(i < r->n);
    assert_int_equal(r->ev[i].k, EV_OPEN);
    assert_int_equal(r->ev[i].flow, flow);
}

static inline void expect_end(const struct rec *r, size_t i, uint64_t flow, enum ss_end_reason why,
                              enum ss_dir by, uint64_t ts, uint64_t frame)
{
    assert_true(i < r->n);
    const struct ev *e = &r->ev[i];
    assert_int_equal(e->k, EV_END);
    assert_int_equal(e->flow, flow);
    assert_int_equal(e->why, why);
    if (why == SS_END_FIN || why == SS_END_RST)
        assert_int_equal(e->by, by);
    assert_int_equal(e->ts, ts);
    assert_int_equal(e->frame, frame);
}

/* Events of one kind only, so tests can ignore the others. */
static inline size_t count_kind(const struct rec *r, enum ev_kind k)
{
    size_t c = 0;
    for (size_t i = 0; i < r->n; i++)
        c += r->ev[i].k == k;
    return c;
}

/* The bytes delivered for one flow direction, gaps filled with `fill`; returns the length. */
static inline size_t stream_bytes(const struct rec *r, uint64_t flow, enum ss_dir dir, uint8_t *out,
                                  size_t cap, uint8_t fill)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++) {
        const struct ev *e = &r->ev[i];
        if (e->flow != flow || e->dir != dir || (e->k != EV_DATA && e->k != EV_GAP))
            continue;
        assert_true(n + e->len <= cap);
        if (e->k == EV_DATA)
            memcpy(out + n, r->buf + e->buf_at, e->len);
        else
            memset(out + n, fill, e->len);
        n += e->len;
    }
    return n;
}

/* ---- a table with a recorder, for reassembly tests ---------------------------------------- */

/* Client ISN 1000 (data from seq 1001 = offset 0), server ISN 5000 (data from 5001). */
#define CISN 1000u
#define SISN 5000u

struct fx {
    struct rec *r;
    struct ss_flowtab *t;
    struct ss_flow_cfg cfg;
};

static inline struct fx *fx_new(void (*tune)(struct ss_flow_cfg *))
{
    struct fx *x = calloc(1, sizeof(*x));
    assert_non_null(x);
    x->r = rec_new();
    ss_flow_cfg_defaults(&x->cfg);
    if (tune)
        tune(&x->cfg);
    x->t = ss_flowtab_new(&x->cfg, &rec_ops, x->r);
    assert_non_null(x->t);
    return x;
}

static inline void fx_free(struct fx *x)
{
    ss_flowtab_free(x->t);
    free(x->r);
    free(x);
}

/* Frames 1-3 at TS(0..2): SYN, SYN/ACK, ACK. Produces only the open event. */
static inline void handshake(struct fx *x, uint32_t cisn, uint32_t sisn)
{
    feed(x->t, seg(CLI, SRV, cisn, 0, SS_TCP_SYN, NULL, 0, TS(0), 1));
    feed(x->t, seg(SRV, CLI, sisn, cisn + 1, SS_TCP_SYN | SS_TCP_ACK, NULL, 0, TS(1), 2));
    feed(x->t, seg(CLI, SRV, cisn + 1, sisn + 1, SS_TCP_ACK, NULL, 0, TS(2), 3));
    assert_int_equal(x->r->n, 1);
    expect_open(x->r, 0, 1);
}

#endif
