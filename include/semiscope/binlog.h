/* SPDX-License-Identifier: MIT */
/* binlog.h: binlog event constants, the 19-byte v4 event header, and the checks resync uses to tell
 * an event packet from random bytes. protocol.md §5.1, §7. */
#ifndef SEMISCOPE_BINLOG_H
#define SEMISCOPE_BINLOG_H

#include "semiscope/common.h"

/* Event type codes (MySQL libbinlogevents binlog_event.h Log_event_type; MariaDB log_event.h). */
enum {
    SS_EV_UNKNOWN = 0, SS_EV_START_V3 = 1, SS_EV_QUERY = 2, SS_EV_STOP = 3, SS_EV_ROTATE = 4,
    SS_EV_INTVAR = 5, SS_EV_LOAD = 6, SS_EV_SLAVE = 7, SS_EV_CREATE_FILE = 8,
    SS_EV_APPEND_BLOCK = 9, SS_EV_EXEC_LOAD = 10, SS_EV_DELETE_FILE = 11, SS_EV_NEW_LOAD = 12,
    SS_EV_RAND = 13, SS_EV_USER_VAR = 14, SS_EV_FORMAT_DESCRIPTION = 15, SS_EV_XID = 16,
    SS_EV_BEGIN_LOAD_QUERY = 17, SS_EV_EXECUTE_LOAD_QUERY = 18, SS_EV_TABLE_MAP = 19,
    SS_EV_PRE_GA_WRITE_ROWS = 20, SS_EV_PRE_GA_UPDATE_ROWS = 21, SS_EV_PRE_GA_DELETE_ROWS = 22,
    SS_EV_WRITE_ROWS_V1 = 23, SS_EV_UPDATE_ROWS_V1 = 24, SS_EV_DELETE_ROWS_V1 = 25,
    SS_EV_INCIDENT = 26, SS_EV_HEARTBEAT = 27, SS_EV_IGNORABLE = 28, SS_EV_ROWS_QUERY = 29,
    SS_EV_WRITE_ROWS = 30, SS_EV_UPDATE_ROWS = 31, SS_EV_DELETE_ROWS = 32, SS_EV_GTID = 33,
    SS_EV_ANONYMOUS_GTID = 34, SS_EV_PREVIOUS_GTIDS = 35, SS_EV_TRANSACTION_CONTEXT = 36,
    SS_EV_VIEW_CHANGE = 37, SS_EV_XA_PREPARE = 38, SS_EV_PARTIAL_UPDATE_ROWS = 39,
    SS_EV_TRANSACTION_PAYLOAD = 40, SS_EV_HEARTBEAT_V2 = 41, SS_EV_GTID_TAGGED = 42,
    /* MariaDB */
    SS_EV_MARIA_ANNOTATE_ROWS = 160, SS_EV_MARIA_BINLOG_CHECKPOINT = 161, SS_EV_MARIA_GTID = 162,
    SS_EV_MARIA_GTID_LIST = 163, SS_EV_MARIA_START_ENCRYPTION = 164,
    SS_EV_MARIA_QUERY_COMPRESSED = 165, SS_EV_MARIA_WRITE_ROWS_COMPRESSED_V1 = 166,
    SS_EV_MARIA_UPDATE_ROWS_COMPRESSED_V1 = 167, SS_EV_MARIA_DELETE_ROWS_COMPRESSED_V1 = 168,
    SS_EV_MARIA_WRITE_ROWS_COMPRESSED = 169, SS_EV_MARIA_UPDATE_ROWS_COMPRESSED = 170,
    SS_EV_MARIA_DELETE_ROWS_COMPRESSED = 171, SS_EV_MARIA_PARTIAL_ROW_DATA = 172,
};

#define SS_BINLOG_HEADER_LEN 19
#define SS_LOG_EVENT_ARTIFICIAL_F 0x20
#define SS_SEMISYNC_MAGIC 0xEF
#define SS_SEMISYNC_FLAG_ACK 0x01

/* The common v4 event header. */
struct ss_binlog_header {
    uint32_t timestamp;
    uint8_t type;
    uint32_t server_id;
    uint32_t event_size;   /* whole event, header + body + checksum */
    uint32_t log_pos;      /* end position of the event in the source binlog (0: artificial) */
    uint16_t flags;
};

/* Parse 19 header bytes; false if fewer than 19 bytes are given. */
bool ss_binlog_header_parse(const uint8_t *p, size_t n, struct ss_binlog_header *h);

/* The event type is one MySQL or MariaDB defines. */
bool ss_binlog_type_known(uint8_t type);
/* "XID", "GTID", "MARIADB_GTID", … or "UNKNOWN_<n>" written into buf; never NULL. */
const char *ss_binlog_type_name(uint8_t type);

/* Resync test: could a logical MySQL packet of `payload_len` bytes, whose first `avail` bytes are
 * `p`, be a binlog event packet of a dump stream? Requires the 0x00 marker, optionally EF 00|01
 * (*semisync set to 1 then, else 0), a known type, event_size == the rest of the payload, and a
 * log_pos that is 0 or ≥ event_size. Returns false when `avail` is too short to decide. */
bool ss_binlog_packet_plausible(const uint8_t *p, size_t avail, uint64_t payload_len,
                                int *semisync);

/* Resync test for the client side of a dump: a semisync ack (seq 0, EF + u64 pos + printable name)
 * of `payload_len` bytes. */
bool ss_semisync_ack_plausible(const uint8_t *p, size_t avail, uint64_t payload_len);

#endif
