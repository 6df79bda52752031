/* SPDX-License-Identifier: MIT */
/* test_binlog_event.c: the streaming event parser and the bodies that matter, from annotated hex
 * fixtures: ROTATE (artificial), FORMAT_DESCRIPTION (in-use flag, algorithm byte, old servers),
 * GTID / ANONYMOUS_GTID / GTID_TAGGED, MariaDB GTID and GTID_LIST, XID, QUERY kinds, XA_PREPARE,
 * TRANSACTION_PAYLOAD, HEARTBEAT v1/v2, STOP and an unparsed type; CRC verdicts, inference, size
 * mismatch, 64-bit positions and transaction roles. */
#include "test_conn_util.h"

#include "decode/mysql_conn_priv.h"

/* The artificial ROTATE a dump starts with, complete with its CRC32. */
static const uint8_t fx_fake_rotate[] = {
    0x00, 0x00, 0x00, 0x00,                         /* timestamp 0 */
    0x04,                                           /* type ROTATE */
    0x01, 0x00, 0x00, 0x00,                         /* server_id 1 */
    0x30, 0x00, 0x00, 0x00,                         /* event_size 48 */
    0x00, 0x00, 0x00, 0x00,                         /* log_pos 0: artificial */
    0x20, 0x00,                                     /* flags LOG_EVENT_ARTIFICIAL_F */
    0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* position 4 */
    'm', 'a', 's', 't', 'e', 'r', '-', 'b', 'i', 'n', '.', '0', '0', '0', '0', '0', '1',
    0xb8, 0xa9, 0xf1, 0x8e,                         /* CRC32 */
};

/* FORMAT_DESCRIPTION of MySQL 8.0.36 with the "binlog in use" flag set; the CRC was computed
 * with that flag clear, as the server does. */
static const uint8_t fx_fde[] = {
    0x00, 0x00, 0x00, 0x65, 0x0f, 0x01, 0x00, 0x00, 0x00, /* ts, type 15, server_id 1 */
    0x7a, 0x00, 0x00, 0x00,                         /* event_size 122 */
    0x7e, 0x00, 0x00, 0x00,                         /* log_pos 126 */
    0x01, 0x00,                                     /* flags: BINLOG_IN_USE */
    0x04, 0x00,                                     /* binlog version 4 */
    '8', '.', '0', '.', '3', '6', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* version[50] */
    0x00, 0x00, 0x00, 0x65,                         /* created */
    0x13,                                           /* common header length 19 */
    0x38, 0x0d, 0x00, 0x08, 0x00, 0x12, 0x00, 0x04, 0x04, 0x04, 0x04, 0x12, 0x00, 0x00,
    0x5f, 0x00, 0x04, 0x1a, 0x08, 0x00, 0x00, 0x00, 0x08, 0x08, 0x08, 0x02, 0x00, 0x00,
    0x00, 0x0a, 0x0a, 0x0a, 0x2a, 0x2a, 0x00, 0x12, 0x34, 0x00, 0x00, 0x00, 0x00, /* post-hdr */
    0x01,                                           /* checksum algorithm: CRC32 */
    0x6c, 0x6b, 0x24, 0xb3,                         /* CRC32 */
};

/* XID with its CRC32. */
static const uint8_t fx_xid[] = {
    0x10, 0x00, 0x00, 0x65, 0x10, 0x01, 0x00, 0x00, 0x00, /* ts, type 16, server_id 1 */
    0x1f, 0x00, 0x00, 0x00,                         /* event_size 31 */
    0xd0, 0x07, 0x00, 0x00,                         /* log_pos 2000 */
    0x00, 0x00,                                     /* flags */
    0x34, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* xid 0x1234 */
    0xea, 0xee, 0x6c, 0x92,                         /* CRC32 */
};

/* GTID of MySQL 8.0 with both commit timestamps, with its CRC32. */
static const uint8_t fx_gtid[] = {
    0x10, 0x00, 0x00, 0x65, 0x21, 0x01, 0x00, 0x00, 0x00, /* ts, type 33, server_id 1 */
    0x56, 0x00, 0x00, 0x00,                         /* event_size 86 */
    0xe8, 0x03, 0x00, 0x00,                         /* log_pos 1000 */
    0x00, 0x00,                                     /* flags */
    0x00,                                           /* gtid flags */
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
    0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, /* sid */
    0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* gno 7 */
    0x02,                                           /* logical timestamps follow */
    0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* last_committed 5 */
    0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* sequence_number 6 */
    0x40, 0x22, 0x20, 0x18, 0x24, 0x0a, 0x86,       /* immediate ts | bit 55: original follows */
    0x01, 0x40, 0x1e, 0x18, 0x24, 0x0a, 0x06,       /* original commit ts */
    0xfc, 0x10, 0x02,                               /* transaction length 528 */
    0xa4, 0x38, 0x01, 0x00,                         /* immediate server version 80036 */
    0x3b, 0x2c, 0x2e, 0xbf,                         /* CRC32 */
};

