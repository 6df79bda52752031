/* SPDX-License-Identifier: MIT */
/* mysql_frame.h: the MySQL packet framer of one TCP direction — 3-byte length + sequence id,
 * 0xFFFFFF continuation pieces joined logically, the compressed protocol (zlib/zstd) inflated as a
 * stream, and resync after a mid-stream start or a gap. protocol.md §1, §2, §10.1.
 *
 * A push parser: TCP bytes in, logical packets out as begin / payload* / end calls. It never holds
 * a whole payload: payload bytes are passed through as they arrive (with the continuation headers
 * removed). It copies only a partial header, or while resyncing, a bounded scan window. */
#ifndef SEMISCOPE_MYSQL_FRAME_H
#define SEMISCOPE_MYSQL_FRAME_H

#include "semiscope/anomaly.h"
#include "semiscope/common.h"

enum ss_compress { SS_COMP_NONE = 0, SS_COMP_ZLIB, SS_COMP_ZSTD, SS_COMP_UNKNOWN };

/* What the framer should expect when it has to find packet boundaries by content. */
enum ss_frame_role {
    SS_ROLE_UNKNOWN = 0,
    SS_ROLE_SERVER,          /* server → client bytes: results, or binlog event packets */
    SS_ROLE_CLIENT,          /* client → server bytes: commands, or semisync acks */
};

/* Callback contract (implemented by decode/mysql_frame*.c, tested in tests/unit/test_mysql_*.c):
 * - begin → payload* → end for every logical packet, never nested. payload offsets are continuous
 *   from 0; n > 0; a 0-length packet has no payload call. Continuation pieces are joined: one
 *   begin (first_len 0xFFFFFF), one end with the total; every piece consumes a sequence id.
 * - A packet over cfg.max_packet still gets begin and end (end with its true total_len), but only
 *   its first max_packet payload bytes are delivered; FRAME_TOO_LARGE is counted once per packet.
 * - lost(in_packet) is called at every gap (also while still resyncing: in_packet false then) and
 *   on a compressed-payload decode error. in_packet is true exactly when begin was called without
 *   end: that packet is abandoned (no payload or end will come for it). FRAME_GAP_IN_PACKET counts
 *   gaps that were not at a packet boundary (a partial header included).
 * - Known-length skip (plain framing only): when a gap starts where the last data ended, inside a
 *   piece's payload, and ends no later than that piece ends, the piece's header already told where
 *   the next header is. Then lost(true) abandons the packet but framing stays synced: the rest of
 *   the piece is skipped, further 0xFFFFFF continuation headers are read as usual (their sequence
 *   ids checked), and the next packet begins normally — no resync call, nothing counted as
 *   skipped. A gap that swallows a header (the next packet's, or a continuation's) or starts in a
 *   partial header falls back to resync. Compressed framing always resyncs after a gap: the lost
 *   bytes belong to a zlib stream / zstd frame that cannot be continued without them, so how many
 *   inner bytes they stood for — and so where the inner packets end — is unknown.
 * - Otherwise, after lost, framing resumes only via resync: resync(skipped, compressed) precedes
 *   the first begin after a mid-stream start (cfg.synced false), a gap, a decode error or
 *   ss_framer_resync; `skipped` = bytes dropped since that point. The packet found and everything
 *   after it is then delivered normally, with the ts/frame of the TCP chunks that carried those
 *   bytes (held bytes keep their chunks' stamps).
 * - Callbacks may call ss_framer_set_compress, ss_framer_set_checksum, ss_framer_resync and
 *   ss_framer_stop on this framer; nothing else. */

/* Called for every logical packet. `ts`/`frame` are those of the TCP chunk that carried the bytes
 * at hand. `stream_off` values are offsets in the *TCP* byte stream of this direction (for
 * compressed connections: the end of the compressed packet that carried the byte), comparable with
 * ss_stream_ops.acked. Payload bytes are borrowed for the duration of the call. */
