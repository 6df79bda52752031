/* SPDX-License-Identifier: MIT */
/* frame_recorder.h: test helper for the MySQL framer — an ss_frame_ops implementation that
 * records every callback (a compact text log plus one summary per packet) and checks the framer's
 * own contract (payload offsets continuous, end only after begin), and builders for fake event
 * packets, acks and compressed packets. Shared by test_mysql_frame.c and test_mysql_compress.c. */
#ifndef SEMISCOPE_TEST_FRAME_RECORDER_H
#define SEMISCOPE_TEST_FRAME_RECORDER_H

#include "semiscope/binlog.h"
#include "semiscope/mysql_frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

struct fpkt {
    uint8_t seq;
    uint32_t first_len;
    uint64_t total;       /* from end() */
    uint64_t got;         /* payload bytes delivered */
    uint64_t end_off;
    uint32_t crc;         /* crc32 of the delivered payload */
    uint8_t head[32];     /* first payload bytes */
    uint64_t frame_begin, frame_end;
};

struct frec {
    struct fpkt *pk;
    size_t npk, cap;
    bool in;
    uint64_t next_off;
    int violations;       /* contract breaches by the framer */
    int nlost, nlost_in, nresync, npayload_calls;
    uint64_t skipped_total;
    bool last_comp;
    char log[16384];
    size_t logn;
    bool log_payload;
    /* optional: switch compression in end() of packet number switch_at (0-based) */
    struct ss_framer *fr;
    long switch_at;
    enum ss_compress switch_to;
    /* optional: call ss_framer_resync (as a validating caller does) in end() of packet number
     * resync_after (1-based; 0 never), or in its begin() when resync_in_begin (the packet is then
     * dropped by the recorder, as the caller drops it) */
    long resync_after;
    bool resync_in_begin;
    int nforced;
};

/* Append to the text log (silently truncated when full; tests keep logs short). */
#define FREC_LOG(r, ...)                                                                           \
    do {                                                                                           \
        if ((r)->logn + 64 < sizeof((r)->log)) {                                                   \
            int k_ = snprintf((r)->log + (r)->logn, sizeof((r)->log) - (r)->logn, __VA_ARGS__);    \
            if (k_ > 0)                                                                            \
                (r)->logn += (size_t)k_;                                                           \
        }                                                                                          \
    } while (0)

static inline void frec_begin(void *ctx, uint8_t seq, uint32_t first_len, uint64_t ts,
                              uint64_t frame)
{
    struct frec *r = ctx;
    (void)ts;
    if (r->in)
        r->violations++;
    if (r->npk == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->pk = realloc(r->pk, r->cap * sizeof(*r->pk));
    }
    struct fpkt *p = &r->pk[r->npk++];
    memset(p, 0, sizeof(*p));
    p->seq = seq;
    p->first_len = first_len;
    p->frame_begin = frame;
    p->crc = (uint32_t)crc32(0, NULL, 0);
    r->in = true;
    r->next_off = 0;
    FREC_LOG(r, "B%u/%lu ", (unsigned)seq, (unsigned long)first_len);
    if (r->fr && r->resync_in_begin && r->resync_after == (long)r->npk) {
        r->npk--;
        r->in = false;
        r->nforced++;
        r->resync_after = 0; /* once */
        FREC_LOG(r, "F ");
        ss_framer_resync(r->fr);
    }
}

static inline void frec_payload(void *ctx, const uint8_t *b, size_t n, uint64_t off, uint64_t ts,
                                uint64_t frame)
{
    struct frec *r = ctx;
    (void)ts;
    (void)frame;
    r->npayload_calls++;
    if (!r->in || off != r->next_off || n == 0)
        r->violations++;
    if (!r->in)
        return;
    struct fpkt *p = &r->pk[r->npk - 1];
    for (size_t i = 0; i < n && off + i < sizeof(p->head); i++)
        p->head[off + i] = b[i];
    p->crc = (uint32_t)crc32(p->crc, b, (uInt)n);
    p->got += n;
    r->next_off = off + n;
    if (r->log_payload)
        FREC_LOG(r, "P%llu+%zu ", (unsigned long long)off, n);
}

static inline void frec_end(void *ctx, uint64_t total, uint64_t end_off, uint64_t ts,
                            uint64_t frame)
{
    struct frec *r = ctx;
    (void)ts;
    if (!r->in) {
        r->violations++;
        return;
    }
    struct fpkt *p = &r->pk[r->npk - 1];
    p->total = total;
    p->end_off = end_off;
    p->frame_end = frame;
    r->in = false;
    FREC_LOG(r, "E%llu@%llu ", (unsigned long long)total, (unsigned long long)end_off);
    if (r->fr && r->switch_at == (long)r->npk - 1)
        ss_framer_set_compress(r->fr, r->switch_to);
    if (r->fr && !r->resync_in_begin && r->resync_after == (long)r->npk) {
        r->npk--; /* the caller found it false: not a packet */
        r->nforced++;
        r->resync_after = 0; /* once */
        FREC_LOG(r, "F ");
        ss_framer_resync(r->fr);
    }
}

static inline void frec_lost(void *ctx, bool in_packet, uint64_t ts, uint64_t frame)
{
    struct frec *r = ctx;
    (void)ts;
    (void)frame;
    if (in_packet != r->in)
        r->violations++;
    if (r->in)
        r->npk--; /* the abandoned packet is not a packet */
    r->in = false;
    r->nlost++;
    r->nlost_in += in_packet;
    FREC_LOG(r, "L%d ", (int)in_packet);
}

