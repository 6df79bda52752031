/* SPDX-License-Identifier: MIT */
/* mysql_compress.c: the compressed protocol of one direction — 7-byte headers (u24 compressed
 * length, u8 sequence id, u24 uncompressed length, 0 = stored), each payload one zlib stream or
 * one zstd frame, inflated as a stream into a bounded scratch buffer and handed to the plain
 * framer, whose packets may straddle compressed packets. Reference: protocol.md §2.2, §2.3. */
#include "semiscope/mysql_frame.h"
#include "mysql_frame_priv.h"
#include "semiscope/rd.h"

#define ZLIB_CONST
#include <stdlib.h>
#include <zlib.h>
#include <zstd.h>

/* A zstd frame here holds at most one compressed packet (< 16 MiB): cap the decoder's window so a
 * hostile frame header cannot make it allocate more. */
#define SSF_ZSTD_WINDOW_LOG_MAX 24

void ssf_outer_reset(struct ssf_outer *o)
{
    *o = (struct ssf_outer){0};
}

void ssf_comp_free(struct ss_framer *fr)
{
    if (fr->zs) {
        if (fr->zs_ready)
            inflateEnd(fr->zs);
        free(fr->zs);
    }
    ZSTD_freeDCtx(fr->zd);
    free(fr->scratch);
    fr->zs = NULL;
    fr->zd = NULL;
    fr->scratch = NULL;
    fr->zs_ready = false;
}

static z_stream *zlib_get(struct ss_framer *fr)
{
    if (!fr->zs) {
        fr->zs = calloc(1, sizeof(z_stream));
        if (!fr->zs)
            return NULL;
    }
    if (!fr->zs_ready) {
        if (inflateInit(fr->zs) != Z_OK)
            return NULL;
        fr->zs_ready = true;
    } else if (inflateReset(fr->zs) != Z_OK) {
        return NULL;
    }
    return fr->zs;
}

static ZSTD_DCtx *zstd_get(struct ss_framer *fr)
{
    if (!fr->zd) {
        fr->zd = ZSTD_createDCtx();
        if (!fr->zd)
            return NULL;
        ZSTD_DCtx_setParameter(fr->zd, ZSTD_d_windowLogMax, SSF_ZSTD_WINDOW_LOG_MAX);
    }
    ZSTD_DCtx_reset(fr->zd, ZSTD_reset_session_only);
    return fr->zd;
}

/* A decode error: count it, abandon the inner packet, and look for a boundary again from the
 * bytes that follow. */
static void comp_error(struct ss_framer *fr, enum ss_anomaly id, uint64_t ts_ns, uint64_t frame)
{
    ss_anomaly_add(fr->an, id, 1);
    bool begun = fr->in.in_packet;
    ssf_inner_reset(&fr->in);
    ssf_outer_reset(&fr->out);
    ssf_resync_enter(fr);
    if (fr->ops->lost)
        fr->ops->lost(fr->ctx, begun, ts_ns, frame);
}

/* Inflated (or stored) bytes go to the plain framer; every packet ending here ends, on the TCP
 * stream, with the compressed packet that carried its last byte. */
static void deliver_inner(struct ss_framer *fr, const uint8_t *p, size_t n, uint64_t ts_ns,
                          uint64_t frame)
{
    while (n && fr->mode == SSF_COMP) {
        size_t used = ssf_inner_feed(fr, p, n, 0, fr->out.end_off, ts_ns, frame);
        p += used;
        n -= used;
    }
}

/* Pick the algorithm of a compressed payload from its first byte: a zstd frame starts with 0x28
 * (magic FD2FB528 little-endian), a zlib stream with a CMF byte whose method nibble is 8. */
static bool choose_alg(struct ss_framer *fr, uint8_t b0)
{
    bool zstd = b0 == 0x28;
    bool zlib = (b0 & 0x0F) == 8;
    enum ss_compress alg;
    if (fr->comp == SS_COMP_ZSTD && zstd)
        alg = SS_COMP_ZSTD;
    else if (fr->comp == SS_COMP_ZLIB && zlib)
        alg = SS_COMP_ZLIB;
    else if (fr->comp != SS_COMP_ZSTD && fr->comp != SS_COMP_ZLIB && (zstd || zlib))
        alg = zstd ? SS_COMP_ZSTD : SS_COMP_ZLIB;
    else
        return false;
    fr->comp = alg;
    fr->out.alg = alg;
    fr->out.alg_chosen = true;
    return alg == SS_COMP_ZSTD ? zstd_get(fr) != NULL : zlib_get(fr) != NULL;
}