/* Feed one event packet (00 [EF flags] event) in chunks of `chunk`, return the parser's verdict. */
static enum ss_ev_result feed(struct ss_binlog_stream *s, int flags, const uint8_t *ev, size_t n,
                              size_t chunk, bool probe, struct ss_event *out,
                              struct ss_anomalies *an)
{
    struct tbuf p = {0};
    tb_u8(&p, 0x00);
    if (flags >= 0) {
        tb_u8(&p, 0xEF);
        tb_u8(&p, (uint8_t)flags);
    }
    tb_put(&p, ev, n);
    ss_binlog_stream_begin(s, p.n < 0xFFFFFF ? (uint32_t)p.n : 0xFFFFFF);
    for (size_t i = 0; i < p.n; i += chunk)
        ss_binlog_stream_data(s, p.p + i, i + chunk <= p.n ? chunk : p.n - i);
    enum ss_ev_result r = ss_binlog_stream_end(s, p.n, probe, out, an);
    tb_free(&p);
    return r;
}

static void test_fake_rotate_and_fde(void **state)
{
    (void)state;
    struct ss_binlog_stream s;
    ss_binlog_stream_init(&s);
    s.replica_alg = 1; /* the replica answered CRC32 */
    struct ss_anomalies an = {0};
    struct ss_event ev;
    for (size_t chunk = 1; chunk <= 64; chunk += 9) {
        ss_binlog_stream_init(&s);
        s.replica_alg = 1;
        assert_int_equal(feed(&s, 0x00, fx_fake_rotate, sizeof(fx_fake_rotate), chunk, false, &ev,
                              &an), SS_EVR_EVENT);
        assert_int_equal(ev.h.type, SS_EV_ROTATE);
        assert_true(ev.artificial);
        assert_int_equal(ev.semisync_flags, 0);
        assert_false(ev.ack_requested);
        assert_int_equal(ev.csum, SS_CSUM_OK);
        assert_int_equal(ev.u.rotate.pos, 4);
        assert_string_equal(ev.u.rotate.name, "master-bin.000001");
        assert_string_equal(ev.file, "master-bin.000001");
        assert_int_equal(ev.end_pos, 4);
        assert_int_equal(s.semisync, 1);

        assert_int_equal(feed(&s, 0x00, fx_fde, sizeof(fx_fde), chunk, false, &ev, &an),
                         SS_EVR_EVENT);
        assert_int_equal(ev.h.type, SS_EV_FORMAT_DESCRIPTION);
        assert_int_equal(ev.csum, SS_CSUM_OK); /* in-use flag masked for the CRC */
        assert_int_equal(ev.u.fde.binlog_version, 4);
        assert_string_equal(ev.u.fde.server_version, "8.0.36");
        assert_int_equal(ev.u.fde.checksum_alg, 1);
        assert_int_equal(ev.end_pos, 126);
        assert_string_equal(ev.file, "master-bin.000001");
        assert_int_equal(s.file_alg, 1);
    }
    for (size_t i = 0; i < SS_AN_COUNT; i++)
        assert_int_equal(an.n[i], 0);
}

