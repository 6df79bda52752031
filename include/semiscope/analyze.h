/* SPDX-License-Identifier: MIT */
/* analyze.h: per-master, per-replica ack analysis (issue 5). Consumes the connection decoder's
 * messages (mysql.h) and keeps bounded in-flight state: pending ack requests, latency histograms,
 * per-interval timelines. After ss_analysis_finish the result is a read-only model (struct
 * ss_an_master / ss_an_replica below) that the reporters (report.h) walk.
 *
 * Definitions (docs/report-json.md has the long form):
 * - A replica stream is a connection that became a binlog dump (conn->is_dump). Streams are grouped
 *   per master (conn->server) and, within a master, per replica: by (server_id, client address)
 *   when the server_id is known, else one replica per stream.
 * - Every ack-requested event is a pending request of its stream, keyed by (file, end_pos).
 *   An ack (file, pos) is cumulative: it releases every pending request of its stream at or
 *   before (file, pos) (files ordered by numeric suffix, then name), and each released request
 *   yields one latency sample: ack last-byte time − event last-byte time. That is the time the
 *   master's commit of that request waited for this replica.
 * - Pending requests left when the stream ends (or the capture ends) are unanswered. */
#ifndef SEMISCOPE_ANALYZE_H
#define SEMISCOPE_ANALYZE_H

#include "semiscope/anomaly.h"
#include "semiscope/common.h"
#include "semiscope/hist.h"
#include "semiscope/mysql.h"

struct ss_analysis_cfg {
    uint64_t interval_ns;        /* timeline bucket width; default 1 s */
    uint32_t max_masters;        /* default 64 */
    uint32_t max_replicas;       /* per master; default 256 */
    uint32_t max_pending;        /* pending ack requests per replica; default 65536 */
    uint32_t slowest_n;          /* slowest acks (and longest unanswered) kept; default 10 */
    uint32_t max_intervals;      /* timeline buckets kept per replica; default 86400 */
    uint32_t max_conn_records;   /* connection records kept per replica; default 64 */
    uint32_t max_trx_ranges;     /* transaction-dedup ranges per master; default 1024 */
};
void ss_analysis_cfg_defaults(struct ss_analysis_cfg *cfg);

struct ss_analysis;

/* cfg is copied (NULL: defaults; zero fields take their default, except slowest_n where 0 keeps
 * none); an is borrowed and may be NULL. NULL on OOM. */
struct ss_analysis *ss_analysis_new(const struct ss_analysis_cfg *cfg, struct ss_anomalies *an);
/* The msg sink: feed every message of every connection, in capture order. */
void ss_analysis_msg(struct ss_analysis *a, const struct ss_msg *m);
/* Adapter for struct ss_msg_sink (ctx is the analysis). */
void ss_analysis_sink(void *ctx, const struct ss_msg *m);
/* End of input at capture time ts_ns: unanswered requests are closed out, timelines flushed and
 * masters/replicas sorted for the report. Call once, before reading the model. */
void ss_analysis_finish(struct ss_analysis *a, uint64_t ts_ns);
void ss_analysis_free(struct ss_analysis *a); /* NULL ok */

/* ---- The read-only model (valid after ss_analysis_finish, until ss_analysis_free). ---- */

/* One latency sample with its provenance, so any number can be checked in Wireshark. */
struct ss_ack_sample {
    uint64_t latency_ns;         /* ack_ts − ev_ts */
    uint64_t ev_frame, ev_ts_ns; /* frame carrying the event's last byte */
    uint64_t ack_frame, ack_ts_ns;
    uint64_t tcp_frame, tcp_ts_ns; /* first TCP ack covering the event; 0 when unknown */
    uint64_t pos;                /* the request's end position */
    char file[SS_FILE_MAX];
    uint64_t flow_id;
};

enum ss_unanswered_until { SS_UNANSWERED_STREAM_END = 0, SS_UNANSWERED_CAPTURE_END };

struct ss_unanswered {
    uint64_t pending_ns;         /* from the event's last byte to the end of stream/capture */
    uint64_t ev_frame, ev_ts_ns;
    uint64_t end_ts_ns;
    uint64_t pos;
    char file[SS_FILE_MAX];
    uint64_t flow_id;
    enum ss_unanswered_until until;
};

/* One timeline bucket with activity (empty buckets are not stored). Bucket k covers capture time
 * [k·interval, (k+1)·interval) since the epoch. Requests count at the event's time, acks and
 * samples at the ack's time. */
struct ss_interval {
    uint64_t index;
    uint64_t requests, acks, samples;
    uint64_t p50_ns, p99_ns, max_ns;
};

