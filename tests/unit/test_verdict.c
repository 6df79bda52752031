/* SPDX-License-Identifier: MIT */
/* test_verdict.c: the verdict from the wire alone (issue 15): unprotected commits and an OFF
 * state that no other rule tells, capture loss, the closing "after the fix" row only where it
 * applies, undecidable spans never an alarm, the text's evidence one item per line, and whether
 * the server's files confirm or correct the wire's verdict (`diagnosis_basis`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pm_test_util.h"
#include <jansson.h>

#include "semiscope/errlog.h"
#include "semiscope/postmortem.h"
#include "semiscope/status.h"
#include "semiscope/status_samples.h"

/* T0 = 1700000000 = 2023-11-14 22:13:20 UTC; the capture window is [T0, T0 + 10 s]. */
#define T0 1700000000LL
#define NS 1000000000LL

static json_t *jparse(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    if (!j)
        fail_msg("fixture JSON: %s at line %d", err.text, err.line);
    return j;
}

static json_t *build(const json_t *m, const struct ss_status_samples *st, const struct ss_errlog *el)
{
    return pm_build_window(m, st, el, T0 * NS, (T0 + 10) * NS);
}

static const json_t *row_of(const json_t *pm, const char *rule)
{
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(pm, "diagnosis"), i, d)
    {
        const char *r = json_string_value(json_object_get(d, "rule"));
        if (r && !strcmp(r, rule))
            return d;
    }
    return NULL;
}

static void no_critical(const json_t *pm)
{
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(pm, "diagnosis"), i, d)
        assert_string_not_equal(field(d, "severity"), "critical");
}

/* Two semisync replicas; ON throughout; the pieces each test changes are set by it. */
static const char master[] =
    "{\"endpoint\": \"10.0.0.1:3306\", \"flavor\": \"mariadb\","
    " \"replicas\": ["
    "  {\"address\": \"10.0.0.2\", \"server_id\": 2, \"semisync\": true, \"events\": 500,"
    "   \"ack_requests\": 100, \"acks\": 100, \"requests_unanswered\": 0,"
    "   \"ack_latency_us\": {\"p50\": 300, \"p99\": 900, \"max\": 1200}},"
    "  {\"address\": \"10.0.0.3\", \"server_id\": 3, \"semisync\": true, \"events\": 500,"
    "   \"ack_requests\": 100, \"acks\": 100, \"requests_unanswered\": 0,"
    "   \"ack_latency_us\": {\"p50\": 350, \"p99\": 950, \"max\": 1300}}],"
    " \"semisync\": {\"state_start\": \"on\", \"state_end\": \"on\", \"transitions\": []},"
    " \"counters\": {\"clients_end\": 2},"
    " \"unprotected_transactions\": {\"count\": 0, \"list\": []}}";

/* Commits went unprotected with no OFF switch on the wire: an alarm all the same, with the
 * runbook's remedy; the summary of the page and the text's heading then show it. */
static void test_unprotected_alone(void **state)
{
    (void)state;
    json_t *m = jparse(master);
    json_object_set_new(m, "unprotected_transactions",
                        jparse("{\"count\": 3, \"list\": ["
                               "{\"ts\": 1700000002.0, \"position\": \"mb.000001:400\","
                               " \"why\": \"timed_out\"},"
                               "{\"ts\": 1700000003.0, \"position\": \"mb.000001:800\","
                               " \"why\": \"committed_while_off\"},"
                               "{\"ts\": 1700000003.5, \"position\": \"mb.000001:900\","
                               " \"why\": \"committed_while_off\"}]}"));
    json_t *pm = build(m, NULL, NULL);
    const json_t *d = row_of(pm, "unprotected");
    if (!d)
        dump_on_failure(pm);
    assert_non_null(d);
    assert_string_equal(field(d, "severity"), "warning");
    assert_non_null(strstr(field(d, "cause"), "3 commit(s) returned without a replica's ack"));
    assert_non_null(strstr(field(d, "evidence"), "1 timed_out, 2 committed_while_off"));
    assert_non_null(strstr(field(d, "remedy"), "Before any failover"));
    assert_non_null(row_of(pm, "after_the_fix"));
    assert_null(row_of(pm, "healthy"));
    json_decref(pm);

    /* OFF when the capture began and still at its end, no transition: critical */
    json_object_set_new(json_object_get(m, "semisync"), "state_start", json_string("off"));
    json_object_set_new(json_object_get(m, "semisync"), "state_end", json_string("off"));
    pm = build(m, NULL, NULL);
    d = row_of(pm, "unprotected");
    assert_non_null(d);
    assert_string_equal(field(d, "severity"), "critical");
    assert_non_null(strstr(field(d, "cause"), "semisync was OFF when the capture began and "
                                              "still OFF at its end"));
    json_decref(pm);
    json_decref(m);
}

