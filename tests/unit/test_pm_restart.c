/* SPDX-License-Identifier: MIT */
/* test_pm_restart.c: the postmortem on a restart of the master (pm_restart.c): every replica cut
 * at once, the poller's gap, Uptime going down, the error log's shutdown and startup, the
 * replicas coming back; whether semisync came back; the correlation summed over both lifetimes
 * of the counters; and the per-replica reconnect rows it replaces. Synthetic master objects in
 * the report's shape, modelled on the live_poll lab run (MariaDB 10.11, two semisync replicas). */
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

static void feed_lines(const char *text, void (*fn)(void *, const char *, size_t), void *ctx)
{
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        fn(ctx, p, len);
        p += len + (nl ? 1 : 0);
    }
}

static void status_line(void *ctx, const char *l, size_t n)
{
    ss_status_samples_line(ctx, l, n);
}

static void log_line(void *ctx, const char *l, size_t n)
{
    ss_errlog_line(ctx, l, n);
}

static struct ss_status_samples *status_from(const char *text)
{
    struct ss_status_samples *s = ss_status_samples_new(NULL);
    feed_lines(text, status_line, s);
    assert_int_equal(s->bad_lines, 0);
    return s;
}

static struct ss_errlog *log_from(const char *text)
{
    struct ss_errlog *el = ss_errlog_new(NULL);
    feed_lines(text, log_line, el);
    ss_errlog_sort(el);
    return el;
}

static json_t *build(const json_t *m, const struct ss_status_samples *st,
                     const struct ss_errlog *el)
{
    return pm_build_window(m, st, el, T0 * NS, (T0 + 10) * NS);
}

static bool timeline_has(const json_t *pm, const char *source, const char *needle)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(pm, "timeline"), i, e)
    {
        if (!strcmp(field(e, "source"), source) && strstr(field(e, "what"), needle))
            return true;
    }
    return false;
}

static void dump(const json_t *pm)
{
    char *s = json_dumps(pm, JSON_INDENT(1));
    print_message("%s\n", s);
    free(s);
}

/* The master went down at T0+3.000: both dump connections end within 0.6 ms (the master sent the
 * FIN first to 10.0.0.2; 10.0.0.3 answered the master's end of the stream with its own FIN
 * first, as in the lab). Both replicas are back at T0+5.1 and the master asks them for acks
 * again. 20 transactions before, 80 after: the wire counted 100. %s: the state at the end. */
static const char restart_master[] =
    "{\"endpoint\": \"10.0.0.1:3306\", \"flavor\": \"%s\","
    " \"semisync\": {\"state_start\": \"on\", \"state_end\": \"%s\", \"transitions\": []},"
    " \"replicas\": ["
    "  {\"address\": \"10.0.0.2\", \"server_id\": 2, \"semisync\": true, \"acks\": 100,"
    "   \"ack_requests\": 100, \"kill_connections\": 0, \"connections\": ["
    "    {\"first_ts\": 1700000000.2, \"last_ts\": 1700000003.0006, \"end\": \"fin\","
    "     \"closed_by\": \"master\", \"semisync\": true, \"ack_requests\": 20, \"acks\": 20},"
    "    {\"first_ts\": 1700000005.12, \"last_ts\": 1700000010.0, \"end\": \"capture\","
    "     \"closed_by\": null, \"semisync\": true, \"ack_requests\": %d, \"acks\": %d}]},"
    "  {\"address\": \"10.0.0.3\", \"server_id\": 3, \"semisync\": true, \"acks\": 100,"
    "   \"ack_requests\": 100, \"kill_connections\": 0, \"connections\": ["
    "    {\"first_ts\": 1700000000.3, \"last_ts\": 1700000003.0, \"end\": \"fin\","
    "     \"closed_by\": \"replica\", \"semisync\": true, \"ack_requests\": 20, \"acks\": 20},"
    "    {\"first_ts\": 1700000005.1, \"last_ts\": 1700000010.0, \"end\": \"capture\","
    "     \"closed_by\": null, \"semisync\": true, \"ack_requests\": %d, \"acks\": %d}]}],"
    " \"counters\": {\"yes_tx\": 100, \"request_ack\": 100, \"no_tx\": 0, \"clients_start\": 2,"
    "   \"clients_end\": 2}}";

