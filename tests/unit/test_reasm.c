/* SPDX-License-Identifier: MIT */
/* test_reasm.c: per-direction TCP reassembly through the flow table: exact bytes, offsets, ts and
 * frames delivered for in-order, reordered, duplicated, overlapping, wrapped, gappy, mid-stream,
 * truncated and capped streams, and the ack offsets reported. Segments are built as ss_tcp_pkt. */
#include "test_flow_harness.h"

#include "capture/reasm_priv.h"

static void test_in_order(void **state)
{
    (void)state;
    struct fx *x = fx_new(NULL);
    handshake(x, CISN, SISN);
    static const uint8_t hello[] = "hello ", world[] = "world", ok[] = "ok";
    feed(x->t, seg(CLI, SRV, 1001, 5001, AP, hello, 6, TS(10), 4));
    feed(x->t, seg(CLI, SRV, 1007, 5001, AP, world, 5, TS(11), 5));
    feed(x->t, seg(SRV, CLI, 5001, 1012, AP, ok, 2, TS(12), 6));
    ss_flowtab_finish(x->t, TS(20));
    struct rec *r = x->r;
    assert_int_equal(r->n, 6);
    expect_data(r, 1, 1, SS_C2S, 0, "hello ", TS(10), 4);
    expect_data(r, 2, 1, SS_C2S, 6, "world", TS(11), 5);
    expect_acked(r, 3, 1, SS_C2S, 11, TS(12), 6); /* the ack comes before the data it rides with */
    expect_data(r, 4, 1, SS_S2C, 0, "ok", TS(12), 6);
    expect_end(r, 5, 1, SS_END_CAPTURE, SS_C2S, TS(20), 6);
    /* in-order bytes are handed over straight from the packet: no copy */
    assert_ptr_equal(r->ev[1].ptr, hello);
    assert_ptr_equal(r->ev[2].ptr, world);
    const struct ss_flow *f = &r->at_end[1];
    assert_int_equal(f->dir[SS_C2S].packets, 4);
    assert_int_equal(f->dir[SS_C2S].bytes, 11);
    assert_int_equal(f->dir[SS_S2C].packets, 2);
    assert_int_equal(f->dir[SS_S2C].bytes, 2);
    assert_int_equal(f->dir[SS_C2S].retrans + f->dir[SS_C2S].gaps + f->dir[SS_C2S].ooo_segments, 0);
    assert_false(f->midstream);
    assert_int_equal(f->first_frame, 1);
    assert_int_equal(f->last_frame, 6);
    assert_int_equal(f->first_ts_ns, TS(0));
    assert_int_equal(f->last_ts_ns, TS(12));
    struct ss_flow_stats st;
    ss_flowtab_stats(x->t, &st);
    assert_int_equal(st.flows_created, 1);
    assert_int_equal(st.flows_active, 0);
    assert_int_equal(st.ooo_bytes_peak, 0);
    fx_free(x);
}

static void test_reordered(void **state)
{
    (void)state;
    struct fx *x = fx_new(NULL);
    handshake(x, CISN, SISN);
    static const uint8_t p3[] = "XYZ", p2[] = "world", p1[] = "hello ";
    feed(x->t, seg(CLI, SRV, 1012, 5001, AP, p3, 3, TS(10), 4)); /* offset 11: two holes ahead */
    feed(x->t, seg(CLI, SRV, 1007, 5001, AP, p2, 5, TS(11), 5)); /* offset 6 */
    assert_int_equal(x->r->n, 1);                                /* nothing deliverable yet */
    feed(x->t, seg(CLI, SRV, 1001, 5001, AP, p1, 6, TS(12), 6)); /* offset 0 fills the hole */
    struct rec *r = x->r;
    assert_int_equal(r->n, 4);
    expect_data(r, 1, 1, SS_C2S, 0, "hello ", TS(12), 6);
    expect_data(r, 2, 1, SS_C2S, 6, "world", TS(11), 5); /* held bytes keep their own ts/frame */
    expect_data(r, 3, 1, SS_C2S, 11, "XYZ", TS(10), 4);
    assert_ptr_equal(r->ev[1].ptr, p1);
    assert_ptr_not_equal(r->ev[2].ptr, p2); /* held out of order: a copy */
    struct ss_flow_stats st;
    ss_flowtab_stats(x->t, &st);
    assert_int_equal(st.ooo_bytes_peak, SS_REASM_SEG_COST(3) + SS_REASM_SEG_COST(5));
    ss_flowtab_finish(x->t, TS(20));
    const struct ss_flow *f = &r->at_end[1];
    assert_int_equal(f->dir[SS_C2S].ooo_segments, 2);
    assert_int_equal(f->dir[SS_C2S].retrans, 0);
    assert_int_equal(f->dir[SS_C2S].bytes, 14);
    fx_free(x);
}

