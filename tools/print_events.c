/* SPDX-License-Identifier: MIT */
/* print_events.c: `--events` — every decoded message as one text line or one JSON object per
 * line (JSON lines), deterministic (UTC, capture time only). Format: docs/events.md. */
#include "print_events.h"

#include <inttypes.h>
#include <jansson.h>
#include <string.h>
#include <time.h>

#include "semiscope/packet.h"

const char *ss_print_csum_name(enum ss_csum c)
{
    switch (c) {
    case SS_CSUM_OK: return "ok";
    case SS_CSUM_BAD: return "bad";
    case SS_CSUM_NONE: return "none";
    default: return "unknown";
    }
}

const char *ss_print_trx_name(enum ss_trx_role t)
{
    switch (t) {
    case SS_TRX_BEGIN: return "begin";
    case SS_TRX_END: return "end";
    default: return "none";
    }
}

const char *ss_print_query_kind_name(enum ss_query_kind k)
{
    static const char *const names[] = {
        [SS_Q_OTHER] = "other",
        [SS_Q_SET_SEMISYNC] = "set_semisync",
        [SS_Q_SET_CHECKSUM] = "set_checksum",
        [SS_Q_SET_HEARTBEAT] = "set_heartbeat",
        [SS_Q_SET_CONNECT_STATE] = "set_connect_state",
        [SS_Q_SET_CAPABILITY] = "set_capability",
        [SS_Q_SET_UUID] = "set_uuid",
        [SS_Q_KILL] = "kill",
        [SS_Q_SELECT] = "select",
        [SS_Q_SHOW] = "show",
    };
    return (unsigned)k < sizeof(names) / sizeof(names[0]) && names[k] ? names[k] : "other";
}

const char *ss_print_query_event_name(enum ss_query_event_kind k)
{
    static const char *const names[] = {
        [SS_QE_OTHER] = "other",         [SS_QE_BEGIN] = "begin",
        [SS_QE_COMMIT] = "commit",       [SS_QE_ROLLBACK] = "rollback",
        [SS_QE_XA_START] = "xa_start",   [SS_QE_XA_END] = "xa_end",
        [SS_QE_XA_PREPARE] = "xa_prepare", [SS_QE_XA_COMMIT] = "xa_commit",
        [SS_QE_XA_ROLLBACK] = "xa_rollback", [SS_QE_DDL] = "ddl",
    };
    return (unsigned)k < sizeof(names) / sizeof(names[0]) && names[k] ? names[k] : "other";
}

const char *ss_print_reply_name(enum ss_reply_kind k)
{
    switch (k) {
    case SS_REPLY_OK: return "ok";
    case SS_REPLY_ERR: return "err";
    case SS_REPLY_EOF: return "eof";
    case SS_REPLY_RESULT: return "result";
    default: return "auth";
    }
}

static const char *flavor_name(enum ss_flavor f)
{
    return f == SS_FLAVOR_MARIADB ? "mariadb" : f == SS_FLAVOR_MYSQL ? "mysql" : "unknown";
}

static const char *compress_name(enum ss_compress c)
{
    return c == SS_COMP_ZLIB ? "zlib" : c == SS_COMP_ZSTD ? "zstd" : c == SS_COMP_NONE ? "none"
                                                                                     : "unknown";
}

static const char *end_name(enum ss_end_reason why)
{
    static const char *const names[] = {"fin", "rst", "idle", "capture", "evicted"};
    return (unsigned)why < 5 ? names[why] : "unknown";
}

/* Source and destination of the message, by the (content-corrected) roles. */
static void endpoints(const struct ss_msg *m, char *src, char *dst)
{
    const struct ss_endpoint *c = &m->conn->client, *s = &m->conn->server;
    ss_endpoint_str(m->from_server ? s : c, src, SS_ENDPOINT_STRLEN);
    ss_endpoint_str(m->from_server ? c : s, dst, SS_ENDPOINT_STRLEN);
}

static void uuid_str(const uint8_t *b, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = '\0';
}

/* ---- text ---- */

