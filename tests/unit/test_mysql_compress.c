/* SPDX-License-Identifier: MIT */
/* test_mysql_compress.c: the framer on compressed connections — zlib and zstd payloads inflated
 * as a stream, stored packets, inner packets straddling compressed packets, outer/inner sequence
 * ids, split 7-byte headers, decode errors, gaps, and resync onto compressed framing. Fixtures are
 * built with zlib's compress2 and ZSTD_compress, as the servers' my_compress() does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "decode/mysql_frame_priv.h"
#include "frame_recorder.h"

static struct ss_framer *mk(struct frec *r, struct ss_anomalies *an, enum ss_frame_role role,
                            bool synced)
{
    memset(r, 0, sizeof(*r));
    memset(an, 0, sizeof(*an));
    struct ss_frame_cfg cfg = {role, synced, 0, 0};
    struct ss_framer *fr = ss_framer_new(&cfg, &frec_ops, r, an);
    assert_non_null(fr);
    r->fr = fr;
    r->switch_at = -1;
    return fr;
}

/* The inner stream: n event packets with semisync headers (inner seq as the source writes it).
 * ends[i] = inner offset just past packet i; crcs[i] = crc of its payload. */
static void build_inner(struct bbuf *b, int n, size_t *ends, uint32_t *crcs, uint64_t *rng)
{
    uint8_t pl[3000];
    uint32_t pos = 4;
    for (int i = 0; i < n; i++) {
        uint32_t sz = 19 + (uint32_t)(xorshift(rng) % 2900);
        pos += sz;
        size_t len = make_event_payload(pl, true, i % 4 == 3, i % 2 ? 30 : 16, sz, pos, rng);
        bb_packet(b, (uint8_t)(i + 1), pl, len);
        ends[i] = b->n;
        crcs[i] = (uint32_t)crc32(crc32(0, NULL, 0), pl, (uInt)len);
    }
}

/* Cut the inner stream into compressed packets at `cuts` (inner offsets, ascending, the last =
 * n); every third packet and every one under 50 bytes is stored, as my_compress() would.
 * cend[k] = TCP offset (relative to out's start) just past compressed packet k. */
static void build_comp(struct bbuf *out, const uint8_t *in, const size_t *cuts, size_t ncuts,
                       enum ss_compress alg, uint8_t seq0, size_t *cend)
{
    size_t from = 0;
    for (size_t k = 0; k < ncuts; k++) {
        size_t n = cuts[k] - from;
        enum ss_compress a = (n < 50 || k % 3 == 2) ? SS_COMP_NONE : alg;
        bb_comp_packet(out, (uint8_t)(seq0 + k), in + from, n, a);
        cend[k] = out->n;
        from = cuts[k];
    }
}

/* TCP end offset of the compressed packet holding inner byte e-1. */
static size_t carrier_end(size_t e, const size_t *cuts, const size_t *cend, size_t ncuts)
{
    for (size_t k = 0; k < ncuts; k++)
        if (e <= cuts[k])
            return cend[k];
    return SIZE_MAX;
}

/* A plain "auth OK" (seq 2) after which compression starts, then compressed packets whose
 * boundaries fall anywhere in the inner packets. */
