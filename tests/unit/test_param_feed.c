/* SPDX-License-Identifier: MIT */
/* test_param_feed.c: the server's parameter variables reach the state machine in packet time
 * (issue 10): the sample nearest the capture start gives the initial values, a SET GLOBAL in the
 * middle of the capture takes effect from its sample on, and a live run (samples polled as the
 * packets go by) and a replay of its record (--record-status fed back as --status) give the same
 * report. Drives ss_status_samples_params_due exactly as tools/pipeline.c does: before every
 * packet, with the packet's time. */
#include "semistate_story.h"

#include "semiscope/status_samples.h"

/* A variables sample, as the poller records it (microseconds) and as it adds it. */
struct row {
    uint64_t ts;
    const char *name, *value;
};

/* The master's variables: the first poll before the capture, then SET GLOBAL
 * rpl_semi_sync_master_timeout=1500 at T0 + 100 ms, then one after the end of the input. */
static const struct row rows[] = {
    {T0 - 700 * MS, "rpl_semi_sync_master_enabled", "ON"},
    {T0 - 700 * MS, "rpl_semi_sync_master_timeout", "10000"},
    {T0 - 700 * MS, "rpl_semi_sync_master_wait_no_slave", "ON"},
    {T0 - 700 * MS, "rpl_semi_sync_master_wait_point", "AFTER_SYNC"},
    {T0 - 700 * MS, "Rpl_semi_sync_master_status", "ON"},
    {T0 + 100 * MS, "rpl_semi_sync_master_timeout", "1500"},
    {T0 + 100 * MS, "Rpl_semi_sync_master_status", "ON"},
    {T0 + 60 * SEC, "rpl_semi_sync_master_timeout", "777"},
};

/* One run: the state machine fed by a story, the parameters fed before each step. live: the rows
 * are added to the samples only when packet time reaches them (the poller's queue drained between
 * packets), and written out in the record format; otherwise `samples` is loaded already. */
struct drv {
    struct story st;
    struct ss_status_samples *sv;
    struct ss_sv_param_cursor cur;
    bool live;
    size_t next_row;
    char record[2048];
    size_t rec_len;
};

static void params_cb(void *ctx, const struct ss_semi_params *p, int64_t ts_ns)
{
    ss_semistate_params_at(ctx, p, ts_ns > 0 ? (uint64_t)ts_ns : 0);
}

/* Packet time t is about to be analysed. */
static void at(struct drv *d, uint64_t t)
{
    while (d->live && d->next_row < SS_ARRAY_LEN(rows) && rows[d->next_row].ts <= t) {
        const struct row *r = &rows[d->next_row++];
        assert_true(ss_status_samples_add(d->sv, (int64_t)r->ts, r->name, r->value));
        int n = snprintf(d->record + d->rec_len, sizeof(d->record) - d->rec_len,
                         "%llu.%06llu\t%s\t%s\n", (unsigned long long)(r->ts / SEC),
                         (unsigned long long)(r->ts % SEC / US), r->name, r->value);
        assert_true(n > 0 && (size_t)n < sizeof(d->record) - d->rec_len);
        d->rec_len += (size_t)n;
    }
    ss_status_samples_params_due(d->sv, &d->cur, (int64_t)t, params_cb, d->st.s);
}

/* The story: two semisync replicas ack three transactions, then a fourth waits with no ack; the
 * replicas stay connected. Returns the report's master object (the caller owns it). */
static json_t *run_story(struct drv *d, uint64_t *t_wait)
{
    story_init(&d->st, NULL);
    conn_init(&d->st, 0, true, true);
    conn_init(&d->st, 1, true, true);
    at(d, T0);
    dump_start(&d->st, 0, T0, 4);
    dump_start(&d->st, 1, T0, 4);
    uint64_t t = T0 + 10 * MS;
    for (int k = 0; k < 3; k++) {
        at(d, t);
        t = steady(&d->st, t, 1);
    }
    t = T0 + 500 * MS; /* after the SET GLOBAL */
    uint64_t end = d->st.trx_pos += 300;
    at(d, t);
    trx_on(&d->st, 0, t, end, true);
    trx_on(&d->st, 1, t, end, true);
    *t_wait = t;
    for (uint64_t k = 1; k <= 40; k++) { /* TCP acks every 100 ms up to 4 s */
        at(d, t + k * 100 * MS);
        tick(&d->st, 0, t + k * 100 * MS);
    }
    at(d, t + 4 * SEC); /* the end of the input: the 777 after it is never handed over */
    ss_semistate_finish(d->st.s, t + 4 * SEC);
    return ss_semistate_master_json(d->st.s, &d->st.master);
}

static const char *src_of(json_t *m, const char *param)
{
    json_t *p = json_object_get(json_object_get(m, "parameters"), param);
    return json_string_value(json_object_get(p, "source"));
}

