/* SPDX-License-Identifier: MIT */
/* print_events.h: the `--events` output — one line per decoded message, as text or as a JSON
 * object per line. The format is documented in docs/events.md. */
#ifndef SEMISCOPE_PRINT_EVENTS_H
#define SEMISCOPE_PRINT_EVENTS_H

#include <stdio.h>

#include "semiscope/mysql.h"

/* "2026-11-22 10:01:52.000123456 #1234 10.0.0.2:40000 > 10.0.0.1:3306 event XID …" */
void ss_print_event_text(FILE *out, const struct ss_msg *m);
/* {"ts":1795341712.000123,"frame":1234,"src":"10.0.0.2:40000",…,"kind":"event",…} */
void ss_print_event_json(FILE *out, const struct ss_msg *m);

/* Stable names used by both formats. */
const char *ss_print_csum_name(enum ss_csum c);
const char *ss_print_trx_name(enum ss_trx_role t);
const char *ss_print_query_kind_name(enum ss_query_kind k);
const char *ss_print_query_event_name(enum ss_query_event_kind k);
const char *ss_print_reply_name(enum ss_reply_kind k);

#endif