static void run_straddling(enum ss_compress alg)
{
    uint64_t rng = alg == SS_COMP_ZSTD ? 77 : 55;
    enum { N = 60 };
    size_t ends[N];
    uint32_t crcs[N];
    struct bbuf inner = {0};
    build_inner(&inner, N, ends, crcs, &rng);
    size_t cuts[200];
    size_t ncuts = 0;
    for (size_t at = 0; at < inner.n;) {
        at += 1 + (size_t)(xorshift(&rng) % 5000);
        cuts[ncuts++] = at < inner.n ? at : inner.n;
    }
    struct bbuf wire = {0};
    static const uint8_t ok[] = {0x07, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00};
    bb_put(&wire, ok, sizeof(ok)); /* OK packet: len 7, seq 2 */
    size_t base = wire.n;
    size_t cend[200];
    build_comp(&wire, inner.p, cuts, ncuts, alg, 0, cend);
    assert_true(ncuts < 200);

    static const size_t chunk_max[] = {1, 7, 1460, 70000};
    for (size_t c = 0; c < SS_ARRAY_LEN(chunk_max); c++) {
        struct frec r;
        struct ss_anomalies an;
        struct ss_framer *fr = mk(&r, &an, SS_ROLE_SERVER, true);
        r.switch_at = 0;
        r.switch_to = alg;
        feed_chunks(fr, wire.p, wire.n, 0, chunk_max[c], &rng);
        assert_int_equal(r.violations, 0);
        assert_int_equal(r.npk, N + 1);
        assert_int_equal(r.pk[0].end_off, base);
        assert_int_equal(ss_framer_compress(fr), alg);
        for (int i = 0; i < N; i++) {
            struct fpkt *p = &r.pk[i + 1];
            assert_int_equal(p->crc, crcs[i]);
            assert_int_equal(p->end_off, carrier_end(ends[i], cuts, cend, ncuts));
        }
        assert_int_equal(an.n[SS_AN_FRAME_SEQ_JUMP], 0);
        assert_int_equal(an.n[SS_AN_COMPRESS_INFLATE_ERROR], 0);
        assert_int_equal(an.n[SS_AN_COMPRESS_LENGTH_MISMATCH], 0);
        assert_int_equal(an.n[SS_AN_FRAME_RESYNC], 0);
        ss_framer_free(fr);
        frec_free(&r);
    }
    free(inner.p);
    free(wire.p);
}

static void test_zlib_straddling(void **state)
{
    (void)state;
    run_straddling(SS_COMP_ZLIB);
}

static void test_zstd_straddling(void **state)
{
    (void)state;
    run_straddling(SS_COMP_ZSTD);
}

/* Two compressed packets, every pair of cut points: the 7-byte headers and the payloads may be
 * split anywhere. Packet 1 stored (an ack-sized inner packet), packet 2 zlib. */
static void test_comp_header_split(void **state)
{
    (void)state;
    struct bbuf inner1 = {0}, inner2 = {0}, wire = {0};
    uint8_t pl[200];
    size_t n = make_ack_payload(pl, 12345, "mysql-bin.000007");
    bb_packet(&inner1, 0, pl, n);
    memset(pl, 'q', sizeof(pl));
    pl[0] = 0x03; /* COM_QUERY of 150 bytes: compressible */
    bb_packet(&inner2, 0, pl, 150);
    bb_comp_packet(&wire, 0, inner1.p, inner1.n, SS_COMP_NONE);
    size_t end1 = wire.n;
    bb_comp_packet(&wire, 1, inner2.p, inner2.n, SS_COMP_ZLIB);
    assert_true(wire.n < end1 + 7 + inner2.n); /* really compressed */
    char want[128];
    snprintf(want, sizeof(want), "B0/%zu E%zu@%zu B0/150 E150@%zu ", n, n, end1, wire.n);
    for (size_t a = 0; a <= wire.n; a++) {
        for (size_t b = a; b <= wire.n; b += 3) {
            struct frec r;
            struct ss_anomalies an;
            struct ss_framer *fr = mk(&r, &an, SS_ROLE_CLIENT, true);
            ss_framer_set_compress(fr, SS_COMP_ZLIB); /* known from the handshake */
            ss_framer_data(fr, wire.p, a, 0, 1, 1);
            ss_framer_data(fr, wire.p + a, b - a, a, 2, 2);
            ss_framer_data(fr, wire.p + b, wire.n - b, b, 3, 3);
            assert_string_equal(r.log, want);
            assert_int_equal(r.violations, 0);
            ss_framer_free(fr);
            frec_free(&r);
        }
    }
    free(inner1.p);
    free(inner2.p);
    free(wire.p);
}

/* Outer ids are checked (with the 0/1 restarts), inner ids are not. */
static void test_comp_seq(void **state)
{
    (void)state;
    static const uint8_t outer[] = {0, 1, 2, 0, 1, 7, 8, 1, 4};
    /* jumps: 1 → 7 and 1 → 4 (+2 would be an exchange step)      */
    struct bbuf wire = {0};
    for (size_t i = 0; i < sizeof(outer); i++) {
        struct bbuf in = {0};
        bb_packet(&in, (uint8_t)(i * 37), (const uint8_t *)"abc", 3); /* wild inner ids */
        bb_comp_packet(&wire, outer[i], in.p, in.n, SS_COMP_NONE);
        free(in.p);
    }
    struct frec r;
    struct ss_anomalies an;
    struct ss_framer *fr = mk(&r, &an, SS_ROLE_SERVER, true);
    ss_framer_set_compress(fr, SS_COMP_UNKNOWN);
    ss_framer_data(fr, wire.p, wire.n, 0, 1, 1);
    assert_int_equal(r.npk, sizeof(outer));
    assert_int_equal(an.n[SS_AN_FRAME_SEQ_JUMP], 2);
    ss_framer_free(fr);
    frec_free(&r);
    free(wire.p);
}

