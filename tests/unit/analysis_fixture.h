/* SPDX-License-Identifier: MIT */
/* analysis_fixture.h: synthetic decoder messages for the analysis and report tests. Each helper
 * builds one struct ss_msg the way decode/ would emit it and feeds it to the analysis. Header-only
 * (static functions) because each test file is its own executable. */
#ifndef SEMISCOPE_TEST_ANALYSIS_FIXTURE_H
#define SEMISCOPE_TEST_ANALYSIS_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "semiscope/analyze.h"

#define MS(x) ((uint64_t)(x) * UINT64_C(1000000))
#define US(x) ((uint64_t)(x) * UINT64_C(1000))
#define T0 (UINT64_C(1795314535) * SS_NS_PER_SEC) /* 2026-11-22T02:28:55Z */

static inline struct ss_endpoint fx_ep(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
    struct ss_endpoint e;
    memset(&e, 0, sizeof(e));
    e.addr.family = 4;
    e.addr.b[0] = a;
    e.addr.b[1] = b;
    e.addr.b[2] = c;
    e.addr.b[3] = d;
    e.port = port;
    return e;
}

/* A dump connection from 10.0.0.<host>:<cport> to master <mhost>:3306 of replica `server_id`,
 * with the semisync header seen. */
static inline struct ss_conn_info fx_conn(uint64_t flow, uint8_t host, uint16_t cport,
                                          uint8_t mhost, int64_t server_id)
{
    struct ss_conn_info c;
    memset(&c, 0, sizeof(c));
    c.flow_id = flow;
    c.client = fx_ep(10, 0, 0, host, cport);
    c.server = fx_ep(10, 0, 0, mhost, 3306);
    c.flavor = SS_FLAVOR_MARIADB;
    snprintf(c.server_version, sizeof(c.server_version), "10.11.19-MariaDB");
    c.thread_id = (int64_t)flow + 100;
    c.is_dump = true;
    c.semisync_requested = 1;
    c.semisync_header = 1;
    c.replica_server_id = server_id;
    c.checksum_alg = 1;
    return c;
}

static inline void fx_base(struct ss_msg *m, enum ss_msg_kind k, const struct ss_conn_info *c,
                           uint64_t ts, uint64_t frame)
{
    memset(m, 0, sizeof(*m));
    m->kind = k;
    m->conn = c;
    m->ts_ns = ts;
    m->frame = frame;
    m->first_ts_ns = ts;
    m->first_frame = frame;
}

/* An event from the master ending at `file`:`end_pos`, stream offset `end_off` past it. */
static inline void fx_event(struct ss_analysis *a, const struct ss_conn_info *c, uint64_t ts,
                            uint64_t frame, const char *file, uint64_t end_pos, bool ack_req,
                            enum ss_trx_role trx, uint64_t end_off)
{
    struct ss_msg m;
    fx_base(&m, SS_MSG_EVENT, c, ts, frame);
    m.from_server = true;
    m.stream_end_off = end_off;
    m.payload_len = 31;
    m.u.ev.h.type = trx == SS_TRX_END ? 16 : 19; /* XID or TABLE_MAP */
    m.u.ev.h.event_size = 31;
    m.u.ev.h.log_pos = (uint32_t)end_pos;
    m.u.ev.semisync_flags = ack_req ? 1 : 0;
    m.u.ev.ack_requested = ack_req;
    snprintf(m.u.ev.file, sizeof(m.u.ev.file), "%s", file);
    m.u.ev.end_pos = end_pos;
    m.u.ev.trx = trx;
    ss_analysis_msg(a, &m);
}

/* The usual case: an ack-requested XID. */
static inline void fx_req(struct ss_analysis *a, const struct ss_conn_info *c, uint64_t ts,
                          uint64_t frame, const char *file, uint64_t end_pos)
{
    fx_event(a, c, ts, frame, file, end_pos, true, SS_TRX_END, end_pos);
}

static inline void fx_ack(struct ss_analysis *a, const struct ss_conn_info *c, uint64_t ts,
                          uint64_t frame, const char *file, uint64_t pos)
{
    struct ss_msg m;
    fx_base(&m, SS_MSG_ACK, c, ts, frame);
    m.from_server = false;
    m.payload_len = 9 + strlen(file);
    m.u.ack.pos = pos;
    snprintf(m.u.ack.file, sizeof(m.u.ack.file), "%s", file);
    m.u.ack.well_formed = true;
    m.u.ack.len = (uint32_t)m.payload_len;
    ss_analysis_msg(a, &m);
}

