/* SPDX-License-Identifier: MIT */
/* poller.h: live polling of a server's semisync status and variables through libmariadb, in a
 * dedicated thread, during a live capture (`--dsn`, `--poll-interval`, `--record-status`; issue 7,
 * docs/postmortem.md "Live polling").
 *
 * DSN forms (no password, ever: it comes from MYSQL_PWD or the client option files, [client]):
 *   mysql://user@host:port          TCP (port defaults to 3306; IPv6 as [addr]:port)
 *   mysql://user@host               TCP, port 3306
 *   mysql://user@localhost/?socket=/path/to/socket   unix socket
 *   mysql://user@/path/to/socket    unix socket (the part after '@' starts with '/')
 *   mysql://host:port               no user: libmariadb takes it from the option files
 * `mariadb://` is accepted as a synonym; %XX escapes are decoded in user and socket.
 *
 * Every interval the thread runs SHOW GLOBAL STATUS WHERE Variable_name LIKE 'Rpl_semi_sync%' OR
 * Variable_name = 'Uptime' (all rows, one timestamp; Uptime reveals a server restart) and SHOW GLOBAL VARIABLES LIKE 'rpl_semi_sync%' (rows whose value changed since the
 * last connect). Lost connections are retried with exponential backoff (bounded); the outage is
 * reported as a DISCONNECTED item and ended by a CONNECTED one. Items reach the caller's thread
 * through a bounded queue; ss_poller_drain hands them over and appends them to the record file
 * in the `--status` format (docs/postmortem.md). */
#ifndef SEMISCOPE_POLLER_H
#define SEMISCOPE_POLLER_H

#include "semiscope/common.h"

struct ss_status_samples;

struct ss_dsn {
    char user[128];      /* "" = from the option files / login name */
    char host[256];      /* "" with a socket */
    unsigned port;       /* 0 = default */
    char socket[512];    /* "" = TCP */
};
/* Parse a DSN (forms above). False with a message in errbuf; a password in the DSN is refused. */
bool ss_dsn_parse(const char *dsn, struct ss_dsn *out, char *errbuf);

struct ss_poller_cfg {
    const char *dsn;             /* required; copied */
    double interval_s;           /* --poll-interval, default 1.0, min 0.05 */
    const char *record_path;     /* --record-status FILE, NULL = none; opened by ss_poller_start */
    uint32_t queue_cap;          /* items, default 16384; items over it are dropped and counted */
    double backoff_min_s;        /* default 0.25 */
    double backoff_max_s;        /* default 10 */
    unsigned timeout_s;          /* connect/read/write timeout, default 5 */
};
void ss_poller_cfg_defaults(struct ss_poller_cfg *cfg);

enum ss_poll_kind {
    SS_POLL_SAMPLE = 0,          /* name/value of one row */
    SS_POLL_CONNECTED,           /* value: the server version */
    SS_POLL_DISCONNECTED,        /* value: the client's error text (never a password) */
};

struct ss_poll_item {
    enum ss_poll_kind kind;
    int64_t ts_ns;               /* the server sample's wall-clock time (see poller.c), in
                                  * whole microseconds as the record keeps it */
    char name[64];
    char value[160];
};

struct ss_poller_stats {
    uint64_t polls, samples, connects, disconnects, connect_failures;
    uint64_t queue_dropped, record_errors;
};

struct ss_poller;

/* Validate the DSN, open the record file, start the thread. NULL with errbuf set on a bad DSN,
 * an unwritable record file or a thread that cannot start. Connection problems are not errors:
 * the thread keeps retrying and reports them as items. */
struct ss_poller *ss_poller_start(const struct ss_poller_cfg *cfg, char *errbuf);

/* Wait until the thread's first poll round is over (its rows are queued, or the first connection
 * attempt failed), at most max_s seconds. True when it is over. */
bool ss_poller_wait_first(struct ss_poller *p, double max_s);

typedef void (*ss_poll_cb)(void *ctx, const struct ss_poll_item *item);
/* Hand every queued item to cb (may be NULL) in order and append it to the record file; returns
 * how many. Call it from the capture loop, e.g. once per packet batch or per second. */
size_t ss_poller_drain(struct ss_poller *p, ss_poll_cb cb, void *ctx);
/* A ready-made callback: ctx is a struct ss_status_samples *; samples and gaps are added. */
void ss_poller_to_samples(void *ctx, const struct ss_poll_item *item);
void ss_poller_stats(struct ss_poller *p, struct ss_poller_stats *out);
/* Stop the thread (waits at most about one query timeout), drain what is left through cb,
 * close the record file and free. Returns SS_OK, or SS_ERR_IO when the record file had write
 * errors. NULL p is a no-op. */
int ss_poller_stop(struct ss_poller *p, ss_poll_cb cb, void *ctx);

#endif
