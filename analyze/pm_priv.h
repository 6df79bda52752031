/* SPDX-License-Identifier: MIT */
/* pm_priv.h: what postmortem.c, correlate.c and diagnosis.c share: the facts extracted once from
 * the master's report object and the server data, so each rule reads plain fields. */
#ifndef SEMISCOPE_PM_PRIV_H
#define SEMISCOPE_PM_PRIV_H

#include <jansson.h>

#include "semiscope/common.h"
#include "semiscope/errlog.h"
#include "semiscope/postmortem.h"
#include "semiscope/status_samples.h"

#define PM_MAX_TR 256     /* wire transitions considered */
#define PM_MAX_REPL 64    /* replicas considered by the rules */

struct pm_tr {
    int64_t ts_ns;
    int to_on;             /* 1 to ON, 0 to OFF */
    char pos[96];          /* "FILE:POS" or "" */
    char reason[400];
    double approx_s;       /* the state machine's uncertainty on ts, 0 exact */
    /* what the reason says: an OFF from rpl_semi_sync_master_enabled=OFF (a runtime disable),
     * an ON from the master enabling semisync again; an OFF whose reason shows no commit timed
     * out (the probe, an unflagged registered end, a replica gone with wait_no_slave=OFF) */
    bool disable, enable, not_timeout, timed_out;
    /* an OFF the server's Rpl_semi_sync_master_status samples contradict (pm_contradict.c):
     * every sample in [on_from, on_to] (server clock) — the OFF span less the sampling slack —
     * says ON; the samples win */
    bool contradicted;
    int64_t on_from, on_to;
};

struct pm_conn {           /* one dump connection of a replica, when the report lists them */
    int64_t start_ns, end_ns; /* end 0: still open at the end of the capture */
    char how[40];          /* "fin", "rst", "idle", … as the report says, or "FIN from the
                            * replica" / "RST from the master" when it says who; "" unknown */
    int64_t thread_id;     /* the master's connection id (the log's thread), -1 unknown */
    bool midstream;        /* already running when the capture started */
    char end[16];          /* the report's `end` as is ("fin", "rst", "capture", …) */
    int closed_by_master;  /* FIN/RST sent first by: 1 the master, 0 the replica, -1 unknown */
    int semisync;          /* 1, 0, -1 unknown */
    int64_t ack_requests, acks; /* on this connection, -1 unknown */
};

struct pm_repl {
    char address[64];
    int64_t server_id;     /* -1 unknown */
    int semisync;          /* 1, 0, -1 unknown */
    int64_t events, ack_requests, acks, unanswered;
    int64_t p50_us, p99_us, max_us;          /* -1 unknown */
    int64_t net_p50_us, repl_p50_us;         /* network / replica parts, -1 unknown */
    int64_t retransmissions, zero_windows;   /* -1 unknown */
    int64_t kill_connections;                /* its own KILL connections (IO thread stops) */
    int64_t released;                        /* commits its ack released first, -1 unknown */
    int64_t first_p50_us, last_p50_us;       /* from the per-interval timeline, -1 unknown */
    struct pm_conn conns[8];
    uint32_t n_conns;
};

/* A runtime disable of semisync on the master (pm_disable.c): rpl_semi_sync_master_enabled=OFF
 * with SET GLOBAL, from the wire's transition reason, the error log's lines and the variable's
 * samples; and when it was enabled again. */
struct pm_dis {
    int64_t off_ns;        /* capture clock; 0: already disabled when the capture began */
    double off_approx_s;   /* the wire's uncertainty on off_ns */
    int64_t on_ns;         /* enabled again (capture clock); 0 not seen */
    bool back_on;          /* enabled again during the capture */
    int tr_off, tr_on;     /* the wire's transitions (indices in pm_ctx.tr), -1 none */
    const struct ss_el_record *log_off, *log_on; /* the log's lines */
    bool log_off_bare;     /* log_off is MariaDB's "switched OFF" with no timeout line before it */
    const struct ss_sv_point *var_off, *var_on;  /* rpl_semi_sync_master_enabled's changes */
};
#define PM_MAX_DIS 16

struct pm_names {          /* SQL spellings for the master's flavor and version */
    const char *master_enabled, *slave_enabled, *stop_io, *start_io, *show_replica, *status_like;
    const char *wait_count;
    const char *io_running; /* the status column: "Slave_IO_Running" or "Replica_IO_Running" */
    const char *st_master;  /* "Rpl_semi_sync_master_" or "Rpl_semi_sync_source_" */
    const char *st_slave;   /* "Rpl_semi_sync_slave_status" or "…_replica_status" */
    bool both;             /* MySQL of unknown version: the remedy also gives the old names */
};

