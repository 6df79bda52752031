/* SPDX-License-Identifier: MIT */
/* test_analysis.c: per-replica ack analysis from synthetic decoder messages: cumulative matching,
 * files, stray acks, unanswered requests, grouping, masters, the network/replica split, caps,
 * transaction dedup, semisync state, timeline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "analysis_fixture.h"
#include "analyze/analysis_priv.h"

#define F1 "master-bin.000001"
#define F2 "master-bin.000002"

struct fx {
    struct ss_anomalies an;
    struct ss_analysis *a;
};

static struct fx *fx_new(const struct ss_analysis_cfg *cfg)
{
    struct fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->a = ss_analysis_new(cfg, &f->an);
    assert_non_null(f->a);
    return f;
}

static void fx_free(struct fx *f)
{
    ss_analysis_free(f->a);
    free(f);
}

static void test_one_to_one(void **state)
{
    (void)state;
    struct fx *f = fx_new(NULL);
    struct ss_conn_info c = fx_conn(1, 2, 40000, 1, 2);
    fx_event(f->a, &c, T0, 1, F1, 300, false, SS_TRX_BEGIN, 300); /* not a request */
    fx_req(f->a, &c, T0 + MS(1), 2, F1, 400);
    fx_ack(f->a, &c, T0 + MS(1) + US(250), 3, F1, 400);
    fx_req(f->a, &c, T0 + MS(2), 4, F1, 500);
    fx_ack(f->a, &c, T0 + MS(2) + US(900), 5, F1, 500);
    ss_analysis_finish(f->a, T0 + MS(10));
    const struct ss_an_replica *r = fx_rep(f->a, 0, 0);
    assert_non_null(r);
    assert_int_equal(r->server_id, 2);
    assert_int_equal(r->events, 3);
    assert_int_equal(r->ack_requests, 2);
    assert_int_equal(r->acks, 2);
    assert_int_equal(r->acks_matched, 2);
    assert_int_equal(r->requests_answered, 2);
    assert_int_equal(r->requests_unanswered, 0);
    assert_int_equal(r->latency->count, 2);
    assert_int_equal(r->latency->min, US(250));
    assert_int_equal(r->latency->max, US(900));
    /* Slowest first, with both frames and the position. */
    assert_int_equal(r->nslowest, 2);
    assert_int_equal(r->slowest[0].latency_ns, US(900));
    assert_int_equal(r->slowest[0].ev_frame, 4);
    assert_int_equal(r->slowest[0].ack_frame, 5);
    assert_int_equal(r->slowest[0].pos, 500);
    assert_string_equal(r->slowest[0].file, F1);
    assert_int_equal(r->slowest[1].ev_frame, 2);
    assert_true(r->has_last_ack);
    assert_int_equal(r->last_ack_frame, 5);
    assert_int_equal(r->last_ack_pos, 500);
    assert_int_equal(f->an.n[SS_AN_ACK_UNMATCHED] + f->an.n[SS_AN_ACK_DUPLICATE] +
                         f->an.n[SS_AN_ACK_BACKWARDS] + f->an.n[SS_AN_REQUEST_UNANSWERED], 0);
    fx_free(f);
}

