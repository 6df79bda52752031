/* SPDX-License-Identifier: MIT */
/* cli.h: the command line, parsed into one options struct (tools/ only). */
#ifndef SEMISCOPE_CLI_H
#define SEMISCOPE_CLI_H

#include <stdio.h>

#include "semiscope/common.h"
#include "semiscope/packet.h"

#define CLI_MAX_FILES 1024
#define CLI_MAX_PORTS 32

enum cli_mode { CLI_MODE_REPORT = 0, CLI_MODE_EVENTS, CLI_MODE_FLOWS };

struct cli_opts {
    const char *files[CLI_MAX_FILES];
    size_t nfiles;
    const char *iface;
    const char *write_file;   /* -w */
    const char *report_file;  /* -O */
    const char *html_file;    /* --html ("-" = stdout) */
    const char *csv_file;     /* --csv ("-" = stdout) */
    const char *user;         /* -Z */
    const char *filter_file;  /* -F */
    char *filter;             /* trailing args joined, or -F contents; owned */
    uint64_t count;           /* -c, 0 = unlimited */
    int snaplen;
    int buffer_kib;
    uint16_t ports[CLI_MAX_PORTS];
    size_t nports;
    int verbosity;
    bool json;
    bool no_promisc;          /* -p */
    bool all_events;          /* --events --all: include tcp_ack and tcp_window lines */
    enum cli_mode mode;
    int progress;             /* -1 auto (stderr is a tty), 0 off, 1 on */
    uint64_t interval_ms;     /* timeline bucket */
    /* semisync parameters (issue 6); -1 = not given */
    int64_t timeout_ms;
    int64_t wait_count;
    int wait_no_slave;
    int wait_point_after_sync;
    /* postmortem (issue 7) */
    const char *status_files[16]; /* --status, repeatable (status and variables files) */
    size_t nstatus;
    const char *error_log;
    const char *log_tz;
    const char *dsn;
    uint64_t poll_interval_ms;
    const char *record_status;
    double status_anchor;     /* < 0: none */
    double status_interval;   /* seconds between mysqladmin tables, default 1 */
    /* focus and window */
    const char *replica;      /* --replica IP, as given */
    struct ss_addr replica_addr;
    bool has_since, has_until;
    uint64_t since_ns, until_ns; /* --since/--until, capture time (ns since the epoch) */
    /* caps */
    uint32_t max_flows;
    uint64_t memcap_mib;
};

/* Parse argv. Returns 0 to run, 1 when --help/--version was printed (exit 0), 2 on usage error
 * (one line on stderr, then the --help hint). */
int cli_parse(int argc, char **argv, struct cli_opts *o);
void cli_free(struct cli_opts *o);
void cli_usage(FILE *out);
/* True when the report (text or JSON) goes to standard output: no -O, and neither --html - nor
 * --csv - took standard output for itself. */
bool cli_report_to_stdout(const struct cli_opts *o);
/* "2026-11-22T10:01:52.5Z", "2026-11-22 10:01:52+01:00", "2026-11-22T10:01:52" (UTC) or unix
 * seconds "1795341712.5" → ns since the epoch. False when it is none of these. */
bool cli_parse_time(const char *s, uint64_t *ns);

#endif
