/* SPDX-License-Identifier: MIT */
/* fuzz_analysis.c: the analyzers (ack matching, per-replica analysis, semisync state machine) and
 * every reporter, fed decoded-message sequences made from the fuzz bytes. Through the whole
 * pipeline the fuzzer rarely gets past the decoder's checks to odd *sequences* of well-formed
 * messages — acks ahead of their events, rotations mid-transaction, positions going backwards,
 * time going backwards, one replica on two masters, reconnects, direction mix-ups — which is what
 * this target produces directly. Messages carry what the decoder would set in struct ss_conn_info
 * so the analyzers' grouping logic is reached.
 *
 * Input: byte 0 = configuration (bit 0 tiny caps, bit 1 MariaDB, bits 2-3 semisync parameters),
 * then 8-byte records:
 *   [0] bits 0-2 connection slot (mod 6), bits 3-6 message kind, bit 7 the wrong direction
 *   [1] time step (bit 7 backwards, bit 6 seconds)
 *   [2] binlog file index (bits 0-1), flags   [3-4] position delta (signed)
 *   [5] event type index / command / reply / end reason   [6] size   [7] flags / values */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_reports.h"
#include "semiscope/analyze.h"
#include "semiscope/anomaly.h"
#include "semiscope/binlog.h"
#include "semiscope/flow.h"
#include "semiscope/mysql.h"
#include "semiscope/semistate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FA_SLOTS 6
#define FA_REC 8

struct fa_conn {
    struct ss_conn_info ci;
    struct ss_flow flow;     /* what SS_MSG_END points at */
    uint64_t pos;            /* position cursor in the current file */
    uint64_t off[2];         /* stream offsets, client→server and server→client */
    unsigned gen;            /* reconnects */
};

struct fa {
    struct fa_conn c[FA_SLOTS];
    struct ss_analysis *analysis;
    struct ss_semistate *state;
    struct ss_anomalies an;
    uint64_t ts;
    uint64_t frame;
    bool mariadb;
};

static const char *const fa_files[] = {
    "mysql-bin.000001", "mysql-bin.000002", "master-bin.000010",
    "a-very-long-binlog-base-name-that-goes-on-and-on.999999",
};

static const uint8_t fa_types[] = {
    SS_EV_XID, SS_EV_GTID, SS_EV_QUERY, SS_EV_ROTATE, SS_EV_FORMAT_DESCRIPTION, SS_EV_HEARTBEAT,
    SS_EV_MARIA_GTID, SS_EV_WRITE_ROWS, SS_EV_TABLE_MAP, SS_EV_ANONYMOUS_GTID, SS_EV_XA_PREPARE,
    SS_EV_TRANSACTION_PAYLOAD, SS_EV_HEARTBEAT_V2, SS_EV_MARIA_GTID_LIST, SS_EV_STOP, 250,
};

/* Slot → connection: replicas on two masters; slot 5 is the same replica host as slot 0 on the
 * other master. A reconnect (after END) is a new flow from a new client port. */
static void fa_conn_reset(struct fa *z, unsigned slot)
{
    struct fa_conn *c = &z->c[slot];
    unsigned gen = c->gen;
    memset(c, 0, sizeof *c);
    c->gen = gen;
    struct ss_conn_info *ci = &c->ci;
    ci->flow_id = 1 + slot + (uint64_t)gen * FA_SLOTS;
    ci->client.addr.family = ci->server.addr.family = 4;
    ci->client.addr.b[0] = ci->server.addr.b[0] = 10;
    ci->client.addr.b[3] = (uint8_t)(slot == 5 ? 1 : 1 + slot);
    ci->client.port = (uint16_t)(40000 + slot * 100 + gen % 100);
    ci->server.addr.b[3] = (uint8_t)(slot % 2 ? 201 : 200);
    ci->server.port = 3306;
    ci->flavor = z->mariadb ? SS_FLAVOR_MARIADB : SS_FLAVOR_MYSQL;
    ci->thread_id = -1;
    ci->semisync_requested = -1;
    ci->semisync_header = -1;
    ci->replica_server_id = -1;
    ci->checksum_alg = -1;
    c->pos = 4;
    c->flow.id = ci->flow_id;
    c->flow.client = ci->client;
    c->flow.server = ci->server;
}