struct ss_frame_ops {
    /* A logical packet starts. `seq` is its (first piece's) sequence id; `first_len` the first
     * piece's length (0xFFFFFF means continuation pieces follow). */
    void (*begin)(void *ctx, uint8_t seq, uint32_t first_len, uint64_t ts_ns, uint64_t frame);
    /* `n` payload bytes at logical offset `off` within the packet payload. */
    void (*payload)(void *ctx, const uint8_t *p, size_t n, uint64_t off, uint64_t ts_ns,
                    uint64_t frame);
    /* The packet is complete: `total_len` payload bytes; `stream_end_off` is the TCP stream offset
     * just past its last byte. */
    void (*end)(void *ctx, uint64_t total_len, uint64_t stream_end_off, uint64_t ts_ns,
                uint64_t frame);
    /* Bytes were lost (TCP gap, or an undecodable region). A packet in progress is abandoned
     * (`in_packet` true); framing resumes only after a resync. */
    void (*lost)(void *ctx, bool in_packet, uint64_t ts_ns, uint64_t frame);
    /* Framing found packet boundaries again after skipping `skipped` bytes; `compressed` tells
     * whether the stream turned out to use the compressed protocol. */
    void (*resync)(void *ctx, uint64_t skipped, bool compressed, uint64_t ts_ns, uint64_t frame);
};

struct ss_frame_cfg {
    enum ss_frame_role role;
    bool synced;             /* true: the stream starts at a packet boundary (SYN seen) */
    uint32_t resync_window;  /* bytes held while scanning for a boundary; default 64 KiB */
    uint64_t max_packet;     /* logical packets larger than this are skipped as too large;
                              * default 1 GiB + 1 KiB (slave_max_allowed_packet) */
};

struct ss_framer;

/* ops/ctx/an are borrowed for the framer's life. NULL on out-of-memory. */
struct ss_framer *ss_framer_new(const struct ss_frame_cfg *cfg, const struct ss_frame_ops *ops,
                                void *ctx, struct ss_anomalies *an);
/* Switch compression on/off; takes effect at the next packet boundary (call it from `end`).
 * Switching off takes effect at the next *compressed* packet boundary. SS_COMP_UNKNOWN means
 * "compressed, algorithm unknown": each compressed payload is recognised by its first byte (0x28:
 * zstd frame, else a zlib stream). While resyncing, a value other than NONE restricts the search
 * to compressed framing. A resync that finds compressed framing sets it itself (ZLIB/ZSTD, or
 * UNKNOWN when only stored packets were seen); one that finds plain framing sets NONE. */
void ss_framer_set_compress(struct ss_framer *fr, enum ss_compress c);
enum ss_compress ss_framer_compress(const struct ss_framer *fr);
/* The checksum algorithm of the binlog events this direction carries, as the caller learnt it
 * (FORMAT_DESCRIPTION, @master_binlog_checksum, or inferred): 1 CRC32, 0 none, -1 unknown (the
 * default). Resync uses it to judge candidates: with CRC32 known, an event candidate (and the
 * event packet confirming it) held whole in the scan window must carry a CRC that verifies; with
 * it unknown, two such events must agree on whether they carry one. Synthetic events (artificial,
 * ROTATE, FORMAT_DESCRIPTION, heartbeats) are exempt: their checksum follows other rules. */
void ss_framer_set_checksum(struct ss_framer *fr, int alg);
/* The caller found that framing is wrong: the packet at hand (or the one that just ended) is not
 * what this stream carries, so the boundary that led to it was false. Abandon framing at the
 * current point and scan again from the next byte: from the byte after the bad packet's first
 * byte while that packet is still held in the scan window (right after a resync), else from the
 * first byte not yet framed. No lost or end call follows for the packet at hand: the caller drops
 * it itself. The next begin is preceded by resync(). Counted as FRAME_RESYNC_FORCED. Does nothing
 * while already resyncing or stopped. */
void ss_framer_resync(struct ss_framer *fr);
/* Stop framing for good (e.g. the connection went TLS): later bytes are counted, not parsed. */
void ss_framer_stop(struct ss_framer *fr);
/* Feed in-order TCP bytes starting at TCP stream offset `stream_off`. */
void ss_framer_data(struct ss_framer *fr, const uint8_t *p, size_t n, uint64_t stream_off,
                    uint64_t ts_ns, uint64_t frame);
/* `len` bytes at stream_off are missing. */
void ss_framer_gap(struct ss_framer *fr, uint64_t stream_off, uint64_t len, uint64_t ts_ns,
                   uint64_t frame);
bool ss_framer_synced(const struct ss_framer *fr);
void ss_framer_free(struct ss_framer *fr);

#endif