static void test_fde_flag_as_sent_and_bad_crc(void **state)
{
    (void)state;
    struct ss_binlog_stream s;
    struct ss_anomalies an = {0};
    struct ss_event ev;
    /* The same FDE with the flag cleared (as a dump thread sends it): still OK. */
    uint8_t fde[sizeof(fx_fde)];
    memcpy(fde, fx_fde, sizeof(fde));
    fde[17] = 0x00;
    ss_binlog_stream_init(&s);
    assert_int_equal(feed(&s, -1, fde, sizeof(fde), 5, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.csum, SS_CSUM_OK);
    assert_int_equal(ev.semisync_flags, -1);
    /* One flipped body byte: BAD, counted. */
    fde[30] ^= 0x40;
    assert_int_equal(feed(&s, -1, fde, sizeof(fde), 5, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.csum, SS_CSUM_BAD);
    assert_int_equal(an.n[SS_AN_EVENT_CRC_MISMATCH], 1);
}

static void test_fde_old_and_mariadb(void **state)
{
    (void)state;
    struct ss_binlog_stream s;
    struct ss_anomalies an = {0};
    struct ss_event ev;
    struct tbuf b = {0}, body = {0};
    /* MySQL 5.1: no checksum-algorithm byte, no trailer. */
    tb_le(&body, 4, 2);                                  /* binlog version */
    char ver[50] = "5.1.73-log";
    tb_put(&body, ver, sizeof(ver));                     /* server version */
    tb_le(&body, 0, 4);                                  /* created */
    tb_u8(&body, 19);                                    /* header length */
    static const uint8_t post51[] = {56, 11, 0, 8, 0, 18, 0, 4, 4, 4, 4, 18, 0, 0, 0x53, 0,
                                     4, 26, 8, 0, 0, 0, 8, 8, 8, 2, 0};
    tb_put(&body, post51, sizeof(post51));               /* 27 post-header lengths */
    tb_event(&b, 1, SS_EV_FORMAT_DESCRIPTION, 1, 4 + 19 + (uint32_t)body.n, 0, body.p, body.n,
             false);
    ss_binlog_stream_init(&s);
    assert_int_equal(feed(&s, -1, b.p, b.n, 3, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.u.fde.checksum_alg, -1);
    assert_int_equal(ev.csum, SS_CSUM_NONE);
    assert_int_equal(s.file_alg, 0);
    assert_int_equal(s.query_post_len, 11);
    /* MariaDB 10.11 with binlog_checksum=NONE: algorithm byte 0 and 4 unused bytes. */
    tb_free(&b);
    tb_free(&body);
    tb_le(&body, 4, 2);
    char mver[50] = "10.11.6-MariaDB-log";
    tb_put(&body, mver, sizeof(mver));
    tb_le(&body, 0, 4);
    tb_u8(&body, 19);
    for (int i = 0; i < 164; i++)                        /* post-header lengths (zeros fine) */
        tb_u8(&body, i == 1 ? 13 : 0);
    tb_u8(&body, 0);                                     /* checksum algorithm: NONE */
    tb_le(&body, 0, 4);                                  /* unused checksum bytes */
    tb_event(&b, 1, SS_EV_FORMAT_DESCRIPTION, 1, 4 + 19 + (uint32_t)body.n, 0, body.p, body.n,
             false);
    ss_binlog_stream_init(&s);
    s.replica_alg = 1; /* the replica could take CRC32, the file has none */
    assert_int_equal(feed(&s, 0x00, b.p, b.n, 11, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.u.fde.checksum_alg, 0);
    assert_int_equal(ev.csum, SS_CSUM_NONE);
    assert_false(ev.body_truncated);
    assert_int_equal(s.file_alg, 0);
    /* Following events carry no checksum: an XID without trailer is NONE and parses. */
    static const uint8_t xid_body[] = {0x2a, 0, 0, 0, 0, 0, 0, 0}; /* xid 42 */
    tb_free(&b);
    tb_event(&b, 1, SS_EV_XID, 1, 500, 0, xid_body, sizeof(xid_body), false);
    assert_int_equal(feed(&s, 0x01, b.p, b.n, 4, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.csum, SS_CSUM_NONE);
    assert_int_equal(ev.u.xid.xid, 42);
    assert_true(ev.ack_requested);
    assert_int_equal(ev.trx, SS_TRX_END);
    tb_free(&b);
    tb_free(&body);
    for (size_t i = 0; i < SS_AN_COUNT; i++)
        assert_int_equal(an.n[i], 0);
}

static void test_gtid_xid(void **state)
{
    (void)state;
    struct ss_binlog_stream s;
    ss_binlog_stream_init(&s);
    s.file_alg = 1;
    struct ss_anomalies an = {0};
    struct ss_event ev;
    assert_int_equal(feed(&s, 0x00, fx_gtid, sizeof(fx_gtid), 2, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.csum, SS_CSUM_OK);
    assert_int_equal(ev.trx, SS_TRX_BEGIN);
    assert_int_equal(ev.u.gtid.gno, 7);
    assert_int_equal(ev.u.gtid.sid[0], 0x10);
    assert_int_equal(ev.u.gtid.sid[15], 0x1f);
    assert_int_equal(ev.u.gtid.last_committed, 5);
    assert_int_equal(ev.u.gtid.sequence_number, 6);
    assert_int_equal(ev.u.gtid.immediate_commit_us, 1700000000123456ULL);
    assert_int_equal(ev.u.gtid.orig_commit_us, 1700000000000001ULL);
    assert_int_equal(ev.end_pos, 1000);
    assert_int_equal(feed(&s, 0x01, fx_xid, sizeof(fx_xid), 1, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.csum, SS_CSUM_OK);
    assert_true(ev.ack_requested);
    assert_int_equal(ev.semisync_flags, 1);
    assert_int_equal(ev.trx, SS_TRX_END);
    assert_int_equal(ev.u.xid.xid, 0x1234);
    assert_int_equal(ev.end_pos, 2000);
    /* ANONYMOUS_GTID of 5.7 (no commit timestamps): role BEGIN, logical clock parsed. */
    static const uint8_t anon[] = {
        0x01,                                              /* flags: may have SBR */
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,    /* sid: zeros */
        0, 0, 0, 0, 0, 0, 0, 0,                            /* gno 0 */
        0x02,                                              /* logical clock */
        0x03, 0, 0, 0, 0, 0, 0, 0,                         /* last_committed 3 */
        0x04, 0, 0, 0, 0, 0, 0, 0,                         /* sequence_number 4 */
    };
    struct tbuf b = {0};
    tb_event(&b, 5, SS_EV_ANONYMOUS_GTID, 1, 2065, 0, anon, sizeof(anon), true);
    assert_int_equal(feed(&s, 0x00, b.p, b.n, 1000, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.trx, SS_TRX_BEGIN);
    assert_int_equal(ev.u.gtid.last_committed, 3);
    assert_int_equal(ev.u.gtid.sequence_number, 4);
    assert_int_equal(ev.u.gtid.immediate_commit_us, 0);
    tb_free(&b);
    for (size_t i = 0; i < SS_AN_COUNT; i++)
        assert_int_equal(an.n[i], 0);
}

/* GTID_TAGGED body as MySQL 9.6 writes it (serialization library format). */
static const uint8_t fx_gtid_tagged_body[] = {
    0x02,                    /* serialization version 2 */
    0x44,                    /* varlen payload size 34 (one byte: value << 1) */
    0x16,                    /* last non-ignorable field id 11 (0x16 >> 1) */
    0x00, 0x00,              /* field 0 gtid_flags = 0 */
    0x02,                    /* field 1 sid: 16 varlen bytes */
    0x20, 0x22, 0x24, 0x26, 0x28, 0x2a, 0x2c, 0x2e, 0x30, 0x32, 0x34, 0x36, 0x38, 0x3a,
    0x3c, 0x3e,              /* sid bytes 0x10..0x1f, each << 1 */
    0x04, 0x14,              /* field 2 gno = 5 (zigzag 10, one byte 10 << 1) */
    0x06, 0x08, 'a', 'b', 'c', 'd', /* field 3 tag: length 4, "abcd" */
    0x08, 0x04,              /* field 4 last_committed = 1 (zigzag 2) */
    0x0a, 0x08,              /* field 5 sequence_number = 2 (zigzag 4) */
};

static void test_gtid_tagged(void **state)
{
    (void)state;
    struct ss_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.h.type = SS_EV_GTID_TAGGED;
    assert_true(ss_binlog_body_parse(&ev, fx_gtid_tagged_body, sizeof(fx_gtid_tagged_body), true,
                                     13, NULL));
    assert_int_equal(ev.u.gtid.sid[0], 0x10);
    assert_int_equal(ev.u.gtid.sid[15], 0x1f);
    assert_int_equal(ev.u.gtid.gno, 5);
    assert_string_equal(ev.u.gtid.tag, "abcd");
    assert_int_equal(ev.u.gtid.last_committed, 1);
    assert_int_equal(ev.u.gtid.sequence_number, 2);
}

static void test_mariadb_gtid_list_standalone(void **state)
{
    (void)state;
    struct ss_binlog_stream s;
    ss_binlog_stream_init(&s);
    s.file_alg = 1;
    struct ss_anomalies an = {0};
    struct ss_event ev;
    struct tbuf b = {0};
    static const uint8_t glist[] = {
        0x01, 0x00, 0x00, 0x00,                         /* count 1 */
        0x00, 0x00, 0x00, 0x00,                         /* domain 0 */
        0x01, 0x00, 0x00, 0x00,                         /* server 1 */
        0x63, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* seq 99 */
    };
    tb_event(&b, 1, SS_EV_MARIA_GTID_LIST, 1, 300, 0, glist, sizeof(glist), true);
    assert_int_equal(feed(&s, 0x00, b.p, b.n, 3, false, &ev, &an), SS_EVR_EVENT);
    assert_string_equal(ss_binlog_type_name(ev.h.type), "MARIADB_GTID_LIST");
    assert_int_equal(ev.u.gtid_list.count, 1);
    assert_int_equal(ev.u.gtid_list.server, 1);
    assert_int_equal(ev.u.gtid_list.seq, 99);
    assert_int_equal(ev.trx, SS_TRX_NONE);
    /* A transactional group with a commit id: GTID … XID. */
    static const uint8_t mg[] = {
        0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* seq 100 */
        0x02, 0x00, 0x00, 0x00,                         /* domain 2 */
        0x0e,                                           /* flags2: GROUP_COMMIT_ID|TRANS|PAR */
        0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* commit id 9 */
    };
    tb_free(&b);
    tb_event(&b, 1, SS_EV_MARIA_GTID, 1, 400, 0x08, mg, sizeof(mg), true);
    assert_int_equal(feed(&s, 0x00, b.p, b.n, 7, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.trx, SS_TRX_BEGIN);
    assert_int_equal(ev.u.mgtid.seq, 100);
    assert_int_equal(ev.u.mgtid.domain, 2);
    assert_int_equal(ev.u.mgtid.flags2, 0x0e);
    assert_int_equal(ev.u.mgtid.commit_id, 9);
    /* Inside that group a statement is not DDL. */
    struct tbuf q = {0};
    tb_le(&q, 7, 4);            /* thread id */
    tb_le(&q, 0, 4);            /* exec time */
    tb_u8(&q, 1);               /* db length */
    tb_le(&q, 0, 2);            /* error code */
    tb_le(&q, 0, 2);            /* status vars length */
    tb_put(&q, "d", 2);         /* db + NUL */
    tb_str(&q, "UPDATE t SET a=1");
    tb_free(&b);
    tb_event(&b, 1, SS_EV_QUERY, 1, 500, 0, q.p, q.n, true);
    assert_int_equal(feed(&s, 0x00, b.p, b.n, 7, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.trx, SS_TRX_NONE);
    assert_int_equal(ev.u.query.kind, SS_QE_OTHER);
    assert_string_equal(ev.u.query.text, "UPDATE t SET a=1");
    assert_int_equal(ev.u.query.thread_id, 7);
    /* Standalone GTID (DDL): the next QUERY ends the group. */
    static const uint8_t mg_sa[] = {
        0x65, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* seq 101 */
        0x00, 0x00, 0x00, 0x00,                         /* domain 0 */
        0x21,                                           /* flags2: STANDALONE | DDL */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00,             /* 6 zero bytes */
    };
    tb_free(&b);
    tb_event(&b, 1, SS_EV_MARIA_GTID, 1, 600, 0, mg_sa, sizeof(mg_sa), true);
    assert_int_equal(feed(&s, 0x00, b.p, b.n, 7, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.trx, SS_TRX_BEGIN);
    tb_free(&q);
    tb_le(&q, 7, 4);
    tb_le(&q, 0, 4);
    tb_u8(&q, 1);
    tb_le(&q, 0, 2);
    tb_le(&q, 4, 2);            /* status vars length 4 */
    tb_le(&q, 0x01020304, 4);   /* status vars (skipped as a block) */
    tb_put(&q, "d", 2);
    tb_str(&q, "CREATE TABLE t (a int)");
    tb_free(&b);
    tb_event(&b, 1, SS_EV_QUERY, 1, 700, 0, q.p, q.n, true);
    assert_int_equal(feed(&s, 0x01, b.p, b.n, 7, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.trx, SS_TRX_END);
    assert_int_equal(ev.u.query.kind, SS_QE_DDL);
    assert_string_equal(ev.u.query.text, "CREATE TABLE t (a int)");
    tb_free(&b);
    tb_free(&q);
    for (size_t i = 0; i < SS_AN_COUNT; i++)
        assert_int_equal(an.n[i], 0);
}

static void test_query_kinds(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        enum ss_query_event_kind kind;
    } cases[] = {
        {"BEGIN", SS_QE_BEGIN},
        {"COMMIT", SS_QE_COMMIT},
        {"commit", SS_QE_COMMIT},
        {"ROLLBACK", SS_QE_ROLLBACK},
        {"ROLLBACK TO `sp1`", SS_QE_OTHER},
        {"ROLLBACK WORK TO SAVEPOINT sp1", SS_QE_OTHER},
        {"XA START X'78',X'',1", SS_QE_XA_START},
        {"XA END X'78',X'',1", SS_QE_XA_END},
        {"XA PREPARE X'78',X'',1", SS_QE_XA_PREPARE},
        {"XA COMMIT X'78',X'',1", SS_QE_XA_COMMIT},
        {"XA ROLLBACK X'78',X'',1", SS_QE_XA_ROLLBACK},
        {"  /* c */ COMMIT", SS_QE_COMMIT},
        {"COMMITTED", SS_QE_OTHER},
        {"CREATE TABLE t1 (a INT)", SS_QE_OTHER},
        {"", SS_QE_OTHER},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(ss_query_event_kind(cases[i].text, strlen(cases[i].text)), cases[i].kind);
}

/* A QUERY event body with the given text. */
static void query_body(struct tbuf *q, const char *text)
{
    tb_le(q, 9, 4);     /* thread id */
    tb_le(q, 0, 4);     /* exec time */
    tb_u8(q, 0);        /* db length 0 */
    tb_le(q, 0, 2);     /* error code */
    tb_le(q, 0, 2);     /* status vars length */
    tb_u8(q, 0);        /* db NUL */
    tb_str(q, text);
}

static void test_trx_roles_mysql(void **state)
{
    (void)state;
    struct ss_binlog_stream s;
    ss_binlog_stream_init(&s);
    s.file_alg = 0;
    struct ss_anomalies an = {0};
    struct ss_event ev;
    static const struct {
        uint8_t type;
        const char *text;     /* QUERY text, XA_PREPARE marker */
        enum ss_trx_role trx;
        enum ss_query_event_kind qk;
    } seq[] = {
        {SS_EV_ANONYMOUS_GTID, NULL, SS_TRX_BEGIN, 0},
        {SS_EV_QUERY, "BEGIN", SS_TRX_BEGIN, SS_QE_BEGIN},
        {SS_EV_QUERY, "INSERT INTO t VALUES (1)", SS_TRX_NONE, SS_QE_OTHER},
        {SS_EV_QUERY, "SAVEPOINT a", SS_TRX_NONE, SS_QE_OTHER},
        {SS_EV_QUERY, "ROLLBACK TO a", SS_TRX_NONE, SS_QE_OTHER},
        {SS_EV_QUERY, "COMMIT", SS_TRX_END, SS_QE_COMMIT},
        {SS_EV_ANONYMOUS_GTID, NULL, SS_TRX_BEGIN, 0},
        {SS_EV_QUERY, "DROP TABLE t", SS_TRX_END, SS_QE_DDL},
        {SS_EV_GTID, NULL, SS_TRX_BEGIN, 0},
        {SS_EV_QUERY, "XA START X'01',X'',1", SS_TRX_BEGIN, SS_QE_XA_START},
        {SS_EV_QUERY, "XA END X'01',X'',1", SS_TRX_NONE, SS_QE_XA_END},
        {SS_EV_XA_PREPARE, NULL, SS_TRX_END, 0},
        {SS_EV_GTID, NULL, SS_TRX_BEGIN, 0},
        {SS_EV_QUERY, "XA COMMIT X'01',X'',1", SS_TRX_END, SS_QE_XA_COMMIT},
        {SS_EV_GTID, NULL, SS_TRX_BEGIN, 0},
        {SS_EV_TRANSACTION_PAYLOAD, NULL, SS_TRX_END, 0},
        {SS_EV_QUERY, "BEGIN", SS_TRX_BEGIN, SS_QE_BEGIN},
        {SS_EV_TABLE_MAP, NULL, SS_TRX_NONE, 0},
        {SS_EV_WRITE_ROWS, NULL, SS_TRX_NONE, 0},
        {SS_EV_QUERY, "ROLLBACK", SS_TRX_END, SS_QE_ROLLBACK},
    };
    static const uint8_t gtid_body[25] = {0}; /* flags, sid, gno: 5.6 layout */
    static const uint8_t xa_body[] = {0x00, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x01};
    static const uint8_t payload_body[] = {
        0x01, 0x01, 0x20,  /* type 1 payload size: length 1, value 32 */
        0x02, 0x01, 0x00,  /* type 2 compression: length 1, value 0 (zstd) */
        0x03, 0x01, 0x40,  /* type 3 uncompressed size: length 1, value 64 */
        0x00,              /* end of header */
    };
    static const uint8_t rows_body[12] = {0};
    uint32_t pos = 4;
    for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
        struct tbuf b = {0}, q = {0};
        const uint8_t *body = rows_body;
        size_t blen = sizeof(rows_body);
        if (seq[i].type == SS_EV_QUERY) {
            query_body(&q, seq[i].text);
            body = q.p;
            blen = q.n;
        } else if (seq[i].type == SS_EV_GTID || seq[i].type == SS_EV_ANONYMOUS_GTID) {
            body = gtid_body;
            blen = sizeof(gtid_body);
        } else if (seq[i].type == SS_EV_XA_PREPARE) {
            body = xa_body;
            blen = sizeof(xa_body);
        } else if (seq[i].type == SS_EV_TRANSACTION_PAYLOAD) {
            body = payload_body;
            blen = sizeof(payload_body);
        }
        pos += (uint32_t)(19 + blen);
        tb_event(&b, 1, seq[i].type, 1, pos, 0, body, blen, false);
        assert_int_equal(feed(&s, -1, b.p, b.n, 5, false, &ev, &an), SS_EVR_EVENT);
        assert_int_equal(ev.trx, seq[i].trx);
        assert_int_equal(ev.end_pos, pos);
        if (seq[i].type == SS_EV_QUERY)
            assert_int_equal(ev.u.query.kind, seq[i].qk);
        if (seq[i].type == SS_EV_XA_PREPARE)
            assert_false(ev.u.xa_prepare.one_phase);
        if (seq[i].type == SS_EV_TRANSACTION_PAYLOAD) {
            assert_int_equal(ev.u.payload.payload_size, 32);
            assert_int_equal(ev.u.payload.compression, 0);
            assert_int_equal(ev.u.payload.uncompressed_size, 64);
        }
        tb_free(&b);
        tb_free(&q);
    }
    for (size_t i = 0; i < SS_AN_COUNT; i++)
        assert_int_equal(an.n[i], 0);
}

static void test_heartbeats_stop_other(void **state)
{
    (void)state;
    struct ss_binlog_stream s;
    ss_binlog_stream_init(&s);
    s.replica_alg = 1;
    s.file_alg = 1;
    struct ss_anomalies an = {0};
    struct ss_event ev;
    struct tbuf b = {0};
    /* HEARTBEAT v1: log_pos is the current position, body the file name. */
    tb_event(&b, 0, SS_EV_HEARTBEAT, 1, 123456, 0x20, (const uint8_t *)"master-bin.000007", 17,
             true);
    assert_int_equal(feed(&s, 0x00, b.p, b.n, 3, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.csum, SS_CSUM_OK);
    assert_string_equal(ev.u.heartbeat.log_ident, "master-bin.000007");
    assert_int_equal(ev.u.heartbeat.pos, 123456);
    assert_string_equal(ev.file, "master-bin.000007");
    assert_int_equal(ev.end_pos, 123456);
    /* HEARTBEAT v2: TLV fields, the position as a lenenc integer (here beyond 4 GiB). */
    static const uint8_t hb2[] = {
        0x01, 0x11,                                          /* type 1 file name, length 17 */
        'm', 'a', 's', 't', 'e', 'r', '-', 'b', 'i', 'n', '.', '0', '0', '0', '0', '0', '8',
        0x02, 0x09,                                          /* type 2 position, length 9 */
        0xfe, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, /* lenenc 0x100000000 */
        0x00,                                                /* end */
    };
    tb_free(&b);
    tb_event(&b, 0, SS_EV_HEARTBEAT_V2, 1, 0, 0x20, hb2, sizeof(hb2), true);
    assert_int_equal(feed(&s, 0x00, b.p, b.n, 3, false, &ev, &an), SS_EVR_EVENT);
    assert_string_equal(ev.u.heartbeat.log_ident, "master-bin.000008");
    assert_int_equal(ev.u.heartbeat.pos, 0x100000000ULL);
    assert_string_equal(ev.file, "master-bin.000008");
    assert_int_equal(ev.end_pos, 0x100000000ULL);
    /* STOP: empty body. */
    tb_free(&b);
    tb_event(&b, 9, SS_EV_STOP, 1, 0x100000000ULL + 23 - 0x100000000ULL, 0, NULL, 0, true);
    assert_int_equal(feed(&s, 0x00, b.p, b.n, 3, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.csum, SS_CSUM_OK);
    assert_int_equal(ev.end_pos, 0x100000000ULL + 23); /* extended past 4 GiB */
    /* A type we do not parse is delimited and named. */
    static const uint8_t tm[40] = {1, 2, 3};
    tb_free(&b);
    tb_event(&b, 9, SS_EV_TABLE_MAP, 1, 23 + 63, 0, tm, sizeof(tm), true);
    assert_int_equal(feed(&s, 0x00, b.p, b.n, 3, false, &ev, &an), SS_EVR_EVENT);
    assert_string_equal(ss_binlog_type_name(ev.h.type), "TABLE_MAP");
    assert_int_equal(ev.h.event_size, 63);
    assert_int_equal(ev.csum, SS_CSUM_OK);
    assert_int_equal(ev.end_pos, 0x100000000ULL + 23 + 63);
    tb_free(&b);
    for (size_t i = 0; i < SS_AN_COUNT; i++)
        assert_int_equal(an.n[i], 0);
}

static void test_pos_wrap_4g(void **state)
{
    (void)state;
    struct ss_binlog_stream s;
    ss_binlog_stream_init(&s);
    s.file_alg = 0;
    struct ss_anomalies an = {0};
    struct ss_event ev;
    struct tbuf b = {0}, body = {0};
    tb_le(&body, 0xFFFFFF00ULL, 8);                     /* rotate position just below 4 GiB */
    tb_str(&body, "big.000001");
    tb_event(&b, 0, SS_EV_ROTATE, 1, 0, 0x20, body.p, body.n, false);
    assert_int_equal(feed(&s, -1, b.p, b.n, 4, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.end_pos, 0xFFFFFF00ULL);
    static const uint8_t rows[0x200 - 19] = {0};
    tb_free(&b);
    /* Ends at 0xFFFFFF00 + 0x200: log_pos wraps to 0x100. */
    tb_event(&b, 1, SS_EV_WRITE_ROWS, 1, 0x100, 0, rows, sizeof(rows), false);
    assert_int_equal(feed(&s, -1, b.p, b.n, 100, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.end_pos, 0x100000100ULL);
    /* The next one, after a gap (events lost), still lands in the same 4 GiB window. */
    ss_binlog_stream_discontinuity(&s);
    s.pos_known = true; /* position from the previous event, kept by the caller's test */
    s.pos = 0x100000100ULL;
    tb_free(&b);
    tb_event(&b, 1, SS_EV_WRITE_ROWS, 1, 0x5000, 0, rows, sizeof(rows), false);
    assert_int_equal(feed(&s, -1, b.p, b.n, 100, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.end_pos, 0x100005000ULL);
    assert_int_equal(an.n[SS_AN_EVENT_POS_BACKWARDS], 0);
    tb_free(&b);
    tb_free(&body);
}

static void test_crc_inference(void **state)
{
    (void)state;
    struct ss_binlog_stream s;
    struct ss_anomalies an = {0};
    struct ss_event ev;
    /* Mid-stream, nothing known: the first XID with a valid CRC is OK, two agree → CRC32. */
    ss_binlog_stream_init(&s);
    assert_int_equal(feed(&s, 0x00, fx_xid, sizeof(fx_xid), 3, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.csum, SS_CSUM_OK);
    assert_int_equal(ss_binlog_stream_alg(&s), -1);
    assert_int_equal(feed(&s, 0x00, fx_gtid, sizeof(fx_gtid), 3, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.csum, SS_CSUM_OK);
    assert_int_equal(ss_binlog_stream_alg(&s), 1);
    /* Now a corrupted event is BAD. */
    uint8_t bad[sizeof(fx_xid)];
    memcpy(bad, fx_xid, sizeof(bad));
    bad[20] ^= 1;
    assert_int_equal(feed(&s, 0x00, bad, sizeof(bad), 3, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.csum, SS_CSUM_BAD);
    assert_int_equal(an.n[SS_AN_EVENT_CRC_MISMATCH], 1);
    /* Events without checksums: UNKNOWN until two agree, then NONE, and bodies parse whole. */
    ss_binlog_stream_init(&s);
    struct tbuf b = {0};
    static const uint8_t xid_body[] = {0x05, 0, 0, 0, 0, 0, 0, 0};
    tb_event(&b, 1, SS_EV_XID, 1, 100, 0, xid_body, sizeof(xid_body), false);
    assert_int_equal(feed(&s, -1, b.p, b.n, 3, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.csum, SS_CSUM_UNKNOWN);
    assert_int_equal(ev.u.xid.xid, 5);
    assert_int_equal(feed(&s, -1, b.p, b.n, 3, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ss_binlog_stream_alg(&s), 0);
    assert_int_equal(feed(&s, -1, b.p, b.n, 3, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.csum, SS_CSUM_NONE);
    tb_free(&b);
}

static void test_size_mismatch_truncated_probe(void **state)
{
    (void)state;
    struct ss_binlog_stream s;
    ss_binlog_stream_init(&s);
    s.file_alg = 1;
    struct ss_anomalies an = {0};
    struct ss_event ev;
    /* The packet carries 3 bytes more than the event says. */
    uint8_t longer[sizeof(fx_xid) + 3];
    memcpy(longer, fx_xid, sizeof(fx_xid));
    memset(longer + sizeof(fx_xid), 0xAA, 3);
    assert_int_equal(feed(&s, 0x00, longer, sizeof(longer), 4, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(an.n[SS_AN_EVENT_SIZE_MISMATCH], 1);
    /* Too short for a header: counted as truncated. */
    assert_int_equal(feed(&s, 0x00, fx_xid, 10, 4, false, &ev, &an), SS_EVR_TRUNCATED);
    assert_int_equal(an.n[SS_AN_EVENT_TRUNCATED], 1);
    /* Probe mode: an OK packet (00 00 00 02 00 00 00) is not an event and nothing is counted. */
    struct ss_anomalies an2 = {0};
    static const uint8_t ok_rest[] = {0x00, 0x02, 0x00, 0x00, 0x00, 0x00};
    assert_int_equal(feed(&s, -1, ok_rest, sizeof(ok_rest), 1, true, &ev, &an2),
                     SS_EVR_NOT_EVENT);
    assert_int_equal(feed(&s, 0x00, longer, sizeof(longer), 4, true, &ev, &an2), SS_EVR_NOT_EVENT);
    for (size_t i = 0; i < SS_AN_COUNT; i++)
        assert_int_equal(an2.n[i], 0);
    /* Unknown semisync flag bits are kept and counted. */
    assert_int_equal(feed(&s, 0x03, fx_xid, sizeof(fx_xid), 4, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.semisync_flags, 3);
    assert_true(ev.ack_requested);
    assert_int_equal(an.n[SS_AN_SEMISYNC_UNKNOWN_FLAGS], 1);
}

/* A 20 MB row event streams through with a bounded prefix and a verified CRC. */
static void test_large_event(void **state)
{
    (void)state;
    struct ss_binlog_stream s;
    ss_binlog_stream_init(&s);
    s.file_alg = 1;
    s.semisync = 1;
    struct ss_anomalies an = {0};
    struct ss_event ev;
    size_t blen = 20u * 1024 * 1024;
    uint8_t *body = malloc(blen);
    assert_non_null(body);
    uint32_t x = 12345;
    for (size_t i = 0; i < blen; i++) {
        x = x * 1103515245u + 12345u;
        body[i] = (uint8_t)(x >> 16);
    }
    struct tbuf b = {0};
    tb_event(&b, 1, SS_EV_WRITE_ROWS, 1, (uint32_t)(4 + 19 + blen + 4), 0, body, blen, true);
    /* First piece is 0xFFFFFF: the total is unknown when the header is read. */
    assert_int_equal(feed(&s, 0x01, b.p, b.n, 65536, false, &ev, &an), SS_EVR_EVENT);
    assert_int_equal(ev.csum, SS_CSUM_OK);
    assert_true(ev.ack_requested);
    assert_int_equal(ev.h.event_size, b.n);
    assert_true(sizeof(s.pre) <= 4096);
    for (size_t i = 0; i < SS_AN_COUNT; i++)
        assert_int_equal(an.n[i], 0);
    tb_free(&b);
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fake_rotate_and_fde),
        cmocka_unit_test(test_fde_flag_as_sent_and_bad_crc),
        cmocka_unit_test(test_fde_old_and_mariadb),
        cmocka_unit_test(test_gtid_xid),
        cmocka_unit_test(test_gtid_tagged),
        cmocka_unit_test(test_mariadb_gtid_list_standalone),
        cmocka_unit_test(test_query_kinds),
        cmocka_unit_test(test_trx_roles_mysql),
        cmocka_unit_test(test_heartbeats_stop_other),
        cmocka_unit_test(test_pos_wrap_4g),
        cmocka_unit_test(test_crc_inference),
        cmocka_unit_test(test_size_mismatch_truncated_probe),
        cmocka_unit_test(test_large_event),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