/* A stream of compressed packets each holding whole event packets (inner boundary at every
 * compressed boundary). cstart[k] = TCP offset of compressed packet k. */
static void build_aligned(struct bbuf *wire, int n, enum ss_compress alg, size_t *cstart,
                          size_t *npk_per, uint64_t *rng)
{
    uint8_t pl[3000];
    uint32_t pos = 4;
    for (int k = 0; k < n; k++) {
        struct bbuf in = {0};
        int m = 1 + (int)(xorshift(rng) % 3);
        for (int j = 0; j < m; j++) {
            uint32_t sz = 19 + (uint32_t)(xorshift(rng) % 600);
            pos += sz;
            size_t len = make_event_payload(pl, true, 0, 2, sz, pos, rng);
            /* compressible bodies: zero the tail so zlib/zstd really shrink them */
            if (len > 40)
                memset(pl + 40, 0, len - 40);
            bb_packet(&in, (uint8_t)j, pl, len);
        }
        cstart[k] = wire->n;
        npk_per[k] = (size_t)m;
        bb_comp_packet(wire, (uint8_t)(k + 1), in.p, in.n, k % 4 == 3 ? SS_COMP_NONE : alg);
        free(in.p);
    }
    cstart[n] = wire->n;
}

/* Mid-stream start: the framer finds compressed framing by itself and reports it. */
static void test_comp_midstream(void **state)
{
    (void)state;
    static const enum ss_compress algs[] = {SS_COMP_ZLIB, SS_COMP_ZSTD};
    for (size_t ai = 0; ai < SS_ARRAY_LEN(algs); ai++) {
        uint64_t rng = 3 + ai;
        enum { N = 30 };
        size_t cstart[N + 1], per[N];
        struct bbuf wire = {0};
        build_aligned(&wire, N, algs[ai], cstart, per, &rng);
        for (int t = 0; t < 20; t++) {
            size_t start = cstart[5] + (size_t)t * (cstart[6] - cstart[5]) / 20;
            size_t first = start == cstart[5] ? 5 : 6;
            size_t expect = 0;
            for (size_t k = first; k < N; k++)
                expect += per[k];
            struct frec r;
            struct ss_anomalies an;
            struct ss_framer *fr = mk(&r, &an, t % 2 ? SS_ROLE_UNKNOWN : SS_ROLE_SERVER, false);
            feed_chunks(fr, wire.p + start, wire.n - start, start, 1460, &rng);
            assert_int_equal(r.nresync, 1);
            assert_true(r.last_comp);
            assert_int_equal(r.skipped_total, cstart[first] - start);
            assert_int_equal(r.npk, expect);
            assert_int_equal(r.pk[r.npk - 1].end_off, wire.n);
            assert_int_equal(ss_framer_compress(fr), algs[ai]);
            assert_int_equal(an.n[SS_AN_COMPRESS_INFLATE_ERROR], 0);
            assert_int_equal(r.violations, 0);
            ss_framer_free(fr);
            frec_free(&r);
        }
        free(wire.p);
    }
}

/* A corrupted zlib payload: counted, the inner packet abandoned, then resync on a later
 * compressed packet; a wrong uncompressed length likewise. */
