/* SPDX-License-Identifier: MIT */
/* fuzz_conn.c: the connection decoder (and the --events printer) on arbitrary bytes delivered as
 * interleaved client/server chunks, gaps and TCP acks. Input: byte 0 = configuration (bit 0
 * mid-stream, bits 1-2 side source SYN/PORT/GUESS, bit 3 emit TCP acks, bit 4 small max_packet);
 * then records: a control byte c (bit 0 direction; bits 1-2 op: 0/1 data of ((c >> 3) * 64 +
 * next byte + 1) bytes that follow, 2 gap of next byte + 1 bytes, 3 TCP ack that many bytes back
 * from the direction's end, or with bit 3 set a TCP window change, zero when bit 4 is set). Every
 * message is checked for sane strings and printed. */
#include "semiscope/mysql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/print_events.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
    FILE *null;
    uint64_t msgs;
};

static void fz_check(bool ok)
{
    if (!ok)
        abort();
}

static void fz_str(const char *s, size_t cap)
{
    fz_check(memchr(s, '\0', cap) != NULL);
}

static void fz_msg(void *ctx, const struct ss_msg *m)
{
    struct fz *z = ctx;
    fz_check((unsigned)m->kind < SS_MSG_KIND_COUNT && m->conn != NULL);
    fz_check(m->first_frame <= m->frame);
    const struct ss_conn_info *ci = m->conn;
    fz_str(ci->server_version, sizeof(ci->server_version));
    fz_str(ci->user, sizeof(ci->user));
    fz_str(ci->binlog_file, sizeof(ci->binlog_file));
    fz_str(ci->replica_host, sizeof(ci->replica_host));
    switch (m->kind) {
    case SS_MSG_EVENT:
        fz_str(m->u.ev.file, sizeof(m->u.ev.file));
        fz_check(m->u.ev.semisync_flags >= -1 && m->u.ev.semisync_flags <= 255);
        fz_check(!m->u.ev.ack_requested || m->u.ev.semisync_flags > 0);
        break;
    case SS_MSG_ACK:
        fz_str(m->u.ack.file, sizeof(m->u.ack.file));
        break;
    case SS_MSG_COMMAND:
        fz_str(m->u.cmd.text, sizeof(m->u.cmd.text));
        fz_str(m->u.cmd.dump_file, sizeof(m->u.cmd.dump_file));
        break;
    case SS_MSG_REPLY:
        fz_str(m->u.reply.message, sizeof(m->u.reply.message));
        fz_str(m->u.reply.first_value, sizeof(m->u.reply.first_value));
        break;
    default:
        break;
    }
    ss_print_event_text(z->null, m);
    ss_print_event_json(z->null, m);
    z->msgs++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t cfgb = data[0];
    struct ss_flow f;
    memset(&f, 0, sizeof(f));
    f.id = 1;
    f.client.addr.family = 4;
    f.client.addr.b[3] = 2;
    f.client.port = 50000;
    f.server.addr.family = 4;
    f.server.addr.b[3] = 1;
    f.server.port = 3306;
    f.midstream = cfgb & 1;
    f.side_source = (enum ss_side_source)((cfgb >> 1) & 3) > SS_SIDE_GUESS
                        ? SS_SIDE_GUESS
                        : (enum ss_side_source)((cfgb >> 1) & 3);
    struct fz z = {.null = fopen("/dev/null", "w")};
    if (!z.null)
        return 0;
    struct ss_msg_sink sink = {.msg = fz_msg, .ctx = &z};
    struct ss_anomalies an;
    memset(&an, 0, sizeof(an));
    struct ss_conn_cfg cfg = {.emit_tcp_acks = (cfgb & 8) != 0,
                              .max_packet = (cfgb & 16) ? 4096 : 0};
    struct ss_conn *c = ss_conn_new(&cfg, &f, &sink, &an);
    if (!c) {
        fclose(z.null);
        return 0;
    }
    uint64_t off[2] = {0, 0}, frame = 0;
    size_t i = 1;
    while (i < size) {
        uint8_t ctl = data[i++];
        enum ss_dir dir = (enum ss_dir)(ctl & 1);
        unsigned op = (ctl >> 1) & 3;
        uint8_t arg = i < size ? data[i++] : 0;
        frame++;
        if (op <= 1) {
            size_t n = (size_t)(ctl >> 3) * 64 + arg + 1;
            if (n > size - i)
                n = size - i;
            ss_conn_data(c, dir, data + i, n, off[dir], frame * 1000, frame);
            off[dir] += n;
            i += n;
        } else if (op == 2) {
            ss_conn_gap(c, dir, off[dir], (uint64_t)arg + 1, frame * 1000, frame);
            off[dir] += (uint64_t)arg + 1;
        } else if (ctl & 8) {
            ss_conn_window(c, dir, (ctl & 16) != 0, frame * 1000, frame);
        } else {
            ss_conn_acked(c, dir, off[dir] > arg ? off[dir] - arg : 0, frame * 1000, frame);
        }
    }
    ss_conn_end(c, &f, SS_END_CAPTURE, SS_C2S, (frame + 1) * 1000, frame + 1);
    ss_conn_free(c);
    fclose(z.null);
    return 0;
}