static void test_duplicated(void **state)
{
    (void)state;
    struct fx *x = fx_new(NULL);
    handshake(x, CISN, SISN);
    static const uint8_t a[] = "hello ", b[] = "world", c[] = "XYZ", d[] = "ldXYZ!!";
    feed(x->t, seg(CLI, SRV, 1001, 5001, AP, a, 6, TS(10), 4));
    feed(x->t, seg(CLI, SRV, 1001, 5001, AP, a, 6, TS(11), 5)); /* retransmission, delivered */
    feed(x->t, seg(CLI, SRV, 1012, 5001, AP, c, 3, TS(12), 6)); /* held */
    feed(x->t, seg(CLI, SRV, 1012, 5001, AP, c, 3, TS(13), 7)); /* retransmission of held */
    feed(x->t, seg(CLI, SRV, 1007, 5001, AP, b, 5, TS(14), 8));
    /* offsets 9..16: "ldXYZ" already there, "!!" new: partly a retransmission, not counted */
    feed(x->t, seg(CLI, SRV, 1010, 5001, AP, d, 7, TS(15), 9));
    struct rec *r = x->r;
    assert_int_equal(r->n, 5);
    expect_data(r, 1, 1, SS_C2S, 0, "hello ", TS(10), 4);
    expect_data(r, 2, 1, SS_C2S, 6, "world", TS(14), 8);
    expect_data(r, 3, 1, SS_C2S, 11, "XYZ", TS(12), 6);
    expect_data(r, 4, 1, SS_C2S, 14, "!!", TS(15), 9);
    assert_ptr_equal(r->ev[4].ptr, d + 5); /* the new tail of a partial retransmission: no copy */
    ss_flowtab_finish(x->t, TS(20));
    const struct ss_flow *f = &r->at_end[1];
    assert_int_equal(f->dir[SS_C2S].retrans, 2);
    assert_int_equal(f->dir[SS_C2S].ooo_segments, 1);
    assert_int_equal(f->dir[SS_C2S].bytes, 16);
    assert_int_equal(f->dir[SS_C2S].overlap_conflicts, 0);
    struct ss_flow_stats st;
    ss_flowtab_stats(x->t, &st);
    assert_int_equal(st.retrans, 2);
    fx_free(x);
}

static void test_overlap_conflict(void **state)
{
    (void)state;
    struct fx *x = fx_new(NULL);
    handshake(x, CISN, SISN);
    feed(x->t, seg(CLI, SRV, 1001, 5001, AP, "abcde", 5, TS(10), 4));       /* 0..5 */
    feed(x->t, seg(CLI, SRV, 1011, 5001, AP, "KLMNOPQRST", 10, TS(11), 5)); /* 10..20, held */
    /* 5..15: "KLxxx" overlaps held "KLMNO": first copy wins, 3 bytes differ */
    static const uint8_t over[] = "fghijKLxxx";
    feed(x->t, seg(CLI, SRV, 1006, 5001, AP, over, 10, TS(12), 6));
    struct rec *r = x->r;
    assert_int_equal(r->n, 4);
    expect_data(r, 1, 1, SS_C2S, 0, "abcde", TS(10), 4);
    expect_data(r, 2, 1, SS_C2S, 5, "fghij", TS(12), 6);
    assert_ptr_equal(r->ev[2].ptr, over);
    expect_data(r, 3, 1, SS_C2S, 10, "KLMNOPQRST", TS(11), 5);
    /* now two held ranges overlapping each other, ahead of a hole at 20..25 */
    feed(x->t, seg(CLI, SRV, 1031, 5001, AP, "0123456789", 10, TS(13), 7)); /* 30..40 */
    feed(x->t, seg(CLI, SRV, 1026, 5001, AP, "vwxyz01299", 10, TS(14), 8)); /* 25..35: 2 differ */
    feed(x->t, seg(CLI, SRV, 1021, 5001, AP, "UVWXY", 5, TS(15), 9));       /* 20..25 */
    assert_int_equal(r->n, 7);
    expect_data(r, 4, 1, SS_C2S, 20, "UVWXY", TS(15), 9);
    expect_data(r, 5, 1, SS_C2S, 25, "vwxyz", TS(14), 8);
    expect_data(r, 6, 1, SS_C2S, 30, "0123456789", TS(13), 7);
    ss_flowtab_finish(x->t, TS(20));
    assert_int_equal(r->at_end[1].dir[SS_C2S].overlap_conflicts, 5);
    assert_int_equal(r->at_end[1].dir[SS_C2S].retrans, 0);
    struct ss_flow_stats st;
    ss_flowtab_stats(x->t, &st);
    assert_int_equal(st.overlap_conflicts, 5);
    fx_free(x);
}

