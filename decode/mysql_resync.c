/* SPDX-License-Identifier: MIT */
/* mysql_resync.c: finding packet boundaries again after a mid-stream start, a gap or a decode
 * error. Bytes are held in a bounded window and every offset is tested for a header whose payload
 * is a binlog event packet (server side) or a semisync ack (client side), in plain or compressed
 * framing, confirmed by the header that follows when it is in reach.
 * Reference: protocol.md §1.4, §2.2, §5.1, §6.1, §10.1. */
#include "semiscope/mysql_frame.h"
#include "mysql_frame_priv.h"
#include "semiscope/binlog.h"
#include "semiscope/rd.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

/* Payload bytes needed to judge an event packet: 00, EF, flags, then the 19-byte event header. */
#define EV_CHECK (3 + SS_BINLOG_HEADER_LEN)
/* An ack is EF + u64 position + a base file name of at most 511 bytes. */
#define ACK_MIN 10u
#define ACK_MAX (9u + 511u)

enum verdict { V_REJECT, V_WAIT, V_ACCEPT };
enum kind { K_NONE, K_EVENT, K_ACK };

static size_t win_cap(const struct ss_framer *fr)
{
    return fr->cfg.resync_window;
}

static uint32_t le24(const uint8_t *p)
{
    struct rd r = rd_init(p, 3);
    return rd_le24(&r);
}

/* A first piece of 0xFFFFFF bytes: the event is bigger than 16 MiB, so event_size cannot be
 * compared with a length; it must at least be that big, fit max_packet, and end at a real
 * position (big events are never artificial). */
static bool large_event_plausible(const struct ss_framer *fr, const uint8_t *pl)
{
    for (int ss = 1; ss >= 0; ss--) {
        size_t off = ss ? 3 : 1;
        if (ss && (pl[1] != SS_SEMISYNC_MAGIC || (pl[2] & ~0x03) != 0))
            continue;
        struct ss_binlog_header h;
        if (!ss_binlog_header_parse(pl + off, SS_BINLOG_HEADER_LEN, &h))
            continue;
        uint64_t total = (uint64_t)h.event_size + off;
        if (ss_binlog_type_known(h.type) && total >= SSF_MAX_PIECE &&
            total <= fr->cfg.max_packet && h.log_pos >= h.event_size)
            return true;
    }
    return false;
}

static enum verdict check_event(const struct ss_framer *fr, const uint8_t *pl, size_t avail,
                                uint32_t len)
{
    if (avail >= 1 && pl[0] != 0x00)
        return V_REJECT;
    if (len < 1 + SS_BINLOG_HEADER_LEN)
        return V_REJECT;
    size_t need = len == SSF_MAX_PIECE ? EV_CHECK : SS_MIN((size_t)len, (size_t)EV_CHECK);
    if (avail < need)
        return V_WAIT;
    if (len == SSF_MAX_PIECE)
        return large_event_plausible(fr, pl) ? V_ACCEPT : V_REJECT;
    return ss_binlog_packet_plausible(pl, need, len, NULL) ? V_ACCEPT : V_REJECT;
}

static enum verdict check_ack(const uint8_t *pl, size_t avail, uint32_t len, uint8_t seq)
{
    if (seq != 0 || len < ACK_MIN || len > ACK_MAX)
        return V_REJECT;
    if (avail >= 1 && pl[0] != SS_SEMISYNC_MAGIC)
        return V_REJECT;
    for (size_t i = 9; i < avail && i < len; i++)
        if (pl[i] < 0x21 || pl[i] > 0x7e)
            return V_REJECT;
    if (avail < len)
        return V_WAIT;
    return ss_semisync_ack_plausible(pl, avail, len) ? V_ACCEPT : V_REJECT;
}

/* The checksum verdict of a whole event packet payload (already found plausible): 1 its CRC32
 * trailer verifies, 0 it does not, -1 no verdict — synthetic events (artificial, ROTATE,
 * FORMAT_DESCRIPTION with its in-use flag quirk, heartbeats) follow the replica's algorithm or
 * other rules, so they prove nothing either way. */