static void text_event(FILE *out, const struct ss_event *e)
{
    fprintf(out, " %s pos=%s:%" PRIu64 " log_pos=%" PRIu32 " size=%" PRIu32 " server_id=%" PRIu32,
            ss_binlog_type_name(e->h.type), e->file[0] ? e->file : "?", e->end_pos, e->h.log_pos,
            e->h.event_size, e->h.server_id);
    if (e->semisync_flags >= 0)
        fprintf(out, " semisync=0x%02x%s", (unsigned)e->semisync_flags,
                e->ack_requested ? " ack_requested" : "");
    fprintf(out, " csum=%s", ss_print_csum_name(e->csum));
    if (e->trx != SS_TRX_NONE)
        fprintf(out, " trx=%s", ss_print_trx_name(e->trx));
    if (e->artificial)
        fputs(" artificial", out);
    char u[40];
    switch (e->h.type) {
    case SS_EV_ROTATE:
        fprintf(out, " next=%s:%" PRIu64, e->u.rotate.name, e->u.rotate.pos);
        break;
    case SS_EV_FORMAT_DESCRIPTION:
        fprintf(out, " version=\"%s\" checksum_alg=%d", e->u.fde.server_version,
                e->u.fde.checksum_alg);
        break;
    case SS_EV_GTID:
    case SS_EV_ANONYMOUS_GTID:
    case SS_EV_GTID_TAGGED:
        uuid_str(e->u.gtid.sid, u);
        fprintf(out, " gtid=%s%s%s:%" PRId64 " last_committed=%" PRId64 " seq=%" PRId64, u,
                e->u.gtid.tag[0] ? ":" : "", e->u.gtid.tag, e->u.gtid.gno,
                e->u.gtid.last_committed, e->u.gtid.sequence_number);
        break;
    case SS_EV_MARIA_GTID:
        fprintf(out, " gtid=%" PRIu32 "-%" PRIu32 "-%" PRIu64 " flags2=0x%02x", e->u.mgtid.domain,
                e->h.server_id, e->u.mgtid.seq, e->u.mgtid.flags2);
        break;
    case SS_EV_XID:
        fprintf(out, " xid=%" PRIu64, e->u.xid.xid);
        break;
    case SS_EV_QUERY:
    case SS_EV_MARIA_QUERY_COMPRESSED:
        fprintf(out, " query=%s \"%s\"", ss_print_query_event_name(e->u.query.kind),
                e->u.query.text);
        break;
    case SS_EV_HEARTBEAT:
    case SS_EV_HEARTBEAT_V2:
        fprintf(out, " heartbeat=%s:%" PRIu64, e->u.heartbeat.log_ident, e->u.heartbeat.pos);
        break;
    default:
        break;
    }
    if (e->body_truncated)
        fputs(" body_truncated", out);
}

static void text_command(FILE *out, const struct ss_cmd *c)
{
    fprintf(out, " %s", ss_command_name(c->cmd));
    switch (c->cmd) {
    case 0x03:
        fprintf(out, " %s", ss_print_query_kind_name(c->qkind));
        if (c->value >= 0)
            fprintf(out, " value=%" PRId64, c->value);
        fprintf(out, " \"%s%s\"", c->text, c->text_truncated ? "..." : "");
        break;
    case 0x15:
        fprintf(out, " server_id=%" PRIu32 " host=\"%s\" port=%u", c->server_id, c->host,
                (unsigned)c->port);
        break;
    case 0x12:
    case 0x1e:
        fprintf(out, " server_id=%" PRIu32 " file=\"%s\" pos=%" PRIu64 " flags=0x%04x",
                c->server_id, c->dump_file, c->dump_pos, (unsigned)c->dump_flags);
        if (c->cmd == 0x1e)
            fprintf(out, " gtid_set_len=%" PRIu32, c->gtid_set_len);
        break;
    default:
        break;
    }
}