static void test_wraparound(void **state)
{
    (void)state;
    struct fx *x = fx_new(NULL);
    /* client ISN 2^32 - 16: offset 0 is seq 0xFFFFFFF1, offset 15 is seq 0 */
    handshake(x, UINT32_C(0xFFFFFFF0), UINT32_C(0xFFFFFFFE));
    feed(x->t, seg(CLI, SRV, UINT32_C(0xFFFFFFF1), UINT32_C(0xFFFFFFFF), AP, "0123456789", 10,
                   TS(10), 4));                                                    /* 0..10 */
    feed(x->t, seg(CLI, SRV, 5, UINT32_C(0xFFFFFFFF), AP, "klmno", 5, TS(11), 5)); /* 20..25 */
    feed(x->t, seg(CLI, SRV, UINT32_C(0xFFFFFFFB), UINT32_C(0xFFFFFFFF), AP, "ABCDEFGHIJ", 10,
                   TS(12), 6)); /* 10..20, across 2^32 */
    /* server: ISN 2^32 - 2, so its first data byte is seq 0xFFFFFFFF and the second seq 0 */
    feed(x->t, seg(SRV, CLI, UINT32_C(0xFFFFFFFF), 10, AP, "srv", 3, TS(13), 7));
    struct rec *r = x->r;
    assert_int_equal(r->n, 6);
    expect_data(r, 1, 1, SS_C2S, 0, "0123456789", TS(10), 4);
    expect_data(r, 2, 1, SS_C2S, 10, "ABCDEFGHIJ", TS(12), 6);
    expect_data(r, 3, 1, SS_C2S, 20, "klmno", TS(11), 5);
    expect_acked(r, 4, 1, SS_C2S, 25, TS(13), 7); /* ack 10 = 0xFFFFFFF1 + 25 mod 2^32 */
    expect_data(r, 5, 1, SS_S2C, 0, "srv", TS(13), 7);
    feed(x->t, seg(CLI, SRV, 10, 2, SS_TCP_ACK, NULL, 0, TS(14), 8)); /* ack 2 = server offset 3 */
    expect_acked(r, 6, 1, SS_S2C, 3, TS(14), 8);
    ss_flowtab_finish(x->t, TS(20));
    assert_int_equal(r->at_end[1].dir[SS_C2S].retrans, 0);
    assert_int_equal(r->at_end[1].dir[SS_C2S].gaps, 0);
    fx_free(x);
}

/* Light consumer for the 4 GiB stream: checks offsets are contiguous, counts bytes and acks. */
struct big {
    uint64_t next, bytes, last_ack, acks;
};

static void big_data(void *ctx, struct ss_flow *f, enum ss_dir dir, const uint8_t *p, size_t n,
                     uint64_t off, uint64_t ts, uint64_t frame)
{
    (void)f, (void)p, (void)ts, (void)frame;
    struct big *b = ctx;
    if (dir != SS_C2S)
        return;
    assert_int_equal(off, b->next);
    b->next += n;
    b->bytes += n;
}

static void big_acked(void *ctx, struct ss_flow *f, enum ss_dir dir, uint64_t off, uint64_t ts,
                      uint64_t frame)
{
    (void)f, (void)ts, (void)frame;
    struct big *b = ctx;
    assert_int_equal(dir, SS_C2S);
    assert_true(off > b->last_ack);
    b->last_ack = off;
    b->acks++;
}

/* Offsets are 64-bit: a stream longer than 2^32 bytes keeps counting, and acks after the sequence
 * space wrapped map to offsets beyond 4 GiB. */