static bool count_out(struct ss_framer *fr, size_t got, enum ss_anomaly *err)
{
    fr->out.out += got;
    if (fr->out.out > fr->out.ulen) {
        *err = SS_AN_COMPRESS_LENGTH_MISMATCH;
        return false;
    }
    return true;
}

static bool zlib_run(struct ss_framer *fr, const uint8_t *p, size_t n, uint64_t ts_ns,
                     uint64_t frame, enum ss_anomaly *err)
{
    z_stream *zs = fr->zs;
    zs->next_in = p;
    zs->avail_in = (uInt)n;
    *err = SS_AN_COMPRESS_INFLATE_ERROR;
    while (fr->mode == SSF_COMP) {
        if (fr->out.done)
            return zs->avail_in == 0; /* bytes after the end of the zlib stream */
        zs->next_out = fr->scratch;
        zs->avail_out = SSF_SCRATCH_LEN;
        uInt in_before = zs->avail_in;
        int rc = inflate(zs, Z_NO_FLUSH);
        size_t got = SSF_SCRATCH_LEN - zs->avail_out;
        if (rc == Z_STREAM_END)
            fr->out.done = true;
        else if (rc != Z_OK && rc != Z_BUF_ERROR)
            return false;
        else if (got == 0 && zs->avail_in == in_before)
            return zs->avail_in == 0; /* no progress: input left over means a stuck stream */
        if (got) {
            if (!count_out(fr, got, err))
                return false;
            deliver_inner(fr, fr->scratch, got, ts_ns, frame);
        }
        if (!fr->out.done && zs->avail_in == 0 && (zs->avail_out != 0 || got == 0))
            return true;
    }
    return true;
}

static bool zstd_run(struct ss_framer *fr, const uint8_t *p, size_t n, uint64_t ts_ns,
                     uint64_t frame, enum ss_anomaly *err)
{
    ZSTD_inBuffer in = {p, n, 0};
    *err = SS_AN_COMPRESS_INFLATE_ERROR;
    while (fr->mode == SSF_COMP) {
        if (fr->out.done)
            return in.pos == in.size; /* bytes after the end of the zstd frame */
        ZSTD_outBuffer out = {fr->scratch, SSF_SCRATCH_LEN, 0};
        size_t in_before = in.pos;
        size_t rc = ZSTD_decompressStream(fr->zd, &out, &in);
        if (ZSTD_isError(rc))
            return false;
        if (rc == 0)
            fr->out.done = true;
        else if (out.pos == 0 && in.pos == in_before)
            return in.pos == in.size; /* no progress: input left over means a stuck stream */
        if (out.pos) {
            if (!count_out(fr, out.pos, err))
                return false;
            deliver_inner(fr, fr->scratch, out.pos, ts_ns, frame);
        }
        if (!fr->out.done && in.pos == in.size && out.pos < out.size)
            return true;
    }
    return true;
}

static bool outer_payload(struct ss_framer *fr, const uint8_t *p, size_t n, uint64_t ts_ns,
                          uint64_t frame, enum ss_anomaly *err)
{
    struct ssf_outer *o = &fr->out;
    if (o->stored) {
        deliver_inner(fr, p, n, ts_ns, frame);
        return true;
    }
    if (!o->alg_chosen) {
        *err = SS_AN_COMPRESS_BAD_HEADER;
        if (!choose_alg(fr, p[0]))
            return false;
    }
    if (!fr->scratch) {
        fr->scratch = malloc(SSF_SCRATCH_LEN);
        *err = SS_AN_COMPRESS_INFLATE_ERROR;
        if (!fr->scratch)
            return false;
    }
    if (o->alg == SS_COMP_ZSTD)
        return zstd_run(fr, p, n, ts_ns, frame, err);
    return zlib_run(fr, p, n, ts_ns, frame, err);
}

/* The 7-byte header is complete. `off` is the stream offset just past it. */
static bool outer_header(struct ss_framer *fr, uint64_t off)
{
    struct ssf_outer *o = &fr->out;
    struct rd r = rd_init(o->hdr, SSF_CHDR_LEN);
    o->clen = rd_le24(&r);
    uint8_t seq = rd_u8(&r);
    o->ulen = rd_le24(&r);
    o->hdr_n = 0;
    /* Outer ids are the ones the reader checks (protocol.md §2.3); they restart at 0 (MySQL) or
     * 1 (MariaDB) after a semisync ack-requested event, which the check tolerates. */
    ssf_seq_check(fr, &o->seq_valid, &o->seq, seq);
    o->stored = o->ulen == 0;
    o->alg_chosen = false;
    o->done = false;
    o->out = 0;
    o->left = o->clen;
    o->end_off = off + o->clen;
    o->in_packet = true;
    /* Something to inflate needs at least a zlib header and checksum or a zstd frame header. */
    return o->stored || o->clen >= 8;
}

