/* SPDX-License-Identifier: MIT */
/* semistate_priv.h: the per-master shadow state shared by semistate*.c (and white-box tests).
 * Everything here is bounded: every table has a cap and a counter of what the cap dropped. */
#ifndef SEMISCOPE_SEMISTATE_PRIV_H
#define SEMISCOPE_SEMISTATE_PRIV_H

#include "semiscope/hist.h"
#include "semiscope/semistate.h"

#define SS_SEM_MAX_MASTERS 64
#define SS_SEM_MAX_STREAMS 256     /* dump streams alive at once, per master */
#define SS_SEM_MAX_REPLICAS 256    /* distinct replicas (server_id) per master */
#define SS_SEM_MAX_PENDING 4096    /* transaction ends waiting for acks, per master */
#define SS_SEM_MAX_TRANSITIONS 256 /* first 255 kept, then the last one is overwritten */
#define SS_SEM_MAX_UNPROTECTED 100 /* listed; the total is always counted */
#define SS_SEM_FILES 16            /* binlog file names remembered for printing */
#define SS_SEM_GTID_MAX 80
#define SS_SEM_IDLE_NS (SS_NS_PER_SEC)       /* a stream quiet this long after an event was
                                              * caught up at that event */
#define SS_SEM_LIVE_SLACK_NS (2 * SS_NS_PER_SEC) /* without TCP acks to go by: sent within this
                                                  * of its header second counts as sent live */
#define SS_SEM_WC_MARGIN_NS 2000000u         /* 2 ms: flag decided before the ack was read */
#define SS_SEM_DRAIN_QUIET_NS 1000000u       /* 1 ms: data this long after an ack that covered
                                              * everything sent was not queued behind it */
#define SS_SEM_QUIET_RUN_NS 200000000u       /* no flag anywhere for this long, over ... */
#define SS_SEM_QUIET_RUN_MIN 8               /* ... at least this many new ends: disabled */
#define SS_SEM_RECENT 256                    /* acks and releases kept to revise at a disable */
#define SS_SEM_WAKE_NS 5000000u              /* 5 ms: a session released by an ack re-checks the
                                              * state when it next runs, and the ack thread reads
                                              * an ack when it next runs; a disable in between
                                              * wins (no_tx, ack not counted) */
#define SS_SEM_WAIT_ENTER_NS 20000000u    /* 20 ms: a committing session waits by then (right
                                          * after its binlog sync, or its engine commit) */
#define SS_SEM_ON_RACE_NS 50000000u      /* 50 ms: a commit written before an ack becomes visible
                                          * to dump threads only after its binlog sync */
#define SS_SEM_SYNC_LIKELY_NS 2500000u    /* an end sent this soon after the last flag was most
                                          * likely written before a disable came between */
#define SS_SEM_SYNC_MAX_NS 10000000u      /* ... and possibly up to this */
#define SS_SEM_ACK_RING 4                 /* acks kept per stream to judge that (below) */
#define SS_SEM_ACK_LOST_NS 50000000u      /* 50 ms: an ack this close to the replica's close may
                                          * not have been read before the dump thread left
                                          * (the soak saw 4 acks lost, 22-30 ms before it) */
#define SS_SEM_RACE_CHAIN_NS 20000000u    /* 20 ms: a group of commits can take that long to
                                          * become visible (its binlog fsync) */
#define SS_SEM_RACE_CHAIN_MAX 1024        /* commits one chain of races may take in */
#define SS_SEM_MAX_UNCERTAIN 64              /* uncertain spans listed (all counted) */

/* A binlog coordinate: ord orders files (numeric suffix + 1; 0 = unknown). */
struct ss_sem_pos {
    uint64_t ord, pos;
};

struct ss_sem_file {
    char name[SS_FILE_MAX];
    uint64_t ord;
    uint64_t used;                   /* LRU clock */
};

struct ss_sem_stream {
    uint64_t flow_id;
    int64_t server_id;               /* -1 unknown */
    uint32_t replica;                /* index in replicas[], UINT32_MAX none yet */
    bool semi;                       /* counted as a semisync client */
    bool preexisting;                /* already dumping when the capture started */
    uint64_t start_ts;
    char gtid[SS_SEM_GTID_MAX];      /* last GTID seen on this stream, "" none */
    uint64_t flags_out;              /* flagged events sent on it, not yet acked on it */
    bool tail_valid;                 /* last event: an unflagged end at the frontier */
    struct ss_sem_pos tail;
    uint64_t tail_ts;
    uint64_t ack_ts[SS_SEM_ACK_RING]; /* the last acks on this stream (ring) */
    uint32_t ack_i;
    bool have_last_end;              /* last transaction end this stream carried */
    struct ss_sem_pos last_end;
    /* What TCP tells about when the master decided what this stream carries: a flag is decided
     * when the dump thread prepares the event, the capture sees it when the kernel sends it. */
    bool tcp_seen;                   /* the replica's TCP acks are known for this stream */
    bool zero_window;                /* the replica advertises a zero window now */
    uint64_t sent_off;               /* master→replica stream offset past the last event */
    uint64_t acked_off;              /* the replica's TCP acked every byte below this */
    uint64_t drain_ts;               /* an ack covered everything sent, window open; 0 none */
    bool stale_catchup;              /* stale only because a new dump is catching up */
    uint64_t stale_since;            /* events seen from then on may have waited in the
                                      * master's send buffer (zero window, a new dump catching
                                      * up): decided earlier than seen. 0 = fresh */
};

