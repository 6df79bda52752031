/* SPDX-License-Identifier: MIT */
/* test_status_samples.c: the `--status FILE` parser on annotated fixtures of every accepted
 * format, the change-point store and its queries, and the lab's real status files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "semiscope/status.h"
#include "semiscope/status_samples.h"

#define S(x) ((int64_t)(x) * 1000000000LL)

static void feed(struct ss_status_samples *s, const char *text)
{
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        ss_status_samples_line(s, p, len);
        p += len + (nl ? 1 : 0);
    }
}

static void test_names(void **state)
{
    (void)state;
    /* every spelling family maps to the same id */
    assert_int_equal(ss_sv_lookup("Rpl_semi_sync_master_yes_tx", 27), SS_SV_YES_TX);
    assert_int_equal(ss_sv_lookup("Rpl_semi_sync_source_yes_tx", 27), SS_SV_YES_TX);
    assert_int_equal(ss_sv_lookup("RPL_SEMI_SYNC_MASTER_STATUS", 27), SS_SV_STATUS);
    assert_int_equal(ss_sv_lookup("Rpl_semi_sync_replica_status", 28), SS_SV_SLAVE_STATUS);
    assert_int_equal(ss_sv_lookup("Rpl_semi_sync_slave_send_ack", 28), SS_SV_SLAVE_SEND_ACK);
    const char *v1 = "rpl_semi_sync_source_wait_for_replica_count";
    const char *v2 = "rpl_semi_sync_master_wait_for_slave_count";
    assert_int_equal(ss_sv_lookup(v1, strlen(v1)), SS_SV_VAR_WAIT_COUNT);
    assert_int_equal(ss_sv_lookup(v2, strlen(v2)), SS_SV_VAR_WAIT_COUNT);
    const char *v3 = "rpl_semi_sync_source_wait_no_replica";
    assert_int_equal(ss_sv_lookup(v3, strlen(v3)), SS_SV_VAR_WAIT_NO_SLAVE);
    /* not semisync, or an unknown semisync name */
    assert_int_equal(ss_sv_lookup("Uptime", 6), SS_SV_UPTIME); /* polled to see restarts */
    assert_int_equal(ss_sv_lookup("UPTIME", 6), SS_SV_UPTIME);
    assert_int_equal(ss_sv_lookup("Uptime_since_flush_status", 25), SS_SV_UNKNOWN);
    assert_string_equal(ss_sv_name(SS_SV_UPTIME), "uptime");
    assert_false(ss_sv_is_counter(SS_SV_UPTIME));
    assert_int_equal(ss_sv_lookup("Rpl_semi_sync_master_bogus", 26), SS_SV_UNKNOWN);
    /* a prefix of a real name is not the name */
    assert_int_equal(ss_sv_lookup("Rpl_semi_sync_master_yes", 24), SS_SV_UNKNOWN);
    assert_string_equal(ss_sv_name(SS_SV_TX_WAIT_TIME), "tx_wait_time");
    assert_string_equal(ss_sv_name(SS_SV__COUNT), "unknown");

    int64_t v;
    assert_true(ss_sv_parse_value("ON", 2, &v));
    assert_int_equal(v, 1);
    assert_true(ss_sv_parse_value("off ", 4, &v));
    assert_int_equal(v, 0);
    assert_true(ss_sv_parse_value("AFTER_COMMIT", 12, &v));
    assert_int_equal(v, 0);
    assert_true(ss_sv_parse_value("AFTER_SYNC", 10, &v));
    assert_int_equal(v, 1);
    assert_true(ss_sv_parse_value("45058", 5, &v));
    assert_int_equal(v, 45058);
    assert_false(ss_sv_parse_value("12abc", 5, &v));
    assert_false(ss_sv_parse_value("", 0, &v));
}

/* MariaDB names, tab-separated with a fractional unix time (what the lab and semiscope record). */
static const char tsv_mariadb[] =
    /* sample 1 at 1700000000.5: before the workload */
    "1700000000.500000\tRpl_semi_sync_master_status\tON\n"
    "1700000000.500000\tRpl_semi_sync_master_clients\t2\n"
    "1700000000.500000\tRpl_semi_sync_master_yes_tx\t10\n"
    "1700000000.500000\tRpl_semi_sync_master_get_ack\t20\n"
    /* sample 2 at 1700000001.5: clients dropped, counters grew */
    "1700000001.500000\tRpl_semi_sync_master_status\tON\n"
    "1700000001.500000\tRpl_semi_sync_master_clients\t0\n"
    "1700000001.500000\tRpl_semi_sync_master_yes_tx\t15\n"
    "1700000001.500000\tRpl_semi_sync_master_get_ack\t30\n"
    /* sample 3 at 1700000002.5: OFF */
    "1700000002.500000\tRpl_semi_sync_master_status\tOFF\n"
    "1700000002.500000\tRpl_semi_sync_master_clients\t0\n"
    "1700000002.500000\tRpl_semi_sync_master_yes_tx\t15\n"
    "1700000002.500000\tRpl_semi_sync_master_get_ack\t30\n"
    /* variables, same file */
    "1700000000.400000\trpl_semi_sync_master_timeout\t1500\n"
    "1700000000.400000\trpl_semi_sync_master_wait_no_slave\tOFF\n"
    "1700000000.400000\trpl_semi_sync_master_wait_point\tAFTER_COMMIT\n"
    "1700000000.400000\trpl_semi_sync_master_enabled\tON\n"
    /* a non-semisync variable is ignored, not bad */
    "1700000000.400000\tUptime\t1234\n";

