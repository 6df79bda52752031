/* SPDX-License-Identifier: MIT */
/* test_reasm_ack.c: holes the receiver acknowledged past (a capture drop: the receiver has the
 * bytes, no retransmission will come) become gaps at the ack, with exact offsets, lengths, ts,
 * frames and callback order; partial acks, acks before any data is held, the sequence wrap, and
 * the acks that must not declare anything (RST, far out of window, past a seen FIN). */
#include "test_flow_harness.h"

#include <stdio.h>

#include "semiscope/capture.h"

static uint64_t gaps_acked(const struct fx *x)
{
    struct ss_flow_stats st;
    ss_flowtab_stats(x->t, &st);
    return st.gaps_acked;
}

/* Hole 3..10 with 10..16 held; the server's reply acks 16. The gap comes first (stamped with the
 * ack's packet), then the held bytes with their own ts/frame, then the ack, then the reply. */
static void test_ack_past_hole(void **state)
{
    (void)state;
    struct fx *x = fx_new(NULL);
    handshake(x, CISN, SISN);
    struct rec *r = x->r;
    feed(x->t, seg(CLI, SRV, 1001, 5001, AP, "abc", 3, TS(10), 4)); /* 0..3 */
    feed(x->t, seg(CLI, SRV, 1011, 5001, AP, "klm", 3, TS(11), 5)); /* 10..13, held */
    feed(x->t, seg(CLI, SRV, 1014, 5001, AP, "nop", 3, TS(12), 6)); /* 13..16, held */
    assert_int_equal(r->n, 2);
    feed(x->t, seg(SRV, CLI, 5001, 1017, AP, "reply", 5, TS(13), 7)); /* ack = offset 16 */
    assert_int_equal(r->n, 7);
    expect_data(r, 1, 1, SS_C2S, 0, "abc", TS(10), 4);
    expect_gap(r, 2, 1, SS_C2S, 3, 7, TS(13), 7);
    expect_data(r, 3, 1, SS_C2S, 10, "klm", TS(11), 5);
    expect_data(r, 4, 1, SS_C2S, 13, "nop", TS(12), 6);
    expect_acked(r, 5, 1, SS_C2S, 16, TS(13), 7);
    expect_data(r, 6, 1, SS_S2C, 0, "reply", TS(13), 7);
    assert_int_equal(gaps_acked(x), 1);
    /* the lost segment turning up after all (reordered in the capture) is old news */
    feed(x->t, seg(CLI, SRV, 1004, 5001, AP, "defghij", 7, TS(14), 8));
    assert_int_equal(r->n, 7);
    feed(x->t, seg(CLI, SRV, 1017, 5001, AP, "qr", 2, TS(15), 9)); /* in order: no holding */
    expect_data(r, 7, 1, SS_C2S, 16, "qr", TS(15), 9);
    ss_flowtab_finish(x->t, TS(20));
    const struct ss_flow *f = &r->at_end[1];
    assert_int_equal(f->dir[SS_C2S].gaps, 1);
    assert_int_equal(f->dir[SS_C2S].gap_bytes, 7);
    assert_int_equal(f->dir[SS_C2S].bytes, 11);
    assert_int_equal(f->dir[SS_C2S].retrans, 1);
    assert_int_equal(f->dir[SS_C2S].ooo_segments, 2);
    assert_int_equal(gaps_acked(x), 1);
    fx_free(x);
}

/* An ack inside a hole: only the acknowledged part is a gap; the rest may still be captured. One
 * ack past several holes: each acknowledged hole becomes a gap, in stream order. */
