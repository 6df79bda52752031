/* SPDX-License-Identifier: MIT */
/* flow.h: the TCP flow table and per-direction reassembly, and the consumer interface that is all
 * decode/ ever sees of TCP: data(bytes, ts, frame), gap(length), acked(offset), window(zero),
 * end(reason).
 * Modelled on Suricata's stream engine (gaps, memcaps, midstream pickup) and Zeek's analyzer calls
 * (DeliverStream / Undelivered / EndpointEOF). Time is packet time only. */
#ifndef SEMISCOPE_FLOW_H
#define SEMISCOPE_FLOW_H

#include "semiscope/common.h"
#include "semiscope/packet.h"

/* Direction inside a flow: from the client (connection initiator) to the server, or back. */
enum ss_dir { SS_C2S = 0, SS_S2C = 1 };

/* Why a direction or flow ended. */
enum ss_end_reason {
    SS_END_FIN = 0,      /* orderly close seen (FIN in that direction) */
    SS_END_RST,          /* RST */
    SS_END_IDLE,         /* no packet for the idle timeout (packet time) */
    SS_END_CAPTURE,      /* capture ended with the flow open */
    SS_END_EVICTED,      /* flow-table cap: evicted to make room */
};

/* How the client/server sides were decided. */
enum ss_side_source {
    SS_SIDE_SYN = 0,     /* saw the SYN (or SYN/ACK) */
    SS_SIDE_PORT,        /* one endpoint's port is a configured MySQL port */
    SS_SIDE_GUESS,       /* lower port taken as the server */
};

struct ss_dir_stats {
    uint64_t packets;        /* TCP segments in this direction (incl. pure ACKs) */
    uint64_t bytes;          /* payload bytes delivered in order */
    uint64_t retrans;        /* segments entirely already seen */
    uint64_t overlap_conflicts; /* overlapping bytes differing from the first copy */
    uint64_t gaps;           /* holes delivered as gaps */
    uint64_t gap_bytes;
    uint64_t ooo_segments;   /* segments that arrived ahead of a hole */
    uint64_t zero_windows;   /* segments advertising a zero window */
    uint64_t csum_bad;
    bool fin, rst;
};

/* A TCP connection. Fields are read-only for consumers except `app`, which belongs to the consumer
 * (set in open, released in end). */
struct ss_flow {
    uint64_t id;             /* creation order, 1.. */
    struct ss_endpoint client, server;
    enum ss_side_source side_source;
    bool midstream;          /* first packet seen was not a SYN */
    uint64_t first_ts_ns, last_ts_ns;
    uint64_t first_frame, last_frame;
    struct ss_dir_stats dir[2];
    void *app;
};

/* Consumer callbacks (any may be NULL; none may call back into the flow table). Gaps declared
 * because of a packet carry that packet's ts/frame; gaps and ends not caused by a packet of the
 * flow (finish, idle expiry, eviction) carry the time they were decided and the flow's last frame.
 * Bytes are borrowed for the duration of the call. Stream offsets count bytes of
 * one direction from its first delivered byte (gaps included), so they are comparable with what
 * `acked` reports. */
