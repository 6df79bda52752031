/* SPDX-License-Identifier: MIT */
/* analyze.h: per-master, per-replica ack analysis (issue 5). Consumes the connection decoder's
 * messages (mysql.h) and keeps bounded in-flight state: pending ack requests, latency histograms,
 * per-interval timelines. The report model it exposes is described in report.h. */
#ifndef SEMISCOPE_ANALYZE_H
#define SEMISCOPE_ANALYZE_H

#include "semiscope/anomaly.h"
#include "semiscope/common.h"
#include "semiscope/mysql.h"

struct ss_analysis_cfg {
    uint64_t interval_ns;        /* timeline bucket width; default 1 s */
    uint32_t max_masters;        /* default 64 */
    uint32_t max_replicas;       /* per master; default 256 */
    uint32_t max_pending;        /* pending ack requests per replica; default 65536 */
    uint32_t slowest_n;          /* slowest acks kept for the report; default 10 */
    uint32_t max_intervals;      /* timeline buckets kept per replica; default 86400 */
};
void ss_analysis_cfg_defaults(struct ss_analysis_cfg *cfg);

struct ss_analysis;

struct ss_analysis *ss_analysis_new(const struct ss_analysis_cfg *cfg, struct ss_anomalies *an);
/* The msg sink: feed every message of every connection, in capture order. */
void ss_analysis_msg(struct ss_analysis *a, const struct ss_msg *m);
/* End of input at capture time ts_ns: unanswered requests are closed out. */
void ss_analysis_finish(struct ss_analysis *a, uint64_t ts_ns);
void ss_analysis_free(struct ss_analysis *a);

#endif
