/* SPDX-License-Identifier: MIT */
/* test_diagnosis.c: correlation, clock offset and the diagnosis rules on synthetic master report
 * objects (one per cause, and a healthy one). The lab's real inputs are in test_pm_lab.c. */
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

static struct ss_status_samples *status_from(const char *text)
{
    struct ss_status_samples *s = ss_status_samples_new(NULL);
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        ss_status_samples_line(s, p, len);
        p += len + (nl ? 1 : 0);
    }
    assert_int_equal(s->bad_lines, 0);
    return s;
}

static struct ss_errlog *log_from(const char *text)
{
    struct ss_errlog *el = ss_errlog_new(NULL);
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        ss_errlog_line(el, p, len);
        p += len + (nl ? 1 : 0);
    }
    ss_errlog_sort(el);
    return el;
}

static json_t *build(const json_t *m, const struct ss_status_samples *st,
                     const struct ss_errlog *el)
{
    return pm_build_window(m, st, el, T0 * NS, (T0 + 10) * NS);
}

/* ---- healthy --------------------------------------------------------------------------------- */

/* Two semisync replicas acking everything, state ON throughout, counters as the server says. */
static const char healthy_master[] =
    "{\"endpoint\": \"10.0.0.1:3306\", \"flavor\": \"mariadb\","
    " \"replicas\": ["
    "  {\"address\": \"10.0.0.2\", \"server_id\": 2, \"semisync\": true, \"events\": 500,"
    "   \"ack_requests\": 100, \"acks\": 100, \"requests_unanswered\": 0,"
    "   \"ack_latency_us\": {\"p50\": 300, \"p99\": 900, \"max\": 1200},"
    "   \"connections\": [{\"first_ts\": 1699999990.0, \"last_ts\": 1700000010.0, \"end\": \"open\"}]},"
    "  {\"address\": \"10.0.0.3\", \"server_id\": 3, \"semisync\": true, \"events\": 500,"
    "   \"ack_requests\": 100, \"acks\": 100, \"requests_unanswered\": 0,"
    "   \"ack_latency_us\": {\"p50\": 350, \"p99\": 950, \"max\": 1300}}],"
    " \"semisync\": {\"state_start\": \"on\", \"state_end\": \"on\", \"transitions\": []},"
    " \"counters\": {\"yes_tx\": 100, \"no_tx\": 0, \"no_times\": 0, \"get_ack\": 200,"
    "   \"request_ack\": 100, \"clients_start\": 2, \"clients_end\": 2, \"tx_waits\": 90,"
    "   \"tx_wait_time_us\": 31000, \"net_waits\": 200}}";

/* The server's samples: one before the workload (T0+0.5), one after (T0+9.5). */
static const char healthy_status[] =
    "1700000000.5\tRpl_semi_sync_master_status\tON\n"
    "1700000000.5\tRpl_semi_sync_master_clients\t2\n"
    "1700000000.5\tRpl_semi_sync_master_yes_tx\t1000\n"
    "1700000000.5\tRpl_semi_sync_master_no_tx\t5\n"
    "1700000000.5\tRpl_semi_sync_master_no_times\t1\n"
    "1700000000.5\tRpl_semi_sync_master_get_ack\t2000\n"
    "1700000000.5\tRpl_semi_sync_master_request_ack\t1000\n"
    "1700000000.5\tRpl_semi_sync_master_net_waits\t2000\n"
    "1700000000.5\tRpl_semi_sync_master_tx_waits\t900\n"
    "1700000000.5\tRpl_semi_sync_master_tx_wait_time\t300000\n"
    "1700000009.5\tRpl_semi_sync_master_status\tON\n"
    "1700000009.5\tRpl_semi_sync_master_clients\t2\n"
    "1700000009.5\tRpl_semi_sync_master_yes_tx\t1100\n"   /* +100 */
    "1700000009.5\tRpl_semi_sync_master_no_tx\t5\n"       /* +0 */
    "1700000009.5\tRpl_semi_sync_master_no_times\t1\n"
    "1700000009.5\tRpl_semi_sync_master_get_ack\t2200\n"  /* +200 */
    "1700000009.5\tRpl_semi_sync_master_request_ack\t1100\n"
    "1700000009.5\tRpl_semi_sync_master_net_waits\t2200\n"
    "1700000009.5\tRpl_semi_sync_master_tx_waits\t990\n"  /* +90 */
    "1700000009.5\tRpl_semi_sync_master_tx_wait_time\t330000\n"; /* +30000 */

static void test_healthy(void **state)
{
    (void)state;
    json_t *m = jparse(healthy_master);
    struct ss_status_samples *st = status_from(healthy_status);
    json_t *pm = build(m, st, NULL);
    json_t *diag = json_object_get(pm, "diagnosis");
    if (json_array_size(diag) != 1)
        dump_on_failure(pm);
    assert_int_equal(json_array_size(diag), 1);
    const json_t *d = json_array_get(diag, 0);
    assert_string_equal(field(d, "severity"), "info");
    assert_non_null(strstr(field(d, "cause"), "nothing wrong"));
    /* every counter row matches; tx_wait_time within its tolerance */
    static const char *const vars[] = {"status", "off_transitions", "clients_start",
                                       "clients_end", "yes_tx", "no_tx", "no_times",
                                       "request_ack", "get_ack", "net_waits", "tx_waits"};
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        const char *v = field(corr_row(pm, vars[i]), "verdict");
        if (strncmp(v, "matches", 7) != 0)
            fail_msg("%s: %s", vars[i], v);
    }
    assert_non_null(strstr(field(corr_row(pm, "tx_wait_time"), "verdict"), "matches within 3%"));
    /* the samples begin 0.5 s after the capture and end 0.5 s before it: the verdicts say that
     * commits outside them are not in the server's delta */
    const char *yv = field(corr_row(pm, "yes_tx"), "verdict");
    assert_non_null(strstr(yv, "the first server sample is 0.500 s after the capture start: "
                               "commits before it are not in the server's delta"));
    assert_non_null(strstr(yv, "the last server sample is 0.500 s before the capture end"));
    assert_int_equal(json_integer_value(json_object_get(corr_row(pm, "get_ack"), "server")), 200);
    json_decref(pm);

    /* the same with the server one yes_tx short: the row says by how much, nothing else moves */
    ss_status_samples_free(st);
    char *alt = strdup(healthy_status);
    char *p = strstr(alt, "\t1100\n");
    memcpy(p, "\t1098\n", 6);
    st = status_from(alt);
    free(alt);
    pm = build(m, st, NULL);
    assert_int_equal(strncmp(field(corr_row(pm, "yes_tx"), "verdict"), "differs by +2;", 14), 0);
    json_decref(pm);
    ss_status_samples_free(st);
    json_decref(m);
}

