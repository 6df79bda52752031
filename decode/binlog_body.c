/* SPDX-License-Identifier: MIT */
/* binlog_body.c: the bodies of the binlog events semisync analysis needs — ROTATE,
 * FORMAT_DESCRIPTION, the GTID family (MySQL untagged and tagged, MariaDB), GTID_LIST, XID, QUERY,
 * XA_PREPARE, TRANSACTION_PAYLOAD's header and both heartbeats — parsed from the bounded prefix the
 * streaming parser keeps. Reference: protocol.md §7.4–§7.15. */
#include "mysql_conn_priv.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "semiscope/rd.h"
#include "sql_words.h"

/* Fixed parts of a FORMAT_DESCRIPTION body: u16 version, 50-byte server version, u32 created,
 * u8 common header length, then one post-header length per event type from type 1. */
#define FDE_VERSION_LEN 50
#define FDE_FIXED (2 + FDE_VERSION_LEN + 4 + 1)

/* Copy a file name (no NUL on the wire), counting names longer than we keep. */
static void copy_name(char *dst, const uint8_t *p, size_t n, struct ss_anomalies *an)
{
    if (!ss_text_copy(dst, SS_FILE_MAX, p, n))
        ss_anomaly_add(an, SS_AN_FILENAME_TRUNCATED, 1);
}

/* "5.6.1-log" → 50601; missing parts count as 0. */
static unsigned long version_number(const char *v)
{
    unsigned long part[3] = {0, 0, 0};
    for (int i = 0; i < 3 && isdigit((unsigned char)*v); i++) {
        char *end;
        part[i] = strtoul(v, &end, 10);
        v = end;
        if (*v != '.')
            break;
        v++;
    }
    return part[0] * 10000 + part[1] * 100 + part[2];
}

bool ss_version_has_checksum_alg(const char *version)
{
    /* The algorithm byte arrived in MySQL 5.6.1 and MariaDB 5.3.0. */
    unsigned long n = version_number(version);
    if (strstr(version, "MariaDB") || strstr(version, "mariadb"))
        return n >= 50300;
    return n >= 50601;
}

bool ss_fde_parse(struct ss_event *ev, const uint8_t *body, size_t n, unsigned *query_post_len)
{
    struct rd r = rd_init(body, n);
    ev->u.fde.binlog_version = rd_le16(&r);
    struct rd ver = rd_sub(&r, FDE_VERSION_LEN);
    rd_skip(&r, 4);                      /* created */
    uint8_t common_len = rd_u8(&r);
    if (r.err)
        return false;
    /* The version field is NUL-padded; a version filling all 50 bytes has no NUL. */
    size_t vlen = 0;
    while (vlen < FDE_VERSION_LEN && ver.p[vlen])
        vlen++;
    ss_text_copy(ev->u.fde.server_version, sizeof(ev->u.fde.server_version), ver.p, vlen);
    ev->u.fde.checksum_alg = -1;
    size_t trailer = 0;
    if (ss_version_has_checksum_alg(ev->u.fde.server_version)) {
        /* u8 algorithm + 4 checksum bytes, present whatever the algorithm. */
        if (n < FDE_FIXED + 5)
            return false;
        ev->u.fde.checksum_alg = body[n - 5];
        trailer = 5;
    }
    /* Post-header length of QUERY (type 2) is entry 1 of the array. */
    *query_post_len = 13;
    if (n >= FDE_FIXED + 2 + trailer) {
        uint8_t q = body[FDE_FIXED + 1];
        if (q >= 11)
            *query_post_len = q;
    }
    return common_len == SS_BINLOG_HEADER_LEN;
}

enum ss_query_event_kind ss_query_event_kind(const char *text, size_t len)
{
    size_t i = ss_sql_skip_blank(text, len, 0);
    if (ss_sql_word(text, len, &i, "BEGIN"))
        return SS_QE_BEGIN;
    if (ss_sql_word(text, len, &i, "COMMIT"))
        return SS_QE_COMMIT;
    if (ss_sql_word(text, len, &i, "ROLLBACK")) {
        /* ROLLBACK TO [SAVEPOINT] x stays inside the transaction. */
        ss_sql_word(text, len, &i, "WORK");
        return ss_sql_word(text, len, &i, "TO") ? SS_QE_OTHER : SS_QE_ROLLBACK;
    }
    if (ss_sql_word(text, len, &i, "XA")) {
        if (ss_sql_word(text, len, &i, "START") || ss_sql_word(text, len, &i, "BEGIN"))
            return SS_QE_XA_START;
        if (ss_sql_word(text, len, &i, "END"))
            return SS_QE_XA_END;
        if (ss_sql_word(text, len, &i, "PREPARE"))
            return SS_QE_XA_PREPARE;
        if (ss_sql_word(text, len, &i, "COMMIT"))
            return SS_QE_XA_COMMIT;
        if (ss_sql_word(text, len, &i, "ROLLBACK"))
            return SS_QE_XA_ROLLBACK;
    }
    return SS_QE_OTHER;
}

/* QUERY: post-header (thread id, exec time, db length, error code, status-vars length), status
 * variables, db + NUL, then the statement. */