/* One ack covers three pending requests: each gets its own sample (the master's waits). */
static void test_cumulative(void **state)
{
    (void)state;
    struct fx *f = fx_new(NULL);
    struct ss_conn_info c = fx_conn(1, 2, 40000, 1, 2);
    fx_req(f->a, &c, T0 + MS(1), 10, F1, 100);
    fx_req(f->a, &c, T0 + MS(2), 11, F1, 200);
    fx_req(f->a, &c, T0 + MS(3), 12, F1, 300);
    fx_req(f->a, &c, T0 + MS(4), 13, F1, 400); /* beyond the ack: stays pending */
    fx_ack(f->a, &c, T0 + MS(5), 14, F1, 300);
    ss_analysis_finish(f->a, T0 + MS(20));
    const struct ss_an_replica *r = fx_rep(f->a, 0, 0);
    assert_int_equal(r->acks, 1);
    assert_int_equal(r->acks_matched, 1);
    assert_int_equal(r->acks_cumulative, 1);
    assert_int_equal(r->requests_answered, 3);
    assert_int_equal(r->latency->count, 3);
    assert_int_equal(r->latency->min, MS(2));
    assert_int_equal(r->latency->max, MS(4));
    assert_int_equal(r->slowest[0].ev_frame, 10);
    assert_int_equal(r->slowest[0].ack_frame, 14);
    /* The request at 400 was still pending at capture end. */
    assert_int_equal(r->requests_unanswered, 1);
    assert_int_equal(r->requests_in_flight_at_end, 1);
    assert_int_equal(r->nunanswered, 1);
    assert_int_equal(r->unanswered[0].pos, 400);
    assert_int_equal(r->unanswered[0].pending_ns, MS(16));
    assert_int_equal(r->unanswered[0].until, SS_UNANSWERED_CAPTURE_END);
    fx_free(f);
}

/* Files order by numeric suffix: an ack in a later file covers everything in earlier ones. */
static void test_later_file(void **state)
{
    (void)state;
    struct fx *f = fx_new(NULL);
    struct ss_conn_info c = fx_conn(1, 2, 40000, 1, 2);
    fx_req(f->a, &c, T0 + MS(1), 1, "bin.9", 90000);
    fx_req(f->a, &c, T0 + MS(2), 2, "bin.10", 200);
    fx_ack(f->a, &c, T0 + MS(3), 3, "bin.10", 150); /* covers bin.9:90000 only */
    fx_ack(f->a, &c, T0 + MS(4), 4, "bin.10", 200);
    ss_analysis_finish(f->a, T0 + MS(5));
    const struct ss_an_replica *r = fx_rep(f->a, 0, 0);
    assert_int_equal(r->requests_answered, 2);
    assert_int_equal(r->acks_matched, 2);
    assert_int_equal(r->latency->count, 2);
    assert_int_equal(r->latency->min, MS(2));
    assert_int_equal(r->latency->max, MS(2));
    assert_int_equal(r->acks_unmatched, 0);
    assert_int_equal(r->requests_unanswered, 0);
    assert_true(ss_binlog_coord_cmp("bin.9", 90000, "bin.10", 1) < 0);
    assert_true(ss_binlog_coord_cmp("bin.10", 5, "bin.10", 5) == 0);
    assert_true(ss_binlog_coord_cmp("bin.000002", 4, "bin.000001", 9999) > 0);
    assert_true(ss_binlog_coord_cmp("a.000001", 4, "b.000001", 4) < 0);  /* same suffix */
    assert_true(ss_binlog_coord_cmp("nosuffix", 1, "bin.000001", 4) > 0); /* no suffix last */
    fx_free(f);
}

static void test_stray_acks(void **state)
{
    (void)state;
    struct fx *f = fx_new(NULL);
    struct ss_conn_info c = fx_conn(1, 2, 40000, 1, 2);
    fx_req(f->a, &c, T0 + MS(1), 1, F1, 100);
    fx_ack(f->a, &c, T0 + MS(2), 2, F1, 100);  /* matched */
    fx_ack(f->a, &c, T0 + MS(3), 3, F1, 100);  /* same position again: duplicate */
    fx_req(f->a, &c, T0 + MS(4), 4, F1, 200);
    fx_req(f->a, &c, T0 + MS(5), 5, F1, 300);
    fx_ack(f->a, &c, T0 + MS(6), 6, F1, 300);  /* matched, covers 200 and 300 */
    fx_ack(f->a, &c, T0 + MS(7), 7, F1, 200);  /* answered already: late */
    fx_ack(f->a, &c, T0 + MS(8), 8, F1, 150);  /* never requested, behind: backwards */
    fx_ack(f->a, &c, T0 + MS(9), 9, F1, 400);  /* nothing pending: unmatched */
    struct ss_ack bad = { 0 };
    struct ss_msg m;
    fx_base(&m, SS_MSG_ACK, &c, T0 + MS(10), 10);
    m.u.ack = bad; /* well_formed false */
    ss_analysis_msg(f->a, &m);
    ss_analysis_finish(f->a, T0 + MS(20));
    const struct ss_an_replica *r = fx_rep(f->a, 0, 0);
    assert_int_equal(r->acks, 7);
    assert_int_equal(r->acks_matched, 2);
    assert_int_equal(r->acks_duplicate, 1);
    assert_int_equal(r->acks_late, 1);
    assert_int_equal(r->acks_backwards, 1);
    assert_int_equal(r->acks_unmatched, 1);
    assert_int_equal(r->acks_malformed, 1);
    assert_int_equal(f->an.n[SS_AN_ACK_DUPLICATE], 2); /* duplicate + late */
    assert_int_equal(f->an.n[SS_AN_ACK_BACKWARDS], 1);
    assert_int_equal(f->an.n[SS_AN_ACK_UNMATCHED], 1);
    assert_int_equal(r->latency->count, 3);
    /* The last ack shown is the last one received, even a stray one. */
    assert_int_equal(r->last_ack_pos, 400);
    fx_free(f);
}