static int event_crc(const uint8_t *pl, uint32_t len)
{
    int ss = 0;
    if (!ss_binlog_packet_plausible(pl, len, len, &ss))
        return -1;
    size_t off = ss ? 3 : 1;
    struct ss_binlog_header h;
    if (!ss_binlog_header_parse(pl + off, len - off, &h))
        return -1;
    if (h.log_pos == 0 || (h.flags & SS_LOG_EVENT_ARTIFICIAL_F) || h.type == SS_EV_ROTATE ||
        h.type == SS_EV_FORMAT_DESCRIPTION || h.type == SS_EV_HEARTBEAT ||
        h.type == SS_EV_HEARTBEAT_V2)
        return -1;
    if (h.event_size < SS_BINLOG_HEADER_LEN + 4 || off + h.event_size > len)
        return 0;
    struct rd r = rd_init(pl + off + h.event_size - 4, 4);
    uint32_t stored = rd_le32(&r);
    return libdeflate_crc32(0, pl + off, h.event_size - 4) == stored;
}

/* Checksums of a candidate event (c1) and the event packet confirming it (c2), -2 when not held
 * whole: does the pair agree with the stream's algorithm? */
static bool crcs_agree(const struct ss_framer *fr, int c1, int c2)
{
    if (fr->csum_alg == 1)
        return c1 != 0 && c2 != 0;
    if (fr->csum_alg == 0)
        return true; /* a trailer that happens to verify is chance, 2^-32 */
    /* Unknown: one stream, one algorithm — a real pair both verifies or neither does. A
     * well-formed event planted in row data, followed by the bytes after it, does not. */
    return c1 < 0 || c2 < 0 || c1 == c2;
}

/* Could this packet (seq, len, first `avail` payload bytes) be what this direction carries? */
static enum verdict check_packet(const struct ss_framer *fr, const uint8_t *pl, size_t avail,
                                 uint32_t len, uint8_t seq, enum kind *kind)
{
    enum verdict e = V_REJECT, a = V_REJECT;
    if (fr->cfg.role != SS_ROLE_CLIENT) {
        e = check_event(fr, pl, avail, len);
        if (e == V_ACCEPT) {
            *kind = K_EVENT;
            return V_ACCEPT;
        }
    }
    if (fr->cfg.role != SS_ROLE_SERVER) {
        a = check_ack(pl, avail, len, seq);
        if (a == V_ACCEPT) {
            *kind = K_ACK;
            return V_ACCEPT;
        }
    }
    return e == V_WAIT || a == V_WAIT ? V_WAIT : V_REJECT;
}

/* The packet after a candidate must continue it: an event after an event (seq +1, or 1 after an
 * ack-requested event), an ack or COM_QUIT after an ack (seq 0). An event pair's checksums must
 * agree with the stream (crcs_agree) when both are held whole: `c1` is the candidate's verdict
 * (-2 not held whole), `room` the window bytes available from nh on. */
static enum verdict check_next(const struct ss_framer *fr, enum kind kind, uint8_t seq,
                               const uint8_t *nh, size_t avail, int c1, size_t room)
{
    if (avail < SSF_HDR_LEN)
        return V_WAIT;
    uint32_t len = le24(nh);
    uint8_t nseq = nh[3];
    const uint8_t *pl = nh + SSF_HDR_LEN;
    avail -= SSF_HDR_LEN;
    if (kind == K_EVENT) {
        if (nseq != (uint8_t)(seq + 1) && nseq != 1)
            return V_REJECT;
        enum verdict v = check_event(fr, pl, avail, len);
        if (v != V_ACCEPT || c1 == -2 || fr->csum_alg == 0 || len == SSF_MAX_PIECE)
            return v;
        if (avail < len)
            return SSF_HDR_LEN + (size_t)len <= room ? V_WAIT : V_ACCEPT;
        return crcs_agree(fr, c1, event_crc(pl, len)) ? V_ACCEPT : V_REJECT;
    }
    if (nseq == 0 && len == 1 && avail >= 1 && pl[0] == 0x01)
        return V_ACCEPT; /* COM_QUIT */
    return check_ack(pl, avail, len, nseq);
}

/* Does a TCP chunk start at window index x? */
static bool chunk_starts_at(const struct ss_framer *fr, size_t x)
{
    for (size_t j = 0; j < fr->nchunks; j++)
        if (fr->chunks[j].start == x)
            return true;
    return false;
}

/* Nothing follows the candidate yet. Accept it when it fills whole TCP chunks — written on its
 * own, as a quiet source writes an event or a replica an ack — otherwise wait for the next header:
 * an ack inside a stored compressed packet, for one, starts 7 bytes into its segment. */
static enum verdict lone_candidate(const struct ss_framer *fr, size_t x, bool more)
{
    return !more && chunk_starts_at(fr, x) ? V_ACCEPT : V_WAIT;
}

