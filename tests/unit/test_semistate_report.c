/* SPDX-License-Identifier: MIT */
/* test_semistate_report.c: semistate counting rules (MySQL flush groups, AFTER_SYNC vs
 * AFTER_COMMIT), the bounded unprotected list and pending table, the text/JSON sections and the
 * API's edges — synthetic ss_msg stories as in test_semistate.c. */
#include "semistate_story.h"

/* MySQL flush groups: only the group's last end is flagged; one ack releases the group.
 * AFTER_SYNC counts the group once, AFTER_COMMIT every transaction. */
static void group_story(int after_sync, int64_t want_yes)
{
    struct ss_semi_params p;
    ss_semi_params_defaults(&p);
    p.wait_point_after_sync = after_sync;
    p.src_wait_point = SS_PARAM_FILE;
    struct story st;
    story_init(&st, &p);
    conn_init(&st, 0, true, true);
    st.r[0].ci.flavor = SS_FLAVOR_MYSQL;
    dump_start(&st, 0, T0, 4);
    /* one flagged, acked transaction first: ON is established before the groups */
    uint64_t w = st.trx_pos += 300;
    event(&st, 0, T0 + 5 * MS, SS_EV_XID, w, SS_TRX_END, true, (uint32_t)(T0 / SEC));
    ack(&st, 0, T0 + 5 * MS + 300 * US, w);
    uint64_t t = T0 + 10 * MS;
    for (int g = 0; g < 2; g++) {
        uint64_t a = st.trx_pos += 300, b = st.trx_pos += 300, c = st.trx_pos += 300;
        event(&st, 0, t, SS_EV_XID, a, SS_TRX_END, false, (uint32_t)(t / SEC));
        event(&st, 0, t + 5 * US, SS_EV_XID, b, SS_TRX_END, false, (uint32_t)(t / SEC));
        event(&st, 0, t + 10 * US, SS_EV_XID, c, SS_TRX_END, true, (uint32_t)(t / SEC));
        ack(&st, 0, t + 300 * US, c);
        t += 10 * MS;
    }
    ss_semistate_finish(st.s, t + 100 * MS);
    const struct ss_semi_counters *k = counters(&st);
    assert_int_equal(k->yes_tx, want_yes);
    assert_int_equal(k->tx_waits, want_yes);
    assert_int_equal(k->no_tx, 0);
    assert_int_equal(k->request_ack, -1);
    assert_states(&st, SS_SEMI_ON, SS_SEMI_ON);
    story_free(&st);
}

static void test_group_after_sync(void **state)
{
    (void)state;
    group_story(1, 1 + 2);
}

static void test_group_after_commit(void **state)
{
    (void)state;
    group_story(0, 1 + 6);
}

/* 120 transactions committed while OFF (replica lagging far behind, never catching up): all
 * counted, 100 listed with their GTIDs, in order. */
static void test_unprotected_list(void **state)
{
    (void)state;
    struct ss_semi_params p;
    ss_semi_params_defaults(&p);
    p.timeout_ms = 1000;
    struct story st;
    story_init(&st, &p);
    conn_init(&st, 0, true, true);
    dump_start(&st, 0, T0, 4);
    trx_on(&st, 0, T0, st.trx_pos += 300, true);
    st.gno++;
    tick(&st, 0, T0 + 1100 * MS); /* OFF */
    uint64_t t = T0 + 1200 * MS;
    for (int k = 0; k < 120; k++) {
        trx_on(&st, 0, t, st.trx_pos += 300, false);
        st.gno++;
        t += MS;
    }
    json_t *j = ss_semistate_master_json(st.s, &st.master);
    json_t *u = json_object_get(j, "unprotected_transactions");
    assert_int_equal(json_integer_value(json_object_get(u, "count")), 121);
    json_t *l = json_object_get(u, "list");
    assert_int_equal(json_array_size(l), 100);
    assert_string_equal(json_string_value(json_object_get(json_array_get(l, 1), "gtid")),
                        "0-1-2");
    assert_string_equal(json_string_value(json_object_get(json_array_get(l, 99), "gtid")),
                        "0-1-100");
    assert_int_equal(counters(&st)->no_tx, 121);
    json_decref(j);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ss_semistate_master_text(f, st.s, &st.master, 0);
    fclose(f);
    assert_non_null(strstr(buf, "OFF at "));
    assert_non_null(strstr(buf, "Unprotected transactions (committed without a replica's ack): "
                                "121"));
    assert_non_null(strstr(buf, "0-1-2 "));
    assert_non_null(strstr(buf, "111 more"));
    free(buf);
    story_free(&st);
}

/* The pending table is capped: flagged ends with a huge timeout and no acks. */
static void test_pending_cap(void **state)
{
    (void)state;
    struct ss_semi_params p;
    ss_semi_params_defaults(&p);
    p.timeout_ms = 100000000;
    struct story st;
    story_init(&st, &p);
    conn_init(&st, 0, true, true);
    dump_start(&st, 0, T0, 4);
    uint64_t t = T0 + MS;
    for (int k = 0; k < 5000; k++) {
        event(&st, 0, t, SS_EV_XID, st.trx_pos += 300, SS_TRX_END, true, (uint32_t)(t / SEC));
        t += 10 * US;
    }
    assert_int_equal(st.an.n[SS_AN_PENDING_CAP_HIT], 5000 - 4096);
    json_t *j = ss_semistate_master_json(st.s, &st.master);
    json_t *tx = json_object_get(json_object_get(j, "semisync"), "transactions");
    assert_int_equal(json_integer_value(json_object_get(tx, "pending_dropped")), 5000 - 4096);
    assert_int_equal(json_integer_value(json_object_get(tx, "pending_at_end")), 4096);
    json_decref(j);
    story_free(&st);
}

/* Unknown masters, NULLs and names. */
static void test_api_edges(void **state)
{
    (void)state;
    struct story st;
    story_init(&st, NULL);
    struct ss_endpoint other;
    endpoint(&other, 99, 3306);
    assert_null(ss_semistate_master_json(st.s, &other));
    assert_null(ss_semistate_counters(st.s, &other));
    size_t n = 7;
    assert_null(ss_semistate_transitions(st.s, &other, &n));
    assert_int_equal(n, 0);
    assert_int_equal(ss_semistate_n_masters(st.s), 0);
    ss_semistate_msg(st.s, NULL);
    ss_semistate_finish(NULL, 0);
    ss_semistate_free(NULL);
    assert_string_equal(ss_semi_state_name(SS_SEMI_DISABLED), "disabled");
    assert_string_equal(ss_param_source_name(SS_PARAM_FILE), "file");
    conn_init(&st, 0, true, true);
    st.r[0].ci.is_kill_only = true;
    st.r[0].ci.is_dump = false;
    dump_start(&st, 0, T0, 4);
    assert_int_equal(ss_semistate_n_masters(st.s), 0);
    story_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_after_sync),
        cmocka_unit_test(test_group_after_commit),
        cmocka_unit_test(test_unprotected_list),
        cmocka_unit_test(test_pending_cap),
        cmocka_unit_test(test_api_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
