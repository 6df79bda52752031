/* SPDX-License-Identifier: MIT */
/* errlog.h: the semisync lines of a MySQL 5.7 / 8.0 / 8.4 or MariaDB error log (`--error-log`),
 * as typed records (issue 7; protocol.md §8.4; docs/postmortem.md "Error logs").
 *
 * Timestamp formats: `2016-08-05T11:52:40.523475Z` (UTC), `2024-05-01T12:00:00.123456+02:00`
 * (log_timestamps=SYSTEM), `2024-05-01 10:00:00` and `2024-05-01  2:00:00` (MariaDB, local
 * time), `241122 10:00:00` (old MariaDB / MySQL ≤ 5.6, local time). Local times are read in the
 * `--log-tz` offset (default UTC). Besides the semisync lines, the server's shutdown, startup and
 * crash lines are kept (they explain a restart of the master). Other lines are counted and
 * skipped. The file is read whatever bytes it holds: a run of NUL bytes (what a crash leaves)
 * ends the line it cuts short, which is counted in `damaged_lines` and not parsed; the line after
 * the run is read as usual.
 *
 * At most `max_records` records are kept, and they are the NEWEST: a log is collected after the
 * incident, so the incident is near its end, and a long history before it must not push it out.
 * Records that give way are counted in `dropped` (the oldest first, in file order), and
 * `dropped_last_ts_ns` says up to when the records were dropped. */
#ifndef SEMISCOPE_ERRLOG_H
#define SEMISCOPE_ERRLOG_H

#include <stdio.h>

#include "semiscope/common.h"

enum ss_el_kind {
    SS_EL_TIMEOUT = 0,      /* Timeout waiting for reply of binlog (file, pos), up to (file2, pos2) */
    SS_EL_SWITCHED_OFF,     /* Semi-sync replication switched OFF */
    SS_EL_SWITCHED_ON,      /* … switched ON [with slave (server_id: N)] at (file, pos) */
    SS_EL_DUMP_START,       /* Start [semi-sync|asynchronous] binlog_dump to slave/replica */
    SS_EL_DUMP_STOP,        /* Stop [semi-sync|asynchronous] binlog_dump to slave/replica */
    SS_EL_MAGIC_ERROR,      /* Read semi-sync reply magic number error / Missing magic number */
    SS_EL_IO_STOPPED,       /* slave IO thread has stopped (semisync replica side) */
    SS_EL_ZOMBIE_KILL,      /* killing the zombie dump thread of server_id N (thread T) */
    SS_EL_ENABLED,          /* Semi-sync replication enabled on the master/source */
    SS_EL_DISABLED,         /* Semi-sync replication disabled on the master/source */
    SS_EL_INSERT_FAILED,    /* Semi-sync failed to insert tranx_node (file, pos) */
    SS_EL_FLUSH_FAILED,     /* Semi-sync master/source failed on net_flush() */
    SS_EL_FORCED_SHUTDOWN,  /* SEMISYNC: Forced shutdown */
    /* The server's own life (a restart of the master cuts every replica at once): */
    SS_EL_SHUTDOWN,         /* shutdown begins: "Normal shutdown" (MariaDB, MySQL 5.x),
                             * "Received SHUTDOWN from user" (MySQL 8, MY-013172) */
    SS_EL_SHUTDOWN_COMPLETE, /* "mariadbd: Shutdown complete", "[MY-010910] … Shutdown complete"
                             * (not InnoDB's "Shutdown completed; log sequence number") */
    SS_EL_STARTING,         /* "Starting MariaDB 10.11…", "… (mysqld 8.0.36) starting as process" */
    SS_EL_READY,            /* "ready for connections" (not MySQL's "X Plugin ready …") */
    SS_EL_CRASH,            /* "mysqld got signal 11" and the like: the server crashed */
    SS_EL_KIND_COUNT
};
/* "timeout", "switched_off", "switched_on", "dump_start", "dump_stop", "magic_error",
 * "io_stopped", "zombie_kill", "enabled", "disabled", "insert_failed", "flush_failed",
 * "forced_shutdown", "shutdown", "shutdown_complete", "starting", "ready", "crash". */
