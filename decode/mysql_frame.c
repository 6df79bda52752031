/* SPDX-License-Identifier: MIT */
/* mysql_frame.c: the MySQL packet framer of one TCP direction — plain 4-byte-header framing with
 * 0xFFFFFF continuation pieces joined logically, sequence-id tracking, and the dispatcher that
 * routes bytes to the plain, compressed (mysql_compress.c) or resync (mysql_resync.c) paths.
 * Reference: protocol.md §1, §10.3, §10.4. */
#include "semiscope/mysql_frame.h"
#include "mysql_frame_priv.h"

#include <string.h>
#include "semiscope/rd.h"

#include <stdint.h>
#include <stdlib.h>

struct ss_framer *ss_framer_new(const struct ss_frame_cfg *cfg, const struct ss_frame_ops *ops,
                                void *ctx, struct ss_anomalies *an)
{
    struct ss_framer *fr = calloc(1, sizeof(*fr));
    if (!fr)
        return NULL;
    fr->cfg = *cfg;
    if (fr->cfg.resync_window == 0)
        fr->cfg.resync_window = SSF_DEFAULT_WINDOW;
    if (fr->cfg.resync_window < SSF_MIN_WINDOW)
        fr->cfg.resync_window = SSF_MIN_WINDOW;
    if (fr->cfg.max_packet == 0)
        fr->cfg.max_packet = SSF_DEFAULT_MAX_PACKET;
    fr->ops = ops;
    fr->ctx = ctx;
    fr->an = an;
    fr->mode = cfg->synced ? SSF_PLAIN : SSF_RESYNC;
    fr->comp = SS_COMP_NONE;
    fr->comp_want = SS_COMP_NONE;
    fr->rewind = SIZE_MAX;
    fr->csum_alg = -1;
    ssf_inner_reset(&fr->in);
    ssf_outer_reset(&fr->out);
    return fr;
}

void ss_framer_free(struct ss_framer *fr)
{
    if (!fr)
        return;
    if (fr->mode == SSF_RESYNC)
        ssf_resync_discard(fr);
    ssf_window_release(fr);
    ssf_comp_free(fr);
    free(fr);
}

void ss_framer_set_compress(struct ss_framer *fr, enum ss_compress c)
{
    if (fr)
        fr->comp_want = c;
}

enum ss_compress ss_framer_compress(const struct ss_framer *fr)
{
    return fr ? fr->comp : SS_COMP_NONE;
}

void ss_framer_stop(struct ss_framer *fr)
{
    if (!fr || fr->mode == SSF_STOPPED)
        return;
    /* Bytes held for a scan were never framed: they count as skipped, like at a gap. */
    if (fr->mode == SSF_RESYNC)
        ssf_resync_discard(fr);
    fr->mode = SSF_STOPPED;
}

bool ss_framer_synced(const struct ss_framer *fr)
{
    return fr && (fr->mode == SSF_PLAIN || fr->mode == SSF_COMP);
}

void ss_framer_set_checksum(struct ss_framer *fr, int alg)
{
    if (fr)
        fr->csum_alg = alg == 0 || alg == 1 ? alg : -1;
}

void ss_framer_resync(struct ss_framer *fr)
{
    if (!ss_framer_synced(fr))
        return;
    ss_anomaly_add(fr->an, SS_AN_FRAME_RESYNC_FORCED, 1);
    /* Right after a resync the packets are replayed from the scan window: the bad packet's bytes
     * are still there, and the true boundary may lie inside them (a false candidate's length can
     * span real packets). Scan again from its second byte then. Later, its bytes are gone: the
     * scan starts at the first byte not yet framed. */
    fr->rewind = SIZE_MAX;
    uint64_t start = fr->in.pkt_off;
    if (fr->mode == SSF_PLAIN && fr->rp < fr->win_n && start >= fr->win_off &&
        start - fr->win_off < fr->win_n)
        fr->rewind = (size_t)(start - fr->win_off);
    ssf_inner_reset(&fr->in);
    ssf_outer_reset(&fr->out);
    ssf_resync_enter(fr);
}

void ssf_inner_reset(struct ssf_inner *in)
{
    *in = (struct ssf_inner){0};
}

void ssf_seq_check(struct ss_framer *fr, bool *valid, uint8_t *prev, uint8_t seq)
{
    /* 0 and 1 are legitimate restarts: a new command (client), the first reply (server), the
     * server's packet after a semisync ack-requested event, and every ack (protocol.md §1.4).
     * +2 is one exchange continuing after one packet the other way, as every handshake does:
     * greeting 0, login 1, OK 2 (and 2/3/4… through auth switches), so the server side sees
     * 0 → 2. A lost packet cannot hide behind it: the TCP stream here has no holes. */
    if (*valid && seq != (uint8_t)(*prev + 1) && seq != (uint8_t)(*prev + 2) && seq != 0 &&
        seq != 1)
        ss_anomaly_add(fr->an, SS_AN_FRAME_SEQ_JUMP, 1);
    *valid = true;
    *prev = seq;
}