static void test_ack_partial_hole(void **state)
{
    (void)state;
    struct fx *x = fx_new(NULL);
    handshake(x, CISN, SISN);
    struct rec *r = x->r;
    feed(x->t, seg(CLI, SRV, 1001, 5001, AP, "abc", 3, TS(10), 4));        /* 0..3 */
    feed(x->t, seg(CLI, SRV, 1031, 5001, AP, "ABCDEFGHIJ", 10, TS(11), 5)); /* 30..40, held */
    feed(x->t, seg(SRV, CLI, 5001, 1014, SS_TCP_ACK, NULL, 0, TS(12), 6));  /* ack 13 */
    assert_int_equal(r->n, 4);
    expect_gap(r, 2, 1, SS_C2S, 3, 10, TS(12), 6); /* 3..13 only: 13..30 may still come */
    expect_acked(r, 3, 1, SS_C2S, 13, TS(12), 6);
    feed(x->t, seg(CLI, SRV, 1014, 5001, AP, "0123456789", 10, TS(13), 7)); /* 13..23 */
    expect_data(r, 4, 1, SS_C2S, 13, "0123456789", TS(13), 7);
    feed(x->t, seg(SRV, CLI, 5001, 1026, SS_TCP_ACK, NULL, 0, TS(14), 8)); /* ack 25 */
    expect_gap(r, 5, 1, SS_C2S, 23, 2, TS(14), 8);
    expect_acked(r, 6, 1, SS_C2S, 25, TS(14), 8);
    feed(x->t, seg(CLI, SRV, 1026, 5001, AP, "vwxyz", 5, TS(15), 9)); /* 25..30 fills the rest */
    assert_int_equal(r->n, 9);
    expect_data(r, 7, 1, SS_C2S, 25, "vwxyz", TS(15), 9);
    expect_data(r, 8, 1, SS_C2S, 30, "ABCDEFGHIJ", TS(11), 5);
    /* holes 40..50 and 55..60, held 50..55 and 60..61; one ack at 57 */
    feed(x->t, seg(CLI, SRV, 1051, 5001, AP, "hole2", 5, TS(16), 10));
    feed(x->t, seg(CLI, SRV, 1061, 5001, AP, "z", 1, TS(17), 11));
    feed(x->t, seg(SRV, CLI, 5001, 1058, SS_TCP_ACK, NULL, 0, TS(18), 12));
    assert_int_equal(r->n, 13);
    expect_gap(r, 9, 1, SS_C2S, 40, 10, TS(18), 12);
    expect_data(r, 10, 1, SS_C2S, 50, "hole2", TS(16), 10);
    expect_gap(r, 11, 1, SS_C2S, 55, 2, TS(18), 12);
    expect_acked(r, 12, 1, SS_C2S, 57, TS(18), 12);
    assert_int_equal(gaps_acked(x), 4);
    /* 57..60 was never acknowledged: it waits, and the end of the capture gives it up */
    ss_flowtab_finish(x->t, TS(30));
    assert_int_equal(r->n, 16);
    expect_gap(r, 13, 1, SS_C2S, 57, 3, TS(30), 12);
    expect_data(r, 14, 1, SS_C2S, 60, "z", TS(17), 11);
    expect_end(r, 15, 1, SS_END_CAPTURE, SS_C2S, TS(30), 12);
    const struct ss_flow *f = &r->at_end[1];
    assert_int_equal(f->dir[SS_C2S].gaps, 5);
    assert_int_equal(f->dir[SS_C2S].gap_bytes, 27);
    assert_int_equal(f->dir[SS_C2S].bytes, 34);
    assert_int_equal(gaps_acked(x), 4); /* the finish gap is not one of them */
    fx_free(x);
}

/* The reproducer's shape: the capture misses the server's last segment and nothing follows it
 * yet; the client's next request acks it. The gap is declared at that ack, before the request's
 * own bytes, and the server's next segment is then in order (never held). */
static void test_ack_before_data_held(void **state)
{
    (void)state;
    struct fx *x = fx_new(NULL);
    handshake(x, CISN, SISN);
    struct rec *r = x->r;
    feed(x->t, seg(SRV, CLI, 5001, 1001, AP, "greeting", 8, TS(10), 4)); /* s2c 0..8 */
    /* frame 5, "OK!!!" at s2c 8..13, is not in the capture */
    feed(x->t, seg(CLI, SRV, 1001, 5014, AP, "query", 5, TS(12), 6)); /* acks s2c 13 */
    assert_int_equal(r->n, 5);
    expect_data(r, 1, 1, SS_S2C, 0, "greeting", TS(10), 4);
    expect_gap(r, 2, 1, SS_S2C, 8, 5, TS(12), 6);
    expect_acked(r, 3, 1, SS_S2C, 13, TS(12), 6);
    expect_data(r, 4, 1, SS_C2S, 0, "query", TS(12), 6);
    feed(x->t, seg(SRV, CLI, 5014, 1006, AP, "rows", 4, TS(13), 7));
    expect_acked(r, 5, 1, SS_C2S, 5, TS(13), 7);
    expect_data(r, 6, 1, SS_S2C, 13, "rows", TS(13), 7);
    feed(x->t, seg(SRV, CLI, 5009, 1006, AP, "OK!!!", 5, TS(14), 8)); /* too late */
    feed(x->t, seg(CLI, SRV, 1006, 5014, SS_TCP_ACK, NULL, 0, TS(15), 9)); /* an old ack */
    assert_int_equal(r->n, 7);
    ss_flowtab_finish(x->t, TS(20));
    const struct ss_flow *f = &r->at_end[1];
    assert_int_equal(f->dir[SS_S2C].gaps, 1);
    assert_int_equal(f->dir[SS_S2C].gap_bytes, 5);
    assert_int_equal(f->dir[SS_S2C].ooo_segments, 0);
    assert_int_equal(f->dir[SS_S2C].retrans, 1);
    assert_int_equal(f->dir[SS_C2S].gaps, 0);
    assert_int_equal(gaps_acked(x), 1);
    fx_free(x);
}