/* ---- master disabled ------------------------------------------------------------------------- */

static const char disabled_master[] =
    "{\"endpoint\": \"10.0.0.1:3306\", \"flavor\": \"%s\", \"server_version\": %s,"
    " \"replicas\": [{\"address\": \"10.0.0.2\", \"server_id\": 2, \"semisync\": true,"
    "   \"events\": 300, \"ack_requests\": 0, \"acks\": 0}],"
    " \"semisync\": {\"state_start\": \"disabled\", \"state_end\": \"disabled\","
    "   \"transitions\": []},"
    " \"counters\": {\"yes_tx\": 0, \"no_tx\": 60, \"clients_start\": 1, \"clients_end\": 1}}";

static json_t *disabled(const char *flavor, const char *version)
{
    char buf[1024];
    snprintf(buf, sizeof(buf), disabled_master, flavor, version);
    return jparse(buf);
}

static void test_master_disabled(void **state)
{
    (void)state;
    /* MariaDB, with the variables sample saying enabled=OFF */
    json_t *m = disabled("mariadb", "\"10.11.19-MariaDB\"");
    struct ss_status_samples *st =
        status_from("1700000000.2\trpl_semi_sync_master_enabled\tOFF\n"
                    "1700000000.5\tRpl_semi_sync_master_status\tOFF\n"
                    "1700000000.5\tRpl_semi_sync_master_clients\t1\n");
    json_t *pm = build(m, st, NULL);
    const json_t *d = diag_with(pm, "disabled on the master");
    if (!d)
        dump_on_failure(pm);
    assert_non_null(d);
    assert_string_equal(field(d, "severity"), "critical");
    assert_non_null(strstr(field(d, "remedy"), "SET GLOBAL rpl_semi_sync_master_enabled=1"));
    assert_non_null(strstr(field(d, "evidence"), "rpl_semi_sync_master_enabled=OFF"));
    assert_non_null(strstr(field(d, "evidence"), "not one ack request"));
    /* and the status row agrees: disabled on the wire is OFF for the server */
    assert_non_null(strstr(field(corr_row(pm, "status"), "verdict"), "matches"));
    /* with something wrong, the last row says what to verify after the fix */
    json_t *diag = json_object_get(pm, "diagnosis");
    const json_t *last = json_array_get(diag, json_array_size(diag) - 1);
    assert_non_null(strstr(field(last, "remedy"), "SHOW GLOBAL STATUS LIKE '%semi%'"));
    assert_null(diag_with(pm, "nothing wrong"));
    json_decref(pm);
    json_decref(m);
    ss_status_samples_free(st);

    /* MySQL 8.0.36: the source name */
    m = disabled("mysql", "\"8.0.36\"");
    pm = build(m, NULL, NULL);
    d = diag_with(pm, "disabled on the master");
    assert_non_null(d);
    assert_non_null(strstr(field(d, "remedy"), "SET GLOBAL rpl_semi_sync_source_enabled=1"));
    assert_null(strstr(field(d, "remedy"), "rpl_semi_sync_master_enabled"));
    json_decref(pm);
    json_decref(m);

    /* MySQL of unknown version: both spellings */
    m = disabled("mysql", "null");
    pm = build(m, NULL, NULL);
    d = diag_with(pm, "disabled on the master");
    assert_non_null(strstr(field(d, "remedy"), "rpl_semi_sync_source_enabled=1"));
    assert_non_null(strstr(field(d, "remedy"), "rpl_semi_sync_master_enabled"));
    json_decref(pm);
    json_decref(m);
}

/* ---- a replica without the semisync header --------------------------------------------------- */

static const char async_master[] =
    "{\"endpoint\": \"10.0.0.1:3306\", \"flavor\": \"%s\","
    " \"replicas\": ["
    "  {\"address\": \"10.0.0.2\", \"server_id\": 2, \"semisync\": true, \"events\": 500,"
    "   \"ack_requests\": 100, \"acks\": 100, \"ack_latency_us\": {\"p50\": 300, \"p99\": 900}},"
    "  {\"address\": \"10.0.0.3\", \"server_id\": 3, \"semisync\": %s, \"events\": 500,"
    "   \"ack_requests\": 0, \"acks\": 0}],"
    " \"semisync\": {\"state_start\": \"on\", \"state_end\": \"on\", \"transitions\": []},"
    " \"counters\": {\"clients_start\": 1, \"clients_end\": 1}}";

static void test_replica_async(void **state)
{
    (void)state;
    char buf[1400];
    snprintf(buf, sizeof(buf), async_master, "mariadb", "false");
    json_t *m = jparse(buf);
    json_t *pm = build(m, NULL, NULL);
    const json_t *d = diag_with(pm, "replicates without semisync");
    if (!d)
        dump_on_failure(pm);
    assert_non_null(d);
    assert_string_equal(field(d, "severity"), "warning"); /* the other replica still acks */
    assert_non_null(strstr(field(d, "cause"), "10.0.0.3 (server_id 3)"));
    assert_non_null(strstr(field(d, "remedy"), "on replica 10.0.0.3: SET GLOBAL "
                                               "rpl_semi_sync_slave_enabled=1; STOP SLAVE "
                                               "IO_THREAD; START SLAVE IO_THREAD"));
    /* the healthy replica is not blamed */
    assert_null(diag_with(pm, "10.0.0.2"));
    json_decref(pm);

    /* a status file with MySQL 8.0.26+ names switches the remedy to the replica spellings */
    struct ss_status_samples *st =
        status_from("1700000000.5\tRpl_semi_sync_source_clients\t1\n");
    pm = build(m, st, NULL);
    d = diag_with(pm, "replicates without semisync");
    assert_non_null(strstr(field(d, "remedy"), "SET GLOBAL rpl_semi_sync_replica_enabled=1; "
                                               "STOP REPLICA IO_THREAD; START REPLICA IO_THREAD"));
    json_decref(pm);
    ss_status_samples_free(st);
    json_decref(m);

    /* semisync unknown on the wire, but MariaDB's log shows a plain dump start for server 3
     * with no semi-sync start beside it (thread 14), while server 2 got both lines (13) */
    snprintf(buf, sizeof(buf), async_master, "mariadb", "null");
    m = jparse(buf);
    struct ss_errlog *el = log_from(
        "2023-11-14 22:13:21 13 [Note] Start binlog_dump to slave_server(2), pos(mb.000001, 4), "
        "using_gtid(0), gtid('')\n"
        "2023-11-14 22:13:21 13 [Note] Start semi-sync binlog_dump to slave (server_id: 2), "
        "pos(./mb.000001, 4)\n"
        "2023-11-14 22:13:21 14 [Note] Start binlog_dump to slave_server(3), pos(mb.000001, 4), "
        "using_gtid(0), gtid('')\n");
    pm = build(m, NULL, el);
    d = diag_with(pm, "replicates without semisync");
    assert_non_null(d);
    assert_non_null(strstr(field(d, "evidence"), "without semi-sync"));
    assert_null(diag_with(pm, "10.0.0.2"));
    json_decref(pm);
    ss_errlog_free(el);
    json_decref(m);
}

