/* SPDX-License-Identifier: MIT */
/* status_samples.h: the servers' Rpl_semi_sync_* status and rpl_semi_sync_* variable samples
 * (`--status FILE`), kept as compact per-variable change points (issue 7, docs/postmortem.md).
 *
 * Accepted line formats (one file may mix them; see docs/postmortem.md "Status files"):
 *   UNIX_TS<TAB>Variable_name<TAB>Value      what semiscope records, and a shell loop around
 *                                            `mysql -NBe "SHOW GLOBAL STATUS LIKE 'Rpl_semi%'"`
 *                                            with a `date +%s.%N` prefix (fractional ts, ≤ 9 digits)
 *   | Variable_name | Value |                `mysqladmin extended-status -i N` / `mysql -t`
 *                                            tables; each table is one sample, timed by an anchor
 *   # start UNIX_TS [interval SECONDS]       anchor for the following tables: table k (from 0) is
 *                                            at UNIX_TS + k * SECONDS (default interval 1)
 *   # ts UNIX_TS                             the exact time of the next table (or of following
 *                                            two-column `Variable_name<TAB>Value` lines)
 *   # disconnected UNIX_TS [reason]          written by the live poller: a gap in the samples
 *   # connected UNIX_TS [version]            … and its end
 * Other `#` lines, blank lines and a `Variable_name<TAB>Value` header are ignored. Lines that fit
 * no format are counted in `bad_lines`, never fatal. Names are normalized: MySQL 8.0.26+
 * `source`/`replica`, older `master`/`slave`, MariaDB's; case-insensitive. Files are read whatever
 * bytes they hold: a run of NUL bytes (what a crash leaves) ends the line it cuts short, which is
 * bad (`damaged_lines`), and the text after it is read as the next line. */
#ifndef SEMISCOPE_STATUS_SAMPLES_H
#define SEMISCOPE_STATUS_SAMPLES_H

#include <stdio.h>

#include "semiscope/common.h"
#include "semiscope/semistate.h"

/* Canonical ids of the semisync status counters and variables (master side, then replica side). */
enum ss_sv_id {
    SS_SV_UNKNOWN = 0,
    /* Rpl_semi_sync_master_* / Rpl_semi_sync_source_* status */
    SS_SV_STATUS,
    SS_SV_CLIENTS,
    SS_SV_YES_TX,
    SS_SV_NO_TX,
    SS_SV_NO_TIMES,
    SS_SV_GET_ACK,
    SS_SV_REQUEST_ACK,
    SS_SV_TX_WAITS,
    SS_SV_TX_WAIT_TIME,
    SS_SV_TX_AVG_WAIT_TIME,
    SS_SV_NET_WAITS,
    SS_SV_NET_WAIT_TIME,
    SS_SV_NET_AVG_WAIT_TIME,
    SS_SV_WAIT_SESSIONS,
    SS_SV_WAIT_POS_BACKTRAVERSE,
    SS_SV_TIMEFUNC_FAILURES,
    /* Rpl_semi_sync_slave_* / Rpl_semi_sync_replica_* status */
    SS_SV_SLAVE_STATUS,
    SS_SV_SLAVE_SEND_ACK,
    /* rpl_semi_sync_master_* / rpl_semi_sync_source_* variables */
    SS_SV_VAR_ENABLED,
    SS_SV_VAR_TIMEOUT,
    SS_SV_VAR_WAIT_COUNT,
    SS_SV_VAR_WAIT_NO_SLAVE,
    SS_SV_VAR_WAIT_POINT,
    SS_SV_VAR_TRACE_LEVEL,
    /* rpl_semi_sync_slave_* / rpl_semi_sync_replica_* variables */
    SS_SV_VAR_SLAVE_ENABLED,
    SS_SV_VAR_SLAVE_TRACE_LEVEL,
    SS_SV_VAR_SLAVE_DELAY_MASTER,
    SS_SV_VAR_SLAVE_KILL_CONN_TIMEOUT,
    /* `Uptime` (seconds since the server started): not semisync, polled beside it so that a
     * server restart is seen even when every counter grew past its old value meanwhile */
    SS_SV_UPTIME,
    SS_SV__COUNT
};

/* "status", "clients", "yes_tx", …, "enabled", "timeout", "wait_count", "slave_enabled", …,
 * "uptime";
 * "unknown" for SS_SV_UNKNOWN or out of range. */
