/* SPDX-License-Identifier: MIT */
/* binlog_header.c: the 19-byte v4 event header, event type names, and the plausibility tests that
 * resync uses to find event packets and acks in the middle of a stream.
 * Reference: protocol.md §5.1, §6.1, §7.1, §10.1. */
#include "semiscope/binlog.h"
#include "semiscope/rd.h"

bool ss_binlog_header_parse(const uint8_t *p, size_t n, struct ss_binlog_header *h)
{
    struct rd r = rd_init(p, n);
    h->timestamp = rd_le32(&r);
    h->type = rd_u8(&r);
    h->server_id = rd_le32(&r);
    h->event_size = rd_le32(&r);
    h->log_pos = rd_le32(&r);
    h->flags = rd_le16(&r);
    return !r.err;
}

static const char *const mysql_names[] = {
    [0] = "UNKNOWN", [1] = "START_V3", [2] = "QUERY", [3] = "STOP", [4] = "ROTATE",
    [5] = "INTVAR", [6] = "LOAD", [7] = "SLAVE", [8] = "CREATE_FILE", [9] = "APPEND_BLOCK",
    [10] = "EXEC_LOAD", [11] = "DELETE_FILE", [12] = "NEW_LOAD", [13] = "RAND",
    [14] = "USER_VAR", [15] = "FORMAT_DESCRIPTION", [16] = "XID", [17] = "BEGIN_LOAD_QUERY",
    [18] = "EXECUTE_LOAD_QUERY", [19] = "TABLE_MAP", [20] = "PRE_GA_WRITE_ROWS",
    [21] = "PRE_GA_UPDATE_ROWS", [22] = "PRE_GA_DELETE_ROWS", [23] = "WRITE_ROWS_V1",
    [24] = "UPDATE_ROWS_V1", [25] = "DELETE_ROWS_V1", [26] = "INCIDENT", [27] = "HEARTBEAT",
    [28] = "IGNORABLE", [29] = "ROWS_QUERY", [30] = "WRITE_ROWS", [31] = "UPDATE_ROWS",
    [32] = "DELETE_ROWS", [33] = "GTID", [34] = "ANONYMOUS_GTID", [35] = "PREVIOUS_GTIDS",
    [36] = "TRANSACTION_CONTEXT", [37] = "VIEW_CHANGE", [38] = "XA_PREPARE",
    [39] = "PARTIAL_UPDATE_ROWS", [40] = "TRANSACTION_PAYLOAD", [41] = "HEARTBEAT_V2",
    [42] = "GTID_TAGGED",
};

static const char *const maria_names[] = {
    [0] = "ANNOTATE_ROWS", [1] = "BINLOG_CHECKPOINT", [2] = "MARIADB_GTID",
    [3] = "MARIADB_GTID_LIST", [4] = "START_ENCRYPTION", [5] = "QUERY_COMPRESSED",
    [6] = "WRITE_ROWS_COMPRESSED_V1", [7] = "UPDATE_ROWS_COMPRESSED_V1",
    [8] = "DELETE_ROWS_COMPRESSED_V1", [9] = "WRITE_ROWS_COMPRESSED",
    [10] = "UPDATE_ROWS_COMPRESSED", [11] = "DELETE_ROWS_COMPRESSED", [12] = "PARTIAL_ROW_DATA",
};

bool ss_binlog_type_known(uint8_t type)
{
    /* 0 is "UNKNOWN_EVENT" and never sent. */
    return (type >= 1 && type < SS_ARRAY_LEN(mysql_names)) ||
           (type >= 160 && type < 160 + SS_ARRAY_LEN(maria_names));
}

const char *ss_binlog_type_name(uint8_t type)
{
    /* Unknown codes share one name: a per-call buffer would make the function stateful. */
    if (type < SS_ARRAY_LEN(mysql_names))
        return mysql_names[type];
    if (type >= 160 && type < 160 + SS_ARRAY_LEN(maria_names))
        return maria_names[type - 160];
    return "UNKNOWN";
}

bool ss_binlog_packet_plausible(const uint8_t *p, size_t avail, uint64_t payload_len,
                                int *semisync)
{
    if (avail < 1 || p[0] != 0x00)
        return false;
    size_t hdr_off = 1;
    int ss = 0;
    /* 0xEF can also be a timestamp's low byte; try the semisync reading first and fall back. */
    for (int attempt = 0; attempt < 2; attempt++) {
        hdr_off = attempt == 0 ? 3 : 1;
        ss = attempt == 0;
        if (ss && (avail < 3 || p[1] != SS_SEMISYNC_MAGIC || (p[2] & ~0x03) != 0))
            continue;
        struct ss_binlog_header h;
        if (avail < hdr_off + SS_BINLOG_HEADER_LEN)
            continue;
        ss_binlog_header_parse(p + hdr_off, avail - hdr_off, &h);
        if (!ss_binlog_type_known(h.type))
            continue;
        if ((uint64_t)h.event_size + hdr_off != payload_len)
            continue;
        if (h.event_size < SS_BINLOG_HEADER_LEN)
            continue;
        if (h.log_pos != 0 && h.log_pos < h.event_size)
            continue;
        if (semisync)
            *semisync = ss;
        return true;
    }
    return false;
}

bool ss_semisync_ack_plausible(const uint8_t *p, size_t avail, uint64_t payload_len)
{
    /* EF + u64 position + a file name of 1..511 printable bytes. */
    if (payload_len < 10 || payload_len > 9 + 511 || avail < payload_len)
        return false;
    if (p[0] != SS_SEMISYNC_MAGIC)
        return false;
    for (uint64_t i = 9; i < payload_len; i++)
        if (p[i] < 0x21 || p[i] > 0x7e)
            return false;
    return true;
}