const char *ss_el_kind_name(enum ss_el_kind k);

enum ss_el_level { SS_EL_NOTE = 0, SS_EL_WARNING, SS_EL_ERROR, SS_EL_SYSTEM };

#define SS_EL_FILE_MAX 64
#define SS_EL_RAW_MAX 200

struct ss_el_record {
    int64_t ts_ns;           /* UTC, ns since the epoch */
    int32_t ts_res_ns;       /* the log's timestamp resolution: 1000 (µs) or 1e9 (whole seconds) */
    enum ss_el_kind kind;
    enum ss_el_level level;
    int64_t thread_id;       /* -1 when the format has none */
    int64_t server_id;       /* replica server_id, -1 unknown */
    int64_t killed_thread_id; /* zombie kill: the dump thread killed, -1 unknown */
    int semisync;            /* dump start/stop: 1 semi-sync, 0 asynchronous, -1 not said */
    char file[SS_EL_FILE_MAX];   /* binlog file ("" none); a leading "./" is removed */
    int64_t pos;                 /* -1 none */
    char file2[SS_EL_FILE_MAX];  /* timeout: semi-sync up to file ("" none / "(none)") */
    int64_t pos2;
    char raw[SS_EL_RAW_MAX];     /* the line, truncated */
};

struct ss_errlog_cfg {
    int32_t tz_offset_s;     /* --log-tz: seconds east of UTC for local-time formats; default 0 */
    uint32_t max_records;    /* default 100000 (about 40 MB); the newest are kept */
};
void ss_errlog_cfg_defaults(struct ss_errlog_cfg *cfg);

/* Parse a --log-tz value: "UTC", "Z", "GMT", "+HH:MM", "-HH:MM", "+HHMM", "+HH". IANA zone names
 * (Europe/Paris) are refused: their offset depends on the date (DST) and resolving them would
 * need the process-global TZ; give the offset in force at the incident instead. Returns false
 * with a message in errbuf. */
bool ss_errlog_parse_tz(const char *s, int32_t *offset_s, char *errbuf);

struct ss_errlog {
    struct ss_errlog_cfg cfg;
    struct ss_el_record *recs; /* in time order after ss_errlog_sort (the loaders call it); while
                              * lines are pushed over the cap it is a ring starting at `head` */
    uint32_t n, cap, head;
    uint64_t lines, skipped, bad_ts, kind_counts[SS_EL_KIND_COUNT]; /* kinds of the records kept */
    uint64_t dropped;        /* records that gave way at the cap (older than every record kept),
                              * or that memory could not hold */
    int64_t dropped_last_ts_ns; /* the latest time among the dropped records (0: none dropped) */
    uint64_t damaged_lines;  /* lines cut short by a run of NUL bytes: counted, not parsed */
    int flavor_hint;         /* 1 MySQL (ISO 8601 'T' / MY- codes / "source"), 2 MariaDB, 0 ? */
};

struct ss_errlog *ss_errlog_new(const struct ss_errlog_cfg *cfg);
void ss_errlog_free(struct ss_errlog *el);
/* Push one line. Never fails: non-semisync lines are `skipped`, semisync lines whose timestamp
 * does not parse are `bad_ts`; over the cap the oldest record gives way (`dropped`). */
void ss_errlog_line(struct ss_errlog *el, const char *line, size_t len);
int ss_errlog_load_file(struct ss_errlog *el, const char *path, char *errbuf);
int ss_errlog_load_stream(struct ss_errlog *el, FILE *f);
/* Put the records in time order (file order for equal times, when the log was in order); the
 * loaders call it. Call it after pushing lines with ss_errlog_line, before reading `recs`. */
void ss_errlog_sort(struct ss_errlog *el);

/* Timestamp parser, exposed for tests: returns the length of the timestamp prefix (0: none);
 * *res_ns: its resolution. */
size_t ss_errlog_parse_ts(const char *s, size_t len, int32_t tz_offset_s, int64_t *ts_ns,
                          int32_t *res_ns);

#endif