static void test_tsv_mariadb(void **state)
{
    (void)state;
    struct ss_status_samples *s = ss_status_samples_new(NULL);
    assert_non_null(s);
    feed(s, tsv_mariadb);
    assert_int_equal(s->bad_lines, 0);
    assert_int_equal(s->naming, SS_NAMING_MASTER);
    const struct ss_sv_series *st = &s->series[SS_SV_STATUS];
    assert_int_equal(st->samples, 3);
    assert_int_equal(st->n_points, 2); /* ON at .5, OFF at 2.5 */
    assert_int_equal(st->points[1].value, 0);
    assert_int_equal(st->points[1].ts_ns, S(1700000002) + 500000000);
    assert_int_equal(st->points[1].prev_ts_ns, S(1700000001) + 500000000);
    assert_string_equal(st->spelling, "Rpl_semi_sync_master_status");

    int64_t v, ts;
    assert_true(ss_status_samples_value_at(s, SS_SV_CLIENTS, S(1700000002), &v, &ts));
    assert_int_equal(v, 0);
    assert_false(ss_status_samples_value_at(s, SS_SV_CLIENTS, S(1700000000), &v, &ts));
    /* the first sample at/after 1700000001.0 is the one at 1.5 */
    assert_true(ss_status_samples_first_after(s, SS_SV_YES_TX, S(1700000001), &v, &ts));
    assert_int_equal(v, 15);
    assert_int_equal(ts, S(1700000001) + 500000000);
    /* a window covering everything: yes_tx grew by 5 */
    int64_t d;
    uint32_t resets;
    assert_true(ss_status_samples_delta(s, SS_SV_YES_TX, S(1699999999), S(1700000003), &d,
                                        &resets));
    assert_int_equal(d, 5);
    assert_int_equal(resets, 0);
    /* a window with no sample inside */
    assert_false(ss_status_samples_delta(s, SS_SV_YES_TX, S(1700000003), S(1700000004), &d,
                                         &resets));

    struct ss_semi_params p;
    memset(&p, 0, sizeof(p));
    p.timeout_ms = 10000;
    p.wait_count = 1;
    p.wait_no_slave = 1;
    p.wait_point_after_sync = -1;
    p.enabled = -1;
    ss_status_samples_params(s, &p);
    assert_int_equal(p.timeout_ms, 1500);
    assert_int_equal(p.src_timeout, SS_PARAM_FILE);
    assert_int_equal(p.wait_no_slave, 0);
    assert_int_equal(p.wait_point_after_sync, 0);
    assert_int_equal(p.enabled, 1);
    /* not in the file: untouched, still the default's source */
    assert_int_equal(p.wait_count, 1);
    assert_int_equal(p.src_wait_count, SS_PARAM_DEFAULT);
    ss_status_samples_free(s);
}

/* MySQL 8.0.26+ names; `date +%s.%N` gives 9 fraction digits; a space-separated variant. */
static const char tsv_mysql_source[] =
    "1700000000.123456789\tRpl_semi_sync_source_status\tON\n"
    "1700000000.123456789\tRpl_semi_sync_source_clients\t1\n"
    "1700000000.123456789\tRpl_semi_sync_source_tx_wait_time\t100\n"
    "1700000001 Rpl_semi_sync_source_tx_wait_time 250\n"
    "1700000001\trpl_semi_sync_source_wait_for_replica_count\t2\n"
    "1700000001\trpl_semi_sync_source_wait_point\tAFTER_SYNC\n";

static void test_tsv_mysql(void **state)
{
    (void)state;
    struct ss_status_samples *s = ss_status_samples_new(NULL);
    feed(s, tsv_mysql_source);
    assert_int_equal(s->bad_lines, 0);
    assert_int_equal(s->naming, SS_NAMING_SOURCE);
    assert_int_equal(s->series[SS_SV_STATUS].first.ts_ns, S(1700000000) + 123456789);
    int64_t d;
    assert_true(ss_status_samples_delta(s, SS_SV_TX_WAIT_TIME, 0, S(1800000000), &d, NULL));
    assert_int_equal(d, 150);
    struct ss_semi_params p;
    memset(&p, 0, sizeof(p));
    ss_status_samples_params(s, &p);
    assert_int_equal(p.wait_count, 2);
    assert_int_equal(p.src_wait_count, SS_PARAM_FILE);
    assert_int_equal(p.wait_point_after_sync, 1);
    ss_status_samples_free(s);
}

/* `mysqladmin extended-status -i 2` tables after a `# start` anchor: table k is at start + 2k. */
static const char mysqladmin_tables[] =
    "# start 1700000100.250 interval 2\n"
    "+--------------------------------------------+-------+\n" /* opening rule */
    "| Variable_name                              | Value |\n" /* header */
    "+--------------------------------------------+-------+\n" /* header rule */
    "| Rpl_semi_sync_master_clients               | 2     |\n"
    "| Rpl_semi_sync_master_status                | ON    |\n"
    "| Rpl_semi_sync_master_no_times              | 0     |\n"
    "+--------------------------------------------+-------+\n" /* closing rule */
    "+--------------------------------------------+-------+\n" /* table 2, no blank between */
    "| Variable_name                              | Value |\n"
    "+--------------------------------------------+-------+\n"
    "| Rpl_semi_sync_master_clients               | 1     |\n"
    "| Rpl_semi_sync_master_status                | ON    |\n"
    "| Rpl_semi_sync_master_no_times              | 0     |\n"
    "+--------------------------------------------+-------+\n"
    "\n"
    "+--------------------------------------------+-------+\n" /* table 3 */
    "| Variable_name                              | Value |\n"
    "+--------------------------------------------+-------+\n"
    "| Rpl_semi_sync_master_clients               | 0     |\n"
    "| Rpl_semi_sync_master_status                | OFF   |\n"
    "| Rpl_semi_sync_master_no_times              | 1     |\n"
    "| Rpl_semi_sync_master_no_times  broken row         \n" /* bad: no closing bar */
    "+--------------------------------------------+-------+\n";