static json_t *master(const char *flavor, const char *state_end, int acks_after)
{
    char buf[2600];
    snprintf(buf, sizeof(buf), restart_master, flavor, state_end, acks_after, acks_after,
             acks_after, acks_after);
    return jparse(buf);
}

/* What semiscope's poller records: SHOW GLOBAL STATUS with Uptime, variables on each connect.
 * The master started at T0-50; it is lost at T0+3.2, found back at T0+5.0; Uptime 1 at T0+5.5
 * says the new one started at T0+4. %s: rpl_semi_sync_master_enabled after the restart, then
 * Rpl_semi_sync_master_status. */
static const char restart_status[] =
    "# connected 1699999999.9 10.11.19-MariaDB-log\n"
    "1700000000.0\trpl_semi_sync_master_enabled\tON\n"
    "1700000000.0\tRpl_semi_sync_master_status\tON\n"
    "1700000000.0\tRpl_semi_sync_master_clients\t2\n"
    "1700000000.0\tRpl_semi_sync_master_request_ack\t0\n"
    "1700000000.0\tRpl_semi_sync_master_yes_tx\t0\n"
    "1700000000.0\tUptime\t50\n"
    "1700000003.0\tRpl_semi_sync_master_status\tON\n"
    "1700000003.0\tRpl_semi_sync_master_clients\t2\n"
    "1700000003.0\tRpl_semi_sync_master_request_ack\t20\n"
    "1700000003.0\tRpl_semi_sync_master_yes_tx\t20\n"
    "1700000003.0\tUptime\t53\n"
    "# disconnected 1700000003.2 Server has gone away\n"
    "# connected 1700000005.0 10.11.19-MariaDB-log\n"
    "1700000005.0\trpl_semi_sync_master_enabled\t%s\n"
    "1700000005.5\tRpl_semi_sync_master_status\t%s\n"
    "1700000005.5\tRpl_semi_sync_master_clients\t0\n"
    "1700000005.5\tRpl_semi_sync_master_request_ack\t%s\n"
    "1700000005.5\tRpl_semi_sync_master_yes_tx\t%s\n"
    "1700000005.5\tUptime\t1\n"
    "1700000010.5\tRpl_semi_sync_master_status\t%s\n"
    "1700000010.5\tRpl_semi_sync_master_clients\t2\n"
    "1700000010.5\tRpl_semi_sync_master_request_ack\t%s\n"
    "1700000010.5\tRpl_semi_sync_master_yes_tx\t%s\n"
    "1700000010.5\tUptime\t6\n";

/* MariaDB 10.11's own words, whole seconds, UTC. */
static const char restart_log[] =
    "2023-11-14 22:13:23 0 [Note] mariadbd (initiated by: unknown): Normal shutdown\n"
    "2023-11-14 22:13:23 17 [Note] Stop semi-sync binlog_dump to slave (server_id: 2)\n"
    "2023-11-14 22:13:23 18 [Note] Stop semi-sync binlog_dump to slave (server_id: 3)\n"
    "2023-11-14 22:13:23 0 [Note] mariadbd: Shutdown complete\n"
    "2023-11-14 22:13:24 0 [Note] Starting MariaDB 10.11.19-MariaDB-log source revision x as "
    "process 31458\n"
    "2023-11-14 22:13:24 0 [Note] Semi-sync replication enabled on the master.\n"
    "2023-11-14 22:13:24 0 [Note] mariadbd: ready for connections.\n";

static struct ss_status_samples *status(const char *enabled, const char *st, int after)
{
    char n1[16], n2[16], buf[3000];
    /* the new lifetime's counters at its first sample: already past the old lifetime's 20 (the
     * reproducer), or 0 when nothing was committed */
    snprintf(n1, sizeof(n1), "%d", after > 0 ? 30 : 0);
    snprintf(n2, sizeof(n2), "%d", after);
    snprintf(buf, sizeof(buf), restart_status, enabled, st, n1, n1, st, n2, n2);
    return status_from(buf);
}

/* The lab's reproducer: every counter of the new lifetime past its old value when the poller is
 * back (80 > 20). With Uptime the server's delta is 20 + 80 = 100, as the wire counted. */
