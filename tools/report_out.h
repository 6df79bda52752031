/* SPDX-License-Identifier: MIT */
/* report_out.h: assembling the report input of a run and writing text, JSON and HTML. */
#ifndef SEMISCOPE_REPORT_OUT_H
#define SEMISCOPE_REPORT_OUT_H

#include "run.h"

/* The report (text or JSON) to r->out, when there is one, and --html, --csv. 0, or -1 when
 * --html or --csv could not be written (message printed). A failure of r->out sets r->out_error
 * and is left to run_finish, which knows whether its reader has gone. */
int report_write(struct run *r);

#endif