/* ---- timeouts -------------------------------------------------------------------------------- */

/* OFF at T0+5 after a 1.5 s timeout, ON again at T0+7. Replica connections: each closed at
 * T0+3 (fin; r1 also sent its own KILL), r1 back at T0+6.9. */
static const char timeout_master[] =
    "{\"endpoint\": \"10.0.0.1:3306\", \"flavor\": \"mariadb\","
    " \"parameters\": {\"timeout_ms\": {\"value\": 1500, \"source\": \"file\"}},"
    " \"replicas\": ["
    "  {\"address\": \"10.0.0.2\", \"server_id\": 2, \"semisync\": true, \"events\": 90,"
    "   \"ack_requests\": 20, \"acks\": 20, \"kill_connections\": 1,"
    "   \"connections\": [{\"first_ts\": 1700000000.0, \"last_ts\": 1700000003.0, \"end\": \"fin\"},"
    "                     {\"first_ts\": 1700000006.9, \"last_ts\": 1700000010.0, \"end\": \"open\"}]},"
    "  {\"address\": \"10.0.0.3\", \"server_id\": 3, \"semisync\": true, \"events\": 60,"
    "   \"ack_requests\": 10, \"acks\": 10,"
    "   \"connections\": [{\"first_ts\": 1700000000.0, \"last_ts\": 1700000003.1, \"end\": \"rst\"}]}],"
    " \"semisync\": {\"state_start\": \"on\", \"state_end\": \"on\", \"transitions\": ["
    "   {\"ts\": 1700000005.0, \"to\": \"off\", \"position\": \"mb.000001:7114\","
    "    \"reason\": \"mb.000001:7114 waited 1.50 s with no ack\"},"
    "   {\"ts\": 1700000007.0, \"to\": \"on\", \"position\": \"mb.000001:8469\","
    "    \"reason\": \"ack from server_id 2\"}]},"
    " \"unprotected_transactions\": {\"count\": 5, \"list\": []},"
    " \"counters\": {\"no_times\": 1, \"clients_start\": 2, \"clients_end\": 1}}";

static void test_timeout_disconnected(void **state)
{
    (void)state;
    json_t *m = jparse(timeout_master);
    json_t *pm = build(m, NULL, NULL);
    const json_t *d = diag_with(pm, "every semisync replica had disconnected");
    if (!d)
        dump_on_failure(pm);
    assert_non_null(d);
    assert_string_equal(field(d, "severity"), "warning"); /* it came back ON */
    assert_non_null(strstr(field(d, "cause"), "switched OFF once after commits waited the full "
                                              "1500 ms timeout"));
    assert_non_null(strstr(field(d, "cause"), "it came back ON when they reconnected"));
    const char *ev = field(d, "evidence");
    assert_non_null(strstr(ev, "10.0.0.2 (server_id 2) disconnected at 22:13:23.000 (wire: FIN)"));
    assert_non_null(strstr(ev, "10.0.0.2 (server_id 2): it had killed its own dump thread"));
    assert_non_null(strstr(ev, "10.0.0.3 (server_id 3) disconnected at 22:13:23.100 (wire: RST)"));
    assert_non_null(strstr(ev, "back ON at 22:13:27.000"));
    assert_non_null(strstr(ev, "5 transaction(s) were committed without a replica's ack"));
    assert_non_null(strstr(field(d, "remedy"), "check that the 5 transaction(s)"));
    assert_non_null(strstr(field(d, "remedy"), "SHOW SLAVE STATUS"));
    /* r2 never came back: its own row */
    const json_t *g = diag_with(pm, "10.0.0.3 (server_id 3) stopped replicating at 22:13:23.100");
    assert_non_null(g);
    assert_non_null(strstr(field(g, "cause"), "had not reconnected when the capture ended"));
    assert_string_equal(field(g, "severity"), "warning"); /* r1 is back: 1 left, waits for 1 */
    assert_null(diag_with(pm, "10.0.0.2 (server_id 2) stopped replicating"));
    json_decref(pm);

    /* the same on MySQL 8.0.36: the replica-side spellings, no SLAVE anywhere */
    json_object_set_new(m, "flavor", json_string("mysql"));
    json_object_set_new(m, "server_version", json_string("8.0.36"));
    pm = build(m, NULL, NULL);
    d = diag_with(pm, "every semisync replica had disconnected");
    assert_non_null(d);
    assert_non_null(strstr(field(d, "remedy"), "SHOW REPLICA STATUS\\G (Replica_IO_Running, "
                                               "Last_IO_Error)"));
    assert_non_null(strstr(field(d, "remedy"), "START REPLICA IO_THREAD"));
    g = diag_with(pm, "10.0.0.3 (server_id 3) stopped replicating");
    assert_non_null(g);
    assert_null(strstr(field(g, "remedy"), "SLAVE"));
    assert_null(strstr(field(g, "remedy"), "Slave_IO"));
    json_decref(pm);
    json_decref(m);
}