static void test_unanswered_stream_and_capture_end(void **state)
{
    (void)state;
    struct ss_analysis_cfg cfg;
    ss_analysis_cfg_defaults(&cfg);
    cfg.slowest_n = 2;
    struct fx *f = fx_new(&cfg);
    struct ss_conn_info a = fx_conn(1, 2, 40000, 1, 2), b = fx_conn(2, 3, 40001, 1, 3);
    fx_req(f->a, &a, T0 + MS(1000), 1, F1, 100);
    fx_req(f->a, &a, T0 + MS(1500), 2, F1, 200);
    fx_req(f->a, &a, T0 + MS(1800), 3, F1, 300);
    fx_end(f->a, &a, T0 + MS(3000), 4, SS_END_RST, NULL);
    fx_req(f->a, &b, T0 + MS(4000), 5, F1, 300);
    /* The flow table ends open flows with SS_END_CAPTURE at the end of the input: in flight. */
    struct ss_conn_info c = fx_conn(3, 4, 40000, 1, 4);
    fx_req(f->a, &c, T0 + MS(9000), 6, F1, 300);
    fx_end(f->a, &c, T0 + MS(9500), 7, SS_END_CAPTURE, NULL);
    ss_analysis_finish(f->a, T0 + MS(10000));
    const struct ss_an_replica *rc = fx_rep(f->a, 0, 2);
    assert_int_equal(rc->requests_in_flight_at_end, 1);
    assert_int_equal(rc->unanswered[0].until, SS_UNANSWERED_CAPTURE_END);
    assert_int_equal(rc->unanswered[0].pending_ns, MS(500));
    assert_true(rc->conns[0].ended);
    assert_int_equal(rc->conns[0].end_reason, SS_END_CAPTURE);
    const struct ss_an_replica *ra = fx_rep(f->a, 0, 0), *rb = fx_rep(f->a, 0, 1);
    assert_int_equal(ra->server_id, 2);
    assert_int_equal(ra->requests_unanswered, 3);
    assert_int_equal(ra->requests_in_flight_at_end, 0);
    assert_int_equal(ra->nunanswered, 2); /* the cap keeps the two longest */
    assert_int_equal(ra->unanswered[0].pending_ns, MS(2000));
    assert_int_equal(ra->unanswered[0].ev_frame, 1);
    assert_int_equal(ra->unanswered[1].pending_ns, MS(1500));
    assert_int_equal(ra->unanswered[0].until, SS_UNANSWERED_STREAM_END);
    assert_true(ra->conns[0].ended);
    assert_int_equal(ra->conns[0].end_reason, SS_END_RST);
    assert_int_equal(rb->requests_unanswered, 1);
    assert_int_equal(rb->requests_in_flight_at_end, 1);
    assert_int_equal(rb->unanswered[0].pending_ns, MS(6000));
    assert_int_equal(rb->unanswered[0].until, SS_UNANSWERED_CAPTURE_END);
    assert_false(rb->conns[0].ended);
    assert_int_equal(f->an.n[SS_AN_REQUEST_UNANSWERED], 5);
    fx_free(f);
}

