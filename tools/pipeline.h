/* SPDX-License-Identifier: MIT */
/* pipeline.h: wires the stages for one run — capture → decode → flows → connection decoders →
 * analyzers — and owns their state. tools/ only: this is where the CLI's choices become stages. */
#ifndef SEMISCOPE_PIPELINE_H
#define SEMISCOPE_PIPELINE_H

#include <stdio.h>

#include "cli.h"
#include "semiscope/analyze.h"
#include "semiscope/anomaly.h"
#include "semiscope/capture.h"
#include "semiscope/flow.h"
#include "semiscope/mysql.h"
#include "semiscope/semistate.h"
#include "semiscope/status_samples.h"

struct pipeline {
    const struct cli_opts *o;
    FILE *out;                    /* report / events / flows output */
    bool out_error;
    struct ss_flowtab *flows;
    struct ss_decode_stats dec;
    struct ss_anomalies an;
    struct ss_conn_cfg conn_cfg;
    struct ss_msg_sink sink;
    struct ss_analysis *analysis; /* report mode */
    struct ss_semistate *state;   /* report mode */
    /* the server's parameter variables (--status, or polled with --dsn; borrowed, NULL none),
     * handed to the state machine in packet time (issue 10) */
    const struct ss_status_samples *params_from;
    struct ss_sv_param_cursor params_cur;
    uint64_t frames;
    uint64_t read_bytes;          /* captured bytes, for progress */
    uint64_t last_ts_ns;
};

/* 0, or -1 on out-of-memory. `o` and `out` are borrowed for the pipeline's life. */
int pipeline_init(struct pipeline *p, const struct cli_opts *o, const struct ss_semi_params *sp,
                  FILE *out);
/* Report mode: feed the parameter variables of `samples` (borrowed for the pipeline's life; it
 * may grow, e.g. polled live) to the state machine as packet time advances. */
void pipeline_params_from(struct pipeline *p, const struct ss_status_samples *samples);
void pipeline_frame(struct pipeline *p, const struct ss_frame *fr);
/* End of input: flush reassembly, end every flow, close out the analyzers. */
void pipeline_finish(struct pipeline *p);
void pipeline_free(struct pipeline *p);

#endif
