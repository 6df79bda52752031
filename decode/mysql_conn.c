/* SPDX-License-Identifier: MIT */
/* mysql_conn.c: one decoder per TCP flow. It owns a framer per direction, follows the connection
 * through greeting, TLS request, login, authentication, the command phase and the binlog dump, and
 * turns every logical packet into a struct ss_msg for the sink (the dump's packets through
 * mysql_dump.c). Which endpoint is the server is taken from the flow and corrected by content (a
 * greeting or event packets from the "client").
 * Reference: protocol.md §1–§6, §10. */
#include "mysql_conn_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ss_conn_emit(struct ss_conn *c, struct ss_msg *m)
{
    m->conn = &c->info;
    if (c->sink.msg)
        c->sink.msg(c->sink.ctx, m);
}

/* A message about the packet that just ended in direction d. */
void ss_conn_msg_init(struct ss_msg *m, const struct conn_dir *d, enum ss_msg_kind kind,
                      uint64_t end_off, uint64_t ts_ns, uint64_t frame)
{
    memset(m, 0, sizeof(*m));
    m->kind = kind;
    m->from_server = ss_conn_is_server(d);
    m->ts_ns = ts_ns;
    m->frame = frame;
    m->first_ts_ns = d->first_ts_ns;
    m->first_frame = d->first_frame;
    m->stream_end_off = end_off;
    m->payload_len = d->total;
    m->seq = d->seq;
}

static void swap_roles(struct ss_conn *c)
{
    struct ss_endpoint t = c->info.client;
    c->info.client = c->info.server;
    c->info.server = t;
    c->swapped = !c->swapped;
    c->roles_fixed = true;
}

/* ---- connection phase ---- */

static void on_greeting(struct ss_conn *c, const struct conn_dir *d, const struct ss_greeting *g,
                        uint64_t end_off, uint64_t ts, uint64_t frame)
{
    const char *shown;
    c->info.flavor = ss_version_flavor(g->version, &shown);
    snprintf(c->info.server_version, sizeof(c->info.server_version), "%s", shown);
    c->info.thread_id = g->thread_id;
    c->info.handshake_seen = true;
    c->server_caps = g->caps;
    c->server_mariadb_caps = g->mariadb_caps;
    c->server_caps_known = true;
    c->roles_fixed = true;
    c->st = CST_LOGIN;
    struct ss_msg m;
    ss_conn_msg_init(&m, d, SS_MSG_GREETING, end_off, ts, frame);
    m.u.greeting.caps = g->caps;
    ss_conn_emit(c, &m);
}

static void go_tls(struct ss_conn *c, const struct conn_dir *d, uint64_t end_off, uint64_t ts,
                   uint64_t frame)
{
    c->info.tls = true;
    c->info.client_caps = c->login.caps;
    c->st = CST_TLS;
    ss_anomaly_add(c->an, SS_AN_CONN_TLS, 1);
    ss_framer_stop(c->d[SS_C2S].fr);
    ss_framer_stop(c->d[SS_S2C].fr);
    struct ss_msg m;
    ss_conn_msg_init(&m, d, SS_MSG_TLS, end_off, ts, frame);
    ss_conn_emit(c, &m);
}

static void on_login(struct ss_conn *c, const struct conn_dir *d, uint64_t end_off, uint64_t ts,
                     uint64_t frame)
{
    if (!ss_login_parse(d->buf, d->len, d->total, &c->login)) {
        ss_anomaly_add(c->an, SS_AN_CONN_BAD_LOGIN, 1);
        struct ss_msg m;
        ss_conn_msg_init(&m, d, SS_MSG_OTHER, end_off, ts, frame);
        ss_conn_emit(c, &m);
        return;
    }
    if (c->login.ssl_request) {
        go_tls(c, d, end_off, ts, frame);
        return;
    }
    ss_text_copy(c->info.user, sizeof(c->info.user), (const uint8_t *)c->login.user,
                 strlen(c->login.user));
    c->info.client_caps = c->login.caps;
    c->st = CST_AUTH;
    struct ss_msg m;
    ss_conn_msg_init(&m, d, SS_MSG_LOGIN, end_off, ts, frame);
    ss_conn_emit(c, &m);
}