/* The same timeout known from the log only: no connection list on the wire. */
static void test_timeout_from_log(void **state)
{
    (void)state;
    json_t *m = jparse(timeout_master);
    json_t *reps = json_object_get(m, "replicas");
    json_object_del(json_array_get(reps, 0), "connections");
    json_object_del(json_array_get(reps, 1), "connections");
    struct ss_errlog *el = log_from(
        "2023-11-14 22:13:20 13 [Note] Start semi-sync binlog_dump to slave (server_id: 2), "
        "pos(./mb.000001, 4)\n"
        "2023-11-14 22:13:20 14 [Note] Start semi-sync binlog_dump to slave (server_id: 3), "
        "pos(./mb.000001, 4)\n"
        "2023-11-14 22:13:23 13 [Note] Stop semi-sync binlog_dump to slave (server_id: 2)\n"
        "2023-11-14 22:13:23 14 [Note] Stop semi-sync binlog_dump to slave (server_id: 3)\n"
        "2023-11-14 22:13:25 22 [Warning] Timeout waiting for reply of binlog (file: mb.000001, "
        "pos: 7114), semi-sync up to file mb.000001, position 6843.\n"
        "2023-11-14 22:13:25 22 [Note] Semi-sync replication switched OFF.\n"
        "2023-11-14 22:13:26 27 [Note] Start semi-sync binlog_dump to slave (server_id: 2), "
        "pos(./mb.000001, 6843)\n"
        "2023-11-14 22:13:27 8 [Note] Semi-sync replication switched ON with slave (server_id: "
        "2) at (mb.000001, 8469)\n");
    json_t *pm = build(m, NULL, el);
    const json_t *d = diag_with(pm, "every semisync replica had disconnected");
    if (!d)
        dump_on_failure(pm);
    assert_non_null(d);
    const char *ev = field(d, "evidence");
    assert_non_null(strstr(ev, "semi-sync binlog dump stopped at 22:13:23"));
    assert_non_null(strstr(ev, "timeout waiting for the ack of mb.000001:7114"));
    /* the log's ON line carries the same position as the wire's: the clock offset uses it */
    assert_true(json_is_number(json_object_get(pm, "clock_offset_s")));
    double off = json_number_value(json_object_get(pm, "clock_offset_s"));
    assert_true(off > -0.1 && off < 1.1);
    /* the merged timeline has all three sources, in time order */
    json_t *tl = json_object_get(pm, "timeline");
    double prev = 0;
    int srcs = 0;
    size_t i;
    json_t *e;
    json_array_foreach(tl, i, e)
    {
        double ts = json_number_value(json_object_get(e, "ts"));
        assert_true(ts >= prev);
        prev = ts;
        const char *src = field(e, "source");
        srcs |= !strcmp(src, "wire") ? 1 : !strcmp(src, "log") ? 2 : 4;
    }
    assert_int_equal(srcs, 3);
    json_decref(pm);
    ss_errlog_free(el);
    json_decref(m);
}

/* Connected, but no ack: network trouble on the wire; still OFF at the end → critical. */
static void test_timeout_connected(void **state)
{
    (void)state;
    json_t *m = jparse(
        "{\"endpoint\": \"10.0.0.1:3306\", \"flavor\": \"mysql\", \"server_version\": \"8.4.2\","
        " \"parameters\": {\"timeout_ms\": 1000},"
        " \"replicas\": [{\"address\": \"10.0.0.2\", \"server_id\": 2, \"semisync\": true,"
        "   \"events\": 90, \"ack_requests\": 20, \"acks\": 12, \"requests_unanswered\": 8,"
        "   \"retransmissions\": 40, \"zero_windows\": 0,"
        "   \"connections\": [{\"first_ts\": 1699999000.0, \"last_ts\": 1700000010.0,"
        "                      \"end\": \"capture\"}]}],"
        " \"semisync\": {\"state_start\": \"on\", \"state_end\": \"off\", \"transitions\": ["
        "   {\"ts\": 1700000004.0, \"to\": \"off\", \"position\": null, \"reason\": \"no ack\"}]},"
        " \"counters\": {\"clients_end\": 1}}");
    json_t *pm = build(m, NULL, NULL);
    const json_t *d = diag_with(pm, "stayed connected but stopped acking");
    if (!d)
        dump_on_failure(pm);
    assert_non_null(d);
    assert_string_equal(field(d, "severity"), "critical");
    assert_non_null(strstr(field(d, "cause"), "still OFF at the end"));
    assert_non_null(strstr(field(d, "evidence"), "8 request(s) never acked, 40 retransmission(s)"));
    assert_non_null(strstr(field(d, "remedy"), "rpl_semi_sync_source_timeout"));
    assert_null(diag_with(pm, "stopped replicating")); /* open at the capture's end */
    json_decref(pm);
    json_decref(m);
}

/* ---- fewer clients than the wait count -------------------------------------------------------- */

static void test_clients(void **state)
{
    (void)state;
    json_t *m = jparse("{\"endpoint\": \"10.0.0.1:3306\", \"flavor\": \"mysql\","
                       " \"semisync\": {\"state_start\": \"on\", \"state_end\": \"on\","
                       "   \"transitions\": []}, \"replicas\": [],"
                       " \"counters\": {\"clients_start\": 2, \"clients_end\": 2}}");
    /* the wire says 2 clients, the server's wait count is 3 */
    struct ss_status_samples *st =
        status_from("1700000000.1\trpl_semi_sync_source_wait_for_replica_count\t3\n"
                    "1700000009.0\tRpl_semi_sync_source_clients\t2\n");
    json_t *pm = build(m, st, NULL);
    const json_t *d = diag_with(pm, "fewer semisync replicas connected (2) than the master "
                                    "waits for (3)");
    if (!d)
        dump_on_failure(pm);
    assert_non_null(d);
    assert_string_equal(field(d, "severity"), "critical");
    assert_non_null(strstr(field(d, "remedy"), "rpl_semi_sync_source_wait_for_replica_count"));
    json_decref(pm);
    ss_status_samples_free(st);
    /* with a wait count of 2 the same capture is healthy */
    st = status_from("1700000000.1\trpl_semi_sync_source_wait_for_replica_count\t2\n"
                     "1700000009.0\tRpl_semi_sync_source_clients\t2\n");
    pm = build(m, st, NULL);
    assert_null(diag_with(pm, "fewer semisync"));
    assert_non_null(diag_with(pm, "nothing wrong"));
    json_decref(pm);
    ss_status_samples_free(st);
    json_decref(m);
}

