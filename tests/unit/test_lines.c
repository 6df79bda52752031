/* SPDX-License-Identifier: MIT */
/* test_lines.c: the line reader of the status and error-log files (analyze/lines.c): a run of NUL
 * bytes — what a crash leaves in a log — ends the line it interrupts and never hides the text
 * after it; overlong lines are cut; lines and NUL runs that straddle the 64 KiB read blocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/lines_priv.h"

/* A stream holding exactly n bytes (NULs included). */
static FILE *stream(const void *bytes, size_t n)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    rewind(f);
    return f;
}

struct got {
    char text[SS_LINES_MAX + 1];
    size_t len;
    unsigned flags;
};

/* Read every line; returns how many (at most max). */
static size_t read_all(FILE *f, struct got *g, size_t max)
{
    struct ss_lines *r = ss_lines_new(f);
    assert_non_null(r);
    size_t n = 0;
    const char *line;
    size_t len;
    unsigned fl;
    int rc;
    while ((rc = ss_lines_next(r, &line, &len, &fl)) == 1) {
        assert_true(n < max);
        assert_true(len <= SS_LINES_MAX);
        assert_null(memchr(line, '\0', len)); /* a line never holds a NUL */
        memcpy(g[n].text, line, len);
        g[n].text[len] = '\0';
        g[n].len = len;
        g[n].flags = fl;
        n++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(ss_lines_next(r, &line, &len, &fl), 0); /* and stays at the end */
    free(r);
    fclose(f);
    return n;
}

static void test_plain(void **state)
{
    (void)state;
    static const char in[] = "first\nsecond\r\n\nlast without newline";
    struct got g[8];
    size_t n = read_all(stream(in, sizeof in - 1), g, 8);
    assert_int_equal(n, 4);
    assert_string_equal(g[0].text, "first");
    assert_string_equal(g[1].text, "second\r"); /* the caller strips the \r */
    assert_string_equal(g[2].text, "");
    assert_string_equal(g[3].text, "last without newline");
    for (size_t i = 0; i < n; i++)
        assert_int_equal(g[i].flags, 0);
    assert_int_equal(read_all(stream("", 0), g, 8), 0);
}

/* The crash patterns: a run after a complete line, a run cutting a line short, a run alone on a
 * line, a run at the end of the file. */
static void test_nul_runs(void **state)
{
    (void)state;
    static const char in[] =
        "2024-05-01 10:00:00 1 [Note] complete line\n"
        "\0\0\0\0\0\0\0\0"                              /* a run after a complete line */
        "2024-05-01 10:05:00 1 [Note] after restart\n"  /* … hides nothing */
        "2024-05-01 10:06:00 1 [Note] Semi-sync repl"   /* a line the crash cut */
        "\0\0\0"
        "2024-05-01 10:09:00 1 [Note] next start\n"
        "\0\0\0\0\n"                                    /* a run alone on its line */
        "tail\n"
        "\0\0";                                         /* a run at the end */
    struct got g[16];
    size_t n = read_all(stream(in, sizeof in - 1), g, 16);
    assert_int_equal(n, 8);
    assert_string_equal(g[0].text, "2024-05-01 10:00:00 1 [Note] complete line");
    assert_int_equal(g[0].flags, 0);
    assert_string_equal(g[1].text, ""); /* the run itself, flagged */
    assert_int_equal(g[1].flags, SS_LINE_NUL);
    assert_string_equal(g[2].text, "2024-05-01 10:05:00 1 [Note] after restart");
    assert_int_equal(g[2].flags, 0);
    assert_string_equal(g[3].text, "2024-05-01 10:06:00 1 [Note] Semi-sync repl");
    assert_int_equal(g[3].flags, SS_LINE_NUL); /* cut short: not to be parsed */
    assert_string_equal(g[4].text, "2024-05-01 10:09:00 1 [Note] next start");
    assert_int_equal(g[4].flags, 0);
    assert_int_equal(g[5].flags, SS_LINE_NUL); /* the run and its newline: one damaged line */
    assert_string_equal(g[6].text, "tail");
    assert_int_equal(g[7].flags, SS_LINE_NUL);
}

/* Lines and NUL runs across the 64 KiB read blocks; an overlong line is cut once, its rest
 * skipped, and a NUL run inside that rest still ends it. */
static void test_blocks_and_long_lines(void **state)
{
    (void)state;
    size_t cap = 3 * SS_LINES_BUF;
    char *in = malloc(cap);
    assert_non_null(in);
    size_t n = 0;
    /* short lines up to 5 bytes before the first block's end, then a line across it */
    while (n + 10 < SS_LINES_BUF - 5) {
        memcpy(in + n, "abcdefghi\n", 10);
        n += 10;
    }
    size_t short_lines = n / 10;
    memcpy(in + n, "straddling line\n", 16);
    n += 16;
    /* a NUL run across the second block's end, then a line */
    while (n < 2 * SS_LINES_BUF - 100)
        in[n++] = '\0';
    memset(in + n, 0, 200);
    n += 200;
    memcpy(in + n, "after the run\n", 14);
    n += 14;
    /* an overlong line whose tail holds a NUL run, then a line */
    memset(in + n, 'x', SS_LINES_MAX + 500);
    n += SS_LINES_MAX + 500;
    memcpy(in + n, "yy\0\0zz\n", 7);
    n += 7;
    /* exactly SS_LINES_MAX bytes is not overlong */
    memset(in + n, 'w', SS_LINES_MAX);
    n += SS_LINES_MAX;
    in[n++] = '\n';
    assert_true(n <= cap);
    struct got *g = calloc(short_lines + 16, sizeof(*g));
    assert_non_null(g);
    size_t k = read_all(stream(in, n), g, short_lines + 16);
    assert_int_equal(k, short_lines + 7);
    for (size_t i = 0; i < short_lines; i++)
        assert_string_equal(g[i].text, "abcdefghi");
    struct got *t = g + short_lines;
    assert_string_equal(t[0].text, "straddling line");
    assert_int_equal(t[1].flags, SS_LINE_NUL);
    assert_string_equal(t[2].text, "after the run");
    assert_int_equal(t[2].flags, 0);
    assert_int_equal(t[3].flags, SS_LINE_LONG);
    assert_int_equal(t[3].len, SS_LINES_MAX);
    assert_int_equal(t[4].flags, SS_LINE_NUL); /* the run in the skipped rest */
    assert_int_equal(t[4].len, 0);
    assert_string_equal(t[5].text, "zz");
    assert_int_equal(t[6].flags, 0);
    assert_int_equal(t[6].len, SS_LINES_MAX);
    free(g);
    free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_nul_runs),
        cmocka_unit_test(test_blocks_and_long_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
