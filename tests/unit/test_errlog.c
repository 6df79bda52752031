/* SPDX-License-Identifier: MIT */
/* test_errlog.c: the error-log parser on annotated lines of MySQL 5.7, 8.0/8.4 (UTC and local
 * offsets) and MariaDB (new and old timestamp formats), and on the lab's real logs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "semiscope/errlog.h"
#include "semiscope/status.h"

/* 2024-05-01T10:00:00Z as unix time */
#define T20240501_10 1714557600LL
#define NS 1000000000LL

static struct ss_errlog *parse(const char *text, int32_t tz)
{
    struct ss_errlog_cfg cfg;
    ss_errlog_cfg_defaults(&cfg);
    cfg.tz_offset_s = tz;
    struct ss_errlog *el = ss_errlog_new(&cfg);
    assert_non_null(el);
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        ss_errlog_line(el, p, len);
        p += len + (nl ? 1 : 0);
    }
    ss_errlog_sort(el);
    return el;
}

static void test_timestamps(void **state)
{
    (void)state;
    int64_t ts;
    int32_t res;
    /* MySQL 5.7/8.0: ISO 8601 UTC with µs */
    const char *a = "2024-05-01T10:00:00.123456Z 12 [Note]";
    assert_int_equal(ss_errlog_parse_ts(a, strlen(a), 0, &ts, &res), 27);
    assert_int_equal(ts, T20240501_10 * NS + 123456000);
    assert_int_equal(res, 1000);
    /* log_timestamps=SYSTEM: an explicit offset wins over --log-tz */
    const char *b = "2024-05-01T12:00:00.000001+02:00 0 [Note]";
    assert_int_equal(ss_errlog_parse_ts(b, strlen(b), -3600, &ts, &res), 32);
    assert_int_equal(ts, T20240501_10 * NS + 1000);
    /* MariaDB: local time, whole seconds, read in --log-tz */
    const char *c = "2024-05-01 12:00:00 5 [Note]";
    assert_int_equal(ss_errlog_parse_ts(c, strlen(c), 7200, &ts, &res), 19);
    assert_int_equal(ts, T20240501_10 * NS);
    assert_int_equal(res, 1000000000);
    /* MariaDB pads a one-digit hour with a space: "2026-11-22  2:29:09" */
    const char *d = "2024-05-01  9:00:00 5 [Note]";
    assert_int_equal(ss_errlog_parse_ts(d, strlen(d), -3600, &ts, &res), 19);
    assert_int_equal(ts, T20240501_10 * NS);
    /* old MariaDB / MySQL 5.6: YYMMDD H:MM:SS */
    const char *e = "240501 10:00:00 [Note]";
    assert_int_equal(ss_errlog_parse_ts(e, strlen(e), 0, &ts, &res), 15);
    assert_int_equal(ts, T20240501_10 * NS);
    /* not timestamps */
    assert_int_equal(ss_errlog_parse_ts("hello", 5, 0, &ts, &res), 0);
    assert_int_equal(ss_errlog_parse_ts("2024-13-01 10:00:00", 19, 0, &ts, &res), 0);
    assert_int_equal(ss_errlog_parse_ts("2024-05-01 25:00:00", 19, 0, &ts, &res), 0);
}

static void test_tz(void **state)
{
    (void)state;
    int32_t off;
    char errbuf[SS_ERRBUF_SIZE];
    assert_true(ss_errlog_parse_tz("UTC", &off, errbuf));
    assert_int_equal(off, 0);
    assert_true(ss_errlog_parse_tz("+02:00", &off, errbuf));
    assert_int_equal(off, 7200);
    assert_true(ss_errlog_parse_tz("-0530", &off, errbuf));
    assert_int_equal(off, -(5 * 3600 + 30 * 60));
    assert_true(ss_errlog_parse_tz("+09", &off, errbuf));
    assert_int_equal(off, 9 * 3600);
    assert_false(ss_errlog_parse_tz("Europe/Paris", &off, errbuf));
    assert_non_null(strstr(errbuf, "offset"));
    assert_false(ss_errlog_parse_tz("+25:00", &off, errbuf));
    assert_false(ss_errlog_parse_tz("+02:0", &off, errbuf));
}

