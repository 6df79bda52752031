/* SPDX-License-Identifier: MIT */
/* postmortem.h: the servers' own view (status samples, error-log lines) correlated with the wire,
 * and a diagnosis that names the cause with its evidence and remedy (issue 7, docs/postmortem.md).
 *
 * The postmortem works on the *report JSON object of one master* (the per-replica analysis and the
 * state machine's sections merged: `flavor`, `replicas`, `semisync`, `counters`, `parameters`, …),
 * not on their internal structs: that object is the contract, and every key is optional (what is
 * missing is said, never guessed). Typical use, after the analysis has finished:
 *
 *     struct ss_postmortem *pm = ss_postmortem_new(&cfg, status_or_NULL, errlog_or_NULL);
 *     for each master: ss_postmortem_add_master(pm, &endpoint, master_json_object);
 *     ... ss_postmortem_master_json(pm, &endpoint) → merge into the master object
 *     ... ss_postmortem_master_text(out, pm, &endpoint, verbosity)
 *     ss_postmortem_free(pm);
 */
#ifndef SEMISCOPE_POSTMORTEM_H
#define SEMISCOPE_POSTMORTEM_H

#include <stdio.h>
#include <jansson.h>

#include "semiscope/common.h"
#include "semiscope/packet.h"

struct ss_postmortem;
struct ss_analysis;
struct ss_semistate;
struct ss_status_samples;
struct ss_errlog;

struct ss_postmortem_cfg {
    /* The capture window, capture clock (ns since the epoch); 0 = take `capture.first_ts` /
     * `first_ts` from the master object when present, else the span of the server data. */
    int64_t window_start_ns, window_end_ns;
    /* Which master the status samples and error log belong to. When unset they are applied to
     * every master added (the usual single-master case). */
    bool has_server_endpoint;
    struct ss_endpoint server_endpoint;
    double max_match_s;          /* clock-offset matching: farthest pairing; default 60 s */
    uint32_t max_timeline;       /* merged timeline entries kept per master; default 400 */
    double tx_wait_time_tolerance; /* relative, for the tx_wait_time verdict; default 0.25 */
    /* What the capture lost, which may distort the verdict (ss_postmortem_add_report takes them
     * from the report's `flows` and `capture`; 0 = none or unknown): holes in the reassembled
     * streams and their bytes, packets the kernel or the interface dropped, input files not read
     * to their end. */
    uint64_t capture_gaps, capture_gap_bytes, capture_drops, capture_files_unread;
};
void ss_postmortem_cfg_defaults(struct ss_postmortem_cfg *cfg);

/* status and errlog are borrowed (may be NULL) and must outlive the postmortem. NULL on OOM. */
struct ss_postmortem *ss_postmortem_new(const struct ss_postmortem_cfg *cfg,
                                        const struct ss_status_samples *status,
                                        const struct ss_errlog *errlog);
void ss_postmortem_free(struct ss_postmortem *p);

/* Compute correlation, clock offset, merged timeline and diagnosis for one master from its report
 * object (borrowed for the call only). Returns SS_OK or SS_ERR_NOMEM. Adding the same endpoint
 * again replaces its result. */
int ss_postmortem_add_master(struct ss_postmortem *p, const struct ss_endpoint *master,
                             const json_t *master_obj);

/* ss_postmortem_add_master for every master of a whole report (the object ss_report_json
 * returns, built without the postmortem section): each `masters[]` element by its `endpoint`;
 * the window defaults to the report's `capture.first_ts`/`last_ts`. SS_OK or SS_ERR_NOMEM. */
int ss_postmortem_add_report(struct ss_postmortem *p, const json_t *report);

/* The same computation, stateless: a new object {`correlation`, `diagnosis`, `diagnosis_basis`,
 * `clock_offset_s`, `clock_offset_basis`, `timeline`, `timeline_dropped`, `server_data`}.
 * status/errlog may be NULL: the diagnosis is then the wire's alone. When either is given, the
 * wire's own verdict is computed too and `diagnosis_basis.wire_verdict` says whether the server's
 * files confirm or correct it. NULL on OOM. */
json_t *ss_postmortem_build(const json_t *master_obj, const struct ss_status_samples *status,
                            const struct ss_errlog *errlog, const struct ss_postmortem_cfg *cfg);

/* Report sections for one master: JSON keys `correlation` and `diagnosis` (and `clock_offset_s`,
 * `timeline`, …) merged into that master's object; NULL when there is nothing to add. Without
 * server data (a postmortem made with neither status samples nor an error log) only `diagnosis`
 * and `diagnosis_basis`: the wire's verdict. Text: the verdict (diagnosis) goes first in the
 * master's section; the details (correlation table, clock offset, merged timeline) after the
 * semisync section, and only when there is server data. */
json_t *ss_postmortem_master_json(const struct ss_postmortem *p, const struct ss_endpoint *master);
void ss_postmortem_master_verdict_text(FILE *out, const struct ss_postmortem *p,
                                       const struct ss_endpoint *master, int verbosity);
void ss_postmortem_master_text(FILE *out, const struct ss_postmortem *p,
                               const struct ss_endpoint *master, int verbosity);
/* Text of one result object as ss_postmortem_build returns it: the verdict, then the details
 * (ss_postmortem_verdict_text + ss_postmortem_detail_text). */
void ss_postmortem_text(FILE *out, const json_t *pm, int verbosity);
void ss_postmortem_verdict_text(FILE *out, const json_t *pm);
void ss_postmortem_detail_text(FILE *out, const json_t *pm, int verbosity);

#endif
