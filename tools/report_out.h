/* SPDX-License-Identifier: MIT */
/* report_out.h: assembling the report input of a run and writing text, JSON and HTML. */
#ifndef SEMISCOPE_REPORT_OUT_H
#define SEMISCOPE_REPORT_OUT_H

#include "run.h"

/* 0, or -1 when an output could not be written (message printed). */
int report_write(struct run *r);

#endif