/* Compression starts after the server's final OK to authentication (protocol.md §2.1). */
static void start_compression(struct ss_conn *c)
{
    uint32_t caps = c->login.caps & (c->server_caps_known ? c->server_caps : UINT32_MAX);
    enum ss_compress comp = SS_COMP_NONE;
    if (caps & SS_CLIENT_ZSTD)
        comp = SS_COMP_ZSTD;
    else if (caps & SS_CLIENT_COMPRESS)
        comp = SS_COMP_ZLIB;
    if (comp == SS_COMP_NONE)
        return;
    c->info.compress = comp;
    ss_framer_set_compress(c->d[SS_C2S].fr, comp);
    ss_framer_set_compress(c->d[SS_S2C].fr, comp);
}

static void on_auth_reply(struct ss_conn *c, const struct conn_dir *d, uint64_t end_off,
                          uint64_t ts, uint64_t frame)
{
    struct ss_msg m;
    ss_conn_msg_init(&m, d, SS_MSG_REPLY, end_off, ts, frame);
    uint8_t b = d->len ? d->buf[0] : 0;
    if (b == 0x00 && ss_reply_parse(d->buf, d->len, d->total, &m.u.reply)) {
        c->st = CST_COMMAND;
        start_compression(c);
    } else if (b == 0xFF && ss_reply_parse(d->buf, d->len, d->total, &m.u.reply)) {
        c->st = CST_DONE;
    } else {
        /* 0xFE auth switch, 0x01 more data (caching_sha2 / RSA exchange). */
        memset(&m.u.reply, 0, sizeof(m.u.reply));
        m.u.reply.kind = SS_REPLY_AUTH;
    }
    ss_conn_emit(c, &m);
}

/* ---- command phase ---- */

static void flush_result(struct ss_conn *c, const struct conn_dir *d, uint64_t end_off,
                         uint64_t ts, uint64_t frame)
{
    if (c->rs.phase == RS_NONE)
        return;
    struct ss_msg m;
    ss_conn_msg_init(&m, d, SS_MSG_REPLY, end_off, ts, frame);
    m.from_server = true;
    m.first_ts_ns = c->rs.first_ts_ns;
    m.first_frame = c->rs.first_frame;
    m.seq = c->rs.seq;
    m.u.reply.kind = SS_REPLY_RESULT;
    snprintf(m.u.reply.first_value, sizeof(m.u.reply.first_value), "%s", c->rs.first_value);
    if (c->checksum_select && c->rs.got_row) {
        /* The answer to SELECT @master_binlog_checksum: the algorithm of the whole dump. */
        if (strcmp(c->rs.first_value, "CRC32") == 0)
            c->bs.replica_alg = 1;
        else if (strcmp(c->rs.first_value, "NONE") == 0)
            c->bs.replica_alg = 0;
        c->info.checksum_alg = ss_binlog_stream_alg(&c->bs);
    }
    c->checksum_select = false;
    c->rs.phase = RS_NONE;
    ss_conn_emit(c, &m);
}

