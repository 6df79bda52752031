/* SPDX-License-Identifier: MIT */
/* sql_words.h: the few SQL lexing steps the decoder needs to classify statement text (the
 * replica's setup queries, QUERY events): skipping blanks and comments, matching keywords. */
#ifndef SEMISCOPE_SQL_WORDS_H
#define SEMISCOPE_SQL_WORDS_H

#include "semiscope/common.h"

/* Skip blanks and plain comments (not the versioned kind with a bang, whose content executes);
 * returns the new index (≤ len). */
size_t ss_sql_skip_blank(const char *t, size_t len, size_t i);
/* Is the word at t[*i] the keyword `w` (case-insensitive, whole word)? Then advance past it and
 * the blanks after it. */
bool ss_sql_word(const char *t, size_t len, size_t *i, const char *w);

#endif