static void test_stream_beyond_4gib(void **state)
{
    (void)state;
    struct big b = {0};
    const struct ss_stream_ops ops = {.data = big_data, .acked = big_acked};
    struct ss_flow_cfg cfg;
    ss_flow_cfg_defaults(&cfg);
    struct ss_flowtab *t = ss_flowtab_new(&cfg, &ops, &b);
    assert_non_null(t);
    static uint8_t chunk[65000];
    const uint32_t isn = 123456789;
    feed(t, seg(CLI, SRV, isn, 0, SS_TCP_SYN, NULL, 0, TS(0), 1));
    feed(t, seg(SRV, CLI, 77, isn + 1, SS_TCP_SYN | SS_TCP_ACK, NULL, 0, TS(0), 2));
    uint64_t total = (UINT64_C(1) << 32) + 5 * 65000;
    uint64_t off = 0, frame = 3;
    while (off < total) {
        feed(t,
             seg(CLI, SRV, isn + 1 + (uint32_t)off, 78, SS_TCP_ACK, chunk, 65000, TS(1), frame++));
        off += 65000;
        if ((frame & 1023) == 0) /* the peer acks everything so far */
            feed(t,
                 seg(SRV, CLI, 78, isn + 1 + (uint32_t)off, SS_TCP_ACK, NULL, 0, TS(1), frame++));
    }
    feed(t, seg(SRV, CLI, 78, isn + 1 + (uint32_t)off, SS_TCP_ACK, NULL, 0, TS(2), frame++));
    assert_int_equal(b.bytes, off);
    assert_true(off > (UINT64_C(1) << 32));
    assert_int_equal(b.last_ack, off); /* the last ack, after the wrap, is the full 64-bit offset */
    assert_true(b.acks > 50);
    ss_flowtab_finish(t, TS(3));
    ss_flowtab_free(t);
}

static void small_gap_after(struct ss_flow_cfg *c)
{
    c->gap_after = 100;
}

static void test_gap_after_bytes(void **state)
{
    (void)state;
    struct fx *x = fx_new(small_gap_after);
    handshake(x, CISN, SISN);
    uint8_t a[50], b[50];
    memset(a, 'a', sizeof(a));
    memset(b, 'b', sizeof(b));
    feed(x->t, seg(CLI, SRV, 1001, 5001, AP, "0123456789", 10, TS(10), 4)); /* 0..10 */
    /* 10..20 is lost */
    feed(x->t, seg(CLI, SRV, 1021, 5001, AP, a, 50, TS(11), 5)); /* 20..70: 50 held < 100 */
    assert_int_equal(x->r->n, 2);
    feed(x->t, seg(CLI, SRV, 1071, 5001, AP, b, 50, TS(12), 6)); /* 70..120: 100 held: give up */
    struct rec *r = x->r;
    assert_int_equal(r->n, 5);
    expect_gap(r, 2, 1, SS_C2S, 10, 10, TS(12), 6); /* stamped with the packet that declared it */
    assert_int_equal(r->ev[3].off, 20);
    assert_int_equal(r->ev[3].frame, 5);
    assert_int_equal(r->ev[4].off, 70);
    assert_int_equal(r->ev[4].frame, 6);
    feed(x->t, seg(CLI, SRV, 1121, 5001, AP, "end", 3, TS(13), 7));
    expect_data(r, 5, 1, SS_C2S, 120, "end", TS(13), 7);
    /* the lost segment arriving late is old news */
    feed(x->t, seg(CLI, SRV, 1011, 5001, AP, "LATE LATE!", 10, TS(14), 8));
    assert_int_equal(r->n, 6);
    ss_flowtab_finish(x->t, TS(20));
    const struct ss_flow *f = &r->at_end[1];
    assert_int_equal(f->dir[SS_C2S].gaps, 1);
    assert_int_equal(f->dir[SS_C2S].gap_bytes, 10);
    assert_int_equal(f->dir[SS_C2S].bytes, 113);
    assert_int_equal(f->dir[SS_C2S].retrans, 1);
    assert_int_equal(f->dir[SS_C2S].ooo_segments, 2);
    uint8_t s[200];
    size_t n = stream_bytes(r, 1, SS_C2S, s, sizeof(s), '?');
    assert_int_equal(n, 123);
    assert_memory_equal(s, "0123456789??????????aaaa", 24);
    fx_free(x);
}

static void test_gap_at_finish(void **state)
{
    (void)state;
    struct fx *x = fx_new(NULL);
    handshake(x, CISN, SISN);
    feed(x->t, seg(CLI, SRV, 1001, 5001, AP, "abc", 3, TS(10), 4));
    feed(x->t, seg(CLI, SRV, 1011, 5001, AP, "klm", 3, TS(11), 5)); /* 3..10 never comes */
    feed(x->t, seg(SRV, CLI, 5001, 1004, AP, "s", 1, TS(12), 6));
    ss_flowtab_finish(x->t, TS(30));
    struct rec *r = x->r;
    assert_int_equal(r->n, 7);
    expect_data(r, 1, 1, SS_C2S, 0, "abc", TS(10), 4);
    expect_acked(r, 2, 1, SS_C2S, 3, TS(12), 6);
    expect_data(r, 3, 1, SS_S2C, 0, "s", TS(12), 6);
    expect_gap(r, 4, 1, SS_C2S, 3, 7, TS(30), 6); /* finish: its time, the flow's last frame */
    expect_data(r, 5, 1, SS_C2S, 10, "klm", TS(11), 5);
    expect_end(r, 6, 1, SS_END_CAPTURE, SS_C2S, TS(30), 6);
    assert_int_equal(r->at_end[1].dir[SS_C2S].gap_bytes, 7);
    fx_free(x);
}