static void test_comp_errors(void **state)
{
    (void)state;
    uint64_t rng = 8;
    enum { N = 12 };
    size_t cstart[N + 1], per[N];
    struct bbuf wire = {0};
    build_aligned(&wire, N, SS_COMP_ZLIB, cstart, per, &rng);
    assert_int_not_equal(wire.p[cstart[4] + 6] | wire.p[cstart[4] + 5], 0); /* 4 is zlib */
    struct bbuf bad = {0};
    bb_put(&bad, wire.p, wire.n);
    /* flip bytes in the middle of packet 4's deflate data */
    size_t mid = cstart[4] + 7 + (cstart[5] - cstart[4] - 7) / 2;
    bad.p[mid] ^= 0xFF;
    bad.p[mid + 1] ^= 0x55;
    size_t before = 0;
    for (int k = 0; k < 4; k++)
        before += per[k];
    size_t after = 0;
    for (int k = 5; k < N; k++)
        after += per[k];
    struct frec r;
    struct ss_anomalies an;
    struct ss_framer *fr = mk(&r, &an, SS_ROLE_SERVER, true);
    ss_framer_set_compress(fr, SS_COMP_ZLIB);
    feed_chunks(fr, bad.p, bad.n, 0, 900, &rng);
    assert_int_equal(an.n[SS_AN_COMPRESS_INFLATE_ERROR] + an.n[SS_AN_COMPRESS_LENGTH_MISMATCH],
                     1);
    assert_int_equal(r.nlost, 1);
    assert_int_equal(r.nresync, 1);
    assert_true(r.last_comp);
    /* packet 4's events may partly come out before the error is seen; all of 5.. come out */
    assert_true(r.npk >= before + after && r.npk <= before + per[4] + after);
    assert_int_equal(r.pk[r.npk - 1].end_off, wire.n);
    assert_int_equal(r.violations, 0);
    ss_framer_free(fr);
    frec_free(&r);

    /* the uncompressed length field lies (one too big) */
    bb_put(&bad, wire.p, 0);
    memcpy(bad.p, wire.p, wire.n);
    size_t h = cstart[1];
    assert_int_not_equal(bad.p[h + 4] | bad.p[h + 5] | bad.p[h + 6], 0);
    put_le(bad.p + h + 4, ((uint32_t)bad.p[h + 4] | (uint32_t)bad.p[h + 5] << 8) + 1, 2);
    fr = mk(&r, &an, SS_ROLE_SERVER, true);
    ss_framer_set_compress(fr, SS_COMP_ZLIB);
    feed_chunks(fr, bad.p, bad.n, 0, 900, &rng);
    assert_int_equal(an.n[SS_AN_COMPRESS_LENGTH_MISMATCH], 1);
    assert_int_equal(r.nresync, 1);
    assert_int_equal(r.pk[r.npk - 1].end_off, wire.n);
    assert_int_equal(r.violations, 0);
    ss_framer_free(fr);
    frec_free(&r);
    free(bad.p);
    free(wire.p);
}

/* A gap inside a compressed packet: lost, then resync onto compressed framing again. */
static void test_comp_gap(void **state)
{
    (void)state;
    uint64_t rng = 31;
    enum { N = 16 };
    size_t cstart[N + 1], per[N];
    struct bbuf wire = {0};
    build_aligned(&wire, N, SS_COMP_ZSTD, cstart, per, &rng);
    struct frec r;
    struct ss_anomalies an;
    struct ss_framer *fr = mk(&r, &an, SS_ROLE_SERVER, true);
    ss_framer_set_compress(fr, SS_COMP_ZSTD);
    size_t cut = cstart[6] + 10, resume = cstart[7] + 3;
    feed_chunks(fr, wire.p, cut, 0, 1000, &rng);
    ss_framer_gap(fr, cut, resume - cut, 1, 1);
    assert_int_equal(an.n[SS_AN_FRAME_GAP_IN_PACKET], 1);
    feed_chunks(fr, wire.p + resume, wire.n - resume, resume, 1000, &rng);
    size_t expect = 0;
    for (int k = 0; k < N; k++)
        expect += k == 6 || k == 7 ? 0 : per[k];
    assert_int_equal(r.nresync, 1);
    assert_true(r.last_comp);
    assert_int_equal(r.skipped_total, cstart[8] - resume);
    assert_int_equal(r.npk, expect);
    assert_int_equal(r.violations, 0);
    ss_framer_free(fr);
    frec_free(&r);
    free(wire.p);
}

