/* SPDX-License-Identifier: MIT */
/* mysql_dump.c: the binlog dump half of the connection decoder — event packets through the
 * streaming event parser, EOF/ERR replies, the replica's acks, and the validation that catches a
 * false boundary on a stream whose framing came from a resync (issue 4).
 * Reference: protocol.md §5, §6, §10.1. */
#include "mysql_conn_priv.h"

#include <stdio.h>
#include <string.h>

static void sync_stream_info(struct ss_conn *c)
{
    snprintf(c->info.binlog_file, sizeof(c->info.binlog_file), "%s", c->bs.file);
    c->info.semisync_header = c->bs.semisync;
    c->info.checksum_alg = ss_binlog_stream_alg(&c->bs);
    /* The framer judges resync candidates by their checksums once it knows the algorithm. */
    ss_framer_set_checksum(c->d[ss_conn_server_dir(c)].fr, c->info.checksum_alg);
}

/* ---- validating a dump stream whose framing came from a resync ----
 * A resync accepts a boundary on evidence that row data can imitate (a BLOB may hold binlog
 * bytes). Every later packet is evidence too: one that cannot be the next event of this stream
 * means the boundary was false, and the framer is told to look again (ss_framer_resync) before
 * the false framing swallows real packets. A handshake-synced stream is never second-guessed. */

/* An event this much larger than any seen so far, right after an unconfirmed boundary, is more
 * likely a length read from row data than a real event. */
#define SS_ABSURD_EVENT_MIN (1u << 20)
#define SS_ABSURD_EVENT_FACTOR 16u
#define SS_LOG_EVENT_IGNORABLE_F 0x0080

static bool validating(const struct ss_conn *c, const struct conn_dir *d)
{
    /* Picked up mid-stream, the first event packet is still being probed: its header is judged
     * all the same, before a false length can swallow the stream. */
    return d->resynced && ss_conn_is_server(d) &&
           (c->st == CST_DUMP || (c->st == CST_UNKNOWN && d->to_events));
}

static void force_resync(struct ss_conn *c, struct conn_dir *d)
{
    if (d->in_packet && d->to_events)
        ss_binlog_stream_abort(&c->bs);
    d->in_packet = false;
    d->verified = false;
    /* Whatever the false framing showed is no position to continue from. */
    ss_binlog_stream_discontinuity(&c->bs);
    ss_framer_resync(d->fr);
}

static bool synthetic_header(const struct ss_binlog_header *h)
{
    return h->log_pos == 0 || (h->flags & SS_LOG_EVENT_ARTIFICIAL_F) || h->type == SS_EV_ROTATE ||
           h->type == SS_EV_FORMAT_DESCRIPTION || h->type == SS_EV_HEARTBEAT ||
           h->type == SS_EV_HEARTBEAT_V2;
}

/* Could the event whose header starts the packet's first `n` payload bytes `lead` come next on
 * this stream? `total` is the payload length, 0 while unknown (a packet continued past 16 MiB). */
static bool event_header_fits(const struct ss_conn *c, const struct conn_dir *d,
                              const uint8_t *lead, size_t n, uint64_t total)
{
    bool size_ok;
    unsigned off = ss_semisync_event_offset(lead, n, total, c->bs.semisync, &size_ok);
    struct ss_binlog_header h;
    if (n < off || !ss_binlog_header_parse(lead + off, n - off, &h))
        return false;
    if (total ? h.event_size != total - off : (uint64_t)h.event_size + off < 0xFFFFFF)
        return false;
    if (!ss_binlog_type_known(h.type) && !(h.flags & SS_LOG_EVENT_IGNORABLE_F))
        return false;
    const struct ss_binlog_stream *s = &c->bs;
    bool real = !synthetic_header(&h);
    bool continues = real && s->pos_known && (uint32_t)(s->pos + h.event_size) == h.log_pos;
    if (real && s->pos_known && !continues && s->pos <= UINT32_MAX && h.log_pos < s->pos)
        return false; /* log_pos goes backwards */
    if (!d->verified && !continues && h.event_size > SS_ABSURD_EVENT_MIN &&
        h.event_size / SS_ABSURD_EVENT_FACTOR > c->max_event)
        return false;
    return true;
}

/* Payload arrived for a packet on a validated stream: judge it as early as its bytes allow, so
 * that a false length does not swallow what follows. Returns false after forcing a resync. */
bool ss_dump_packet_plausible(struct ss_conn *c, struct conn_dir *d)
{
    if (!validating(c, d) || d->header_checked)
        return true;
    if (!d->to_events) {
        /* Only events, EOF (FE) and ERR (FF) come from the source on a dump. */
        d->header_checked = true;
        if (d->len && d->buf[0] != 0xFE && d->buf[0] != 0xFF) {
            force_resync(c, d);
            return false;
        }
        return true;
    }
    if (c->bs.lead_len < SS_EV_LEAD)
        return true;
    d->header_checked = true;
    uint64_t total = d->first_len < 0xFFFFFF ? d->first_len : 0;
    if (event_header_fits(c, d, c->bs.lead, c->bs.lead_len, total))
        return true;
    force_resync(c, d);
    return false;
}

/* Without the greeting (a mid-stream capture) the events still tell the server: a
 * FORMAT_DESCRIPTION carries the version string, and only MariaDB sends event types 160 and up. */