static void test_midstream(void **state)
{
    (void)state;
    struct fx *x = fx_new(NULL);
    struct rec *r = x->r;
    /* the capture starts with server data: no SYN, and the ack cannot be placed yet */
    feed(x->t, seg(SRV, CLI, 777000, 1234, AP, "srvdata", 7, TS(0), 1));
    feed(x->t, seg(CLI, SRV, 1234, 777007, AP, "cli", 3, TS(1), 2));
    feed(x->t, seg(SRV, CLI, 776990, 1237, AP, "old", 3, TS(2), 3)); /* before the pickup */
    feed(x->t, seg(SRV, CLI, 776995, 1237, AP, "0123456789abcdef", 16, TS(3), 4)); /* -5..11 */
    assert_int_equal(r->n, 6);
    expect_open(r, 0, 1);
    expect_data(r, 1, 1, SS_S2C, 0, "srvdata", TS(0), 1);
    expect_acked(r, 2, 1, SS_S2C, 7, TS(1), 2);
    expect_data(r, 3, 1, SS_C2S, 0, "cli", TS(1), 2);
    expect_acked(r, 4, 1, SS_C2S, 3, TS(2), 3);
    expect_data(r, 5, 1, SS_S2C, 7, "cdef", TS(3), 4);
    ss_flowtab_finish(x->t, TS(5));
    const struct ss_flow *f = &r->at_end[1];
    assert_true(f->midstream);
    assert_int_equal(f->side_source, SS_SIDE_GUESS);
    assert_int_equal(f->server.port, 3306);
    assert_int_equal(f->dir[SS_S2C].retrans, 1);
    assert_int_equal(f->dir[SS_S2C].bytes, 11);
    struct ss_flow_stats st;
    ss_flowtab_stats(x->t, &st);
    assert_int_equal(st.midstream_pickups, 1);
    fx_free(x);
}

static void test_snaplen_truncation(void **state)
{
    (void)state;
    struct fx *x = fx_new(NULL);
    handshake(x, CISN, SISN);
    struct rec *r = x->r;
    struct ss_tcp_pkt p = seg(CLI, SRV, 1001, 5001, AP, "abcd", 4, TS(10), 4);
    p.wire_payload_len = 10; /* 6 bytes cut by the snaplen */
    feed(x->t, p);
    expect_data(r, 1, 1, SS_C2S, 0, "abcd", TS(10), 4);
    expect_gap(r, 2, 1, SS_C2S, 4, 6, TS(10), 4);
    p = seg(CLI, SRV, 1021, 5001, AP, "xyz", 3, TS(11), 5); /* 20..28 on the wire, ahead */
    p.wire_payload_len = 8;
    feed(x->t, p);
    assert_int_equal(r->n, 3);
    feed(x->t, seg(CLI, SRV, 1011, 5001, AP, "0123456789", 10, TS(12), 6));
    assert_int_equal(r->n, 6);
    expect_data(r, 3, 1, SS_C2S, 10, "0123456789", TS(12), 6);
    expect_data(r, 4, 1, SS_C2S, 20, "xyz", TS(11), 5);
    expect_gap(r, 5, 1, SS_C2S, 23, 5, TS(11), 5);
    ss_flowtab_finish(x->t, TS(20));
    assert_int_equal(r->at_end[1].dir[SS_C2S].gaps, 2);
    assert_int_equal(r->at_end[1].dir[SS_C2S].gap_bytes, 11);
    assert_int_equal(r->at_end[1].dir[SS_C2S].bytes, 17);
    fx_free(x);
}