void ss_print_event_text(FILE *out, const struct ss_msg *m)
{
    char day[32], src[SS_ENDPOINT_STRLEN], dst[SS_ENDPOINT_STRLEN];
    time_t secs = (time_t)(m->ts_ns / SS_NS_PER_SEC);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm);
    endpoints(m, src, dst);
    fprintf(out, "%s.%09" PRIu64 " #%" PRIu64 " %s > %s %s", day, m->ts_ns % SS_NS_PER_SEC,
            m->frame, src, dst, ss_msg_kind_name(m->kind));
    const struct ss_conn_info *ci = m->conn;
    switch (m->kind) {
    case SS_MSG_GREETING:
        fprintf(out, " %s \"%s\" thread_id=%" PRId64 " caps=0x%08" PRIx32,
                flavor_name(ci->flavor), ci->server_version, ci->thread_id, m->u.greeting.caps);
        break;
    case SS_MSG_LOGIN:
        fprintf(out, " user=\"%s\" caps=0x%08" PRIx32 " compress=%s", ci->user, ci->client_caps,
                compress_name(ci->client_caps & 0x04000000u ? SS_COMP_ZSTD
                              : ci->client_caps & 0x20u    ? SS_COMP_ZLIB
                                                           : SS_COMP_NONE));
        break;
    case SS_MSG_TLS:
        fputs(" SSLRequest: encrypted from here, not decoded", out);
        break;
    case SS_MSG_COMMAND:
        text_command(out, &m->u.cmd);
        break;
    case SS_MSG_REPLY:
        fprintf(out, " %s", ss_print_reply_name(m->u.reply.kind));
        if (m->u.reply.kind == SS_REPLY_ERR)
            fprintf(out, " %u (%s) \"%s\"", (unsigned)m->u.reply.err_code, m->u.reply.sqlstate,
                    m->u.reply.message);
        if (m->u.reply.kind == SS_REPLY_RESULT)
            fprintf(out, " first_value=\"%s\"", m->u.reply.first_value);
        break;
    case SS_MSG_EVENT:
        text_event(out, &m->u.ev);
        break;
    case SS_MSG_ACK:
        fprintf(out, " pos=%s:%" PRIu64 "%s", m->u.ack.file, m->u.ack.pos,
                m->u.ack.well_formed ? "" : " malformed");
        break;
    case SS_MSG_GAP:
        fprintf(out, " %s lost %" PRIu64 " bytes%s", m->from_server ? "server" : "client",
                m->u.gap.len, m->u.gap.in_packet ? " inside a packet" : "");
        break;
    case SS_MSG_RESYNC:
        fprintf(out, " skipped %" PRIu64 " bytes", m->u.resync.skipped);
        break;
    case SS_MSG_TCP_ACK:
        fprintf(out, " acked=%" PRIu64, m->u.tcp_ack.stream_off);
        break;
    case SS_MSG_TCP_WINDOW:
        fprintf(out, " window=%s sent=%" PRIu64, m->u.tcp_window.zero ? "zero" : "open",
                m->u.tcp_window.sent_off);
        break;
    case SS_MSG_END:
        fprintf(out, " %s by %s", end_name(m->u.end.why), m->u.end.by_server ? "server" : "client");
        break;
    default:
        fprintf(out, " len=%" PRIu64 " seq=%u", m->payload_len, (unsigned)m->seq);
        break;
    }
    fputc('\n', out);
}

/* ---- JSON ---- */

static void set(json_t *o, const char *k, json_t *v)
{
    json_object_set_new(o, k, v);
}

/* Decoded strings are printable ASCII already; never lose a key to invalid UTF-8 anyway. */
static json_t *jstr(const char *s)
{
    json_t *v = json_string(s);
    return v ? v : json_string("?");
}

