/* SPDX-License-Identifier: MIT */
/* sql_words.c: skipping blanks/comments and matching keywords in statement text. */
#include "sql_words.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Skip blanks and plain comments (not the versioned kind with a bang, whose content executes). */
size_t ss_sql_skip_blank(const char *t, size_t len, size_t i)
{
    for (;;) {
        while (i < len && isspace((unsigned char)t[i]))
            i++;
        if (i + 1 < len && t[i] == '/' && t[i + 1] == '*' && !(i + 2 < len && t[i + 2] == '!')) {
            const char *end = NULL;
            for (size_t j = i + 2; j + 1 < len; j++)
                if (t[j] == '*' && t[j + 1] == '/') {
                    end = t + j;
                    break;
                }
            if (!end)
                return len;
            i = (size_t)(end - t) + 2;
            continue;
        }
        return i;
    }
}

/* Is the word at t[i] `w` (case-insensitive) followed by a non-identifier character? Advances. */
bool ss_sql_word(const char *t, size_t len, size_t *i, const char *w)
{
    size_t wl = strlen(w);
    if (*i + wl > len || strncasecmp(t + *i, w, wl) != 0)
        return false;
    if (*i + wl < len && (isalnum((unsigned char)t[*i + wl]) || t[*i + wl] == '_'))
        return false;
    *i = ss_sql_skip_blank(t, len, *i + wl);
    return true;
}
