/* SPDX-License-Identifier: MIT */
/* test_mysql_frame.c: the plain MySQL framer — headers split at every byte, many packets per
 * chunk, one packet over many chunks, 0xFFFFFF continuation pieces, sequence ids, the size cap,
 * gaps, and resync (mid-stream start, random bytes, window overflow, real binlog files); recovery
 * after lost bytes: the known-length skip, ss_framer_resync, candidates judged by checksum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "decode/mysql_frame_priv.h"
#include "frame_recorder.h"

static struct ss_framer *mk(struct frec *r, struct ss_anomalies *an, enum ss_frame_role role,
                            bool synced, uint32_t window, uint64_t max_packet)
{
    memset(r, 0, sizeof(*r));
    memset(an, 0, sizeof(*an));
    struct ss_frame_cfg cfg = {role, synced, window, max_packet};
    struct ss_framer *fr = ss_framer_new(&cfg, &frec_ops, r, an);
    assert_non_null(fr);
    r->fr = fr;
    r->switch_at = -1;
    return fr;
}

/* Three packets: "hello" (seq 0), empty (seq 1), "abc" (seq 2). */
static const uint8_t three[] = {
    0x05, 0x00, 0x00, /* length 5 */
    0x00,             /* seq 0 */
    'h', 'e', 'l', 'l', 'o',
    0x00, 0x00, 0x00, /* length 0 */
    0x01,             /* seq 1 */
    0x03, 0x00, 0x00, /* length 3 */
    0x02,             /* seq 2 */
    'a', 'b', 'c',
};
static const char three_log[] = "B0/5 E5@9 B1/0 E0@13 B2/3 E3@20 ";

/* Every pair of cut points: 1, 2 or 3 chunks; the callbacks must not depend on them. */
static void test_split_every_position(void **state)
{
    (void)state;
    size_t n = sizeof(three);
    for (size_t a = 0; a <= n; a++) {
        for (size_t b = a; b <= n; b++) {
            struct frec r;
            struct ss_anomalies an;
            struct ss_framer *fr = mk(&r, &an, SS_ROLE_SERVER, true, 0, 0);
            ss_framer_data(fr, three, a, 0, 100, 1);
            ss_framer_data(fr, three + a, b - a, a, 200, 2);
            ss_framer_data(fr, three + b, n - b, b, 300, 3);
            assert_string_equal(r.log, three_log);
            assert_int_equal(r.violations, 0);
            assert_memory_equal(r.pk[0].head, "hello", 5);
            assert_memory_equal(r.pk[2].head, "abc", 3);
            /* begin comes with the chunk that completed the header */
            uint64_t want = a >= 4 ? 1 : b >= 4 ? 2 : 3;
            assert_int_equal(r.pk[0].frame_begin, want);
            assert_int_equal(an.n[SS_AN_FRAME_SEQ_JUMP], 0);
            assert_true(ss_framer_synced(fr));
            ss_framer_free(fr);
            frec_free(&r);
        }
    }
}

static void test_many_packets_per_chunk(void **state)
{
    (void)state;
    struct bbuf b = {0};
    uint64_t rng = 7;
    uint8_t pl[300];
    uint32_t crcs[100];
    for (int i = 0; i < 100; i++) {
        size_t n = (size_t)(xorshift(&rng) % sizeof(pl));
        for (size_t j = 0; j < n; j++)
            pl[j] = (uint8_t)xorshift(&rng);
        crcs[i] = (uint32_t)crc32(crc32(0, NULL, 0), pl, (uInt)n);
        bb_packet(&b, (uint8_t)i, pl, n);
    }
    struct frec r;
    struct ss_anomalies an;
    struct ss_framer *fr = mk(&r, &an, SS_ROLE_CLIENT, true, 0, 0);
    ss_framer_data(fr, b.p, b.n, 5000, 1, 1);
    assert_int_equal(r.npk, 100);
    assert_int_equal(r.violations, 0);
    assert_int_equal(r.npayload_calls > 0, 1);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(r.pk[i].seq, i);
        assert_int_equal(r.pk[i].crc, crcs[i]);
        assert_int_equal(r.pk[i].got, r.pk[i].total);
    }
    /* the last packet ends at the end of the chunk, offsets are TCP stream offsets */
    assert_int_equal(r.pk[99].end_off, 5000 + b.n);
    assert_int_equal(an.n[SS_AN_FRAME_SEQ_JUMP], 0);
    ss_framer_free(fr);
    frec_free(&r);
    free(b.p);
}

/* A 20-byte packet fed 7 bytes at a time: payload calls carry the logical offsets. */
static void test_one_packet_many_chunks(void **state)
{
    (void)state;
    struct bbuf b = {0};
    uint8_t pl[20];
    for (int i = 0; i < 20; i++)
        pl[i] = (uint8_t)i;
    bb_packet(&b, 3, pl, sizeof(pl));
    struct frec r;
    struct ss_anomalies an;
    struct ss_framer *fr = mk(&r, &an, SS_ROLE_SERVER, true, 0, 0);
    r.log_payload = true;
    for (size_t i = 0; i < b.n; i += 7)
        ss_framer_data(fr, b.p + i, SS_MIN((size_t)7, b.n - i), 100 + i, i, i / 7 + 1);
    assert_string_equal(r.log, "B3/20 P0+3 P3+7 P10+7 P17+3 E20@124 ");
    assert_int_equal(r.pk[0].frame_begin, 1);
    assert_int_equal(r.pk[0].frame_end, 4);
    assert_int_equal(r.violations, 0);
    ss_framer_free(fr);
    frec_free(&r);
    free(b.p);
}