static void test_restart_clean(void **state)
{
    (void)state;
    json_t *m = master("mariadb", "on", 80);
    struct ss_status_samples *st = status("ON", "ON", 80);
    struct ss_errlog *el = log_from(restart_log);
    json_t *pm = build(m, st, el);
    const json_t *d = diag_with(pm, "the master restarted at 22:13:24");
    if (!d)
        dump(pm);
    assert_non_null(d);
    assert_string_equal(field(d, "severity"), "info");
    const char *cause = field(d, "cause");
    assert_non_null(strstr(cause, "all 2 replica(s) were disconnected at once"));
    assert_non_null(strstr(cause, "down about 1 s"));
    assert_non_null(strstr(cause, "semisync came back ON"));
    const char *ev = field(d, "evidence");
    assert_non_null(strstr(ev, "wire: all 2 replica dump connection(s) ended within 0.6 ms at "
                               "22:13:23.000 (FIN/RST sent first by the master on 1, by the "
                               "replica on 1: a replica hangs up first when the master ends its "
                               "dump stream, as MariaDB does at shutdown)"));
    assert_non_null(strstr(ev, "status poller: lost the server at 22:13:23.200 (Server has gone "
                               "away), back at 22:13:25.000 to 10.11.19-MariaDB-log"));
    assert_non_null(strstr(ev, "Uptime 1 s at 22:13:25.500, a start at 22:13:24, where 53 s at "
                               "22:13:23.000 meant a start at 22:12:30: the server restarted"));
    assert_non_null(strstr(ev, "log: shutdown began 22:13:23, shutdown complete 22:13:23, "
                               "starting 22:13:24, ready for connections 22:13:24, semi-sync "
                               "enabled on the master 22:13:24"));
    assert_non_null(strstr(ev, "10.0.0.2 (server_id 2) back at 22:13:25.120 (2.119 s later, "
                               "semisync)"));
    assert_non_null(strstr(ev, "rpl_semi_sync_master_enabled=ON after the restart"));
    assert_non_null(strstr(ev, "the master asked the reconnected replicas for 160 ack(s) and "
                               "got 160"));
    assert_non_null(strstr(field(d, "remedy"), "Keep rpl_semi_sync_master_enabled=ON in the "
                                               "[mysqld] section"));
    /* the restart explains both reconnects: no per-replica "kept acking" rows */
    assert_null(diag_with(pm, "reconnected once"));
    assert_non_null(diag_with(pm, "nothing else wrong found: semisync worked before and after "
                                  "the master's restart"));
    /* the restart is the first row */
    assert_ptr_equal(json_array_get(json_object_get(pm, "diagnosis"), 0), d);

    /* the correlation sums both lifetimes, and a match says so */
    const json_t *r = corr_row(pm, "yes_tx");
    assert_int_equal(json_integer_value(json_object_get(r, "server")), 100);
    assert_string_equal(field(r, "verdict"), "matches");
    assert_string_equal(field(r, "note"), "the server restarted at 22:13:24; its counters were "
                                          "summed over both lifetimes");
    r = corr_row(pm, "no_tx"); /* not sampled: no note */
    assert_null(json_object_get(r, "note"));

    /* the timeline: the poller's loss and return, and the restart */
    assert_true(timeline_has(pm, "status", "status poller lost the server: Server has gone "
                                           "away"));
    assert_true(timeline_has(pm, "status", "status poller connected again after 1.800 s: "
                                           "10.11.19-MariaDB-log"));
    assert_true(timeline_has(pm, "status", "the server restarted (Uptime 1 s at 22:13:25.500, "
                                           "53 s at 22:13:23.000)"));
    assert_true(timeline_has(pm, "log", "server shutdown begins"));
    assert_true(timeline_has(pm, "log", "server ready for connections"));
    /* a point kept only to mark the restart (status ON -> ON) is no timeline change */
    assert_false(timeline_has(pm, "status", "status ON -> ON"));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(pm, "server_data"),
                                                        "server_restarts")),
                     1);

    /* the text: the note beside the verdict, at 80 columns */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ss_postmortem_text(f, pm, 0);
    fclose(f);
    assert_non_null(strstr(text, "  Diagnosis: no problem found\n    [info] the master "
                                 "restarted at 22:13:24"));
    assert_non_null(strstr(text, "matches (the server restarted"));
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
        if (strlen(line) > 80 && strchr(line, ' '))
            fail_msg("over 80 columns: %s", line);
    free(text);
    json_decref(pm);

    /* the same without Uptime or the log: the counter reset across the poller's gap, which
     * ended with a version, is the restart hint; yes_tx 20 -> 10 */
    ss_status_samples_free(st);
    char buf[3000];
    snprintf(buf, sizeof(buf), restart_status, "ON", "ON", "10", "10", "ON", "80", "80");
    /* drop the Uptime lines */
    for (char *u; (u = strstr(buf, "\tUptime\t"));) {
        char *bol = u;
        while (bol > buf && bol[-1] != '\n')
            bol--;
        char *eol = strchr(u, '\n');
        memmove(bol, eol + 1, strlen(eol + 1) + 1);
    }
    st = status_from(buf);
    pm = build(m, st, NULL);
    d = diag_with(pm, "the master restarted between 22:13:23.200 and 22:13:25.000");
    if (!d)
        dump(pm);
    assert_non_null(d);
    assert_non_null(strstr(field(d, "evidence"), "Rpl_semi_sync_master_request_ack went from 20 "
                                                 "down to 10 across the poller's gap"));
    r = corr_row(pm, "yes_tx");
    assert_int_equal(json_integer_value(json_object_get(r, "server")), 100);
    assert_string_equal(field(r, "verdict"), "matches");
    assert_non_null(strstr(field(r, "note"), "the server restarted between 22:13:23.200 and "
                                             "22:13:25.000"));
    json_decref(pm);
    ss_status_samples_free(st);
    ss_errlog_free(el);
    json_decref(m);
}