/* A capture so short that no payload byte survives still opens the flow and accounts the bytes. */
static void test_snaplen_no_payload_captured(void **state)
{
    (void)state;
    struct fx *x = fx_new(NULL);
    struct rec *r = x->r;
    struct ss_tcp_pkt p = seg(SRV, CLI, 9000, 100, AP, NULL, 0, TS(0), 1);
    p.wire_payload_len = 1400;
    feed(x->t, p);
    p = seg(SRV, CLI, 10400, 100, AP, "Z", 1, TS(1), 2);
    p.wire_payload_len = 1400;
    feed(x->t, p);
    assert_int_equal(r->n, 4);
    expect_open(r, 0, 1);
    expect_gap(r, 1, 1, SS_S2C, 0, 1400, TS(0), 1);
    expect_data(r, 2, 1, SS_S2C, 1400, "Z", TS(1), 2);
    expect_gap(r, 3, 1, SS_S2C, 1401, 1399, TS(1), 2);
    ss_flowtab_finish(x->t, TS(2));
    assert_true(r->at_end[1].midstream);
    assert_int_equal(r->at_end[1].dir[SS_S2C].gap_bytes, 2799);
    fx_free(x);
}

static void test_acked_offsets(void **state)
{
    (void)state;
    struct fx *x = fx_new(NULL);
    handshake(x, CISN, SISN);
    struct rec *r = x->r;
    uint8_t hundred[100], fifty[50];
    memset(hundred, 'h', sizeof(hundred));
    memset(fifty, 'f', sizeof(fifty));
    feed(x->t, seg(CLI, SRV, 1001, 5001, AP, hundred, 100, TS(10), 4)); /* 0..100 */
    feed(x->t, seg(SRV, CLI, 5001, 1051, SS_TCP_ACK, NULL, 0, TS(11), 5));
    feed(x->t, seg(SRV, CLI, 5001, 1051, SS_TCP_ACK, NULL, 0, TS(12), 6)); /* duplicate */
    feed(x->t, seg(SRV, CLI, 5001, 1101, SS_TCP_ACK, NULL, 0, TS(13), 7));
    feed(x->t, seg(SRV, CLI, 5001, 1001, SS_TCP_ACK, NULL, 0, TS(14), 8)); /* old */
    assert_int_equal(r->n, 4);
    expect_acked(r, 2, 1, SS_C2S, 50, TS(11), 5);
    expect_acked(r, 3, 1, SS_C2S, 100, TS(13), 7);
    /* 100..200 missing from the capture, 200..250 held; the peer acks 250: it has the missing
     * bytes, so they are a gap at once (test_reasm_ack.c has the details) */
    feed(x->t, seg(CLI, SRV, 1201, 5001, AP, fifty, 50, TS(15), 9));
    assert_int_equal(r->n, 4);
    feed(x->t, seg(SRV, CLI, 5001, 1251, SS_TCP_ACK, NULL, 0, TS(16), 10));
    assert_int_equal(r->n, 7);
    expect_gap(r, 4, 1, SS_C2S, 100, 100, TS(16), 10);
    assert_int_equal(r->ev[5].off, 200);
    assert_int_equal(r->ev[5].frame, 9);
    expect_acked(r, 6, 1, SS_C2S, 250, TS(16), 10); /* with the ack packet's own ts and frame */
    /* the missing bytes showing up after all (reordered in the capture) are old news */
    feed(x->t, seg(CLI, SRV, 1101, 5001, AP, hundred, 100, TS(17), 11));
    assert_int_equal(r->n, 7);
    feed(x->t, seg(CLI, SRV, 1251, 5001, SS_TCP_ACK | SS_TCP_FIN, NULL, 0, TS(19), 13));
    feed(x->t, seg(SRV, CLI, 5001, 1252, SS_TCP_ACK, NULL, 0, TS(20), 14)); /* acks the FIN */
    assert_int_equal(r->n, 7); /* the FIN is not a byte: still 250, and no gap for it */
    ss_flowtab_finish(x->t, TS(30));
    assert_int_equal(count_kind(r, EV_ACKED), 3);
    assert_int_equal(r->at_end[1].dir[SS_C2S].retrans, 1);
    fx_free(x);
}