/* MySQL 8.0.26+ / 8.4 lines: [MY-code] [Repl] prefixes, source/replica wording. */
static const char mysql8_log[] =
    "2024-05-01T10:00:00.100000Z 1 [System] [MY-013577] [InnoDB] InnoDB initialization has "
    "ended.\n" /* not semisync: skipped */
    "2024-05-01T10:00:01.000000Z 21 [Note] [MY-011170] [Repl] Start semi-sync binlog_dump to "
    "replica (server_id: 2), pos(binlog.000003, 157).\n"
    "2024-05-01T10:00:01.500000Z 22 [Note] [MY-011170] [Repl] Start asynchronous binlog_dump to "
    "replica (server_id: 3), pos(binlog.000003, 157).\n"
    "2024-05-01T10:00:05.000000Z 21 [Note] [MY-011171] [Repl] Stop semi-sync binlog_dump to "
    "replica (server_id: 2).\n"
    "2024-05-01T10:00:16.000123Z 30 [Warning] [MY-011153] [Repl] Timeout waiting for reply of "
    "binlog (file: binlog.000003, pos: 4567), semi-sync up to file binlog.000003, position "
    "1234.\n"
    "2024-05-01T10:00:16.000200Z 30 [Note] [MY-011155] [Repl] Semi-sync replication switched "
    "OFF.\n"
    /* log_timestamps=SYSTEM at +02:00: 10:00:20 UTC */
    "2024-05-01T12:00:20.000000+02:00 0 [Note] [MY-011156] [Repl] Semi-sync replication switched "
    "ON at (binlog.000003, 5000).\n"
    "2024-05-01T10:00:21.000000Z 0 [ERROR] [MY-011137] [Repl] Read semi-sync reply magic number "
    "error.\n"
    "2024-05-01T10:00:22.000000Z 9 [Note] [MY-011142] [Repl] Semi-sync replication enabled on "
    "the source.\n"
    "2024-05-01T10:00:23.000000Z 9 [Note] [MY-011144] [Repl] Semi-sync replication disabled on "
    "the source.\n"
    "2024-05-01T10:00:24.000000Z 31 [Warning] [MY-011159] [Repl] Semi-sync failed to insert "
    "tranx_node for binlog file: binlog.000003, position: 9999.\n"
    "2024-05-01T10:00:25.000000Z 40 [Note] [MY-000000] [Repl] While initializing dump thread for "
    "replica with server_id 2, found a zombie dump thread with the same server_id. Source is "
    "killing the zombie dump thread(21).\n";

static void test_mysql8(void **state)
{
    (void)state;
    struct ss_errlog *el = parse(mysql8_log, 0);
    assert_int_equal(el->lines, 12);
    assert_int_equal(el->skipped, 1);
    assert_int_equal(el->n, 11);
    assert_int_equal(el->flavor_hint, 1);
    const struct ss_el_record *r = el->recs;
    assert_int_equal(r[0].kind, SS_EL_DUMP_START);
    assert_int_equal(r[0].semisync, 1);
    assert_int_equal(r[0].server_id, 2);
    assert_int_equal(r[0].thread_id, 21);
    assert_string_equal(r[0].file, "binlog.000003");
    assert_int_equal(r[0].pos, 157);
    assert_int_equal(r[1].semisync, 0); /* asynchronous */
    assert_int_equal(r[1].server_id, 3);
    assert_int_equal(r[2].kind, SS_EL_DUMP_STOP);
    assert_int_equal(r[3].kind, SS_EL_TIMEOUT);
    assert_int_equal(r[3].level, SS_EL_WARNING);
    assert_string_equal(r[3].file, "binlog.000003");
    assert_int_equal(r[3].pos, 4567);
    assert_string_equal(r[3].file2, "binlog.000003");
    assert_int_equal(r[3].pos2, 1234);
    assert_int_equal(r[3].ts_ns, (T20240501_10 + 16) * NS + 123000);
    assert_int_equal(r[4].kind, SS_EL_SWITCHED_OFF);
    assert_int_equal(r[5].kind, SS_EL_SWITCHED_ON);
    assert_int_equal(r[5].ts_ns, (T20240501_10 + 20) * NS);
    assert_string_equal(r[5].file, "binlog.000003");
    assert_int_equal(r[5].pos, 5000);
    assert_int_equal(r[5].server_id, -1);
    assert_int_equal(r[6].kind, SS_EL_MAGIC_ERROR);
    assert_int_equal(r[6].level, SS_EL_ERROR);
    assert_int_equal(r[7].kind, SS_EL_ENABLED);
    assert_int_equal(r[8].kind, SS_EL_DISABLED);
    assert_int_equal(r[9].kind, SS_EL_INSERT_FAILED);
    assert_int_equal(r[9].pos, 9999);
    assert_string_equal(r[9].file, "binlog.000003");
    assert_int_equal(r[10].kind, SS_EL_ZOMBIE_KILL);
    assert_int_equal(r[10].server_id, 2);
    assert_int_equal(r[10].killed_thread_id, 21);
    assert_int_equal(el->kind_counts[SS_EL_DUMP_START], 2);
    ss_errlog_free(el);
}