/* ---- latency ---------------------------------------------------------------------------------- */

static void test_latency(void **state)
{
    (void)state;
    json_t *m = jparse(
        "{\"endpoint\": \"10.0.0.1:3306\", \"flavor\": \"mariadb\","
        " \"semisync\": {\"state_start\": \"on\", \"state_end\": \"on\", \"transitions\": []},"
        " \"replicas\": ["
        "  {\"address\": \"10.0.0.2\", \"server_id\": 2, \"semisync\": true, \"acks\": 10,"
        "   \"ack_requests\": 10, \"ack_latency_us\": {\"p50\": 300, \"p99\": 700},"
        "   \"timeline\": {\"interval_s\": 1, \"dropped\": 0, \"intervals\": ["
        "     {\"p50_us\": 250}, {\"p50_us\": 260}, {\"p50_us\": 4000}, {\"p50_us\": 9000}]}},"
        "  {\"address\": \"10.0.0.3\", \"server_id\": 3, \"semisync\": true, \"acks\": 10,"
        "   \"ack_requests\": 10, \"ack_latency_us\": {\"p50\": 25000, \"p99\": 30000},"
        "   \"network_latency_us\": {\"p50\": 24000}, \"replica_latency_us\": {\"p50\": 1000}}],"
        " \"counters\": {}}");
    json_t *pm = build(m, NULL, NULL);
    const json_t *d = diag_with(pm, "replica 10.0.0.3 (server_id 3) acks much slower than the "
                                    "other replica: p50 25.00 ms vs 0.30 ms");
    if (!d)
        dump_on_failure(pm);
    assert_non_null(d);
    assert_string_equal(field(d, "severity"), "warning");
    assert_non_null(strstr(field(d, "evidence"), "p50 25.00 ms"));
    assert_non_null(strstr(field(d, "remedy"), "network part dominates"));
    d = diag_with(pm, "10.0.0.2 (server_id 2): ack latency degraded");
    assert_non_null(d);
    assert_non_null(strstr(field(d, "evidence"), "0.25 ms in the first quarter"));
    json_decref(pm);
    json_decref(m);
}

/* ---- reconnects -------------------------------------------------------------------------------- */

/* Both replicas reconnect once while semisync stays ON: r1 after its own KILL (an IO thread
 * restart), r2 without one (its dump thread ended on the master). Information, not an alarm. */
static void test_reconnect(void **state)
{
    (void)state;
    json_t *m = jparse(
        "{\"endpoint\": \"10.0.0.1:3306\", \"flavor\": \"mariadb\","
        " \"semisync\": {\"state_start\": \"on\", \"state_end\": \"on\", \"transitions\": []},"
        " \"replicas\": ["
        "  {\"address\": \"10.0.0.2\", \"server_id\": 2, \"semisync\": true, \"acks\": 10,"
        "   \"ack_requests\": 10, \"kill_connections\": 1, \"connections\": ["
        "    {\"first_ts\": 1700000000.5, \"last_ts\": 1700000002.0, \"end\": \"fin\"},"
        "    {\"first_ts\": 1700000002.25, \"last_ts\": 1700000010.0, \"end\": \"capture\"}]},"
        "  {\"address\": \"10.0.0.3\", \"server_id\": 3, \"semisync\": true, \"acks\": 10,"
        "   \"ack_requests\": 10, \"kill_connections\": 0, \"connections\": ["
        "    {\"first_ts\": 1700000000.5, \"last_ts\": 1700000004.0, \"end\": \"rst\"},"
        "    {\"first_ts\": 1700000004.007, \"last_ts\": 1700000010.0, \"end\": \"capture\"}]}],"
        " \"counters\": {\"clients_end\": 2}}");
    json_t *pm = build(m, NULL, NULL);
    json_t *diag = json_object_get(pm, "diagnosis");
    if (json_array_size(diag) != 3)
        dump_on_failure(pm);
    assert_int_equal(json_array_size(diag), 3);
    const json_t *d = diag_with(pm, "replica 10.0.0.2 (server_id 2) reconnected once; semisync "
                                    "stayed ON");
    assert_non_null(d);
    assert_string_equal(field(d, "severity"), "info");
    assert_non_null(strstr(field(d, "evidence"), "disconnected at 22:13:22.000 (FIN) and "
                                                 "reconnected at 22:13:22.250, 0.250 s later"));
    assert_non_null(strstr(field(d, "evidence"), "killed its own dump thread 1 time(s)"));
    d = diag_with(pm, "replica 10.0.0.3 (server_id 3) reconnected once");
    assert_non_null(d);
    assert_non_null(strstr(field(d, "evidence"), "(RST)"));
    assert_non_null(strstr(field(d, "evidence"), "sent no KILL"));
    /* nothing else: still healthy, and no "after the fix" */
    assert_non_null(diag_with(pm, "nothing wrong"));
    assert_null(diag_with(pm, "after the fix"));
    assert_null(diag_with(pm, "stopped replicating"));
    json_decref(pm);
    json_decref(m);
}

/* ---- clock offset ----------------------------------------------------------------------------- */

/* The server's clock runs 2 s ahead: its status samples see OFF between T0+6.9 and T0+7.1 and
 * its log says switched OFF at 22:13:27 (T0+7); the wire saw the OFF at T0+5.0. */
