/* SPDX-License-Identifier: MIT */
/* report_html.h: the self-contained HTML report (`--html FILE`), rendered from the JSON report
 * document (docs/html-report.md).
 *
 * The page is one file with no external resource of any kind (inline CSS, inline SVG charts, no
 * script; hover details are SVG <title> tooltips), prints on paper, and is deterministic: the same
 * document gives byte-identical output (no wall-clock time, insertion-ordered keys, C-locale
 * number formatting). Every string taken from the document is HTML-escaped and stripped of
 * control characters, since binlog file names, host names and log lines come off the wire.
 *
 * It reads the document built by ss_report_json() (docs/report-json.md, schema_version 1) and
 * tolerates any field being absent or of the wrong type: what is missing is skipped or said, never
 * guessed. The per-interval charts need each replica's `timeline`, which ss_report_json() only
 * emits at verbosity >= 1; build the document for the HTML report with verbosity >= 1. */
#ifndef SEMISCOPE_REPORT_HTML_H
#define SEMISCOPE_REPORT_HTML_H

#include <stdio.h>
#include <jansson.h>

/* Writes the page for `report` (borrowed) to out. 0, or -1 when writing failed (ferror on out)
 * or report is not a JSON object. Never prints anything else, never exits. */
int ss_report_html(FILE *out, const json_t *report);

#endif