static void test_mysqladmin(void **state)
{
    (void)state;
    struct ss_status_samples *s = ss_status_samples_new(NULL);
    feed(s, mysqladmin_tables);
    assert_int_equal(s->tables, 3);
    assert_int_equal(s->bad_lines, 1);
    assert_int_equal(s->samples, 3);
    const struct ss_sv_series *st = &s->series[SS_SV_STATUS];
    assert_int_equal(st->n_points, 2);
    assert_int_equal(st->points[0].ts_ns, S(1700000100) + 250000000);
    assert_int_equal(st->points[1].ts_ns, S(1700000104) + 250000000); /* table 3: +2·2 s */
    assert_int_equal(st->points[1].prev_ts_ns, S(1700000102) + 250000000);
    assert_int_equal(s->series[SS_SV_CLIENTS].n_points, 3);
    ss_status_samples_free(s);
}

/* No anchor at all: the table cannot be placed in time, every row is bad. An anchor given as an
 * option (--status-anchor) places it. `# ts` fixes the next table exactly. */
static void test_table_anchors(void **state)
{
    (void)state;
    static const char table[] = "+---+---+\n"
                                "| Variable_name | Value |\n"
                                "+---+---+\n"
                                "| Rpl_semi_sync_master_clients | 3 |\n"
                                "+---+---+\n";
    struct ss_status_samples *s = ss_status_samples_new(NULL);
    feed(s, table);
    assert_int_equal(s->bad_lines, 1);
    assert_false(ss_status_samples_has(s, SS_SV_CLIENTS));
    ss_status_samples_free(s);

    struct ss_status_samples_cfg cfg;
    ss_status_samples_cfg_defaults(&cfg);
    cfg.anchor_ns = S(1700000200);
    s = ss_status_samples_new(&cfg);
    feed(s, table);
    feed(s, table);
    assert_int_equal(s->bad_lines, 0);
    assert_int_equal(s->series[SS_SV_CLIENTS].last.ts_ns, S(1700000201)); /* default 1 s */
    ss_status_samples_free(s);

    s = ss_status_samples_new(NULL);
    feed(s, "# ts 1700000300.5\n");
    feed(s, table);
    /* `# ts` also times two-column `mysql -B` output (with its header line) */
    feed(s, "# ts 1700000301\nVariable_name\tValue\nRpl_semi_sync_master_clients\t4\n");
    assert_int_equal(s->bad_lines, 0);
    assert_int_equal(s->series[SS_SV_CLIENTS].first.ts_ns, S(1700000300) + 500000000);
    assert_int_equal(s->series[SS_SV_CLIENTS].last.ts_ns, S(1700000301));
    assert_int_equal(s->series[SS_SV_CLIENTS].last.value, 4);
    ss_status_samples_free(s);
}

static void test_bad_lines(void **state)
{
    (void)state;
    struct ss_status_samples *s = ss_status_samples_new(NULL);
    feed(s, "garbage\n"                                         /* one word: bad */
            "1700000000\tRpl_semi_sync_master_clients\tmany\n" /* value not a number: bad */
            "17\tRpl_semi_sync_master_clients\t1\n"            /* not a unix time: bad */
            "# a comment\n"                                    /* ignored */
            "\n"                                               /* blank: ignored */
            "1700000000\tRpl_semi_sync_master_frobs\t1\n"      /* unknown semisync name */
            "1700000000\tRpl_semi_sync_master_clients\t1\n");  /* good */
    assert_int_equal(s->bad_lines, 3);
    assert_int_equal(s->unknown_names, 1);
    assert_int_equal(s->ignored_lines, 1);
    assert_int_equal(s->series[SS_SV_CLIENTS].samples, 1);
    /* an out-of-order sample is counted and ignored */
    feed(s, "1699999999\tRpl_semi_sync_master_clients\t5\n");
    assert_int_equal(s->series[SS_SV_CLIENTS].out_of_order, 1);
    assert_int_equal(s->series[SS_SV_CLIENTS].last.value, 1);

    /* an overlong line from a stream is one bad line, and the line after it still parses */
    char *big = malloc(10000);
    memset(big, 'x', 9000);
    strcpy(big + 9000, "\n1700000005\tRpl_semi_sync_master_clients\t7\n");
    FILE *f = fmemopen(big, strlen(big), "r");
    assert_int_equal(ss_status_samples_load_stream(s, f), SS_OK);
    fclose(f);
    free(big);
    assert_int_equal(s->bad_lines, 4);
    assert_int_equal(s->series[SS_SV_CLIENTS].last.value, 7);

    /* A run of NUL bytes (a crash) does not hide the line after it; the line it cuts short is one
     * bad line, never parsed (its value would read 1 instead of 12). */
    static const char nul[] = "1700000006\tRpl_semi_sync_master_clients\t8\n"
                              "\0\0\0\0\0\0\0\0"
                              "1700000007\tRpl_semi_sync_master_clients\t9\n"
                              "1700000008\tRpl_semi_sync_master_clients\t1"
                              "\0\0"
                              "1700000009\tRpl_semi_sync_master_status\tOFF\n";
    uint64_t values = s->values;
    f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(nul, 1, sizeof(nul) - 1, f), sizeof(nul) - 1);
    rewind(f);
    assert_int_equal(ss_status_samples_load_stream(s, f), SS_OK);
    fclose(f);
    assert_int_equal(s->damaged_lines, 2);
    assert_int_equal(s->bad_lines, 6);
    assert_int_equal(s->values, values + 3);
    assert_int_equal(s->series[SS_SV_CLIENTS].last.value, 9);
    assert_int_equal(s->series[SS_SV_STATUS].last.value, 0);
    assert_int_equal(s->series[SS_SV_STATUS].last.ts_ns, 1700000009 * (int64_t)SS_NS_PER_SEC);
    /* rows of other variables are counted apart */
    feed(s, "1700000010\tUptime_since_flush_status\t5\n");
    assert_int_equal(s->other_vars, 1);
    assert_int_equal(s->values, values + 3);
    char errbuf[SS_ERRBUF_SIZE];
    assert_int_equal(ss_status_samples_load_file(s, "/nonexistent/status.tsv", errbuf),
                     SS_ERR_IO);
    assert_non_null(strstr(errbuf, "/nonexistent/status.tsv"));
    ss_status_samples_free(s);
}

