/* SPDX-License-Identifier: MIT */
/* semistate_story.h: helpers shared by the semistate unit tests — synthetic replication stories
 * told as ss_msg values (dump starts, events, acks, disconnects), as the decoder would emit them. */
#ifndef SEMISCOPE_TEST_SEMISTATE_STORY_H
#define SEMISCOPE_TEST_SEMISTATE_STORY_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "semiscope/semistate.h"

#define SEC UINT64_C(1000000000)
#define MS UINT64_C(1000000)
#define US UINT64_C(1000)
#define T0 (UINT64_C(1795314540) * SEC) /* 2026-11-22 02:29:00 UTC */
#define FILE1 "master-bin.000001"

/* One replication connection as the decoder would describe it. */
struct conn {
    struct ss_conn_info ci;
};

struct story {
    struct ss_semistate *s;
    struct ss_anomalies an;
    struct ss_semi_params p;
    struct ss_endpoint master;
    struct conn r[4];
    uint64_t trx_pos;        /* next transaction end position */
    uint64_t off[4];         /* TCP stream offsets (event_at) */
    uint64_t gno;
};

static inline void endpoint(struct ss_endpoint *e, uint8_t last, uint16_t port)
{
    memset(e, 0, sizeof(*e));
    e->addr.family = 4;
    e->addr.b[0] = 10;
    e->addr.b[1] = 213;
    e->addr.b[2] = 9;
    e->addr.b[3] = last;
    e->port = port;
}

/* Replica i: server_id i+2, semisync (header EF xx) unless semi is false. */
static inline void conn_init(struct story *st, int i, bool semi, bool handshake)
{
    struct ss_conn_info *ci = &st->r[i].ci;
    memset(ci, 0, sizeof(*ci));
    ci->flow_id = (uint64_t)i + 1;
    endpoint(&ci->client, (uint8_t)(i + 2), (uint16_t)(40000 + i));
    ci->server = st->master;
    ci->flavor = SS_FLAVOR_MARIADB;
    ci->handshake_seen = handshake;
    ci->is_dump = true;
    ci->semisync_requested = semi ? 1 : 0;
    ci->semisync_header = semi ? 1 : 0;
    ci->replica_server_id = i + 2;
    ci->thread_id = -1;
    ci->checksum_alg = 1;
    snprintf(ci->binlog_file, sizeof(ci->binlog_file), "%s", FILE1);
}

static inline void story_init(struct story *st, const struct ss_semi_params *p)
{
    memset(st, 0, sizeof(*st));
    if (p)
        st->p = *p;
    else
        ss_semi_params_defaults(&st->p);
    endpoint(&st->master, 1, 13306);
    st->s = ss_semistate_new(&st->p, &st->an);
    assert_non_null(st->s);
    st->trx_pos = 1403;
    st->gno = 1;
}

static inline void story_free(struct story *st)
{
    ss_semistate_free(st->s);
}

static inline void feed(struct story *st, struct ss_msg *m)
{
    if (!m->first_ts_ns)
        m->first_ts_ns = m->ts_ns;
    ss_semistate_msg(st->s, m);
}

/* COM_BINLOG_DUMP from replica i at FILE1:pos. */
static inline void dump_start(struct story *st, int i, uint64_t ts, uint64_t pos)
{
    struct ss_msg m = {.kind = SS_MSG_COMMAND, .conn = &st->r[i].ci, .ts_ns = ts};
    m.u.cmd.cmd = 0x12;                      /* COM_BINLOG_DUMP */
    m.u.cmd.server_id = (uint32_t)(i + 2);
    m.u.cmd.dump_pos = pos;
    snprintf(m.u.cmd.dump_file, sizeof(m.u.cmd.dump_file), "%s", FILE1);
    feed(st, &m);
}

/* One event packet on replica i's stream. hdr_ts: the event header's timestamp (seconds).
 * stream_end_off: the TCP stream offset past it (0: none given). */
static inline void event_off(struct story *st, int i, uint64_t ts, uint8_t type, uint64_t end_pos,
                             enum ss_trx_role trx, bool flag, uint32_t hdr_ts,
                             uint64_t stream_end_off)
{
    struct ss_msg m = {.kind = SS_MSG_EVENT, .conn = &st->r[i].ci, .ts_ns = ts,
                       .from_server = true, .stream_end_off = stream_end_off};
    struct ss_event *ev = &m.u.ev;
    ev->h.type = type;
    ev->h.timestamp = hdr_ts;
    ev->h.server_id = 1;
    ev->h.log_pos = (uint32_t)end_pos;
    ev->semisync_flags = st->r[i].ci.semisync_header == 1 ? (flag ? 1 : 0) : -1;
    ev->ack_requested = flag;
    ev->end_pos = end_pos;
    ev->trx = trx;
    snprintf(ev->file, sizeof(ev->file), "%s", FILE1);
    if (type == SS_EV_MARIA_GTID) {
        ev->u.mgtid.domain = 0;
        ev->u.mgtid.seq = st->gno;
    }
    feed(st, &m);
}