/* Reconnects of one server_id from one address are one replica; a stream whose server_id is
 * unknown (mid-stream pickup) is its own. Pending requests belong to their stream. */
static void test_reconnect_grouping(void **state)
{
    (void)state;
    struct fx *f = fx_new(NULL);
    struct ss_conn_info c1 = fx_conn(1, 2, 40000, 1, 2), c2 = fx_conn(5, 2, 40002, 1, 2);
    struct ss_conn_info mid = fx_conn(7, 2, 40009, 1, -1);
    struct ss_flow fl = { .id = 1, .midstream = false };
    fl.dir[SS_S2C].retrans = 3;
    fl.dir[SS_C2S].zero_windows = 2;
    fx_req(f->a, &c1, T0 + MS(1), 1, F1, 100);
    fx_end(f->a, &c1, T0 + MS(2), 2, SS_END_FIN, &fl);
    fx_req(f->a, &c2, T0 + MS(3), 3, F1, 100); /* re-sent after the reconnect */
    fx_ack(f->a, &c2, T0 + MS(4), 4, F1, 100);
    fx_req(f->a, &mid, T0 + MS(5), 5, F1, 200);
    fx_ack(f->a, &mid, T0 + MS(6), 6, F1, 200);
    ss_analysis_finish(f->a, T0 + MS(10));
    const struct ss_an_master *m = fx_master(f->a, 0);
    assert_int_equal(m->nreplicas, 2);
    const struct ss_an_replica *r = m->replicas[0], *u = m->replicas[1];
    assert_int_equal(r->server_id, 2);
    assert_int_equal(r->dump_connections, 2);
    assert_int_equal(r->nconns, 2);
    assert_int_equal(r->conns[0].flow_id, 1);
    assert_int_equal(r->conns[1].flow_id, 5);
    assert_int_equal(r->conns[0].retransmissions, 3);
    assert_int_equal(r->conns[0].zero_windows, 2);
    assert_int_equal(r->retransmissions, 3);
    assert_int_equal(r->ack_requests, 2);
    assert_int_equal(r->requests_unanswered, 1); /* the first stream's, at its end */
    assert_int_equal(r->latency->count, 1);
    assert_int_equal(r->latency->max, MS(1));
    assert_int_equal(u->server_id, -1); /* unknown sorts last */
    assert_int_equal(u->dump_connections, 1);
    assert_int_equal(u->acks_matched, 1);
    fx_free(f);
}

/* A KILL-only connection is not a replica stream, but is counted for the replica's address; a
 * connection that never became a dump is ignored. */
static void test_kill_only_ignored(void **state)
{
    (void)state;
    struct fx *f = fx_new(NULL);
    struct ss_conn_info c = fx_conn(1, 2, 40000, 1, 2);
    struct ss_conn_info k = fx_conn(2, 2, 40001, 1, -1), q = fx_conn(3, 9, 40002, 1, -1);
    k.is_dump = false;
    k.is_kill_only = true;
    q.is_dump = false;
    fx_req(f->a, &c, T0 + MS(1), 1, F1, 100);
    struct ss_msg m;
    fx_base(&m, SS_MSG_COMMAND, &k, T0 + MS(2), 2);
    m.u.cmd.cmd = 3;
    m.u.cmd.qkind = SS_Q_KILL;
    ss_analysis_msg(f->a, &m);
    fx_end(f->a, &k, T0 + MS(3), 3, SS_END_FIN, NULL);
    fx_base(&m, SS_MSG_REPLY, &q, T0 + MS(4), 4);
    ss_analysis_msg(f->a, &m);
    fx_end(f->a, &q, T0 + MS(5), 5, SS_END_FIN, NULL);
    fx_end(f->a, &c, T0 + MS(6), 6, SS_END_FIN, NULL);
    ss_analysis_finish(f->a, T0 + MS(10));
    const struct ss_an_master *mm = fx_master(f->a, 0);
    assert_int_equal(mm->nreplicas, 1);
    assert_int_equal(mm->replicas[0]->kill_connections, 1);
    assert_int_equal(mm->replicas[0]->dump_connections, 1);
    assert_int_equal(ss_analysis_totals(f->a)->streams, 1);
    fx_free(f);
}