/* Hole and ack on both sides of the 2^32 wrap. Client ISN 2^32 - 16: offset 0 is seq 0xFFFFFFF1,
 * offset 15 is seq 0. */
static void test_ack_hole_across_wrap(void **state)
{
    (void)state;
    struct fx *x = fx_new(NULL);
    handshake(x, UINT32_C(0xFFFFFFF0), 700);
    struct rec *r = x->r;
    feed(x->t, seg(CLI, SRV, UINT32_C(0xFFFFFFF1), 701, AP, "0123456789", 10, TS(10), 4));
    /* 10..20 (seq 0xFFFFFFFB..4) is not in the capture; 20..25 is held */
    feed(x->t, seg(CLI, SRV, 5, 701, AP, "klmno", 5, TS(11), 5));
    feed(x->t, seg(SRV, CLI, 701, 10, SS_TCP_ACK, NULL, 0, TS(12), 6)); /* seq 10 = offset 25 */
    assert_int_equal(r->n, 5);
    expect_gap(r, 2, 1, SS_C2S, 10, 10, TS(12), 6);
    expect_data(r, 3, 1, SS_C2S, 20, "klmno", TS(11), 5);
    expect_acked(r, 4, 1, SS_C2S, 25, TS(12), 6);
    /* the ack of the SYN/ACK era (seq 0xFFFFFFF1, offset 0) is old, not 4 GiB ahead */
    feed(x->t, seg(SRV, CLI, 701, UINT32_C(0xFFFFFFF1), SS_TCP_ACK, NULL, 0, TS(13), 7));
    assert_int_equal(r->n, 5);
    /* a second drop, acked with nothing held: 25..40 */
    feed(x->t, seg(SRV, CLI, 701, 25, SS_TCP_ACK, NULL, 0, TS(14), 8));
    assert_int_equal(r->n, 7);
    expect_gap(r, 5, 1, SS_C2S, 25, 15, TS(14), 8);
    expect_acked(r, 6, 1, SS_C2S, 40, TS(14), 8);
    feed(x->t, seg(CLI, SRV, 25, 701, AP, "tail", 4, TS(15), 9));
    expect_data(r, 7, 1, SS_C2S, 40, "tail", TS(15), 9);
    assert_int_equal(gaps_acked(x), 2);
    ss_flowtab_finish(x->t, TS(20));
    assert_int_equal(r->at_end[1].dir[SS_C2S].gap_bytes, 25);
    fx_free(x);
}

/* Acks that declare nothing: an RST's (the flow's own end gives the hole up, as before), one too
 * far ahead to belong to the stream, one covering a FIN the capture saw. */