static void note_command(struct ss_conn *c, const struct ss_cmd *cmd)
{
    if (cmd->cmd == SS_COM_QUERY) {
        switch (cmd->qkind) {
        case SS_Q_SET_SEMISYNC:
            if (cmd->value >= 0)
                c->info.semisync_requested = cmd->value != 0;
            break;
        case SS_Q_SET_CHECKSUM:
            if (cmd->value >= 0)
                c->bs.replica_alg = (int)cmd->value;
            break;
        case SS_Q_SELECT:
            c->checksum_select = strstr(cmd->text, "binlog_checksum") != NULL;
            break;
        default:
            break;
        }
    }
    if (cmd->cmd == SS_COM_QUERY && cmd->qkind == SS_Q_KILL)
        c->kills++;
    else if (cmd->cmd != SS_COM_QUIT)
        c->other_cmds++;
    c->info.is_kill_only = c->kills > 0 && c->other_cmds == 0;
    if (cmd->cmd == SS_COM_REGISTER_SLAVE) {
        c->info.replica_server_id = cmd->server_id;
        snprintf(c->info.replica_host, sizeof(c->info.replica_host), "%s", cmd->host);
        c->info.replica_port = cmd->port;
    }
    if (cmd->cmd == SS_COM_BINLOG_DUMP || cmd->cmd == SS_COM_BINLOG_DUMP_GTID) {
        c->info.replica_server_id = cmd->server_id;
        c->info.is_dump = true;
        c->st = CST_DUMP;
        /* A new dump: stream state restarts; the replica's declared algorithm stays. */
        int replica_alg = c->bs.replica_alg;
        ss_binlog_stream_init(&c->bs);
        c->bs.replica_alg = replica_alg;
        snprintf(c->bs.file, sizeof(c->bs.file), "%s", cmd->dump_file);
        snprintf(c->info.binlog_file, sizeof(c->info.binlog_file), "%s", cmd->dump_file);
        c->info.checksum_alg = ss_binlog_stream_alg(&c->bs);
    }
}

static bool query_attrs(const struct ss_conn *c)
{
    return c->server_caps_known && (c->login.caps & c->server_caps & SS_CLIENT_QUERY_ATTRIBUTES);
}

void ss_conn_on_command(struct ss_conn *c, const struct conn_dir *d, uint64_t end_off, uint64_t ts,
                        uint64_t frame)
{
    /* A new command ends whatever result the server was still sending. */
    flush_result(c, &c->d[ss_conn_server_dir(c)], end_off, ts, frame);
    struct ss_msg m;
    ss_conn_msg_init(&m, d, SS_MSG_COMMAND, end_off, ts, frame);
    if (!ss_command_parse(d->buf, d->len, d->total, query_attrs(c), &m.u.cmd, c->an))
        ss_anomaly_add(c->an, SS_AN_CONN_BAD_COMMAND, 1);
    note_command(c, &m.u.cmd);
    ss_conn_emit(c, &m);
}

static bool deprecate_eof(const struct ss_conn *c)
{
    return c->server_caps_known && (c->login.caps & c->server_caps & SS_CLIENT_DEPRECATE_EOF);
}

/* A server packet in the command phase: OK/ERR/EOF, or one packet of a result set. */
static void on_reply(struct ss_conn *c, const struct conn_dir *d, uint64_t end_off, uint64_t ts,
                     uint64_t frame)
{
    struct resultset *rs = &c->rs;
    uint8_t b = d->len ? d->buf[0] : 0;
    bool short_fe = b == 0xFE && d->total < 0xFFFFFF;
    struct ss_msg m;
    if (b == 0xFF || (rs->phase == RS_NONE && (b == 0x00 || short_fe))) {
        rs->phase = RS_NONE;
        ss_conn_msg_init(&m, d, SS_MSG_REPLY, end_off, ts, frame);
        if (!ss_reply_parse(d->buf, d->len, d->total, &m.u.reply))
            m.kind = SS_MSG_OTHER;
        c->checksum_select = false;
        ss_conn_emit(c, &m);
        return;
    }
    switch (rs->phase) {
    case RS_NONE: {
        /* Column count: a result set starts. */
        memset(rs, 0, sizeof(*rs));
        rs->phase = RS_COLS;
        rs->cols_left = d->buf[0] < 0xFB ? d->buf[0] : 1;
        rs->first_ts_ns = d->first_ts_ns;
        rs->first_frame = d->first_frame;
        rs->seq = d->seq;
        return;
    }
    case RS_COLS:
        if (--rs->cols_left == 0)
            rs->phase = deprecate_eof(c) ? RS_ROWS : RS_COLS_EOF;
        return;
    case RS_COLS_EOF:
        rs->phase = RS_ROWS;
        if (short_fe && d->total < 9)
            return;                      /* the EOF after the column definitions */
        break;                           /* no EOF there after all: this is a row */
    case RS_ROWS:
        break;
    }
    if (short_fe) {
        flush_result(c, d, end_off, ts, frame);
        return;
    }
    if (!rs->got_row) {
        rs->got_row = true;
        ss_row_first_value(d->buf, d->len, rs->first_value, sizeof(rs->first_value));
    }
}