/* A piece header is complete: start the logical packet or continue it. Returns false when a
 * callback stopped the framer. */
static bool inner_header(struct ss_framer *fr, uint64_t ts_ns, uint64_t frame)
{
    struct ssf_inner *in = &fr->in;
    struct rd r = rd_init(in->hdr, SSF_HDR_LEN);
    uint32_t len = rd_le24(&r);
    uint8_t seq = rd_u8(&r);
    in->hdr_n = 0;
    /* Inner ids are written but never checked on compressed connections (protocol.md §2.3). */
    if (fr->mode == SSF_PLAIN)
        ssf_seq_check(fr, &in->seq_valid, &in->seq, seq);
    in->piece_len = len;
    in->piece_left = len;
    in->in_piece = true;
    if (!in->in_packet) {
        in->in_packet = true;
        in->abandoned = false;
        in->total = 0;
        in->too_large = false;
        if (fr->ops->begin)
            fr->ops->begin(fr->ctx, seq, len, ts_ns, frame);
    }
    if (!in->too_large && !in->abandoned && in->total + len > fr->cfg.max_packet) {
        in->too_large = true;
        ss_anomaly_add(fr->an, SS_AN_FRAME_TOO_LARGE, 1);
    }
    return ss_framer_synced(fr);
}

/* Pass payload bytes on, but never beyond max_packet logical bytes. */
static void inner_payload(struct ss_framer *fr, const uint8_t *p, size_t n, uint64_t ts_ns,
                          uint64_t frame)
{
    struct ssf_inner *in = &fr->in;
    uint64_t off = in->total;
    in->total += n;
    if (in->abandoned || off >= fr->cfg.max_packet || !fr->ops->payload)
        return;
    uint64_t room = fr->cfg.max_packet - off;
    fr->ops->payload(fr->ctx, p, n < room ? n : (size_t)room, off, ts_ns, frame);
}

size_t ssf_inner_feed(struct ss_framer *fr, const uint8_t *p, size_t n, uint64_t off0,
                      uint64_t fixed_end, uint64_t ts_ns, uint64_t frame)
{
    struct ssf_inner *in = &fr->in;
    size_t i = 0;
    while (i < n) {
        if (!in->in_piece) {
            if (in->hdr_n == 0 && !in->in_packet)
                in->pkt_off = off0 + i;
            /* hdr_n < SSF_HDR_LEN always holds here; clamping states it for the compiler. */
            size_t have = SS_MIN((size_t)in->hdr_n, (size_t)SSF_HDR_LEN);
            size_t k = SS_MIN((size_t)SSF_HDR_LEN - have, n - i);
            memcpy(in->hdr + have, p + i, k);
            in->hdr_n = (uint8_t)(have + k);
            i += k;
            if (in->hdr_n < SSF_HDR_LEN)
                break;
            if (!inner_header(fr, ts_ns, frame))
                return i;
        }
        size_t k = SS_MIN((size_t)in->piece_left, n - i);
        if (k) {
            inner_payload(fr, p + i, k, ts_ns, frame);
            i += k;
            in->piece_left -= (uint32_t)k;
            if (!ss_framer_synced(fr))
                return i;
        }
        if (in->piece_left)
            break;
        in->in_piece = false;
        if (in->piece_len == SSF_MAX_PIECE)
            continue; /* a continuation piece follows */
        in->in_packet = false;
        if (in->abandoned) {
            in->abandoned = false; /* its lost() was its end */
            return i;
        }
        if (fr->ops->end)
            fr->ops->end(fr->ctx, in->total, fixed_end != SSF_NO_FIXED_END ? fixed_end : off0 + i,
                         ts_ns, frame);
        /* Return at every packet boundary so a compression switch requested from end() applies
         * to the very next byte. */
        return i;
    }
    return i;
}

static bool inner_at_boundary(const struct ssf_inner *in)
{
    return !in->in_packet && !in->in_piece && in->hdr_n == 0;
}

/* One step of synced framing; may return 0 only after changing mode. */
static size_t synced_step(struct ss_framer *fr, const uint8_t *p, size_t n, uint64_t off,
                          uint64_t ts_ns, uint64_t frame)
{
    if (fr->mode == SSF_PLAIN) {
        if (fr->comp_want != SS_COMP_NONE && inner_at_boundary(&fr->in)) {
            fr->comp = fr->comp_want;
            fr->mode = SSF_COMP;
            ssf_outer_reset(&fr->out);
            return 0;
        }
        return ssf_inner_feed(fr, p, n, off, SSF_NO_FIXED_END, ts_ns, frame);
    }
    return ssf_comp_feed(fr, p, n, off, ts_ns, frame);
}

