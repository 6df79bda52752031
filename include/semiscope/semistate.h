/* SPDX-License-Identifier: MIT */
/* semistate.h: a shadow of each master's semisync plugin reconstructed from the wire (issue 6):
 * ON/OFF/disabled timeline, commit waits, and the Rpl_semi_sync_master_* counters it would show.
 * protocol.md §5.3, §8; the model and its evidence rules are in docs/semisync-state.md. Consumes
 * the same messages as analyze.h. */
#ifndef SEMISCOPE_SEMISTATE_H
#define SEMISCOPE_SEMISTATE_H

#include <stdio.h>
#include <jansson.h>

#include "semiscope/anomaly.h"
#include "semiscope/common.h"
#include "semiscope/mysql.h"

enum ss_semi_state { SS_SEMI_UNKNOWN = 0, SS_SEMI_ON, SS_SEMI_OFF, SS_SEMI_DISABLED };
const char *ss_semi_state_name(enum ss_semi_state s); /* "unknown", "on", "off", "disabled" */

/* Where a parameter value came from, reported next to it. */
enum ss_param_source { SS_PARAM_DEFAULT = 0, SS_PARAM_OPTION, SS_PARAM_FILE, SS_PARAM_WIRE };
const char *ss_param_source_name(enum ss_param_source s); /* "default", "option", "file", "wire" */

struct ss_semi_params {
    int64_t timeout_ms;          /* rpl_semi_sync_master_timeout, default 10000 */
    int64_t wait_count;          /* wait_for_slave_count, default 1 */
    int wait_no_slave;           /* default 1 */
    int wait_point_after_sync;   /* 1 AFTER_SYNC, 0 AFTER_COMMIT, -1 unknown */
    int enabled;                 /* rpl_semi_sync_master_enabled: 1/0/-1 unknown */
    enum ss_param_source src_timeout, src_wait_count, src_wait_no_slave, src_wait_point,
        src_enabled;
};
void ss_semi_params_defaults(struct ss_semi_params *p);

/* The master counters reconstructed from the wire (deltas over the capture). -1: not estimable.
 * Semantics, per server flavour, in docs/semisync-state.md "Counters". */
struct ss_semi_counters {
    int64_t yes_tx, no_tx, no_times, get_ack, request_ack;
    int64_t clients_start, clients_end;
    int64_t tx_waits, tx_wait_time_us;
    int64_t net_waits;           /* flagged event packets sent, all streams (exact) */
};

/* How far each counter may be from the value reported, because the wire could not decide how
 * some commits were counted (lo <= 0 <= hi: the server's value lies in [value+lo, value+hi]). */
struct ss_semi_counter_range {
    int64_t yes_tx_lo, yes_tx_hi, no_tx_lo, no_tx_hi, request_ack_lo, request_ack_hi;
    int64_t get_ack_lo, get_ack_hi;
};

/* Why a transition happened, as a fact of the model (the reason text explains it in words). */
enum ss_semi_cause {
    SS_CAUSE_UNKNOWN = 0,
    SS_CAUSE_TIMEOUT,        /* a commit waited the timeout without an ack */
    SS_CAUSE_SEEN_OFF,       /* seen OFF (a probe, an unflagged registered end): cause not on
                              * the wire */
    SS_CAUSE_NO_REPLICA,     /* the semisync replicas needed left, wait_no_slave=OFF */
    SS_CAUSE_DISABLED,       /* rpl_semi_sync_master_enabled=OFF at runtime */
    SS_CAUSE_ACK,            /* an ack reached the commit position */
    SS_CAUSE_DUMP_START,     /* a semisync dump started at the commit position */
    SS_CAUSE_ENABLED,        /* rpl_semi_sync_master_enabled=ON at runtime */
};
/* "unknown", "timeout", "seen_off", "no_semisync_replica", "disabled", "ack", "dump_start",
 * "enabled" */
const char *ss_semi_cause_name(enum ss_semi_cause c);

/* One change of state seen during the capture (never the initial state). */
#define SS_SEMI_POS_MAX (SS_FILE_MAX + 24)
#define SS_SEMI_REASON_MAX 512
struct ss_semi_transition {
    uint64_t ts_ns;
    enum ss_semi_state to;           /* SS_SEMI_ON or SS_SEMI_OFF */
    enum ss_semi_cause cause;
    char position[SS_SEMI_POS_MAX];  /* "FILE:POS" the change is tied to; "" none */
    char reason[SS_SEMI_REASON_MAX]; /* why, in words (without the "OFF at …:" prefix) */
    uint64_t approx_ns;              /* the true time is within ts ± approx_ns; 0 = exact */
};

struct ss_semistate;

/* params is copied (NULL: defaults); an is borrowed. NULL on out-of-memory. */
struct ss_semistate *ss_semistate_new(const struct ss_semi_params *params,
                                      struct ss_anomalies *an);
/* Parameter values read from the server (a variables/status sample, polled live or from a file)
 * that were in force from server time ts_ns on. Applied to every master when packet time reaches
 * ts_ns (at once when ts_ns is 0 or already past). Only values whose source in p is
 * SS_PARAM_FILE are taken, and never over a value the user gave as an option (SS_PARAM_OPTION).
 * At most SS_SEMI_PARAM_UPDATES_MAX updates wait at once; the oldest waiting one is applied early
 * when the queue is full (counted). Updates due after the end of the input are never applied. */
#define SS_SEMI_PARAM_UPDATES_MAX 64
void ss_semistate_params_at(struct ss_semistate *s, const struct ss_semi_params *p,
                            uint64_t ts_ns);
/* The msg sink: every message of every connection, in capture order. */
void ss_semistate_msg(struct ss_semistate *s, const struct ss_msg *m);
/* End of input at capture time ts_ns: timeouts due by then are applied. */
void ss_semistate_finish(struct ss_semistate *s, uint64_t ts_ns);
void ss_semistate_free(struct ss_semistate *s); /* NULL ok */

/* Report sections for one master (matched by endpoint). The JSON object's keys (`semisync`,
 * `counters`, `commit_wait_us`, `parameters`, `unprotected_transactions`) are merged into that
 * master's object of the main report; NULL when the master is unknown to the state machine. The
 * caller owns the returned reference. */
json_t *ss_semistate_master_json(const struct ss_semistate *s, const struct ss_endpoint *master);
void ss_semistate_master_text(FILE *out, const struct ss_semistate *s,
                              const struct ss_endpoint *master, int verbosity);
/* For the postmortem: the counters of one master (NULL if unknown). Borrowed until free. */
const struct ss_semi_counters *ss_semistate_counters(const struct ss_semistate *s,
                                                     const struct ss_endpoint *master);
/* Transitions of one master in time order (NULL and *n = 0 if unknown). Borrowed until free. */
const struct ss_semi_transition *ss_semistate_transitions(const struct ss_semistate *s,
                                                          const struct ss_endpoint *master,
                                                          size_t *n);
/* Initial (inferred) and final state of one master; false if unknown. */
bool ss_semistate_states(const struct ss_semistate *s, const struct ss_endpoint *master,
                         enum ss_semi_state *start, enum ss_semi_state *end);
/* The parameters in use for one master, wire corrections applied (NULL if unknown). */
const struct ss_semi_params *ss_semistate_params(const struct ss_semistate *s,
                                                 const struct ss_endpoint *master);
/* Masters seen, in order of first appearance. */
size_t ss_semistate_n_masters(const struct ss_semistate *s);
const struct ss_endpoint *ss_semistate_master_at(const struct ss_semistate *s, size_t i);

#endif