static inline void fx_tcp_ack(struct ss_analysis *a, const struct ss_conn_info *c, uint64_t ts,
                              uint64_t frame, uint64_t off)
{
    struct ss_msg m;
    fx_base(&m, SS_MSG_TCP_ACK, c, ts, frame);
    m.u.tcp_ack.stream_off = off;
    ss_analysis_msg(a, &m);
}

static inline void fx_end(struct ss_analysis *a, const struct ss_conn_info *c, uint64_t ts,
                          uint64_t frame, enum ss_end_reason why, const struct ss_flow *f)
{
    struct ss_msg m;
    fx_base(&m, SS_MSG_END, c, ts, frame);
    m.u.end.why = why;
    m.u.end.flow = f;
    ss_analysis_msg(a, &m);
}

/* The replica of master i (in report order) with index k. */
static inline const struct ss_an_replica *fx_rep(const struct ss_analysis *a, size_t i, size_t k)
{
    const struct ss_an_master *const *ms;
    size_t n = ss_analysis_masters(a, &ms);
    if (i >= n || k >= ms[i]->nreplicas)
        return NULL;
    return ms[i]->replicas[k];
}

static inline const struct ss_an_master *fx_master(const struct ss_analysis *a, size_t i)
{
    const struct ss_an_master *const *ms;
    size_t n = ss_analysis_masters(a, &ms);
    return i < n ? ms[i] : NULL;
}

#ifdef SEMISCOPE_FIXTURE_SCENARIO
#include "semiscope/report.h"

/* A small but complete capture: one MariaDB master, replica 2 with five acked requests (TCP acks
 * seen for the split), replica 3 with a slow ack, one request lost when its stream was reset, a
 * KILL connection, a reconnect and one request in flight at the end. Finishes the analysis. */
static inline void fx_scenario(struct ss_analysis *a, const char *file)
{
    static const uint64_t lat_us[] = { 250, 300, 280, 1200, 260 };
    struct ss_conn_info r2 = fx_conn(1, 2, 40000, 1, 2), r3 = fx_conn(2, 3, 40000, 1, 3);
    struct ss_conn_info kill = fx_conn(3, 3, 40001, 1, -1), r3b = fx_conn(4, 3, 40002, 1, 3);
    kill.is_dump = false;
    kill.is_kill_only = true;
    snprintf(r2.replica_host, sizeof(r2.replica_host), "replica-two");
    r2.replica_port = 13307;
    uint64_t frame = 100, pos = 1000, off = 500;
    for (int i = 0; i < 5; i++) {
        uint64_t t = T0 + MS(100) * (uint64_t)(i + 1);
        pos += 1000;
        off += 1031;
        fx_event(a, &r2, t, frame++, file, pos - 31, false, SS_TRX_BEGIN, off - 31);
        fx_event(a, &r2, t, frame++, file, pos, true, SS_TRX_END, off);
        fx_tcp_ack(a, &r2, t + US(lat_us[i]) / 2, frame++, off);
        fx_ack(a, &r2, t + US(lat_us[i]), frame++, file, pos);
        fx_event(a, &r3, t + US(10), frame++, file, pos, true, SS_TRX_END, off);
        if (i == 1)
            fx_ack(a, &r3, t + MS(20), frame++, file, pos);
        else if (i < 3)
            fx_ack(a, &r3, t + MS(5), frame++, file, pos);
    }
    fx_end(a, &r3, T0 + MS(700), frame++, SS_END_RST, NULL);
    struct ss_msg m;
    fx_base(&m, SS_MSG_COMMAND, &kill, T0 + MS(690), frame++);
    ss_analysis_msg(a, &m);
    fx_end(a, &kill, T0 + MS(695), frame++, SS_END_FIN, NULL);
    fx_req(a, &r3b, T0 + MS(800), frame++, file, pos);
    fx_req(a, &r3b, T0 + MS(900), frame++, file, pos + 1000);
    ss_analysis_finish(a, T0 + MS(1500));
}

static inline void fx_run_info(struct ss_run_info *ri, const struct ss_anomalies *an)
{
    static const char *const inputs[] = { "capture.pcap" };
    memset(ri, 0, sizeof(*ri));
    ri->inputs = inputs;
    ri->ninputs = 1;
    ri->cap.frames = 875;
    ri->cap.bytes = 176122;
    ri->cap.first_ts_ns = T0 + 333131000;
    ri->cap.last_ts_ns = T0 + MS(1500);
    ri->cap.files = 1;
    ri->dec.frames = 875;
    ri->dec.tcp = 870;
    ri->dec.not_ip = 5;
    ri->flow.flows_created = 4;
    ri->an = an;
}

#endif /* SEMISCOPE_FIXTURE_SCENARIO */

#endif
