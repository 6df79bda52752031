/* SPDX-License-Identifier: MIT */
/* postmortem.h: the servers' own view (status samples, error-log lines) correlated with the wire,
 * and a diagnosis that names the cause with its evidence and remedy (issue 7). */
#ifndef SEMISCOPE_POSTMORTEM_H
#define SEMISCOPE_POSTMORTEM_H

#include <stdio.h>
#include <jansson.h>

#include "semiscope/common.h"
#include "semiscope/packet.h"

struct ss_postmortem;
struct ss_analysis;
struct ss_semistate;

/* Report sections for one master: JSON keys `correlation` and `diagnosis` (and `clock_offset_s`,
 * `timeline`, …) merged into that master's object; NULL when there is nothing to add. Text: the
 * correlation table, merged timeline and diagnosis. */
json_t *ss_postmortem_master_json(const struct ss_postmortem *p, const struct ss_endpoint *master);
void ss_postmortem_master_text(FILE *out, const struct ss_postmortem *p,
                               const struct ss_endpoint *master, int verbosity);

#endif