/* Capture loss: info (never an alarm by itself), said with what was lost. */
static void test_capture_loss(void **state)
{
    (void)state;
    json_t *m = jparse(master);
    json_t *report = json_pack("{s:{s:f,s:f,s:i,s:{s:i,s:i,s:i}},s:{s:i,s:i},s:[O]}", "capture",
                               "first_ts", (double)T0, "last_ts", (double)T0 + 10,
                               "files_not_read_to_end", 1, "drops", "kernel_received", 900,
                               "kernel_dropped", 7, "if_dropped", 0, "flows", "gaps", 2,
                               "gap_bytes", 1400, "masters", m);
    assert_non_null(report);
    struct ss_postmortem *p = ss_postmortem_new(NULL, NULL, NULL);
    assert_int_equal(ss_postmortem_add_report(p, report), SS_OK);
    struct ss_endpoint ep = {.addr = {.family = 4, .b = {10, 0, 0, 1}}, .port = 3306};
    json_t *j = ss_postmortem_master_json(p, &ep);
    assert_non_null(j);
    /* without the server's files only the verdict: no correlation, no timeline */
    assert_null(json_object_get(j, "correlation"));
    assert_null(json_object_get(j, "timeline"));
    const json_t *basis = json_object_get(j, "diagnosis_basis");
    assert_int_equal(json_array_size(json_object_get(basis, "sources")), 1);
    assert_true(json_is_null(json_object_get(basis, "wire_verdict")));
    const json_t *d = row_of(j, "capture_loss");
    if (!d)
        dump_on_failure(j);
    assert_non_null(d);
    assert_string_equal(field(d, "severity"), "info");
    const char *ev = field(d, "evidence");
    assert_non_null(strstr(ev, "2 hole(s) in the reassembled TCP streams (1400 bytes"));
    assert_non_null(strstr(ev, "7 packet(s) dropped"));
    assert_non_null(strstr(ev, "1 input file(s) not read to their end"));
    assert_non_null(row_of(j, "healthy"));
    json_decref(j);
    ss_postmortem_free(p);
    json_decref(report);
    json_decref(m);
}

/* Switched OFF and back ON: a warning, but nothing left to verify on the servers; still OFF at
 * the end: critical, and the verification applies. */
static void test_after_fix_where_it_applies(void **state)
{
    (void)state;
    json_t *m = jparse(master);
    json_t *semi = json_object_get(m, "semisync");
    json_object_set_new(semi, "transitions",
                        jparse("[{\"ts\": 1700000004.0, \"to\": \"off\", \"cause\": \"timeout\","
                               "  \"position\": \"mb.000001:7114\","
                               "  \"reason\": \"mb.000001:7114 waited 10.00 s with no ack\"},"
                               " {\"ts\": 1700000006.0, \"to\": \"on\", \"cause\": \"ack\","
                               "  \"position\": \"mb.000001:7300\","
                               "  \"reason\": \"ack from server_id 2 at mb.000001:7300\"}]"));
    json_t *pm = build(m, NULL, NULL);
    const json_t *d = row_of(pm, "switched_off");
    if (!d)
        dump_on_failure(pm);
    assert_non_null(d);
    assert_string_equal(field(d, "severity"), "warning");
    assert_null(row_of(pm, "after_the_fix"));
    assert_null(row_of(pm, "healthy"));
    json_decref(pm);

    json_array_remove(json_object_get(semi, "transitions"), 1);
    json_object_set_new(semi, "state_end", json_string("off"));
    pm = build(m, NULL, NULL);
    assert_string_equal(field(row_of(pm, "switched_off"), "severity"), "critical");
    assert_non_null(row_of(pm, "after_the_fix"));
    json_decref(pm);
    json_decref(m);
}

/* Undecidable spans are info, never critical, from the wire alone too. */
static void test_uncertain_is_info(void **state)
{
    (void)state;
    json_t *m = jparse(master);
    json_object_set_new(m, "counter_ranges", jparse("{\"yes_tx\": [99, 101]}"));
    json_object_set_new(json_object_get(m, "semisync"), "uncertain",
                        jparse("[{\"from\": 1700000004.25, \"to\": 1700000004.26, \"reason\":"
                               " \"sent 10.0 ms after the ack that switched ON\"}]"));
    json_object_set_new(json_object_get(m, "semisync"), "uncertain_total", json_integer(1));
    json_t *pm = build(m, NULL, NULL);
    const json_t *d = row_of(pm, "not_decidable");
    assert_non_null(d);
    assert_string_equal(field(d, "severity"), "info");
    no_critical(pm);
    assert_non_null(row_of(pm, "healthy"));
    json_decref(pm);
    json_decref(m);
}

