/* SPDX-License-Identifier: MIT */
/* binlog_event.c: the streaming parser of a dump stream's event packets. Fed the payload of each
 * packet in pieces, it keeps a bounded prefix of the event (for the header and the bodies that
 * matter), runs CRC32 over everything but the last 4 bytes as they pass, and at the end of the
 * packet produces one struct ss_event: header, semisync flags, checksum verdict, body fields, the
 * binlog file and 64-bit end position, and the event's role in its transaction.
 * Reference: protocol.md §5, §7.1, §7.3, §7.16, §10.1–2. */
#include "mysql_conn_priv.h"

#include <stdio.h>
#include <string.h>
#include <libdeflate.h>

#include "semiscope/rd.h"

#define FLAGS_OFFSET 17
#define BINLOG_IN_USE_F 0x0001
#define LOG_EVENT_IGNORABLE_F 0x0080

void ss_binlog_stream_init(struct ss_binlog_stream *s)
{
    memset(s, 0, sizeof(*s));
    s->semisync = -1;
    s->file_alg = -1;
    s->replica_alg = -1;
    s->inferred_alg = -1;
    s->query_post_len = 13;
}

int ss_binlog_stream_alg(const struct ss_binlog_stream *s)
{
    if (s->file_alg >= 0)
        return s->file_alg;
    if (s->replica_alg >= 0)
        return s->replica_alg;
    return s->inferred_alg;
}

void ss_binlog_stream_begin(struct ss_binlog_stream *s, uint32_t first_len)
{
    s->active = true;
    s->first_len = first_len;
    s->got = 0;
    s->lead_len = 0;
    s->decided = false;
    s->hdr_off = 1;
    s->size_ok = false;
    s->ev_got = 0;
    s->pre_len = 0;
    s->held = 0;
    s->crc = 0; /* the CRC-32 of no bytes */
    s->crc_raw = s->crc;
    s->crc_off = 0;
}

void ss_binlog_stream_abort(struct ss_binlog_stream *s)
{
    s->active = false;
}

void ss_binlog_stream_discontinuity(struct ss_binlog_stream *s)
{
    /* The file name stays as the best guess; a ROTATE or heartbeat will correct it. */
    s->pos_known = false;
    s->in_trx = false;
    s->standalone = false;
    s->crc_hits = s->crc_misses = 0;
}

/* libdeflate's CRC-32 (the same IEEE polynomial as zlib's crc32 and the binlog's) uses PCLMUL
 * folding: 4-9x faster than Debian's zlib here, and every event byte of every stream goes through
 * it, so it decides the offline speed (tools/bench). */
static uint32_t crc_update(uint32_t crc, const uint8_t *p, size_t n)
{
    return libdeflate_crc32(crc, p, n);
}

/* Bytes at event offset crc_off.. enter the CRC. A FORMAT_DESCRIPTION is checksummed with the
 * "binlog in use" flag clear — the server sets the flag in the file while it writes and clears it
 * in place at close, so the stored CRC must not depend on it (SOURCE.md of the test data shows the
 * same). The header exactly as sent is checksummed alongside, in case a writer did otherwise. */
static void crc_feed(struct ss_binlog_stream *s, const uint8_t *p, size_t n)
{
    bool fde = s->pre_len > 4 && s->pre[4] == SS_EV_FORMAT_DESCRIPTION;
    if (!fde) {
        s->crc = crc_update(s->crc, p, n);
        s->crc_off += n;
        return;
    }
    s->crc_raw = crc_update(s->crc_raw, p, n);
    if (s->crc_off <= FLAGS_OFFSET && FLAGS_OFFSET < s->crc_off + n &&
        (p[FLAGS_OFFSET - s->crc_off] & BINLOG_IN_USE_F)) {
        size_t k = (size_t)(FLAGS_OFFSET - s->crc_off);
        uint8_t masked = (uint8_t)(p[k] & ~BINLOG_IN_USE_F);
        s->crc = crc_update(s->crc, p, k);
        s->crc = crc_update(s->crc, &masked, 1);
        s->crc = crc_update(s->crc, p + k + 1, n - k - 1);
    } else {
        s->crc = crc_update(s->crc, p, n);
    }
    s->crc_off += n;
}