static void test_two_masters(void **state)
{
    (void)state;
    struct fx *f = fx_new(NULL);
    /* Master .5 first in the capture, master .1 second: the report sorts by endpoint. */
    struct ss_conn_info a = fx_conn(1, 2, 40000, 5, 2), b = fx_conn(2, 3, 40000, 1, 3);
    b.flavor = SS_FLAVOR_MYSQL;
    fx_req(f->a, &a, T0 + MS(1), 1, F1, 100);
    fx_req(f->a, &b, T0 + MS(2), 2, "binlog.000007", 100);
    fx_ack(f->a, &a, T0 + MS(3), 3, F1, 100);
    fx_ack(f->a, &b, T0 + MS(5), 4, "binlog.000007", 100);
    ss_analysis_finish(f->a, T0 + MS(10));
    const struct ss_an_master *const *ms;
    assert_int_equal(ss_analysis_masters(f->a, &ms), 2);
    assert_int_equal(ms[0]->endpoint.addr.b[3], 1);
    assert_int_equal(ms[0]->flavor, SS_FLAVOR_MYSQL);
    assert_int_equal(ms[1]->endpoint.addr.b[3], 5);
    assert_int_equal(ms[1]->flavor, SS_FLAVOR_MARIADB);
    assert_int_equal(ms[0]->nreplicas, 1);
    assert_int_equal(ms[0]->replicas[0]->server_id, 3);
    assert_int_equal(ms[0]->replicas[0]->latency->max, MS(3));
    assert_int_equal(ms[1]->replicas[0]->latency->max, MS(2));
    assert_int_equal(ms[0]->transactions, 1);
    assert_int_equal(ms[1]->transactions, 1);
    fx_free(f);
}

static void test_network_replica_split(void **state)
{
    (void)state;
    struct fx *f = fx_new(NULL);
    struct ss_conn_info c = fx_conn(1, 2, 40000, 1, 2);
    fx_event(f->a, &c, T0, 1, F1, 1000, true, SS_TRX_END, 5000);
    fx_tcp_ack(f->a, &c, T0 + MS(1), 2, 4000);    /* not yet past the event */
    fx_tcp_ack(f->a, &c, T0 + MS(2), 3, 5000);    /* covers it */
    fx_tcp_ack(f->a, &c, T0 + MS(3), 4, 5000);    /* no advance: ignored */
    fx_ack(f->a, &c, T0 + MS(5), 5, F1, 1000);
    /* No TCP ack before the semisync ack: its own segment is the first acknowledgement. */
    fx_event(f->a, &c, T0 + MS(10), 6, F1, 2000, true, SS_TRX_END, 9000);
    fx_ack(f->a, &c, T0 + MS(17), 7, F1, 2000);
    ss_analysis_finish(f->a, T0 + MS(20));
    const struct ss_an_replica *r = fx_rep(f->a, 0, 0);
    assert_non_null(r->network);
    assert_non_null(r->replica_side);
    assert_int_equal(r->network->count, 2);
    assert_int_equal(r->network->min, MS(2));
    assert_int_equal(r->network->max, MS(7));
    assert_int_equal(r->replica_side->min, 0);
    assert_int_equal(r->replica_side->max, MS(3));
    assert_int_equal(r->slowest[0].tcp_frame, 7);
    assert_int_equal(r->slowest[1].tcp_frame, 3);
    assert_int_equal(r->slowest[1].tcp_ts_ns, T0 + MS(2));
    assert_true(ss_analysis_totals(f->a)->tcp_acks_seen);
    fx_free(f);
}