static void test_clock_offset(void **state)
{
    (void)state;
    json_t *m = jparse(
        "{\"endpoint\": \"10.0.0.1:3306\", \"flavor\": \"mariadb\","
        " \"semisync\": {\"state_start\": \"on\", \"state_end\": \"off\", \"transitions\": ["
        "   {\"ts\": 1700000005.0, \"to\": \"off\", \"position\": null, \"reason\": \"\"}]},"
        " \"replicas\": [], \"counters\": {\"no_times\": 1}}");
    struct ss_status_samples *st = status_from("1700000002.9\tRpl_semi_sync_master_status\tON\n"
                                               "1700000002.9\tRpl_semi_sync_master_no_times\t3\n"
                                               "1700000006.9\tRpl_semi_sync_master_status\tON\n"
                                               "1700000007.1\tRpl_semi_sync_master_status\tOFF\n"
                                               "1700000011.5\tRpl_semi_sync_master_status\tOFF\n"
                                               "1700000011.5\tRpl_semi_sync_master_no_times\t4\n");
    struct ss_errlog *el =
        log_from("2023-11-14 22:13:27 22 [Note] Semi-sync replication switched OFF.\n");
    json_t *pm = build(m, st, el);
    json_t *off = json_object_get(pm, "clock_offset_s");
    if (!json_is_number(off))
        dump_on_failure(pm);
    assert_true(json_is_number(off));
    double o = json_number_value(off);
    assert_true(o > 1.9 && o < 2.2);
    const char *basis = field(pm, "clock_offset_basis");
    assert_non_null(strstr(basis, "2 match(es): 1 status-sample transition(s), 1 log"));
    /* with the offset applied, the server's window is [T0+2, T0+12]: no_times 3 → 4 matches the
     * wire's single OFF, and so does the status row */
    assert_int_equal(strncmp(field(corr_row(pm, "no_times"), "verdict"), "matches", 7), 0);
    assert_string_equal(field(corr_row(pm, "off_transitions"), "verdict"),
                        "matches (the error log agrees)");
    json_decref(pm);
    ss_errlog_free(el);
    ss_status_samples_free(st);
    json_decref(m);
}

/* ---- the per-run object, the report walk and the text -------------------------------------- */

static void test_api_and_text(void **state)
{
    (void)state;
    char buf[1400];
    snprintf(buf, sizeof(buf), async_master, "mariadb", "false");
    json_t *report = json_pack("{s:{s:f,s:f}, s:[o]}", "capture", "first_ts", (double)T0,
                               "last_ts", (double)T0 + 10, "masters", jparse(buf));
    assert_non_null(report);
    struct ss_postmortem *p = ss_postmortem_new(NULL, NULL, NULL);
    assert_int_equal(ss_postmortem_add_report(p, report), SS_OK);
    struct ss_endpoint ep = {.addr = {.family = 4, .b = {10, 0, 0, 1}}, .port = 3306};
    json_t *j = ss_postmortem_master_json(p, &ep);
    assert_non_null(j);
    assert_non_null(diag_with(j, "replicates without semisync"));
    json_decref(j);
    struct ss_endpoint other = ep;
    other.port = 3307;
    assert_null(ss_postmortem_master_json(p, &other));

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    /* without the server's files there is no correlation or timeline to show: only the verdict */
    ss_postmortem_master_text(f, p, &ep, 0);
    fflush(f);
    assert_int_equal(len, 0);
    ss_postmortem_master_verdict_text(f, p, &ep, 0);
    fclose(f);
    assert_null(strstr(text, "Correlation with the server's counters"));
    assert_non_null(strstr(text, "  Diagnosis (from the wire alone): 1 warning\n"));
    assert_non_null(
        strstr(text, "    basis: from the wire alone: the master's status samples"));
    assert_non_null(strstr(text, "    [WARNING] replica 10.0.0.3 (server_id 3) replicates"));
    assert_non_null(strstr(text, "      remedy: on replica 10.0.0.3: SET GLOBAL"));
    /* readable at 80 columns */
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
        if (strlen(line) > 80 && strchr(line, ' '))
            fail_msg("over 80 columns: %s", line);
    free(text);
    ss_postmortem_free(p);
    json_decref(report);
    ss_postmortem_free(NULL);
}

/* ---- the samples win (issue 10) ------------------------------------------------------------- */

/* The wire inferred OFF at T0+4, still OFF at the end (critical on the wire alone); the server
 * sampled Rpl_semi_sync_master_status every second: ON throughout, or OFF from T0+4.5. */
static const char wire_off_master[] =
    "{\"endpoint\": \"10.0.0.1:3306\", \"flavor\": \"mariadb\","
    " \"parameters\": {\"timeout_ms\": {\"value\": 1000, \"source\": \"file\"}},"
    " \"replicas\": [{\"address\": \"10.0.0.2\", \"server_id\": 2, \"semisync\": true,"
    "   \"events\": 90, \"ack_requests\": 20, \"acks\": 12, \"requests_unanswered\": 8,"
    "   \"connections\": [{\"first_ts\": 1699999000.0, \"last_ts\": 1700000010.0,"
    "                      \"end\": \"capture\"}]}],"
    " \"semisync\": {\"state_start\": \"on\", \"state_end\": \"off\", \"transitions\": ["
    "   {\"ts\": 1700000004.0, \"to\": \"off\", \"position\": \"mb.000001:7114\","
    "    \"reason\": \"mb.000001:7114 waited 1.00 s with no ack\"}]},"
    " \"counters\": {\"clients_end\": 1}}";

static struct ss_status_samples *status_every_second(int off_from)
{
    char buf[1024] = "";
    for (int k = 0; k < 10; k++) {
        char line[80];
        snprintf(line, sizeof(line), "%lld.5\tRpl_semi_sync_master_status\t%s\n", T0 + k,
                 off_from >= 0 && k >= off_from ? "OFF" : "ON");
        strncat(buf, line, sizeof(buf) - strlen(buf) - 1);
    }
    return status_from(buf);
}

