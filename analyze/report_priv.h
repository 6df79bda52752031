/* SPDX-License-Identifier: MIT */
/* report_priv.h: pieces shared by report_text.c and report_json.c (report_fmt.c). */
#ifndef SEMISCOPE_REPORT_PRIV_H
#define SEMISCOPE_REPORT_PRIV_H

#include "semiscope/report.h"

const char *ss_rpt_flavor(enum ss_flavor f);           /* "mariadb", "mysql", "unknown" */
/* "fin", "rst", "idle", "capture", "evicted", or "open" (still open when the analysis ended). */
const char *ss_rpt_conn_end(const struct ss_an_conn *c);

/* A cap or a resource counter, with its JSON name and a text label. */
struct ss_rpt_cap {
    const char *name;
    const char *label;
    uint64_t n;
};
#define SS_RPT_CAPS_MAX 16
/* Fills every cap counter (zeros included), in a stable order; returns how many. */
size_t ss_rpt_caps(const struct ss_report_input *in, struct ss_rpt_cap *out);

#define SS_RPT_NOTES_MAX 8
/* The notes that apply to this report (measurement assumptions etc.), then the caller's. */
size_t ss_rpt_notes(const struct ss_report_input *in, const char **out);

/* Capture time as float seconds, for JSON. */
double ss_rpt_seconds(uint64_t ts_ns);

#endif