struct ss_sem_replica {
    uint64_t key;                    /* server_id, or flow id | 2^63 when unknown */
    int64_t server_id;
    bool have_best;
    struct ss_sem_pos best;          /* best ack (or dump start position) */
    uint32_t alive;                  /* semisync streams of this replica alive */
    uint64_t releases;               /* commits this replica's ack released */
    bool ever_semi;
    uint64_t gone_ts;                /* when its last semisync stream ended; 0 never */
    uint64_t acks;
};

enum ss_sem_kind { SS_SEM_REQ = 0, SS_SEM_MEMBER };

/* A transaction end the master is (believed to be) waiting for. */
struct ss_sem_pending {
    struct ss_sem_pos pos;
    uint64_t t0;                     /* commit time estimate: wait start */
    uint64_t approx;                 /* ± of t0 (header-second resolution), 0 exact */
    uint64_t flag_ts;                /* first flagged send; 0 none yet */
    uint32_t nacks;                  /* distinct replicas whose ack covers it */
    uint8_t kind;                    /* enum ss_sem_kind */
    bool unflagged_fresh;            /* first shown unflagged by a fresh semisync stream */
    char gtid[SS_SEM_GTID_MAX];
};

/* An ack or a release the master counted, kept a while: a disable concluded later (the wire needs
 * a run of unflagged commits to see it) revises what came after it. */
enum ss_sem_recent_kind { SS_SEM_RECENT_ACK = 0, SS_SEM_RECENT_RELEASE };
struct ss_sem_recent {
    uint64_t ts, wait;
    uint8_t kind;
};

/* One of the slowest commit waits, with what the reader needs to find it in the capture. */
#define SS_SEM_SLOWEST 5
struct ss_sem_slow {
    uint64_t wait_ns;
    uint64_t ts;                     /* the releasing ack */
    int64_t server_id;
    char position[SS_SEMI_POS_MAX];
};

enum ss_sem_why { SS_SEM_WHY_OFF = 0, SS_SEM_WHY_TIMEOUT, SS_SEM_WHY_NO_REPLICA };

struct ss_sem_unprot {
    uint64_t ts;                     /* commit time estimate */
    uint64_t approx;
    char position[SS_SEMI_POS_MAX];
    char gtid[SS_SEM_GTID_MAX];
    uint8_t why;                     /* enum ss_sem_why */
};

/* A span of time in which the wire cannot decide what the master did. */
struct ss_sem_uncertain {
    uint64_t from, to;
    char reason[SS_SEMI_REASON_MAX];
};

struct ss_sem_master {
    struct ss_endpoint ep;
    enum ss_flavor flavor;
    struct ss_semi_params given;     /* as passed in */
    struct ss_semi_params p;         /* in use (wire corrections applied) */
    char timeout_note[200];          /* why the timeout was corrected, "" if it was not */
    enum ss_semi_state state, state_start;
    bool start_set;
    uint64_t on_since;               /* when ON was last established */
    uint64_t last_on_ev;             /* last corroboration of ON (flag or release) */
    uint64_t first_ts, last_ts;

    bool have_frontier;              /* largest transaction end seen on any stream */
    struct ss_sem_pos frontier;
    bool have_reply;                 /* largest position covered by wait_count replicas */
    struct ss_sem_pos reply;
    uint64_t reply_ts;
    bool flag_seen;
    uint64_t last_flag_ts;

    struct ss_sem_file files[SS_SEM_FILES];
    uint64_t file_clock, next_plain_ord;

    struct ss_sem_stream *streams;
    uint32_t n_streams, cap_streams;
    uint64_t streams_dropped;
    struct ss_sem_replica *replicas;
    uint32_t n_replicas, cap_replicas;
    uint64_t replicas_dropped;
    uint32_t semi_alive;
    uint64_t all_gone_ts;            /* last time semi_alive fell to 0 */
    bool dis_waiter;                 /* at a disable: the AFTER_SYNC waiter is accounted */
    uint64_t disabled_seen_ts;       /* last new end sent unflagged to a fresh semisync stream
                                      * while disabled: still disabled then */