static void test_samples_contradict_wire(void **state)
{
    (void)state;
    json_t *m = jparse(wire_off_master);
    /* the wire alone: critical */
    json_t *pm = build(m, NULL, NULL);
    const json_t *d = diag_with(pm, "switched OFF");
    assert_non_null(d);
    assert_string_equal(field(d, "severity"), "critical");
    json_decref(pm);

    /* the server's samples say ON throughout the wire's OFF: they win */
    struct ss_status_samples *st = status_every_second(-1);
    pm = build(m, st, NULL);
    assert_null(diag_with(pm, "switched OFF"));
    d = diag_with(pm, "contradict the wire's inferred OFF");
    if (!d)
        dump_on_failure(pm);
    assert_non_null(d);
    assert_string_equal(field(d, "severity"), "info");
    const char *ev = field(d, "evidence");
    assert_non_null(strstr(ev, "the wire inferred OFF at 22:13:24.000, the server's samples show "
                               "ON throughout (every Rpl_semi_sync_master_status sample from "
                               "22:13:25.000 to 22:13:30.000): the samples win"));
    assert_non_null(strstr(ev, "mb.000001:7114 waited 1.00 s with no ack"));
    const char *v = field(corr_row(pm, "off_transitions"), "verdict");
    assert_non_null(strstr(v, "differs by +1"));
    assert_non_null(strstr(v, "the samples win"));
    assert_non_null(strstr(field(corr_row(pm, "status"), "verdict"), "the samples win"));
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(pm, "diagnosis"), i, x)
        assert_string_not_equal(field(x, "severity"), "critical");
    json_decref(pm);
    ss_status_samples_free(st);

    /* the samples show the OFF too (from T0+4.5): the wire's OFF stands, critical */
    st = status_every_second(4);
    pm = build(m, st, NULL);
    assert_null(diag_with(pm, "contradict"));
    d = diag_with(pm, "switched OFF");
    assert_non_null(d);
    assert_string_equal(field(d, "severity"), "critical");
    json_decref(pm);
    ss_status_samples_free(st);

    /* an OFF shorter than the slack at both edges cannot be contradicted: back ON at T0+5.5 */
    json_array_append_new(json_object_get(json_object_get(m, "semisync"), "transitions"),
                          jparse("{\"ts\": 1700000005.5, \"to\": \"on\", \"reason\": \"ack\"}"));
    json_object_set_new(json_object_get(m, "semisync"), "state_end", json_string("on"));
    st = status_every_second(-1);
    pm = build(m, st, NULL);
    assert_null(diag_with(pm, "contradict"));
    assert_non_null(diag_with(pm, "switched OFF"));
    assert_non_null(strstr(field(corr_row(pm, "off_transitions"), "verdict"),
                           "falls between samples"));
    json_decref(pm);
    ss_status_samples_free(st);
    json_decref(m);
}

/* ---- what the wire cannot decide ---------------------------------------------------------------- */

/* The healthy master, with one commit the wire could not place around a switch: yes_tx is
 * reported as 101 in [99, 101]; the server counted 100. Inside the range: no mismatch, no alarm,
 * and the span is an info row. */
static void test_counter_ranges(void **state)
{
    (void)state;
    json_t *m = jparse(healthy_master);
    json_object_set_new(json_object_get(m, "counters"), "yes_tx", json_integer(101));
    json_object_set_new(m, "counter_ranges", jparse("{\"yes_tx\": [99, 101]}"));
    json_object_set_new(json_object_get(m, "semisync"), "uncertain",
                        jparse("[{\"from\": 1700000004.25, \"to\": 1700000004.26, \"reason\":"
                               " \"mb.000001:900 was sent 10.0 ms after the ack that switched "
                               "ON\"}]"));
    json_object_set_new(json_object_get(m, "semisync"), "uncertain_total", json_integer(1));
    struct ss_status_samples *st = status_from(healthy_status);
    json_t *pm = build(m, st, NULL);
    const json_t *r = corr_row(pm, "yes_tx");
    const char *v = field(r, "verdict");
    if (strncmp(v, "within the wire's range [99, 101]", 33) != 0)
        dump_on_failure(pm);
    assert_int_equal(strncmp(v, "within the wire's range [99, 101]", 33), 0);
    assert_null(strstr(v, "differs"));
    assert_int_equal(json_integer_value(json_array_get(json_object_get(r, "wire_range"), 1)), 101);
    /* the summary row does not count it as a difference */
    const json_t *h = diag_with(pm, "nothing wrong");
    assert_non_null(h);
    assert_non_null(strstr(field(h, "evidence"), "the servers' counters agree with the wire"));
    const json_t *u = diag_with(pm, "not decidable from the wire: 1 span(s)");
    assert_non_null(u);
    assert_string_equal(field(u, "severity"), "info");
    assert_non_null(strstr(field(u, "evidence"), "22:13:24.250 to 22:13:24.260: mb.000001:900 was "
                                                 "sent 10.0 ms after the ack that switched ON"));
    assert_non_null(strstr(field(u, "evidence"), "yes_tx 99 to 101"));
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(pm, "diagnosis"), i, x)
        assert_string_equal(field(x, "severity"), "info");
    json_decref(pm);

    /* outside the range it is a difference, and says so */
    json_object_set_new(m, "counter_ranges", jparse("{\"yes_tx\": [101, 103]}"));
    pm = build(m, st, NULL);
    v = field(corr_row(pm, "yes_tx"), "verdict");
    assert_non_null(strstr(v, "differs by +1, outside the wire's range [101, 103]"));
    assert_non_null(strstr(field(diag_with(pm, "nothing wrong"), "evidence"), "differ: yes_tx"));
    json_decref(pm);
    ss_status_samples_free(st);
    json_decref(m);
}

/* ---- the timeout quoted, and OFFs that were not timeouts ---------------------------------------- */

static void test_timeout_words(void **state)
{
    (void)state;
    /* only the default is known: said as such */
    json_t *m = jparse(timeout_master);
    json_object_set_new(m, "parameters",
                        jparse("{\"timeout_ms\": {\"value\": 10000, \"source\": \"default\"}}"));
    json_t *pm = build(m, NULL, NULL);
    const json_t *d = diag_with(pm, "switched OFF once");
    if (!d)
        dump_on_failure(pm);
    assert_non_null(d);
    assert_non_null(strstr(field(d, "cause"), "after commits waited the assumed default 10000 ms "
                                              "timeout"));
    assert_non_null(strstr(field(d, "evidence"), "timeout in use: 10000 ms, only the default "
                                                 "assumed: rpl_semi_sync_master_timeout was not "
                                                 "given"));
    assert_null(strstr(field(d, "cause"), "waited the full"));
    json_decref(pm);

    /* the server's variables given to the postmortem replace the assumed default */
    struct ss_status_samples *st =
        status_from("1700000000.5\trpl_semi_sync_master_timeout\t1500\n");
    pm = build(m, st, NULL);
    d = diag_with(pm, "switched OFF once");
    assert_non_null(strstr(field(d, "cause"), "waited the full 1500 ms timeout"));
    assert_non_null(strstr(field(d, "evidence"), "timeout in use: 1500 ms, "
                                                 "rpl_semi_sync_master_timeout from the server's "
                                                 "variables"));
    json_decref(pm);
    ss_status_samples_free(st);

    /* the wire's reason is the probe: no commit was seen waiting out the timeout, so none is
     * claimed, and neither is "not a timeout": the timeout in use is only assumed, and a
     * shorter one would explain it */
    json_t *tr = json_array_get(json_object_get(json_object_get(m, "semisync"), "transitions"), 0);
    json_object_set_new(tr, "reason",
                        json_string("mb.000001:7200 (GTID, not a transaction end) was sent with an "
                                    "ack request: the master was OFF, probing for a caught-up "
                                    "replica; ON was last corroborated at 22:13:24.900"));
    pm = build(m, NULL, NULL);
    d = diag_with(pm, "switched OFF once; the wire does not show why");
    if (!d)
        dump_on_failure(pm);
    assert_non_null(d);
    assert_null(strstr(field(d, "cause"), "waited the full"));
    assert_null(strstr(field(d, "cause"), "waited the assumed"));
    assert_null(strstr(field(d, "cause"), "not after a commit waited"));
    assert_non_null(strstr(field(d, "cause"), "a shorter timeout would explain it"));
    assert_non_null(strstr(field(d, "evidence"), "not a transaction end"));
    assert_null(strstr(field(d, "evidence"), "waited with no ack"));
    json_decref(pm);

    /* the log's timeout line is the authority: a timeout after all */
    struct ss_errlog *el = log_from(
        "2023-11-14 22:13:25 22 [Warning] Timeout waiting for reply of binlog (file: mb.000001, "
        "pos: 7114), semi-sync up to file mb.000001, position 6843.\n"
        "2023-11-14 22:13:25 22 [Note] Semi-sync replication switched OFF.\n");
    pm = build(m, NULL, el);
    d = diag_with(pm, "switched OFF once after commits waited the assumed default 10000 ms");
    if (!d)
        dump_on_failure(pm);
    assert_non_null(d);
    json_decref(pm);
    ss_errlog_free(el);
    json_decref(m);
}