/* ---- routing ---- */

static void emit_other(struct ss_conn *c, const struct conn_dir *d, bool unexpected,
                       uint64_t end_off, uint64_t ts, uint64_t frame)
{
    if (unexpected)
        ss_anomaly_add(c->an, SS_AN_CONN_UNEXPECTED_PACKET, 1);
    struct ss_msg m;
    ss_conn_msg_init(&m, d, SS_MSG_OTHER, end_off, ts, frame);
    ss_conn_emit(c, &m);
}

static bool try_greeting(struct ss_conn *c, const struct conn_dir *d, uint64_t end_off,
                         uint64_t ts, uint64_t frame)
{
    struct ss_greeting g;
    if (d->seq != 0 || !ss_greeting_parse(d->buf, d->len, &g))
        return false;
    on_greeting(c, d, &g, end_off, ts, frame);
    return true;
}

/* A packet from the side that should be the server. */
static void server_packet(struct ss_conn *c, struct conn_dir *d, uint64_t end_off, uint64_t ts,
                          uint64_t frame)
{
    struct ss_msg m;
    switch (c->st) {
    case CST_INIT:
        if (try_greeting(c, d, end_off, ts, frame))
            return;
        ss_conn_msg_init(&m, d, SS_MSG_REPLY, end_off, ts, frame);
        if (d->len && d->buf[0] == 0xFF && ss_reply_parse(d->buf, d->len, d->total, &m.u.reply)) {
            c->st = CST_DONE;             /* refused before the handshake ("Too many …") */
            ss_conn_emit(c, &m);
            return;
        }
        ss_anomaly_add(c->an, SS_AN_CONN_BAD_GREETING, 1);
        emit_other(c, d, false, end_off, ts, frame);
        return;
    case CST_AUTH:
        on_auth_reply(c, d, end_off, ts, frame);
        return;
    case CST_COMMAND:
        on_reply(c, d, end_off, ts, frame);
        return;
    case CST_DUMP:
        ss_dump_server_packet(c, d, end_off, ts, frame);
        return;
    case CST_UNKNOWN:
        if (d->to_events && ss_dump_event(c, d, true, end_off, ts, frame))
            return;
        if (try_greeting(c, d, end_off, ts, frame))
            return;
        if (!c->roles_fixed && ss_semisync_ack_plausible(d->buf, d->len, d->total)) {
            swap_roles(c);                /* acks come from the replica: this is the client */
            c->st = CST_DUMP;
            c->info.is_dump = true;
            ss_dump_ack(c, d, end_off, ts, frame);
            return;
        }
        ss_conn_msg_init(&m, d, SS_MSG_REPLY, end_off, ts, frame);
        if (ss_reply_parse(d->buf, d->len, d->total, &m.u.reply))
            ss_conn_emit(c, &m);
        else
            emit_other(c, d, false, end_off, ts, frame);
        return;
    default:
        emit_other(c, d, c->st == CST_LOGIN, end_off, ts, frame);
        return;
    }
}

/* Event packets from the side taken for the client: the guess was wrong. Replay the packet
 * (held whole unless it exceeds SS_PKT_CAP) through the event parser. */
static bool client_sends_events(struct ss_conn *c, struct conn_dir *d, uint64_t end_off,
                                uint64_t ts, uint64_t frame)
{
    int ss;
    if (c->roles_fixed || !ss_binlog_packet_plausible(d->buf, d->len, d->total, &ss))
        return false;
    swap_roles(c);
    ss_binlog_stream_begin(&c->bs, d->first_len);
    ss_binlog_stream_data(&c->bs, d->buf, d->len);
    return ss_dump_event(c, d, true, end_off, ts, frame);
}