/* MySQL 5.7: no MY- codes, "master"/"slave" wording, ON "at (file, pos)" from thread 0. */
static const char mysql57_log[] =
    "2016-08-05T11:52:40.523475Z 0 [Note] Semi-sync replication switched ON at "
    "(mysql-bin.000003, 1447)\n"
    "2016-08-05T11:52:41.000000Z 5 [Note] Start semi-sync binlog_dump to slave (server_id: 2), "
    "pos(mysql-bin.000003, 154)\n"
    "2016-08-05T11:52:42.000000Z 7 [Note] Semi-sync replication enabled on the master.\n"
    "2016-08-05T11:52:43.000000Z 7 [Note] Semi-sync replication switched OFF.\n";

static void test_mysql57(void **state)
{
    (void)state;
    struct ss_errlog *el = parse(mysql57_log, 3600 /* ignored: UTC stamps */);
    assert_int_equal(el->n, 4);
    assert_int_equal(el->recs[0].kind, SS_EL_SWITCHED_ON);
    assert_int_equal(el->recs[0].thread_id, 0);
    assert_int_equal(el->recs[0].pos, 1447);
    assert_int_equal(el->recs[0].ts_ns, 1470397960LL * NS + 523475000);
    assert_int_equal(el->recs[1].server_id, 2);
    assert_int_equal(el->recs[2].kind, SS_EL_ENABLED);
    assert_int_equal(el->recs[3].kind, SS_EL_SWITCHED_OFF);
    assert_int_equal(el->flavor_hint, 1);
    ss_errlog_free(el);
}

/* MariaDB 10.x, as the lab's master writes it (padded hour), and the older YYMMDD format. */
static const char mariadb_log[] =
    "2026-11-22  2:29:09 13 [Note] Start binlog_dump to slave_server(2), pos(master-bin.000001, "
    "4), using_gtid(0), gtid('')\n" /* the plain line MariaDB writes first */
    "2026-11-22  2:29:09 13 [Note] Start semi-sync binlog_dump to slave (server_id: 2), "
    "pos(./master-bin.000001, 4)\n" /* "./" is dropped from the file */
    "2026-11-22  2:29:10 14 [Note] Start binlog_dump to slave_server(3), pos(, 4), "
    "using_gtid(1), gtid('')\n" /* GTID mode: empty file */
    "2026-11-22  2:29:11 22 [Warning] Timeout waiting for reply of binlog (file: "
    "master-bin.000001, pos: 7114), semi-sync up to file master-bin.000001, position 6843.\n"
    "2026-11-22  2:29:11 8 [Note] Semi-sync replication switched ON with slave (server_id: 2) "
    "at (master-bin.000001, 8469)\n"
    "2026-11-22 10:29:12 0 [Note] InnoDB: Buffer pool(s) load completed\n" /* skipped */
    "241122 10:00:00 [Note] Semi-sync replication switched OFF.\n"         /* old format */
    "241122 10:00:01 [Note] Semi-sync slave IO thread has stopped\n"      /* replica side */
    "Semi-sync replication switched OFF.\n" /* no timestamp: bad_ts */
    "2026-11-22  2:29:12 30 [Warning] Timeout waiting for reply of binlog (file: "
    "master-bin.000002, pos: 100), last semi-sync at file (none), position 0.\n";