static void json_event(json_t *o, const struct ss_event *e)
{
    set(o, "event_type", json_integer(e->h.type));
    set(o, "event_name", jstr(ss_binlog_type_name(e->h.type)));
    set(o, "log_pos", json_integer(e->h.log_pos));
    set(o, "end_pos", json_integer((json_int_t)e->end_pos));
    set(o, "size", json_integer(e->h.event_size));
    set(o, "server_id", json_integer(e->h.server_id));
    set(o, "timestamp", json_integer(e->h.timestamp));
    set(o, "flags", json_integer(e->h.flags));
    set(o, "ack_requested", e->semisync_flags < 0 ? json_null() : json_boolean(e->ack_requested));
    set(o, "semisync_flags", e->semisync_flags < 0 ? json_null() : json_integer(e->semisync_flags));
    set(o, "file", jstr(e->file));
    set(o, "checksum", jstr(ss_print_csum_name(e->csum)));
    set(o, "trx", e->trx == SS_TRX_NONE ? json_null() : jstr(ss_print_trx_name(e->trx)));
    set(o, "artificial", json_boolean(e->artificial));
    set(o, "body_truncated", json_boolean(e->body_truncated));
    char u[40];
    switch (e->h.type) {
    case SS_EV_ROTATE:
        set(o, "next_file", jstr(e->u.rotate.name));
        set(o, "next_pos", json_integer((json_int_t)e->u.rotate.pos));
        break;
    case SS_EV_FORMAT_DESCRIPTION:
        set(o, "server_version", jstr(e->u.fde.server_version));
        set(o, "binlog_version", json_integer(e->u.fde.binlog_version));
        set(o, "checksum_alg", json_integer(e->u.fde.checksum_alg));
        break;
    case SS_EV_GTID:
    case SS_EV_ANONYMOUS_GTID:
    case SS_EV_GTID_TAGGED:
        uuid_str(e->u.gtid.sid, u);
        set(o, "sid", jstr(u));
        set(o, "gno", json_integer(e->u.gtid.gno));
        if (e->u.gtid.tag[0])
            set(o, "tag", jstr(e->u.gtid.tag));
        set(o, "last_committed", json_integer(e->u.gtid.last_committed));
        set(o, "sequence_number", json_integer(e->u.gtid.sequence_number));
        set(o, "immediate_commit_us", json_integer((json_int_t)e->u.gtid.immediate_commit_us));
        set(o, "original_commit_us", json_integer((json_int_t)e->u.gtid.orig_commit_us));
        break;
    case SS_EV_MARIA_GTID: {
        char g[64];
        snprintf(g, sizeof(g), "%" PRIu32 "-%" PRIu32 "-%" PRIu64, e->u.mgtid.domain,
                 e->h.server_id, e->u.mgtid.seq);
        set(o, "gtid", jstr(g));
        set(o, "flags2", json_integer(e->u.mgtid.flags2));
        set(o, "commit_id", json_integer((json_int_t)e->u.mgtid.commit_id));
        break;
    }
    case SS_EV_MARIA_GTID_LIST:
        set(o, "gtid_count", json_integer(e->u.gtid_list.count));
        break;
    case SS_EV_XID:
        set(o, "xid", json_integer((json_int_t)e->u.xid.xid));
        break;
    case SS_EV_QUERY:
    case SS_EV_MARIA_QUERY_COMPRESSED:
        set(o, "query_kind", jstr(ss_print_query_event_name(e->u.query.kind)));
        set(o, "query", jstr(e->u.query.text));
        set(o, "thread_id", json_integer(e->u.query.thread_id));
        set(o, "error_code", json_integer(e->u.query.error_code));
        break;
    case SS_EV_XA_PREPARE:
        set(o, "one_phase", json_boolean(e->u.xa_prepare.one_phase));
        break;
    case SS_EV_TRANSACTION_PAYLOAD:
        set(o, "payload_size", json_integer((json_int_t)e->u.payload.payload_size));
        set(o, "compression", json_integer(e->u.payload.compression));
        set(o, "uncompressed_size", json_integer((json_int_t)e->u.payload.uncompressed_size));
        break;
    case SS_EV_HEARTBEAT:
    case SS_EV_HEARTBEAT_V2:
        set(o, "heartbeat_file", jstr(e->u.heartbeat.log_ident));
        set(o, "heartbeat_pos", json_integer((json_int_t)e->u.heartbeat.pos));
        break;
    default:
        break;
    }
}

static void json_command(json_t *o, const struct ss_cmd *c)
{
    set(o, "command", jstr(ss_command_name(c->cmd)));
    set(o, "cmd", json_integer(c->cmd));
    switch (c->cmd) {
    case 0x03:
        set(o, "query", jstr(c->text));
        set(o, "query_truncated", json_boolean(c->text_truncated));
        set(o, "query_kind", jstr(ss_print_query_kind_name(c->qkind)));
        set(o, "value", c->value >= 0 ? json_integer(c->value) : json_null());
        break;
    case 0x15:
        set(o, "server_id", json_integer(c->server_id));
        set(o, "host", jstr(c->host));
        set(o, "port", json_integer(c->port));
        break;
    case 0x12:
    case 0x1e:
        set(o, "server_id", json_integer(c->server_id));
        set(o, "file", jstr(c->dump_file));
        set(o, "pos", json_integer((json_int_t)c->dump_pos));
        set(o, "flags", json_integer(c->dump_flags));
        if (c->cmd == 0x1e)
            set(o, "gtid_set_len", json_integer(c->gtid_set_len));
        break;
    default:
        break;
    }
}