/* ---- disabled at runtime, from the server's records alone -------------------------------------- */

/* The wire saw nothing (no commit while it was off); the variables show
 * rpl_semi_sync_master_enabled ON -> OFF -> ON and the status OFF in between; MySQL 8's log says
 * "disabled on the source" and "enabled on the source". */
static void test_runtime_disable_records(void **state)
{
    (void)state;
    json_t *m = jparse(healthy_master);
    struct ss_status_samples *st = status_from(
        "1700000000.5\trpl_semi_sync_master_enabled\tON\n"
        "1700000000.5\tRpl_semi_sync_master_status\tON\n"
        "1700000003.5\trpl_semi_sync_master_enabled\tOFF\n"
        "1700000003.5\tRpl_semi_sync_master_status\tOFF\n"
        "1700000006.5\trpl_semi_sync_master_enabled\tON\n"
        "1700000006.5\tRpl_semi_sync_master_status\tON\n"
        "1700000009.5\trpl_semi_sync_master_enabled\tON\n"
        "1700000009.5\tRpl_semi_sync_master_status\tON\n");
    json_t *pm = build(m, st, NULL);
    const json_t *d = diag_with(pm, "semisync was disabled at runtime "
                                    "(rpl_semi_sync_master_enabled=OFF) between 22:13:20.500 and "
                                    "22:13:23.500 and enabled again between 22:13:23.500 and "
                                    "22:13:26.500");
    if (!d)
        dump_on_failure(pm);
    assert_non_null(d);
    assert_string_equal(field(d, "severity"), "warning");
    assert_non_null(strstr(field(d, "evidence"), "variables: rpl_semi_sync_master_enabled ON -> "
                                                 "OFF between 22:13:20.500 and 22:13:23.500"));
    /* the status OFF is the disable's, not a switch OFF of its own */
    assert_null(diag_with(pm, "switched OFF"));
    assert_null(diag_with(pm, "semisync is disabled on the master"));
    json_decref(pm);

    /* still OFF at the last sample: critical, and the remedy turns it back on */
    ss_status_samples_free(st);
    st = status_from("1700000000.5\trpl_semi_sync_master_enabled\tON\n"
                     "1700000003.5\trpl_semi_sync_master_enabled\tOFF\n"
                     "1700000009.5\trpl_semi_sync_master_enabled\tOFF\n");
    pm = build(m, st, NULL);
    d = diag_with(pm, "disabled at runtime");
    assert_non_null(d);
    assert_string_equal(field(d, "severity"), "critical");
    assert_non_null(strstr(field(d, "remedy"), "SET GLOBAL rpl_semi_sync_master_enabled=1"));
    assert_null(diag_with(pm, "semisync is disabled on the master")); /* one row */
    json_decref(pm);
    ss_status_samples_free(st);

    /* MySQL 8.0: its log's own lines, in its spelling */
    json_object_set_new(m, "flavor", json_string("mysql"));
    json_object_set_new(m, "server_version", json_string("8.0.36"));
    struct ss_errlog *el = log_from(
        "2023-11-14T22:13:22.100000Z 31 [Note] [MY-011171] [Repl] Plugin semisync reported: "
        "'Semi-sync replication disabled on the source.'\n"
        "2023-11-14T22:13:25.400000Z 32 [Note] [MY-011170] [Repl] Plugin semisync reported: "
        "'Semi-sync replication enabled on the source.'\n");
    pm = build(m, NULL, el);
    d = diag_with(pm, "semisync was disabled at runtime (rpl_semi_sync_source_enabled=OFF) at "
                      "22:13:22.100 and enabled again at 22:13:25.400");
    if (!d)
        dump_on_failure(pm);
    assert_non_null(d);
    assert_non_null(strstr(field(d, "evidence"), "[thread 31, the session that changed it]"));
    assert_non_null(strstr(field(d, "remedy"), "SET GLOBAL rpl_semi_sync_source_enabled=OFF"));
    json_decref(pm);
    ss_errlog_free(el);
    json_decref(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthy),
        cmocka_unit_test(test_master_disabled),
        cmocka_unit_test(test_replica_async),
        cmocka_unit_test(test_timeout_disconnected),
        cmocka_unit_test(test_timeout_from_log),
        cmocka_unit_test(test_timeout_connected),
        cmocka_unit_test(test_clients),
        cmocka_unit_test(test_latency),
        cmocka_unit_test(test_reconnect),
        cmocka_unit_test(test_clock_offset),
        cmocka_unit_test(test_api_and_text),
        cmocka_unit_test(test_samples_contradict_wire),
        cmocka_unit_test(test_counter_ranges),
        cmocka_unit_test(test_timeout_words),
        cmocka_unit_test(test_runtime_disable_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