/* Is there a plain packet at window index x? */
static enum verdict plain_candidate(const struct ss_framer *fr, size_t x, bool more)
{
    const uint8_t *b = fr->win + x;
    size_t avail = fr->win_n - x;
    if (avail < SSF_HDR_LEN + 1)
        return V_WAIT;
    /* Cheap filter first: an event payload starts 00, an ack (seq 0) starts EF. */
    bool ev = fr->cfg.role != SS_ROLE_CLIENT && b[4] == 0x00;
    bool ack = fr->cfg.role != SS_ROLE_SERVER && b[3] == 0 && b[4] == SS_SEMISYNC_MAGIC;
    if (!ev && !ack)
        return V_REJECT;
    uint32_t len = le24(b);
    uint8_t seq = b[3];
    enum kind kind = K_NONE;
    enum verdict v = check_packet(fr, b + SSF_HDR_LEN, avail - SSF_HDR_LEN, len, seq, &kind);
    if (v != V_ACCEPT)
        return v;
    if (len == SSF_MAX_PIECE)
        return V_ACCEPT; /* the next header is 16 MiB away: the strong check must do */
    size_t end = SSF_HDR_LEN + (size_t)len;
    size_t next_need = SSF_HDR_LEN + (kind == K_EVENT ? EV_CHECK : ACK_MAX);
    if (end + next_need > win_cap(fr))
        return V_ACCEPT; /* the confirmation cannot fit in the window */
    if (avail < end)
        return V_WAIT;
    int c1 = -2;
    if (kind == K_EVENT) {
        c1 = event_crc(b + SSF_HDR_LEN, len);
        if (!crcs_agree(fr, c1, -1))
            return V_REJECT; /* CRC32 known, and the candidate's does not verify */
    }
    if (avail == end)
        return lone_candidate(fr, x, more);
    return check_next(fr, kind, seq, b + end, avail - end, c1, win_cap(fr) - x - end);
}

/* The compressed payload starting at b (n bytes held) decodes to an inner stream; is its start
 * valid for algorithm `alg`? */
static bool comp_magic(const uint8_t *b, size_t n, enum ss_compress alg)
{
    if (alg == SS_COMP_ZSTD)
        return n >= 4 && b[0] == 0x28 && b[1] == 0xB5 && b[2] == 0x2F && b[3] == 0xFD;
    /* zlib: deflate method, window ≤ 32 KiB, header check, no preset dictionary */
    return n >= 2 && (b[0] & 0x0F) == 8 && (b[0] >> 4) <= 7 && ((b[0] << 8) | b[1]) % 31 == 0 &&
           (b[1] & 0x20) == 0;
}

static enum verdict comp_next(const uint8_t *nh, uint8_t cseq)
{
    uint32_t clen = le24(nh);
    uint8_t seq = nh[3];
    uint32_t ulen = le24(nh + 4);
    if (clen == 0 || (ulen != 0 && ulen <= clen))
        return V_REJECT;
    /* +1, or the restart at 0 (MySQL, and every ack) or 1 (MariaDB) around a semisync ack. */
    if (seq != (uint8_t)(cseq + 1) && seq != 0 && seq != 1)
        return V_REJECT;
    return V_ACCEPT;
}

/* Is there a compressed packet at window index x whose inner stream starts with a packet of the
 * expected kind? *alg tells the algorithm (UNKNOWN for a stored payload). */