/* A packet from the side that should be the client. */
static void client_packet(struct ss_conn *c, struct conn_dir *d, uint64_t end_off, uint64_t ts,
                          uint64_t frame)
{
    uint8_t b = d->len ? d->buf[0] : 0;
    switch (c->st) {
    case CST_INIT:
        if (!c->roles_fixed && d->seq == 0 && b == 0x0A) {
            struct ss_greeting g;
            if (ss_greeting_parse(d->buf, d->len, &g)) {
                swap_roles(c);            /* the "client" greets: it is the server */
                on_greeting(c, d, &g, end_off, ts, frame);
                return;
            }
        }
        emit_other(c, d, true, end_off, ts, frame);
        return;
    case CST_LOGIN:
        on_login(c, d, end_off, ts, frame);
        return;
    case CST_AUTH:
        emit_other(c, d, false, end_off, ts, frame);   /* auth switch response / more data */
        return;
    case CST_COMMAND:
        ss_conn_on_command(c, d, end_off, ts, frame);
        return;
    case CST_DUMP:
        ss_dump_client_packet(c, d, end_off, ts, frame);
        return;
    case CST_UNKNOWN:
        if (b == SS_SEMISYNC_MAGIC && ss_semisync_ack_plausible(d->buf, d->len, d->total)) {
            c->st = CST_DUMP;
            c->info.is_dump = true;
            c->roles_fixed = true;
            ss_dump_ack(c, d, end_off, ts, frame);
            return;
        }
        if (client_sends_events(c, d, end_off, ts, frame))
            return;
        if (!c->roles_fixed && d->seq == 0 && b == 0x0A) {
            struct ss_greeting g;
            if (ss_greeting_parse(d->buf, d->len, &g)) {
                swap_roles(c);
                on_greeting(c, d, &g, end_off, ts, frame);
                return;
            }
        }
        if (d->seq == 0 && d->total > 0 && b <= SS_COM_BINLOG_DUMP_GTID) {
            /* A command: the connection is in its command phase. */
            c->st = CST_COMMAND;
            ss_conn_on_command(c, d, end_off, ts, frame);
            return;
        }
        emit_other(c, d, false, end_off, ts, frame);
        return;
    default:
        emit_other(c, d, false, end_off, ts, frame);
        return;
    }
}

/* ---- framer callbacks ---- */

static void fr_begin(void *ctx, uint8_t seq, uint32_t first_len, uint64_t ts_ns, uint64_t frame)
{
    struct conn_dir *d = ctx;
    d->in_packet = true;
    d->seq = seq;
    d->first_len = first_len;
    d->first_ts_ns = ts_ns;
    d->first_frame = frame;
    d->started = false;
    d->to_events = false;
    d->keep = true;
    d->header_checked = false;
    d->len = 0;
    d->total = 0;
}

static void fr_payload(void *ctx, const uint8_t *p, size_t n, uint64_t off, uint64_t ts_ns,
                       uint64_t frame)
{
    struct conn_dir *d = ctx;
    struct ss_conn *c = d->c;
    (void)off;
    (void)ts_ns;
    (void)frame;
    if (!d->in_packet || n == 0)
        return;
    if (!d->started) {
        d->started = true;
        /* Event packets stream through the binlog parser; only a probe keeps a copy. */
        d->to_events = ss_conn_is_server(d) && (c->st == CST_DUMP || c->st == CST_UNKNOWN) &&
                       p[0] == 0;
        d->keep = !d->to_events || c->st == CST_UNKNOWN;
        if (d->to_events)
            ss_binlog_stream_begin(&c->bs, d->first_len);
    }
    if (d->to_events)
        ss_binlog_stream_data(&c->bs, p, n);
    if (d->keep && d->len < SS_PKT_CAP) {
        size_t k = SS_MIN(n, SS_PKT_CAP - d->len);
        memcpy(d->buf + d->len, p, k);
        d->len += k;
    }
    d->total += n;
    ss_dump_packet_plausible(c, d);
}