static bool parse_query(struct ss_event *ev, struct rd *r, unsigned post_len, bool compressed)
{
    ev->u.query.thread_id = rd_le32(r);
    ev->u.query.exec_time = rd_le32(r);
    uint8_t db_len = rd_u8(r);
    ev->u.query.error_code = rd_le16(r);
    uint16_t vars_len = post_len >= 13 ? rd_le16(r) : 0;
    if (post_len > 13)
        rd_skip(r, post_len - 13);
    if (r->err)
        return false;
    /* The body may be a prefix of a long statement: take what is there. */
    size_t skip = (size_t)vars_len + db_len + 1;
    if (rd_left(r) < skip) {
        ev->body_truncated = true;
        return true;
    }
    rd_skip(r, skip);
    size_t n = rd_left(r);
    if (compressed) {
        /* MariaDB log_bin_compress: the statement is a zlib stream; only its size is known. */
        ev->u.query.kind = SS_QE_OTHER;
        return true;
    }
    ss_text_copy(ev->u.query.text, sizeof(ev->u.query.text), rd_ptr(r), n);
    ev->u.query.kind = ss_query_event_kind((const char *)rd_ptr(r), n);
    return true;
}

/* MySQL's 7-byte commit timestamps: bit 55 of the first says the original one follows. */
static void parse_commit_ts(struct ss_event *ev, struct rd *r)
{
    if (rd_left(r) < 7)
        return;
    uint64_t imm = rd_le(r, 7);
    uint64_t orig = imm;
    if (imm & (UINT64_C(1) << 55)) {
        imm &= ~(UINT64_C(1) << 55);
        orig = rd_left(r) >= 7 ? rd_le(r, 7) : 0;
    }
    ev->u.gtid.immediate_commit_us = imm;
    ev->u.gtid.orig_commit_us = orig;
}

/* GTID / ANONYMOUS_GTID (33/34): fixed layout, later fields optional (protocol.md §7.11). */
static bool parse_gtid(struct ss_event *ev, struct rd *r)
{
    ev->u.gtid.flags = rd_u8(r);
    if (rd_need(r, 16))
        memcpy(ev->u.gtid.sid, rd_ptr(r), 16);
    rd_skip(r, 16);
    ev->u.gtid.gno = (int64_t)rd_le64(r);
    if (r->err)
        return false;
    /* 5.6 stops here; 5.7.6+ adds the logical clock (typecode 2). */
    if (rd_left(r) >= 17 && rd_ptr(r)[0] == 2) {
        rd_skip(r, 1);
        ev->u.gtid.last_committed = (int64_t)rd_le64(r);
        ev->u.gtid.sequence_number = (int64_t)rd_le64(r);
        parse_commit_ts(ev, r);
    }
    return true;
}

/* The MySQL serialization library's variable-length integer: the count of trailing one bits in
 * the first byte gives the extra bytes; 0xFF means a plain u64 follows. */
static uint64_t rd_varlen(struct rd *r)
{
    if (!rd_need(r, 1))
        return 0;
    uint8_t first = rd_ptr(r)[0];
    if (first == 0xFF) {
        rd_skip(r, 1);
        return rd_le64(r);
    }
    unsigned count = 1;
    while (first & (1u << (count - 1)))
        count++;
    return rd_le(r, count) >> count;
}

static int64_t rd_varlen_signed(struct rd *r)
{
    uint64_t u = rd_varlen(r);
    return (u & 1) ? -(int64_t)(u >> 1) - 1 : (int64_t)(u >> 1);
}

/* GTID_TAGGED (42, MySQL 8.3+): version byte, then a serialized message — size, last
 * non-ignorable field id, and (field id, value) pairs. Unknown fields cannot be skipped: stop. */
static bool parse_gtid_tagged(struct ss_event *ev, struct rd *r)
{
    uint8_t version = rd_u8(r);
    uint64_t size = rd_varlen(r);
    rd_varlen(r); /* last non-ignorable field id */
    if (r->err || version == 0 || size == 0)
        return false;
    bool orig_seen = false;
    while (rd_left(r) > 0 && !r->err) {
        uint64_t id = rd_varlen(r);
        switch (id) {
        case 0: ev->u.gtid.flags = (uint8_t)rd_varlen(r); break;
        case 1:
            for (int i = 0; i < 16; i++)
                ev->u.gtid.sid[i] = (uint8_t)rd_varlen(r);
            break;
        case 2: ev->u.gtid.gno = rd_varlen_signed(r); break;
        case 3: {
            uint64_t tl = rd_varlen(r);
            if (tl > rd_left(r))
                return false;
            ss_text_copy(ev->u.gtid.tag, sizeof(ev->u.gtid.tag), rd_ptr(r), (size_t)tl);
            rd_skip(r, (size_t)tl);
            break;
        }
        case 4: ev->u.gtid.last_committed = rd_varlen_signed(r); break;
        case 5: ev->u.gtid.sequence_number = rd_varlen_signed(r); break;
        case 6: ev->u.gtid.immediate_commit_us = rd_varlen(r); break;
        case 7:
            ev->u.gtid.orig_commit_us = rd_varlen(r);
            orig_seen = true;
            break;
        case 8: case 9: case 10: case 11: rd_varlen(r); break;
        default: goto done;
        }
    }
done:
    if (!orig_seen)
        ev->u.gtid.orig_commit_us = ev->u.gtid.immediate_commit_us;
    return !r->err;
}