/* Without any TCP_ACK message from the decoder there is no split at all. */
static void test_no_split_without_tcp_acks(void **state)
{
    (void)state;
    struct fx *f = fx_new(NULL);
    struct ss_conn_info c = fx_conn(1, 2, 40000, 1, 2);
    fx_req(f->a, &c, T0, 1, F1, 100);
    fx_ack(f->a, &c, T0 + MS(1), 2, F1, 100);
    ss_analysis_finish(f->a, T0 + MS(2));
    const struct ss_an_replica *r = fx_rep(f->a, 0, 0);
    assert_null(r->network);
    assert_null(r->replica_side);
    assert_int_equal(r->slowest[0].tcp_frame, 0);
    fx_free(f);
}

static void test_pending_cap(void **state)
{
    (void)state;
    struct ss_analysis_cfg cfg;
    ss_analysis_cfg_defaults(&cfg);
    cfg.max_pending = 4;
    struct fx *f = fx_new(&cfg);
    struct ss_conn_info c = fx_conn(1, 2, 40000, 1, 2);
    for (uint64_t i = 1; i <= 6; i++)
        fx_req(f->a, &c, T0 + MS(i), i, F1, 100 * i);
    fx_ack(f->a, &c, T0 + MS(10), 7, F1, 600);
    ss_analysis_finish(f->a, T0 + MS(20));
    const struct ss_an_replica *r = fx_rep(f->a, 0, 0);
    assert_int_equal(f->an.n[SS_AN_PENDING_CAP_HIT], 2);
    assert_int_equal(ss_analysis_totals(f->a)->pending_cap_hit, 2);
    assert_int_equal(r->requests_dropped, 2);
    assert_int_equal(r->ack_requests, 6);
    assert_int_equal(r->requests_answered, 4);
    assert_int_equal(r->latency->count, 4);
    assert_int_equal(r->latency->max, MS(7)); /* the oldest two were evicted */
    fx_free(f);
}

/* Two replicas stream the same transactions, one reconnects and re-sends, a third starts from an
 * earlier position: distinct transaction ends are counted once. */
static void test_transactions_dedup(void **state)
{
    (void)state;
    struct fx *f = fx_new(NULL);
    struct ss_conn_info a = fx_conn(1, 2, 40000, 1, 2), b = fx_conn(2, 3, 40000, 1, 3);
    struct ss_conn_info a2 = fx_conn(3, 2, 40001, 1, 2), c = fx_conn(4, 4, 40000, 1, 4);
    for (uint64_t p = 1000; p <= 5000; p += 1000) {
        fx_event(f->a, &a, T0 + p, p, F1, p - 10, false, SS_TRX_BEGIN, p);
        fx_event(f->a, &a, T0 + p, p, F1, p, false, SS_TRX_END, p);
        fx_event(f->a, &b, T0 + p + 1, p + 1, F1, p, false, SS_TRX_END, p);
    }
    fx_end(f->a, &a, T0 + 6000, 6000, SS_END_FIN, NULL);
    for (uint64_t p = 3000; p <= 7000; p += 1000) /* re-send from 3000, then new ones */
        fx_event(f->a, &a2, T0 + 7000 + p, 7000 + p, F1, p, false, SS_TRX_END, p);
    /* A lagging replica from an earlier position: 250 and 500 are new, 1000 and 2000 known. */
    const uint64_t lag[] = { 250, 500, 1000, 2000 };
    for (size_t i = 0; i < 4; i++)
        fx_event(f->a, &c, T0 + 20000 + i, 20000 + i, F1, lag[i], false, SS_TRX_END, lag[i]);
    fx_event(f->a, &c, T0 + 30000, 30000, F2, 1000, false, SS_TRX_END, 9999); /* new file */
    ss_analysis_finish(f->a, T0 + 40000);
    assert_int_equal(fx_master(f->a, 0)->transactions, 5 + 2 + 2 + 1);
    fx_free(f);
}