static inline void frec_resync(void *ctx, uint64_t skipped, bool compressed, uint64_t ts,
                               uint64_t frame)
{
    struct frec *r = ctx;
    (void)ts;
    (void)frame;
    if (r->in)
        r->violations++;
    r->nresync++;
    r->skipped_total += skipped;
    r->last_comp = compressed;
    FREC_LOG(r, "R%llu/%d ", (unsigned long long)skipped, (int)compressed);
}

static const struct ss_frame_ops frec_ops = {frec_begin, frec_payload, frec_end, frec_lost,
                                             frec_resync};

static inline void frec_free(struct frec *r)
{
    free(r->pk);
    r->pk = NULL;
}

/* ---- builders ---- */

static inline uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static inline void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A growable byte buffer for building streams. */
struct bbuf {
    uint8_t *p;
    size_t n, cap;
};

static inline uint8_t *bb_grow(struct bbuf *b, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = realloc(b->p, b->cap);
    }
    uint8_t *at = b->p + b->n;
    b->n += n;
    return at;
}

static inline void bb_put(struct bbuf *b, const void *p, size_t n)
{
    if (n)
        memcpy(bb_grow(b, n), p, n);
}

/* A plain packet header + payload. */
static inline void bb_packet(struct bbuf *b, uint8_t seq, const uint8_t *pl, size_t n)
{
    uint8_t *h = bb_grow(b, 4);
    put_le(h, n, 3);
    h[3] = seq;
    bb_put(b, pl, n);
}

/* A binlog event of `size` bytes (header + random body) ending at log_pos. */
static inline void make_event(uint8_t *ev, uint8_t type, uint32_t size, uint32_t log_pos,
                              uint64_t *rng)
{
    for (uint32_t i = SS_BINLOG_HEADER_LEN; i < size; i++)
        ev[i] = (uint8_t)xorshift(rng);
    put_le(ev, 1700000000u, 4);
    ev[4] = type;
    put_le(ev + 5, 1, 4);
    put_le(ev + 9, size, 4);
    put_le(ev + 13, log_pos, 4);
    put_le(ev + 17, 0, 2);
}

/* Give the event at ev (size from its header) a valid CRC32 trailer. */
static inline void seal_event(uint8_t *ev, uint32_t size)
{
    put_le(ev + size - 4, (uint32_t)crc32(0L, ev, (uInt)(size - 4)), 4);
}

/* An event packet payload: 00 [EF flag] event. Returns the payload length. */
static inline size_t make_event_payload(uint8_t *pl, bool semisync, uint8_t flag, uint8_t type,
                                        uint32_t ev_size, uint32_t log_pos, uint64_t *rng)
{
    size_t o = 0;
    pl[o++] = 0x00;
    if (semisync) {
        pl[o++] = SS_SEMISYNC_MAGIC;
        pl[o++] = flag;
    }
    make_event(pl + o, type, ev_size, log_pos, rng);
    return o + ev_size;
}

/* An ack payload: EF, u64 pos, name. */
static inline size_t make_ack_payload(uint8_t *pl, uint64_t pos, const char *name)
{
    pl[0] = SS_SEMISYNC_MAGIC;
    put_le(pl + 1, pos, 8);
    size_t n = strlen(name);
    memcpy(pl + 9, name, n);
    return 9 + n;
}

/* One compressed packet around `n` inner bytes: zlib, zstd, or stored (alg NONE). */
static inline void bb_comp_packet(struct bbuf *b, uint8_t cseq, const uint8_t *in, size_t n,
                                  enum ss_compress alg)
{
    if (alg == SS_COMP_NONE) {
        uint8_t *h = bb_grow(b, 7);
        put_le(h, n, 3);
        h[3] = cseq;
        put_le(h + 4, 0, 3);
        bb_put(b, in, n);
        return;
    }
    size_t cap = alg == SS_COMP_ZSTD ? ZSTD_compressBound(n) : compressBound((uLong)n);
    uint8_t *tmp = malloc(cap + 1);
    size_t clen = cap;
    if (alg == SS_COMP_ZSTD) {
        clen = ZSTD_compress(tmp, cap, in, n, 3);
    } else {
        uLongf zl = (uLongf)cap;
        compress2(tmp, &zl, in, (uLong)n, 6);
        clen = zl;
    }
    uint8_t *h = bb_grow(b, 7);
    put_le(h, clen, 3);
    h[3] = cseq;
    put_le(h + 4, n, 3);
    bb_put(b, tmp, clen);
    free(tmp);
}

/* Feed a buffer in chunks whose sizes come from a PRNG (1..maxchunk), frames numbered from 1. */
static inline void feed_chunks(struct ss_framer *fr, const uint8_t *p, size_t n, uint64_t off0,
                               size_t maxchunk, uint64_t *rng)
{
    size_t i = 0;
    uint64_t frame = 1;
    while (i < n) {
        size_t k = 1 + (size_t)(xorshift(rng) % maxchunk);
        if (k > n - i)
            k = n - i;
        ss_framer_data(fr, p + i, k, off0 + i, frame * 1000, frame);
        frame++;
        i += k;
    }
}

#endif