/* rpl_semi_sync_master_enabled was set with SET GLOBAL only: the master came back with semisync
 * disabled. Critical, with the configuration-file remedy. */
static void test_restart_disabled(void **state)
{
    (void)state;
    json_t *m = master("mariadb", "disabled", 0);
    struct ss_status_samples *st = status("OFF", "OFF", 0);
    json_t *pm = build(m, st, NULL);
    const json_t *d = diag_with(pm, "the master restarted at 22:13:24");
    if (!d)
        dump(pm);
    assert_non_null(d);
    assert_string_equal(field(d, "severity"), "critical");
    assert_non_null(strstr(field(d, "cause"), "semisync came back DISABLED"));
    assert_non_null(strstr(field(d, "evidence"), "rpl_semi_sync_master_enabled=OFF after the "
                                                 "restart, Rpl_semi_sync_master_status=OFF"));
    const char *rem = field(d, "remedy");
    assert_non_null(strstr(rem, "SET GLOBAL rpl_semi_sync_master_enabled=1, and put "
                                "rpl_semi_sync_master_enabled=ON in the [mysqld] section"));
    assert_non_null(strstr(rem, "does not survive a restart"));
    assert_null(diag_with(pm, "reconnected once"));
    assert_null(diag_with(pm, "nothing"));
    json_decref(pm);
    ss_status_samples_free(st);
    json_decref(m);
}

/* MySQL 8.0, its log only (no status samples): the restart from the log's lines, the names in
 * MySQL 8's spelling. */
static void test_restart_mysql_log(void **state)
{
    (void)state;
    json_t *m = master("mysql", "on", 40);
    json_object_set_new(m, "server_version", json_string("8.0.36"));
    struct ss_errlog *el = log_from(
        "2023-11-14T22:13:22.990000Z 0 [System] [MY-013172] [Server] Received SHUTDOWN from "
        "user <via user signal>. Shutting down mysqld (Version: 8.0.36).\n"
        "2023-11-14T22:13:23.400000Z 0 [System] [MY-010910] [Server] /usr/sbin/mysqld: "
        "Shutdown complete (mysqld 8.0.36)  MySQL Community Server - GPL.\n"
        "2023-11-14T22:13:24.100000Z 0 [System] [MY-010116] [Server] /usr/sbin/mysqld (mysqld "
        "8.0.36) starting as process 1\n"
        "2023-11-14T22:13:24.900000Z 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready "
        "for connections. Version: '8.0.36'  socket: '/var/run/mysqld/mysqld.sock'\n");
    json_t *pm = build(m, NULL, el);
    const json_t *d = diag_with(pm, "the master restarted at 22:13:24.100");
    if (!d)
        dump(pm);
    assert_non_null(d);
    assert_string_equal(field(d, "severity"), "info");
    assert_non_null(strstr(field(d, "cause"), "down about 1 s"));
    assert_non_null(strstr(field(d, "evidence"), "log: shutdown began 22:13:22.990, shutdown "
                                                 "complete 22:13:23.400, starting 22:13:24.100, "
                                                 "ready for connections 22:13:24.900"));
    assert_non_null(strstr(field(d, "remedy"), "rpl_semi_sync_source_enabled=ON"));
    assert_null(diag_with(pm, "reconnected once"));
    json_decref(pm);
    ss_errlog_free(el);
    json_decref(m);
}