/* The range set directly: streams that advance separately are joined when one crosses the gap. */
static void test_trxset_ranges(void **state)
{
    (void)state;
    struct ss_trxset t;
    ss_trxset_init(&t, 3);
    assert_true(ss_trxset_add(&t, false, 0, 0, 1, 100));
    assert_true(ss_trxset_add(&t, true, 1, 100, 1, 200));  /* A: [100,200] */
    assert_true(ss_trxset_add(&t, false, 0, 0, 1, 500));   /* B: [500,500] */
    assert_true(ss_trxset_add(&t, true, 1, 500, 1, 600));  /* B: [500,600] */
    assert_int_equal(t.n, 2);
    assert_true(ss_trxset_add(&t, true, 1, 200, 1, 300));  /* A: [100,300] */
    assert_false(ss_trxset_add(&t, true, 1, 300, 1, 500)); /* A reaches B: one range */
    assert_int_equal(t.n, 1);
    assert_int_equal(t.v[0].lo, 100);
    assert_int_equal(t.v[0].hi, 600);
    assert_false(ss_trxset_add(&t, false, 0, 0, 1, 400));  /* anything inside is known */
    assert_true(ss_trxset_add(&t, false, 0, 0, 2, 400));   /* same position, other file */
    assert_true(ss_trxset_add(&t, false, 0, 0, 1, 50));
    assert_true(ss_trxset_add(&t, false, 0, 0, 1, 900));   /* a 4th range: cap 3 */
    assert_int_equal(t.n, 3);
    assert_int_equal(t.dropped, 1);
    assert_int_equal(t.count, 8);
    assert_true(ss_trxset_add(&t, false, 0, 0, 1, 50));    /* forgotten: counted again */
    ss_trxset_free(&t);
}

static void test_semisync_state(void **state)
{
    (void)state;
    struct fx *f = fx_new(NULL);
    struct ss_conn_info on = fx_conn(1, 2, 40000, 1, 2), off = fx_conn(2, 3, 40000, 1, 3);
    struct ss_conn_info unk = fx_conn(3, 4, 40000, 1, 4);
    off.semisync_requested = -1;
    off.semisync_header = 0;
    unk.semisync_requested = -1;
    unk.semisync_header = -1;
    fx_event(f->a, &on, T0, 1, F1, 100, false, SS_TRX_END, 100);
    fx_event(f->a, &off, T0, 2, F1, 100, false, SS_TRX_END, 100);
    fx_event(f->a, &unk, T0, 3, F1, 100, false, SS_TRX_END, 100);
    /* Replica 2 reconnects without semisync: the latest stream decides. */
    fx_end(f->a, &on, T0 + MS(1), 4, SS_END_FIN, NULL);
    struct ss_conn_info on2 = fx_conn(4, 2, 40001, 1, 2);
    on2.semisync_requested = 0;
    on2.semisync_header = 0;
    fx_event(f->a, &on2, T0 + MS(2), 5, F1, 100, false, SS_TRX_END, 100);
    ss_analysis_finish(f->a, T0 + MS(3));
    assert_int_equal(fx_rep(f->a, 0, 0)->semisync, 0);
    assert_int_equal(fx_rep(f->a, 0, 0)->conns[0].semisync, 1);
    assert_int_equal(fx_rep(f->a, 0, 1)->semisync, 0);
    assert_int_equal(fx_rep(f->a, 0, 2)->semisync, -1);
    fx_free(f);
}