    struct ss_sem_pending *pend;     /* ring, in position order */
    uint32_t pend_head, pend_n, pend_cap;
    uint64_t pend_dropped, members_unresolved;

    struct ss_semi_counters c;
    struct ss_semi_counter_range rng;  /* what the wire could not decide (see semistate.h) */
    int64_t no_tx_at_off;            /* no_tx right after the last switch OFF */
    int64_t off_since_flag;          /* commits counted while OFF since the last flag */
    int64_t off_woken;               /* commits the last switch OFF woke (counted no_tx) */
    int64_t off_after;               /* commits it found committed after it (counted no_tx) */
    int64_t off_woken_late, off_woken_late_req; /* of the commits it woke, those committed after
                                                 * the last flag (and requests among them) */
    uint64_t unp_total_at_off;       /* unprotected commits then */
    uint32_t n_unp_at_off;
    bool have_off_timeout;           /* the last switch OFF was a timeout of off_timeout_pos */
    struct ss_sem_pos off_timeout_pos;
    uint64_t off_timeout_t0;         /* latest commit time of the end that timed out */
    uint32_t race_n;                 /* commits in the current chain of such races */
    uint64_t race_ack_ts, race_start; /* the chain's latest frontier ack; its first ack */
    uint64_t on_race_until;          /* a new end seen before this, right after an ack switched
                                      * ON, may have been written before that ack: no ON then */
    uint64_t acked_unseen;           /* releases by acks past every end seen (events missed) */
    uint64_t trx_seen, trx_before_capture, trx_unclassified, trx_disabled, unflagged_on;
    uint32_t wc_evidence;
    uint64_t max_ok_wait;            /* longest successful wait: a lower bound of the timeout */
    bool tcp_any;                    /* TCP acks are in the input (a new stream has none yet) */
    uint64_t watch_until;            /* last moment a fresh dump stream was watching the binlog:
                                      * a commit seen later on a stale stream is no older */
    uint64_t last_on_tr;             /* time of the last transition to ON (0 none) */
    uint64_t dump_after_close_ts;    /* the first dump started after every semisync dump had
                                      * gone (all_gone_ts); 0 none yet */
    uint64_t last_off_seen;          /* last time the model held OFF (0 never) */
    /* A run of new transaction ends that no stream flagged (enabled masters flag the commit
     * frontier both when ON and when OFF): how long, since when. */
    uint32_t quiet_run;
    uint64_t quiet_first_ts;
    struct ss_sem_pos quiet_first;
    uint64_t last_any_flag_ts;
    struct ss_sem_recent recent[SS_SEM_RECENT];  /* ring */
    uint32_t recent_head, recent_n;
    uint64_t recent_lost_ts;         /* newest entry overwritten (0 none) */
    uint64_t acks_held;              /* acks read after a disable: the ack thread reads them
                                      * only if semisync is enabled again */
    int64_t acks_held_unsure;        /* of those, how many may have been read before it */
    struct ss_sem_uncertain *unc;
    uint32_t n_unc;
    uint64_t unc_total;
    struct ss_hist wait_hist;        /* commit waits, ns */
    struct ss_sem_slow slow[SS_SEM_SLOWEST];
    uint32_t n_slow;

    struct ss_semi_transition *tr;
    uint32_t n_tr;
    uint64_t tr_dropped;
    struct ss_sem_unprot *unp;
    uint32_t n_unp;
    uint64_t unp_total;
};

struct ss_sem_param_update {
    struct ss_semi_params p;
    uint64_t ts;
};

struct ss_semistate {
    struct ss_semi_params params;
    struct ss_sem_param_update upd[SS_SEMI_PARAM_UPDATES_MAX]; /* waiting, in arrival order */
    uint32_t n_upd;
    uint64_t params_applied_early;   /* updates applied before their time: the queue was full */
    struct ss_anomalies *an;
    struct ss_sem_master *m[SS_SEM_MAX_MASTERS];
    uint32_t n_masters;
    uint64_t masters_dropped;
    uint64_t first_ts;               /* first message of the capture */
    uint64_t last_ts;
};

/* semistate.c: tables */
struct ss_sem_master *ss_sem_master_find(const struct ss_semistate *s,
                                         const struct ss_endpoint *ep);
uint64_t ss_sem_file_ord(struct ss_sem_master *m, const char *name);
int ss_sem_pos_cmp(const struct ss_sem_pos *a, const struct ss_sem_pos *b);
/* "FILE:POS" into buf (size SS_SEMI_POS_MAX). */
char *ss_sem_pos_str(const struct ss_sem_master *m, const struct ss_sem_pos *p, char *buf);
struct ss_sem_replica *ss_sem_replica_of(struct ss_sem_master *m, struct ss_sem_stream *st);
/* "10:01:52.000" (UTC), decimals 1..3. */
char *ss_sem_clock(uint64_t ts_ns, int decimals, char *buf, size_t n);
/* The ON/OFF count of semisync streams alive at time t (an estimate for past times). */
uint32_t ss_sem_clients_at(const struct ss_sem_master *m, uint64_t t);

