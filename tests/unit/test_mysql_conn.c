/* SPDX-License-Identifier: MIT */
/* test_mysql_conn.c: the connection decoder end to end through ss_conn_data — greetings (MySQL
 * and MariaDB), SSLRequest → TLS, login with CLIENT_COMPRESS and a compressed dump, the replica's
 * setup queries, a whole semisync dump conversation with acks, ERR in a dump, KILL-only
 * connections, role correction, mid-stream pickup, gaps, TCP acks and TCP windows (also through
 * a real flow table), recovery after lost bytes
 * (known-length skip, resyncs forced by a checksum or an absurd size); plus command parsing of
 * every query kind. */
#include "test_conn_util.h"

#include "decode/mysql_conn_priv.h"

#define CAPS_SERVER 0x81bff7ffu /* MySQL 8.0 greeting capabilities (incl. COMPRESS 0x20) */
#define CAPS_CLIENT 0x000ea285u /* a replica's login: PROTOCOL_41, SECURE_CONN, PLUGIN_AUTH … */

/* MySQL 8.0 greeting, annotated. */
static const uint8_t fx_greeting_mysql[] = {
    0x4a, 0x00, 0x00, 0x00,                         /* length 74, seq 0 */
    0x0a,                                           /* protocol 10 */
    '8', '.', '0', '.', '3', '6', 0x00,             /* server version */
    0x2a, 0x00, 0x00, 0x00,                         /* connection id 42 */
    'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h',         /* auth data 1 */
    0x00,                                           /* filler */
    0xff, 0xff,                                     /* caps low */
    0xff,                                           /* charset */
    0x02, 0x00,                                     /* status */
    0xff, 0xdf,                                     /* caps high */
    0x15,                                           /* auth data length 21 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                   /* reserved */
    'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 0x00, /* auth data 2 */
    'c', 'a', 'c', 'h', 'i', 'n', 'g', '_', 's', 'h', 'a', '2', '_', 'p', 'a', 's', 's', 'w',
    'o', 'r', 'd', 0x00,                            /* auth plugin */
};

/* MariaDB 10.11 greeting: "5.5.5-" prefix, CLIENT_LONG_PASSWORD clear, extended caps. */
static const uint8_t fx_greeting_mariadb[] = {
    0x5d, 0x00, 0x00, 0x00,                         /* length 93, seq 0 */
    0x0a,                                           /* protocol 10 */
    '5', '.', '5', '.', '5', '-', '1', '0', '.', '1', '1', '.', '6', '-', 'M', 'a', 'r', 'i',
    'a', 'D', 'B', '-', 'l', 'o', 'g', 0x00,        /* server version */
    0x07, 0x00, 0x00, 0x00,                         /* connection id 7 */
    '1', '2', '3', '4', '5', '6', '7', '8',         /* auth data 1 */
    0x00,                                           /* filler */
    0xfe, 0xf7,                                     /* caps low (no LONG_PASSWORD) */
    0x2d,                                           /* charset */
    0x02, 0x00,                                     /* status */
    0xff, 0x81,                                     /* caps high */
    0x15,                                           /* auth data length 21 */
    0, 0, 0, 0, 0, 0,                               /* reserved */
    0x1d, 0x00, 0x00, 0x00,                         /* MariaDB extended caps */
    '9', '0', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 0x00, /* auth data 2 */
    'm', 'y', 's', 'q', 'l', '_', 'n', 'a', 't', 'i', 'v', 'e', '_', 'p', 'a', 's', 's', 'w',
    'o', 'r', 'd', 0x00,                            /* auth plugin */
};

/* SSLRequest: 32 bytes, CLIENT_SSL set. */
static const uint8_t fx_ssl_request[] = {
    0x20, 0x00, 0x00, 0x01,                         /* length 32, seq 1 */
    0x05, 0xae, 0x0f, 0x00,                         /* caps: PROTOCOL_41 | SSL 0x800 | … */
    0x00, 0x00, 0x00, 0x01,                         /* max packet 16 MiB */
    0x21,                                           /* charset */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* filler */
};

/* HandshakeResponse41 asking for the compressed protocol. */
static const uint8_t fx_login_compress[] = {
    0x3c, 0x00, 0x00, 0x01,                         /* length 60, seq 1 */
    0xa5, 0xa2, 0x0a, 0x00,                         /* caps: COMPRESS 0x20 | PROTOCOL_41 | … */
    0x00, 0x00, 0x00, 0x40,                         /* max packet 1 GiB */
    0x21,                                           /* charset */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* filler */
    'r', 'e', 'p', 'l', 0x00,                       /* user */
    0x00,                                           /* auth response length 0 */
    'm', 'y', 's', 'q', 'l', '_', 'n', 'a', 't', 'i', 'v', 'e', '_', 'p', 'a', 's', 's', 'w',
    'o', 'r', 'd', 0x00,                            /* auth plugin */
};

static void send_fixture(struct tconn *t, enum ss_dir dir, const uint8_t *p, size_t n)
{
    size_t pat = 0;
    tconn_feed(t, dir, p, n, &pat);
}

static void send(struct tconn *t, enum ss_dir dir, struct tbuf *b)
{
    size_t pat = 3;
    tconn_feed(t, dir, b->p, b->n, &pat);
    b->n = 0;
}

static void no_anomalies(const struct ss_anomalies *an)
{
    for (size_t i = 0; i < SS_AN_COUNT; i++)
        if (an->n[i])
            fail_msg("anomaly %s = %llu", ss_anomaly_name((enum ss_anomaly)i),
                     (unsigned long long)an->n[i]);
}

/* A FORMAT_DESCRIPTION event of `version`, algorithm byte `alg` (CRC32 trailer when 1). */
static void fde_event(struct tbuf *b, const char *version, uint8_t alg, uint32_t log_pos)
{
    struct tbuf body = {0};
    char ver[50] = {0};
    snprintf(ver, sizeof(ver), "%s", version);
    tb_le(&body, 4, 2);
    tb_put(&body, ver, sizeof(ver));
    tb_le(&body, 0, 4);
    tb_u8(&body, 19);
    for (int i = 0; i < 41; i++)
        tb_u8(&body, i == 1 ? 13 : 0);
    tb_u8(&body, alg);
    if (alg != 1)
        tb_le(&body, 0, 4);
    tb_event(b, 0, SS_EV_FORMAT_DESCRIPTION, 1, log_pos, 0, body.p, body.n, alg == 1);
    tb_free(&body);
}

static void rotate_event(struct tbuf *b, uint64_t pos, const char *file, bool crc)
{
    struct tbuf body = {0};
    tb_le(&body, pos, 8);
    tb_str(&body, file);
    tb_event(b, 0, SS_EV_ROTATE, 1, 0, 0x20, body.p, body.n, crc);
    tb_free(&body);
}

static void xid_event(struct tbuf *b, uint32_t log_pos, uint64_t xid)
{
    uint8_t body[8];
    for (int i = 0; i < 8; i++)
        body[i] = (uint8_t)(xid >> (8 * i));
    tb_event(b, 100, SS_EV_XID, 1, log_pos, 0, body, sizeof(body), true);
}

static void gtid_event(struct tbuf *b, uint32_t log_pos, int64_t gno)
{
    uint8_t body[42] = {0};
    body[1] = 0xab;                     /* sid */
    for (int i = 0; i < 8; i++)
        body[17 + i] = (uint8_t)((uint64_t)gno >> (8 * i));
    body[25] = 2;                       /* logical clock */
    tb_event(b, 100, SS_EV_GTID, 1, log_pos, 0, body, sizeof(body), true);
}

/* ---- connection phase ---- */

static void test_greeting_mysql(void **state)
{
    (void)state;
    struct tconn t;
    tconn_init(&t, false, SS_SIDE_SYN);
    send_fixture(&t, SS_S2C, fx_greeting_mysql, sizeof(fx_greeting_mysql));
    assert_int_equal(t.rec.n, 1);
    assert_int_equal(t.rec.m[0].kind, SS_MSG_GREETING);
    assert_true(t.rec.m[0].from_server);
    assert_int_equal(t.rec.m[0].u.greeting.caps, 0xdfffffffu);
    assert_int_equal(t.rec.m[0].payload_len, 74);
    assert_int_equal(t.rec.m[0].stream_end_off, sizeof(fx_greeting_mysql));
    const struct ss_conn_info *info = ss_conn_info(t.c);
    assert_int_equal(info->flavor, SS_FLAVOR_MYSQL);
    assert_string_equal(info->server_version, "8.0.36");
    assert_int_equal(info->thread_id, 42);
    assert_true(info->handshake_seen);
    no_anomalies(&t.an);
    tconn_free(&t);
}

