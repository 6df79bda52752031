/* SPDX-License-Identifier: MIT */
/* lines_priv.h: the lines of a text input that may be damaged (lines.c), shared by the status-file
 * and error-log readers.
 *
 * A crash leaves runs of NUL bytes in a log file: the file's size was extended but its last
 * blocks never written, and the server appends to it again after its restart. fgets() with
 * strlen() stops a line at its first NUL, so the text after the run — the first line written
 * after the restart — vanished with the garbage. Here every byte counts: lines are split at '\n',
 * and a run of NUL bytes ends the line it interrupts. That line (the text before the run, cut
 * short by the crash) is returned flagged SS_LINE_NUL, for the caller to count and not to parse;
 * the text after the run is the next line. A line longer than SS_LINES_MAX is returned cut to
 * that length and flagged SS_LINE_LONG; the rest of it is skipped. */
#ifndef SEMISCOPE_LINES_PRIV_H
#define SEMISCOPE_LINES_PRIV_H

#include <stdio.h>

#include "semiscope/common.h"

#define SS_LINES_MAX 4096
#define SS_LINES_BUF ((size_t)1 << 16)

enum {
    SS_LINE_LONG = 1, /* longer than SS_LINES_MAX: cut, the rest skipped */
    SS_LINE_NUL = 2,  /* ended by a run of NUL bytes (the run counts as damage even when the
                       * line before it is empty) */
};

struct ss_lines {
    FILE *f;
    size_t pos, end;   /* unread bytes of buf */
    bool eof, err;
    bool skipping;     /* inside the rest of an overlong line */
    char buf[SS_LINES_BUF];
    char line[SS_LINES_MAX];
};

/* A reader over f (borrowed); NULL when out of memory. Free with free(). */
struct ss_lines *ss_lines_new(FILE *f);
/* The next line without its '\n' (a '\r' before it is kept): 1 with *line / *len (borrowed until
 * the next call; it may contain any byte but NUL) and *flags, 0 at the end of the input, -1 on a
 * read error (after the lines read before it). */
int ss_lines_next(struct ss_lines *r, const char **line, size_t *len, unsigned *flags);

#endif