struct ss_stream_ops {
    /* A new flow (before any data). */
    void (*open)(void *ctx, struct ss_flow *f);
    /* In-order bytes of one direction, all from one frame. */
    void (*data)(void *ctx, struct ss_flow *f, enum ss_dir dir, const uint8_t *p, size_t n,
                 uint64_t stream_off, uint64_t ts_ns, uint64_t frame);
    /* `len` bytes at stream_off will never arrive (lost, not captured, or cut by snaplen). A hole
     * becomes a gap as soon as the peer acknowledges past its start (only the acknowledged part;
     * the rest may still show up), else when gap_after bytes are held beyond it, at a FIN or RST,
     * or at the end of the flow. */
    void (*gap)(void *ctx, struct ss_flow *f, enum ss_dir dir, uint64_t stream_off, uint64_t len,
                uint64_t ts_ns, uint64_t frame);
    /* The peer acknowledged every byte of `dir` below stream_off (first time it advances).
     * Reported only once every byte below stream_off was delivered (as data or gap). */
    void (*acked)(void *ctx, struct ss_flow *f, enum ss_dir dir, uint64_t stream_off,
                  uint64_t ts_ns, uint64_t frame);
    /* The receiver of `dir`'s data (the peer, in the segments it sends) started advertising a zero
     * receive window (zero = true), or a non-zero one again (zero = false): `dir` names the data
     * the window holds back, as for `acked`. Called on changes only, with the ts/frame of the
     * segment that carried the change. Each direction starts open, so its first call (if any)
     * has zero = true; a flow may end while closed (no call for that). Every segment with ACK
     * set and neither SYN nor RST is an advertisement (a keepalive or a window-probe reply with
     * window 0 is a zero window); the raw field is compared, so the scale does not matter.
     * Called after the segment's own ack was reported (acked) and before its own data. */
    void (*window)(void *ctx, struct ss_flow *f, enum ss_dir dir, bool zero, uint64_t ts_ns,
                   uint64_t frame);
    /* The flow is done; after this call the flow is freed. `by` is the direction whose FIN/RST
     * ended it (meaningless for IDLE/CAPTURE/EVICTED). For FIN it is the side that sent the first
     * FIN, i.e. the one that started the close. */
    void (*end)(void *ctx, struct ss_flow *f, enum ss_end_reason why, enum ss_dir by,
                uint64_t ts_ns, uint64_t frame);
};

struct ss_flow_cfg {
    uint32_t max_flows;          /* default 65536 */
    uint64_t memcap;             /* bytes of out-of-order data held over all flows; default 64 MiB */
    uint32_t dir_ooo_cap;        /* bytes held ahead of a hole per direction; default 4 MiB */
    uint64_t idle_timeout_ns;    /* default 3600 s of packet time */
    uint32_t gap_after;          /* declare a hole a gap once this many bytes are held beyond it;
                                  * default 256 KiB */
    const uint16_t *ports;       /* MySQL port hints (not a gate); may be NULL */
    size_t nports;
};
void ss_flow_cfg_defaults(struct ss_flow_cfg *cfg);

struct ss_flow_stats {
    uint64_t flows_created;
    uint64_t flows_active;
    uint64_t flows_max_hit;      /* a new flow needed an eviction */
    uint64_t memcap_hit;         /* the memcap forced a direction's first hole to become a gap
                                  * early (rather than holding the segment) */
    uint64_t dir_ooo_cap_hit;    /* the same, for the per-direction cap */
    uint64_t idle_expired;
    uint64_t midstream_pickups;
    uint64_t retrans;
    uint64_t overlap_conflicts;
    uint64_t gaps;
    uint64_t gap_bytes;
    uint64_t gaps_acked;         /* of `gaps`: declared at once because the receiver acknowledged
                                  * bytes the capture never showed (a capture drop: the receiver
                                  * has them, no retransmission will come) */
    uint64_t csum_bad;
    uint64_t ooo_bytes_peak;     /* most out-of-order memory held at once (bytes + per-range
                                  * overhead, the quantity the memcap limits) */
    uint64_t out_of_window;      /* segments, FINs and acks > 2^30 bytes ahead of the stream:
                                  * dropped (an ack that far ahead is ignored) */
    uint64_t segments_no_flow;   /* segments that matched no flow and could not start one (pure
                                  * ACK, FIN or RST of an unknown or already ended connection) */
    uint64_t syn_reuse;          /* a new SYN on a live 4-tuple ended the old flow (port reuse) */
    uint64_t alloc_failures;     /* out of memory: a flow or held range was not created */
};

struct ss_flowtab;

/* ops and ctx are borrowed for the life of the table. NULL on out-of-memory. */
struct ss_flowtab *ss_flowtab_new(const struct ss_flow_cfg *cfg, const struct ss_stream_ops *ops,
                                  void *ctx);
/* Feed one decoded segment: may call any of the ops, for this flow and for idle ones it expires. */
void ss_flowtab_packet(struct ss_flowtab *t, const struct ss_tcp_pkt *pkt);
/* End of input: flush held data (holes become gaps) and end every flow with SS_END_CAPTURE. */
void ss_flowtab_finish(struct ss_flowtab *t, uint64_t ts_ns);
void ss_flowtab_stats(const struct ss_flowtab *t, struct ss_flow_stats *out);
void ss_flowtab_free(struct ss_flowtab *t); /* ends nothing; call finish first. NULL ok */

#endif
