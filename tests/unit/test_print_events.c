/* SPDX-License-Identifier: MIT */
/* test_print_events.c: the `--events` output (tools/print_events.c) for a short semisync dump
 * conversation — every JSON line parses and carries the documented fields (docs/events.md), and
 * the text lines read as documented. */
#include "test_conn_util.h"

#include <jansson.h>

#include "tools/print_events.c"

static void conversation(struct tconn *t)
{
    struct tbuf b = {0}, ev = {0};
    size_t pat = 0;
    tb_greeting(&b, "5.5.5-10.11.6-MariaDB-log", 31, 0x81bff7ffu);
    tconn_feed(t, SS_S2C, b.p, b.n, &pat);
    b.n = 0;
    tb_login(&b, 0x000ea285u, "repl");
    tconn_feed(t, SS_C2S, b.p, b.n, &pat);
    b.n = 0;
    tb_ok(&b, 2);
    tconn_feed(t, SS_S2C, b.p, b.n, &pat);
    b.n = 0;
    tb_query(&b, "SET @rpl_semi_sync_slave= 1");
    tconn_feed(t, SS_C2S, b.p, b.n, &pat);
    b.n = 0;
    tb_ok(&b, 1);
    tconn_feed(t, SS_S2C, b.p, b.n, &pat);
    b.n = 0;
    tb_dump(&b, 4, 2, "master-bin.000001");
    tconn_feed(t, SS_C2S, b.p, b.n, &pat);
    b.n = 0;
    struct tbuf body = {0};
    tb_le(&body, 4, 8);
    tb_str(&body, "master-bin.000001");
    tb_event(&ev, 0, SS_EV_ROTATE, 1, 0, 0x20, body.p, body.n, true);
    uint8_t seq = tb_event_packet(&b, 1, 0x00, ev.p, ev.n);
    ev.n = 0;
    static const uint8_t xid[] = {0x2a, 0, 0, 0, 0, 0, 0, 0};
    tb_event(&ev, 1700000000, SS_EV_XID, 1, 2671, 0, xid, sizeof(xid), true);
    tb_event_packet(&b, seq, 0x01, ev.p, ev.n);
    tconn_feed(t, SS_S2C, b.p, b.n, &pat);
    b.n = 0;
    tb_ack(&b, 2671, "master-bin.000001");
    tconn_feed(t, SS_C2S, b.p, b.n, &pat);
    ss_conn_end(t->c, &t->flow, SS_END_RST, SS_S2C, 9000000000ULL, 9000);
    tb_free(&b);
    tb_free(&ev);
    tb_free(&body);
}

static json_t *line_json(const struct ss_msg *m)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    ss_print_event_json(f, m);
    fclose(f);
    assert_true(len > 0 && buf[len - 1] == '\n');
    assert_null(memchr(buf, '\n', len - 1)); /* one line */
    json_error_t err;
    json_t *o = json_loads(buf, 0, &err);
    if (!o)
        fail_msg("bad JSON %s: %s", buf, err.text);
    free(buf);
    return o;
}

static const json_t *field(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    if (!v)
        fail_msg("missing field %s", k);
    return v;
}