/* A decrease is a restart of the counter (server restart or RESET MASTER): the delta adds the
 * growth before it and the value after it. Gaps recorded by the poller are kept. */
static void test_reset_and_gaps(void **state)
{
    (void)state;
    struct ss_status_samples *s = ss_status_samples_new(NULL);
    feed(s, "1700000000\tRpl_semi_sync_master_get_ack\t100\n"
            "1700000001\tRpl_semi_sync_master_get_ack\t130\n"  /* +30 */
            "# disconnected 1700000001.5 Lost connection to server\n"
            "# connected 1700000003.0 10.11.19-MariaDB\n"
            "1700000003\tRpl_semi_sync_master_get_ack\t4\n"    /* restarted: +4 */
            "1700000004\tRpl_semi_sync_master_get_ack\t10\n"); /* +6 */
    int64_t d;
    uint32_t resets;
    assert_true(ss_status_samples_delta(s, SS_SV_GET_ACK, S(1700000000), S(1700000004), &d,
                                        &resets));
    assert_int_equal(d, 40);
    assert_int_equal(resets, 1);
    assert_int_equal(s->n_gaps, 1);
    assert_int_equal(s->gaps[0].start_ns, S(1700000001) + 500000000);
    assert_int_equal(s->gaps[0].end_ns, S(1700000003));
    assert_string_equal(s->gaps[0].reason, "Lost connection to server");
    ss_status_samples_free(s);
}

/* The change-point cap: changes over it are counted, first and last stay exact. */
static void test_cap(void **state)
{
    (void)state;
    struct ss_status_samples_cfg cfg;
    ss_status_samples_cfg_defaults(&cfg);
    cfg.max_points = 4;
    struct ss_status_samples *s = ss_status_samples_new(&cfg);
    char line[96];
    for (int i = 0; i < 10; i++) {
        snprintf(line, sizeof(line), "%d\tRpl_semi_sync_master_yes_tx\t%d", 1700000000 + i, i);
        ss_status_samples_line(s, line, strlen(line));
    }
    const struct ss_sv_series *se = &s->series[SS_SV_YES_TX];
    assert_int_equal(se->n_points, 4);
    assert_int_equal(se->dropped_points, 6);
    assert_int_equal(se->last.value, 9);
    int64_t v, ts, d;
    assert_true(ss_status_samples_value_at(s, SS_SV_YES_TX, S(1700000100), &v, &ts));
    assert_int_equal(v, 9);
    assert_true(ss_status_samples_delta(s, SS_SV_YES_TX, 0, S(1700000100), &d, NULL));
    assert_int_equal(d, 9);
    ss_status_samples_free(s);
}

/* The lab's real files: the status transitions and counter deltas equal what the lab recorded
 * independently in expected.json. */