static void test_mariadb(void **state)
{
    (void)state;
    struct ss_errlog *el = parse(mariadb_log, 3600); /* --log-tz +01:00 */
    assert_int_equal(el->skipped, 1);
    assert_int_equal(el->bad_ts, 1);
    assert_int_equal(el->n, 8);
    assert_int_equal(el->flavor_hint, 2);
    /* sorted by time: the YYMMDD lines (2024) come first */
    const struct ss_el_record *r = el->recs;
    assert_int_equal(r[0].kind, SS_EL_SWITCHED_OFF);
    assert_int_equal(r[0].thread_id, -1);
    assert_int_equal(r[0].ts_ns, (1732269600LL - 3600) * NS); /* 2024-11-22 10:00 at +01:00 */
    assert_int_equal(r[1].kind, SS_EL_IO_STOPPED);
    /* 2026-11-22 02:29:09 +01:00 */
    int64_t t0 = (1795314549LL - 3600) * NS;
    assert_int_equal(r[2].ts_ns, t0);
    assert_int_equal(r[2].kind, SS_EL_DUMP_START);
    assert_int_equal(r[2].semisync, -1);
    assert_int_equal(r[2].server_id, 2);
    assert_int_equal(r[3].semisync, 1);
    assert_string_equal(r[3].file, "master-bin.000001");
    assert_int_equal(r[3].pos, 4);
    assert_int_equal(r[4].server_id, 3);
    assert_string_equal(r[4].file, "");
    assert_int_equal(r[4].pos, 4);
    assert_int_equal(r[5].kind, SS_EL_TIMEOUT);
    assert_int_equal(r[5].pos, 7114);
    assert_int_equal(r[5].pos2, 6843);
    assert_int_equal(r[6].kind, SS_EL_SWITCHED_ON);
    assert_int_equal(r[6].server_id, 2);
    assert_string_equal(r[6].file, "master-bin.000001");
    assert_int_equal(r[6].pos, 8469);
    assert_int_equal(r[7].kind, SS_EL_TIMEOUT); /* MDEV-37120 wording */
    assert_string_equal(r[7].file2, "(none)");
    assert_int_equal(r[7].pos2, 0);
    assert_non_null(strstr(r[5].raw, "Timeout waiting"));
    ss_errlog_free(el);
}

static void test_caps(void **state)
{
    (void)state;
    struct ss_errlog_cfg cfg;
    ss_errlog_cfg_defaults(&cfg);
    cfg.max_records = 3;
    struct ss_errlog *el = ss_errlog_new(&cfg);
    const char *line = "2024-05-01 10:00:00 1 [Note] Semi-sync replication switched OFF.";
    for (int i = 0; i < 5; i++)
        ss_errlog_line(el, line, strlen(line));
    assert_int_equal(el->n, 3);
    assert_int_equal(el->dropped, 2);
    assert_int_equal(el->kind_counts[SS_EL_SWITCHED_OFF], 3); /* the records kept */
    /* raw is truncated, never overflows */
    char big[1000];
    memset(big, 'y', sizeof(big));
    memcpy(big, line, strlen(line));
    struct ss_errlog *el2 = ss_errlog_new(NULL);
    ss_errlog_line(el2, big, sizeof(big));
    assert_int_equal(el2->n, 1);
    assert_int_equal(strlen(el2->recs[0].raw), SS_EL_RAW_MAX - 1);
    char errbuf[SS_ERRBUF_SIZE];
    assert_int_equal(ss_errlog_load_file(el2, "/nonexistent/error.log", errbuf), SS_ERR_IO);
    ss_errlog_free(el);
    ss_errlog_free(el2);
}