/* Event bytes in order: keep the prefix, CRC all but the last 4 (held back until more arrive). */
static void event_bytes(struct ss_binlog_stream *s, const uint8_t *p, size_t n)
{
    if (n == 0)
        return;
    if (s->pre_len < SS_EV_PREFIX_CAP) {
        size_t k = SS_MIN(n, SS_EV_PREFIX_CAP - s->pre_len);
        memcpy(s->pre + s->pre_len, p, k);
        s->pre_len += k;
    }
    s->ev_got += n;
    size_t total = s->held + n;
    if (total <= 4) {
        memcpy(s->hold + s->held, p, n);
        s->held = total;
        return;
    }
    size_t out = total - 4;                 /* bytes leaving the hold for the CRC */
    size_t from_hold = SS_MIN(out, s->held);
    crc_feed(s, s->hold, from_hold);
    size_t from_p = out - from_hold;
    crc_feed(s, p, from_p);
    size_t kept = s->held - from_hold;
    memmove(s->hold, s->hold + from_hold, kept);
    memcpy(s->hold + kept, p + from_p, n - from_p);
    s->held = kept + (n - from_p);
}

static void decide(struct ss_binlog_stream *s, uint64_t total)
{
    s->hdr_off = ss_semisync_event_offset(s->lead, s->lead_len, total, s->semisync, &s->size_ok);
    s->decided = true;
    if (s->lead_len > s->hdr_off)
        event_bytes(s, s->lead + s->hdr_off, s->lead_len - s->hdr_off);
}

void ss_binlog_stream_data(struct ss_binlog_stream *s, const uint8_t *p, size_t n)
{
    if (!s->active)
        return;
    s->got += n;
    if (!s->decided) {
        size_t k = SS_MIN(n, SS_EV_LEAD - s->lead_len);
        memcpy(s->lead + s->lead_len, p, k);
        s->lead_len += k;
        p += k;
        n -= k;
        if (s->lead_len < SS_EV_LEAD)
            return;
        /* The length is known now unless the packet continues past 16 MiB. */
        decide(s, s->first_len < 0xFFFFFF ? s->first_len : 0);
    }
    event_bytes(s, p, n);
}

/* 64-bit end position from a 32-bit log_pos: contiguous with the previous event, or in the same
 * 4 GiB window as the last known position (the next one if that is much closer). */
static uint64_t extend_pos(const struct ss_binlog_stream *s, uint32_t log_pos, uint32_t size)
{
    if (!s->pos_known)
        return log_pos;
    uint64_t expect = s->pos + size;
    if ((uint32_t)expect == log_pos)
        return expect;
    uint64_t cand = (s->pos & ~UINT64_C(0xFFFFFFFF)) | log_pos;
    if (cand + UINT64_C(0x80000000) < s->pos)
        cand += UINT64_C(0x100000000);
    return cand;
}

static void set_file(struct ss_binlog_stream *s, const char *name)
{
    if (name[0])
        snprintf(s->file, sizeof(s->file), "%s", name);
}

/* File and end position of the event, and the stream's position after it. */
static void track_position(struct ss_binlog_stream *s, struct ss_event *ev, struct ss_anomalies *an)
{
    const struct ss_binlog_header *h = &ev->h;
    switch (h->type) {
    case SS_EV_ROTATE:
        if (!ev->artificial) {
            snprintf(ev->file, sizeof(ev->file), "%s", s->file);
            ev->end_pos = extend_pos(s, h->log_pos, h->event_size);
        }
        set_file(s, ev->u.rotate.name);
        s->pos = ev->u.rotate.pos;
        s->pos_known = true;
        if (ev->artificial) {
            snprintf(ev->file, sizeof(ev->file), "%s", s->file);
            ev->end_pos = s->pos;
        }
        return;
    case SS_EV_HEARTBEAT:
    case SS_EV_HEARTBEAT_V2:
        /* A heartbeat states where the dump is (also after skipped transactions). */
        set_file(s, ev->u.heartbeat.log_ident);
        if (h->type == SS_EV_HEARTBEAT)
            ev->u.heartbeat.pos = extend_pos(s, h->log_pos, 0);
        s->pos = ev->u.heartbeat.pos;
        s->pos_known = true;
        snprintf(ev->file, sizeof(ev->file), "%s", s->file);
        ev->end_pos = s->pos;
        return;
    default:
        break;
    }
    snprintf(ev->file, sizeof(ev->file), "%s", s->file);
    if (ev->artificial) {
        ev->end_pos = s->pos_known ? s->pos : 0;
        return;
    }
    ev->end_pos = extend_pos(s, h->log_pos, h->event_size);
    if (s->pos_known && ev->end_pos < s->pos)
        ss_anomaly_add(an, SS_AN_EVENT_POS_BACKWARDS, 1);
    s->pos = ev->end_pos;
    s->pos_known = true;
}