static void test_greeting_mariadb_login_compress(void **state)
{
    (void)state;
    struct tconn t;
    tconn_init(&t, false, SS_SIDE_SYN);
    struct ss_greeting g;
    assert_true(ss_greeting_parse(fx_greeting_mariadb + 4, sizeof(fx_greeting_mariadb) - 4, &g));
    assert_int_equal(g.mariadb_caps, 0x1d);
    assert_string_equal(g.auth_plugin, "mysql_native_password");
    send_fixture(&t, SS_S2C, fx_greeting_mariadb, sizeof(fx_greeting_mariadb));
    const struct ss_conn_info *info = ss_conn_info(t.c);
    assert_int_equal(info->flavor, SS_FLAVOR_MARIADB);
    assert_string_equal(info->server_version, "10.11.6-MariaDB-log");
    assert_int_equal(info->thread_id, 7);
    send_fixture(&t, SS_C2S, fx_login_compress, sizeof(fx_login_compress));
    assert_int_equal(t.rec.m[1].kind, SS_MSG_LOGIN);
    assert_false(t.rec.m[1].from_server);
    assert_string_equal(info->user, "repl");
    assert_true(info->client_caps & SS_CLIENT_COMPRESS);
    assert_int_equal(info->compress, SS_COMP_NONE);
    struct tbuf b = {0};
    tb_ok(&b, 2);
    send(&t, SS_S2C, &b);
    assert_int_equal(t.rec.m[2].kind, SS_MSG_REPLY);
    assert_int_equal(t.rec.m[2].u.reply.kind, SS_REPLY_OK);
    assert_int_equal(info->compress, SS_COMP_ZLIB);

    /* From now on both directions use 7-byte compressed headers. The dump command, stored. */
    struct tbuf inner = {0}, outer = {0};
    tb_dump(&inner, 4, 5, "mariadb-bin.000003");
    tb_le(&outer, inner.n, 3);          /* compressed length */
    tb_u8(&outer, 0);                   /* compressed seq 0 */
    tb_le(&outer, 0, 3);                /* uncompressed length 0: stored as is */
    tb_put(&outer, inner.p, inner.n);
    send(&t, SS_C2S, &outer);
    assert_int_equal(t.rec.m[3].kind, SS_MSG_COMMAND);
    assert_int_equal(t.rec.m[3].u.cmd.cmd, SS_COM_BINLOG_DUMP);
    assert_string_equal(t.rec.m[3].u.cmd.dump_file, "mariadb-bin.000003");
    assert_int_equal(t.rec.m[3].u.cmd.server_id, 5);

    /* The dump, zlib-compressed: fake ROTATE + FDE + XID in one compressed packet. */
    struct tbuf ev = {0};
    inner.n = 0;
    rotate_event(&ev, 4, "mariadb-bin.000003", true);
    uint8_t seq = tb_event_packet(&inner, 1, 0x00, ev.p, ev.n);
    ev.n = 0;
    fde_event(&ev, "10.11.6-MariaDB-log", 1, 4 + 19 + 2 + 50 + 4 + 1 + 41 + 1 + 4);
    seq = tb_event_packet(&inner, seq, 0x00, ev.p, ev.n);
    ev.n = 0;
    xid_event(&ev, 1000, 77);
    tb_event_packet(&inner, seq, 0x01, ev.p, ev.n);
    uLongf zlen = compressBound(inner.n);
    uint8_t *z = malloc(zlen);
    assert_int_equal(compress(z, &zlen, inner.p, inner.n), Z_OK);
    tb_le(&outer, zlen, 3);
    tb_u8(&outer, 1);
    tb_le(&outer, inner.n, 3);          /* uncompressed length */
    tb_put(&outer, z, zlen);
    send(&t, SS_S2C, &outer);
    assert_int_equal(rec_count(&t.rec, SS_MSG_EVENT), 3);
    const struct ss_msg *x = &t.rec.m[t.rec.n - 1];
    assert_int_equal(x->kind, SS_MSG_EVENT);
    assert_int_equal(x->u.ev.h.type, SS_EV_XID);
    assert_true(x->u.ev.ack_requested);
    assert_int_equal(x->u.ev.csum, SS_CSUM_OK);
    assert_string_equal(x->u.ev.file, "mariadb-bin.000003");
    assert_int_equal(x->u.ev.u.xid.xid, 77);
    /* The compressed packet's end is the message's stream offset. */
    assert_int_equal(x->stream_end_off, t.off[SS_S2C]);
    no_anomalies(&t.an);
    free(z);
    tb_free(&b);
    tb_free(&inner);
    tb_free(&outer);
    tb_free(&ev);
    tconn_free(&t);
}

