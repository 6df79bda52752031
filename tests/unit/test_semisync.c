/* SPDX-License-Identifier: MIT */
/* test_semisync.c: the replica's ack (EF + u64 position + file name) and its odd variants, and the
 * decision where an event starts in a dump packet (00 vs 00 EF xx). */
#include "test_conn_util.h"

#include "decode/mysql_conn_priv.h"

/* An ack exactly as MariaDB 10.11 sends it (lab-notes.md): 26-byte payload, seq 0. */
static const uint8_t fx_ack_packet[] = {
    0x1a, 0x00, 0x00,                               /* payload length 26 */
    0x00,                                           /* sequence id 0 */
    0xef,                                           /* magic */
    0x6f, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* position 2671 */
    'm', 'a', 's', 't', 'e', 'r', '-', 'b', 'i', 'n', '.', '0', '0', '0', '0', '0', '1',
};

static void test_ack_fixture(void **state)
{
    (void)state;
    struct ss_anomalies an = {0};
    struct ss_ack a;
    const uint8_t *payload = fx_ack_packet + 4;
    assert_true(ss_ack_parse(payload, 26, 26, &a, &an));
    assert_true(a.well_formed);
    assert_int_equal(a.pos, 2671);
    assert_string_equal(a.file, "master-bin.000001");
    assert_int_equal(a.len, 26);
    for (size_t i = 0; i < SS_AN_COUNT; i++)
        assert_int_equal(an.n[i], 0);
    /* The resync test in binlog_header.c agrees. */
    assert_true(ss_semisync_ack_plausible(payload, 26, 26));
}

static void test_ack_variants(void **state)
{
    (void)state;
    struct ss_anomalies an = {0};
    struct ss_ack a;
    /* Shorter than EF + position: malformed. */
    static const uint8_t shortp[] = {0xef, 0x01, 0x02, 0x03};
    assert_false(ss_ack_parse(shortp, sizeof(shortp), sizeof(shortp), &a, &an));
    assert_false(a.well_formed);
    assert_int_equal(an.n[SS_AN_ACK_MALFORMED], 1);
    /* Wrong magic. */
    static const uint8_t magic[] = {0xee, 4, 0, 0, 0, 0, 0, 0, 0, 'f'};
    assert_false(ss_ack_parse(magic, sizeof(magic), sizeof(magic), &a, &an));
    assert_int_equal(an.n[SS_AN_ACK_MALFORMED], 2);
    /* No file name (position only): kept as an unknown variant with its position. */
    static const uint8_t noname[] = {0xef, 0x10, 0x27, 0, 0, 0, 0, 0, 0};
    assert_false(ss_ack_parse(noname, sizeof(noname), sizeof(noname), &a, &an));
    assert_int_equal(a.pos, 10000);
    assert_int_equal(an.n[SS_AN_ACK_UNKNOWN_VARIANT], 1);
    /* Binary after the position (a GTID-style ack: domain, server, seq): unknown variant, the
     * bytes shown as dots. */
    static const uint8_t gtid[] = {0xef, 0x10, 0x27, 0, 0, 0, 0, 0, 0,
                                   0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00};
    assert_false(ss_ack_parse(gtid, sizeof(gtid), sizeof(gtid), &a, &an));
    assert_int_equal(an.n[SS_AN_ACK_UNKNOWN_VARIANT], 2);
    assert_string_equal(a.file, "........");
    /* A 600-byte name: longer than FN_REFLEN, and longer than we keep. */
    uint8_t longname[9 + 600];
    memset(longname, 'a', sizeof(longname));
    longname[0] = 0xef;
    assert_false(ss_ack_parse(longname, sizeof(longname), sizeof(longname), &a, &an));
    assert_int_equal(an.n[SS_AN_ACK_UNKNOWN_VARIANT], 3);
    assert_int_equal(an.n[SS_AN_FILENAME_TRUNCATED], 1);
    assert_int_equal(strlen(a.file), SS_FILE_MAX - 1);
}

/* 00 EF 00 + a 19-byte header announcing `size`. */
static void lead(uint8_t *p, bool semisync, uint32_t size, uint32_t ts)
{
    size_t o = 0;
    p[o++] = 0x00;
    if (semisync) {
        p[o++] = 0xef;
        p[o++] = 0x00;
    }
    memset(p + o, 0, 19);
    memcpy(p + o, &ts, 4);
    p[o + 4] = SS_EV_XID;
    p[o + 9] = (uint8_t)size;
    p[o + 10] = (uint8_t)(size >> 8);
}

static void test_event_offset(void **state)
{
    (void)state;
    uint8_t p[SS_EV_LEAD + 3];
    bool ok;
    /* With the header: EF at [1], size = total − 3. */
    lead(p, true, 31, 0x65000000);
    assert_int_equal(ss_semisync_event_offset(p, SS_EV_LEAD, 34, -1, &ok), 3);
    assert_true(ok);
    /* Without: size = total − 1. */
    lead(p, false, 31, 0x65000000);
    assert_int_equal(ss_semisync_event_offset(p, SS_EV_LEAD, 32, -1, &ok), 1);
    assert_true(ok);
    /* A timestamp whose low byte is 0xEF on a stream without the header: the size decides. */
    lead(p, false, 31, 0x650000ef);
    assert_int_equal(p[1], 0xef);
    assert_int_equal(ss_semisync_event_offset(p, SS_EV_LEAD, 32, -1, &ok), 1);
    assert_true(ok);
    /* Length not known yet (continued past 16 MiB): the stream's mode decides. */
    lead(p, true, 31, 0);
    assert_int_equal(ss_semisync_event_offset(p, SS_EV_LEAD, 0, 1, &ok), 3);
    assert_false(ok);
    lead(p, false, 31, 0x650000ef);
    assert_int_equal(ss_semisync_event_offset(p, SS_EV_LEAD, 0, 0, &ok), 1);
    /* Nothing fits: a size mismatch, reported as such. */
    lead(p, true, 31, 0);
    assert_int_equal(ss_semisync_event_offset(p, SS_EV_LEAD, 99, 1, &ok), 3);
    assert_false(ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ack_fixture),
        cmocka_unit_test(test_ack_variants),
        cmocka_unit_test(test_event_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