static void fa_event(struct fa_conn *c, struct ss_msg *m, const uint8_t *r)
{
    struct ss_event *ev = &m->u.ev;
    struct ss_conn_info *ci = &c->ci;
    uint8_t type = fa_types[r[5] % sizeof fa_types];
    uint32_t size = SS_BINLOG_HEADER_LEN + r[6];
    int16_t delta = (int16_t)(r[3] | r[4] << 8);
    ci->is_dump = true;
    if (ci->semisync_header < 0)
        ci->semisync_header = (r[7] & 4) ? 0 : 1;
    if (type == SS_EV_ROTATE) {
        snprintf(ci->binlog_file, sizeof ci->binlog_file, "%s", fa_files[r[2] & 3]);
        c->pos = 4;
        snprintf(ev->u.rotate.name, sizeof ev->u.rotate.name, "%s", ci->binlog_file);
        ev->u.rotate.pos = 4;
    }
    if (!ci->binlog_file[0])
        snprintf(ci->binlog_file, sizeof ci->binlog_file, "%s", fa_files[0]);
    /* mostly forward; a negative delta replays or rewinds */
    c->pos = (uint64_t)((int64_t)c->pos + (r[2] & 4 ? delta : 0)) + size;
    if ((int64_t)c->pos < 4)
        c->pos = 4;
    ev->h.type = type;
    ev->h.timestamp = (uint32_t)(m->ts_ns / SS_NS_PER_SEC);
    ev->h.server_id = 1 + (r[7] >> 6);
    ev->h.event_size = size;
    ev->h.log_pos = (uint32_t)c->pos;
    ev->artificial = (r[7] & 8) != 0 || type == SS_EV_HEARTBEAT || type == SS_EV_HEARTBEAT_V2;
    if (ev->artificial)
        ev->h.log_pos = 0;
    ev->semisync_flags = ci->semisync_header == 1 ? (r[7] & 3) : -1;
    ev->ack_requested = ev->semisync_flags >= 0 && (ev->semisync_flags & 1);
    snprintf(ev->file, sizeof ev->file, "%s", ci->binlog_file);
    ev->end_pos = c->pos;
    ev->csum = (enum ss_csum)((r[7] >> 4) & 3);
    switch (type) {
    case SS_EV_XID:
    case SS_EV_XA_PREPARE:
    case SS_EV_TRANSACTION_PAYLOAD:
        ev->trx = SS_TRX_END;
        ev->u.xid.xid = r[6];
        break;
    case SS_EV_GTID:
    case SS_EV_ANONYMOUS_GTID:
        ev->trx = SS_TRX_BEGIN;
        ev->u.gtid.gno = (int64_t)c->pos;
        ev->u.gtid.sid[0] = r[5];
        ev->u.gtid.last_committed = ev->u.gtid.sequence_number = -1;
        break;
    case SS_EV_MARIA_GTID:
        ev->trx = (r[7] & 32) ? SS_TRX_END : SS_TRX_BEGIN; /* standalone: its own end */
        ev->u.mgtid.seq = c->pos;
        ev->u.mgtid.domain = r[6] & 1;
        break;
    case SS_EV_QUERY:
        ev->trx = (enum ss_trx_role)(r[6] % 3);
        ev->u.query.kind = (enum ss_query_event_kind)(r[6] % 10);
        snprintf(ev->u.query.text, sizeof ev->u.query.text, "%s",
                 ev->trx == SS_TRX_BEGIN ? "BEGIN" : "COMMIT");
        break;
    default:
        break;
    }
}

