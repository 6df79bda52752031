/* SPDX-License-Identifier: MIT */
/* run.h: one run of the tool — inputs opened, privileges dropped, outputs opened, report written.
 * Keeps main.c short and the order of privilege-sensitive steps in one place. */
#ifndef SEMISCOPE_RUN_H
#define SEMISCOPE_RUN_H

#include <pcap/pcap.h>
#include <stdio.h>

#include "cli.h"
#include "pipeline.h"
#include "semiscope/capture.h"
#include "semiscope/status.h"

struct run {
    const struct cli_opts *o;
    struct ss_capture *cap;
    struct pipeline pipe;
    FILE *out;                    /* report / events / flows; NULL: no report (--html - or --csv -
                                   * has standard output, and no -O) */
    bool out_is_file;
    bool out_error;               /* writing the report to out failed */
    pcap_dumper_t *dumper;
    unsigned dump_ts_div;         /* ns → the -w file's unit: 1 (ns) or 1000 (µs) */
    char *live_filter;            /* the default filter a live capture got (owned), or NULL */
    struct pm_inputs *pm;         /* postmortem inputs (status samples, error log, poller) */
    bool read_error;              /* some input could not be read to its end: exit 3 */
    bool interrupted;
    bool ended;                   /* the capture was read to its end (not -c, not a signal) */
    const struct ss_capture_read_error *read_errs; /* the files not read to their end that the
                                   * analysis reached (borrowed from cap), for the report */
    size_t n_read_errs;
};

/* Open everything in tcpdump's order: device, filter, drop privileges, then outputs.
 * Returns SS_EXIT_OK or the exit code to return (message already printed). */
enum ss_exit run_open(struct run *r, const struct cli_opts *o);
/* After each frame: -w, the poller. True when reading should stop: --events or --flows output
 * can no longer be written (e.g. `| head` has exited), so reading on is pointless. */
bool run_after_frame(struct run *r, const struct ss_frame *fr);
/* The reader of f, a pipe or a socket, has gone (`semiscope ... | head`): writes to it fail with
 * EPIPE. As for tcpdump this ends the output normally, it is not an error. */
bool run_reader_gone(FILE *f);
/* Finish the pipeline, write the report, close everything; returns the exit code. */
enum ss_exit run_finish(struct run *r);

#endif