/* Where the event stands in its transaction (protocol.md §7.16). */
static void track_trx(struct ss_binlog_stream *s, struct ss_event *ev)
{
    switch (ev->h.type) {
    case SS_EV_GTID:
    case SS_EV_ANONYMOUS_GTID:
    case SS_EV_GTID_TAGGED:
        ev->trx = SS_TRX_BEGIN;
        s->in_trx = false;      /* a BEGIN query follows, or the statement is the transaction */
        s->standalone = false;
        return;
    case SS_EV_MARIA_GTID:
        ev->trx = SS_TRX_BEGIN;
        s->standalone = (ev->u.mgtid.flags2 & 0x01) != 0;   /* FL_STANDALONE */
        s->in_trx = !s->standalone;                          /* MariaDB writes no BEGIN */
        return;
    case SS_EV_XID:
    case SS_EV_XA_PREPARE:
    case SS_EV_TRANSACTION_PAYLOAD:
    case SS_EV_INCIDENT:
        ev->trx = SS_TRX_END;
        s->in_trx = s->standalone = false;
        return;
    case SS_EV_QUERY:
    case SS_EV_MARIA_QUERY_COMPRESSED:
        break;
    default:
        return;
    }
    switch (ev->u.query.kind) {
    case SS_QE_BEGIN:
    case SS_QE_XA_START:
        ev->trx = SS_TRX_BEGIN;
        s->in_trx = true;
        return;
    case SS_QE_COMMIT:
    case SS_QE_ROLLBACK:
    case SS_QE_XA_PREPARE:
    case SS_QE_XA_COMMIT:
    case SS_QE_XA_ROLLBACK:
        ev->trx = SS_TRX_END;
        s->in_trx = s->standalone = false;
        return;
    case SS_QE_XA_END:
        return;
    default:
        break;
    }
    /* Any other statement outside BEGIN…COMMIT is a transaction of its own: DDL, or a
     * non-transactional statement logged as a statement. */
    if (!s->in_trx || s->standalone) {
        ev->u.query.kind = SS_QE_DDL;
        ev->trx = SS_TRX_END;
        s->in_trx = s->standalone = false;
    }
}

/* Checksum verdict for a non-FDE event; returns the trailer length (0 or 4). */
static size_t judge_crc(struct ss_binlog_stream *s, struct ss_event *ev, bool match)
{
    bool synthetic = ev->artificial || ev->h.type == SS_EV_HEARTBEAT ||
                     ev->h.type == SS_EV_HEARTBEAT_V2;
    /* Fake ROTATE and heartbeats use the replica's algorithm; file events the file's. */
    int alg = synthetic ? (s->replica_alg >= 0 ? s->replica_alg : s->file_alg) : s->file_alg;
    if (alg < 0)
        alg = synthetic ? s->file_alg : s->replica_alg;
    if (alg < 0)
        alg = s->inferred_alg;
    if (alg == 1) {
        ev->csum = match ? SS_CSUM_OK : SS_CSUM_BAD;
        return 4;
    }
    if (alg == 0) {
        /* A synthetic event may carry a checksum the file does not: a match is proof enough. */
        ev->csum = synthetic && match ? SS_CSUM_OK : SS_CSUM_NONE;
        return ev->csum == SS_CSUM_OK ? 4 : 0;
    }
    /* Unknown: a match is a proof (2^-32 by chance); decide the stream after two agreeing. */
    if (match) {
        s->crc_misses = 0;
        if (++s->crc_hits >= 2)
            s->inferred_alg = 1;
        ev->csum = SS_CSUM_OK;
        return 4;
    }
    s->crc_hits = 0;
    if (++s->crc_misses >= 2)
        s->inferred_alg = 0;
    ev->csum = SS_CSUM_UNKNOWN;
    return 0;
}

/* FORMAT_DESCRIPTION: its own algorithm byte decides, and sets the file's algorithm. */
static bool judge_fde(struct ss_binlog_stream *s, struct ss_event *ev, bool match, uint32_t stored)
{
    /* The packet's own length rules: a size mismatch is counted elsewhere. */
    size_t n = s->ev_got > SS_EV_PREFIX_CAP ? SS_EV_PREFIX_CAP + 1 : (size_t)s->ev_got;
    if (s->pre_len < n || n < SS_BINLOG_HEADER_LEN) {
        ev->body_truncated = true;
        return false;
    }
    unsigned qpl = 13;
    bool ok = ss_fde_parse(ev, s->pre + SS_BINLOG_HEADER_LEN, n - SS_BINLOG_HEADER_LEN, &qpl);
    s->query_post_len = qpl;
    s->inferred_alg = -1;
    s->crc_hits = s->crc_misses = 0;
    switch (ev->u.fde.checksum_alg) {
    case -1:
        s->file_alg = 0;
        ev->csum = SS_CSUM_NONE;
        break;
    case 0:
        /* No checksums in this file; MariaDB still fills the FDE's 4 spare bytes with its CRC. */
        s->file_alg = 0;
        ev->csum = match || s->crc_raw == stored ? SS_CSUM_OK : SS_CSUM_NONE;
        break;
    case 1:
        s->file_alg = 1;
        ev->csum = match || s->crc_raw == stored ? SS_CSUM_OK : SS_CSUM_BAD;
        break;
    default:
        s->file_alg = -1;
        ev->csum = SS_CSUM_UNKNOWN;
        break;
    }
    return ok;
}