static void learn_flavor(struct ss_conn *c, const struct ss_event *ev)
{
    if (c->info.flavor != SS_FLAVOR_UNKNOWN)
        return;
    if (ev->h.type == SS_EV_FORMAT_DESCRIPTION && ev->u.fde.server_version[0]) {
        const char *shown;
        c->info.flavor = ss_version_flavor(ev->u.fde.server_version, &shown);
        if (!c->info.server_version[0])
            snprintf(c->info.server_version, sizeof(c->info.server_version), "%s", shown);
    } else if (ev->h.type >= SS_EV_MARIA_ANNOTATE_ROWS && ss_binlog_type_known(ev->h.type)) {
        c->info.flavor = SS_FLAVOR_MARIADB;
    }
}

/* The end of an event packet; `probe` while the connection's state is unknown. Returns false
 * when the packet is not an event after all (probe mode). */
bool ss_dump_event(struct ss_conn *c, struct conn_dir *d, bool probe, uint64_t end_off,
                   uint64_t ts, uint64_t frame)
{
    struct ss_msg m;
    ss_conn_msg_init(&m, d, SS_MSG_EVENT, end_off, ts, frame);
    bool check = !probe && validating(c, d);
    if (check && !d->header_checked &&
        !event_header_fits(c, d, c->bs.lead, c->bs.lead_len, d->total)) {
        /* a packet too short to be judged before its end */
        ss_binlog_stream_abort(&c->bs);
        force_resync(c, d);
        return true;
    }
    bool pos_known = c->bs.pos_known;
    uint64_t pos = c->bs.pos;
    enum ss_ev_result r = ss_binlog_stream_end(&c->bs, d->total, probe, &m.u.ev, c->an);
    if (r == SS_EVR_NOT_EVENT)
        return false;
    if (r == SS_EVR_TRUNCATED) {
        if (check) {
            force_resync(c, d);
            return true;
        }
        m.kind = SS_MSG_OTHER;
        ss_conn_emit(c, &m);
        return true;
    }
    if (check && m.u.ev.csum == SS_CSUM_BAD) {
        /* The checksum is known and does not verify: the boundary was false. */
        force_resync(c, d);
        return true;
    }
    const struct ss_event *ev = &m.u.ev;
    if (d->resynced) {
        bool continues = pos_known && !ev->artificial && ev->end_pos == pos + ev->h.event_size;
        d->verified = ev->csum == SS_CSUM_OK || continues;
    }
    if (ev->h.event_size > c->max_event)
        c->max_event = ev->h.event_size;
    if (probe) {
        c->st = CST_DUMP;
        c->info.is_dump = true;
        c->roles_fixed = true;
    }
    sync_stream_info(c);
    learn_flavor(c, &m.u.ev);
    ss_conn_emit(c, &m);
    return true;
}

void ss_dump_server_packet(struct ss_conn *c, struct conn_dir *d, uint64_t end_off,
                           uint64_t ts, uint64_t frame)
{
    if (d->to_events) {
        ss_dump_event(c, d, false, end_off, ts, frame);
        return;
    }
    struct ss_msg m;
    ss_conn_msg_init(&m, d, SS_MSG_REPLY, end_off, ts, frame);
    if (!ss_reply_parse(d->buf, d->len, d->total, &m.u.reply)) {
        if (validating(c, d)) {
            force_resync(c, d); /* an empty or unparsable packet where framing is unsure */
            return;
        }
        m.kind = SS_MSG_OTHER;
        ss_anomaly_add(c->an, SS_AN_CONN_UNEXPECTED_PACKET, 1);
    } else if (m.u.reply.kind == SS_REPLY_ERR) {
        ss_anomaly_add(c->an, SS_AN_CONN_ERR_IN_DUMP, 1);
    }
    ss_conn_emit(c, &m);
}

void ss_dump_ack(struct ss_conn *c, const struct conn_dir *d, uint64_t end_off, uint64_t ts,
                 uint64_t frame)
{
    struct ss_msg m;
    ss_conn_msg_init(&m, d, SS_MSG_ACK, end_off, ts, frame);
    ss_ack_parse(d->buf, d->len, d->total, &m.u.ack, c->an);
    /* Picked up mid-stream, the ack is the first word on which file the dump is in. */
    if (m.u.ack.well_formed && c->bs.file[0] == '\0') {
        snprintf(c->bs.file, sizeof(c->bs.file), "%s", m.u.ack.file);
        snprintf(c->info.binlog_file, sizeof(c->info.binlog_file), "%s", m.u.ack.file);
    }
    ss_conn_emit(c, &m);
}

void ss_dump_client_packet(struct ss_conn *c, const struct conn_dir *d, uint64_t end_off,
                           uint64_t ts, uint64_t frame)
{
    uint8_t b = d->len ? d->buf[0] : 0;
    if (b == SS_SEMISYNC_MAGIC) {
        ss_dump_ack(c, d, end_off, ts, frame);
        return;
    }
    if (b == SS_COM_QUIT && d->total == 1) {
        ss_conn_on_command(c, d, end_off, ts, frame);
        return;
    }
    ss_anomaly_add(c->an, SS_AN_CONN_UNEXPECTED_PACKET, 1);
    struct ss_msg m;
    ss_conn_msg_init(&m, d, SS_MSG_OTHER, end_off, ts, frame);
    ss_conn_emit(c, &m);
}
