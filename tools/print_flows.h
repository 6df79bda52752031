/* SPDX-License-Identifier: MIT */
/* print_flows.h: the `--flows` diagnostic line of one TCP connection. */
#ifndef SEMISCOPE_PRINT_FLOWS_H
#define SEMISCOPE_PRINT_FLOWS_H

#include <stdio.h>

#include "semiscope/flow.h"

void print_flow_header(FILE *out);
void print_flow_line(FILE *out, const struct ss_flow *f, enum ss_end_reason why, enum ss_dir by);
/* `--flows -v`: where a hole was, as soon as reassembly gives up on it. */
void print_flow_gap(FILE *out, const struct ss_flow *f, enum ss_dir dir, uint64_t stream_off,
                    uint64_t len, uint64_t ts_ns, uint64_t frame);
/* "2026-11-22T10:01:52.000123Z" (UTC, µs) */
char *print_ts(uint64_t ts_ns, char *buf, size_t bufsz);

#endif
