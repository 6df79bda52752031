/* SPDX-License-Identifier: MIT */
/* csv_out.h: `--csv FILE` — the per-interval timeline as CSV, for spreadsheets. */
#ifndef SEMISCOPE_CSV_OUT_H
#define SEMISCOPE_CSV_OUT_H

#include <stdio.h>

#include "semiscope/analyze.h"

/* One header row, then one row per interval per replica (columns: docs/csv.md). 0, or -1 when
 * out could not be written. */
int csv_write(FILE *out, const struct ss_analysis *a);

#endif