struct pm_ctx {
    const json_t *m;
    const struct ss_status_samples *st;      /* NULL: none, or not this master's */
    const struct ss_errlog *el;
    const struct ss_postmortem_cfg *cfg;
    int64_t w0, w1;                          /* capture window, ns */
    int flavor;                              /* 1 MySQL, 2 MariaDB, 0 unknown */
    struct pm_names names;
    /* wire */
    char state_start[16], state_end[16];     /* "on", "off", "disabled", "unknown", "" absent */
    struct pm_tr tr[PM_MAX_TR];
    uint32_t n_tr;
    struct pm_repl repl[PM_MAX_REPL];
    uint32_t n_repl;
    int64_t timeout_ms, wait_count;          /* parameters used (wire → file → default) */
    int wait_point_after_sync;               /* 1, 0, -1 */
    int enabled;                             /* parameters.enabled: 1, 0, -1 unknown */
    const char *enabled_src;                 /* its source ("option", "file", …), borrowed */
    const char *timeout_src, *wait_count_src; /* the same for these two, "" unknown */
    /* runtime disables (pm_disable.c, found after the restart rule) */
    struct pm_dis dis[PM_MAX_DIS];
    uint32_t n_dis;
    /* the server's samples against the wire's inferences (pm_contradict.c) */
    uint32_t n_contradicted;                 /* wire OFF transitions the samples contradict */
    bool disabled_contradicted;              /* the wire's "disabled", while the samples say ON */
    char disabled_samples[240];              /* what the samples say then */
    char param_fixes[600];                   /* wire-inferred parameters the file overrode */
    int64_t unprotected;                     /* transactions committed while OFF, -1 unknown */
    int64_t while_disabled;                  /* transactions committed while disabled, -1 */
    int64_t commit_wait_p50_us;              /* the master's commit waits, -1 unknown */
    bool midstream;
    /* clock offset: server clock − capture clock */
    bool have_offset;
    double offset_s, offset_err_s;
    char offset_basis[320];
    /* a restart of the master (pm_restart.c): the time its replicas' connections were cut and
     * came back, on the capture clock; the reconnect rule leaves these reconnects to it */
    bool restart_found;
    int64_t outage_from_ns, outage_to_ns;
    /* outputs */
    const char *rule;                        /* the rule adding rows now (static string) */
    json_t *correlation, *diagnosis, *timeline;
    uint64_t timeline_dropped;
};

/* JSON helpers (postmortem.c). Missing or wrong-typed keys give the default. */
int64_t pm_jint(const json_t *o, const char *key, int64_t dflt);
const char *pm_jstr(const json_t *o, const char *key, const char *dflt);
/* A time in a report: seconds as a number, or an ISO 8601 UTC string; 0 when absent. */
int64_t pm_jts(const json_t *v);
/* "02:29:01.192" (UTC, ms); the date is added when `with_date`. */
char *pm_fmt_time(int64_t ns, bool with_date, char *buf, size_t n);
/* Append a printf-formatted sentence to a bounded buffer. */
void pm_appendf(char *buf, size_t n, const char *fmt, ...) SS_PRINTF(3, 4);

/* correlate.c */
/* The verdict of a counter whose server value lies in the wire's counter_ranges: no mismatch. */
#define PM_WITHIN_RANGE "within the wire's range"
void pm_clock_offset(struct pm_ctx *c);
int pm_correlate(struct pm_ctx *c);
int pm_timeline(struct pm_ctx *c);
/* Server time → capture time with the estimated offset (identity when none), and back. */
int64_t pm_to_capture(const struct pm_ctx *c, int64_t server_ns);
int64_t pm_to_server(const struct pm_ctx *c, int64_t capture_ns);

/* diagnosis.c */
int pm_diagnose(struct pm_ctx *c);
int pm_add_diag(struct pm_ctx *c, const char *sev, const char *cause, const char *evidence,
                const char *remedy);
/* "10.0.0.2 (server_id 2)" */
void pm_replica_name(const struct pm_repl *r, char *buf, size_t n);
/* A log record's time on the capture clock; "10:00:01" without milliseconds for a whole-second
 * log time that the clock offset did not shift. */
char *pm_log_time(const struct pm_ctx *c, const struct ss_el_record *r, char *buf, size_t n);
/* The switched-OFF rule's remedy: cause 1 every semisync replica had gone, 2 they stayed connected
 * and stopped acking, 0 not visible; timeout: a commit waited it out. */
