/* SPDX-License-Identifier: MIT */
/* report.h: the report input (run facts + analysis model + other modules' sections) and the text
 * and JSON reporters (issue 5). The JSON field names are a contract: docs/report-json.md and the
 * schema analyze/report.schema.json (schema_version 1).
 *
 * The semisync state machine (issue 6) and the postmortem (issue 7) contribute per-master sections
 * through the function pointers of struct ss_report_section, so the reporters never link against
 * them; the CLI wires e.g. a two-line adapter calling ss_semistate_master_json(). */
#ifndef SEMISCOPE_REPORT_H
#define SEMISCOPE_REPORT_H

#include <stdio.h>
#include <jansson.h>

#include "semiscope/analyze.h"
#include "semiscope/anomaly.h"
#include "semiscope/capture.h"
#include "semiscope/common.h"
#include "semiscope/flow.h"
#include "semiscope/packet.h"

/* Facts about the run, filled in by the CLI. Everything is borrowed. */
struct ss_run_info {
    const char *const *inputs;   /* capture files as given ("-" = stdin); may be NULL */
    size_t ninputs;
    const char *iface;           /* live interface, NULL offline */
    const char *filter;          /* BPF expression, NULL or "" none */
    struct ss_capture_stats cap;
    struct ss_decode_stats dec;
    struct ss_flow_stats flow;
    const struct ss_anomalies *an; /* may be NULL (all zero) */
    bool interrupted;            /* stopped by a signal: the report covers the capture so far */
    /* Input files not read to their end (ss_capture_read_errors, those the analysis reached):
     * the report shows the first at its top and counts them all. May be NULL. */
    const struct ss_capture_read_error *read_errors;
    size_t nread_errors;
};

/* A per-master section of another module. Any member may be NULL (section absent).
 * json: a new object (or NULL) whose keys are merged into the master's object.
 * text: printed after the master's replica table. */
struct ss_report_section {
    json_t *(*json)(const void *ctx, const struct ss_endpoint *master);
    void (*text)(FILE *out, const void *ctx, const struct ss_endpoint *master, int verbosity);
    const void *ctx;
};

/* Wiring another module's section, in the CLI (the reporters never call it directly):
 *   static json_t *state_json(const void *ctx, const struct ss_endpoint *m)
 *   { return ss_semistate_master_json(ctx, m); }
 *   in.state = (struct ss_report_section){ state_json, state_text, pipeline.state };
 */
struct ss_report_input {
    const struct ss_run_info *run;      /* required */
    const struct ss_analysis *analysis; /* finished (ss_analysis_finish); NULL = no masters */
    int verbosity;                      /* 0 default, 1 = -v, 2 = -vv */
    struct ss_report_section state;     /* issue 6: semisync, counters, commit_wait_us, … */
    struct ss_report_section pm;        /* issue 7: correlation, diagnosis, … */
    /* issue 15: the verdict, printed first in each master's text section (its json is unused:
     * the diagnosis is part of pm's) */
    struct ss_report_section verdict;
    const char *const *notes;           /* extra notes from the caller, appended to ours */
    size_t nnotes;
};

#define SS_REPORT_SCHEMA_VERSION 1

/* The human report, readable at 80 columns, deterministic (times in UTC). 0, or -1 when writing
 * failed (ferror). */
int ss_report_text(FILE *out, const struct ss_report_input *in);

/* The JSON report as a new reference, NULL on out-of-memory. */
json_t *ss_report_json(const struct ss_report_input *in);

/* ss_report_json dumped with the project's stable flags (2-space indent, keys in insertion order,
 * reals with 16 significant digits) and a final newline. 0, -1 on a write error, -2 on OOM. */
int ss_report_json_write(FILE *out, const struct ss_report_input *in);

/* Sanitising helpers, shared by the reporters (and tested): */
/* Printable ASCII copy of s for a terminal: bytes outside 0x20–0x7e become \xNN, '\' becomes
 * "\\". Always NUL-terminates (truncating). Returns out. */
char *ss_report_text_escape(char *out, size_t outsz, const char *s);
/* A JSON string for arbitrary bytes: valid UTF-8 is kept, each invalid byte becomes the text
 * "\xNN" (jansson escapes control characters). NULL on OOM. */
json_t *ss_report_json_string(const char *s);
/* Print `text` word-wrapped at 80 columns: the first line after `lead`, the next ones indented by
 * `indent` spaces (the text report must read at 80 columns). */
void ss_report_wrap(FILE *out, const char *lead, const char *text, int indent);
/* "2026-11-22T02:28:55.333131Z" (UTC, microseconds, truncated). Returns out. */
char *ss_report_time(char *out, size_t outsz, uint64_t ts_ns);
/* A duration in at most 7 characters with its unit: "850ns", "9.99us", "245.1us", "12.34ms",
 * "1.50s", "4120.0s" (beyond 9999.9 s: "41200s"). Returns out. */
char *ss_report_duration(char *out, size_t outsz, uint64_t ns);

#endif