static int64_t int_of(json_t *m, const char *param)
{
    json_t *p = json_object_get(json_object_get(m, "parameters"), param);
    return json_integer_value(json_object_get(p, "value"));
}

/* Live: the new timeout applies from its sample on: the waiting commit times out after 1.5 s,
 * not 10 s, and the parameters say so with source "file". Then the record, read back as a
 * status file, gives the same report. */
static void test_live_then_record(void **state)
{
    (void)state;
    struct drv live = {.live = true};
    live.sv = ss_status_samples_new(NULL);
    assert_non_null(live.sv);
    uint64_t tw;
    json_t *a = run_story(&live, &tw);
    assert_non_null(a);
    assert_int_equal(int_of(a, "timeout_ms"), 1500);
    assert_string_equal(src_of(a, "timeout_ms"), "file");
    assert_string_equal(src_of(a, "enabled"), "file");
    assert_string_equal(src_of(a, "wait_point"), "file");
    assert_string_equal(src_of(a, "wait_count"), "default");
    size_t n;
    const struct ss_semi_transition *tr = transitions(&live.st, &n);
    assert_int_equal(n, 1);
    assert_int_equal(tr[0].to, SS_SEMI_OFF);
    assert_int_equal(tr[0].ts_ns, tw + 1500 * MS);
    assert_non_null(strstr(tr[0].reason, "waited 1.50 s with no ack"));

    /* the record fed back as --status */
    struct drv replay = {.live = false};
    replay.sv = ss_status_samples_new(NULL);
    assert_non_null(replay.sv);
    ss_status_samples_line(replay.sv, "# semiscope status record", 25);
    const char *p = live.record;
    while (*p) {
        const char *nl = strchr(p, '\n');
        ss_status_samples_line(replay.sv, p, (size_t)(nl - p));
        p = nl + 1;
    }
    assert_int_equal(replay.sv->bad_lines, 0);
    json_t *b = run_story(&replay, &tw);
    assert_non_null(b);
    assert_true(json_equal(a, b));
    char *sa = json_dumps(a, JSON_SORT_KEYS), *sb = json_dumps(b, JSON_SORT_KEYS);
    assert_string_equal(sa, sb);
    free(sa);
    free(sb);
    json_decref(a);
    json_decref(b);
    story_free(&live.st);
    story_free(&replay.st);
    ss_status_samples_free(live.sv);
    ss_status_samples_free(replay.sv);
}

/* What the old code did — the file's first sample for the whole capture — is what a file without
 * the SET GLOBAL gives: the commit never times out within the input (10 s). */
static void test_first_sample_only(void **state)
{
    (void)state;
    struct drv d = {.live = false};
    d.sv = ss_status_samples_new(NULL);
    assert_non_null(d.sv);
    for (size_t i = 0; i < 5; i++)
        assert_true(ss_status_samples_add(d.sv, (int64_t)rows[i].ts, rows[i].name,
                                           rows[i].value));
    uint64_t tw;
    json_t *m = run_story(&d, &tw);
    assert_int_equal(int_of(m, "timeout_ms"), 10000);
    assert_string_equal(src_of(m, "timeout_ms"), "file");
    size_t n;
    transitions(&d.st, &n);
    assert_int_equal(n, 0);
    json_decref(m);
    story_free(&d.st);
    ss_status_samples_free(d.sv);
}

/* An option is never replaced by the server's value. */
static void test_option_wins(void **state)
{
    (void)state;
    struct ss_semi_params p;
    ss_semi_params_defaults(&p);
    p.timeout_ms = 3000;
    p.src_timeout = SS_PARAM_OPTION;
    struct drv d = {.live = false};
    d.sv = ss_status_samples_new(NULL);
    for (size_t i = 0; i < SS_ARRAY_LEN(rows); i++)
        ss_status_samples_add(d.sv, (int64_t)rows[i].ts, rows[i].name, rows[i].value);
    story_init(&d.st, &p);
    conn_init(&d.st, 0, true, true);
    at(&d, T0);
    dump_start(&d.st, 0, T0, 4);
    at(&d, T0 + 5 * SEC);
    tick(&d.st, 0, T0 + 5 * SEC);
    ss_semistate_finish(d.st.s, T0 + 5 * SEC);
    const struct ss_semi_params *q = ss_semistate_params(d.st.s, &d.st.master);
    assert_non_null(q);
    assert_int_equal(q->timeout_ms, 3000);
    assert_int_equal(q->src_timeout, SS_PARAM_OPTION);
    assert_int_equal(q->src_enabled, SS_PARAM_FILE);
    story_free(&d.st);
    ss_status_samples_free(d.sv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_live_then_record),
        cmocka_unit_test(test_first_sample_only),
        cmocka_unit_test(test_option_wins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