/* The server's files confirm the wire's verdict, or correct it (and say from what to what). */
static void test_basis(void **state)
{
    (void)state;
    json_t *m = jparse(master);
    json_t *semi = json_object_get(m, "semisync");
    json_object_set_new(semi, "state_end", json_string("off"));
    json_object_set_new(semi, "transitions",
                        jparse("[{\"ts\": 1700000004.0, \"to\": \"off\", \"cause\": \"timeout\","
                               "  \"position\": \"mb.000001:7114\","
                               "  \"reason\": \"mb.000001:7114 waited 1.00 s with no ack\"}]"));
    /* samples ON throughout: they contradict the wire's OFF, and win */
    char buf[1024] = "";
    for (int k = 0; k < 10; k++) {
        char line[80];
        snprintf(line, sizeof(line), "%lld.5\tRpl_semi_sync_master_status\tON\n", T0 + k);
        strncat(buf, line, sizeof(buf) - strlen(buf) - 1);
    }
    struct ss_status_samples *st = ss_status_samples_new(NULL);
    for (char *p = buf; *p;) {
        char *nl = strchr(p, '\n');
        ss_status_samples_line(st, p, (size_t)(nl - p));
        p = nl + 1;
    }
    json_t *pm = build(m, st, NULL);
    const json_t *b = json_object_get(pm, "diagnosis_basis");
    if (!b || strcmp(field(b, "wire_verdict"), "corrected"))
        dump_on_failure(pm);
    assert_string_equal(field(b, "wire_verdict"), "corrected");
    assert_non_null(strstr(field(b, "note"), "the server's status samples correct the wire's "
                                             "verdict: from the wire alone CRITICAL semisync "
                                             "switched OFF once"));
    assert_non_null(strstr(field(b, "note"), "with them no problem found"));
    json_decref(pm);
    ss_status_samples_free(st);

    /* a log line that agrees: confirmed */
    struct ss_errlog *el = ss_errlog_new(NULL);
    const char *l = "2023-11-14 22:13:24 12 [Warning] Timeout waiting for reply of binlog (file: "
                    "mb.000001, pos: 7114), semi-sync up to file mb.000001, position 7000.";
    ss_errlog_line(el, l, strlen(l));
    ss_errlog_sort(el);
    pm = build(m, NULL, el);
    b = json_object_get(pm, "diagnosis_basis");
    assert_string_equal(field(b, "wire_verdict"), "confirmed");
    assert_non_null(strstr(field(b, "note"), "the server's error log confirms the wire's "
                                             "verdict (CRITICAL switched off"));
    json_decref(pm);
    ss_errlog_free(el);
    json_decref(m);
}

/* The text: the verdict's heading, evidence one item per line, 80 columns. */
static void test_text(void **state)
{
    (void)state;
    json_t *m = jparse(master);
    json_object_set_new(json_object_get(m, "semisync"), "transitions",
                        jparse("[{\"ts\": 1700000004.0, \"to\": \"off\", \"cause\": \"timeout\","
                               "  \"position\": \"mb.000001:7114\","
                               "  \"reason\": \"mb.000001:7114 waited 10.00 s with no ack\"},"
                               " {\"ts\": 1700000006.0, \"to\": \"on\", \"cause\": \"ack\","
                               "  \"position\": \"mb.000001:7300\","
                               "  \"reason\": \"ack from server_id 2 at mb.000001:7300\"}]"));
    json_object_set_new(m, "unprotected_transactions",
                        jparse("{\"count\": 1, \"list\": [{\"ts\": 1700000002.0, \"position\":"
                               " \"mb.000001:7114\", \"why\": \"timed_out\"}]}"));
    json_t *pm = build(m, NULL, NULL);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ss_postmortem_verdict_text(f, pm);
    fclose(f);
    assert_non_null(strstr(text, "  Diagnosis (from the wire alone): 1 warning\n"
                                 "    [WARNING] semisync switched OFF once"));
    assert_non_null(strstr(text, "      evidence:\n        - #1 wire: OFF at 22:13:24.000"));
    assert_non_null(strstr(text, "\n        - 1 transaction(s) were committed without"));
    assert_null(strstr(text, " | "));
    assert_null(strstr(text, "after the fix"));
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
        if (strlen(line) > 80)
            fail_msg("over 80 columns: %s", line);
    free(text);
    json_decref(pm);
    json_decref(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unprotected_alone),
        cmocka_unit_test(test_capture_loss),
        cmocka_unit_test(test_after_fix_where_it_applies),
        cmocka_unit_test(test_uncertain_is_info),
        cmocka_unit_test(test_basis),
        cmocka_unit_test(test_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
