/* SPDX-License-Identifier: MIT */
/* pm_inputs.c: loading the postmortem inputs (status samples, error log) and running the live
 * status poller beside a capture. */
#include "pm_inputs.h"

#include <stdio.h>
#include <stdlib.h>

#include "pm_checks.h"

#include "semiscope/errlog.h"
#include "semiscope/poller.h"
#include "semiscope/status_samples.h"

#define PM_FIRST_POLL_WAIT_S 2.0

struct pm_inputs {
    struct ss_status_samples *samples;
    struct ss_errlog *errlog;
    struct ss_poller *poller;
    struct pm_checks checks;      /* what the files' loading found wrong with them */
};

static enum ss_exit open_status(struct pm_inputs *pm, const struct cli_opts *o)
{
    struct ss_status_samples_cfg sc;
    ss_status_samples_cfg_defaults(&sc);
    if (o->status_anchor >= 0) {
        sc.anchor_ns = (int64_t)(o->status_anchor * 1e9);
        sc.interval_ns = (int64_t)(o->status_interval * 1e9);
    }
    pm->samples = ss_status_samples_new(&sc);
    if (!pm->samples) {
        fputs("semiscope: out of memory\n", stderr);
        return SS_EXIT_INTERNAL;
    }
    for (size_t i = 0; i < o->nstatus; i++) {
        char errbuf[SS_ERRBUF_SIZE] = "";
        struct pm_status_mark before;
        pm_status_mark(pm->samples, &before);
        if (ss_status_samples_load_file(pm->samples, o->status_files[i], errbuf) != SS_OK) {
            fprintf(stderr, "semiscope: --status %s: %s\n", o->status_files[i], errbuf);
            return SS_EXIT_INPUT;
        }
        pm_check_status_file(&pm->checks, o->status_files[i], &before, pm->samples);
    }
    return SS_EXIT_OK;
}

static enum ss_exit open_errlog(struct pm_inputs *pm, const struct cli_opts *o)
{
    struct ss_errlog_cfg ec;
    ss_errlog_cfg_defaults(&ec);
    char errbuf[SS_ERRBUF_SIZE] = "";
    if (o->log_tz && !ss_errlog_parse_tz(o->log_tz, &ec.tz_offset_s, errbuf)) {
        fprintf(stderr, "semiscope: --log-tz %s: %s\n", o->log_tz, errbuf);
        return SS_EXIT_USAGE;
    }
    pm->errlog = ss_errlog_new(&ec);
    if (!pm->errlog) {
        fputs("semiscope: out of memory\n", stderr);
        return SS_EXIT_INTERNAL;
    }
    if (ss_errlog_load_file(pm->errlog, o->error_log, errbuf) != SS_OK) {
        fprintf(stderr, "semiscope: --error-log %s: %s\n", o->error_log, errbuf);
        return SS_EXIT_INPUT;
    }
    pm_check_errlog(&pm->checks, o->error_log, pm->errlog);
    return SS_EXIT_OK;
}

static enum ss_exit open_poller(struct pm_inputs *pm, const struct cli_opts *o)
{
    struct ss_poller_cfg pc;
    ss_poller_cfg_defaults(&pc);
    pc.dsn = o->dsn;
    pc.interval_s = (double)o->poll_interval_ms / 1000.0;
    pc.record_path = o->record_status;
    char errbuf[SS_ERRBUF_SIZE] = "";
    /* The library's messages name what they are about ("--dsn: ...", "--record-status FILE:
     * ..."): printed as they are, never prefixed again. A bad DSN is a usage error, told apart
     * first; then an unwritable --record-status file is an output error. */
    struct ss_dsn dsn;
    if (!ss_dsn_parse(o->dsn, &dsn, errbuf)) {
        fprintf(stderr, "semiscope: %s\n", errbuf);
        return SS_EXIT_USAGE;
    }
    pm->poller = ss_poller_start(&pc, errbuf);
    if (!pm->poller) {
        fprintf(stderr, "semiscope: %s\n", errbuf);
        return o->record_status ? SS_EXIT_OUTPUT : SS_EXIT_INTERNAL;
    }
    /* The capture is open (the kernel buffers its packets): let the first poll round arrive
     * before the first packet is analysed, so that the parameters in force at the start are the
     * server's, as a replay of the record with --status would take them. Bounded: a server that
     * does not answer only delays the start by this much. */
    ss_poller_wait_first(pm->poller, PM_FIRST_POLL_WAIT_S);
    pm_inputs_poll(pm);
    return SS_EXIT_OK;
}

