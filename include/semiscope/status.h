/* SPDX-License-Identifier: MIT */
/* status.h: project-wide status codes and the documented exit-code contract of the CLI. */
#ifndef SEMISCOPE_STATUS_H
#define SEMISCOPE_STATUS_H

/* Exit codes are API (README "Exit codes", --help): never renumber. */
enum ss_exit {
    SS_EXIT_OK = 0,          /* input processed; anomalies are reported, not failures */
    SS_EXIT_INTERNAL = 1,    /* internal error: out of memory, unexpected failure */
    SS_EXIT_USAGE = 2,       /* bad flags or filter syntax */
    SS_EXIT_INPUT = 3,       /* input unreadable, not a capture, or not readable to its end
                              * (the report, when written, covers what was read) */
    SS_EXIT_LIVE = 4,        /* live capture could not be opened */
    SS_EXIT_OUTPUT = 5,      /* report or -w output could not be written */
};

/* Library status: 0 ok, negative errors. Wire anomalies are never statuses; they are counters. */
enum ss_status {
    SS_OK = 0,
    SS_ERR_NOMEM = -1,
    SS_ERR_IO = -2,
    SS_ERR_FORMAT = -3,      /* file is not a capture */
    SS_ERR_FILTER = -4,      /* BPF expression does not compile */
    SS_ERR_LIVE = -5,        /* device could not be opened/activated */
    SS_ERR_ARG = -6,
};

const char *ss_status_str(enum ss_status st);
enum ss_exit ss_status_exit_code(enum ss_status st);

#endif