static void fr_end(void *ctx, uint64_t total_len, uint64_t stream_end_off, uint64_t ts_ns,
                   uint64_t frame)
{
    struct conn_dir *d = ctx;
    struct ss_conn *c = d->c;
    if (!d->in_packet)
        return;
    d->total = total_len;              /* may exceed what was delivered (too large) */
    d->in_packet = false;
    if (c->st == CST_TLS)
        return;
    if (ss_conn_is_server(d))
        server_packet(c, d, stream_end_off, ts_ns, frame);
    else
        client_packet(c, d, stream_end_off, ts_ns, frame);
}

static void fr_lost(void *ctx, bool in_packet, uint64_t ts_ns, uint64_t frame)
{
    struct conn_dir *d = ctx;
    struct ss_conn *c = d->c;
    if (d->in_packet && d->to_events)
        ss_binlog_stream_abort(&c->bs);
    d->in_packet = false;
    if (ss_conn_is_server(d)) {
        ss_binlog_stream_discontinuity(&c->bs);
        c->rs.phase = RS_NONE;
    }
    struct ss_msg m;
    memset(&m, 0, sizeof(m));
    m.kind = SS_MSG_GAP;
    m.from_server = ss_conn_is_server(d);
    m.ts_ns = m.first_ts_ns = ts_ns;
    m.frame = m.first_frame = frame;
    m.stream_end_off = c->gap_pending ? c->gap_off + c->gap_len : 0;
    m.u.gap.len = c->gap_pending ? c->gap_len : 0;
    m.u.gap.in_packet = in_packet;
    c->gap_pending = false;
    ss_conn_emit(c, &m);
}

static void fr_resync(void *ctx, uint64_t skipped, bool compressed, uint64_t ts_ns,
                      uint64_t frame)
{
    struct conn_dir *d = ctx;
    struct ss_conn *c = d->c;
    d->resynced = true;
    d->verified = false;
    if (compressed)
        c->info.compress = ss_framer_compress(d->fr);
    struct ss_msg m;
    memset(&m, 0, sizeof(m));
    m.kind = SS_MSG_RESYNC;
    m.from_server = ss_conn_is_server(d);
    m.ts_ns = m.first_ts_ns = ts_ns;
    m.frame = m.first_frame = frame;
    m.u.resync.skipped = skipped;
    ss_conn_emit(c, &m);
}

static const struct ss_frame_ops conn_frame_ops = {
    .begin = fr_begin,
    .payload = fr_payload,
    .end = fr_end,
    .lost = fr_lost,
    .resync = fr_resync,
};

/* ---- API ---- */

struct ss_conn *ss_conn_new(const struct ss_conn_cfg *cfg, const struct ss_flow *f,
                            const struct ss_msg_sink *sink, struct ss_anomalies *an)
{
    struct ss_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->cfg = *cfg;
    c->flow = f;
    c->sink = *sink;
    c->an = an;
    c->info.flow_id = f->id;
    c->info.client = f->client;
    c->info.server = f->server;
    c->info.thread_id = -1;
    c->info.semisync_requested = -1;
    c->info.semisync_header = -1;
    c->info.replica_server_id = -1;
    c->info.checksum_alg = -1;
    c->st = f->midstream ? CST_UNKNOWN : CST_INIT;
    ss_binlog_stream_init(&c->bs);
    /* Without the SYN the lower-port guess may be wrong: let resync look for both kinds. */
    bool unsure = f->midstream && f->side_source == SS_SIDE_GUESS;
    for (int i = 0; i < 2; i++) {
        struct conn_dir *d = &c->d[i];
        d->c = c;
        d->dir = (enum ss_dir)i;
        struct ss_frame_cfg fc = {
            .role = unsure ? SS_ROLE_UNKNOWN : i == SS_S2C ? SS_ROLE_SERVER : SS_ROLE_CLIENT,
            .synced = !f->midstream,
            .max_packet = cfg->max_packet,
        };
        d->fr = ss_framer_new(&fc, &conn_frame_ops, d, an);
        if (!d->fr) {
            ss_conn_free(c);
            return NULL;
        }
    }
    return c;
}