static void test_ack_no_gap_cases(void **state)
{
    (void)state;
    struct fx *x = fx_new(NULL);
    handshake(x, CISN, SISN);
    struct rec *r = x->r;
    feed(x->t, seg(CLI, SRV, 1001, 5001, AP, "abc", 3, TS(10), 4));
    /* > 2^30 ahead: not an ack of this stream */
    feed(x->t, seg(SRV, CLI, 5001, 1004u + (1u << 30) + 1u, SS_TCP_ACK, NULL, 0, TS(11), 5));
    assert_int_equal(r->n, 2);
    struct ss_flow_stats st;
    ss_flowtab_stats(x->t, &st);
    assert_int_equal(st.out_of_window, 1);
    feed(x->t, seg(CLI, SRV, 1011, 5001, AP, "klm", 3, TS(12), 6)); /* 10..13, held */
    /* the RST acks 13: no early gap (only what was delivered is acked); the end of the flow gives
     * the hole up, and only then is the rest of the ack reported */
    feed(x->t, seg(SRV, CLI, 5001, 1014, SS_TCP_RST | SS_TCP_ACK, NULL, 0, TS(13), 7));
    assert_int_equal(r->n, 7);
    expect_acked(r, 2, 1, SS_C2S, 3, TS(13), 7);
    expect_gap(r, 3, 1, SS_C2S, 3, 7, TS(13), 7);
    expect_data(r, 4, 1, SS_C2S, 10, "klm", TS(12), 6);
    expect_acked(r, 5, 1, SS_C2S, 13, TS(13), 7);
    expect_end(r, 6, 1, SS_END_RST, SS_S2C, TS(13), 7);
    assert_int_equal(gaps_acked(x), 0);
    fx_free(x);

    /* an RST acking beyond everything seen, nothing held: no gap at all */
    x = fx_new(NULL);
    handshake(x, CISN, SISN);
    r = x->r;
    feed(x->t, seg(CLI, SRV, 1001, 5001, AP, "abc", 3, TS(10), 4));
    feed(x->t, seg(SRV, CLI, 5001, 1011, SS_TCP_RST | SS_TCP_ACK, NULL, 0, TS(11), 5));
    assert_int_equal(r->n, 4);
    expect_acked(r, 2, 1, SS_C2S, 3, TS(11), 5);
    expect_end(r, 3, 1, SS_END_RST, SS_S2C, TS(11), 5);
    assert_int_equal(r->at_end[1].dir[SS_C2S].gaps, 0);
    fx_free(x);

    /* a seen FIN: its ack (one past the last byte) is not a missing byte */
    x = fx_new(NULL);
    handshake(x, CISN, SISN);
    r = x->r;
    feed(x->t, seg(CLI, SRV, 1001, 5001, AP | SS_TCP_FIN, "abc", 3, TS(10), 4));
    feed(x->t, seg(SRV, CLI, 5001, 1005, SS_TCP_ACK, NULL, 0, TS(11), 5));
    assert_int_equal(r->n, 3);
    expect_acked(r, 2, 1, SS_C2S, 3, TS(11), 5);
    ss_flowtab_finish(x->t, TS(12));
    assert_int_equal(r->at_end[1].dir[SS_C2S].gaps, 0);
    assert_int_equal(gaps_acked(x), 0);
    fx_free(x);

    /* a FIN the capture missed: its ack is one past the last byte; that is not a lost byte */
    x = fx_new(NULL);
    handshake(x, CISN, SISN);
    r = x->r;
    feed(x->t, seg(CLI, SRV, 1001, 5001, AP, "abc", 3, TS(10), 4));
    /* frame 5, the client's FIN at seq 1004, is not in the capture */
    feed(x->t, seg(SRV, CLI, 5001, 1005, SS_TCP_ACK | SS_TCP_FIN, NULL, 0, TS(12), 6));
    assert_int_equal(r->n, 3);
    expect_acked(r, 2, 1, SS_C2S, 3, TS(12), 6);
    /* had it been a lost 1-byte segment, the next data makes it a hole given up as usual */
    feed(x->t, seg(CLI, SRV, 1005, 5002, AP, "e", 1, TS(13), 7));
    feed(x->t, seg(SRV, CLI, 5002, 1006, SS_TCP_ACK, NULL, 0, TS(14), 8));
    assert_int_equal(r->n, 6);
    expect_gap(r, 3, 1, SS_C2S, 3, 1, TS(14), 8);
    expect_data(r, 4, 1, SS_C2S, 4, "e", TS(13), 7);
    expect_acked(r, 5, 1, SS_C2S, 5, TS(14), 8);
    assert_int_equal(gaps_acked(x), 1);
    ss_flowtab_finish(x->t, TS(20));
    fx_free(x);
}

/* Midstream: acks are placed only once a direction has a base; the first ack after the pickup
 * that runs ahead of the data is a drop like any other. */
static void test_ack_midstream(void **state)
{
    (void)state;
    struct fx *x = fx_new(NULL);
    struct rec *r = x->r;
    feed(x->t, seg(CLI, SRV, 300, 9000, AP, "req", 3, TS(0), 1)); /* s2c has no base yet */
    assert_int_equal(r->n, 2);
    feed(x->t, seg(SRV, CLI, 9000, 303, AP, "resp", 4, TS(1), 2)); /* s2c offset 0 = 9000 */
    feed(x->t, seg(CLI, SRV, 303, 9010, AP, "next", 4, TS(2), 3)); /* acks 9010: 9004..9010 */
    assert_int_equal(r->n, 7);
    expect_acked(r, 2, 1, SS_C2S, 3, TS(1), 2);
    expect_data(r, 3, 1, SS_S2C, 0, "resp", TS(1), 2);
    expect_gap(r, 4, 1, SS_S2C, 4, 6, TS(2), 3);
    expect_acked(r, 5, 1, SS_S2C, 10, TS(2), 3);
    expect_data(r, 6, 1, SS_C2S, 3, "next", TS(2), 3);
    ss_flowtab_finish(x->t, TS(5));
    assert_true(r->at_end[1].midstream);
    assert_int_equal(gaps_acked(x), 1);
    fx_free(x);
}