static void json_kind(json_t *o, const struct ss_msg *m)
{
    const struct ss_conn_info *ci = m->conn;
    switch (m->kind) {
    case SS_MSG_GREETING:
        set(o, "server_version", jstr(ci->server_version));
        set(o, "flavor", jstr(flavor_name(ci->flavor)));
        set(o, "thread_id", json_integer(ci->thread_id));
        set(o, "caps", json_integer(m->u.greeting.caps));
        break;
    case SS_MSG_LOGIN:
        set(o, "user", jstr(ci->user));
        set(o, "caps", json_integer(ci->client_caps));
        /* What the client asked for; it takes effect after the server's OK. */
        set(o, "compress", jstr(compress_name(ci->client_caps & 0x04000000u ? SS_COMP_ZSTD
                                              : ci->client_caps & 0x20u    ? SS_COMP_ZLIB
                                                                           : SS_COMP_NONE)));
        break;
    case SS_MSG_COMMAND:
        json_command(o, &m->u.cmd);
        break;
    case SS_MSG_REPLY:
        set(o, "reply", jstr(ss_print_reply_name(m->u.reply.kind)));
        if (m->u.reply.kind == SS_REPLY_ERR) {
            set(o, "error_code", json_integer(m->u.reply.err_code));
            set(o, "sqlstate", jstr(m->u.reply.sqlstate));
            set(o, "message", jstr(m->u.reply.message));
        }
        if (m->u.reply.kind == SS_REPLY_RESULT)
            set(o, "first_value", jstr(m->u.reply.first_value));
        break;
    case SS_MSG_EVENT:
        json_event(o, &m->u.ev);
        break;
    case SS_MSG_ACK:
        set(o, "file", jstr(m->u.ack.file));
        set(o, "pos", json_integer((json_int_t)m->u.ack.pos));
        set(o, "well_formed", json_boolean(m->u.ack.well_formed));
        break;
    case SS_MSG_GAP:
        set(o, "len", json_integer((json_int_t)m->u.gap.len));
        set(o, "in_packet", json_boolean(m->u.gap.in_packet));
        break;
    case SS_MSG_RESYNC:
        set(o, "skipped", json_integer((json_int_t)m->u.resync.skipped));
        break;
    case SS_MSG_TCP_ACK:
        set(o, "acked_off", json_integer((json_int_t)m->u.tcp_ack.stream_off));
        break;
    case SS_MSG_TCP_WINDOW:
        set(o, "zero_window", json_boolean(m->u.tcp_window.zero));
        set(o, "sent_off", json_integer((json_int_t)m->u.tcp_window.sent_off));
        break;
    case SS_MSG_END:
        set(o, "reason", jstr(end_name(m->u.end.why)));
        set(o, "by", jstr(m->u.end.by_server ? "server" : "client"));
        break;
    default:
        break;
    }
}

void ss_print_event_json(FILE *out, const struct ss_msg *m)
{
    char src[SS_ENDPOINT_STRLEN], dst[SS_ENDPOINT_STRLEN];
    endpoints(m, src, dst);
    json_t *o = json_object();
    if (!o)
        return;
    set(o, "ts", json_real((double)m->ts_ns / 1e9));
    set(o, "frame", json_integer((json_int_t)m->frame));
    set(o, "first_frame", json_integer((json_int_t)m->first_frame));
    set(o, "flow", json_integer((json_int_t)m->conn->flow_id));
    set(o, "src", jstr(src));
    set(o, "dst", jstr(dst));
    set(o, "from_server", json_boolean(m->from_server));
    set(o, "kind", jstr(ss_msg_kind_name(m->kind)));
    set(o, "seq", json_integer(m->seq));
    set(o, "payload_len", json_integer((json_int_t)m->payload_len));
    set(o, "stream_end_off", json_integer((json_int_t)m->stream_end_off));
    json_kind(o, m);
    json_dumpf(o, out, JSON_COMPACT | JSON_ENSURE_ASCII);
    fputc('\n', out);
    json_decref(o);
}