/* Acks on a compressed connection are stored packets with outer and inner seq 0. */
static void test_comp_ack_resync(void **state)
{
    (void)state;
    struct bbuf wire = {0};
    size_t st[11];
    uint8_t pl[64];
    for (int i = 0; i < 10; i++) {
        struct bbuf in = {0};
        bb_packet(&in, 0, pl, make_ack_payload(pl, 500 + (uint64_t)i, "mariadb-bin.000002"));
        st[i] = wire.n;
        bb_comp_packet(&wire, 0, in.p, in.n, SS_COMP_NONE);
        free(in.p);
    }
    st[10] = wire.n;
    struct frec r;
    struct ss_anomalies an;
    struct ss_framer *fr = mk(&r, &an, SS_ROLE_CLIENT, false);
    for (int i = 1; i < 10; i++) {
        size_t from = i == 1 ? st[1] + 5 : st[i];
        ss_framer_data(fr, wire.p + from, st[i + 1] - from, from, (uint64_t)i, (uint64_t)i);
    }
    assert_int_equal(r.nresync, 1);
    assert_true(r.last_comp);
    assert_int_equal(r.skipped_total, st[2] - st[1] - 5);
    assert_int_equal(r.npk, 8);
    assert_int_equal(ss_framer_compress(fr), SS_COMP_UNKNOWN); /* stored only: not known yet */
    ss_framer_free(fr);
    frec_free(&r);
    free(wire.p);
}

/* An inner packet of 0xFFFFFF + 5 bytes (continuation inside the inflated stream), sent as
 * compressed packets of at most 1 MiB uncompressed each. */
static void test_comp_large_inner(void **state)
{
    (void)state;
    size_t total = SSF_MAX_PIECE + 5;
    struct bbuf in = {0};
    uint8_t *h = bb_grow(&in, 4);
    put_le(h, SSF_MAX_PIECE, 3);
    h[3] = 1;
    memset(bb_grow(&in, SSF_MAX_PIECE), 0x5A, SSF_MAX_PIECE);
    bb_packet(&in, 2, (const uint8_t *)"\x5A\x5A\x5A\x5A\x5A", 5);
    struct bbuf wire = {0};
    uint8_t seq = 0;
    for (size_t at = 0; at < in.n; at += 1 << 20)
        bb_comp_packet(&wire, seq++, in.p + at, SS_MIN((size_t)1 << 20, in.n - at), SS_COMP_ZLIB);
    assert_true(wire.n < in.n / 100);
    struct frec r;
    struct ss_anomalies an;
    struct ss_framer *fr = mk(&r, &an, SS_ROLE_SERVER, true);
    ss_framer_set_compress(fr, SS_COMP_ZLIB);
    uint64_t rng = 4;
    feed_chunks(fr, wire.p, wire.n, 0, 1460, &rng);
    assert_int_equal(r.npk, 1);
    assert_int_equal(r.pk[0].first_len, SSF_MAX_PIECE);
    assert_int_equal(r.pk[0].total, total);
    assert_int_equal(r.pk[0].got, total);
    assert_int_equal(r.pk[0].end_off, wire.n);
    assert_int_equal(r.violations, 0);
    ss_framer_free(fr);
    frec_free(&r);
    free(in.p);
    free(wire.p);
}

/* Switching back to plain framing applies at the next compressed packet boundary. */
static void test_comp_switch_off(void **state)
{
    (void)state;
    struct bbuf wire = {0}, in = {0};
    bb_packet(&in, 0, (const uint8_t *)"one", 3);
    bb_packet(&in, 1, (const uint8_t *)"two", 3);
    bb_comp_packet(&wire, 0, in.p, in.n, SS_COMP_NONE);
    bb_packet(&wire, 2, (const uint8_t *)"plain", 5);
    struct frec r;
    struct ss_anomalies an;
    struct ss_framer *fr = mk(&r, &an, SS_ROLE_SERVER, true);
    ss_framer_set_compress(fr, SS_COMP_ZLIB);
    r.switch_at = 0; /* from end() of "one": takes effect after this compressed packet */
    r.switch_to = SS_COMP_NONE;
    ss_framer_data(fr, wire.p, wire.n, 0, 1, 1);
    assert_string_equal(r.log, "B0/3 E3@21 B1/3 E3@21 B2/5 E5@30 ");
    assert_int_equal(ss_framer_compress(fr), SS_COMP_NONE);
    ss_framer_free(fr);
    frec_free(&r);
    free(in.p);
    free(wire.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zlib_straddling),
        cmocka_unit_test(test_zstd_straddling),
        cmocka_unit_test(test_comp_header_split),
        cmocka_unit_test(test_comp_seq),
        cmocka_unit_test(test_comp_midstream),
        cmocka_unit_test(test_comp_errors),
        cmocka_unit_test(test_comp_gap),
        cmocka_unit_test(test_comp_ack_resync),
        cmocka_unit_test(test_comp_large_inner),
        cmocka_unit_test(test_comp_switch_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
