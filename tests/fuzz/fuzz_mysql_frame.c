/* SPDX-License-Identifier: MIT */
/* fuzz_mysql_frame.c: the MySQL framer on arbitrary bytes, cut into chunks at data-derived
 * positions, with gaps and compression switches. Input: byte 0 = configuration (bits 0-1 role,
 * bit 2 synced, bit 3 small window, bit 4 small max_packet, bits 5-6 compression at start, bit 7
 * switch to zlib after the first packet, as a login would), byte 1 = seed of the chunking, the
 * rest = the TCP bytes of one direction. The callbacks check the framer's contract and abort on a
 * breach, so the fuzzer finds logic errors as well as memory errors. */
#include "semiscope/mysql_frame.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
    struct ss_framer *fr;
    bool in;
    uint64_t next_off;
    uint64_t last_end;  /* end offsets never go back, except across lost bytes / a resync */
    uint64_t fed_end;   /* stream offset just past the bytes fed so far */
    uint64_t max_packet;
    unsigned packets;
    bool switch_after_first;
};

static void fz_check(bool ok)
{
    if (!ok)
        abort();
}

static void fz_begin(void *ctx, uint8_t seq, uint32_t first_len, uint64_t ts, uint64_t frame)
{
    struct fz *z = ctx;
    (void)seq;
    (void)ts;
    (void)frame;
    fz_check(!z->in && first_len <= 0xFFFFFF);
    z->in = true;
    z->next_off = 0;
}

static void fz_payload(void *ctx, const uint8_t *p, size_t n, uint64_t off, uint64_t ts,
                       uint64_t frame)
{
    struct fz *z = ctx;
    (void)ts;
    (void)frame;
    fz_check(z->in && n > 0 && off == z->next_off && off + n <= z->max_packet);
    /* touch every byte: a bad pointer or length is a sanitizer report */
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < n; i++)
        sink ^= p[i];
    (void)sink;
    z->next_off = off + n;
}

static void fz_end(void *ctx, uint64_t total, uint64_t end_off, uint64_t ts, uint64_t frame)
{
    struct fz *z = ctx;
    (void)ts;
    (void)frame;
    fz_check(z->in && total >= z->next_off);
    fz_check(end_off >= z->last_end && end_off <= z->fed_end + (1u << 24) + 7);
    z->last_end = end_off;
    z->in = false;
    if (z->packets++ == 0 && z->switch_after_first)
        ss_framer_set_compress(z->fr, SS_COMP_ZLIB);
}

static void fz_lost(void *ctx, bool in_packet, uint64_t ts, uint64_t frame)
{
    struct fz *z = ctx;
    (void)ts;
    (void)frame;
    fz_check(in_packet == z->in);
    z->in = false;
    z->last_end = 0;
}

static void fz_resync(void *ctx, uint64_t skipped, bool compressed, uint64_t ts, uint64_t frame)
{
    struct fz *z = ctx;
    (void)skipped;
    (void)compressed;
    (void)ts;
    (void)frame;
    fz_check(!z->in);
    z->last_end = 0;
}

static const struct ss_frame_ops fz_ops = {fz_begin, fz_payload, fz_end, fz_lost, fz_resync};

static uint32_t fz_rand(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static const enum ss_compress comps[] = {SS_COMP_NONE, SS_COMP_ZLIB, SS_COMP_ZSTD,
                                             SS_COMP_UNKNOWN};
    uint8_t c = data[0];
    struct ss_frame_cfg cfg = {
        .role = (enum ss_frame_role)((c & 3) % 3),
        .synced = (c & 4) != 0,
        .resync_window = (c & 8) ? 2048 : 0,
        .max_packet = (c & 16) ? 100 : 0,
    };
    struct fz z = {.max_packet = cfg.max_packet ? cfg.max_packet : UINT64_MAX,
                   .switch_after_first = (c & 128) != 0};
    struct ss_anomalies an = {0};
    z.fr = ss_framer_new(&cfg, &fz_ops, &z, &an);
    if (!z.fr)
        return 0;
    ss_framer_set_compress(z.fr, comps[(c >> 5) & 3]);
    uint32_t seed = data[1] | (uint32_t)size << 8;
    /* Exact-size copy of the stream, so reads past the input trip the sanitizer. */
    size_t n = size - 2;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) {
        ss_framer_free(z.fr);
        return 0;
    }
    memcpy(buf, data + 2, n);
    uint64_t off = 0;
    size_t i = 0;
    while (i < n) {
        uint32_t r = fz_rand(&seed);
        size_t k = 1 + (r % 4 == 0 ? r % 3 : r % 1500);
        if (k > n - i)
            k = n - i;
        if (r % 61 == 0) {
            /* the chunk is lost: a gap of its length */
            ss_framer_gap(z.fr, off, k, off, i);
        } else {
            z.fed_end = off + k;
            ss_framer_data(z.fr, buf + i, k, off, off, i);
        }
        if (r % 97 == 0)
            ss_framer_set_compress(z.fr, comps[(r >> 3) & 3]);
        if (r % 2039 == 0)
            ss_framer_stop(z.fr); /* as when a connection turns to TLS */
        off += k;
        i += k;
    }
    ss_framer_free(z.fr);
    free(buf);
    return 0;
}