static enum verdict comp_candidate(struct ss_framer *fr, size_t x, bool more,
                                   enum ss_compress *alg)
{
    const uint8_t *b = fr->win + x;
    size_t avail = fr->win_n - x;
    if (avail < SSF_CHDR_LEN + 4)
        return V_WAIT;
    uint32_t clen = le24(b);
    uint8_t cseq = b[3];
    uint32_t ulen = le24(b + 4);
    if (clen < SSF_HDR_LEN + 1 || (ulen != 0 && (ulen <= clen || clen < 8)))
        return V_REJECT;
    size_t in_n = SS_MIN((size_t)clen, avail - SSF_CHDR_LEN);
    const uint8_t *in = b + SSF_CHDR_LEN;
    uint8_t buf[SSF_HDR_LEN + ACK_MAX];
    const uint8_t *inner = in;
    size_t ia = in_n;
    bool inner_more = in_n < clen;
    *alg = SS_COMP_UNKNOWN;
    if (ulen != 0) {
        bool zstd = fr->comp_want != SS_COMP_ZLIB && comp_magic(in, in_n, SS_COMP_ZSTD);
        bool zlib = fr->comp_want != SS_COMP_ZSTD && comp_magic(in, in_n, SS_COMP_ZLIB);
        if (!zstd && !zlib)
            return V_REJECT;
        *alg = zstd ? SS_COMP_ZSTD : SS_COMP_ZLIB;
        bool more_out = false;
        long got = ssf_inflate_prefix(fr, *alg, in, in_n, buf, sizeof(buf), &more_out);
        if (got < 0)
            return V_REJECT;
        inner = buf;
        ia = (size_t)got;
        inner_more = inner_more && more_out;
    }
    if (ia < SSF_HDR_LEN + 1)
        return inner_more ? V_WAIT : V_REJECT;
    enum kind kind = K_NONE;
    enum verdict v = check_packet(fr, inner + SSF_HDR_LEN, ia - SSF_HDR_LEN, le24(inner),
                                  inner[3], &kind);
    if (v == V_WAIT)
        return inner_more ? V_WAIT : V_REJECT;
    if (v == V_REJECT || (kind == K_ACK && cseq != 0))
        return V_REJECT;
    size_t end = SSF_CHDR_LEN + (size_t)clen;
    if (end + SSF_CHDR_LEN > win_cap(fr))
        return V_ACCEPT;
    if (avail < end)
        return V_WAIT;
    if (avail == end)
        return lone_candidate(fr, x, more);
    if (avail < end + SSF_CHDR_LEN)
        return V_WAIT;
    return comp_next(b + end, cseq);
}

static size_t chunk_at(const struct ss_framer *fr, size_t x)
{
    size_t j = 0;
    while (j + 1 < fr->nchunks && fr->chunks[j + 1].start <= x)
        j++;
    return j;
}

/* Drop d bytes from the front of the window (chunk records follow). */
static void drop_front(struct ss_framer *fr, size_t d)
{
    memmove(fr->win, fr->win + d, fr->win_n - d);
    fr->win_n -= d;
    fr->win_off += d;
    fr->scan = fr->scan > d ? fr->scan - d : 0;
    fr->rp = fr->rp > d ? fr->rp - d : 0;
    size_t first = chunk_at(fr, d);
    size_t keep = fr->nchunks - first;
    memmove(fr->chunks, fr->chunks + first, keep * sizeof(*fr->chunks));
    fr->nchunks = keep;
    for (size_t j = 0; j < keep; j++)
        fr->chunks[j].start = fr->chunks[j].start > d ? fr->chunks[j].start - d : 0;
    if (fr->win_n == 0)
        fr->nchunks = 0;
}

static void accept(struct ss_framer *fr, size_t x, bool comp, enum ss_compress alg)
{
    uint64_t skipped = fr->skipped + x;
    ss_anomaly_add(fr->an, SS_AN_FRAME_RESYNC, 1);
    ss_anomaly_add(fr->an, SS_AN_FRAME_RESYNC_SKIPPED_BYTES, x);
    size_t j = chunk_at(fr, x);
    uint64_t ts = fr->nchunks ? fr->chunks[j].ts_ns : 0;
    uint64_t frame = fr->nchunks ? fr->chunks[j].frame : 0;
    ssf_inner_reset(&fr->in);
    ssf_outer_reset(&fr->out);
    if (comp) {
        /* A stored packet does not tell the algorithm: the first compressed one will. */
        if (alg == SS_COMP_UNKNOWN && (fr->comp_want == SS_COMP_ZLIB ||
                                       fr->comp_want == SS_COMP_ZSTD))
            alg = fr->comp_want;
        fr->comp = alg;
        fr->comp_want = alg;
        fr->mode = SSF_COMP;
    } else {
        fr->comp = SS_COMP_NONE;
        fr->comp_want = SS_COMP_NONE;
        fr->mode = SSF_PLAIN;
    }
    fr->rp = x; /* the dispatcher replays the window from here */
    fr->skipped = 0;
    fr->scan = 0;
    if (fr->ops->resync)
        fr->ops->resync(fr->ctx, skipped, comp, ts, frame);
}

