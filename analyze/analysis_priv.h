/* SPDX-License-Identifier: MIT */
/* analysis_priv.h: the analysis' internal state, shared by analysis.c, ack_match.c, names.c,
 * trxset.c and timeline.c (and white-box tests). Not an interface. */
#ifndef SEMISCOPE_ANALYSIS_PRIV_H
#define SEMISCOPE_ANALYSIS_PRIV_H

#include "semiscope/analyze.h"

/* ---- names.c: interned binlog file names, so pending entries carry a 4-byte id. ---- */

#define SS_NAMES_MAX 4096   /* distinct file names; beyond, names map to id 0 ("?") */

struct ss_name {
    char *s;
    bool has_suffix;
    uint64_t suffix;         /* numeric suffix after the last '.' */
};

struct ss_names {
    struct ss_name *v;       /* v[0] is the overflow name "?" */
    uint32_t n, cap;
    uint32_t *slots;         /* open addressing: index into v, 0 = empty */
    uint32_t nslots;
    uint64_t cap_hit;
    uint64_t alloc_failures;
};

int ss_names_init(struct ss_names *t);
void ss_names_free(struct ss_names *t);
uint32_t ss_names_intern(struct ss_names *t, const char *s);
const char *ss_names_str(const struct ss_names *t, uint32_t id);
int ss_names_coord_cmp(const struct ss_names *t, uint32_t fa, uint64_t pa, uint32_t fb,
                       uint64_t pb);

/* ---- trxset.c: distinct transaction ends per master, as ranges of binlog positions that some
 * stream is known to have sent contiguously. ---- */

struct ss_trx_range {
    uint32_t file;
    uint64_t lo, hi;
};

struct ss_trxset {
    struct ss_trx_range *v;  /* sorted by (file id, lo), disjoint */
    size_t n, cap;
    size_t max;
    uint64_t count;          /* distinct transaction ends */
    uint64_t dropped;        /* ranges evicted for the cap */
    uint64_t alloc_failures;
};

void ss_trxset_init(struct ss_trxset *t, size_t max);
void ss_trxset_free(struct ss_trxset *t);
/* A transaction end at (file, pos) sent by a stream whose previous transaction end was
 * (prev_file, prev_pos) (has_prev false: none). True when it is new. */
bool ss_trxset_add(struct ss_trxset *t, bool has_prev, uint32_t prev_file, uint64_t prev_pos,
                   uint32_t file, uint64_t pos);

/* ---- timeline.c: per-interval activity of one replica, with a latency histogram for the open
 * interval only. ---- */

struct ss_timeline {
    uint64_t interval_ns;
    size_t max;
    struct ss_interval *v;
    size_t n, cap;
    bool open, open_dropped;  /* open bucket; open_dropped: it did not fit (cap) */
    struct ss_interval cur;
    struct ss_hist *h;        /* latencies of the open bucket */
    uint64_t dropped;
    uint64_t alloc_failures;
};

void ss_timeline_init(struct ss_timeline *tl, uint64_t interval_ns, size_t max);
void ss_timeline_free(struct ss_timeline *tl);
void ss_timeline_request(struct ss_timeline *tl, uint64_t ts_ns);
void ss_timeline_ack(struct ss_timeline *tl, uint64_t ts_ns);
void ss_timeline_sample(struct ss_timeline *tl, uint64_t ts_ns, uint64_t latency_ns);
void ss_timeline_flush(struct ss_timeline *tl);

/* ---- analysis.c / ack_match.c: masters, replicas, streams. ---- */

struct ss_pending {
    uint64_t pos;
    uint64_t ev_frame, ev_ts_ns;
    uint64_t end_off;        /* server→client stream offset past the event */
    uint64_t tcp_frame, tcp_ts_ns; /* first TCP ack covering end_off; tcp_frame 0 = none yet */
    uint32_t file;
    bool tcp_unknown;        /* already covered when the event was delivered: no split */
};

struct ss_master;

struct ss_replica {
    struct ss_an_replica pub;        /* the model; pointer fields point at the members below */
    struct ss_master *m;
    struct ss_hist lat;
    struct ss_hist *net, *rside;
    struct ss_ack_sample *slow;
    struct ss_unanswered *unans;
    struct ss_an_conn *conns;
    size_t conns_cap;
    struct ss_timeline tl;
    uint64_t npending;               /* over all its streams, for the pending cap */
    uint64_t semisync_seq;           /* start order of the stream that set pub.semisync */
};

struct ss_master {
    struct ss_an_master pub;
    struct ss_replica **reps;
    size_t nreps, capreps;
    struct ss_trxset trx;
};

#define SS_RECENT_ACKED 16

struct ss_stream {
    uint64_t flow_id;
    uint64_t seq;                    /* start order */
    struct ss_master *m;
    struct ss_replica *rep;          /* NULL: ignored (a cap was hit) */
    long rec;                        /* index in rep->conns, -1 none */
    /* pending requests, a FIFO ring in send order */
    struct ss_pending *q;
    uint32_t qcap, qhead, qlen;
    uint32_t qtcp;                   /* entries from the head already TCP-acked */
    /* acks */
    bool has_ack;
    uint32_t ack_file;
    uint64_t ack_pos;                /* best (highest) ack seen */
    struct { uint32_t file; uint64_t pos; } recent[SS_RECENT_ACKED]; /* answered positions */
    uint32_t nrecent, recent_next;
    /* TCP acks of the server's bytes */
    bool tcp_seen;
    uint64_t tcp_off, tcp_frame, tcp_ts_ns;
    /* last transaction end, for the dedup ranges */
    bool has_trx;
    uint32_t trx_file;
    uint64_t trx_pos;
};

struct ss_kill_ent {
    struct ss_endpoint server;
    struct ss_addr client;
    uint64_t n;
};

#define SS_KILL_TABLE_MAX 1024

struct ss_analysis {
    struct ss_analysis_cfg cfg;
    struct ss_anomalies *an;
    struct ss_masters_arr {
        struct ss_master **v;
        size_t n, cap;
    } masters;
    const struct ss_an_master **sorted;
    size_t nsorted;                  /* masters in the model: all, or those ss_analysis_focus kept */
    struct ss_stream **slots;        /* open addressing by flow_id */
    size_t nslots, nstreams;
    struct ss_stream *last;          /* one-entry lookup cache */
    struct ss_names names;
    uint32_t nofile;                 /* id of "": events before the decoder learnt the file */
    struct ss_kill_ent *kills;
    size_t nkills, capkills;
    struct ss_an_totals tot;
    uint64_t alloc_failures;
    bool finished;
};

/* ack_match.c */
void ss_ackm_request(struct ss_analysis *a, struct ss_stream *s, const struct ss_msg *m);
void ss_ackm_ack(struct ss_analysis *a, struct ss_stream *s, const struct ss_msg *m);
void ss_ackm_tcp_ack(struct ss_analysis *a, struct ss_stream *s, const struct ss_msg *m);
/* The stream ended (or the capture did): its pending requests become unanswered. */
void ss_ackm_close(struct ss_analysis *a, struct ss_stream *s, uint64_t ts_ns,
                   enum ss_unanswered_until until);

#endif