static void lab_case(const char *scenario)
{
    const char *src = getenv("SEMISCOPE_SRC");
    char path[512], errbuf[SS_ERRBUF_SIZE];
    snprintf(path, sizeof(path), "%s/tests/pcaps/lab/%s/expected.json", src ? src : ".", scenario);
    json_error_t jerr;
    json_t *exp = json_load_file(path, 0, &jerr);
    if (!exp) {
        print_message("lab scenario %s not available (%s): skipped\n", scenario, path);
        return;
    }
    struct ss_status_samples *s = ss_status_samples_new(NULL);
    snprintf(path, sizeof(path), "%s/tests/pcaps/lab/%s/status.tsv", src ? src : ".", scenario);
    assert_int_equal(ss_status_samples_load_file(s, path, errbuf), SS_OK);
    snprintf(path, sizeof(path), "%s/tests/pcaps/lab/%s/variables.tsv", src ? src : ".",
             scenario);
    assert_int_equal(ss_status_samples_load_file(s, path, errbuf), SS_OK);
    assert_int_equal(s->bad_lines, 0);
    assert_int_equal(s->series[SS_SV_STATUS].samples,
                     json_integer_value(json_object_get(exp, "status_samples")));

    /* transitions: same count, same sample times (to the µs the file has) */
    json_t *trs = json_object_get(exp, "status_transitions");
    const struct ss_sv_series *st = &s->series[SS_SV_STATUS];
    assert_int_equal(st->n_points - 1, json_array_size(trs));
    for (size_t i = 0; i < json_array_size(trs); i++) {
        json_t *t = json_array_get(trs, i);
        double ts = json_real_value(json_object_get(t, "ts"));
        double prev = json_real_value(json_object_get(t, "prev_sample_ts"));
        assert_true(llabs(st->points[i + 1].ts_ns - (int64_t)(ts * 1e9)) < 2000);
        assert_true(llabs(st->points[i + 1].prev_ts_ns - (int64_t)(prev * 1e9)) < 2000);
        int64_t to_on = strcmp(json_string_value(json_object_get(t, "to")), "ON") == 0;
        assert_int_equal(st->points[i + 1].value, to_on);
    }
    /* counters: the delta over the whole file equals the lab's end − start */
    static const struct {
        const char *key;
        enum ss_sv_id id;
    } ctr[] = {{"yes_tx", SS_SV_YES_TX},     {"no_tx", SS_SV_NO_TX},
               {"no_times", SS_SV_NO_TIMES}, {"get_ack", SS_SV_GET_ACK},
               {"request_ack", SS_SV_REQUEST_ACK}, {"tx_waits", SS_SV_TX_WAITS},
               {"tx_wait_time", SS_SV_TX_WAIT_TIME}, {"net_waits", SS_SV_NET_WAITS}};
    json_t *counters = json_object_get(exp, "counters");
    for (size_t i = 0; i < sizeof(ctr) / sizeof(ctr[0]); i++) {
        int64_t d;
        assert_true(ss_status_samples_delta(s, ctr[i].id, 0, INT64_MAX / 2, &d, NULL));
        assert_int_equal(d, json_integer_value(json_object_get(counters, ctr[i].key)));
    }
    int64_t v;
    assert_int_equal(s->series[SS_SV_CLIENTS].first.value,
                     json_integer_value(json_object_get(exp, "clients_start")));
    assert_true(ss_status_samples_value_at(s, SS_SV_CLIENTS, INT64_MAX / 2, &v, NULL));
    assert_int_equal(v, json_integer_value(json_object_get(exp, "clients_end")));

    /* the variables file gives the state machine's parameters */
    struct ss_semi_params p;
    memset(&p, 0, sizeof(p));
    ss_status_samples_params(s, &p);
    json_t *mk = json_object_get(json_object_get(exp, "knobs"), "master");
    assert_int_equal(p.timeout_ms, json_integer_value(json_object_get(mk, "timeout_ms")));
    assert_int_equal(p.wait_point_after_sync,
                     strcmp(json_string_value(json_object_get(mk, "wait_point")), "AFTER_SYNC") == 0);
    assert_int_equal(p.enabled, json_is_true(json_object_get(mk, "semisync")));
    assert_int_equal(p.src_enabled, SS_PARAM_FILE);
    ss_status_samples_free(s);
    json_decref(exp);
}

static void test_lab_files(void **state)
{
    (void)state;
    lab_case("timeout_recovery");
    lab_case("steady");
    lab_case("replica_semisync_off");
    lab_case("master_semisync_off");
    lab_case("one_replica_stopped");
}

/* ss_status_samples_span: the baseline is the last sample at or before t0 (else the first
 * after), the end the first at or after t1 (else the last before), and the result says how far
 * either side reaches past the window when that can change the delta. */
#define MS(x) ((int64_t)(x) * 1000000LL)
static void test_span(void **state)
{
    (void)state;
    struct ss_status_samples *s = ss_status_samples_new(NULL);
    feed(s, "1700000000\tRpl_semi_sync_master_yes_tx\t0\n"   /* t=0 */
            "1700000001\tRpl_semi_sync_master_yes_tx\t10\n"  /* t=1 */
            "1700000002\tRpl_semi_sync_master_yes_tx\t20\n"  /* t=2 */
            "1700000003\tRpl_semi_sync_master_yes_tx\t30\n"  /* t=3 */
            "1700000000\tRpl_semi_sync_master_clients\t5\n"  /* clients: 5, 5, 5, 8 */
            "1700000001\tRpl_semi_sync_master_clients\t5\n"
            "1700000002\tRpl_semi_sync_master_clients\t5\n"
            "1700000003\tRpl_semi_sync_master_clients\t8\n");
    struct ss_sv_span sp;
    /* window [0.5, 2.5]: the samples at 0 and 3 bracket it; a change lies across each edge */
    assert_true(ss_status_samples_span(s, SS_SV_YES_TX, S(1700000000) + MS(500),
                                       S(1700000002) + MS(500), &sp));
    assert_int_equal(sp.delta, 30);
    assert_int_equal(sp.from_value, 0);
    assert_int_equal(sp.to_value, 30);
    assert_int_equal(sp.from_ts, S(1700000000));
    assert_int_equal(sp.to_ts, S(1700000003));
    assert_int_equal(sp.lead_ns, MS(500));
    assert_int_equal(sp.trail_ns, MS(500));
    assert_int_equal(sp.late_start_ns, 0);
    assert_int_equal(sp.early_end_ns, 0);
    /* the old rule (first sample after t0, last before t1) would have said 10 */
    int64_t d;
    assert_true(ss_status_samples_delta(s, SS_SV_YES_TX, S(1700000000) + MS(500),
                                        S(1700000002) + MS(500), &d, NULL));
    assert_int_equal(d, 10);
    /* a window wider than the samples: both edges fall short and say by how much */
    assert_true(ss_status_samples_span(s, SS_SV_YES_TX, S(1699999999), S(1700000005), &sp));
    assert_int_equal(sp.delta, 30);
    assert_int_equal(sp.late_start_ns, S(1));
    assert_int_equal(sp.early_end_ns, S(2));
    assert_int_equal(sp.lead_ns + sp.trail_ns, 0);
    /* a value constant across t0: no lead (nothing before t0 can be in the delta); the change
     * to 8 happened in (2, 3], partly after t1 = 2.5 */
    assert_true(ss_status_samples_span(s, SS_SV_CLIENTS, S(1700000001) + MS(500),
                                       S(1700000002) + MS(500), &sp));
    assert_int_equal(sp.from_value, 5);
    assert_int_equal(sp.to_value, 8);
    assert_int_equal(sp.lead_ns, 0);
    assert_int_equal(sp.trail_ns, MS(500));
    /* exactly on samples: no margins at all */
    assert_true(ss_status_samples_span(s, SS_SV_YES_TX, S(1700000001), S(1700000002), &sp));
    assert_int_equal(sp.delta, 10);
    assert_int_equal(sp.lead_ns + sp.trail_ns + sp.late_start_ns + sp.early_end_ns, 0);
    /* windows the samples do not cover */
    assert_false(ss_status_samples_span(s, SS_SV_YES_TX, S(1700000004), S(1700000005), &sp));
    assert_false(ss_status_samples_span(s, SS_SV_YES_TX, S(1699999990), S(1699999995), &sp));
    assert_false(ss_status_samples_span(s, SS_SV_NO_TX, S(1699999990), S(1700000005), &sp));
    /* a restart inside the bracket is counted as in the delta */
    feed(s, "1700000004\tRpl_semi_sync_master_get_ack\t100\n"
            "1700000005\tRpl_semi_sync_master_get_ack\t130\n"
            "1700000006\tRpl_semi_sync_master_get_ack\t4\n"
            "1700000007\tRpl_semi_sync_master_get_ack\t10\n");
    assert_true(ss_status_samples_span(s, SS_SV_GET_ACK, S(1700000004) + MS(100),
                                       S(1700000006) + MS(900), &sp));
    assert_int_equal(sp.delta, 40);
    assert_int_equal(sp.resets, 1);
    ss_status_samples_free(s);
}