static void test_timeline(void **state)
{
    (void)state;
    struct ss_analysis_cfg cfg;
    ss_analysis_cfg_defaults(&cfg);
    cfg.max_intervals = 2;
    struct fx *f = fx_new(&cfg);
    struct ss_conn_info c = fx_conn(1, 2, 40000, 1, 2);
    /* Second 0: two requests, acks 1 ms and 3 ms. Second 2 (1 is idle): one. Second 3: one,
     * beyond the cap. */
    fx_req(f->a, &c, T0 + MS(100), 1, F1, 100);
    fx_ack(f->a, &c, T0 + MS(101), 2, F1, 100);
    fx_req(f->a, &c, T0 + MS(200), 3, F1, 200);
    fx_ack(f->a, &c, T0 + MS(203), 4, F1, 200);
    fx_req(f->a, &c, T0 + MS(2999), 5, F1, 300);
    fx_ack(f->a, &c, T0 + MS(3001), 6, F1, 300); /* ack in second 3 */
    fx_req(f->a, &c, T0 + MS(3500), 7, F1, 400);
    ss_analysis_finish(f->a, T0 + MS(4000));
    const struct ss_an_replica *r = fx_rep(f->a, 0, 0);
    assert_int_equal(r->ntimeline, 2);
    assert_int_equal(r->timeline[0].index, T0 / SS_NS_PER_SEC);
    assert_int_equal(r->timeline[0].requests, 2);
    assert_int_equal(r->timeline[0].acks, 2);
    assert_int_equal(r->timeline[0].samples, 2);
    assert_int_equal(r->timeline[0].max_ns, MS(3));
    assert_true(r->timeline[0].p50_ns >= MS(1) - MS(1) / 256 &&
                r->timeline[0].p50_ns <= MS(1) + MS(1) / 256);
    assert_int_equal(r->timeline[1].index, T0 / SS_NS_PER_SEC + 2);
    assert_int_equal(r->timeline[1].requests, 1);
    assert_int_equal(r->timeline[1].acks, 0);
    assert_int_equal(r->timeline_dropped, 1); /* second 3 */
    fx_free(f);
}

static void test_replica_cap(void **state)
{
    (void)state;
    struct ss_analysis_cfg cfg;
    ss_analysis_cfg_defaults(&cfg);
    cfg.max_replicas = 1;
    cfg.max_masters = 1;
    struct fx *f = fx_new(&cfg);
    struct ss_conn_info a = fx_conn(1, 2, 40000, 1, 2), b = fx_conn(2, 3, 40000, 1, 3);
    struct ss_conn_info other = fx_conn(3, 3, 40000, 7, 3);
    fx_req(f->a, &a, T0, 1, F1, 100);
    fx_req(f->a, &b, T0, 2, F1, 100);
    fx_req(f->a, &b, T0, 3, F1, 200);
    fx_req(f->a, &other, T0, 4, F1, 100);
    ss_analysis_finish(f->a, T0 + MS(1));
    assert_int_equal(fx_master(f->a, 0)->nreplicas, 1);
    assert_int_equal(fx_master(f->a, 0)->replicas_dropped, 1);
    assert_int_equal(ss_analysis_totals(f->a)->masters_dropped, 1);
    assert_int_equal(f->an.n[SS_AN_REPLICA_CAP_HIT], 2);
    fx_free(f);
}

/* Messages after finish are ignored; finish twice is harmless; free(NULL) is a no-op. */
static void test_lifecycle(void **state)
{
    (void)state;
    struct fx *f = fx_new(NULL);
    struct ss_conn_info c = fx_conn(1, 2, 40000, 1, 2);
    const struct ss_an_master *const *ms;
    assert_int_equal(ss_analysis_masters(f->a, &ms), 0); /* not finished yet */
    fx_req(f->a, &c, T0, 1, F1, 100);
    ss_analysis_finish(f->a, T0 + MS(1));
    fx_req(f->a, &c, T0 + MS(2), 2, F1, 200);
    ss_analysis_finish(f->a, T0 + MS(3));
    assert_int_equal(fx_rep(f->a, 0, 0)->ack_requests, 1);
    ss_analysis_free(NULL);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_to_one),
        cmocka_unit_test(test_cumulative),
        cmocka_unit_test(test_later_file),
        cmocka_unit_test(test_stray_acks),
        cmocka_unit_test(test_unanswered_stream_and_capture_end),
        cmocka_unit_test(test_reconnect_grouping),
        cmocka_unit_test(test_kill_only_ignored),
        cmocka_unit_test(test_two_masters),
        cmocka_unit_test(test_network_replica_split),
        cmocka_unit_test(test_no_split_without_tcp_acks),
        cmocka_unit_test(test_pending_cap),
        cmocka_unit_test(test_transactions_dedup),
        cmocka_unit_test(test_trxset_ranges),
        cmocka_unit_test(test_semisync_state),
        cmocka_unit_test(test_timeline),
        cmocka_unit_test(test_replica_cap),
        cmocka_unit_test(test_lifecycle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