static void test_ssl_request_tls(void **state)
{
    (void)state;
    struct tconn t;
    tconn_init(&t, false, SS_SIDE_SYN);
    send_fixture(&t, SS_S2C, fx_greeting_mysql, sizeof(fx_greeting_mysql));
    send_fixture(&t, SS_C2S, fx_ssl_request, sizeof(fx_ssl_request));
    assert_int_equal(t.rec.n, 2);
    assert_int_equal(t.rec.m[1].kind, SS_MSG_TLS);
    assert_false(t.rec.m[1].from_server);
    const struct ss_conn_info *info = ss_conn_info(t.c);
    assert_true(info->tls);
    assert_int_equal(t.an.n[SS_AN_CONN_TLS], 1);
    /* A TLS ClientHello and server records: never parsed as MySQL. */
    static const uint8_t hello[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03,
                                    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    send_fixture(&t, SS_C2S, hello, sizeof(hello));
    send_fixture(&t, SS_S2C, hello, sizeof(hello));
    assert_int_equal(t.rec.n, 2);
    for (size_t i = 0; i < SS_AN_COUNT; i++)
        if (i != SS_AN_CONN_TLS)
            assert_int_equal(t.an.n[i], 0);
    tconn_free(&t);
}

/* ---- command parsing ---- */

static void test_query_classify(void **state)
{
    (void)state;
    static const struct {
        const char *q;
        enum ss_query_kind k;
        int64_t v;
    } cases[] = {
        {"SET @rpl_semi_sync_slave= 1", SS_Q_SET_SEMISYNC, 1},
        {"SET @rpl_semi_sync_replica = 1, @rpl_semi_sync_slave = 1", SS_Q_SET_SEMISYNC, 1},
        {"set @RPL_SEMI_SYNC_SLAVE=0", SS_Q_SET_SEMISYNC, 0},
        {"SET @master_binlog_checksum= @@global.binlog_checksum", SS_Q_SET_CHECKSUM, -1},
        {"SET @master_binlog_checksum = @@global.binlog_checksum, @source_binlog_checksum = "
         "@@global.binlog_checksum", SS_Q_SET_CHECKSUM, -1},
        {"SET @source_binlog_checksum='CRC32'", SS_Q_SET_CHECKSUM, 1},
        {"SET @master_binlog_checksum='NONE'", SS_Q_SET_CHECKSUM, 0},
        {"SET @master_heartbeat_period= 30000001024", SS_Q_SET_HEARTBEAT, 30000001024LL},
        {"SET @master_heartbeat_period = 15000000000, @source_heartbeat_period = 15000000000",
         SS_Q_SET_HEARTBEAT, 15000000000LL},
        {"SET @slave_connect_state='0-1-100,1-2-5'", SS_Q_SET_CONNECT_STATE, -1},
        {"SET @mariadb_slave_capability=4", SS_Q_SET_CAPABILITY, 4},
        {"SET @slave_uuid = '9d2f0b6e-1a2b-11ee-be56-0242ac120002', @replica_uuid = "
         "'9d2f0b6e-1a2b-11ee-be56-0242ac120002'", SS_Q_SET_UUID, -1},
        {"SET @slave_gtid_strict_mode=0", SS_Q_OTHER, -1},
        {"SET NAMES latin1", SS_Q_OTHER, -1},
        {"SET @a = 'x, y', @rpl_semi_sync_slave = 1", SS_Q_SET_SEMISYNC, 1},
        {"KILL 42", SS_Q_KILL, 42},
        {"KILL CONNECTION 7", SS_Q_KILL, 7},
        {"kill hard 9", SS_Q_KILL, 9},
        {"KILL QUERY 42", SS_Q_OTHER, -1},
        {"SELECT UNIX_TIMESTAMP()", SS_Q_SELECT, -1},
        {"  select @master_binlog_checksum", SS_Q_SELECT, -1},
        {"SHOW VARIABLES LIKE 'SERVER_ID'", SS_Q_SHOW, -1},
        {"SELECTED", SS_Q_OTHER, -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ss_cmd c;
        memset(&c, 0, sizeof(c));
        ss_query_classify(cases[i].q, strlen(cases[i].q), &c);
        if (c.qkind != cases[i].k || c.value != cases[i].v)
            fail_msg("%s: kind %d value %lld", cases[i].q, c.qkind, (long long)c.value);
    }
}

static void test_command_parse(void **state)
{
    (void)state;
    struct ss_anomalies an = {0};
    struct ss_cmd c;
    static const uint8_t reg[] = {
        0x15,                       /* COM_REGISTER_SLAVE */
        0x03, 0x00, 0x00, 0x00,     /* server_id 3 */
        0x02, 'r', '2',             /* report_host */
        0x04, 'r', 'e', 'p', 'l',   /* report_user */
        0x00,                       /* report_password */
        0xec, 0x33,                 /* report_port 13292 */
        0x00, 0x00, 0x00, 0x00,     /* rank */
        0x00, 0x00, 0x00, 0x00,     /* master_id */
    };
    assert_true(ss_command_parse(reg, sizeof(reg), sizeof(reg), false, &c, &an));
    assert_int_equal(c.server_id, 3);
    assert_string_equal(c.host, "r2");
    assert_int_equal(c.port, 13292);
    static const uint8_t dump[] = {
        0x12,                       /* COM_BINLOG_DUMP */
        0x9a, 0x02, 0x00, 0x00,     /* pos 666 */
        0x02, 0x00,                 /* flags */
        0x02, 0x00, 0x00, 0x00,     /* server_id 2 */
        'b', 'i', 'n', '.', '0', '0', '0', '0', '0', '9', /* file */
    };
    assert_true(ss_command_parse(dump, sizeof(dump), sizeof(dump), false, &c, &an));
    assert_int_equal(c.dump_pos, 666);
    assert_int_equal(c.dump_flags, 2);
    assert_int_equal(c.server_id, 2);
    assert_string_equal(c.dump_file, "bin.000009");
    static const uint8_t gtid[] = {
        0x1e,                       /* COM_BINLOG_DUMP_GTID */
        0x00, 0x00,                 /* flags */
        0x04, 0x00, 0x00, 0x00,     /* server_id 4 */
        0x00, 0x00, 0x00, 0x00,     /* name length 0 */
        0x04, 0, 0, 0, 0, 0, 0, 0,  /* pos 4 */
        0x30, 0x00, 0x00, 0x00,     /* GTID set data size 48 */
        0x01, 0, 0, 0, 0, 0, 0, 0,  /* n_sids 1 (set data follows, not parsed) */
    };
    assert_true(ss_command_parse(gtid, sizeof(gtid), sizeof(gtid), false, &c, &an));
    assert_int_equal(c.cmd, SS_COM_BINLOG_DUMP_GTID);
    assert_int_equal(c.server_id, 4);
    assert_int_equal(c.dump_pos, 4);
    assert_string_equal(c.dump_file, "");
    assert_int_equal(c.gtid_set_len, 48);
    /* COM_QUERY with query attributes (MySQL 8.0.23+): 0 parameters, 1 set, then the text. */
    static const uint8_t qa[] = {0x03, 0x00, 0x01, 'K', 'I', 'L', 'L', ' ', '5'};
    assert_true(ss_command_parse(qa, sizeof(qa), sizeof(qa), true, &c, &an));
    assert_int_equal(c.qkind, SS_Q_KILL);
    assert_int_equal(c.value, 5);
    assert_string_equal(c.text, "KILL 5");
    /* A long query is cut, and says so. */
    uint8_t longq[400];
    longq[0] = 0x03;
    memset(longq + 1, 'x', sizeof(longq) - 1);
    assert_true(ss_command_parse(longq, sizeof(longq), sizeof(longq), false, &c, &an));
    assert_true(c.text_truncated);
    assert_int_equal(strlen(c.text), SS_TEXT_MAX - 1);
    assert_string_equal(ss_command_name(0x12), "COM_BINLOG_DUMP");
    assert_string_equal(ss_command_name(0x1e), "COM_BINLOG_DUMP_GTID");
    assert_string_equal(ss_command_name(0x15), "COM_REGISTER_SLAVE");
    assert_string_equal(ss_command_name(0xfa), "COM_UNKNOWN");
    assert_string_equal(ss_msg_kind_name(SS_MSG_TCP_ACK), "tcp_ack");
    assert_string_equal(ss_msg_kind_name(SS_MSG_TCP_WINDOW), "tcp_window");
    /* ERR reply. */
    static const uint8_t err[] = {0xff, 0xd4, 0x04, '#', 'H', 'Y', '0', '0', '0',
                                  'C', 'o', 'u', 'l', 'd', ' ', 'n', 'o', 't'};
    struct ss_reply r;
    assert_true(ss_reply_parse(err, sizeof(err), sizeof(err), &r));
    assert_int_equal(r.kind, SS_REPLY_ERR);
    assert_int_equal(r.err_code, 1236);
    assert_string_equal(r.sqlstate, "HY000");
    assert_string_equal(r.message, "Could not");
}

/* ---- a whole semisync dump conversation ---- */

struct step {
    enum ss_msg_kind kind;
    bool from_server;
};

static void test_dump_conversation(void **state)
{
    (void)state;
    struct tconn t;
    tconn_init(&t, false, SS_SIDE_SYN);
    struct tbuf b = {0}, ev = {0};
    tb_greeting(&b, "8.0.36", 99, CAPS_SERVER);
    send(&t, SS_S2C, &b);
    tb_login(&b, CAPS_CLIENT, "repl");
    send(&t, SS_C2S, &b);
    tb_ok(&b, 2);
    send(&t, SS_S2C, &b);
    tb_query(&b, "SELECT UNIX_TIMESTAMP()");
    send(&t, SS_C2S, &b);
    tb_result1(&b, "1700000000");
    send(&t, SS_S2C, &b);
    tb_query(&b, "SET @master_heartbeat_period= 30000001024");
    send(&t, SS_C2S, &b);
    tb_ok(&b, 1);
    send(&t, SS_S2C, &b);
    tb_query(&b, "SET @master_binlog_checksum= @@global.binlog_checksum");
    send(&t, SS_C2S, &b);
    tb_ok(&b, 1);
    send(&t, SS_S2C, &b);
    tb_query(&b, "SELECT @master_binlog_checksum");
    send(&t, SS_C2S, &b);
    tb_result1(&b, "CRC32");
    send(&t, SS_S2C, &b);
    const struct ss_conn_info *info = ss_conn_info(t.c);
    assert_int_equal(info->checksum_alg, 1);
    tb_query(&b, "SET @rpl_semi_sync_slave= 1");
    send(&t, SS_C2S, &b);
    tb_ok(&b, 1);
    send(&t, SS_S2C, &b);
    assert_int_equal(info->semisync_requested, 1);
    tb_register(&b, 2);
    send(&t, SS_C2S, &b);
    tb_ok(&b, 1);
    send(&t, SS_S2C, &b);
    tb_dump(&b, 4, 2, "master-bin.000001");
    send(&t, SS_C2S, &b);
    assert_true(info->is_dump);
    assert_int_equal(info->replica_server_id, 2);
    assert_string_equal(info->replica_host, "r1");
    assert_int_equal(info->replica_port, 3307);

    /* The dump: fake ROTATE, FDE, GTID, XID (ack requested), ack, GTID, XID (ack), ack. */
    rotate_event(&ev, 4, "master-bin.000001", true);
    uint8_t seq = tb_event_packet(&b, 1, 0x00, ev.p, ev.n);
    ev.n = 0;
    fde_event(&ev, "8.0.36", 1, 4 + 122);
    seq = tb_event_packet(&b, seq, 0x00, ev.p, ev.n);
    ev.n = 0;
    gtid_event(&ev, 126 + 65, 1);
    seq = tb_event_packet(&b, seq, 0x00, ev.p, ev.n);
    ev.n = 0;
    xid_event(&ev, 126 + 65 + 31, 10);
    tb_event_packet(&b, seq, 0x01, ev.p, ev.n);
    ev.n = 0;
    send(&t, SS_S2C, &b);
    uint64_t flagged_end = t.off[SS_S2C];
    ss_conn_acked(t.c, SS_S2C, flagged_end, 999000, 999);
    tb_ack(&b, 126 + 65 + 31, "master-bin.000001");
    send(&t, SS_C2S, &b);
    gtid_event(&ev, 222 + 65, 2);
    seq = tb_event_packet(&b, 1, 0x00, ev.p, ev.n);
    ev.n = 0;
    xid_event(&ev, 222 + 65 + 31, 11);
    tb_event_packet(&b, seq, 0x01, ev.p, ev.n);
    ev.n = 0;
    send(&t, SS_S2C, &b);
    tb_ack(&b, 222 + 65 + 31, "master-bin.000001");
    send(&t, SS_C2S, &b);
    static const uint8_t quit[] = {0x01, 0x00, 0x00, 0x00, 0x01};
    send_fixture(&t, SS_C2S, quit, sizeof(quit));
    struct ss_flow *f = &t.flow;
    ss_conn_end(t.c, f, SS_END_FIN, SS_C2S, 2000000, 2000);

    static const struct step want[] = {
        {SS_MSG_GREETING, true}, {SS_MSG_LOGIN, false}, {SS_MSG_REPLY, true},
        {SS_MSG_COMMAND, false}, {SS_MSG_REPLY, true},  /* SELECT UNIX_TIMESTAMP() */
        {SS_MSG_COMMAND, false}, {SS_MSG_REPLY, true},  /* heartbeat */
        {SS_MSG_COMMAND, false}, {SS_MSG_REPLY, true},  /* checksum */
        {SS_MSG_COMMAND, false}, {SS_MSG_REPLY, true},  /* SELECT checksum */
        {SS_MSG_COMMAND, false}, {SS_MSG_REPLY, true},  /* semisync */
        {SS_MSG_COMMAND, false}, {SS_MSG_REPLY, true},  /* register */
        {SS_MSG_COMMAND, false},                        /* dump */
        {SS_MSG_EVENT, true}, {SS_MSG_EVENT, true}, {SS_MSG_EVENT, true}, {SS_MSG_EVENT, true},
        {SS_MSG_TCP_ACK, false}, {SS_MSG_ACK, false},
        {SS_MSG_EVENT, true}, {SS_MSG_EVENT, true}, {SS_MSG_ACK, false},
        {SS_MSG_COMMAND, false},                        /* quit */
        {SS_MSG_END, false},
    };
    size_t nwant = sizeof(want) / sizeof(want[0]);
    for (size_t i = 0; i < t.rec.n && i < nwant; i++)
        if (t.rec.m[i].kind != want[i].kind || t.rec.m[i].from_server != want[i].from_server)
            fail_msg("message %zu: %s from_server=%d, want %s from_server=%d", i,
                     ss_msg_kind_name(t.rec.m[i].kind), t.rec.m[i].from_server,
                     ss_msg_kind_name(want[i].kind), want[i].from_server);
    assert_int_equal(t.rec.n, nwant);

    const struct ss_msg *m = t.rec.m;
    assert_int_equal(m[4].u.reply.kind, SS_REPLY_RESULT);
    assert_string_equal(m[4].u.reply.first_value, "1700000000");
    assert_int_equal(m[5].u.cmd.qkind, SS_Q_SET_HEARTBEAT);
    assert_int_equal(m[5].u.cmd.value, 30000001024LL);
    assert_int_equal(m[7].u.cmd.qkind, SS_Q_SET_CHECKSUM);
    assert_string_equal(m[10].u.reply.first_value, "CRC32");
    assert_int_equal(m[11].u.cmd.qkind, SS_Q_SET_SEMISYNC);
    assert_int_equal(m[11].u.cmd.value, 1);
    assert_int_equal(m[13].u.cmd.cmd, SS_COM_REGISTER_SLAVE);
    assert_int_equal(m[15].u.cmd.cmd, SS_COM_BINLOG_DUMP);
    assert_string_equal(m[15].u.cmd.dump_file, "master-bin.000001");
    assert_int_equal(m[15].u.cmd.dump_pos, 4);
    /* events */
    assert_int_equal(m[16].u.ev.h.type, SS_EV_ROTATE);
    assert_true(m[16].u.ev.artificial);
    assert_int_equal(m[17].u.ev.h.type, SS_EV_FORMAT_DESCRIPTION);
    assert_int_equal(m[18].u.ev.trx, SS_TRX_BEGIN);
    assert_int_equal(m[19].u.ev.h.type, SS_EV_XID);
    assert_true(m[19].u.ev.ack_requested);
    assert_int_equal(m[19].u.ev.trx, SS_TRX_END);
    assert_int_equal(m[19].u.ev.end_pos, 222);
    assert_string_equal(m[19].u.ev.file, "master-bin.000001");
    for (size_t i = 16; i <= 19; i++) {
        assert_int_equal(m[i].u.ev.csum, SS_CSUM_OK);
        assert_int_equal(m[i].u.ev.semisync_flags, i == 19 ? 1 : 0);
    }
    assert_int_equal(m[19].stream_end_off, flagged_end);
    assert_int_equal(m[20].u.tcp_ack.stream_off, flagged_end);
    assert_int_equal(m[21].u.ack.pos, 222);
    assert_string_equal(m[21].u.ack.file, "master-bin.000001");
    assert_true(m[21].u.ack.well_formed);
    assert_int_equal(m[23].u.ev.end_pos, 318);
    assert_int_equal(m[24].u.ack.pos, 318);
    assert_int_equal(m[25].u.cmd.cmd, SS_COM_QUIT);
    assert_int_equal(m[26].u.end.why, SS_END_FIN);
    assert_false(m[26].u.end.by_server);
    /* The first byte's frame precedes the last byte's for a multi-chunk message. */
    assert_true(m[16].first_frame < m[16].frame);
    assert_int_equal(info->semisync_header, 1);
    assert_false(info->is_kill_only);
    assert_string_equal(info->binlog_file, "master-bin.000001");
    no_anomalies(&t.an);
    tb_free(&b);
    tb_free(&ev);
    tconn_free(&t);
}

static void test_err_in_dump_and_kill_only(void **state)
{
    (void)state;
    struct tconn t;
    tconn_init(&t, false, SS_SIDE_SYN);
    struct tbuf b = {0};
    tb_greeting(&b, "5.5.5-10.11.6-MariaDB-log", 12, CAPS_SERVER);
    send(&t, SS_S2C, &b);
    tb_login(&b, CAPS_CLIENT, "repl");
    send(&t, SS_C2S, &b);
    tb_ok(&b, 2);
    send(&t, SS_S2C, &b);
    tb_dump(&b, 4, 2, "gone.000001");
    send(&t, SS_C2S, &b);
    static const uint8_t err[] = {
        0x26, 0x00, 0x00, 0x01,                 /* length 38, seq 1 */
        0xff, 0xd4, 0x04,                       /* ERR 1236 */
        '#', 'H', 'Y', '0', '0', '0',           /* SQL state */
        'C', 'o', 'u', 'l', 'd', ' ', 'n', 'o', 't', ' ', 'f', 'i', 'n', 'd', ' ', 'f', 'i',
        'r', 's', 't', ' ', 'l', 'o', 'g', ' ', 'f', 'i', 'l', 'e',
    };
    send_fixture(&t, SS_S2C, err, sizeof(err));
    const struct ss_msg *m = &t.rec.m[t.rec.n - 1];
    assert_int_equal(m->kind, SS_MSG_REPLY);
    assert_int_equal(m->u.reply.kind, SS_REPLY_ERR);
    assert_int_equal(m->u.reply.err_code, 1236);
    assert_string_equal(m->u.reply.message, "Could not find first log file");
    assert_int_equal(t.an.n[SS_AN_CONN_ERR_IN_DUMP], 1);
    tconn_free(&t);

    /* MariaDB's kill connection: login, KILL n, QUIT. */
    tconn_init(&t, false, SS_SIDE_SYN);
    tb_greeting(&b, "5.5.5-10.11.6-MariaDB-log", 13, CAPS_SERVER);
    send(&t, SS_S2C, &b);
    tb_login(&b, CAPS_CLIENT, "repl");
    send(&t, SS_C2S, &b);
    tb_ok(&b, 2);
    send(&t, SS_S2C, &b);
    tb_query(&b, "KILL 12");
    send(&t, SS_C2S, &b);
    tb_ok(&b, 1);
    send(&t, SS_S2C, &b);
    static const uint8_t quit[] = {0x01, 0x00, 0x00, 0x00, 0x01};
    send_fixture(&t, SS_C2S, quit, sizeof(quit));
    const struct ss_conn_info *info = ss_conn_info(t.c);
    assert_true(info->is_kill_only);
    assert_false(info->is_dump);
    assert_int_equal(t.rec.m[3].u.cmd.qkind, SS_Q_KILL);
    assert_int_equal(t.rec.m[3].u.cmd.value, 12);
    no_anomalies(&t.an);
    tconn_free(&t);
    tb_free(&b);
}

/* The flow took the server for the client: the greeting comes from "C2S". */
static void test_role_swap_greeting(void **state)
{
    (void)state;
    struct tconn t;
    tconn_init(&t, false, SS_SIDE_SYN);
    struct tbuf b = {0};
    tb_greeting(&b, "8.0.36", 5, CAPS_SERVER);
    send(&t, SS_C2S, &b);
    tb_login(&b, CAPS_CLIENT, "repl");
    send(&t, SS_S2C, &b);
    tb_ok(&b, 2);
    send(&t, SS_C2S, &b);
    assert_int_equal(t.rec.n, 3);
    assert_true(t.rec.m[0].from_server);
    assert_int_equal(t.rec.m[0].kind, SS_MSG_GREETING);
    assert_false(t.rec.m[1].from_server);
    assert_int_equal(t.rec.m[1].kind, SS_MSG_LOGIN);
    assert_true(t.rec.m[2].from_server);
    const struct ss_conn_info *info = ss_conn_info(t.c);
    assert_int_equal(info->server.port, 40000);
    assert_int_equal(info->client.port, 3306);
    no_anomalies(&t.an);
    tb_free(&b);
    tconn_free(&t);
}

/* A dump stream of `n` GTID/XID pairs after a fake ROTATE and FDE, semisync flags on XIDs. */
static void dump_stream(struct tbuf *b, size_t pairs, uint8_t *seq_io)
{
    struct tbuf ev = {0};
    uint8_t seq = *seq_io;
    rotate_event(&ev, 4, "master-bin.000002", true);
    seq = tb_event_packet(b, seq, 0x00, ev.p, ev.n);
    ev.n = 0;
    fde_event(&ev, "8.0.36", 1, 126);
    seq = tb_event_packet(b, seq, 0x00, ev.p, ev.n);
    uint32_t pos = 126;
    for (size_t i = 0; i < pairs; i++) {
        ev.n = 0;
        pos += 65;
        gtid_event(&ev, pos, (int64_t)i + 1);
        seq = tb_event_packet(b, seq, 0x00, ev.p, ev.n);
        ev.n = 0;
        pos += 31;
        xid_event(&ev, pos, i);
        tb_event_packet(b, seq, 0x01, ev.p, ev.n);
        seq = 1;
    }
    *seq_io = seq;
    tb_free(&ev);
}

static void test_midstream_pickup(void **state)
{
    (void)state;
    struct tconn t;
    tconn_init(&t, true, SS_SIDE_PORT);
    struct tbuf s2c = {0}, c2s = {0};
    uint8_t seq = 1;
    dump_stream(&s2c, 20, &seq);
    for (uint32_t i = 0; i < 20; i++)
        tb_ack(&c2s, 126 + (i + 1) * 96, "master-bin.000002");
    /* Start inside the FDE packet, and inside the first ack. */
    size_t pat = 0;
    tconn_feed(&t, SS_S2C, s2c.p + 80, s2c.n - 80, &pat);
    tconn_feed(&t, SS_C2S, c2s.p + 11, c2s.n - 11, &pat);
    const struct ss_conn_info *info = ss_conn_info(t.c);
    assert_true(info->is_dump);
    assert_int_equal(info->semisync_header, 1);
    assert_true(rec_count(&t.rec, SS_MSG_RESYNC) >= 1);
    size_t events = rec_count(&t.rec, SS_MSG_EVENT);
    size_t acks = rec_count(&t.rec, SS_MSG_ACK);
    /* The framer may need a packet or two to trust a boundary; most must come through. */
    assert_true(events >= 36 && events <= 40);
    assert_true(acks >= 17 && acks <= 19);
    size_t xids = 0, ok = 0;
    for (size_t i = 0; i < t.rec.n; i++) {
        const struct ss_msg *m = &t.rec.m[i];
        if (m->kind == SS_MSG_EVENT && m->u.ev.h.type == SS_EV_XID) {
            xids++;
            assert_true(m->u.ev.ack_requested);
            assert_true(m->from_server);
            ok += m->u.ev.csum == SS_CSUM_OK;
        }
        if (m->kind == SS_MSG_ACK) {
            assert_false(m->from_server);
            assert_true(m->u.ack.well_formed);
        }
    }
    /* CRC32 inferred from the events themselves: every XID verifies. */
    assert_int_equal(ok, xids);
    assert_int_equal(info->checksum_alg, 1);
    /* The file is learnt from the acks until a ROTATE says otherwise. */
    assert_string_equal(info->binlog_file, "master-bin.000002");
    assert_int_equal(t.an.n[SS_AN_EVENT_CRC_MISMATCH], 0);
    assert_int_equal(t.an.n[SS_AN_EVENT_SIZE_MISMATCH], 0);
    tb_free(&s2c);
    tb_free(&c2s);
    tconn_free(&t);
}

/* Mid-stream with the sides guessed wrongly: events arrive from the "client". */
static void test_midstream_role_swap(void **state)
{
    (void)state;
    struct tconn t;
    tconn_init(&t, true, SS_SIDE_GUESS);
    struct tbuf s2c = {0};
    uint8_t seq = 1;
    dump_stream(&s2c, 12, &seq);
    size_t pat = 0;
    tconn_feed(&t, SS_C2S, s2c.p + 30, s2c.n - 30, &pat);
    const struct ss_conn_info *info = ss_conn_info(t.c);
    assert_true(info->is_dump);
    assert_int_equal(info->server.port, 40000);
    size_t events = rec_count(&t.rec, SS_MSG_EVENT);
    assert_true(events >= 20);
    for (size_t i = 0; i < t.rec.n; i++)
        if (t.rec.m[i].kind == SS_MSG_EVENT)
            assert_true(t.rec.m[i].from_server);
    tb_free(&s2c);
    tconn_free(&t);
}

static void test_gap_in_dump(void **state)
{
    (void)state;
    struct tconn t;
    tconn_init(&t, false, SS_SIDE_SYN);
    struct tbuf b = {0};
    tb_greeting(&b, "8.0.36", 99, CAPS_SERVER);
    send(&t, SS_S2C, &b);
    tb_login(&b, CAPS_CLIENT, "repl");
    send(&t, SS_C2S, &b);
    tb_ok(&b, 2);
    send(&t, SS_S2C, &b);
    tb_dump(&b, 4, 2, "master-bin.000002");
    send(&t, SS_C2S, &b);
    uint8_t seq = 1;
    dump_stream(&b, 30, &seq);
    /* Deliver the first 700 bytes, lose 50, deliver the rest. */
    size_t pat = 0;
    tconn_feed(&t, SS_S2C, b.p, 700, &pat);
    size_t before = rec_count(&t.rec, SS_MSG_EVENT);
    ss_conn_gap(t.c, SS_S2C, t.off[SS_S2C], 50, 5000000, 5000);
    t.off[SS_S2C] += 50;
    tconn_feed(&t, SS_S2C, b.p + 750, b.n - 750, &pat);
    size_t gi = SIZE_MAX;
    for (size_t i = 0; i < t.rec.n; i++)
        if (t.rec.m[i].kind == SS_MSG_GAP)
            gi = i;
    assert_true(gi != SIZE_MAX);
    assert_int_equal(t.rec.m[gi].u.gap.len, 50);
    assert_true(t.rec.m[gi].u.gap.in_packet);
    assert_true(t.rec.m[gi].from_server);
    assert_true(rec_count(&t.rec, SS_MSG_RESYNC) >= 1);
    size_t after = rec_count(&t.rec, SS_MSG_EVENT) - before;
    /* 62 events in all; those hit by the gap and the resync's confirmation are lost. */
    assert_true(before + after >= 55 && before + after < 62);
    assert_int_equal(t.an.n[SS_AN_EVENT_CRC_MISMATCH], 0);
    assert_int_equal(t.an.n[SS_AN_EVENT_POS_BACKWARDS], 0);
    /* Events after the gap still carry the file and verified checksums. */
    const struct ss_msg *last = NULL;
    for (size_t i = 0; i < t.rec.n; i++)
        if (t.rec.m[i].kind == SS_MSG_EVENT)
            last = &t.rec.m[i];
    assert_non_null(last);
    assert_string_equal(last->u.ev.file, "master-bin.000002");
    assert_int_equal(last->u.ev.csum, SS_CSUM_OK);
    assert_int_equal(last->u.ev.end_pos, 126 + 30 * 96);
    tb_free(&b);
    tconn_free(&t);
}

/* ---- recovery after lost bytes (issue 4) ---- */

/* A dump seen from its handshake: rotate, FDE (CRC32), then per pair GTID, a row event of
 * `row_len` body bytes (deterministic noise, CRC valid) and a flagged XID. Positions from 126.
 * starts[] gets each pair's row event packet offset (relative to b's start), ends[] its end. */
static void dump_with_rows(struct tbuf *b, size_t pairs, size_t row_len, size_t *row_start,
                           size_t *row_end, uint32_t *end_pos)
{
    struct tbuf ev = {0};
    uint8_t seq = 1;
    rotate_event(&ev, 4, "master-bin.000002", true);
    seq = tb_event_packet(b, seq, 0x00, ev.p, ev.n);
    ev.n = 0;
    fde_event(&ev, "8.0.36", 1, 126);
    seq = tb_event_packet(b, seq, 0x00, ev.p, ev.n);
    uint32_t pos = 126;
    uint8_t *row = malloc(row_len);
    assert_non_null(row);
    uint32_t x = 12345;
    for (size_t i = 0; i < pairs; i++) {
        ev.n = 0;
        pos += 65;
        gtid_event(&ev, pos, (int64_t)i + 1);
        seq = tb_event_packet(b, seq, 0x00, ev.p, ev.n);
        for (size_t k = 0; k < row_len; k++) {
            x = x * 1103515245u + 12345u;
            row[k] = (uint8_t)(x >> 16) | 0x01; /* never 00: no event packet starts in it */
        }
        ev.n = 0;
        pos += (uint32_t)(19 + row_len + 4);
        tb_event(&ev, 100, SS_EV_WRITE_ROWS, 1, pos, 0, row, row_len, true);
        row_start[i] = b->n;
        seq = tb_event_packet(b, seq, 0x00, ev.p, ev.n);
        row_end[i] = b->n;
        ev.n = 0;
        pos += 31;
        xid_event(&ev, pos, i);
        tb_event_packet(b, seq, 0x01, ev.p, ev.n);
        seq = 1;
    }
    *end_pos = pos;
    free(row);
    tb_free(&ev);
}

static void handshake_to_dump(struct tconn *t)
{
    struct tbuf b = {0};
    tb_greeting(&b, "8.0.36", 99, CAPS_SERVER);
    send(t, SS_S2C, &b);
    tb_login(&b, CAPS_CLIENT, "repl");
    send(t, SS_C2S, &b);
    tb_ok(&b, 2);
    send(t, SS_S2C, &b);
    tb_dump(&b, 4, 2, "master-bin.000002");
    send(t, SS_C2S, &b);
    tb_free(&b);
}

/* A segment lost inside a row event of known length: the event is lost (GAP in_packet), framing
 * continues at its end without a resync, and the XID after it carries the true position. */
static void test_gap_known_length_in_dump(void **state)
{
    (void)state;
    struct tconn t;
    tconn_init(&t, false, SS_SIDE_SYN);
    handshake_to_dump(&t);
    struct tbuf b = {0};
    size_t rs[6], re[6];
    uint32_t end_pos;
    dump_with_rows(&b, 6, 5000, rs, re, &end_pos);
    size_t cut = rs[2] + 1000, len = 1448;
    uint64_t base = t.off[SS_S2C]; /* the handshake's bytes come first */
    size_t pat = 0;
    tconn_feed(&t, SS_S2C, b.p, cut, &pat);
    ss_conn_gap(t.c, SS_S2C, t.off[SS_S2C], len, 5000000, 5000);
    t.off[SS_S2C] += len;
    tconn_feed(&t, SS_S2C, b.p + cut + len, b.n - cut - len, &pat);
    assert_int_equal(rec_count(&t.rec, SS_MSG_RESYNC), 0);
    assert_int_equal(rec_count(&t.rec, SS_MSG_GAP), 1);
    assert_int_equal(rec_count(&t.rec, SS_MSG_EVENT), 2 + 6 * 3 - 1);
    const struct ss_msg *after = NULL;
    for (size_t i = 0; i < t.rec.n; i++) {
        const struct ss_msg *m = &t.rec.m[i];
        if (m->kind == SS_MSG_GAP) {
            assert_true(m->u.gap.in_packet);
            assert_int_equal(m->u.gap.len, len);
            after = &t.rec.m[i + 1];
        }
        if (m->kind == SS_MSG_EVENT)
            assert_int_equal(m->u.ev.csum, SS_CSUM_OK);
    }
    /* the next message is the XID that ended the lost row event's transaction, exact */
    assert_non_null(after);
    assert_int_equal(after->kind, SS_MSG_EVENT);
    assert_int_equal(after->u.ev.h.type, SS_EV_XID);
    assert_int_equal(after->stream_end_off, base + re[2] + 4 + 3 + 31);
    assert_int_equal(after->u.ev.end_pos, 126 + 3 * (65 + 5023 + 31));
    assert_true(after->u.ev.ack_requested);
    assert_int_equal(t.an.n[SS_AN_FRAME_GAP_IN_PACKET], 1);
    t.an.n[SS_AN_FRAME_GAP_IN_PACKET] = 0;
    no_anomalies(&t.an);
    tb_free(&b);
    tconn_free(&t);
}

/* A planted event header in row data, behind a gap that took a header: the resync has to take
 * it (its 70000-byte packet cannot be confirmed within the scan window), but once the packet
 * ends, its checksum — CRC32 is known from the FDE — says it was row data. No event is reported
 * for it, the framer is told to resync, and the stream is picked up again at a real event. */
static void test_forced_resync_on_crc(void **state)
{
    (void)state;
    struct tconn t;
    tconn_init(&t, false, SS_SIDE_SYN);
    handshake_to_dump(&t);
    struct tbuf b = {0};
    size_t rs[40], re[40];
    uint32_t end_pos;
    dump_with_rows(&b, 40, 3000, rs, re, &end_pos);
    /* the plant, 500 bytes into row event 3's body */
    uint8_t *d = b.p + rs[3] + 4 + 1 + 19 + 500;
    static const uint8_t plant[] = {
        0x70, 0x11, 0x01,       /* packet length 70000 */
        0x05,                   /* seq 5 */
        0x00,                   /* OK marker of an event packet */
        0x00, 0x00, 0x00, 0x10, /* timestamp */
        0x1e,                   /* WRITE_ROWS */
        0x01, 0x00, 0x00, 0x00, /* server id 1 */
        0x6f, 0x11, 0x01, 0x00, /* event size 69999 */
        0xa0, 0x86, 0x01, 0x00, /* log_pos 100000 */
        0x00, 0x00,             /* flags */
    };
    memcpy(d, plant, sizeof(plant));
    /* (row event 3's own CRC no longer verifies; the gap makes it lost anyway) */
    size_t cut = re[2] + 10, resume = rs[3] + 8; /* lose XID 2's end and row 3's header */
    uint64_t base = t.off[SS_S2C];
    size_t pat = 0;
    tconn_feed(&t, SS_S2C, b.p, cut, &pat);
    ss_conn_gap(t.c, SS_S2C, t.off[SS_S2C], resume - cut, 5000000, 5000);
    t.off[SS_S2C] += resume - cut;
    tconn_feed(&t, SS_S2C, b.p + resume, b.n - resume, &pat);
    assert_int_equal(t.an.n[SS_AN_FRAME_RESYNC_FORCED], 1);
    assert_int_equal(rec_count(&t.rec, SS_MSG_RESYNC), 2);
    size_t plant_end = (size_t)(d - b.p) + 4 + 70000;
    const struct ss_msg *last = NULL;
    for (size_t i = 0; i < t.rec.n; i++) {
        const struct ss_msg *m = &t.rec.m[i];
        if (m->kind != SS_MSG_EVENT)
            continue;
        assert_int_not_equal(m->u.ev.end_pos, 100000);
        assert_int_equal(m->u.ev.csum, SS_CSUM_OK);
        /* nothing reported from inside the planted packet */
        assert_true(m->stream_end_off <= base + cut || m->stream_end_off > base + plant_end);
        last = m;
    }
    assert_non_null(last);
    assert_int_equal(last->u.ev.end_pos, end_pos);
    assert_int_equal(last->stream_end_off, base + b.n);
    assert_int_equal(t.an.n[SS_AN_EVENT_CRC_MISMATCH], 1); /* the plant's, counted */
    assert_int_equal(t.an.n[SS_AN_CONN_UNEXPECTED_PACKET], 0);
    tb_free(&b);
    tconn_free(&t);
}

/* Picked up mid-stream inside a row event that holds a planted header of a 2 MB event: nothing
 * can confirm it within the scan window, but an event that much larger than any seen, at an
 * unconfirmed boundary, is refused as soon as its header is read; the scan starts again right
 * after the plant's first byte (still held) and lands on the real next event. */
static void test_forced_resync_absurd_size(void **state)
{
    (void)state;
    struct tconn t;
    tconn_init(&t, true, SS_SIDE_PORT);
    struct tbuf b = {0};
    size_t rs[8], re[8];
    uint32_t end_pos;
    dump_with_rows(&b, 8, 3000, rs, re, &end_pos);
    uint8_t *d = b.p + rs[4] + 4 + 1 + 19 + 700;
    static const uint8_t plant[] = {
        0x83, 0x84, 0x1e,       /* packet length 2000003 */
        0x05,                   /* seq 5 */
        0x00, 0xef, 0x00,       /* event packet, semisync header, no ack requested */
        0x00, 0x00, 0x00, 0x10, /* timestamp */
        0x1e,                   /* WRITE_ROWS */
        0x01, 0x00, 0x00, 0x00, /* server id 1 */
        0x80, 0x84, 0x1e, 0x00, /* event size 2000000 */
        0x00, 0x09, 0x3d, 0x00, /* log_pos 4000000 */
        0x00, 0x00,             /* flags */
    };
    memcpy(d, plant, sizeof(plant));
    size_t start = rs[4] + 100, pat = 0;
    tconn_feed(&t, SS_S2C, b.p + start, b.n - start, &pat);
    assert_int_equal(t.an.n[SS_AN_FRAME_RESYNC_FORCED], 1);
    assert_int_equal(rec_count(&t.rec, SS_MSG_RESYNC), 2);
    /* the second resync skipped from the plant to the end of row event 4 */
    size_t r2 = SIZE_MAX;
    for (size_t i = 0; i < t.rec.n; i++)
        if (t.rec.m[i].kind == SS_MSG_RESYNC)
            r2 = i;
    assert_int_equal(t.rec.m[r2].u.resync.skipped, re[4] - (size_t)(d - b.p));
    /* from there: XID 4, then pairs 5..7, all exact */
    assert_int_equal(rec_count(&t.rec, SS_MSG_EVENT), 1 + 3 * 3);
    for (size_t i = 0; i < t.rec.n; i++)
        if (t.rec.m[i].kind == SS_MSG_EVENT)
            assert_true(t.rec.m[i].u.ev.h.event_size < 5000);
    assert_int_equal(t.rec.m[r2 + 1].u.ev.h.type, SS_EV_XID);
    assert_int_equal(t.rec.m[t.rec.n - 1].u.ev.end_pos, end_pos);
    assert_true(ss_conn_info(t.c)->is_dump);
    tb_free(&b);
    tconn_free(&t);
}

/* The replica's receive window for the dump closes and reopens: one SS_MSG_TCP_WINDOW each, from
 * the client, carrying how far the server's stream had got. Nothing before the connection is a
 * dump, nothing for the other direction's window, nothing without emit_tcp_acks. */
static void test_tcp_window_dump(void **state)
{
    (void)state;
    struct tconn t;
    tconn_init(&t, false, SS_SIDE_SYN);
    ss_conn_window(t.c, SS_S2C, true, 500, 5); /* not a dump yet */
    ss_conn_window(t.c, SS_S2C, false, 600, 6);
    assert_int_equal(t.rec.n, 0);
    handshake_to_dump(&t);
    struct tbuf b = {0}, ev = {0};
    uint8_t seq = 1;
    dump_stream(&b, 2, &seq);
    send(&t, SS_S2C, &b);
    uint64_t closed_at = t.off[SS_S2C];
    size_t before = t.rec.n;
    ss_conn_window(t.c, SS_C2S, true, 900000, 900);    /* the server's window: not ours */
    assert_int_equal(t.rec.n, before);
    ss_conn_window(t.c, SS_S2C, true, 1000000, 1000);
    assert_int_equal(t.rec.n, before + 1);
    const struct ss_msg *m = &t.rec.m[before];
    assert_int_equal(m->kind, SS_MSG_TCP_WINDOW);
    assert_false(m->from_server);
    assert_true(m->u.tcp_window.zero);
    assert_int_equal(m->u.tcp_window.sent_off, closed_at);
    assert_int_equal(m->stream_end_off, closed_at);
    assert_int_equal(m->ts_ns, 1000000);
    assert_int_equal(m->frame, 1000);
    assert_int_equal(m->first_frame, 1000);
    assert_true(t.rec.info[before].is_dump);
    /* the server's data waited; it shows up after the window reopens */
    xid_event(&ev, 500, 77);
    tb_event_packet(&b, seq, 0x01, ev.p, ev.n);
    ss_conn_window(t.c, SS_S2C, false, 2000000, 2000);
    send(&t, SS_S2C, &b);
    assert_int_equal(t.rec.n, before + 3);
    assert_int_equal(t.rec.m[before + 2].kind, SS_MSG_EVENT);
    assert_true(t.rec.m[before + 2].stream_end_off > closed_at);
    m = &t.rec.m[before + 1];
    assert_int_equal(m->kind, SS_MSG_TCP_WINDOW);
    assert_false(m->from_server);
    assert_false(m->u.tcp_window.zero);
    assert_int_equal(m->u.tcp_window.sent_off, closed_at);
    assert_int_equal(m->frame, 2000);
    /* a gap counts as reached: the bytes were sent even if the capture lost them */
    ss_conn_gap(t.c, SS_S2C, t.off[SS_S2C], 100, 2100000, 2100);
    t.off[SS_S2C] += 100;
    ss_conn_window(t.c, SS_S2C, true, 2200000, 2200);
    assert_int_equal(t.rec.m[t.rec.n - 1].kind, SS_MSG_TCP_WINDOW);
    assert_int_equal(t.rec.m[t.rec.n - 1].u.tcp_window.sent_off, t.off[SS_S2C]);
    assert_int_equal(rec_count(&t.rec, SS_MSG_TCP_WINDOW), 3);
    assert_int_equal(rec_count(&t.rec, SS_MSG_EVENT), 2 + 2 * 2 + 1);

    /* the same stream with emit_tcp_acks off says nothing about windows */
    struct tconn q;
    tconn_init(&q, false, SS_SIDE_SYN);
    ss_conn_free(q.c);
    struct ss_conn_cfg off = {.emit_tcp_acks = false};
    q.c = ss_conn_new(&off, &q.flow, &q.sink, &q.an);
    assert_non_null(q.c);
    handshake_to_dump(&q);
    assert_true(ss_conn_info(q.c)->is_dump);
    ss_conn_window(q.c, SS_S2C, true, 1000, 1);
    assert_int_equal(rec_count(&q.rec, SS_MSG_TCP_WINDOW), 0);
    tb_free(&b);
    tb_free(&ev);
    tconn_free(&q);
    tconn_free(&t);
}

/* Sides guessed wrongly mid-stream: the server's direction is the flow's C2S, and that is the
 * window the message is about. */
static void test_tcp_window_role_swap(void **state)
{
    (void)state;
    struct tconn t;
    tconn_init(&t, true, SS_SIDE_GUESS);
    struct tbuf s2c = {0};
    uint8_t seq = 1;
    dump_stream(&s2c, 12, &seq);
    size_t pat = 0;
    tconn_feed(&t, SS_C2S, s2c.p + 30, s2c.n - 30, &pat);
    assert_true(ss_conn_info(t.c)->is_dump);
    size_t before = t.rec.n;
    ss_conn_window(t.c, SS_S2C, true, 1000, 1);         /* the replica's data: not the dump's */
    assert_int_equal(t.rec.n, before);
    ss_conn_window(t.c, SS_C2S, true, 2000, 2);
    assert_int_equal(t.rec.n, before + 1);
    assert_int_equal(t.rec.m[before].kind, SS_MSG_TCP_WINDOW);
    assert_false(t.rec.m[before].from_server);
    assert_true(t.rec.m[before].u.tcp_window.zero);
    assert_int_equal(t.rec.m[before].u.tcp_window.sent_off, t.off[SS_C2S]);
    tb_free(&s2c);
    tconn_free(&t);
}

/* ---- through the flow table, wired as tools/pipeline.c wires it ---- */

struct wired {
    struct ss_conn_cfg cfg;
    struct ss_msg_sink sink;
    struct ss_anomalies an;
    struct rec rec;
};

static void w_open(void *ctx, struct ss_flow *f)
{
    struct wired *w = ctx;
    f->app = ss_conn_new(&w->cfg, f, &w->sink, &w->an);
}

static void w_data(void *ctx, struct ss_flow *f, enum ss_dir dir, const uint8_t *p, size_t n,
                   uint64_t off, uint64_t ts, uint64_t frame)
{
    (void)ctx;
    ss_conn_data(f->app, dir, p, n, off, ts, frame);
}

static void w_acked(void *ctx, struct ss_flow *f, enum ss_dir dir, uint64_t off, uint64_t ts,
                    uint64_t frame)
{
    (void)ctx;
    ss_conn_acked(f->app, dir, off, ts, frame);
}

static void w_window(void *ctx, struct ss_flow *f, enum ss_dir dir, bool zero, uint64_t ts,
                     uint64_t frame)
{
    (void)ctx;
    ss_conn_window(f->app, dir, zero, ts, frame);
}

static void w_end(void *ctx, struct ss_flow *f, enum ss_end_reason why, enum ss_dir by,
                  uint64_t ts, uint64_t frame)
{
    (void)ctx;
    ss_conn_end(f->app, f, why, by, ts, frame);
    ss_conn_free(f->app);
    f->app = NULL;
}

/* One segment between the replica 10.0.0.2:40000 and the master 10.0.0.1:3306. */
static void w_seg(struct ss_flowtab *t, bool from_client, uint32_t seq, uint32_t ack,
                  uint8_t flags, uint16_t window, const struct tbuf *b, uint64_t frame)
{
    struct ss_tcp_pkt p;
    memset(&p, 0, sizeof(p));
    struct ss_endpoint cli = {.addr = {.family = 4, .b = {10, 0, 0, 2}}, .port = 40000};
    struct ss_endpoint srv = {.addr = {.family = 4, .b = {10, 0, 0, 1}}, .port = 3306};
    p.src = from_client ? cli : srv;
    p.dst = from_client ? srv : cli;
    p.ts_ns = frame * 1000;
    p.frame = frame;
    p.seq = seq;
    p.ack = ack;
    p.flags = flags;
    p.window = window;
    p.wscale = -1;
    p.payload = b ? b->p : NULL;
    p.payload_len = p.wire_payload_len = b ? (uint32_t)b->n : 0;
    p.csum_checked = true;
    ss_flowtab_packet(t, &p);
}

/* The replica stops reading its dump: zero-window acks (repeated), then a window update. The
 * flow table's window changes reach the decoder as exactly two SS_MSG_TCP_WINDOW messages. */
static void test_tcp_window_through_flow_table(void **state)
{
    (void)state;
    struct wired w;
    memset(&w, 0, sizeof(w));
    w.cfg.emit_tcp_acks = true;
    w.sink.msg = rec_msg;
    w.sink.ctx = &w.rec;
    static const struct ss_stream_ops ops = {
        .open = w_open, .data = w_data, .acked = w_acked, .window = w_window, .end = w_end,
    };
    struct ss_flow_cfg fc;
    ss_flow_cfg_defaults(&fc);
    struct ss_flowtab *t = ss_flowtab_new(&fc, &ops, &w);
    assert_non_null(t);
    const uint8_t A = SS_TCP_ACK, AP = SS_TCP_ACK | SS_TCP_PSH;
    uint32_t cs = 1001, ss = 5001; /* next sequence numbers */
    uint64_t fr = 0;
    w_seg(t, true, 1000, 0, SS_TCP_SYN, 0, NULL, ++fr);
    w_seg(t, false, 5000, cs, SS_TCP_SYN | A, 0, NULL, ++fr);
    w_seg(t, true, cs, ss, A, 65535, NULL, ++fr);
    struct tbuf b = {0};
    tb_greeting(&b, "8.0.36", 99, CAPS_SERVER);
    w_seg(t, false, ss, cs, AP, 65535, &b, ++fr);
    ss += (uint32_t)b.n;
    b.n = 0;
    tb_login(&b, CAPS_CLIENT, "repl");
    w_seg(t, true, cs, ss, AP, 65535, &b, ++fr);
    cs += (uint32_t)b.n;
    b.n = 0;
    tb_ok(&b, 2);
    w_seg(t, false, ss, cs, AP, 65535, &b, ++fr);
    ss += (uint32_t)b.n;
    b.n = 0;
    tb_dump(&b, 4, 2, "master-bin.000002");
    w_seg(t, true, cs, ss, AP, 65535, &b, ++fr);
    cs += (uint32_t)b.n;
    b.n = 0;
    uint8_t seq = 1;
    dump_stream(&b, 2, &seq);
    w_seg(t, false, ss, cs, AP, 65535, &b, ++fr);
    ss += (uint32_t)b.n;
    b.n = 0;
    uint64_t server_bytes = ss - 5001u; /* greeting, OK and the dump: the server's stream */
    /* the replica's buffer is full: it acks everything with a zero window, three times */
    uint64_t zero_frame = ++fr;
    w_seg(t, true, cs, ss, A, 0, NULL, zero_frame);
    w_seg(t, true, cs, ss, A, 0, NULL, ++fr);
    w_seg(t, true, cs - 1, ss, A, 0, NULL, ++fr); /* keepalive */
    uint64_t open_frame = ++fr;
    w_seg(t, true, cs, ss, A, 512, NULL, open_frame);
    ss_flowtab_finish(t, ++fr * 1000);
    ss_flowtab_free(t);

    size_t idx[4], n = 0;
    for (size_t i = 0; i < w.rec.n && n < 4; i++)
        if (w.rec.m[i].kind == SS_MSG_TCP_WINDOW)
            idx[n++] = i;
    assert_int_equal(n, 2);
    const struct ss_msg *z = &w.rec.m[idx[0]], *o = &w.rec.m[idx[1]];
    assert_true(z->u.tcp_window.zero);
    assert_false(z->from_server);
    assert_int_equal(z->frame, zero_frame);
    assert_int_equal(z->u.tcp_window.sent_off, server_bytes);
    assert_false(o->u.tcp_window.zero);
    assert_int_equal(o->frame, open_frame);
    assert_int_equal(o->u.tcp_window.sent_off, server_bytes);
    /* the ack of the same segment came first */
    assert_int_equal(w.rec.m[idx[0] - 1].kind, SS_MSG_TCP_ACK);
    assert_int_equal(w.rec.m[idx[0] - 1].frame, zero_frame);
    assert_int_equal(w.rec.m[idx[0] - 1].u.tcp_ack.stream_off, server_bytes);
    assert_int_equal(w.rec.m[w.rec.n - 1].kind, SS_MSG_END);
    tb_free(&b);
    rec_free(&w.rec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_greeting_mysql),
        cmocka_unit_test(test_greeting_mariadb_login_compress),
        cmocka_unit_test(test_ssl_request_tls),
        cmocka_unit_test(test_query_classify),
        cmocka_unit_test(test_command_parse),
        cmocka_unit_test(test_dump_conversation),
        cmocka_unit_test(test_err_in_dump_and_kill_only),
        cmocka_unit_test(test_role_swap_greeting),
        cmocka_unit_test(test_midstream_pickup),
        cmocka_unit_test(test_midstream_role_swap),
        cmocka_unit_test(test_gap_in_dump),
        cmocka_unit_test(test_gap_known_length_in_dump),
        cmocka_unit_test(test_forced_resync_on_crc),
        cmocka_unit_test(test_forced_resync_absurd_size),
        cmocka_unit_test(test_tcp_window_dump),
        cmocka_unit_test(test_tcp_window_role_swap),
        cmocka_unit_test(test_tcp_window_through_flow_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
