/* SPDX-License-Identifier: MIT */
/* pm_inputs.h: the postmortem inputs of one run — status samples (--status, or polled live with
 * --dsn), the error log — and the semisync parameters they imply. */
#ifndef SEMISCOPE_PM_INPUTS_H
#define SEMISCOPE_PM_INPUTS_H

#include "cli.h"
#include "semiscope/semistate.h"
#include "semiscope/status.h"

struct pm_inputs;

/* NULL *out when no postmortem input was asked for. Prints its own messages. */
enum ss_exit pm_inputs_open(struct pm_inputs **out, const struct cli_opts *o);
/* Initial parameters for the state machine: the options, else defaults. The server's values
 * (--status, --dsn) reach it in packet time (pipeline_params_from) and never replace an
 * option. */
void pm_inputs_params(const struct pm_inputs *pm, const struct cli_opts *o,
                      struct ss_semi_params *sp);
/* Live: take the poller's new samples (cheap when there are none). */
void pm_inputs_poll(struct pm_inputs *pm);
/* The same, as a capture idle hook (ctx is the struct pm_inputs). */
void pm_inputs_idle(void *ctx);
/* Live: stop the poller (its last samples are kept). */
void pm_inputs_stop(struct pm_inputs *pm);
void pm_inputs_free(struct pm_inputs *pm);

struct ss_status_samples;
struct ss_errlog;
const struct ss_status_samples *pm_inputs_samples(const struct pm_inputs *pm);
const struct ss_errlog *pm_inputs_errlog(const struct pm_inputs *pm);
/* Notes for the report about the inputs' problems (a --status file with no usable line, lines
 * damaged by NUL bytes, error-log records dropped at the cap); borrowed from pm. At most max; 0
 * for NULL. */
size_t pm_inputs_notes(struct pm_inputs *pm, uint64_t capture_first_ns, const char **out,
                       size_t max);

#endif
