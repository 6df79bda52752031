/* SPDX-License-Identifier: MIT */
/* privdrop.h: give up root after the live capture is open (-Z USER), as tcpdump -Z does: the
 * packet parsers then never run with privileges. */
#ifndef SEMISCOPE_PRIVDROP_H
#define SEMISCOPE_PRIVDROP_H

#include "semiscope/common.h"
#include "semiscope/status.h"

/* Switch the process to `user`'s uid, primary gid and supplementary groups, then verify that the
 * switch took and that root cannot be regained. Running as that user already is success; any
 * other change when not root fails (EPERM). Unknown user: SS_ERR_ARG. Failure of a switch or of
 * the verification: SS_ERR_LIVE (the process must not go on capturing). errbuf is set on
 * failure. */
enum ss_status ss_privdrop(const char *user, char *errbuf);

#endif