/* The live_poll lab's reproducer (down_s=9, 20 transactions before the restart, 80 after, the
 * poller back only after the second half): yes_tx goes 20 -> 80 across the outage, a growth of 60
 * for a counter that only compares values, while the server committed 20 + 80. Uptime going down
 * says the server restarted, so every counter restarted at 0 there. */
static const char restart_uptime[] =
    /* old lifetime, started at 1700000050 - 50 = 1700000000 */
    "1700000099.000000\tRpl_semi_sync_master_yes_tx\t0\n"
    "1700000099.000000\tRpl_semi_sync_master_get_ack\t0\n"
    "1700000099.000000\tUptime\t49\n"
    "1700000100.000000\tRpl_semi_sync_master_yes_tx\t20\n"
    "1700000100.000000\tRpl_semi_sync_master_get_ack\t40\n"
    "1700000100.000000\tUptime\t50\n"
    /* the master goes away; the poller finds it back 9.3 s later */
    "# disconnected 1700000100.200000 Server has gone away\n"
    "# connected 1700000109.500000 10.11.19-MariaDB-log\n"
    /* new lifetime: the counters come before Uptime in SHOW STATUS (alphabetical), so they are
     * stored before the restart is known; get_ack came back to its old value 40 exactly */
    "1700000110.200000\tRpl_semi_sync_master_yes_tx\t80\n"
    "1700000110.200000\tRpl_semi_sync_master_get_ack\t40\n"
    "1700000110.200000\tUptime\t1\n" /* started at 1700000110 - 1 = 1700000109 */
    "1700000111.200000\tRpl_semi_sync_master_yes_tx\t80\n"
    "1700000111.200000\tRpl_semi_sync_master_get_ack\t160\n"
    "1700000111.200000\tUptime\t2\n";