void pm_off_remedy(const struct pm_ctx *c, int cause, bool timeout, char *rem, size_t n);
/* "once", "twice", "3 times" */
const char *pm_times(uint32_t n, char *buf, size_t size);

/* pm_verdict.c */
/* Commits that returned without an ack, when no other row tells them (warning). */
int pm_rule_unprotected(struct pm_ctx *c);
/* What the capture lost (holes, drops, files not read to their end): the verdict may be
 * distorted (info). */
int pm_rule_capture_loss(struct pm_ctx *c);
/* The closing "after the fix, verify" row: only when a row asks for a fix on the servers, not
 * when every alarm is over by the capture's end and its remedy is only to find out why. */
bool pm_after_fix_applies(const struct pm_ctx *c);
/* `diagnosis_basis`: which sources the verdict rests on and, with the server's files, whether
 * they confirm or correct the wire's own verdict (wire_diag, that verdict's rows). NULL on OOM. */
json_t *pm_basis_json(const struct pm_ctx *c, const json_t *wire_diag, bool status, bool errlog);

/* pm_restart.c */
/* A restart of the master: the wire (every dump connection cut at once), the poller's gap, an
 * Uptime drop or counter reset, the error log's shutdown/startup lines; says whether semisync
 * came back. Run before pm_rule_reconnects. */
int pm_rule_restart(struct pm_ctx *c);
/* When a status-sample restart happened, on the capture clock: "at 03:38:51" (Uptime: to the
 * second) or "between 03:38:50.269 and 03:38:52.274" (a reconnect hint). */
void pm_restart_when(const struct pm_ctx *c, const struct ss_sv_restart *r, char *buf, size_t n);
/* Whether a replica's disconnection at capture time t belongs to the master's restart. */
bool pm_restart_explains(const struct pm_ctx *c, int64_t t);

/* pm_contradict.c: when the server's own samples and an inference from the wire disagree, the
 * samples win. pm_samples_vs_wire (after the clock offset, before the correlation) marks the
 * wire's OFF transitions (and its "disabled") that the Rpl_semi_sync_master_status samples
 * contradict, and puts the variables' values in place of wire-inferred parameters they
 * contradict; pm_contradiction_text appends what was found to a verdict; pm_rule_contradictions
 * states the samples' view in the diagnosis. */
#define PM_SAMPLE_SLACK_S 1.0
void pm_samples_vs_wire(struct pm_ctx *c);
void pm_contradiction_text(const struct pm_ctx *c, char *v, size_t n);
int pm_rule_contradictions(struct pm_ctx *c);
/* Whether the wire's disabled state should be believed (not contradicted by the samples). */
bool pm_wire_disabled(const struct pm_ctx *c);

/* pm_disable.c */
/* semisync disabled at runtime (SET GLOBAL rpl_semi_sync_master_enabled=OFF), and enabled again
 * or not: one row, warning when it was enabled again, critical when still disabled at the end.
 * Run after pm_rule_restart (a master that came back disabled is the restart's) and before the
 * master-disabled and switched-OFF rules, which leave these episodes to it. */
int pm_rule_runtime_disable(struct pm_ctx *c);
/* Whether an OFF seen at capture time t (status sample interval [lo, hi] when lo < hi, log line
 * or wire time when lo == hi) is one of the runtime disables found. */
bool pm_disable_explains(const struct pm_ctx *c, int64_t lo, int64_t hi);
/* "the full 1500 ms timeout", "the assumed default 10000 ms timeout", … and the source's words
 * for the evidence ("rpl_semi_sync_master_timeout from the server's variables"). */
void pm_timeout_words(const struct pm_ctx *c, char *buf, size_t n);
void pm_timeout_source(const struct pm_ctx *c, char *buf, size_t n);
/* rpl_semi_sync_master_timeout or rpl_semi_sync_source_timeout */
const char *pm_timeout_var(const struct pm_ctx *c);

/* pm_replica_rules.c */
/* Whether replica r was connected at capture time t: 1 yes, 0 no (`how` says since when and how
 * it left), -1 unknown. From the wire's connections, else the log's dump start/stop lines. */
int pm_connected_at(const struct pm_ctx *c, const struct pm_repl *r, int64_t t, char *how,
                    size_t n);
/* A semisync replica that left and did not come back; replicas that reconnected (info). */
int pm_rule_replica_gone(struct pm_ctx *c);
int pm_rule_reconnects(struct pm_ctx *c);
/* What the replica's own KILLs of its dump thread say ("" when none). */
void pm_kill_note(const struct pm_repl *r, char *buf, size_t n);
/* Semisync replicas still connected at the end of the capture. */
int64_t pm_semisync_left(const struct pm_ctx *c);

#endif