/* Over the cap the NEWEST records are kept (issue 14: a long log followed by the incident lost
 * the incident — "switched OFF 0 times" instead of 2), whatever the order lines were pushed in
 * relative to the ring's wrap; what gave way is counted, with its latest time. */
static void test_cap_keeps_newest(void **state)
{
    (void)state;
    struct ss_errlog_cfg cfg;
    ss_errlog_cfg_defaults(&cfg);
    cfg.max_records = 4;
    struct ss_errlog *el = ss_errlog_new(&cfg);
    assert_non_null(el);
    char line[160];
    /* ten old dump starts, one minute apart, then the incident: timeout, OFF, ON */
    for (int i = 0; i < 10; i++) {
        snprintf(line, sizeof(line),
                 "2024-05-01 09:%02d:00 5 [Note] Start semi-sync binlog_dump to slave "
                 "(server_id: 2), pos(./master-bin.000001, 4)", i);
        ss_errlog_line(el, line, strlen(line));
    }
    static const char *const incident[] = {
        "2024-05-01 10:00:01 7 [Warning] Timeout waiting for reply of binlog (file: "
        "master-bin.000001, pos: 7114), semi-sync up to file master-bin.000001, position 6800.",
        "2024-05-01 10:00:01 7 [Note] Semi-sync replication switched OFF.",
        "2024-05-01 10:00:05 14 [Note] Semi-sync replication switched ON with slave (server_id: "
        "2) at (master-bin.000001, 8469)",
    };
    for (size_t i = 0; i < 3; i++)
        ss_errlog_line(el, incident[i], strlen(incident[i]));
    ss_errlog_sort(el);
    assert_int_equal(el->n, 4);
    assert_int_equal(el->dropped, 9);
    /* the last dump start dropped was at 09:08 */
    assert_int_equal(el->dropped_last_ts_ns, (T20240501_10 - 52 * 60) * NS);
    assert_int_equal(el->recs[0].kind, SS_EL_DUMP_START);
    assert_int_equal(el->recs[0].ts_ns, (T20240501_10 - 51 * 60) * NS); /* 09:09 */
    assert_int_equal(el->recs[1].kind, SS_EL_TIMEOUT);
    assert_int_equal(el->recs[2].kind, SS_EL_SWITCHED_OFF);
    assert_int_equal(el->recs[3].kind, SS_EL_SWITCHED_ON);
    assert_int_equal(el->kind_counts[SS_EL_DUMP_START], 1);
    assert_int_equal(el->kind_counts[SS_EL_SWITCHED_OFF], 1);
    for (uint32_t i = 1; i < el->n; i++)
        assert_true(el->recs[i - 1].ts_ns <= el->recs[i].ts_ns);
    /* Sorted once, pushed again: still the newest kept. */
    ss_errlog_line(el, incident[1], strlen(incident[1]));
    ss_errlog_sort(el);
    assert_int_equal(el->n, 4);
    assert_int_equal(el->dropped, 10);
    assert_int_equal(el->kind_counts[SS_EL_DUMP_START], 0);
    assert_int_equal(el->kind_counts[SS_EL_SWITCHED_OFF], 2);
    ss_errlog_free(el);
}

/* A run of NUL bytes, as a crash leaves in a log, neither hides the line after it nor gets parsed
 * with the text it cut short (issue 14). */