/* Test offsets from fr->scan on; true when a boundary was accepted. */
static bool scan(struct ss_framer *fr, bool more)
{
    bool plain_ok = fr->comp_want == SS_COMP_NONE;
    /* The cheap part of every test, done inline: almost every offset of random bytes fails it,
     * so the scan costs a few byte comparisons per byte. An event payload starts 00 (byte 4), an
     * ack EF after seq 0, a compressed packet is stored (ulen 0) or starts with a zstd magic or
     * a zlib method nibble. */
    bool ev_ok = plain_ok && fr->cfg.role != SS_ROLE_CLIENT;
    bool ack_ok = plain_ok && fr->cfg.role != SS_ROLE_SERVER;
    for (;;) {
        const uint8_t *w = fr->win;
        size_t x = fr->scan;
        size_t fast_end = fr->win_n > SSF_CHDR_LEN ? fr->win_n - SSF_CHDR_LEN : 0;
        while (x < fast_end) {
            const uint8_t *b = w + x;
            if ((ev_ok && b[4] == 0x00) || (ack_ok && b[3] == 0 && b[4] == SS_SEMISYNC_MAGIC) ||
                (b[4] | b[5] | b[6]) == 0 || b[7] == 0x28 || (b[7] & 0x0F) == 8)
                break;
            x++;
        }
        fr->scan = x;
        if (x >= fr->win_n)
            return false;
        enum verdict v = plain_ok ? plain_candidate(fr, x, more) : V_REJECT;
        if (v == V_ACCEPT) {
            accept(fr, x, false, SS_COMP_NONE);
            return true;
        }
        enum ss_compress alg = SS_COMP_UNKNOWN;
        enum verdict vc = comp_candidate(fr, x, more, &alg);
        if (vc == V_ACCEPT) {
            accept(fr, x, true, alg);
            return true;
        }
        /* Wait for more bytes, unless the window from here is already as full as it gets. */
        if ((v == V_WAIT || vc == V_WAIT) && fr->win_n - x < win_cap(fr))
            return false;
        fr->scan = x + 1;
    }
}

static bool ensure_window(struct ss_framer *fr)
{
    if (!fr->win)
        fr->win = malloc(win_cap(fr));
    if (!fr->chunks)
        fr->chunks = malloc(SSF_MAX_CHUNKS * sizeof(*fr->chunks));
    return fr->win && fr->chunks;
}

static void add_chunk(struct ss_framer *fr, uint64_t ts_ns, uint64_t frame)
{
    if (fr->nchunks == SSF_MAX_CHUNKS) {
        /* Tiny segments: the oldest record absorbs its successor (its bytes get older stamps,
         * and are the likeliest to be skipped anyway). */
        memmove(fr->chunks + 1, fr->chunks + 2, (fr->nchunks - 2) * sizeof(*fr->chunks));
        fr->nchunks--;
    }
    fr->chunks[fr->nchunks++] = (struct ssf_chunk){fr->win_n, ts_ns, frame};
}

size_t ssf_resync_push(struct ss_framer *fr, const uint8_t *p, size_t n, uint64_t off,
                       uint64_t ts_ns, uint64_t frame)
{
    if (!ensure_window(fr)) {
        ss_anomaly_add(fr->an, SS_AN_FRAME_RESYNC_SKIPPED_BYTES, n);
        fr->skipped += n;
        return n;
    }
    size_t cap = win_cap(fr);
    if (n && fr->win_n == cap) {
        /* Full without a match: forget the oldest bytes, but never a candidate still waiting. */
        size_t d = SS_MIN(fr->scan, cap / 2);
        if (d == 0)
            d = 1;
        ss_anomaly_add(fr->an, SS_AN_FRAME_RESYNC_SKIPPED_BYTES, d);
        fr->skipped += d;
        drop_front(fr, d);
    }
    size_t k = SS_MIN(n, cap - fr->win_n);
    if (k) {
        if (fr->win_n == 0) {
            fr->win_off = off;
            fr->nchunks = 0;
        }
        add_chunk(fr, ts_ns, frame);
        memcpy(fr->win + fr->win_n, p, k);
        fr->win_n += k;
    }
    scan(fr, k < n);
    return k;
}

void ssf_resync_enter(struct ss_framer *fr)
{
    fr->mode = SSF_RESYNC;
    fr->skipped = 0;
    fr->scan = 0;
}

void ssf_resync_discard(struct ss_framer *fr)
{
    ss_anomaly_add(fr->an, SS_AN_FRAME_RESYNC_SKIPPED_BYTES, fr->win_n);
    fr->win_n = 0;
    fr->nchunks = 0;
    fr->scan = 0;
    fr->rp = 0;
    fr->skipped = 0;
}

void ssf_window_rebase(struct ss_framer *fr)
{
    size_t d = fr->rp;
    fr->rp = 0;
    if (d)
        drop_front(fr, d);
    fr->scan = 0;
}

void ssf_window_release(struct ss_framer *fr)
{
    free(fr->win);
    free(fr->chunks);
    fr->win = NULL;
    fr->chunks = NULL;
    fr->win_n = 0;
    fr->nchunks = 0;
    fr->scan = 0;
    fr->rp = 0;
}