static void test_restart_uptime(void **state)
{
    (void)state;
    struct ss_status_samples *s = ss_status_samples_new(NULL);
    feed(s, restart_uptime);
    assert_int_equal(s->bad_lines, 0);
    assert_int_equal(s->n_restarts, 1);
    const struct ss_sv_restart *r = &s->restarts[0];
    assert_int_equal(r->source, SS_RESTART_UPTIME);
    assert_int_equal(r->start_ns, S(1700000109));
    assert_int_equal(r->uptime_s, 1);
    assert_int_equal(r->prev_uptime_s, 50);
    assert_int_equal(r->prev_seen_ns, S(1700000100));
    assert_int_equal(r->seen_ns, S(1700000110) + MS(200));
    assert_true(r->after_ns >= S(1700000100) && r->after_ns < S(1700000110));
    assert_string_equal(r->version, "10.11.19-MariaDB-log");
    assert_string_equal(s->gaps[0].version, "10.11.19-MariaDB-log");
    struct ss_sv_span sp;
    /* the window from before the first transaction to after the last */
    assert_true(ss_status_samples_span(s, SS_SV_YES_TX, S(1700000099) + MS(500),
                                       S(1700000110) + MS(500), &sp));
    assert_int_equal(sp.delta, 100); /* 20 + 80, not 80 - 20 */
    assert_int_equal(sp.resets, 1);
    assert_int_equal(sp.server_restarts, 1);
    /* get_ack: 40 before, 40 again after (no change point of its own), then 160 */
    assert_true(ss_status_samples_span(s, SS_SV_GET_ACK, S(1700000099) + MS(500),
                                       S(1700000110) + MS(200), &sp));
    assert_int_equal(sp.delta, 80); /* 40 + 40 */
    assert_true(ss_status_samples_span(s, SS_SV_GET_ACK, S(1700000099) + MS(500),
                                       S(1700000111) + MS(500), &sp));
    assert_int_equal(sp.delta, 200); /* 40 + 160 */
    int64_t d;
    uint32_t resets;
    assert_true(ss_status_samples_delta(s, SS_SV_YES_TX, S(1700000099), S(1700000112), &d,
                                        &resets));
    assert_int_equal(d, 100);
    assert_int_equal(resets, 1);
    /* a window after the restart only: nothing crosses it */
    assert_true(ss_status_samples_span(s, SS_SV_GET_ACK, S(1700000110) + MS(500),
                                       S(1700000111) + MS(500), &sp));
    assert_int_equal(sp.delta, 120);
    assert_int_equal(sp.server_restarts, 0);
    const struct ss_sv_restart *first;
    assert_int_equal(ss_status_samples_restarts_in(s, S(1700000099), S(1700000112), &first), 1);
    assert_ptr_equal(first, r);
    assert_int_equal(ss_status_samples_restarts_in(s, S(1700000110), S(1700000112), &first), 0);
    assert_null(first);
    ss_status_samples_free(s);

    /* Uptime first (another tool's order): the restart is known before the counters arrive */
    s = ss_status_samples_new(NULL);
    feed(s, "1700000100\tUptime\t50\n"
            "1700000100\tRpl_semi_sync_master_yes_tx\t20\n"
            "1700000103\tUptime\t2\n" /* no gap recorded: a decrease is enough */
            "1700000103\tRpl_semi_sync_master_yes_tx\t20\n"
            "1700000104\tUptime\t3\n"
            "1700000104\tRpl_semi_sync_master_yes_tx\t25\n");
    assert_int_equal(s->n_restarts, 1);
    assert_int_equal(s->restarts[0].start_ns, S(1700000101));
    /* from the sample at 1700000100 (yes_tx already 20): 20 in the new lifetime at 103, although
     * the value did not change, then 25 */
    assert_true(ss_status_samples_span(s, SS_SV_YES_TX, S(1700000100), S(1700000103), &sp));
    assert_int_equal(sp.delta, 20);
    assert_true(ss_status_samples_span(s, SS_SV_YES_TX, S(1700000100), S(1700000104), &sp));
    assert_int_equal(sp.delta, 25);
    ss_status_samples_free(s);

    /* the same Uptime growing normally is no restart, with or without a gap; across a gap, a
     * start that moved by 2 s or more is one even though Uptime grew */
    s = ss_status_samples_new(NULL);
    feed(s, "1700000100.900\tUptime\t3\n"     /* started at 1700000097 */
            "1700000101.100\tUptime\t4\n"     /* the second ticked between the two: same */
            "# disconnected 1700000101.5 Lost connection\n"
            "# connected 1700000109.0 8.0.36\n"
            "1700000109.100\tUptime\t12\n"    /* started at 1700000097: the same server */
            "# disconnected 1700000110.0 Lost connection\n"
            "# connected 1700000130.0 8.0.36\n"
            "1700000130.100\tUptime\t15\n");  /* started at 1700000115: a restart */
    assert_int_equal(s->n_restarts, 1);
    assert_int_equal(s->restarts[0].start_ns, S(1700000115));
    assert_string_equal(s->restarts[0].version, "8.0.36");
    ss_status_samples_free(s);
}

/* Without Uptime: a counter that went down across a poller gap ended by a `# connected` line with
 * a version is a restart hint, and then every counter restarted there — also those that grew
 * past their old value. Without the version, only the counter that decreased is reset. */
static void test_restart_hint(void **state)
{
    (void)state;
    static const char *const orders[] = {
        /* get_ack (which decreased) before yes_tx, as SHOW STATUS sorts them */
        "1700000100\tRpl_semi_sync_master_get_ack\t60\n"
        "1700000100\tRpl_semi_sync_master_yes_tx\t30\n"
        "# disconnected 1700000100.5 Server has gone away\n"
        "# connected 1700000109.5 10.11.19-MariaDB-log\n"
        "1700000110\tRpl_semi_sync_master_get_ack\t10\n"
        "1700000110\tRpl_semi_sync_master_yes_tx\t40\n",
        /* yes_tx first: it is already stored when get_ack reveals the restart */
        "1700000100\tRpl_semi_sync_master_yes_tx\t30\n"
        "1700000100\tRpl_semi_sync_master_get_ack\t60\n"
        "# disconnected 1700000100.5 Server has gone away\n"
        "# connected 1700000109.5 10.11.19-MariaDB-log\n"
        "1700000110\tRpl_semi_sync_master_yes_tx\t40\n"
        "1700000110\tRpl_semi_sync_master_get_ack\t10\n",
    };
    for (size_t i = 0; i < 2; i++) {
        struct ss_status_samples *s = ss_status_samples_new(NULL);
        feed(s, orders[i]);
        assert_int_equal(s->n_restarts, 1);
        const struct ss_sv_restart *r = &s->restarts[0];
        assert_int_equal(r->source, SS_RESTART_RECONNECT);
        assert_int_equal(r->hint_id, SS_SV_GET_ACK);
        assert_int_equal(r->hint_from, 60);
        assert_int_equal(r->hint_to, 10);
        assert_int_equal(r->lo_ns, S(1700000100) + MS(500));
        assert_int_equal(r->hi_ns, S(1700000109) + MS(500));
        assert_int_equal(r->uptime_s, -1);
        assert_int_equal(r->prev_seen_ns, S(1700000100));
        struct ss_sv_span sp;
        /* from the sample at 1700000100 (yes_tx already 30): the new lifetime's 40 */
        assert_true(ss_status_samples_span(s, SS_SV_YES_TX, S(1700000100), S(1700000110), &sp));
        assert_int_equal(sp.delta, 40); /* not 40 - 30 */
        assert_int_equal(sp.server_restarts, 1);
        assert_true(ss_status_samples_span(s, SS_SV_GET_ACK, S(1700000100), S(1700000110), &sp));
        assert_int_equal(sp.delta, 10);
        ss_status_samples_free(s);
    }
    /* no version on the `# connected` line: not a hint; only get_ack is reset */
    struct ss_status_samples *s = ss_status_samples_new(NULL);
    feed(s, "1700000100\tRpl_semi_sync_master_get_ack\t60\n"
            "1700000100\tRpl_semi_sync_master_yes_tx\t30\n"
            "# disconnected 1700000100.5 Lost connection\n"
            "# connected 1700000109.5\n"
            "1700000110\tRpl_semi_sync_master_get_ack\t10\n"
            "1700000110\tRpl_semi_sync_master_yes_tx\t40\n");
    assert_int_equal(s->n_restarts, 0);
    struct ss_sv_span sp;
    assert_true(ss_status_samples_span(s, SS_SV_YES_TX, S(1700000100), S(1700000110), &sp));
    assert_int_equal(sp.delta, 10);
    assert_true(ss_status_samples_span(s, SS_SV_GET_ACK, S(1700000100), S(1700000110), &sp));
    assert_int_equal(sp.delta, 10);
    assert_int_equal(sp.resets, 1);
    assert_int_equal(sp.server_restarts, 0);
    ss_status_samples_free(s);
}