static void test_nul_bytes(void **state)
{
    (void)state;
    static const char log[] =
        "2024-05-01 10:00:00 7 [Warning] Timeout waiting for reply of binlog (file: "
        "master-bin.000001, pos: 7114), semi-sync up to file master-bin.000001, position 6800.\n"
        "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"   /* the crash's garbage */
        "2024-05-01 10:00:00 7 [Note] Semi-sync replication switched OFF.\n"
        "2024-05-01 10:00:02 8 [Warning] Timeout waiting for reply of binlog (file: "
        "master-bin.000001, pos: 71"                    /* cut: pos would read 71 */
        "\0\0\0\0"
        "2024-05-01 10:00:05 0 [Note] Starting MariaDB 10.11.19 source revision x as process 1\n";
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(log, 1, sizeof(log) - 1, f), sizeof(log) - 1);
    rewind(f);
    struct ss_errlog *el = ss_errlog_new(NULL);
    assert_non_null(el);
    assert_int_equal(ss_errlog_load_stream(el, f), SS_OK);
    fclose(f);
    assert_int_equal(el->damaged_lines, 2);
    assert_int_equal(el->n, 3);
    assert_int_equal(el->recs[0].kind, SS_EL_TIMEOUT);
    assert_int_equal(el->recs[0].pos, 7114);
    assert_int_equal(el->recs[1].kind, SS_EL_SWITCHED_OFF); /* hidden by the NULs before */
    assert_int_equal(el->recs[2].kind, SS_EL_STARTING);
    assert_int_equal(el->kind_counts[SS_EL_TIMEOUT], 1); /* the cut one is not a record */
    assert_int_equal(el->lines, 5);
    ss_errlog_free(el);
}

/* The lab's timeout scenario: two rounds of timeout → OFF → ON with server_id 2, each preceded
 * by both replicas' semi-sync dumps stopping. */
static void test_lab_timeout(void **state)
{
    (void)state;
    const char *src = getenv("SEMISCOPE_SRC");
    char path[512], errbuf[SS_ERRBUF_SIZE];
    snprintf(path, sizeof(path), "%s/tests/pcaps/lab/timeout_recovery/error.log",
             src ? src : ".");
    struct ss_errlog *el = ss_errlog_new(NULL);
    if (ss_errlog_load_file(el, path, errbuf) != SS_OK) {
        print_message("lab error.log not available (%s): skipped\n", errbuf);
        ss_errlog_free(el);
        return;
    }
    snprintf(path, sizeof(path), "%s/tests/pcaps/lab/timeout_recovery/expected.json",
             src ? src : ".");
    json_t *exp = json_load_file(path, 0, NULL);
    assert_non_null(exp);
    int64_t no_times = json_integer_value(
        json_object_get(json_object_get(exp, "counters"), "no_times"));
    assert_int_equal(el->kind_counts[SS_EL_TIMEOUT], no_times);
    assert_int_equal(el->kind_counts[SS_EL_SWITCHED_OFF], no_times);
    assert_int_equal(el->kind_counts[SS_EL_SWITCHED_ON], no_times);
    assert_int_equal(el->skipped, 0);
    assert_int_equal(el->bad_ts, 0);
    /* every OFF follows its timeout, and every semi-sync dump of 2 and 3 stopped before it */
    for (uint32_t i = 0; i < el->n; i++) {
        const struct ss_el_record *r = &el->recs[i];
        if (r->kind == SS_EL_SWITCHED_ON) {
            assert_int_equal(r->server_id, 2);
            assert_true(r->pos > 0);
        }
        if (r->kind != SS_EL_SWITCHED_OFF)
            continue;
        assert_true(i > 0 && el->recs[i - 1].kind == SS_EL_TIMEOUT);
        int stops = 0;
        for (uint32_t k = 0; k < i; k++)
            if (el->recs[k].kind == SS_EL_DUMP_STOP && el->recs[k].semisync == 1)
                stops++;
        assert_true(stops >= 2);
    }
    /* the lab's master writes UTC: the first line is within a few seconds of capture start */
    double start = json_real_value(json_object_get(json_object_get(exp, "capture"), "start_ts"));
    assert_true(llabs(el->recs[0].ts_ns / NS - (int64_t)start) <= 5);
    json_decref(exp);
    ss_errlog_free(el);
}

/* The server's own shutdown and startup (a master restart cuts every replica at once), in
 * MariaDB 10.11's words (the live_poll lab's error.log) and MySQL 8.0's; the look-alike lines
 * around them stay skipped. */