static void finish_packet(struct ss_binlog_stream *s)
{
    s->active = false;
}

enum ss_ev_result ss_binlog_stream_end(struct ss_binlog_stream *s, uint64_t total, bool probe,
                                       struct ss_event *ev, struct ss_anomalies *an)
{
    if (!s->decided)
        decide(s, total);
    struct ss_binlog_header h;
    if (s->ev_got < SS_BINLOG_HEADER_LEN || !ss_binlog_header_parse(s->pre, s->pre_len, &h)) {
        finish_packet(s);
        if (probe)
            return SS_EVR_NOT_EVENT;
        ss_anomaly_add(an, SS_AN_EVENT_TRUNCATED, 1);
        return SS_EVR_TRUNCATED;
    }
    bool size_ok = (uint64_t)h.event_size == total - s->hdr_off;
    bool known = ss_binlog_type_known(h.type);
    if (probe && (!size_ok || !known || (h.log_pos != 0 && h.log_pos < h.event_size))) {
        finish_packet(s);
        return SS_EVR_NOT_EVENT;
    }

    memset(ev, 0, sizeof(*ev));
    ev->h = h;
    ev->semisync_flags = s->hdr_off == 3 ? s->lead[2] : -1;
    ev->ack_requested = s->hdr_off == 3 && (s->lead[2] & SS_SEMISYNC_FLAG_ACK);
    ev->artificial = h.log_pos == 0 || (h.flags & SS_LOG_EVENT_ARTIFICIAL_F);
    if (!size_ok)
        ss_anomaly_add(an, SS_AN_EVENT_SIZE_MISMATCH, 1);
    /* A type marked ignorable (e.g. Aurora's padding event 100) may be skipped by design. */
    if (!known && !(h.flags & LOG_EVENT_IGNORABLE_F))
        ss_anomaly_add(an, SS_AN_EVENT_UNKNOWN_TYPE, 1);
    if (ev->semisync_flags > 0 && (ev->semisync_flags & ~SS_SEMISYNC_FLAG_ACK))
        ss_anomaly_add(an, SS_AN_SEMISYNC_UNKNOWN_FLAGS, 1);
    if (size_ok) {
        if (s->semisync < 0)
            s->semisync = s->hdr_off == 3;
        else if (s->semisync == 1 && s->hdr_off == 1)
            ss_anomaly_add(an, SS_AN_SEMISYNC_BAD_MAGIC, 1); /* header-less packet (§5.2 bug) */
    }

    struct rd tr = rd_init(s->hold, s->held);
    uint32_t stored = rd_le32(&tr);
    bool match = s->held == 4 && s->ev_got >= SS_BINLOG_HEADER_LEN + 4 && s->crc == stored;
    bool body_ok;
    if (s->got < total) {
        /* Not all bytes were delivered (the packet exceeded max_packet): no verdict on the
         * checksum, and the body is what the prefix holds. */
        ev->csum = SS_CSUM_UNKNOWN;
        size_t avail = s->pre_len - SS_BINLOG_HEADER_LEN;
        body_ok = h.type == SS_EV_FORMAT_DESCRIPTION ||
                  ss_binlog_body_parse(ev, s->pre + SS_BINLOG_HEADER_LEN, avail, false,
                                       s->query_post_len, an);
    } else if (h.type == SS_EV_FORMAT_DESCRIPTION) {
        body_ok = judge_fde(s, ev, match, stored);
    } else {
        size_t trailer = judge_crc(s, ev, match);
        uint64_t body_end = s->ev_got >= SS_BINLOG_HEADER_LEN + trailer ? s->ev_got - trailer
                                                                        : SS_BINLOG_HEADER_LEN;
        size_t avail = (size_t)SS_MIN((uint64_t)s->pre_len, body_end) - SS_BINLOG_HEADER_LEN;
        body_ok = ss_binlog_body_parse(ev, s->pre + SS_BINLOG_HEADER_LEN, avail,
                                       s->pre_len >= body_end, s->query_post_len, an);
    }
    if (ev->csum == SS_CSUM_BAD)
        ss_anomaly_add(an, SS_AN_EVENT_CRC_MISMATCH, 1);
    if (!body_ok)
        ss_anomaly_add(an, SS_AN_EVENT_BAD_BODY, 1);
    track_position(s, ev, an);
    track_trx(s, ev);
    s->events++;
    finish_packet(s);
    return SS_EVR_EVENT;
}
