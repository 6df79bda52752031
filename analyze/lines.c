/* SPDX-License-Identifier: MIT */
/* lines.c: the lines of a text input, whatever bytes it holds (lines_priv.h). */
#include "lines_priv.h"

#include <stdlib.h>
#include <string.h>

struct ss_lines *ss_lines_new(FILE *f)
{
    struct ss_lines *r = malloc(sizeof(*r));
    if (!r)
        return NULL;
    r->f = f;
    r->pos = r->end = 0;
    r->eof = r->err = r->skipping = false;
    return r;
}

static bool fill(struct ss_lines *r)
{
    if (r->eof || r->err)
        return false;
    size_t n = fread(r->buf, 1, sizeof(r->buf), r->f);
    if (n == 0) {
        if (ferror(r->f))
            r->err = true;
        else
            r->eof = true;
        return false;
    }
    r->pos = 0;
    r->end = n;
    return true;
}

/* Past a run of NUL bytes, and the newline right after it (a run that ends a line is one
 * damaged line, not two). */
static void skip_nuls(struct ss_lines *r)
{
    for (;;) {
        while (r->pos < r->end && r->buf[r->pos] == '\0')
            r->pos++;
        if (r->pos < r->end) {
            if (r->buf[r->pos] == '\n')
                r->pos++;
            return;
        }
        if (!fill(r))
            return;
    }
}

static int deliver(struct ss_lines *r, size_t n, unsigned fl, const char **line, size_t *len,
                   unsigned *flags)
{
    *line = r->line;
    *len = n;
    *flags = fl;
    return 1;
}

int ss_lines_next(struct ss_lines *r, const char **line, size_t *len, unsigned *flags)
{
    size_t n = 0;
    for (;;) {
        if (r->pos == r->end && !fill(r)) {
            bool last = n > 0 && !r->skipping && !r->err; /* a last line without '\n' */
            r->skipping = false;
            if (last)
                return deliver(r, n, 0, line, len, flags);
            return r->err ? -1 : 0;
        }
        const char *p = r->buf + r->pos;
        size_t avail = r->end - r->pos, k = 0;
        while (k < avail && p[k] != '\n' && p[k] != '\0')
            k++;
        if (!r->skipping && k > 0) {
            size_t room = SS_LINES_MAX - n;
            if (k > room) {
                memcpy(r->line + n, p, room);
                r->pos += room;
                r->skipping = true; /* the next call skips the rest of this line */
                return deliver(r, SS_LINES_MAX, SS_LINE_LONG, line, len, flags);
            }
            memcpy(r->line + n, p, k);
            n += k;
        }
        r->pos += k;
        if (k == avail)
            continue; /* the line goes on in the next block */
        if (p[k] == '\n') {
            r->pos++;
            if (r->skipping) {
                r->skipping = false; /* the end of an overlong line already returned */
                continue;
            }
            return deliver(r, n, 0, line, len, flags);
        }
        skip_nuls(r);
        r->skipping = false;
        return deliver(r, n, SS_LINE_NUL, line, len, flags);
    }
}