/* semistate_master.c: the state machine (switching, acks, timeouts) */
/* semistate_trx.c: events and transaction ends */
void ss_sem_on_event(struct ss_semistate *s, struct ss_sem_master *m, struct ss_sem_stream *st,
                     const struct ss_msg *msg);
void ss_sem_on_ack(struct ss_sem_master *m, struct ss_sem_stream *st, const struct ss_sem_pos *a,
                   uint64_t now, bool counted);
void ss_sem_check_timeouts(struct ss_sem_master *m, uint64_t now);
void ss_sem_stream_semi(struct ss_sem_master *m, struct ss_sem_stream *st, bool semi,
                        uint64_t now);
void ss_sem_confirm_tail(struct ss_sem_master *m, struct ss_sem_stream *st, uint64_t now);
uint32_t ss_sem_need_acks(const struct ss_sem_master *m);
uint32_t ss_sem_covering(const struct ss_sem_master *m, const struct ss_sem_pos *p);
bool ss_sem_count_members(const struct ss_sem_master *m);
void ss_sem_evidence_off(struct ss_sem_master *m, uint64_t now, const struct ss_sem_pos *pos,
                         const char *what);
/* The oldest request that can time out (see semistate_master.c), NULL none. */
const struct ss_sem_pending *ss_sem_oldest_waiting(const struct ss_sem_master *m);
void ss_sem_switch_on(struct ss_sem_master *m, uint64_t now, enum ss_semi_cause cause,
                      const struct ss_sem_pos *pos, const char *reason);
/* The same, the switch known only to ts +/- approx. */
void ss_sem_switch_on_about(struct ss_sem_master *m, uint64_t ts, uint64_t approx,
                            enum ss_semi_cause cause, const struct ss_sem_pos *pos,
                            const char *reason);
void ss_sem_drain(struct ss_sem_master *m, struct ss_sem_replica *r, uint64_t now);
/* The master stopped flagging at about ts (± approx): rpl_semi_sync_master_enabled=OFF. Ends at or
 * past `first` were committed while disabled and are not counted. */
void ss_sem_disable(struct ss_sem_master *m, uint64_t ts, uint64_t approx,
                    const struct ss_sem_pos *first, const char *reason);
/* Seen OFF, then `run` commits (counted no_tx as committed while OFF) that nothing flagged:
 * the master was disabled, not OFF. If the switch OFF itself had no cause on the wire, the
 * disable was that switch. Commits counted since then count nothing. */
void ss_sem_disabled_while_off(struct ss_sem_master *m, uint32_t run);
/* Stream timing from TCP (semistate.c). */
bool ss_sem_stream_fresh(const struct ss_sem_stream *st);
/* Is some dump stream of m fresh and caught up with the frontier (watching the binlog end)? */
bool ss_sem_watched(const struct ss_sem_master *m);
void ss_sem_uncertain(struct ss_sem_master *m, uint64_t from, uint64_t to, const char *reason);
void ss_sem_recent_add(struct ss_sem_master *m, enum ss_sem_recent_kind kind, uint64_t ts,
                       uint64_t wait);

/* semistate_events.c: bookkeeping helpers of the state machine */
void ss_sem_set_start(struct ss_sem_master *m, enum ss_semi_state st, uint64_t now);
void ss_sem_transition(struct ss_sem_master *m, uint64_t ts, enum ss_semi_state to,
                       enum ss_semi_cause cause, const struct ss_sem_pos *pos, uint64_t approx,
                       const char *reason);
void ss_sem_unprotected(struct ss_sem_master *m, uint64_t ts, uint64_t approx,
                        const struct ss_sem_pos *pos, const char *gtid, enum ss_sem_why why);
struct ss_sem_pending *ss_sem_pend_at(struct ss_sem_master *m, uint32_t i);
struct ss_sem_pending *ss_sem_pend_push(struct ss_sem_master *m, struct ss_anomalies *an);
void ss_sem_pend_pop(struct ss_sem_master *m);
struct ss_sem_pending *ss_sem_pend_find(struct ss_sem_master *m, const struct ss_sem_pos *p);
/* snprintf that may truncate on purpose (long binlog names in a bounded reason text). */
void ss_sem_fmt(char *buf, size_t n, const char *fmt, ...) SS_PRINTF(3, 4);
void ss_sem_gtid_from_event(const struct ss_event *ev, char *out, size_t n);

#endif