static const char lifecycle_log[] =
    /* MariaDB 10.11, SIGTERM by PID */
    "2026-11-22  3:38:50 0 [Note] mariadbd (initiated by: unknown): Normal shutdown\n"
    "2026-11-22  3:38:50 0 [Note] InnoDB: Starting shutdown...\n"            /* skipped */
    "2026-11-22  3:38:50 0 [Note] Shutdown completed; log sequence number 65180; transaction "
    "id 89\n"                                                                  /* skipped: InnoDB */
    "2026-11-22  3:38:50 0 [Note] mariadbd: Shutdown complete\n"
    "\n"                                                                       /* skipped */
    "2026-11-22  3:38:51 0 [Note] Starting MariaDB 10.11.19-MariaDB-0+deb12u1-log source "
    "revision 5843d8475120241667a7ce0f8a1abb6c9b43a273 as process 31458\n"
    "2026-11-22  3:38:51 0 [Note] mariadbd: ready for connections.\n"
    "Version: '10.11.19-MariaDB-0+deb12u1-log'  socket: '/tmp/m.sock'  port: 13306\n" /* skipped */
    /* MySQL 8.0 */
    "2026-11-22T03:40:00.000001Z 0 [System] [MY-013172] [Server] Received SHUTDOWN from user "
    "<via user signal>. Shutting down mysqld (Version: 8.0.36).\n"
    "2026-11-22T03:40:01.500000Z 0 [System] [MY-010910] [Server] /usr/sbin/mysqld: Shutdown "
    "complete (mysqld 8.0.36)  MySQL Community Server - GPL.\n"
    "2026-11-22T03:40:03.000000Z 0 [System] [MY-010116] [Server] /usr/sbin/mysqld (mysqld 8.0.36) "
    "starting as process 1\n"
    "2026-11-22T03:40:04.000000Z 0 [System] [MY-011323] [Server] X Plugin ready for connections. "
    "Bind-address: '::' port: 33060\n"                                         /* skipped */
    "2026-11-22T03:40:04.100000Z 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for "
    "connections. Version: '8.0.36'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306\n"
    /* a crash */
    "2026-11-22T03:41:00.000000Z 0 [ERROR] [MY-000000] [Server] mysqld got signal 11 ;\n";

static void test_lifecycle(void **state)
{
    (void)state;
    struct ss_errlog *el = parse(lifecycle_log, 0);
    static const enum ss_el_kind want[] = {
        SS_EL_SHUTDOWN, SS_EL_SHUTDOWN_COMPLETE, SS_EL_STARTING, SS_EL_READY,
        SS_EL_SHUTDOWN, SS_EL_SHUTDOWN_COMPLETE, SS_EL_STARTING, SS_EL_READY, SS_EL_CRASH,
    };
    assert_int_equal(el->n, SS_ARRAY_LEN(want));
    for (size_t i = 0; i < SS_ARRAY_LEN(want); i++)
        assert_int_equal(el->recs[i].kind, want[i]);
    assert_int_equal(el->skipped, 5);
    /* MariaDB's whole-second local times, MySQL's microseconds */
    assert_int_equal(el->recs[0].ts_res_ns, 1000000000);
    assert_int_equal(el->recs[3].ts_ns, (int64_t)1795318731 * NS);
    assert_int_equal(el->recs[5].ts_ns, (int64_t)1795318801 * NS + 500000000);
    assert_int_equal(el->recs[5].level, SS_EL_SYSTEM);
    assert_string_equal(ss_el_kind_name(SS_EL_SHUTDOWN), "shutdown");
    assert_string_equal(ss_el_kind_name(SS_EL_SHUTDOWN_COMPLETE), "shutdown_complete");
    assert_string_equal(ss_el_kind_name(SS_EL_STARTING), "starting");
    assert_string_equal(ss_el_kind_name(SS_EL_READY), "ready");
    assert_string_equal(ss_el_kind_name(SS_EL_CRASH), "crash");
    assert_string_equal(ss_el_kind_name(SS_EL_KIND_COUNT), "unknown");
    ss_errlog_free(el);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timestamps), cmocka_unit_test(test_tz),
        cmocka_unit_test(test_mysql8),     cmocka_unit_test(test_mysql57),
        cmocka_unit_test(test_mariadb),    cmocka_unit_test(test_caps),
        cmocka_unit_test(test_cap_keeps_newest), cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_lab_timeout), cmocka_unit_test(test_lifecycle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