/* Feed window bytes from the replay cursor, one TCP chunk at a time (its own ts/frame). */
static void replay_step(struct ss_framer *fr)
{
    size_t j = 0;
    while (j + 1 < fr->nchunks && fr->chunks[j + 1].start <= fr->rp)
        j++;
    size_t stop = j + 1 < fr->nchunks ? fr->chunks[j + 1].start : fr->win_n;
    uint64_t ts = fr->nchunks ? fr->chunks[j].ts_ns : 0;
    uint64_t frame = fr->nchunks ? fr->chunks[j].frame : 0;
    size_t used = synced_step(fr, fr->win + fr->rp, stop - fr->rp, fr->win_off + fr->rp, ts,
                              frame);
    fr->rp += used;
    if (fr->mode != SSF_RESYNC)
        return;
    size_t back = fr->rewind;
    fr->rewind = SIZE_MAX;
    if (back < fr->rp)
        fr->rp = back;
    ssf_window_rebase(fr);
    if (back != SIZE_MAX) {
        /* The bad packet starts the window now; its first byte is no candidate again, and is
         * counted as skipped if the scan lands further on. */
        fr->scan = 1;
    }
}

void ss_framer_data(struct ss_framer *fr, const uint8_t *p, size_t n, uint64_t stream_off,
                    uint64_t ts_ns, uint64_t frame)
{
    if (!fr)
        return;
    fr->fed_end = stream_off + n;
    fr->fed_any = true;
    for (;;) {
        if (fr->mode == SSF_STOPPED) {
            ss_anomaly_add(fr->an, SS_AN_FRAME_UNSYNCED_DATA, n + (fr->win_n - fr->rp));
            ssf_window_release(fr);
            return;
        }
        if (fr->mode == SSF_RESYNC) {
            size_t used = ssf_resync_push(fr, p, n, stream_off, ts_ns, frame);
            if (n == 0 && fr->mode == SSF_RESYNC)
                return;
            p += used;
            n -= used;
            stream_off += used;
            continue;
        }
        if (fr->rp < fr->win_n) {
            replay_step(fr);
            continue;
        }
        if (fr->win)
            ssf_window_release(fr);
        if (n == 0)
            return;
        size_t used = synced_step(fr, p, n, stream_off, ts_ns, frame);
        p += used;
        n -= used;
        stream_off += used;
    }
}

/* Where a gap hits synced framing: inside a packet or exactly at a boundary. */
static bool gap_in_packet(const struct ss_framer *fr, bool *begun)
{
    *begun = fr->in.in_packet && !fr->in.abandoned;
    if (fr->mode == SSF_COMP)
        return fr->out.in_packet || fr->out.hdr_n || !inner_at_boundary(&fr->in);
    return !inner_at_boundary(&fr->in);
}

/* A gap inside a plain piece's payload that ends no later than the piece: the header told where
 * the next header is, so framing need not be searched for. The packet is abandoned (lost(), and no
 * more payload or end for it), the rest of the piece is skipped as if read, and framing carries on
 * from the piece's end (continuation headers included). False when the gap is not of that kind. */
static bool skip_known_length(struct ss_framer *fr, uint64_t stream_off, uint64_t len,
                              uint64_t ts_ns, uint64_t frame)
{
    struct ssf_inner *in = &fr->in;
    if (fr->mode != SSF_PLAIN || fr->rp < fr->win_n || !in->in_piece || in->hdr_n != 0 ||
        !fr->fed_any || stream_off != fr->fed_end || len > in->piece_left)
        return false;
    bool begun = in->in_packet && !in->abandoned;
    ss_anomaly_add(fr->an, SS_AN_FRAME_GAP_IN_PACKET, 1);
    in->abandoned = true;
    in->piece_left -= (uint32_t)len;
    in->total += len;
    fr->fed_end = stream_off + len;
    if (in->piece_left == 0) {
        in->in_piece = false;
        if (in->piece_len != SSF_MAX_PIECE) {
            in->in_packet = false; /* the gap ended exactly with the packet */
            in->abandoned = false;
        }
    }
    if (fr->ops->lost)
        fr->ops->lost(fr->ctx, begun, ts_ns, frame);
    return true;
}

void ss_framer_gap(struct ss_framer *fr, uint64_t stream_off, uint64_t len, uint64_t ts_ns,
                   uint64_t frame)
{
    if (!fr || fr->mode == SSF_STOPPED)
        return;
    if (skip_known_length(fr, stream_off, len, ts_ns, frame))
        return;
    fr->fed_end = stream_off + len;
    bool begun = false;
    if (fr->mode == SSF_RESYNC) {
        /* Bytes before and after a gap cannot form one packet: start the scan afresh. */
        ssf_resync_discard(fr);
    } else if (gap_in_packet(fr, &begun)) {
        ss_anomaly_add(fr->an, SS_AN_FRAME_GAP_IN_PACKET, 1);
    }
    ssf_inner_reset(&fr->in);
    ssf_outer_reset(&fr->out);
    ssf_resync_enter(fr);
    if (fr->ops->lost)
        fr->ops->lost(fr->ctx, begun, ts_ns, frame);
}
