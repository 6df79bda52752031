/* SPDX-License-Identifier: MIT */
/* status_samples_priv.h: what status_samples.c and status_samples_restart.c share. */
#ifndef SEMISCOPE_STATUS_SAMPLES_PRIV_H
#define SEMISCOPE_STATUS_SAMPLES_PRIV_H

#include "semiscope/status_samples.h"

/* Keep a change point (bounded by cfg.max_points; what is over it is counted). */
void ss_sv_series_push(struct ss_status_samples *s, struct ss_sv_series *se,
                       const struct ss_sv_point *pt);
/* Before a sample is stored: an Uptime sample may reveal a restart; a counter that went down
 * across a poller gap may hint at one. Either flags the samples of the new lifetime already
 * stored. */
void ss_sv_restart_sample(struct ss_status_samples *s, enum ss_sv_id id, int64_t ts, int64_t v);
/* Whether a known restart lies between the series' last sample and a new one at ts. */
bool ss_sv_crosses_restart(const struct ss_status_samples *s, const struct ss_sv_series *se,
                           int64_t ts);

#endif