const char *ss_sv_name(enum ss_sv_id id);
/* Normalize a status or variable name (any case, any of the name sets) to its id; SS_SV_UNKNOWN
 * when it is not a semisync name semiscope knows (or `Uptime`). */
enum ss_sv_id ss_sv_lookup(const char *name, size_t len);
/* Parse a value: integers, ON/OFF (1/0), YES/NO, AFTER_SYNC (1) / AFTER_COMMIT (0). */
bool ss_sv_parse_value(const char *s, size_t len, int64_t *out);
/* Whether an id is a counter that only grows (deltas are meaningful). */
bool ss_sv_is_counter(enum ss_sv_id id);

/* Which spelling the file used: decides the names the diagnosis prints. */
enum ss_sv_naming { SS_NAMING_UNKNOWN = 0, SS_NAMING_MASTER, SS_NAMING_SOURCE };

/* One change of a value: it had `value` from sample `ts_ns` on; `prev_ts_ns` is the time of the
 * previous sample of this variable (0 for the first point), so the change happened in
 * (prev_ts_ns, ts_ns]. `restart`: the first sample after a known server restart (struct
 * ss_sv_restart), kept even when the value did not change: the counter started again at 0 in
 * between, so its growth up to this sample is the whole value. */
struct ss_sv_point {
    int64_t ts_ns;
    int64_t prev_ts_ns;
    int64_t value;
    bool restart;
};

struct ss_sv_series {
    uint64_t samples;            /* every sample of this variable */
    uint32_t n_points, cap_points;
    struct ss_sv_point *points;  /* change points, in time order */
    uint64_t dropped_points;     /* changes not kept: the cap was hit (first/last still exact) */
    uint64_t out_of_order;       /* samples older than the last one: ignored */
    struct ss_sv_point first, last;
    char spelling[64];           /* the name as first seen, e.g. "Rpl_semi_sync_master_yes_tx" */
};

/* A period without samples reported by the poller (`# disconnected` … `# connected`). */
struct ss_sv_gap {
    int64_t start_ns, end_ns;    /* end 0: still disconnected at the end of the file */
    char reason[96];
    char version[64];            /* the server version the poller found back ("" not said) */
};

/* A server restart seen in the samples. From `Uptime`: a sample whose Uptime is lower than the
 * previous one (or, across a poller gap, whose implied start time moved forward by more than
 * 2 s) — the server started at (sample time − Uptime), to the second. Without Uptime, a hint: a
 * counter that decreased across a poller gap ended by a `# connected` line naming a version.
 * Either way every counter restarted at 0 there: the samples after `after_ns` belong to the new
 * lifetime, and the change points of the first of them carry `restart`. */
enum ss_sv_restart_src { SS_RESTART_UPTIME = 0, SS_RESTART_RECONNECT };

struct ss_sv_restart {
    enum ss_sv_restart_src source;
    int64_t start_ns;            /* best estimate of the new server's start (server clock) */
    int64_t lo_ns, hi_ns;        /* it started within [lo_ns, hi_ns] */
    int64_t after_ns;            /* samples at or before this are the old lifetime's */
    int64_t seen_ns;             /* the sample that revealed it */
    int64_t uptime_s;            /* Uptime of that sample, -1 for a reconnect hint */
    int64_t prev_uptime_s;       /* Uptime of the sample before it, -1 for a hint */
    int64_t prev_seen_ns;        /* that sample's time (a hint: the last sample before the gap) */
    enum ss_sv_id hint_id;       /* the counter that decreased (hint), else SS_SV_UNKNOWN */
    int64_t hint_from, hint_to;  /* its values before and after */
    char version[64];            /* the version the poller reconnected to, "" unknown */
};

#define SS_SV_MAX_RESTARTS 64

struct ss_status_samples_cfg {
    uint32_t max_points;         /* change points kept per variable; default 16384 */
    uint32_t max_gaps;           /* default 1024 */
    int64_t anchor_ns;           /* --status-anchor: time of the first table when no `# start`
                                  * line gives one; 0 = none */
    int64_t interval_ns;         /* table spacing for an anchor given as an option; default 1 s */
};
void ss_status_samples_cfg_defaults(struct ss_status_samples_cfg *cfg);