static void fa_command(struct fa *z, struct fa_conn *c, struct ss_msg *m, const uint8_t *r)
{
    struct ss_cmd *cmd = &m->u.cmd;
    struct ss_conn_info *ci = &c->ci;
    cmd->value = -1;
    switch (r[5] % 6) {
    case 0: /* COM_REGISTER_SLAVE */
        cmd->cmd = 0x15;
        cmd->server_id = 2 + r[7] % 4;
        snprintf(cmd->host, sizeof cmd->host, "replica%u", (unsigned)(r[7] % 4));
        cmd->port = 3306;
        ci->replica_server_id = cmd->server_id;
        snprintf(ci->replica_host, sizeof ci->replica_host, "%s", cmd->host);
        ci->replica_port = cmd->port;
        break;
    case 1: /* COM_BINLOG_DUMP */
        cmd->cmd = 0x12;
        cmd->server_id = 2 + r[7] % 4;
        snprintf(cmd->dump_file, sizeof cmd->dump_file, "%s", fa_files[r[2] & 3]);
        cmd->dump_pos = 4 + (uint64_t)(r[3] | r[4] << 8);
        ci->replica_server_id = cmd->server_id;
        ci->is_dump = true;
        snprintf(ci->binlog_file, sizeof ci->binlog_file, "%s", cmd->dump_file);
        c->pos = cmd->dump_pos;
        break;
    case 2: /* SET @rpl_semi_sync_slave = v */
        cmd->cmd = 0x03;
        cmd->qkind = SS_Q_SET_SEMISYNC;
        cmd->value = r[7] & 1;
        snprintf(cmd->text, sizeof cmd->text, "SET @rpl_semi_sync_slave = %d", (int)cmd->value);
        ci->semisync_requested = (int)cmd->value;
        break;
    case 3: /* KILL n: a KILL-only connection */
        cmd->cmd = 0x03;
        cmd->qkind = SS_Q_KILL;
        cmd->value = r[7];
        snprintf(cmd->text, sizeof cmd->text, "KILL %u", (unsigned)r[7]);
        ci->is_kill_only = !ci->is_dump;
        break;
    case 4: /* COM_QUIT */
        cmd->cmd = 0x01;
        break;
    default: /* COM_BINLOG_DUMP_GTID */
        cmd->cmd = 0x1e;
        cmd->server_id = 2 + r[7] % 4;
        cmd->gtid_set_len = r[6];
        ci->replica_server_id = cmd->server_id;
        ci->is_dump = true;
        break;
    }
    (void)z;
}