void ss_conn_data(struct ss_conn *c, enum ss_dir dir, const uint8_t *p, size_t n,
                  uint64_t stream_off, uint64_t ts_ns, uint64_t frame)
{
    if (!c)
        return;
    c->delivered_end[dir] = stream_off + n;
    /* TLS records are not MySQL packets: the connection was reported once as conn_tls. */
    if (c->info.tls)
        return;
    ss_framer_data(c->d[dir].fr, p, n, stream_off, ts_ns, frame);
}

void ss_conn_gap(struct ss_conn *c, enum ss_dir dir, uint64_t stream_off, uint64_t len,
                 uint64_t ts_ns, uint64_t frame)
{
    if (!c)
        return;
    c->delivered_end[dir] = stream_off + len;
    if (c->info.tls)
        return;
    c->gap_off = stream_off;
    c->gap_len = len;
    c->gap_pending = true;
    ss_framer_gap(c->d[dir].fr, stream_off, len, ts_ns, frame);
    if (c->gap_pending) {
        /* The framer had nothing to abandon and said nothing: report the gap ourselves. */
        struct conn_dir *d = &c->d[dir];
        c->gap_pending = false;
        struct ss_msg m;
        memset(&m, 0, sizeof(m));
        m.kind = SS_MSG_GAP;
        m.from_server = ss_conn_is_server(d);
        m.ts_ns = m.first_ts_ns = ts_ns;
        m.frame = m.first_frame = frame;
        m.stream_end_off = stream_off + len;
        m.u.gap.len = len;
        ss_conn_emit(c, &m);
    }
}

void ss_conn_acked(struct ss_conn *c, enum ss_dir dir, uint64_t stream_off, uint64_t ts_ns,
                   uint64_t frame)
{
    if (!c || !c->cfg.emit_tcp_acks || !c->info.is_dump || dir != ss_conn_server_dir(c))
        return;
    struct ss_msg m;
    memset(&m, 0, sizeof(m));
    m.kind = SS_MSG_TCP_ACK;
    m.from_server = false;             /* the replica acknowledges the server's bytes */
    m.ts_ns = m.first_ts_ns = ts_ns;
    m.frame = m.first_frame = frame;
    m.stream_end_off = stream_off;
    m.u.tcp_ack.stream_off = stream_off;
    ss_conn_emit(c, &m);
}

void ss_conn_window(struct ss_conn *c, enum ss_dir dir, bool zero, uint64_t ts_ns,
                    uint64_t frame)
{
    if (!c || !c->cfg.emit_tcp_acks || !c->info.is_dump || dir != ss_conn_server_dir(c))
        return;
    struct ss_msg m;
    memset(&m, 0, sizeof(m));
    m.kind = SS_MSG_TCP_WINDOW;
    m.from_server = false;             /* the replica advertises its receive window */
    m.ts_ns = m.first_ts_ns = ts_ns;
    m.frame = m.first_frame = frame;
    m.stream_end_off = c->delivered_end[dir];
    m.u.tcp_window.zero = zero;
    m.u.tcp_window.sent_off = c->delivered_end[dir];
    ss_conn_emit(c, &m);
}

void ss_conn_end(struct ss_conn *c, const struct ss_flow *f, enum ss_end_reason why,
                 enum ss_dir by, uint64_t ts_ns, uint64_t frame)
{
    if (!c)
        return;
    flush_result(c, &c->d[ss_conn_server_dir(c)], 0, ts_ns, frame);
    struct ss_msg m;
    memset(&m, 0, sizeof(m));
    m.kind = SS_MSG_END;
    m.from_server = by == ss_conn_server_dir(c);
    m.ts_ns = m.first_ts_ns = ts_ns;
    m.frame = m.first_frame = frame;
    m.u.end.why = why;
    m.u.end.by_server = by == ss_conn_server_dir(c);
    m.u.end.flow = f;
    ss_conn_emit(c, &m);
}

const struct ss_conn_info *ss_conn_info(const struct ss_conn *c)
{
    return &c->info;
}

void ss_conn_free(struct ss_conn *c)
{
    if (!c)
        return;
    ss_framer_free(c->d[SS_C2S].fr);
    ss_framer_free(c->d[SS_S2C].fr);
    free(c);
}