/* No server data: the wire alone. Both connections cut within 1 s, one FIN from the master, no
 * replica KILL: the master's side; then a single replica cut (the other stayed connected) is no
 * restart, and its reconnect row keeps "the other replica(s) kept acking". */
static void test_restart_wire_only(void **state)
{
    (void)state;
    json_t *m = master("mariadb", "on", 40);
    json_t *pm = build(m, NULL, NULL);
    const json_t *d = diag_with(pm, "every replica's dump connection ended at once at "
                                    "22:13:23.000");
    if (!d)
        dump(pm);
    assert_non_null(d);
    assert_string_equal(field(d, "severity"), "info");
    assert_non_null(strstr(field(d, "cause"), "semisync came back ON"));
    assert_null(diag_with(pm, "reconnected once"));
    json_decref(pm);

    /* both FINs from the replicas (the lab's usual case: they hang up on the master's EOF), the
     * ends 0.6 ms apart: still the master's doing; 80 ms apart: the wire alone says nothing */
    json_t *c2 = json_array_get(json_object_get(json_array_get(json_object_get(m, "replicas"), 0),
                                                "connections"),
                                0);
    json_object_set_new(c2, "closed_by", json_string("replica"));
    pm = build(m, NULL, NULL);
    assert_non_null(diag_with(pm, "every replica's dump connection ended at once"));
    json_decref(pm);
    json_object_set_new(c2, "last_ts", json_real(1700000003.08));
    pm = build(m, NULL, NULL);
    assert_null(diag_with(pm, "every replica's dump connection ended at once"));
    assert_non_null(diag_with(pm, "reconnected once"));
    json_decref(pm);
    json_object_set_new(c2, "closed_by", json_string("master"));
    pm = build(m, NULL, NULL);
    assert_non_null(diag_with(pm, "every replica's dump connection ended at once"));
    json_decref(pm);

    /* 10.0.0.3 stays connected throughout */
    json_t *r3 = json_array_get(json_object_get(m, "replicas"), 1);
    json_object_set_new(r3, "connections",
                        jparse("[{\"first_ts\": 1700000000.3, \"last_ts\": 1700000010.0, "
                               "\"end\": \"capture\", \"closed_by\": null}]"));
    pm = build(m, NULL, NULL);
    assert_null(diag_with(pm, "at once"));
    d = diag_with(pm, "replica 10.0.0.2 (server_id 2) reconnected once");
    if (!d)
        dump(pm);
    assert_non_null(d);
    assert_non_null(strstr(field(d, "cause"), "(the other replica(s) kept acking)"));
    json_decref(pm);

    /* 10.0.0.3 away too, but not at the same moment (2.5 s later): no restart, and no other
     * replica was connected while 10.0.0.2 was away, so none "kept acking" */
    json_object_set_new(r3, "connections",
                        jparse("[{\"first_ts\": 1700000000.3, \"last_ts\": 1700000004.5, "
                               "\"end\": \"fin\", \"closed_by\": \"replica\"},"
                               " {\"first_ts\": 1700000006.0, \"last_ts\": 1700000010.0, "
                               "\"end\": \"capture\", \"closed_by\": null}]"));
    pm = build(m, NULL, NULL);
    assert_null(diag_with(pm, "at once"));
    d = diag_with(pm, "replica 10.0.0.2 (server_id 2) reconnected once");
    assert_non_null(d);
    assert_non_null(strstr(field(d, "cause"), "no other semisync replica was connected "
                                              "meanwhile"));
    assert_null(strstr(field(d, "cause"), "kept acking"));
    json_decref(pm);
    json_decref(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_restart_clean),
        cmocka_unit_test(test_restart_disabled),
        cmocka_unit_test(test_restart_mysql_log),
        cmocka_unit_test(test_restart_wire_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