static void test_json_lines(void **state)
{
    (void)state;
    struct tconn t;
    tconn_init(&t, false, SS_SIDE_SYN);
    conversation(&t);
    size_t events = 0, acks = 0, commands = 0;
    for (size_t i = 0; i < t.rec.n; i++) {
        struct ss_msg m = t.rec.m[i];
        m.conn = &t.rec.info[i];
        json_t *o = line_json(&m);
        assert_true(json_is_real(field(o, "ts")));
        assert_true(json_is_integer(field(o, "frame")));
        const char *src = json_string_value(field(o, "src"));
        const char *dst = json_string_value(field(o, "dst"));
        assert_string_equal(json_string_value(field(o, "kind")), ss_msg_kind_name(m.kind));
        if (m.from_server) {
            assert_string_equal(src, "10.0.0.1:3306");
            assert_string_equal(dst, "10.0.0.2:40000");
        } else {
            assert_string_equal(src, "10.0.0.2:40000");
            assert_string_equal(dst, "10.0.0.1:3306");
        }
        if (m.kind == SS_MSG_EVENT) {
            events++;
            assert_true(json_is_integer(field(o, "event_type")));
            assert_true(json_is_string(field(o, "event_name")));
            assert_true(json_is_integer(field(o, "log_pos")));
            assert_true(json_is_integer(field(o, "size")));
            assert_true(json_is_boolean(field(o, "ack_requested")));
            assert_true(json_is_integer(field(o, "semisync_flags")));
            assert_string_equal(json_string_value(field(o, "file")), "master-bin.000001");
            assert_string_equal(json_string_value(field(o, "checksum")), "ok");
            if (m.u.ev.h.type == SS_EV_XID) {
                assert_true(json_is_true(field(o, "ack_requested")));
                assert_int_equal(json_integer_value(field(o, "log_pos")), 2671);
                assert_int_equal(json_integer_value(field(o, "size")), 31);
                assert_string_equal(json_string_value(field(o, "event_name")), "XID");
                assert_int_equal(json_integer_value(field(o, "event_type")), 16);
                assert_int_equal(json_integer_value(field(o, "xid")), 42);
                assert_string_equal(json_string_value(field(o, "trx")), "end");
            }
        }
        if (m.kind == SS_MSG_ACK) {
            acks++;
            assert_string_equal(json_string_value(field(o, "file")), "master-bin.000001");
            assert_int_equal(json_integer_value(field(o, "pos")), 2671);
        }
        if (m.kind == SS_MSG_COMMAND) {
            commands++;
            const char *name = json_string_value(field(o, "command"));
            if (strcmp(name, "COM_BINLOG_DUMP") == 0) {
                assert_int_equal(json_integer_value(field(o, "server_id")), 2);
                assert_int_equal(json_integer_value(field(o, "pos")), 4);
                assert_string_equal(json_string_value(field(o, "file")), "master-bin.000001");
            } else {
                assert_string_equal(name, "COM_QUERY");
                assert_string_equal(json_string_value(field(o, "query")),
                                    "SET @rpl_semi_sync_slave= 1");
                assert_string_equal(json_string_value(field(o, "query_kind")), "set_semisync");
                assert_int_equal(json_integer_value(field(o, "value")), 1);
            }
        }
        if (m.kind == SS_MSG_GREETING)
            assert_string_equal(json_string_value(field(o, "flavor")), "mariadb");
        if (m.kind == SS_MSG_END) {
            assert_string_equal(json_string_value(field(o, "reason")), "rst");
            assert_string_equal(json_string_value(field(o, "by")), "server");
            assert_true(json_real_value(field(o, "ts")) == 9.0);
        }
        json_decref(o);
    }
    assert_int_equal(events, 2);
    assert_int_equal(acks, 1);
    assert_int_equal(commands, 2);
    tconn_free(&t);
}

static void test_no_header_is_null(void **state)
{
    (void)state;
    struct ss_conn_info info;
    memset(&info, 0, sizeof(info));
    struct ss_msg m;
    memset(&m, 0, sizeof(m));
    m.kind = SS_MSG_EVENT;
    m.conn = &info;
    m.from_server = true;
    m.u.ev.semisync_flags = -1;
    m.u.ev.h.type = SS_EV_XID;
    json_t *o = line_json(&m);
    assert_true(json_is_null(field(o, "ack_requested")));
    assert_true(json_is_null(field(o, "semisync_flags")));
    json_decref(o);
}

static void test_text_lines(void **state)
{
    (void)state;
    struct tconn t;
    tconn_init(&t, false, SS_SIDE_SYN);
    conversation(&t);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    for (size_t i = 0; i < t.rec.n; i++) {
        struct ss_msg m = t.rec.m[i];
        m.conn = &t.rec.info[i];
        ss_print_event_text(f, &m);
    }
    fclose(f);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += buf[i] == '\n';
    assert_int_equal(lines, t.rec.n);
    assert_non_null(strstr(buf, "10.0.0.1:3306 > 10.0.0.2:40000 greeting mariadb "
                                "\"10.11.6-MariaDB-log\" thread_id=31"));
    assert_non_null(strstr(buf, "10.0.0.2:40000 > 10.0.0.1:3306 command COM_QUERY set_semisync "
                                "value=1 \"SET @rpl_semi_sync_slave= 1\""));
    assert_non_null(strstr(buf, "event XID pos=master-bin.000001:2671 log_pos=2671 size=31 "
                                "server_id=1 semisync=0x01 ack_requested csum=ok trx=end xid=42"));
    assert_non_null(strstr(buf, "ack pos=master-bin.000001:2671\n"));
    assert_non_null(strstr(buf, "1970-01-01 00:00:09.000000000 #9000 10.0.0.1:3306 > "
                                "10.0.0.2:40000 end rst by server\n"));
    free(buf);
    tconn_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_lines),
        cmocka_unit_test(test_no_header_is_null),
        cmocka_unit_test(test_text_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
