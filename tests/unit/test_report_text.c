/* SPDX-License-Identifier: MIT */
/* test_report_text.c: the text report against golden files (tests/unit/golden/report_text_v*.txt;
 * SEMISCOPE_UPDATE_GOLDEN=1 rewrites them), its 80-column layout, TZ independence, escaping of
 * wire strings, the formatting helpers and the other modules' text hooks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <time.h>

#define SEMISCOPE_FIXTURE_SCENARIO
#include "analysis_fixture.h"
#include "semiscope/report.h"

static char *render_run(const char *file, int verbosity, const struct ss_report_section *state,
                        const struct ss_capture_read_error *errs, size_t nerrs)
{
    struct ss_anomalies an = { 0 };
    struct ss_analysis *a = ss_analysis_new(NULL, &an);
    assert_non_null(a);
    fx_scenario(a, file);
    struct ss_run_info ri;
    fx_run_info(&ri, &an);
    ri.read_errors = errs;
    ri.nread_errors = nerrs;
    struct ss_report_input in = { .run = &ri, .analysis = a, .verbosity = verbosity };
    if (state)
        in.state = *state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(ss_report_text(f, &in), 0);
    fclose(f);
    ss_analysis_free(a);
    return buf;
}

static char *render(const char *file, int verbosity, const struct ss_report_section *state)
{
    return render_run(file, verbosity, state, NULL, 0);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, len = 0, n;
    do {
        if (len + 4096 > cap) {
            cap = cap * 2 + 4096;
            buf = realloc(buf, cap + 1);
            assert_non_null(buf);
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    fclose(f);
    buf[len] = '\0';
    return buf;
}

static void golden(const char *name, const char *got)
{
    const char *src = getenv("SEMISCOPE_SRC");
    char path[1024];
    snprintf(path, sizeof(path), "%s/tests/unit/golden/%s", src ? src : ".", name);
    if (getenv("SEMISCOPE_UPDATE_GOLDEN")) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fputs(got, f);
        assert_int_equal(fclose(f), 0);
    }
    char *want = slurp(path);
    if (!want)
        fail_msg("golden file %s missing (SEMISCOPE_UPDATE_GOLDEN=1 creates it)", path);
    if (strcmp(want, got) != 0) {
        fprintf(stderr, "---- got (%s differs) ----\n%s", path, got);
        fail_msg("text report differs from %s", path);
    }
    free(want);
}

static void assert_80_columns(const char *s)
{
    size_t col = 0;
    for (; *s; s++) {
        col = *s == '\n' ? 0 : col + 1;
        assert_true(col <= 80);
    }
}

static void test_golden_default(void **state)
{
    (void)state;
    /* A timezone far from UTC: the report must not depend on it. */
    setenv("TZ", "America/Los_Angeles", 1);
    tzset();
    char *s = render("master-bin.000001", 0, NULL);
    golden("report_text_v0.txt", s);
    assert_80_columns(s);
    free(s);
}

static void test_golden_verbose(void **state)
{
    (void)state;
    char *s = render("master-bin.000001", 1, NULL);
    golden("report_text_v1.txt", s);
    assert_80_columns(s);
    free(s);
}

static void test_hostile_file_name(void **state)
{
    (void)state;
    char *s = render("\x1b[2J\x07" "bin\xff.000001", 1, NULL);
    for (const char *p = s; *p; p++)
        assert_true(*p == '\n' || ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f));
    assert_non_null(strstr(s, "\\x1b[2J\\x07bin\\xff.000001:6000"));
    free(s);
}

/* A file not read to its end heads the report (issue 14), escaped and within 80 columns; the
 * rest of the report is the usual one. */