static inline void event(struct story *st, int i, uint64_t ts, uint8_t type, uint64_t end_pos,
                  enum ss_trx_role trx, bool flag, uint32_t hdr_ts)
{
    event_off(st, i, ts, type, end_pos, trx, flag, hdr_ts, 0);
}

/* A MariaDB transaction on replica i's stream: GTID (162) …, then XID (16) ending at `end`. */
static inline void trx_on(struct story *st, int i, uint64_t ts, uint64_t end, bool flag)
{
    uint32_t hdr = (uint32_t)(ts / SEC);
    event(st, i, ts, SS_EV_MARIA_GTID, end - 200, SS_TRX_BEGIN, false, hdr);
    event(st, i, ts, SS_EV_XID, end, SS_TRX_END, flag, hdr);
}

static inline void ack(struct story *st, int i, uint64_t ts, uint64_t pos)
{
    struct ss_msg m = {.kind = SS_MSG_ACK, .conn = &st->r[i].ci, .ts_ns = ts};
    m.u.ack.pos = pos;
    m.u.ack.well_formed = true;
    m.u.ack.len = 26;
    snprintf(m.u.ack.file, sizeof(m.u.ack.file), "%s", FILE1);
    feed(st, &m);
}

static inline void end_conn(struct story *st, int i, uint64_t ts, enum ss_end_reason why)
{
    struct ss_msg m = {.kind = SS_MSG_END, .conn = &st->r[i].ci, .ts_ns = ts};
    m.u.end.why = why;
    m.u.end.by_server = true;
    feed(st, &m);
}

/* The replica's TCP acknowledged master bytes below off (i's stream). */
static inline void tcp_ack(struct story *st, int i, uint64_t ts, uint64_t off)
{
    struct ss_msg m = {.kind = SS_MSG_TCP_ACK, .conn = &st->r[i].ci, .ts_ns = ts};
    m.u.tcp_ack.stream_off = off;
    m.stream_end_off = off;
    feed(st, &m);
}

/* The replica's TCP receive window closed (zero) or reopened. */
static inline void tcp_window(struct story *st, int i, uint64_t ts, bool zero, uint64_t sent)
{
    struct ss_msg m = {.kind = SS_MSG_TCP_WINDOW, .conn = &st->r[i].ci, .ts_ns = ts};
    m.u.tcp_window.zero = zero;
    m.u.tcp_window.sent_off = sent;
    m.stream_end_off = sent;
    feed(st, &m);
}

/* An event packet as above that also advances i's TCP stream offset (in st->off[i]). */
static inline void event_at(struct story *st, int i, uint64_t ts, uint8_t type, uint64_t end_pos,
                            enum ss_trx_role trx, bool flag, uint32_t hdr_ts)
{
    st->off[i] += 60;
    event_off(st, i, ts, type, end_pos, trx, flag, hdr_ts, st->off[i]);
}

/* A transaction on i's stream with TCP offsets, header second of ts. */
static inline void trx_at(struct story *st, int i, uint64_t ts, uint64_t end, bool flag)
{
    uint32_t hdr = (uint32_t)(ts / SEC);
    event_at(st, i, ts, SS_EV_MARIA_GTID, end - 200, SS_TRX_BEGIN, false, hdr);
    event_at(st, i, ts, SS_EV_XID, end, SS_TRX_END, flag, hdr);
}

/* A message that only moves time forward for this master (the client's TCP ack). */
static inline void tick(struct story *st, int i, uint64_t ts)
{
    struct ss_msg m = {.kind = SS_MSG_TCP_ACK, .conn = &st->r[i].ci, .ts_ns = ts};
    feed(st, &m);
}

static inline const struct ss_semi_counters *counters(struct story *st)
{
    const struct ss_semi_counters *c = ss_semistate_counters(st->s, &st->master);
    assert_non_null(c);
    return c;
}

static inline const struct ss_semi_transition *transitions(struct story *st, size_t *n)
{
    return ss_semistate_transitions(st->s, &st->master, n);
}

static inline void assert_states(struct story *st, enum ss_semi_state a, enum ss_semi_state b)
{
    enum ss_semi_state x, y;
    assert_true(ss_semistate_states(st->s, &st->master, &x, &y));
    assert_string_equal(ss_semi_state_name(x), ss_semi_state_name(a));
    assert_string_equal(ss_semi_state_name(y), ss_semi_state_name(b));
}

/* Two semisync replicas start dumping and acknowledge n transactions: each end is flagged on
 * both streams (the second copy leaves before the first ack), r1 acks after 200 µs, r2 after
 * 250 µs. Returns the time after the last. */
static inline uint64_t steady(struct story *st, uint64_t t, int n)
{
    for (int k = 0; k < n; k++) {
        uint64_t end = st->trx_pos += 300;
        trx_on(st, 0, t, end, true);
        trx_on(st, 1, t + 10 * US, end, true);
        ack(st, 0, t + 200 * US, end);
        ack(st, 1, t + 250 * US, end);
        st->gno++;
        t += 5 * MS;
    }
    return t;
}

#endif