/* TRANSACTION_PAYLOAD header: (type, length, value) fields, values lenenc; type 0 ends it. */
static bool parse_payload(struct ss_event *ev, struct rd *r)
{
    while (rd_left(r) > 0) {
        uint64_t type = rd_lenenc(r);
        if (type == 0 || r->err)
            break;
        uint64_t len = rd_lenenc(r);
        if (r->err || len > rd_left(r))
            return false;
        struct rd v = rd_sub(r, (size_t)len);
        uint64_t val = rd_lenenc(&v);
        switch (type) {
        case 1: ev->u.payload.payload_size = val; break;
        case 2: ev->u.payload.compression = (uint32_t)val; break;
        case 3: ev->u.payload.uncompressed_size = val; break;
        default: break;
        }
    }
    return !r->err;
}

/* HEARTBEAT_V2: (type, length, value) fields; 1 = file name, 2 = position (lenenc), 0 = end. */
static bool parse_heartbeat_v2(struct ss_event *ev, struct rd *r, struct ss_anomalies *an)
{
    while (rd_left(r) > 0) {
        uint64_t type = rd_lenenc(r);
        if (type == 0 || r->err)
            break;
        uint64_t len = rd_lenenc(r);
        if (r->err || len > rd_left(r))
            return false;
        struct rd v = rd_sub(r, (size_t)len);
        if (type == 1)
            copy_name(ev->u.heartbeat.log_ident, v.p, v.len, an);
        else if (type == 2)
            ev->u.heartbeat.pos = rd_lenenc(&v);
    }
    return !r->err;
}

static bool parse_mariadb_gtid(struct ss_event *ev, struct rd *r)
{
    ev->u.mgtid.seq = rd_le64(r);
    ev->u.mgtid.domain = rd_le32(r);
    ev->u.mgtid.flags2 = rd_u8(r);
    if (ev->u.mgtid.flags2 & 0x02) /* FL_GROUP_COMMIT_ID */
        ev->u.mgtid.commit_id = rd_le64(r);
    return !r->err;
}

static bool parse_gtid_list(struct ss_event *ev, struct rd *r)
{
    /* The low 28 bits count the entries; the high bits are flags. */
    ev->u.gtid_list.count = rd_le32(r) & 0x0FFFFFFFu;
    if (ev->u.gtid_list.count > 0) {
        ev->u.gtid_list.domain = rd_le32(r);
        ev->u.gtid_list.server = rd_le32(r);
        ev->u.gtid_list.seq = rd_le64(r);
    }
    return !r->err;
}

bool ss_binlog_body_parse(struct ss_event *ev, const uint8_t *body, size_t n, bool complete,
                          unsigned query_post_len, struct ss_anomalies *an)
{
    struct rd r = rd_init(body, n);
    if (!complete)
        ev->body_truncated = true;
    switch (ev->h.type) {
    case SS_EV_ROTATE:
        ev->u.rotate.pos = rd_le64(&r);
        if (r.err)
            return false;
        copy_name(ev->u.rotate.name, rd_ptr(&r), rd_left(&r), an);
        return true;
    case SS_EV_GTID:
    case SS_EV_ANONYMOUS_GTID:
        ev->u.gtid.last_committed = ev->u.gtid.sequence_number = -1;
        return parse_gtid(ev, &r);
    case SS_EV_GTID_TAGGED:
        ev->u.gtid.last_committed = ev->u.gtid.sequence_number = -1;
        return parse_gtid_tagged(ev, &r);
    case SS_EV_MARIA_GTID:
        return parse_mariadb_gtid(ev, &r);
    case SS_EV_MARIA_GTID_LIST:
        return parse_gtid_list(ev, &r);
    case SS_EV_XID:
        ev->u.xid.xid = rd_le64(&r);
        return !r.err;
    case SS_EV_QUERY:
    case SS_EV_MARIA_QUERY_COMPRESSED:
        return parse_query(ev, &r, query_post_len, ev->h.type == SS_EV_MARIA_QUERY_COMPRESSED);
    case SS_EV_XA_PREPARE:
        ev->u.xa_prepare.one_phase = rd_u8(&r) != 0;
        return !r.err;
    case SS_EV_TRANSACTION_PAYLOAD:
        return parse_payload(ev, &r);
    case SS_EV_HEARTBEAT:
        copy_name(ev->u.heartbeat.log_ident, rd_ptr(&r), rd_left(&r), an);
        ev->u.heartbeat.pos = ev->h.log_pos;
        return true;
    case SS_EV_HEARTBEAT_V2:
        return parse_heartbeat_v2(ev, &r, an);
    default:
        /* STOP has no body; every other type is delimited by its size only. */
        return true;
    }
}