static void test_fin_with_hole(void **state)
{
    (void)state;
    struct fx *x = fx_new(NULL);
    handshake(x, CISN, SISN);
    struct rec *r = x->r;
    feed(x->t, seg(CLI, SRV, 1001, 5001, AP, "abc", 3, TS(10), 4)); /* 0..3 */
    feed(x->t, seg(CLI, SRV, 1011, 5001, AP, "klm", 3, TS(11), 5)); /* 10..13 */
    feed(x->t,
         seg(CLI, SRV, 1016, 5001, SS_TCP_ACK | SS_TCP_FIN, NULL, 0, TS(12), 6)); /* FIN @15 */
    assert_int_equal(r->n, 5);
    expect_gap(r, 2, 1, SS_C2S, 3, 7, TS(12), 6);
    expect_data(r, 3, 1, SS_C2S, 10, "klm", TS(11), 5);
    expect_gap(r, 4, 1, SS_C2S, 13, 2, TS(12), 6);                      /* up to the FIN */
    feed(x->t, seg(CLI, SRV, 1004, 5001, AP, "defghij", 7, TS(13), 7)); /* too late */
    feed(x->t, seg(CLI, SRV, 1016, 5001, AP, "beyond", 6, TS(14), 8));  /* past the FIN */
    assert_int_equal(r->n, 5);
    ss_flowtab_finish(x->t, TS(20));
    const struct ss_flow *f = &r->at_end[1];
    assert_true(f->dir[SS_C2S].fin);
    assert_false(f->dir[SS_S2C].fin);
    assert_int_equal(f->dir[SS_C2S].gaps, 2);
    assert_int_equal(f->dir[SS_C2S].retrans, 2);
    fx_free(x);
}

static void test_rst_flushes(void **state)
{
    (void)state;
    struct fx *x = fx_new(NULL);
    handshake(x, CISN, SISN);
    struct rec *r = x->r;
    feed(x->t, seg(CLI, SRV, 1001, 5001, AP, "abc", 3, TS(10), 4));
    feed(x->t, seg(CLI, SRV, 1011, 5001, AP, "klm", 3, TS(11), 5));
    feed(x->t, seg(SRV, CLI, 5001, 1004, SS_TCP_RST | SS_TCP_ACK, "why", 3, TS(12), 6));
    assert_int_equal(r->n, 6);
    expect_acked(r, 2, 1, SS_C2S, 3, TS(12), 6);
    expect_gap(r, 3, 1, SS_C2S, 3, 7, TS(12), 6);
    expect_data(r, 4, 1, SS_C2S, 10, "klm", TS(11), 5);
    expect_end(r, 5, 1, SS_END_RST, SS_S2C, TS(12), 6);
    assert_true(r->at_end[1].dir[SS_S2C].rst);
    assert_int_equal(r->at_end[1].dir[SS_S2C].bytes, 0); /* RST payload is not stream data */
    fx_free(x);
}

static void small_dir_cap(struct ss_flow_cfg *c)
{
    c->dir_ooo_cap = 20;
}

static void test_dir_cap(void **state)
{
    (void)state;
    struct fx *x = fx_new(small_dir_cap);
    handshake(x, CISN, SISN);
    struct rec *r = x->r;
    feed(x->t, seg(CLI, SRV, 1001, 5001, AP, "01234", 5, TS(10), 4));            /* 0..5 */
    feed(x->t, seg(CLI, SRV, 1011, 5001, AP, "abcdefghijklmno", 15, TS(11), 5)); /* 10..25 */
    feed(x->t, seg(CLI, SRV, 1031, 5001, AP, "ABCDEFGHIJ", 10, TS(12), 6));      /* 30..40 */
    /* 15 + 10 > 20: the first hole is given up so the new segment can be held */
    assert_int_equal(r->n, 4);
    expect_gap(r, 2, 1, SS_C2S, 5, 5, TS(12), 6);
    expect_data(r, 3, 1, SS_C2S, 10, "abcdefghijklmno", TS(11), 5);
    struct ss_flow_stats st;
    ss_flowtab_stats(x->t, &st);
    assert_int_equal(st.dir_ooo_cap_hit, 1);
    assert_int_equal(st.memcap_hit, 0);
    ss_flowtab_finish(x->t, TS(20));
    expect_gap(r, 4, 1, SS_C2S, 25, 5, TS(20), 6);
    expect_data(r, 5, 1, SS_C2S, 30, "ABCDEFGHIJ", TS(12), 6);
    /* a single segment larger than the cap cannot be held at all: the hole before it goes */
    fx_free(x);

    x = fx_new(small_dir_cap);
    handshake(x, CISN, SISN);
    r = x->r;
    uint8_t big[30];
    memset(big, 'B', sizeof(big));
    feed(x->t, seg(CLI, SRV, 1011, 5001, AP, big, 30, TS(10), 4)); /* 10..40, ahead of 0..10 */
    assert_int_equal(r->n, 3);
    expect_gap(r, 1, 1, SS_C2S, 0, 10, TS(10), 4);
    assert_int_equal(r->ev[2].off, 10);
    assert_int_equal(r->ev[2].len, 30);
    assert_ptr_equal(r->ev[2].ptr, big);
    ss_flowtab_stats(x->t, &st);
    assert_int_equal(st.dir_ooo_cap_hit, 1);
    ss_flowtab_finish(x->t, TS(20));
    fx_free(x);
}

