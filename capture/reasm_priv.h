/* SPDX-License-Identifier: MIT */
/* reasm_priv.h: per-direction TCP reassembly, private to capture/flow.c, capture/reasm.c and their
 * white-box tests. Reference: RFC 9293 §3.4 (sequence numbers), RFC 1982 (serial arithmetic). */
#ifndef SEMISCOPE_REASM_PRIV_H
#define SEMISCOPE_REASM_PRIV_H

#include "semiscope/flow.h"

/* Segments more than this far ahead of the next expected byte cannot be part of a valid TCP stream
 * (the largest scaled window is 2^30) and are dropped as out of window. */
#define SS_REASM_MAX_AHEAD (UINT64_C(1) << 30)

/* Acks waiting for their bytes to be delivered, per direction; when full the newest ack takes the
 * last slot, so the bytes of the slot it replaces are reported with a later timestamp. */
#define SS_REASM_ACK_PEND 8

/* A held out-of-order range: bytes copied from a segment, or (is_gap) a range known to be missing
 * because the segment that carried it was cut by the snaplen. Held ranges never overlap. */
struct ss_reasm_seg {
    struct ss_reasm_seg *prev, *next;
    uint64_t off; /* stream offset of the first byte */
    uint32_t len;
    bool is_gap;
    uint64_t ts_ns, frame; /* of the packet that carried it */
    uint8_t data[];        /* len bytes, none when is_gap */
};

/* Memory charged against the memcap for one held range: its bytes plus the node. */
#define SS_REASM_SEG_COST(datalen) ((uint64_t)(datalen) + sizeof(struct ss_reasm_seg))

/* Table-wide state the reassembler shares over all flows; owned by the flow table. */
struct ss_reasm_ctx {
    const struct ss_stream_ops *ops;
    void *ctx;
    uint64_t memcap;
    uint32_t dir_cap;
    uint32_t gap_after;
    uint64_t mem_used;        /* charged over all flows, see SS_REASM_SEG_COST */
    struct ss_flow_stats *st; /* global counters bumped here */
};

/* One direction of a flow. next_seq and next_off move together: next_seq is the TCP sequence
 * number of the byte at stream offset next_off, so any sequence number maps to an offset by a
 * signed 32-bit difference (serial arithmetic), and offsets never wrap. */
struct ss_reasm {
    struct ss_reasm_seg *head, *tail; /* held ranges, ascending offsets, all > next_off */
    uint64_t next_off;                /* everything below was delivered (as data or gap) */
    uint32_t next_seq;
    bool base_known; /* next_seq is meaningful (SYN seen, or first data byte picked up) */
    bool syn_seen;   /* base came from a SYN; isn below is valid */
    uint32_t isn;
    bool fin_known;
    uint64_t fin_off;    /* stream offset where the FIN sits */
    uint64_t held_bytes; /* data bytes held (the per-direction cap) */
    uint64_t held_span;  /* bytes of stream held, data and known-missing (for gap_after) */
    uint64_t max_seen;   /* end of the highest range seen (or declared a gap): acks are
                          * clamped to it */
    uint64_t acked_off;  /* last offset reported through ops->acked */
    /* Acks covering bytes seen but not yet delivered (held behind a hole: only an RST's ack,
     * which declares no gap, leaves any), ascending; reported, with the ack packet's own
     * ts/frame, as delivery reaches them. */
    struct ss_reasm_ack_pend {
        uint64_t off, ts_ns, frame;
    } pend[SS_REASM_ACK_PEND];
    uint8_t npend;
};

/* Everything one reassembly call needs besides the direction's state. ts/frame are those of the
 * packet (or event) that causes the call: they stamp gaps declared and acks reported from it. */
struct ss_reasm_io {
    struct ss_reasm_ctx *rc;
    struct ss_flow *f;
    enum ss_dir dir;
    uint64_t ts_ns, frame;
};

void ss_reasm_init(struct ss_reasm *r);
/* Offset 0 of the stream is at sequence number `seq`; `from_syn` when seq = ISN + 1. */
void ss_reasm_set_base(struct ss_reasm *r, uint32_t seq, bool from_syn);
/* One segment's payload, starting at sequence number `seq` (after any SYN). `cap_len` bytes were
 * captured at `p` (borrowed), `wire_len` were on the wire; the difference becomes a gap. */
void ss_reasm_segment(const struct ss_reasm_io *io, struct ss_reasm *r, uint32_t seq,
                      const uint8_t *p, uint32_t cap_len, uint32_t wire_len);
/* The FIN sits at sequence number `seq`: everything before it is delivered now, holes as gaps. */
void ss_reasm_fin(const struct ss_reasm_io *io, struct ss_reasm *r, uint32_t seq);
/* The peer acknowledges sequence number `ack` of this direction. When `conclusive`, bytes below
 * the ack that the capture has not shown are declared a gap now (the receiver has them, so no
 * retransmission will ever bring them). The flow table passes false for an RST: the flow ends
 * right after anyway, and RSTs are what middleboxes forge. */
void ss_reasm_ack(const struct ss_reasm_io *io, struct ss_reasm *r, uint32_t ack, bool conclusive);
/* Deliver everything held, holes as gaps (and up to the FIN when known). */
void ss_reasm_flush(const struct ss_reasm_io *io, struct ss_reasm *r);
/* Free held ranges without delivering them. */
void ss_reasm_release(struct ss_reasm_ctx *rc, struct ss_reasm *r);

#endif