/* The compressed payload is complete: the stream must have ended with exactly ulen bytes. */
static bool outer_finish(struct ss_framer *fr, enum ss_anomaly *err)
{
    struct ssf_outer *o = &fr->out;
    o->in_packet = false;
    if (o->stored)
        return true;
    *err = SS_AN_COMPRESS_INFLATE_ERROR;
    if (!o->done)
        return false;
    *err = SS_AN_COMPRESS_LENGTH_MISMATCH;
    return o->out == o->ulen;
}

/* A compressed packet boundary: apply a pending switch. False when framing left SSF_COMP. */
static bool outer_boundary(struct ss_framer *fr)
{
    if (fr->comp_want == SS_COMP_NONE) {
        fr->comp = SS_COMP_NONE;
        fr->mode = SSF_PLAIN;
        return false;
    }
    if (fr->comp_want != SS_COMP_UNKNOWN)
        fr->comp = fr->comp_want;
    return true;
}

size_t ssf_comp_feed(struct ss_framer *fr, const uint8_t *p, size_t n, uint64_t off,
                     uint64_t ts_ns, uint64_t frame)
{
    struct ssf_outer *o = &fr->out;
    enum ss_anomaly err = SS_AN_COMPRESS_BAD_HEADER;
    size_t i = 0;
    while (i < n && fr->mode == SSF_COMP) {
        if (!o->in_packet) {
            if (o->hdr_n == 0 && !outer_boundary(fr))
                return i;
            size_t k = SS_MIN((size_t)(SSF_CHDR_LEN - o->hdr_n), n - i);
            for (size_t j = 0; j < k; j++)
                o->hdr[o->hdr_n + j] = p[i + j];
            o->hdr_n = (uint8_t)(o->hdr_n + k);
            i += k;
            if (o->hdr_n < SSF_CHDR_LEN)
                return i;
            if (!outer_header(fr, off + i)) {
                comp_error(fr, SS_AN_COMPRESS_BAD_HEADER, ts_ns, frame);
                return i;
            }
        }
        size_t k = SS_MIN((size_t)o->left, n - i);
        if (k) {
            bool ok = outer_payload(fr, p + i, k, ts_ns, frame, &err);
            i += k;
            o->left -= (uint32_t)k;
            if (fr->mode != SSF_COMP)
                return i;
            if (!ok) {
                comp_error(fr, err, ts_ns, frame);
                return i;
            }
        }
        if (o->left == 0 && !outer_finish(fr, &err)) {
            comp_error(fr, err, ts_ns, frame);
            return i;
        }
    }
    return i;
}

static long zlib_prefix(struct ss_framer *fr, const uint8_t *p, size_t n, uint8_t *out,
                        size_t cap, bool *more)
{
    z_stream *zs = zlib_get(fr);
    if (!zs)
        return -1;
    zs->next_in = p;
    zs->avail_in = (uInt)n;
    zs->next_out = out;
    zs->avail_out = (uInt)cap;
    int rc = inflate(zs, Z_SYNC_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
        return -1;
    *more = rc != Z_STREAM_END && zs->avail_in == 0 && zs->avail_out != 0;
    return (long)(cap - zs->avail_out);
}

static long zstd_prefix(struct ss_framer *fr, const uint8_t *p, size_t n, uint8_t *out,
                        size_t cap, bool *more)
{
    ZSTD_DCtx *zd = zstd_get(fr);
    if (!zd)
        return -1;
    ZSTD_inBuffer in = {p, n, 0};
    ZSTD_outBuffer o = {out, cap, 0};
    size_t rc = 1;
    while (o.pos < o.size && in.pos < in.size) {
        size_t before = in.pos + o.pos;
        rc = ZSTD_decompressStream(zd, &o, &in);
        if (ZSTD_isError(rc))
            return -1;
        if (rc == 0 || in.pos + o.pos == before)
            break;
    }
    *more = rc != 0 && in.pos == in.size && o.pos < o.size;
    return (long)o.pos;
}

long ssf_inflate_prefix(struct ss_framer *fr, enum ss_compress alg, const uint8_t *p, size_t n,
                        uint8_t *out, size_t cap, bool *more)
{
    /* The stream contexts are idle while resyncing, so the scan borrows them. */
    *more = false;
    if (alg == SS_COMP_ZSTD)
        return zstd_prefix(fr, p, n, out, cap, more);
    return zlib_prefix(fr, p, n, out, cap, more);
}