struct ss_status_samples {
    struct ss_status_samples_cfg cfg;
    struct ss_sv_series series[SS_SV__COUNT];
    enum ss_sv_naming naming;
    uint64_t lines, bad_lines, ignored_lines, unknown_names, tables;
    uint64_t damaged_lines;      /* of bad_lines: cut short by a run of NUL bytes */
    uint64_t values;             /* semisync (or Uptime) values read: a file that adds none has
                                  * no usable line */
    uint64_t other_vars;         /* rows of variables that are not semisync's (ignored) */
    uint64_t samples;            /* distinct sample times (one SHOW … or one table each) */
    int64_t first_ts_ns, last_ts_ns; /* over all samples; 0 when empty */
    struct ss_sv_gap *gaps;
    uint32_t n_gaps;
    uint64_t dropped_gaps;
    struct ss_sv_restart restarts[SS_SV_MAX_RESTARTS]; /* time order */
    uint32_t n_restarts;
    uint64_t dropped_restarts;
    /* parser state for tables and anchors */
    int64_t anchor_ns, anchor_interval_ns, next_ts_ns;
    int64_t table_k;             /* tables seen since the last `# start` */
    int in_table;                /* 0 outside, 1 inside a `| … |` block */
    uint32_t table_rows;
    int64_t table_ts_ns;
    int64_t prev_sample_ts_ns;
};

/* Create with cfg (NULL: defaults). Returns NULL when out of memory. */
struct ss_status_samples *ss_status_samples_new(const struct ss_status_samples_cfg *cfg);
void ss_status_samples_free(struct ss_status_samples *s);

/* Push one line (without or with its trailing newline). Never fails: bad lines are counted. */
void ss_status_samples_line(struct ss_status_samples *s, const char *line, size_t len);
/* Add one sample directly (the poller's path). Returns false when the name is not a semisync
 * name or the value does not parse (counted). */
bool ss_status_samples_add(struct ss_status_samples *s, int64_t ts_ns, const char *name,
                           const char *value);
/* Record a gap (poller disconnect); end_ns 0 when open. start_ns 0 with end_ns set closes the
 * open gap (the poller is back): `reason` is then the server version it found ("" or NULL). */
void ss_status_samples_gap(struct ss_status_samples *s, int64_t start_ns, int64_t end_ns,
                           const char *reason);
/* Read a whole file (or stream) line by line; lines longer than 4 KiB, and lines cut short by a
 * run of NUL bytes, are counted as bad. Returns SS_OK, SS_ERR_IO or SS_ERR_NOMEM (errbuf set).
 * Can be called for several files. */
int ss_status_samples_load_file(struct ss_status_samples *s, const char *path, char *errbuf);
int ss_status_samples_load_stream(struct ss_status_samples *s, FILE *f);

/* Queries. A variable never seen has series[id].samples == 0. */
bool ss_status_samples_has(const struct ss_status_samples *s, enum ss_sv_id id);
/* Value of the last sample at or before t; false when there is none. ts_out: the time since which
 * the value held (its change point). */
bool ss_status_samples_value_at(const struct ss_status_samples *s, enum ss_sv_id id, int64_t t,
                                int64_t *value, int64_t *ts_out);
/* The first sample at or after t (value, and a time bound: the sample is no later than *ts_out). */
bool ss_status_samples_first_after(const struct ss_status_samples *s, enum ss_sv_id id, int64_t t,
                                   int64_t *value, int64_t *ts_out);
/* Growth of a counter between the first sample at/after t0 and the last at/before t1, counting a
 * decrease as a reset to 0 (server restart, RESET MASTER). *resets: how many. False without
 * samples in the window. */
bool ss_status_samples_delta(const struct ss_status_samples *s, enum ss_sv_id id, int64_t t0,
                             int64_t t1, int64_t *delta, uint32_t *resets);

/* How the server's samples bracket a window [t0, t1] (ss_status_samples_span). The baseline is
 * the last sample at or before t0 when there is one, else the first after it; the end is the
 * first sample at or after t1 when there is one, else the last before it. So a window sampled
 * coarsely (or a capture that begins just after a sample) is still covered whole. */
