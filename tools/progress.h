/* SPDX-License-Identifier: MIT */
/* progress.h: a one-line progress display on stderr for long offline runs. */
#ifndef SEMISCOPE_PROGRESS_H
#define SEMISCOPE_PROGRESS_H

#include "cli.h"
#include "pipeline.h"

struct run;

struct progress {
    bool on;
    uint64_t total_bytes;      /* sum of input file sizes, 0 if unknown (stdin, live) */
    uint64_t next_check;       /* frame count at which to look at the clock again */
    double last_wall;
    double start_wall;
    bool drawn;
};

void progress_init(struct progress *pr, const struct cli_opts *o, const struct run *r);
void progress_tick(struct progress *pr, const struct pipeline *p);
void progress_done(struct progress *pr);

#endif