/* The parameters in packet time (issue 10): the sample nearest the capture start, then every
 * change with its own time; a change due after the end is not handed over. */
struct handed {
    int64_t ts[16], timeout[16];
    int n;
};

static void hand_cb(void *ctx, const struct ss_semi_params *p, int64_t ts)
{
    struct handed *h = ctx;
    assert_true(h->n < 16);
    /* one value per call: the timeout, or (-1 here) the enabled variable */
    assert_true((p->src_timeout == SS_PARAM_FILE) != (p->src_enabled == SS_PARAM_FILE));
    assert_int_equal(p->src_wait_count, SS_PARAM_DEFAULT);
    h->ts[h->n] = ts;
    h->timeout[h->n++] = p->src_timeout == SS_PARAM_FILE ? p->timeout_ms : -1;
}

static const char tsv_timeouts[] = "1700000100\trpl_semi_sync_master_timeout\t3000\n"
                                   "1700000150\trpl_semi_sync_master_timeout\t3000\n"
                                   "1700000200\trpl_semi_sync_master_timeout\t2000\n"
                                   "1700000300\trpl_semi_sync_master_timeout\t1000\n";

static void test_params_due(void **state)
{
    (void)state;
    struct ss_status_samples *s = ss_status_samples_new(NULL);
    feed(s, tsv_timeouts);
    struct ss_semi_params p;
    ss_semi_params_defaults(&p);
    ss_status_samples_params_at(s, S(1700000250), &p);
    assert_int_equal(p.timeout_ms, 2000);
    assert_int_equal(p.src_timeout, SS_PARAM_FILE);
    ss_status_samples_params_at(s, S(1700000050), &p); /* all after: the first */
    assert_int_equal(p.timeout_ms, 3000);
    ss_status_samples_params(s, &p);
    assert_int_equal(p.timeout_ms, 3000);

    /* capture from 250: 2000 from the start, 1000 at 300 */
    struct ss_sv_param_cursor cur;
    memset(&cur, 0, sizeof(cur));
    struct handed h = {0};
    assert_int_equal(ss_status_samples_params_due(s, &cur, S(1700000250), hand_cb, &h), 1);
    assert_int_equal(h.ts[0], 0);
    assert_int_equal(h.timeout[0], 2000);
    assert_int_equal(ss_status_samples_params_due(s, &cur, S(1700000299), hand_cb, &h), 0);
    assert_int_equal(ss_status_samples_params_due(s, &cur, S(1700000300), hand_cb, &h), 1);
    assert_int_equal(h.ts[1], S(1700000300));
    assert_int_equal(h.timeout[1], 1000);
    assert_int_equal(ss_status_samples_params_due(s, &cur, S(1700000900), hand_cb, &h), 0);

    /* capture from 50 to 250: the first sample from the start, then 2000 at 200 (150 repeats
     * 3000: not a change); 1000 at 300 is after the end and never handed over */
    memset(&cur, 0, sizeof(cur));
    h.n = 0;
    ss_status_samples_params_due(s, &cur, S(1700000050), hand_cb, &h);
    ss_status_samples_params_due(s, &cur, S(1700000250), hand_cb, &h);
    assert_int_equal(h.n, 2);
    assert_int_equal(h.ts[0], 0);
    assert_int_equal(h.timeout[0], 3000);
    assert_int_equal(h.ts[1], S(1700000200));
    assert_int_equal(h.timeout[1], 2000);

    /* samples added later (the live poller) are picked up by the same cursor: the timeout's
     * change with its time, a variable first seen now at once (ts 0) */
    memset(&cur, 0, sizeof(cur));
    h.n = 0;
    ss_status_samples_params_due(s, &cur, S(1700000320), hand_cb, &h); /* 1000 */
    const char *more = "1700000330\trpl_semi_sync_master_timeout\t1500\n"
                       "1700000330\trpl_semi_sync_master_enabled\tOFF\n";
    feed(s, more);
    ss_status_samples_params_due(s, &cur, S(1700000340), hand_cb, &h);
    assert_int_equal(h.n, 3);
    assert_int_equal(h.ts[1], S(1700000330));
    assert_int_equal(h.timeout[1], 1500);
    assert_int_equal(h.ts[2], 0);
    assert_int_equal(h.timeout[2], -1);
    ss_status_samples_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),       cmocka_unit_test(test_tsv_mariadb),
        cmocka_unit_test(test_tsv_mysql),   cmocka_unit_test(test_mysqladmin),
        cmocka_unit_test(test_table_anchors), cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_reset_and_gaps), cmocka_unit_test(test_cap),
        cmocka_unit_test(test_lab_files),   cmocka_unit_test(test_span),
        cmocka_unit_test(test_restart_uptime), cmocka_unit_test(test_restart_hint),
        cmocka_unit_test(test_params_due),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