static void tiny_memcap(struct ss_flow_cfg *c)
{
    c->memcap = SS_REASM_SEG_COST(10) + 5; /* room for one 10-byte range */
}

static void test_memcap(void **state)
{
    (void)state;
    struct fx *x = fx_new(tiny_memcap);
    handshake(x, CISN, SISN);
    struct rec *r = x->r;
    feed(x->t, seg(CLI, SRV, 1001, 5001, AP, "01234", 5, TS(10), 4));       /* 0..5 */
    feed(x->t, seg(CLI, SRV, 1011, 5001, AP, "abcdefghij", 10, TS(11), 5)); /* 10..20 held */
    /* the server direction cannot hold anything: its hole is given up at once */
    feed(x->t, seg(SRV, CLI, 5011, 1006, AP, "serverside", 10, TS(12), 6)); /* 10..20 */
    assert_int_equal(r->n, 5);
    expect_data(r, 1, 1, SS_C2S, 0, "01234", TS(10), 4);
    expect_acked(r, 2, 1, SS_C2S, 5, TS(12), 6);
    expect_gap(r, 3, 1, SS_S2C, 0, 10, TS(12), 6);
    expect_data(r, 4, 1, SS_S2C, 10, "serverside", TS(12), 6);
    /* the client direction needs more room: its own first hole goes first */
    feed(x->t, seg(CLI, SRV, 1031, 5001, AP, "ABCDEFGHIJ", 10, TS(13), 7)); /* 30..40 */
    expect_gap(r, 5, 1, SS_C2S, 5, 5, TS(13), 7);
    expect_data(r, 6, 1, SS_C2S, 10, "abcdefghij", TS(11), 5);
    assert_int_equal(r->n, 7);
    struct ss_flow_stats st;
    ss_flowtab_stats(x->t, &st);
    assert_int_equal(st.memcap_hit, 2);
    assert_int_equal(st.ooo_bytes_peak, SS_REASM_SEG_COST(10));
    ss_flowtab_finish(x->t, TS(20));
    expect_gap(r, 7, 1, SS_C2S, 20, 10, TS(20), 7);
    expect_data(r, 8, 1, SS_C2S, 30, "ABCDEFGHIJ", TS(13), 7);
    fx_free(x);
}

static void test_syn_with_data_and_bad_csum(void **state)
{
    (void)state;
    struct fx *x = fx_new(NULL);
    struct rec *r = x->r;
    /* TCP Fast Open style: data on the SYN starts at ISN + 1 */
    struct ss_tcp_pkt p = seg(CLI, SRV, 100, 0, SS_TCP_SYN, "tfo", 3, TS(0), 1);
    p.csum_bad = true;
    feed(x->t, p);
    feed(x->t, seg(SRV, CLI, 900, 104, SS_TCP_SYN | SS_TCP_ACK, NULL, 0, TS(1), 2));
    p = seg(CLI, SRV, 104, 901, AP, "more", 4, TS(2), 3);
    p.csum_bad = true;
    feed(x->t, p);
    assert_int_equal(r->n, 4);
    expect_data(r, 1, 1, SS_C2S, 0, "tfo", TS(0), 1);
    expect_acked(r, 2, 1, SS_C2S, 3, TS(1), 2);
    expect_data(r, 3, 1, SS_C2S, 3, "more", TS(2), 3);
    ss_flowtab_finish(x->t, TS(3));
    assert_int_equal(r->at_end[1].dir[SS_C2S].csum_bad, 2);
    struct ss_flow_stats st;
    ss_flowtab_stats(x->t, &st);
    assert_int_equal(st.csum_bad, 2);
    fx_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order),        cmocka_unit_test(test_reordered),
        cmocka_unit_test(test_duplicated),      cmocka_unit_test(test_overlap_conflict),
        cmocka_unit_test(test_wraparound),      cmocka_unit_test(test_stream_beyond_4gib),
        cmocka_unit_test(test_gap_after_bytes), cmocka_unit_test(test_gap_at_finish),
        cmocka_unit_test(test_midstream),       cmocka_unit_test(test_snaplen_truncation),
        cmocka_unit_test(test_snaplen_no_payload_captured),
        cmocka_unit_test(test_acked_offsets),   cmocka_unit_test(test_fin_with_hole),
        cmocka_unit_test(test_rst_flushes),     cmocka_unit_test(test_dir_cap),
        cmocka_unit_test(test_memcap),          cmocka_unit_test(test_syn_with_data_and_bad_csum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