/* One record → at most one message (an END also reconnects the slot). */
static void fa_record(struct fa *z, const uint8_t *r)
{
    unsigned slot = (r[0] & 7) % FA_SLOTS;
    unsigned kind = (r[0] >> 3) & 15;
    struct fa_conn *c = &z->c[slot];
    uint64_t step = (r[1] & 0x40) ? (uint64_t)(r[1] & 0x3f) * SS_NS_PER_SEC
                                  : (uint64_t)(r[1] & 0x3f) * 50000u;
    z->ts = (r[1] & 0x80) ? (z->ts > step ? z->ts - step : 0) : z->ts + step;
    struct ss_msg m;
    memset(&m, 0, sizeof m);
    m.conn = &c->ci;
    m.ts_ns = m.first_ts_ns = z->ts;
    m.frame = m.first_frame = ++z->frame;
    m.payload_len = r[6];
    switch (kind) {
    case 0: case 1: case 2: case 3: /* events are most of a dump stream */
        m.kind = SS_MSG_EVENT;
        m.from_server = true;
        fa_event(c, &m, r);
        break;
    case 4: case 5: case 6: {
        m.kind = SS_MSG_ACK;
        struct ss_ack *a = &m.u.ack;
        int16_t delta = (int16_t)(r[3] | r[4] << 8);
        a->pos = (uint64_t)((int64_t)c->pos + ((r[2] & 4) ? delta : 0));
        snprintf(a->file, sizeof a->file, "%s",
                 (r[2] & 8) ? fa_files[r[2] & 3] : (c->ci.binlog_file[0] ? c->ci.binlog_file
                                                                        : fa_files[0]));
        a->well_formed = !(r[7] & 0x80);
        a->len = 9 + (uint32_t)strlen(a->file);
        break;
    }
    case 7:
        m.kind = SS_MSG_COMMAND;
        fa_command(z, c, &m, r);
        break;
    case 8:
        m.kind = SS_MSG_REPLY;
        m.from_server = true;
        m.u.reply.kind = (enum ss_reply_kind)(r[5] % 5);
        m.u.reply.err_code = m.u.reply.kind == SS_REPLY_ERR ? 1236 : 0;
        break;
    case 9:
        m.kind = SS_MSG_GREETING;
        m.from_server = true;
        c->ci.handshake_seen = true;
        c->ci.thread_id = r[7];
        snprintf(c->ci.server_version, sizeof c->ci.server_version, "%s",
                 z->mariadb ? "10.11.6-MariaDB-log" : "8.0.36");
        break;
    case 10:
        m.kind = SS_MSG_GAP;
        m.from_server = (r[7] & 1) != 0;
        m.u.gap.len = 1 + r[6];
        m.u.gap.in_packet = (r[7] & 2) != 0;
        break;
    case 11:
        m.kind = SS_MSG_RESYNC;
        m.from_server = (r[7] & 1) != 0;
        m.u.resync.skipped = r[6];
        c->ci.is_dump = c->ci.is_dump || (r[7] & 2);
        break;
    case 12: case 13:
        m.kind = SS_MSG_TCP_ACK;
        m.u.tcp_ack.stream_off = c->off[1] - SS_MIN(c->off[1], (uint64_t)r[6]);
        break;
    case 14:
        m.kind = SS_MSG_END;
        m.u.end.why = (enum ss_end_reason)(r[5] % 5);
        m.u.end.by_server = (r[7] & 1) != 0;
        c->flow.last_ts_ns = z->ts;
        c->flow.dir[0].retrans = r[6] & 3;
        c->flow.dir[1].zero_windows = (r[6] >> 2) & 3;
        c->flow.midstream = (r[7] & 2) != 0;
        m.u.end.flow = &c->flow;
        break;
    default:
        m.kind = SS_MSG_OTHER;
        m.from_server = (r[7] & 1) != 0;
        break;
    }
    if (r[0] & 0x80)
        m.from_server = !m.from_server;
    unsigned d = m.from_server ? 1 : 0;
    c->off[d] += 4 + m.payload_len;
    m.stream_end_off = c->off[d];
    ss_analysis_msg(z->analysis, &m);
    ss_semistate_msg(z->state, &m);
    if (m.kind == SS_MSG_END) {
        c->gen++;
        fa_conn_reset(z, slot);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct fa *z = calloc(1, sizeof *z);
    if (!z)
        return 0;
    uint8_t cfgb = data[0];
    z->mariadb = (cfgb & 2) != 0;
    z->ts = UINT64_C(1700000000) * SS_NS_PER_SEC;
    struct ss_analysis_cfg ac;
    ss_analysis_cfg_defaults(&ac);
    if (cfgb & 1) {
        ac.max_masters = 1;
        ac.max_replicas = 2;
        ac.max_pending = 4;
        ac.slowest_n = 2;
        ac.max_intervals = 4;
        ac.max_conn_records = 2;
        ac.max_trx_ranges = 2;
    }
    struct ss_semi_params sp;
    ss_semi_params_defaults(&sp);
    sp.timeout_ms = (cfgb & 4) ? 50 : 10000;
    sp.wait_point_after_sync = (cfgb & 8) ? 0 : -1;
    if (cfgb & 8)
        sp.src_wait_point = SS_PARAM_OPTION;
    z->analysis = ss_analysis_new(&ac, &z->an);
    z->state = ss_semistate_new(&sp, &z->an);
    if (z->analysis && z->state) {
        for (unsigned s = 0; s < FA_SLOTS; s++)
            fa_conn_reset(z, s);
        size_t nrec = (size - 1) / FA_REC;
        for (size_t i = 0; i < nrec; i++)
            fa_record(z, data + 1 + i * FA_REC);
        /* the capture ends: every open connection ends, as the flow table's finish does */
        for (unsigned s = 0; s < FA_SLOTS; s++) {
            uint8_t end_rec[FA_REC] = {(uint8_t)(s | 14 << 3), 0, 0, 0, 0, SS_END_CAPTURE, 0, 0};
            fa_record(z, end_rec);
        }
        ss_analysis_finish(z->analysis, z->ts);
        ss_semistate_finish(z->state, z->ts);
        struct ss_run_info run = {0};
        run.an = &z->an;
        run.cap.frames = z->frame;
        run.cap.first_ts_ns = UINT64_C(1700000000) * SS_NS_PER_SEC;
        run.cap.last_ts_ns = z->ts;
        fzr_reports(&run, z->analysis, z->state);
    }
    ss_analysis_free(z->analysis);
    ss_semistate_free(z->state);
    free(z);
    return 0;
}
