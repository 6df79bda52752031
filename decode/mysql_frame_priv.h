/* SPDX-License-Identifier: MIT */
/* mysql_frame_priv.h: the framer's state, shared by mysql_frame.c (plain framing and the
 * dispatcher), mysql_compress.c (the compressed protocol) and mysql_resync.c (the scan window).
 * Not part of the public interface; white-box tests may include it. */
#ifndef SEMISCOPE_MYSQL_FRAME_PRIV_H
#define SEMISCOPE_MYSQL_FRAME_PRIV_H

#include "semiscope/mysql_frame.h"

#define SSF_MAX_PIECE 0xFFFFFFu          /* a piece of this length has continuation pieces */
#define SSF_HDR_LEN 4u                    /* plain header: u24 length, u8 seq */
#define SSF_CHDR_LEN 7u                   /* compressed header: u24 clen, u8 cseq, u24 ulen */
#define SSF_SCRATCH_LEN (64u * 1024u)     /* inflate output, handed to the inner framer */
#define SSF_DEFAULT_WINDOW (64u * 1024u)
#define SSF_MIN_WINDOW 2048u              /* room for an ack chain and a compressed header pair */
#define SSF_DEFAULT_MAX_PACKET (UINT64_C(1) << 30) + 1024u
#define SSF_MAX_CHUNKS 1024u              /* chunk records kept for the scan window */
#define SSF_NO_FIXED_END UINT64_MAX

enum ssf_mode {
    SSF_PLAIN,    /* synced, 4-byte headers on the wire */
    SSF_COMP,     /* synced, 7-byte compressed headers on the wire, plain framing inside */
    SSF_RESYNC,   /* looking for a boundary in the scan window */
    SSF_STOPPED,  /* framing given up for good (TLS) */
};

/* The plain framer; on compressed connections it runs over the inflated stream. */
struct ssf_inner {
    uint8_t hdr[SSF_HDR_LEN];
    uint8_t hdr_n;        /* header bytes collected so far */
    bool in_piece;        /* reading a piece's payload */
    bool in_packet;       /* begin() called, end() not yet */
    bool too_large;       /* this packet exceeded max_packet (counted once) */
    bool abandoned;       /* lost at a gap: its pieces are skipped by their known lengths */
    bool seq_valid;
    uint8_t seq;          /* last sequence id seen */
    uint32_t piece_len;
    uint32_t piece_left;
    uint64_t total;       /* logical payload bytes of the packet so far */
    uint64_t pkt_off;     /* plain framing: TCP stream offset of the packet's first header byte */
};

/* The compressed-protocol outer framer. */
struct ssf_outer {
    uint8_t hdr[SSF_CHDR_LEN];
    uint8_t hdr_n;
    bool in_packet;       /* reading a compressed packet's payload */
    bool seq_valid;
    uint8_t seq;
    bool stored;          /* uncompressed length 0: payload is raw inner bytes */
    bool alg_chosen;      /* zlib/zstd decided for this packet */
    bool done;            /* the zlib stream / zstd frame ended */
    enum ss_compress alg; /* algorithm of this packet */
    uint32_t clen;
    uint32_t ulen;
    uint32_t left;        /* compressed payload bytes still to come */
    uint64_t out;         /* inflated bytes produced for this packet */
    uint64_t end_off;     /* TCP stream offset just past this compressed packet */
};

/* TCP chunk boundaries inside the scan window, so replayed bytes keep their ts/frame. */
struct ssf_chunk {
    size_t start;         /* window index of the chunk's first byte */
    uint64_t ts_ns;
    uint64_t frame;
};

struct ss_framer {
    struct ss_frame_cfg cfg;
    const struct ss_frame_ops *ops;
    void *ctx;
    struct ss_anomalies *an;
    enum ssf_mode mode;
    enum ss_compress comp;      /* in effect */
    enum ss_compress comp_want; /* requested; applied at the next packet boundary */
    struct ssf_inner in;
    struct ssf_outer out;
    /* inflaters, allocated on first use */
    void *zs;                   /* z_stream */
    bool zs_ready;
    void *zd;                   /* ZSTD_DCtx */
    uint8_t *scratch;
    /* scan window (resync) and, after a successful resync, the replay cursor */
    uint8_t *win;
    size_t win_n;
    uint64_t win_off;           /* TCP stream offset of win[0] */
    size_t scan;                /* next window index to test */
    size_t rp;                  /* replay cursor (synced modes only; rp < win_n = replaying) */
    struct ssf_chunk *chunks;
    size_t nchunks;
    uint64_t skipped;           /* bytes skipped since this resync began */
    size_t rewind;              /* after ss_framer_resync during a replay: window index to scan
                                 * from again (SIZE_MAX: none) */
    uint64_t fed_end;           /* TCP stream offset just past the last byte fed (or gap) */
    bool fed_any;
    int csum_alg;               /* events' checksum, as told by ss_framer_set_checksum */
};

/* mysql_frame.c */
size_t ssf_inner_feed(struct ss_framer *fr, const uint8_t *p, size_t n, uint64_t off0,
                      uint64_t fixed_end, uint64_t ts_ns, uint64_t frame);
void ssf_inner_reset(struct ssf_inner *in);
void ssf_seq_check(struct ss_framer *fr, bool *valid, uint8_t *prev, uint8_t seq);

/* mysql_compress.c */
size_t ssf_comp_feed(struct ss_framer *fr, const uint8_t *p, size_t n, uint64_t off,
                     uint64_t ts_ns, uint64_t frame);
void ssf_outer_reset(struct ssf_outer *o);
void ssf_comp_free(struct ss_framer *fr);
/* Inflate the first bytes of a compressed payload (alg ZLIB or ZSTD) into out[cap], for the
 * resync scan. Returns the number of bytes produced, -1 on a decode error; *more is set when all
 * `n` input bytes were used, the output has room and the stream has not ended (more input could
 * produce more output). */
long ssf_inflate_prefix(struct ss_framer *fr, enum ss_compress alg, const uint8_t *p, size_t n,
                        uint8_t *out, size_t cap, bool *more);

/* mysql_resync.c */
/* Enter resync after a gap or a decode error; window bytes from rp on are kept for the scan. */
void ssf_resync_enter(struct ss_framer *fr);
/* Append up to n input bytes to the window and scan; returns the bytes taken. `n == 0` scans
 * what is held as if no more data were coming in this call. */
size_t ssf_resync_push(struct ss_framer *fr, const uint8_t *p, size_t n, uint64_t off,
                       uint64_t ts_ns, uint64_t frame);
/* Forget the window (gap or free): its bytes are counted as skipped. */
void ssf_resync_discard(struct ss_framer *fr);
/* Drop the replayed bytes [0, rp) once framing fell back into resync during a replay. */
void ssf_window_rebase(struct ss_framer *fr);
/* Free the window and its chunk records (nothing is counted). */
void ssf_window_release(struct ss_framer *fr);

#endif
