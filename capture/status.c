/* SPDX-License-Identifier: MIT */
/* status.c: status texts and the status → exit-code table (the CLI's documented contract). */
#include "semiscope/status.h"

const char *ss_status_str(enum ss_status st)
{
    switch (st) {
    case SS_OK: return "ok";
    case SS_ERR_NOMEM: return "out of memory";
    case SS_ERR_IO: return "input/output error";
    case SS_ERR_FORMAT: return "not a pcap or pcapng capture";
    case SS_ERR_FILTER: return "bad capture filter";
    case SS_ERR_LIVE: return "live capture could not be opened";
    case SS_ERR_ARG: return "invalid argument";
    }
    return "unknown status";
}

enum ss_exit ss_status_exit_code(enum ss_status st)
{
    switch (st) {
    case SS_OK: return SS_EXIT_OK;
    case SS_ERR_IO:
    case SS_ERR_FORMAT: return SS_EXIT_INPUT;
    case SS_ERR_FILTER:
    case SS_ERR_ARG: return SS_EXIT_USAGE;
    case SS_ERR_LIVE: return SS_EXIT_LIVE;
    case SS_ERR_NOMEM: break;
    }
    return SS_EXIT_INTERNAL;
}