struct ss_sv_span {
    int64_t from_value, to_value; /* the values of the baseline and end samples */
    int64_t from_ts, to_ts;       /* their times; from_ts = t0 (to_ts = t1) when the sample is
                                   * only known to lie on that side and the value did not change
                                   * across t0 (t1) */
    int64_t delta;                /* growth from baseline to end, a decrease counted as a
                                   * restart at 0 (server restart, RESET MASTER), and a known
                                   * server restart (struct ss_sv_restart) as one too */
    uint32_t resets;              /* restarts at 0 counted, known server restarts included */
    uint32_t server_restarts;     /* of which known server restarts */
    int64_t late_start_ns;        /* > 0: no sample at or before t0; the baseline is this long
                                   * after t0, so changes in between are missing from delta */
    int64_t early_end_ns;         /* > 0: no sample at or after t1; the end is this long before
                                   * t1, so changes in between are missing from delta */
    int64_t lead_ns;              /* > 0: the value changed between the baseline (this long
                                   * before t0) and the first sample after t0: the delta may
                                   * include changes made before t0 */
    int64_t trail_ns;             /* > 0: likewise after t1 (the end is this long after t1) */
};
/* Bracket [t0, t1] for one variable. False when it has no sample at or after t0, or none at or
 * before t1 (the samples do not cover the window at all). */
bool ss_status_samples_span(const struct ss_status_samples *s, enum ss_sv_id id, int64_t t0,
                            int64_t t1, struct ss_sv_span *out);

/* The known server restarts whose `after_ns` lies in [t0, t1) (server clock): how many, and the
 * first of them in *first (may be NULL). */
uint32_t ss_status_samples_restarts_in(const struct ss_status_samples *s, int64_t t0, int64_t t1,
                                       const struct ss_sv_restart **first);

/* ---- the state machine's parameters (docs/semisync-state.md "Parameters") ----------------------
 * The parameter variables: timeout, wait_for_slave_count / wait_for_replica_count, wait_no_slave /
 * wait_no_replica, wait_point, enabled. Sample times are the server's clock (unix time, UTC: a
 * status file has no local times, --log-tz is for error logs) and are used as packet times as
 * they are: the postmortem's clock offset is estimated from the wire's transitions only after
 * the whole capture was read, and it is 0 when the clocks agree (NTP; the lab). */

/* Set one parameter variable's value in p, source SS_PARAM_FILE. False (p untouched) when id is
 * not a parameter variable. */
bool ss_sv_param_set(enum ss_sv_id id, int64_t value, struct ss_semi_params *p);
/* The parameters nearest server time t: for each parameter variable in the samples, the last
 * sample at or before t, else (every sample is after t) the first one; source SS_PARAM_FILE for
 * each one present, the others untouched. */
void ss_status_samples_params_at(const struct ss_status_samples *s, int64_t t,
                                 struct ss_semi_params *p);
/* The same with the first sample of each variable (ss_status_samples_params_at at the start). */
void ss_status_samples_params(const struct ss_status_samples *s, struct ss_semi_params *p);

/* Where a walk over the parameter variables' changes is: zero-initialize. */
#define SS_SV_N_PARAMS 5
struct ss_sv_param_cursor {
    uint32_t next[SS_SV_N_PARAMS];  /* next change point to hand over, per parameter variable */
    bool started[SS_SV_N_PARAMS];   /* its initial value was handed over */
    bool last_done[SS_SV_N_PARAMS]; /* the exact last sample, beyond dropped change points */
    uint64_t handed;                /* calls of cb so far */
};
/* p holds one value (source SS_PARAM_FILE, every other source SS_PARAM_DEFAULT); ts_ns 0: in
 * force from the start of the capture, else from that time on. Suits ss_semistate_params_at. */
typedef void (*ss_sv_param_cb)(void *ctx, const struct ss_semi_params *p, int64_t ts_ns);
/* Hand cb, in time order per variable, every parameter change due by packet time t that this
 * cursor has not handed over yet. A variable's first call gives its initial value with ts 0:
 * the sample nearest t as in ss_status_samples_params_at (so call it first with the capture's
 * first packet time); every later change point of it comes with its own time. Call it before
 * each packet with the packet's time: samples added meanwhile (the live poller) are picked up,
 * and a change whose time is after the end of the input is never handed over. Returns how many
 * calls it made. */
uint32_t ss_status_samples_params_due(const struct ss_status_samples *s,
                                      struct ss_sv_param_cursor *cur, int64_t t, ss_sv_param_cb cb,
                                      void *ctx);

#endif