enum ss_exit pm_inputs_open(struct pm_inputs **out, const struct cli_opts *o)
{
    *out = NULL;
    if (!o->nstatus && !o->error_log && !o->dsn)
        return SS_EXIT_OK;
    if (o->log_tz && !o->error_log) {
        fputs("semiscope: --log-tz needs --error-log\n", stderr);
        return SS_EXIT_USAGE;
    }
    struct pm_inputs *pm = calloc(1, sizeof(*pm));
    if (!pm) {
        fputs("semiscope: out of memory\n", stderr);
        return SS_EXIT_INTERNAL;
    }
    enum ss_exit ex = open_status(pm, o);
    if (ex == SS_EXIT_OK && o->error_log)
        ex = open_errlog(pm, o);
    if (ex == SS_EXIT_OK && o->dsn)
        ex = open_poller(pm, o);
    if (ex != SS_EXIT_OK) {
        pm_inputs_free(pm);
        return ex;
    }
    *out = pm;
    return SS_EXIT_OK;
}

void pm_inputs_params(const struct pm_inputs *pm, const struct cli_opts *o,
                      struct ss_semi_params *sp)
{
    (void)pm; /* the samples' values are fed in packet time (pipeline_params_from) */
    ss_semi_params_defaults(sp);
    if (o->timeout_ms >= 0) {
        sp->timeout_ms = o->timeout_ms;
        sp->src_timeout = SS_PARAM_OPTION;
    }
    if (o->wait_count >= 0) {
        sp->wait_count = o->wait_count;
        sp->src_wait_count = SS_PARAM_OPTION;
    }
    if (o->wait_no_slave >= 0) {
        sp->wait_no_slave = o->wait_no_slave;
        sp->src_wait_no_slave = SS_PARAM_OPTION;
    }
    if (o->wait_point_after_sync >= 0) {
        sp->wait_point_after_sync = o->wait_point_after_sync;
        sp->src_wait_point = SS_PARAM_OPTION;
    }
}

void pm_inputs_poll(struct pm_inputs *pm)
{
    if (pm && pm->poller)
        ss_poller_drain(pm->poller, ss_poller_to_samples, pm->samples);
}

void pm_inputs_idle(void *ctx)
{
    pm_inputs_poll(ctx);
}

void pm_inputs_stop(struct pm_inputs *pm)
{
    if (!pm || !pm->poller)
        return;
    if (ss_poller_stop(pm->poller, ss_poller_to_samples, pm->samples) != SS_OK)
        fputs("semiscope: warning: --record-status: write errors\n", stderr);
    pm->poller = NULL;
}

void pm_inputs_free(struct pm_inputs *pm)
{
    if (!pm)
        return;
    pm_inputs_stop(pm);
    ss_status_samples_free(pm->samples);
    ss_errlog_free(pm->errlog);
    free(pm);
}

const struct ss_status_samples *pm_inputs_samples(const struct pm_inputs *pm)
{
    return pm ? pm->samples : NULL;
}

const struct ss_errlog *pm_inputs_errlog(const struct pm_inputs *pm)
{
    return pm ? pm->errlog : NULL;
}

size_t pm_inputs_notes(struct pm_inputs *pm, uint64_t capture_first_ns, const char **out,
                       size_t max)
{
    return pm ? pm_checks_notes(&pm->checks, capture_first_ns, out, max) : 0;
}