/* One dump connection of a replica. */
struct ss_an_conn {
    uint64_t flow_id;
    struct ss_endpoint client;
    int64_t thread_id;           /* server connection id, -1 unknown */
    int semisync;                /* 1 yes, 0 no, -1 unknown */
    uint64_t first_ts_ns, last_ts_ns, first_frame, last_frame;
    uint64_t events, ack_requests, acks;
    bool ended;                  /* false: still open at capture end */
    enum ss_end_reason end_reason;
    int closed_by_master;        /* FIN/RST: 1 the master sent it first, 0 the replica, -1 n/a */
    /* From the flow when it ended (zero if it never did): */
    bool midstream;              /* the capture joined the connection after its start */
    uint64_t retransmissions;    /* TCP retransmitted segments, both directions */
    uint64_t zero_windows;       /* segments advertising a zero window, both directions */
};

struct ss_an_replica {
    struct ss_addr addr;
    int64_t server_id;           /* -1 unknown */
    char host[64];               /* report_host, "" unknown */
    uint16_t port;               /* report_port, 0 unknown */
    int semisync;                /* 1 yes, 0 no, -1 unknown: the latest stream that knows */
    uint64_t dump_connections;
    uint64_t kill_connections;   /* KILL-only connections from this address to this master */
    uint64_t events, event_bytes, heartbeats;
    uint64_t ack_requests, acks;
    uint64_t acks_matched;       /* released at least one request */
    uint64_t acks_cumulative;    /* released more than one request */
    uint64_t acks_unmatched, acks_duplicate, acks_late, acks_backwards, acks_malformed;
    uint64_t requests_answered;
    uint64_t requests_unanswered;        /* at stream end + at capture end */
    uint64_t requests_in_flight_at_end;  /* the capture-end subset */
    uint64_t requests_dropped;           /* evicted by the pending cap */
    uint64_t first_ts_ns, last_ts_ns;
    bool midstream;                      /* some stream was picked up mid-connection */
    uint64_t retransmissions, zero_windows; /* summed over its ended streams */
    bool has_last_ack;
    uint64_t last_ack_ts_ns, last_ack_frame, last_ack_pos;
    char last_ack_file[SS_FILE_MAX];
    const struct ss_hist *latency;       /* ack − event (ns); never NULL */
    const struct ss_hist *network;       /* TCP ack − event; NULL when never measurable */
    const struct ss_hist *replica_side;  /* semisync ack − TCP ack; NULL likewise */
    const struct ss_ack_sample *slowest; /* slowest first */
    size_t nslowest;
    const struct ss_unanswered *unanswered; /* longest pending first */
    size_t nunanswered;
    const struct ss_an_conn *conns;      /* in stream start order */
    size_t nconns;
    uint64_t conns_dropped;              /* beyond max_conn_records */
    const struct ss_interval *timeline;  /* ascending index */
    size_t ntimeline;
    uint64_t timeline_dropped;           /* activity in buckets beyond max_intervals */
};

struct ss_an_master {
    struct ss_endpoint endpoint;
    enum ss_flavor flavor;
    char server_version[SS_VERSION_MAX]; /* "" unknown */
    uint64_t transactions;               /* distinct SS_TRX_END positions seen on any stream */
    uint64_t trx_ranges_dropped;         /* dedup cap: may overcount after this */
    uint64_t replicas_dropped;           /* streams ignored for the max_replicas cap */
    const struct ss_an_replica *const *replicas; /* by server_id (unknown last), then address */
    size_t nreplicas;
};

/* Analysis-wide caps and counters for the report. */
struct ss_an_totals {
    uint64_t first_ts_ns, last_ts_ns;    /* of the messages seen; 0 when none */
    uint64_t msgs;
    uint64_t streams;                    /* dump connections seen */
    uint64_t masters_dropped;            /* streams ignored for the max_masters cap */
    uint64_t pending_cap_hit;
    uint64_t names_cap_hit;              /* distinct binlog file names beyond the table cap */
    uint64_t kill_table_full;
    uint64_t alloc_failures;             /* out of memory: some detail was not recorded */
    uint64_t interval_ns;
    uint32_t slowest_n;                  /* the configuration's, for merged lists */
    bool tcp_acks_seen;                  /* the decoder emitted SS_MSG_TCP_ACK at all */
};

/* Masters by endpoint (address family, bytes, port). */
size_t ss_analysis_masters(const struct ss_analysis *a, const struct ss_an_master *const **out);
const struct ss_an_totals *ss_analysis_totals(const struct ss_analysis *a);
/* After ss_analysis_finish: narrow the model to the replicas at address `replica` (--replica).
 * Each master lists only those; a master without one leaves the model. Nothing is recomputed: a
 * master's own figures (transactions, and the state machine's, which is separate) and the totals
 * still come from all of the traffic, which is the point (a BPF 'host' filter would hide the
 * other replicas' acks from the master's state). Returns the replicas kept (0: none matched). */
size_t ss_analysis_focus(struct ss_analysis *a, const struct ss_addr *replica);
/* Total ordering of binlog coordinates: numeric suffix of the file name (after the last '.'),
 * then the name bytes, then the position. <0, 0, >0. */
int ss_binlog_coord_cmp(const char *fa, uint64_t pa, const char *fb, uint64_t pb);

#endif