/* 0xFFFFFF + 10 bytes, then (exact multiple) 0xFFFFFF + an empty final piece. */
static void test_continuation(void **state)
{
    (void)state;
    const size_t big = SSF_MAX_PIECE;
    struct bbuf b = {0};
    uint8_t *h = bb_grow(&b, 4);
    put_le(h, big, 3); /* first piece, seq 0 */
    h[3] = 0;
    uint8_t *body = bb_grow(&b, big);
    for (size_t i = 0; i < big; i++)
        body[i] = (uint8_t)(i * 31 + 7);
    uLong crc_big = crc32(crc32(0, NULL, 0), b.p + 4, (uInt)big);
    uint8_t tail[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    bb_packet(&b, 1, tail, sizeof(tail)); /* final piece, seq 1 */
    uLong crc_all = crc32(crc_big, tail, sizeof(tail));
    size_t first_end = b.n;
    bb_packet(&b, 2, (const uint8_t *)"ok", 2); /* the next packet, seq 2: no jump */

    uint64_t rng = 99;
    struct frec r;
    struct ss_anomalies an;
    struct ss_framer *fr = mk(&r, &an, SS_ROLE_SERVER, true, 0, 0);
    feed_chunks(fr, b.p, b.n, 0, 1 << 20, &rng);
    assert_int_equal(r.npk, 2);
    assert_int_equal(r.pk[0].first_len, big);
    assert_int_equal(r.pk[0].total, big + 10);
    assert_int_equal(r.pk[0].got, big + 10);
    assert_int_equal(r.pk[0].crc, (uint32_t)crc_all);
    assert_int_equal(r.pk[0].end_off, first_end);
    assert_int_equal(r.pk[1].total, 2);
    assert_int_equal(r.violations, 0);
    assert_int_equal(an.n[SS_AN_FRAME_SEQ_JUMP], 0);
    ss_framer_free(fr);
    frec_free(&r);

    /* exact multiple: the second piece has length 0 */
    b.n = 4 + big;
    bb_packet(&b, 1, NULL, 0);
    first_end = b.n;
    bb_packet(&b, 2, (const uint8_t *)"ok", 2);
    fr = mk(&r, &an, SS_ROLE_SERVER, true, 0, 0);
    feed_chunks(fr, b.p, b.n, 1000, 3 << 20, &rng);
    assert_int_equal(r.npk, 2);
    assert_int_equal(r.pk[0].total, big);
    assert_int_equal(r.pk[0].crc, (uint32_t)crc_big);
    assert_int_equal(r.pk[0].end_off, 1000 + first_end);
    assert_int_equal(r.pk[1].seq, 2);
    assert_int_equal(r.violations, 0);
    assert_int_equal(an.n[SS_AN_FRAME_SEQ_JUMP], 0);
    ss_framer_free(fr);
    frec_free(&r);
    free(b.p);
}

/* +1 (with the 255→0 wrap), 0 and 1 are normal; anything else is a jump. */
static void test_seq_jumps(void **state)
{
    (void)state;
    static const uint8_t seqs[] = {0, 1, 2, 5, 6, 0, 1, 2, 1, 9, 10, 255, 0, 3, 4, 254, 255, 0};
    /* jumps:                             ^5                ^9     ^255     ^3  ^254        */
    struct bbuf b = {0};
    for (size_t i = 0; i < sizeof(seqs); i++)
        bb_packet(&b, seqs[i], (const uint8_t *)"x", 1);
    struct frec r;
    struct ss_anomalies an;
    struct ss_framer *fr = mk(&r, &an, SS_ROLE_SERVER, true, 0, 0);
    ss_framer_data(fr, b.p, b.n, 0, 1, 1);
    assert_int_equal(r.npk, sizeof(seqs));
    assert_int_equal(an.n[SS_AN_FRAME_SEQ_JUMP], 5);
    ss_framer_free(fr);
    frec_free(&r);
    free(b.p);
}

/* The handshake seen per direction (MariaDB lab capture): server greeting 0, OK 2, then replies
 * 1 to each command; client login 1, auth-switch answer 3, commands 0. No jumps. */
static void test_seq_handshake(void **state)
{
    (void)state;
    static const uint8_t server[] = {0, 2, 4, 1, 1, 2, 3, 1, 2, 3};
    static const uint8_t client[] = {1, 3, 0, 0, 0, 0};
    for (int dir = 0; dir < 2; dir++) {
        const uint8_t *seqs = dir ? client : server;
        size_t n = dir ? sizeof(client) : sizeof(server);
        struct bbuf b = {0};
        for (size_t i = 0; i < n; i++)
            bb_packet(&b, seqs[i], (const uint8_t *)"x", 1);
        struct frec r;
        struct ss_anomalies an;
        struct ss_framer *fr = mk(&r, &an, dir ? SS_ROLE_CLIENT : SS_ROLE_SERVER, true, 0, 0);
        ss_framer_data(fr, b.p, b.n, 0, 1, 1);
        assert_int_equal(r.npk, n);
        assert_int_equal(an.n[SS_AN_FRAME_SEQ_JUMP], 0);
        ss_framer_free(fr);
        frec_free(&r);
        free(b.p);
    }
}

/* max_packet 10: a 25-byte packet delivers 10 payload bytes, ends with its true length, and
 * framing carries on. */
static void test_too_large(void **state)
{
    (void)state;
    struct bbuf b = {0};
    uint8_t pl[25];
    memset(pl, 0xAB, sizeof(pl));
    bb_packet(&b, 0, pl, sizeof(pl));
    bb_packet(&b, 1, pl, 4);
    struct frec r;
    struct ss_anomalies an;
    struct ss_framer *fr = mk(&r, &an, SS_ROLE_SERVER, true, 0, 10);
    uint64_t rng = 5;
    feed_chunks(fr, b.p, b.n, 0, 6, &rng);
    assert_int_equal(r.npk, 2);
    assert_int_equal(r.pk[0].got, 10);
    assert_int_equal(r.pk[0].total, 25);
    assert_int_equal(r.pk[0].end_off, 29);
    assert_int_equal(r.pk[1].got, 4);
    assert_int_equal(an.n[SS_AN_FRAME_TOO_LARGE], 1);
    assert_int_equal(r.violations, 0);
    ss_framer_free(fr);
    frec_free(&r);
    free(b.p);
}

/* A fake dump stream: n event packets (semisync header, flag on every 5th, seq reset to 1 after
 * it as the source does). Packet start offsets go to starts[] (n+1 entries, the last = end). */
static void build_dump(struct bbuf *b, int n, bool semisync, size_t *starts, uint64_t *rng)
{
    uint8_t pl[1200];
    uint8_t seq = 1;
    uint32_t pos = 4;
    for (int i = 0; i < n; i++) {
        uint32_t sz = 19 + (uint32_t)(xorshift(rng) % 1000);
        pos += sz;
        bool flag = semisync && i % 5 == 4;
        size_t len = make_event_payload(pl, semisync, flag, i % 3 ? 2 : 16, sz, pos, rng);
        starts[i] = b->n;
        bb_packet(b, seq, pl, len);
        seq = flag ? 1 : (uint8_t)(seq + 1);
    }
    starts[n] = b->n;
}

static void test_gap_mid_packet_then_resync(void **state)
{
    (void)state;
    uint64_t rng = 11;
    size_t st[41];
    struct bbuf b = {0};
    build_dump(&b, 40, true, st, &rng);
    struct frec r;
    struct ss_anomalies an;
    struct ss_framer *fr = mk(&r, &an, SS_ROLE_SERVER, true, 0, 0);
    /* events 0..9 and half of event 10 */
    size_t cut = st[10] + (st[11] - st[10]) / 2;
    feed_chunks(fr, b.p, cut, 0, 1400, &rng);
    assert_int_equal(r.npk, 11);
    /* lose the rest of event 10 and the first 30 bytes of event 11 */
    size_t resume = st[11] + 30;
    ss_framer_gap(fr, cut, resume - cut, 5, 5);
    assert_false(ss_framer_synced(fr));
    assert_int_equal(r.nlost_in, 1);
    assert_int_equal(r.npk, 10);
    assert_int_equal(an.n[SS_AN_FRAME_GAP_IN_PACKET], 1);
    feed_chunks(fr, b.p + resume, b.n - resume, resume, 1400, &rng);
    assert_int_equal(r.nresync, 1);
    assert_int_equal(r.skipped_total, st[12] - resume);
    assert_false(r.last_comp);
    assert_int_equal(r.npk, 10 + 28);
    for (int i = 12; i < 40; i++) {
        struct fpkt *p = &r.pk[10 + i - 12];
        assert_int_equal(p->end_off, st[i + 1]);
        assert_int_equal(p->total, st[i + 1] - st[i] - 4);
    }
    assert_int_equal(an.n[SS_AN_FRAME_RESYNC], 1);
    assert_int_equal(an.n[SS_AN_FRAME_RESYNC_SKIPPED_BYTES], st[12] - resume);
    assert_int_equal(an.n[SS_AN_FRAME_SEQ_JUMP], 0);
    assert_int_equal(r.violations, 0);

    /* a gap exactly at a packet boundary: lost(false), then resync with 0 skipped bytes */
    ss_framer_gap(fr, b.n, 100, 9, 9);
    assert_int_equal(r.nlost, 2);
    assert_int_equal(r.nlost_in, 1);
    assert_int_equal(an.n[SS_AN_FRAME_GAP_IN_PACKET], 1);
    ss_framer_free(fr);
    frec_free(&r);
    free(b.p);
}

/* Mid-stream start inside an event packet, with and without the semisync header, at every
 * offset of one packet. */
static void test_midstream_start(void **state)
{
    (void)state;
    for (int ss = 0; ss < 2; ss++) {
        uint64_t rng = 21 + (uint64_t)ss;
        size_t st[31];
        struct bbuf b = {0};
        build_dump(&b, 30, ss, st, &rng);
        for (size_t start = st[3]; start <= st[4]; start++) {
            struct frec r;
            struct ss_anomalies an;
            struct ss_framer *fr = mk(&r, &an, SS_ROLE_SERVER, false, 0, 0);
            feed_chunks(fr, b.p + start, b.n - start, start, 1500, &rng);
            size_t first = start == st[3] ? 3 : 4;
            assert_int_equal(r.nresync, 1);
            assert_int_equal(r.skipped_total, st[first] - start);
            assert_int_equal(r.npk, 30 - first);
            assert_int_equal(r.pk[0].end_off, st[first + 1]);
            assert_int_equal(r.pk[r.npk - 1].end_off, b.n);
            assert_int_equal(an.n[SS_AN_FRAME_SEQ_JUMP], 0);
            assert_int_equal(r.violations, 0);
            ss_framer_free(fr);
            frec_free(&r);
        }
        free(b.p);
    }
}

/* A row event whose body holds a complete, valid-looking event packet (a BLOB of replicated
 * binlog bytes, say): started before it, the resync must not stop at the decoy, because the bytes
 * after the decoy do not continue it; it lands on the real next event. */
static void test_decoy_inside_event(void **state)
{
    (void)state;
    uint64_t rng = 404;
    uint8_t decoy[4 + 200];
    put_le(decoy, 200, 3);                                           /* length 200 */
    decoy[3] = 9;                                                    /* seq 9 */
    make_event_payload(decoy + 4, true, 1, SS_EV_XID, 197, 900000, &rng); /* 00 EF 01 + event */
    uint8_t ev[2000];
    make_event(ev, SS_EV_WRITE_ROWS, sizeof(ev), 50000, &rng);
    memcpy(ev + 300, decoy, sizeof(decoy));
    struct bbuf b = {0};
    uint8_t pl[2100];
    size_t st[4];
    uint8_t seq = 1;
    for (int i = 0; i < 3; i++) {
        st[i] = b.n;
        pl[0] = 0;
        pl[1] = SS_SEMISYNC_MAGIC;
        pl[2] = 0;
        if (i == 0) {
            memcpy(pl + 3, ev, sizeof(ev));
            bb_packet(&b, seq++, pl, 3 + sizeof(ev));
        } else {
            bb_packet(&b, seq++, pl,
                      make_event_payload(pl, true, 0, SS_EV_QUERY, 60, 50000 + 60 * (uint32_t)i,
                                         &rng));
        }
    }
    st[3] = b.n;
    for (size_t start = 10; start < 4 + 3 + 300; start += 37) {
        struct frec r;
        struct ss_anomalies an;
        struct ss_framer *fr = mk(&r, &an, SS_ROLE_SERVER, false, 0, 0);
        feed_chunks(fr, b.p + start, b.n - start, start, 4000, &rng);
        assert_int_equal(r.nresync, 1);
        assert_int_equal(r.skipped_total, st[1] - start);
        assert_int_equal(r.npk, 2);
        ss_framer_free(fr);
        frec_free(&r);
    }
    free(b.p);
}

/* Acks: start in the middle of one, find the next. */
static void test_client_ack_resync(void **state)
{
    (void)state;
    struct bbuf b = {0};
    size_t st[21];
    uint8_t pl[64];
    for (int i = 0; i < 20; i++) {
        st[i] = b.n;
        size_t n = make_ack_payload(pl, 1000 + 100 * (uint64_t)i, "master-bin.000001");
        bb_packet(&b, 0, pl, n);
    }
    st[20] = b.n;
    for (size_t start = st[2] + 1; start < st[3]; start++) {
        struct frec r;
        struct ss_anomalies an;
        struct ss_framer *fr = mk(&r, &an, SS_ROLE_CLIENT, false, 0, 0);
        /* one ack per TCP segment, as the replica writes them */
        for (int i = 2; i < 20; i++) {
            size_t from = SS_MAX(st[i], start);
            ss_framer_data(fr, b.p + from, st[i + 1] - from, from, (uint64_t)i, (uint64_t)i);
        }
        assert_int_equal(r.nresync, 1);
        assert_int_equal(r.skipped_total, st[3] - start);
        assert_int_equal(r.npk, 17);
        assert_int_equal(r.pk[0].frame_begin, 3);
        assert_memory_equal(r.pk[0].head, pl, 1);
        assert_int_equal(r.violations, 0);
        ss_framer_free(fr);
        frec_free(&r);
    }
    free(b.p);
}

/* 32 MiB of random bytes in random chunks: no packet, no resync, every byte counted skipped. */
static void test_random_bytes_no_false_packets(void **state)
{
    (void)state;
    const size_t total = (size_t)32 << 20;
    uint8_t *buf = malloc(total);
    assert_non_null(buf);
    uint64_t rng = 0x9E3779B97F4A7C15u;
    for (size_t i = 0; i < total; i += 8) {
        uint64_t v = xorshift(&rng);
        memcpy(buf + i, &v, 8);
    }
    static const enum ss_frame_role roles[] = {SS_ROLE_UNKNOWN, SS_ROLE_SERVER, SS_ROLE_CLIENT};
    for (size_t k = 0; k < SS_ARRAY_LEN(roles); k++) {
        struct frec r;
        struct ss_anomalies an;
        struct ss_framer *fr = mk(&r, &an, roles[k], false, 0, 0);
        /* the unknown role (every check) gets all 32 MiB; the others an eighth each */
        size_t n = k == 0 ? total : total / 8;
        feed_chunks(fr, buf, n, 0, 3000, &rng);
        assert_int_equal(r.nresync, 0);
        assert_int_equal(r.npk, 0);
        assert_true(fr->win_n <= fr->cfg.resync_window);
        ss_framer_free(fr);
        assert_int_equal(an.n[SS_AN_FRAME_RESYNC], 0);
        assert_int_equal(an.n[SS_AN_FRAME_RESYNC_SKIPPED_BYTES], n);
        frec_free(&r);
    }
    free(buf);
}

/* A 17 MiB row event of random bytes (two pieces: 0xFFFFFF + the rest), then small events.
 * Started 1 MiB into it, the resync must see nothing in the row data nor at the continuation
 * header, and land exactly on the next event. */
static void test_big_random_event(void **state)
{
    (void)state;
    uint64_t rng = 0xB16;
    const uint32_t ev_size = 17u << 20;
    size_t total = 3 + (size_t)ev_size; /* 00 EF 00 + event */
    uint8_t *pl = malloc(total);
    assert_non_null(pl);
    make_event_payload(pl, true, 0, SS_EV_WRITE_ROWS, ev_size, ev_size + 1000, &rng);
    struct bbuf b = {0};
    uint8_t *h = bb_grow(&b, 4);
    put_le(h, SSF_MAX_PIECE, 3);
    h[3] = 7;
    bb_put(&b, pl, SSF_MAX_PIECE);
    bb_packet(&b, 8, pl + SSF_MAX_PIECE, total - SSF_MAX_PIECE);
    size_t next = b.n;
    uint8_t small[200];
    for (int i = 0; i < 3; i++)
        bb_packet(&b, (uint8_t)(9 + i), small,
                  make_event_payload(small, true, 0, SS_EV_XID, 31, ev_size + 2000 + 31 * (uint32_t)i,
                                     &rng));
    struct frec r;
    struct ss_anomalies an;
    struct ss_framer *fr = mk(&r, &an, SS_ROLE_UNKNOWN, false, 0, 0);
    size_t start = 1u << 20;
    feed_chunks(fr, b.p + start, b.n - start, start, 1460, &rng);
    assert_int_equal(r.nresync, 1);
    assert_int_equal(r.skipped_total, next - start);
    assert_int_equal(r.npk, 3);
    assert_int_equal(r.pk[2].end_off, b.n);
    ss_framer_free(fr);
    frec_free(&r);

    /* and from the start, synced: one logical packet, no anomaly */
    fr = mk(&r, &an, SS_ROLE_SERVER, true, 0, 0);
    feed_chunks(fr, b.p, b.n, 0, 1 << 16, &rng);
    assert_int_equal(r.npk, 4);
    assert_int_equal(r.pk[0].total, total);
    assert_int_equal(r.pk[0].end_off, next);
    assert_int_equal(an.n[SS_AN_FRAME_SEQ_JUMP], 0);
    ss_framer_free(fr);
    frec_free(&r);
    free(pl);
    free(b.p);
}

/* 300 KiB of noise then a dump stream, through a 4 KiB window: memory stays within the window
 * and the first event is found with the exact skip count. */
static void test_window_overflow(void **state)
{
    (void)state;
    uint64_t rng = 0xC0FFEE;
    struct bbuf b = {0};
    size_t noise = 300 * 1024;
    for (size_t i = 0; i < noise; i++)
        *bb_grow(&b, 1) = (uint8_t)xorshift(&rng);
    size_t st[21];
    struct bbuf d = {0};
    build_dump(&d, 20, true, st, &rng);
    bb_put(&b, d.p, d.n);
    struct frec r;
    struct ss_anomalies an;
    struct ss_framer *fr = mk(&r, &an, SS_ROLE_SERVER, false, 4096, 0);
    size_t i = 0;
    uint64_t frame = 1;
    while (i < b.n) {
        size_t k = SS_MIN(b.n - i, (size_t)(1 + xorshift(&rng) % 1500));
        ss_framer_data(fr, b.p + i, k, i, frame, frame);
        assert_true(fr->win_n <= 4096);
        i += k;
        frame++;
    }
    assert_int_equal(r.nresync, 1);
    assert_int_equal(r.skipped_total, noise);
    assert_int_equal(an.n[SS_AN_FRAME_RESYNC_SKIPPED_BYTES], noise);
    assert_int_equal(r.npk, 20);
    assert_int_equal(r.pk[19].end_off, b.n);
    ss_framer_free(fr);
    frec_free(&r);
    free(b.p);
    free(d.p);
}

/* Read a whole (small) test file. */
static uint8_t *slurp(const char *rel, size_t *n)
{
    const char *dir = getenv("SEMISCOPE_TESTDATA");
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir ? dir : "/work/shared/testdata", rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct bbuf b = {0};
    uint8_t tmp[65536];
    size_t k;
    while ((k = fread(tmp, 1, sizeof(tmp), f)) > 0)
        bb_put(&b, tmp, k);
    fclose(f);
    *n = b.n;
    return b.p;
}

/* Real binlog files wrapped as a dump stream (00 [EF flag] event per packet, the flag on XIDs,
 * seq back to 1 after each flagged event), started at many arbitrary offsets: the resync lands on
 * the first event boundary after the start and every later event comes out whole. */
static void check_binlog_file(const char *rel)
{
    size_t fn = 0;
    uint8_t *file = slurp(rel, &fn);
    if (!file) {
        fail_msg("test binlog %s missing", rel);
        return;
    }
    assert_true(fn > 4 && memcmp(file, "\xfe" "bin", 4) == 0);
    for (int ss = 0; ss < 2; ss++) {
        struct bbuf b = {0};
        size_t *st = malloc(sizeof(size_t) * (fn / 19 + 2));
        uint32_t *crc = malloc(sizeof(uint32_t) * (fn / 19 + 2));
        size_t nev = 0;
        uint8_t seq = 1;
        uint8_t pl[3];
        for (size_t o = 4; o + 19 <= fn;) {
            uint32_t sz = (uint32_t)file[o + 9] | (uint32_t)file[o + 10] << 8 |
                          (uint32_t)file[o + 11] << 16 | (uint32_t)file[o + 12] << 24;
            if (sz < 19 || o + sz > fn)
                break;
            bool flag = ss && file[o + 4] == SS_EV_XID;
            size_t hl = 0;
            pl[hl++] = 0;
            if (ss) {
                pl[hl++] = SS_SEMISYNC_MAGIC;
                pl[hl++] = flag;
            }
            st[nev] = b.n;
            uint8_t *h = bb_grow(&b, 4);
            put_le(h, hl + sz, 3);
            h[3] = seq;
            bb_put(&b, pl, hl);
            bb_put(&b, file + o, sz);
            crc[nev] = (uint32_t)crc32(crc32(crc32(0, NULL, 0), pl, (uInt)hl), file + o, sz);
            nev++;
            seq = flag ? 1 : (uint8_t)(seq + 1);
            o += sz;
        }
        st[nev] = b.n;
        assert_true(nev >= 3);
        uint64_t rng = 0xB1 + (uint64_t)ss;
        for (int t = 0; t < 12; t++) {
            size_t start = t == 0 ? st[1] : (size_t)(xorshift(&rng) % st[nev - 2]);
            size_t first = 0;
            while (st[first] < start)
                first++;
            struct frec r;
            struct ss_anomalies an;
            struct ss_framer *fr = mk(&r, &an, t % 2 ? SS_ROLE_UNKNOWN : SS_ROLE_SERVER, false, 0,
                                      0);
            feed_chunks(fr, b.p + start, b.n - start, start, 1 + (size_t)(t * 97 % 1460), &rng);
            assert_int_equal(r.nresync, 1);
            assert_int_equal(r.skipped_total, st[first] - start);
            assert_int_equal(r.npk, nev - first);
            for (size_t i = first; i < nev; i++) {
                assert_int_equal(r.pk[i - first].end_off, st[i + 1]);
                assert_int_equal(r.pk[i - first].crc, crc[i]);
            }
            assert_int_equal(an.n[SS_AN_FRAME_SEQ_JUMP], 0);
            assert_int_equal(r.violations, 0);
            ss_framer_free(fr);
            frec_free(&r);
        }
        free(st);
        free(crc);
        free(b.p);
    }
    free(file);
}

static void test_real_binlogs(void **state)
{
    (void)state;
    check_binlog_file("mariadb-poc/domain_id_0/mariadb-repl-bin.000005"); /* MariaDB 11.8 */
    check_binlog_file("percona-binlog-server/data_80045_gtid/binlog.000001"); /* MySQL 8.0.45 */
    check_binlog_file("kingbus/binlog/mysql_bin.000011");
    check_binlog_file("canal/mysql-bin.000001");
}

/* A gap while still resyncing: the held bytes are dropped (counted as skipped), lost(false) is
 * reported, and the scan starts afresh after the gap. */
static void test_gap_while_resyncing(void **state)
{
    (void)state;
    uint64_t rng = 77;
    size_t st[11];
    struct bbuf b = {0};
    build_dump(&b, 10, true, st, &rng);
    struct frec r;
    struct ss_anomalies an;
    struct ss_framer *fr = mk(&r, &an, SS_ROLE_SERVER, false, 0, 0);
    /* the middle of event 2 only: nothing to find yet */
    size_t a = st[2] + 10, z = st[3] - 5;
    ss_framer_data(fr, b.p + a, z - a, a, 1, 1);
    assert_int_equal(r.nresync, 0);
    assert_int_equal(fr->win_n, z - a);
    ss_framer_gap(fr, z, st[5] + 1 - z, 2, 2);
    assert_string_equal(r.log, "L0 ");
    assert_int_equal(an.n[SS_AN_FRAME_RESYNC_SKIPPED_BYTES], z - a);
    assert_int_equal(an.n[SS_AN_FRAME_GAP_IN_PACKET], 0);
    feed_chunks(fr, b.p + st[5] + 1, b.n - st[5] - 1, st[5] + 1, 700, &rng);
    assert_int_equal(r.nresync, 1);
    assert_int_equal(r.skipped_total, st[6] - st[5] - 1);
    assert_int_equal(r.npk, 4);
    assert_int_equal(an.n[SS_AN_FRAME_RESYNC_SKIPPED_BYTES], z - a + st[6] - st[5] - 1);
    ss_framer_free(fr);
    frec_free(&r);
    free(b.p);
}

/* ---- recovery after lost bytes (issue 4) ---- */

/* A gap inside an event's payload, ending at or before the event's end: the header told where the
 * next packet starts, so framing carries on there — lost(true) once, no resync, nothing skipped,
 * every later packet exact. A gap that does not start where the data ended, or that runs into
 * the next header, can only be followed by a resync. */
static void test_skip_known_length(void **state)
{
    (void)state;
    uint64_t rng = 41;
    size_t st[21];
    struct bbuf b = {0};
    build_dump(&b, 20, true, st, &rng);
    size_t cut = st[8] + 4 + 10;           /* 10 payload bytes of event 8 delivered */
    size_t to_end = st[9] - cut;           /* payload bytes of event 8 still to come */
    /* kind 0: half of the rest lost; 1: all of it, up to the next header exactly; 2: the gap is
     * not where the data ended; 3: the gap swallows 2 bytes of event 9's header */
    for (int kind = 0; kind < 4; kind++) {
        size_t len = kind == 0 ? to_end / 2 : kind == 2 ? to_end - 1 : kind == 3 ? to_end + 2
                                                                               : to_end;
        struct frec r;
        struct ss_anomalies an;
        struct ss_framer *fr = mk(&r, &an, SS_ROLE_SERVER, true, 0, 0);
        feed_chunks(fr, b.p, cut, 0, 700, &rng);
        assert_int_equal(r.npk, 9); /* event 8 begun */
        ss_framer_gap(fr, kind == 2 ? cut + 1 : cut, len, 5, 5);
        assert_int_equal(r.nlost_in, 1);
        assert_int_equal(an.n[SS_AN_FRAME_GAP_IN_PACKET], 1);
        size_t resume = (kind == 2 ? cut + 1 : cut) + len;
        feed_chunks(fr, b.p + resume, b.n - resume, resume, 700, &rng);
        if (kind < 2) {
            assert_true(ss_framer_synced(fr));
            assert_int_equal(r.nresync, 0);
            assert_int_equal(r.npk, 19); /* all but event 8 */
            for (int i = 9; i < 20; i++) {
                assert_int_equal(r.pk[i - 1].end_off, st[i + 1]);
                assert_int_equal(r.pk[i - 1].total, st[i + 1] - st[i] - 4);
            }
            assert_int_equal(an.n[SS_AN_FRAME_RESYNC], 0);
            assert_int_equal(an.n[SS_AN_FRAME_RESYNC_SKIPPED_BYTES], 0);
        } else {
            /* kind 2 lands on event 9 (its header is intact), kind 3 on event 10 */
            size_t land = kind == 2 ? 9 : 10;
            assert_int_equal(r.nresync, 1);
            assert_int_equal(r.skipped_total, st[land] - resume);
            assert_int_equal(r.pk[8].end_off, st[land + 1]);
        }
        assert_int_equal(an.n[SS_AN_FRAME_SEQ_JUMP], 0);
        assert_int_equal(r.violations, 0);
        ss_framer_free(fr);
        frec_free(&r);
    }
    free(b.p);
}

/* A packet of a 0xFFFFFF piece and a 10-byte continuation, then 3 events. A gap in the first
 * piece is skipped by length; the continuation header is still read (its sequence id checked),
 * the continuation skipped too (a second gap in it reports lost(false)), and the events follow
 * without a resync. A gap that swallows the continuation header leaves only a resync. */
static void test_skip_across_continuation(void **state)
{
    (void)state;
    uint64_t rng = 0x5EED;
    struct bbuf b = {0};
    uint8_t *h = bb_grow(&b, 4);
    put_le(h, SSF_MAX_PIECE, 3);           /* first piece: 0xFFFFFF bytes */
    h[3] = 1;                              /* seq 1 */
    uint8_t *body = bb_grow(&b, SSF_MAX_PIECE);
    memset(body, 0x5A, SSF_MAX_PIECE);     /* row bytes: never a candidate */
    body[0] = 0x00;
    size_t cont = b.n;                     /* the continuation header */
    uint8_t tail[10];
    memset(tail, 0x5A, sizeof(tail));
    bb_packet(&b, 2, tail, sizeof(tail));  /* continuation piece, seq 2 */
    size_t ev0 = b.n;
    uint8_t pl[64];
    for (int i = 0; i < 3; i++)
        bb_packet(&b, (uint8_t)(3 + i), pl,
                  make_event_payload(pl, true, 0, SS_EV_XID, 31, 0x1000000 + 31 * (uint32_t)i,
                                     &rng));
    for (int kind = 0; kind < 2; kind++) {
        struct frec r;
        struct ss_anomalies an;
        struct ss_framer *fr = mk(&r, &an, SS_ROLE_SERVER, true, 0, 0);
        r.log_payload = false;
        size_t g1 = kind == 0 ? 4000 : cont - 3; /* kind 1: the gap takes the whole header */
        size_t l1 = kind == 0 ? 1 << 20 : 10;
        feed_chunks(fr, b.p, g1, 0, 1 << 20, &rng);
        ss_framer_gap(fr, g1, l1, 5, 5);
        if (kind == 0) {
            /* into the continuation piece: 2 bytes, then a second gap of 3 */
            size_t a = g1 + l1, z = cont + 4 + 2;
            feed_chunks(fr, b.p + a, z - a, a, 1 << 20, &rng);
            assert_true(ss_framer_synced(fr));
            ss_framer_gap(fr, z, 3, 6, 6);
            feed_chunks(fr, b.p + z + 3, b.n - z - 3, z + 3, 1 << 20, &rng);
            assert_int_equal(r.nresync, 0);
            assert_int_equal(r.nlost, 2);
            assert_int_equal(r.nlost_in, 1);
            assert_int_equal(an.n[SS_AN_FRAME_GAP_IN_PACKET], 2);
            assert_int_equal(r.npk, 3);
            assert_int_equal(r.pk[0].seq, 3);
            assert_int_equal(r.pk[0].end_off, ev0 + 38);
            assert_int_equal(r.pk[2].end_off, b.n);
            /* begin, lost (in the packet), lost (no packet begun), then the events, exact */
            assert_string_equal(r.log, "B1/16777215 L1 L0 B3/34 E34@16777271 B4/34 E34@16777309 "
                                       "B5/34 E34@16777347 ");
        } else {
            feed_chunks(fr, b.p + g1 + l1, b.n - g1 - l1, g1 + l1, 1 << 20, &rng);
            assert_int_equal(r.nlost_in, 1);
            assert_int_equal(r.nresync, 1);
            assert_int_equal(r.skipped_total, ev0 - (g1 + l1));
            assert_int_equal(r.npk, 3);
        }
        assert_int_equal(an.n[SS_AN_FRAME_SEQ_JUMP], 0);
        assert_int_equal(r.violations, 0);
        ss_framer_free(fr);
        frec_free(&r);
    }
    free(b.p);
}

/* ss_framer_resync: the caller rejects a packet the resync led to. Still held in the scan
 * window, the scan starts again at the bad packet's second byte (and lands on the next packet,
 * the bad one counted as skipped); once framing runs on direct input, at the next byte. */
static void test_forced_resync(void **state)
{
    (void)state;
    uint64_t rng = 0xF0C;
    size_t st[31];
    struct bbuf b = {0};
    build_dump(&b, 30, true, st, &rng);
    size_t start = st[3] + 7;
    /* case 0: in end() of the first packet, all bytes in one call (replayed from the window);
     * 1: the same in chunks; 2: in begin() of the first packet; 3: in end() of the 15th,
     * long after the window was replayed */
    for (int kind = 0; kind < 4; kind++) {
        struct frec r;
        struct ss_anomalies an;
        struct ss_framer *fr = mk(&r, &an, SS_ROLE_SERVER, false, 0, 0);
        ss_framer_resync(fr); /* while resyncing: nothing to abandon */
        assert_int_equal(an.n[SS_AN_FRAME_RESYNC_FORCED], 0);
        r.resync_after = kind == 3 ? 15 : 1;
        r.resync_in_begin = kind == 2;
        if (kind == 0)
            ss_framer_data(fr, b.p + start, b.n - start, start, 1, 1);
        else
            feed_chunks(fr, b.p + start, b.n - start, start, 1500, &rng);
        assert_int_equal(r.nforced, 1);
        assert_int_equal(an.n[SS_AN_FRAME_RESYNC_FORCED], 1);
        assert_int_equal(r.nresync, 2);
        assert_int_equal(an.n[SS_AN_FRAME_RESYNC], 2);
        size_t bad = kind == 3 ? 4 + 14 : 4;     /* the packet rejected */
        size_t skipped2 = kind == 3 ? 0 : st[bad + 1] - st[bad];
        assert_int_equal(r.skipped_total, st[4] - start + skipped2);
        assert_int_equal(r.npk, 30 - 4 - 1);    /* events 4..29 less the rejected one */
        assert_int_equal(r.pk[r.npk - 1].end_off, b.n);
        if (kind != 3)
            assert_int_equal(r.pk[0].end_off, st[6]);
        assert_int_equal(r.violations, 0);
        ss_framer_free(fr);
        frec_free(&r);
    }
    free(b.p);
}

/* A row event holding a planted pair: an XID packet and the header of a GTID packet, with the
 * rest of the GTID being row bytes. Scanned from inside the row, the pair looks like the stream
 * (framing, types, sizes, positions, sequence ids all agree) but not its checksums. `xid_ok`:
 * the XID's CRC verifies (else the GTID would, were it whole: it gets a valid one then). */
static void build_planted(struct bbuf *b, bool xid_ok, size_t *real_next, uint64_t *rng)
{
    uint8_t row[700];
    make_event(row, SS_EV_WRITE_ROWS, sizeof(row), 5000, rng);
    uint8_t *d = row + 100;
    put_le(d, 3 + 31, 3);                  /* planted XID packet: length 34 */
    d[3] = 7;                              /* seq 7 */
    make_event_payload(d + 4, true, 1, SS_EV_XID, 31, 6000, rng); /* 00 EF 01 + XID */
    if (xid_ok)
        seal_event(d + 7, 31);
    uint8_t *g = d + 38;
    put_le(g, 3 + 42, 3);                  /* planted GTID packet: length 45 */
    g[3] = 8;                              /* seq 8 */
    make_event_payload(g + 4, true, 0, SS_EV_MARIA_GTID, 42, 6042, rng);
    if (!xid_ok)
        seal_event(g + 7, 42);
    seal_event(row, sizeof(row));
    uint8_t pl[800];
    pl[0] = 0x00;                          /* the real row event packet: 00 EF 00 + event */
    pl[1] = SS_SEMISYNC_MAGIC;
    pl[2] = 0;
    memcpy(pl + 3, row, sizeof(row));
    bb_packet(b, 1, pl, 3 + sizeof(row));
    *real_next = b->n;
    for (int i = 0; i < 4; i++) {          /* real events after it, CRCs valid */
        uint8_t ev[64];
        size_t n = make_event_payload(ev, true, i == 3, SS_EV_XID, 31, 5000 + 31 * (uint32_t)i,
                                      rng);
        seal_event(ev + 3, 31);
        bb_packet(b, (uint8_t)(2 + i), ev, n);
    }
}

/* With CRC32 known the scan requires checksums that verify (of the candidate and of the packet
 * confirming it, when held whole); with the algorithm unknown, the two must agree. Either way
 * the planted pair is passed over and the scan lands on the real next event. Told "no
 * checksums", the scan has nothing to tell them apart: it takes the plant (the rule decides). */
static void test_resync_candidate_crc(void **state)
{
    (void)state;
    for (int xid_ok = 0; xid_ok < 2; xid_ok++) {
        for (int alg = -1; alg <= 1; alg++) {
            uint64_t rng = 0xC4C + (uint64_t)xid_ok;
            struct bbuf b = {0};
            size_t next;
            build_planted(&b, xid_ok, &next, &rng);
            struct frec r;
            struct ss_anomalies an;
            struct ss_framer *fr = mk(&r, &an, SS_ROLE_SERVER, false, 0, 0);
            ss_framer_set_checksum(fr, alg);
            size_t start = 4 + 3 + 19 + 10;   /* inside the row, before the plant */
            ss_framer_data(fr, b.p + start, b.n - start, start, 1, 1);
            assert_int_equal(r.nresync, 1);
            size_t plant = 4 + 3 + 100;       /* the planted XID's header */
            if (alg == 0) {
                assert_int_equal(r.skipped_total, plant - start);
            } else {
                assert_int_equal(r.skipped_total, next - start);
                assert_int_equal(r.npk, 4);
            }
            assert_int_equal(r.violations, 0);
            ss_framer_free(fr);
            frec_free(&r);
            free(b.p);
        }
    }
}

/* stop(): later bytes are counted, never parsed. */
static void test_stop(void **state)
{
    (void)state;
    struct frec r;
    struct ss_anomalies an;
    struct ss_framer *fr = mk(&r, &an, SS_ROLE_SERVER, true, 0, 0);
    ss_framer_data(fr, three, 9, 0, 1, 1);
    ss_framer_stop(fr);
    ss_framer_data(fr, three + 9, sizeof(three) - 9, 9, 2, 2);
    assert_string_equal(r.log, "B0/5 E5@9 ");
    assert_int_equal(an.n[SS_AN_FRAME_UNSYNCED_DATA], sizeof(three) - 9);
    assert_false(ss_framer_synced(fr));
    ss_framer_free(fr);
    frec_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_every_position),
        cmocka_unit_test(test_many_packets_per_chunk),
        cmocka_unit_test(test_one_packet_many_chunks),
        cmocka_unit_test(test_continuation),
        cmocka_unit_test(test_seq_jumps),
        cmocka_unit_test(test_seq_handshake),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_gap_mid_packet_then_resync),
        cmocka_unit_test(test_midstream_start),
        cmocka_unit_test(test_decoy_inside_event),
        cmocka_unit_test(test_client_ack_resync),
        cmocka_unit_test(test_random_bytes_no_false_packets),
        cmocka_unit_test(test_big_random_event),
        cmocka_unit_test(test_window_overflow),
        cmocka_unit_test(test_real_binlogs),
        cmocka_unit_test(test_gap_while_resyncing),
        cmocka_unit_test(test_stop),
        cmocka_unit_test(test_skip_known_length),
        cmocka_unit_test(test_skip_across_continuation),
        cmocka_unit_test(test_forced_resync),
        cmocka_unit_test(test_resync_candidate_crc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