static void test_read_error_first(void **state)
{
    (void)state;
    struct ss_capture_read_error e[2] = {
        { .file = "cap\x1b[2J.pcap", .frame = 51, .offset = 7957, .numbered = 50,
          .message = "invalid packet capture length 2147483647, bigger than snaplen of 262144 "
                     "(a damaged record header: libpcap cannot find the records after it)" },
        { .file = "b.pcap", .frame = 1, .offset = -1, .message = "x" },
    };
    char *s = render_run("master-bin.000001", 0, NULL, e, 2);
    assert_80_columns(s);
    const char *top = "semiscope report\n\n"
                      "READ ERROR: input not read to its end; the report covers what was read\n"
                      "  file       cap\\x1b[2J.pcap\n"
                      "  frame      51 could not be read (reading failed at or after byte 7957, "
                      "where\n"
                      "             frame 50 ends); the frames before it were analysed, none "
                      "after it\n";
    if (strncmp(s, top, strlen(top)) != 0)
        fail_msg("report top:\n%.600s", s);
    assert_non_null(strstr(s, "invalid packet capture length 2147483647"));
    assert_non_null(strstr(s, "  and 1 more file not read to the end"));
    /* Then the usual report, unchanged. */
    char *plain = render("master-bin.000001", 0, NULL);
    const char *cap = strstr(s, "\nCapture\n");
    assert_non_null(cap);
    assert_string_equal(cap + 1, plain + strlen("semiscope report\n\n"));
    free(plain);
    free(s);
}

static void state_text(FILE *out, const void *ctx, const struct ss_endpoint *m, int verbosity)
{
    char ep[SS_ENDPOINT_STRLEN];
    fprintf(out, "  [%s section for %s, v%d]\n", (const char *)ctx,
            ss_endpoint_str(m, ep, sizeof(ep)), verbosity);
}

static void test_section_hook(void **state)
{
    (void)state;
    struct ss_report_section sec = { .text = state_text, .ctx = "semistate" };
    char *s = render("master-bin.000001", 0, &sec);
    const char *hook = strstr(s, "  [semistate section for 10.0.0.1:3306, v0]\n");
    assert_non_null(hook);
    /* After the replica table, before the slowest acks. */
    assert_true(hook > strstr(s, "last ack"));
    assert_true(hook < strstr(s, "Slowest acks"));
    free(s);
}

static void test_write_error(void **state)
{
    (void)state;
    struct ss_run_info ri;
    memset(&ri, 0, sizeof(ri));
    struct ss_report_input in = { .run = &ri };
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        skip();
    setvbuf(f, NULL, _IONBF, 0);
    assert_int_equal(ss_report_text(f, &in), -1);
    fclose(f);
}

static void test_helpers(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(ss_report_duration(b, sizeof(b), 0), "0ns");
    assert_string_equal(ss_report_duration(b, sizeof(b), 999), "999ns");
    assert_string_equal(ss_report_duration(b, sizeof(b), 1000), "1.00us");
    assert_string_equal(ss_report_duration(b, sizeof(b), 245123), "245.1us");
    assert_string_equal(ss_report_duration(b, sizeof(b), 999960), "1.00ms"); /* not 1000.0us */
    assert_string_equal(ss_report_duration(b, sizeof(b), MS(12) + US(345)), "12.35ms");
    assert_string_equal(ss_report_duration(b, sizeof(b), MS(1500)), "1.50s");
    assert_string_equal(ss_report_duration(b, sizeof(b), SS_NS_PER_SEC * 4120), "4120.0s");
    assert_string_equal(ss_report_duration(b, sizeof(b), SS_NS_PER_SEC * 41200), "41200s");
    for (uint64_t v = 1; v < UINT64_C(100000) * SS_NS_PER_SEC; v = v * 3 + 7)
        assert_true(strlen(ss_report_duration(b, sizeof(b), v)) <= 7);
    assert_string_equal(ss_report_time(b, sizeof(b), T0 + 1234567), "2026-11-22T02:28:55.001234Z");
    assert_string_equal(ss_report_time(b, sizeof(b), 0), "1970-01-01T00:00:00.000000Z");
    assert_string_equal(ss_report_text_escape(b, sizeof(b), "a\\b\tc\x80"), "a\\\\b\\x09c\\x80");
    /* Truncation never splits an escape. */
    assert_string_equal(ss_report_text_escape(b, 6, "ab\x01zz"), "ab");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_default),
        cmocka_unit_test(test_golden_verbose),
        cmocka_unit_test(test_hostile_file_name),
        cmocka_unit_test(test_read_error_first),
        cmocka_unit_test(test_section_hook),
        cmocka_unit_test(test_write_error),
        cmocka_unit_test(test_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