/* The reproducer, on real traffic: tests/pcaps/lab_drop/steady_drop30.pcap is the lab's steady
 * capture without its frame 30 (an 11-byte OK from the primary to replica 10.213.9.2:39546, whose
 * next request acknowledges it). The hole is a gap at that request (frame 30 once renumbered),
 * before the request's bytes, and nothing of the primary's stream is ever held. */
static void test_ack_real_capture_drop(void **state)
{
    (void)state;
    const char *src = getenv("SEMISCOPE_SRC");
    char path[512], errbuf[SS_ERRBUF_SIZE];
    snprintf(path, sizeof(path), "%s/tests/pcaps/lab_drop/steady_drop30.pcap", src ? src : ".");
    const char *paths[] = {path};
    enum ss_status st;
    struct ss_capture *cap = ss_capture_open_files(paths, 1, "tcp port 39546", &st, errbuf);
    if (!cap) {
        print_message("%s: %s: skipped\n", path, errbuf);
        skip();
    }
    static const uint16_t ports[] = {13306};
    struct fx *x = fx_new(NULL);
    ss_flowtab_free(x->t);
    x->cfg.ports = ports;
    x->cfg.nports = 1;
    x->t = ss_flowtab_new(&x->cfg, &rec_ops, x->r);
    assert_non_null(x->t);
    struct ss_decode_stats dst;
    memset(&dst, 0, sizeof(dst));
    struct ss_frame fr;
    uint64_t ts30 = 0, last_ts = 0;
    while (ss_capture_next(cap, &fr, errbuf) == 1) {
        struct ss_tcp_pkt pkt;
        if (fr.number == 30)
            ts30 = fr.ts_ns;
        last_ts = fr.ts_ns;
        if (ss_decode_frame(&fr, &pkt, &dst) == SS_DEC_TCP)
            ss_flowtab_packet(x->t, &pkt);
    }
    ss_capture_close(cap);
    ss_flowtab_finish(x->t, last_ts);
    struct rec *r = x->r;
    assert_int_equal(count_kind(r, EV_GAP), 1);
    size_t g = 0;
    while (r->ev[g].k != EV_GAP)
        g++;
    assert_true(ts30 != 0);
    expect_gap(r, g, 1, SS_S2C, 917, 11, ts30, 30); /* relative seq 918..929 */
    expect_acked(r, g + 1, 1, SS_S2C, 928, ts30, 30);
    assert_int_equal(r->ev[g + 2].k, EV_DATA);
    assert_int_equal(r->ev[g + 2].dir, SS_C2S);
    assert_int_equal(r->ev[g + 2].frame, 30);
    /* the primary's next segment acks the request, and its bytes are in order at once */
    assert_int_equal(r->ev[g + 3].k, EV_ACKED);
    assert_int_equal(r->ev[g + 3].dir, SS_C2S);
    assert_int_equal(r->ev[g + 3].frame, 31);
    assert_int_equal(r->ev[g + 4].k, EV_DATA);
    assert_int_equal(r->ev[g + 4].dir, SS_S2C);
    assert_int_equal(r->ev[g + 4].off, 928);
    assert_int_equal(r->ev[g + 4].frame, 31);
    const struct ss_flow *f = &r->at_end[1];
    assert_int_equal(f->server.port, 13306);
    assert_int_equal(f->dir[SS_S2C].gap_bytes, 11);
    assert_int_equal(f->dir[SS_S2C].ooo_segments, 0);
    assert_int_equal(f->dir[SS_S2C].retrans, 0);
    assert_int_equal(gaps_acked(x), 1);
    fx_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ack_past_hole),        cmocka_unit_test(test_ack_partial_hole),
        cmocka_unit_test(test_ack_before_data_held), cmocka_unit_test(test_ack_hole_across_wrap),
        cmocka_unit_test(test_ack_no_gap_cases),     cmocka_unit_test(test_ack_midstream),
        cmocka_unit_test(test_ack_real_capture_drop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
