/* SPDX-License-Identifier: MIT */
/* test_report_json.c: the JSON report against its schema (through tests/scripts/validate_json.py
 * and python3-jsonschema), its contract fields, other modules' sections, hostile strings, large
 * integers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define SEMISCOPE_FIXTURE_SCENARIO
#include "analysis_fixture.h"
#include "semiscope/report.h"

#define F1 "master-bin.000001"

struct rj {
    struct ss_anomalies an;
    struct ss_analysis *a;
    struct ss_run_info ri;
    struct ss_report_input in;
};

static struct rj *rj_new(const char *file, int verbosity)
{
    struct rj *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    r->a = ss_analysis_new(NULL, &r->an);
    assert_non_null(r->a);
    fx_scenario(r->a, file);
    fx_run_info(&r->ri, &r->an);
    r->in.run = &r->ri;
    r->in.analysis = r->a;
    r->in.verbosity = verbosity;
    return r;
}

static void rj_free(struct rj *r)
{
    ss_analysis_free(r->a);
    free(r);
}

/* Validates n documents with one run of the validator; valid[i] says which passed. Returns the
 * validator's exit status (0 all valid, 1 some invalid, 77 python3-jsonschema missing). */
static int validate_many(json_t *const *docs, size_t n, bool *valid)
{
    enum { MAXDOCS = 8 };
    const char *src = getenv("SEMISCOPE_SRC");
    char paths[MAXDOCS][40], cmd[1024];
    assert_true(n >= 1 && n <= MAXDOCS);
    int len = snprintf(cmd, sizeof(cmd), "python3 '%s/tests/scripts/validate_json.py'",
                       src ? src : ".");
    for (size_t i = 0; i < n; i++) {
        snprintf(paths[i], sizeof(paths[i]), "/tmp/semiscope-report-XXXXXX");
        int fd = mkstemp(paths[i]);
        assert_true(fd >= 0);
        FILE *f = fdopen(fd, "w");
        assert_non_null(f);
        assert_int_equal(json_dumpf(docs[i], f, JSON_INDENT(1) | JSON_REAL_PRECISION(16)), 0);
        assert_int_equal(fclose(f), 0);
        len += snprintf(cmd + len, sizeof(cmd) - (size_t)len, " '%s'", paths[i]);
    }
    /* A second, dummy path makes the validator print one verdict line per file. */
    snprintf(cmd + len, sizeof(cmd) - (size_t)len, " '%s'", paths[0]);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[256];
    for (size_t i = 0; i < n; i++)
        valid[i] = false;
    while (fgets(line, sizeof(line), p))
        for (size_t i = 0; i < n; i++)
            if (strncmp(line, paths[i], strlen(paths[i])) == 0)
                valid[i] = strstr(line, ": valid") != NULL;
    int st = pclose(p);
    for (size_t i = 0; i < n; i++)
        unlink(paths[i]);
    assert_true(st != -1 && WIFEXITED(st));
    return WEXITSTATUS(st);
}

static json_t *doc_with_sections(void);
static json_t *doc_hostile(void);
static json_t *doc_large(void);
static json_t *doc_empty(void);
static json_t *doc_read_error(int64_t offset);

static json_t *path(json_t *j, const char *p)
{
    /* "masters.0.replicas.1.acks" */
    char buf[256], *save = NULL;
    snprintf(buf, sizeof(buf), "%s", p);
    for (char *t = strtok_r(buf, ".", &save); t && j; t = strtok_r(NULL, ".", &save))
        j = (*t >= '0' && *t <= '9') ? json_array_get(j, strtoul(t, NULL, 10))
                                     : json_object_get(j, t);
    assert_non_null(j);
    return j;
}

static json_int_t ival(json_t *j, const char *p)
{
    json_t *v = path(j, p);
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

static double rval(json_t *j, const char *p)
{
    json_t *v = path(j, p);
    assert_true(json_is_number(v));
    return json_number_value(v);
}

/* Every variant of the document validates: default, -v (timeline), with the other modules'
 * sections, hostile strings, huge integers, no masters. One validator run for all. */
static void test_schema_valid(void **state)
{
    (void)state;
    enum { N = 8 };
    json_t *docs[N];
    bool ok[N];
    for (int v = 0; v <= 1; v++) {
        struct rj *r = rj_new(F1, v);
        docs[v] = ss_report_json(&r->in);
        assert_non_null(docs[v]);
        assert_int_equal(json_object_get(path(docs[v], "masters.0.replicas.0"), "timeline") !=
                             NULL, v >= 1);
        rj_free(r);
    }
    docs[2] = doc_with_sections();
    docs[3] = doc_hostile();
    docs[4] = doc_large();
    docs[5] = doc_empty();
    docs[6] = doc_read_error(7957);
    docs[7] = doc_read_error(-1);
    int rc = validate_many(docs, N, ok);
    if (rc == 77) {
        fprintf(stderr, "python3-jsonschema missing: schema validation skipped\n");
        skip();
    }
    assert_int_equal(rc, 0);
    for (int i = 0; i < N; i++) {
        assert_true(ok[i]);
        json_decref(docs[i]);
    }
}

/* additionalProperties:false and the types must bite, or the validation above proves nothing. */
static void test_schema_rejects_unknown(void **state)
{
    (void)state;
    struct rj *r = rj_new(F1, 0);
    json_t *doc = ss_report_json(&r->in), *bad[3];
    for (int i = 0; i < 3; i++)
        bad[i] = json_deep_copy(doc);
    json_object_set_new(bad[0], "bogus", json_integer(1));
    json_object_set_new(path(bad[1], "masters.0.replicas.0"), "bogus", json_true());
    json_object_set_new(path(bad[2], "masters.0.replicas.0"), "acks", json_string("many"));
    bool ok[3] = { true, true, true };
    int rc = validate_many(bad, 3, ok);
    if (rc == 77)
        skip();
    assert_int_equal(rc, 1);
    assert_false(ok[0]);
    assert_false(ok[1]);
    assert_false(ok[2]);
    for (int i = 0; i < 3; i++)
        json_decref(bad[i]);
    json_decref(doc);
    rj_free(r);
}

static void test_contract_fields(void **state)
{
    (void)state;
    struct rj *r = rj_new(F1, 0);
    json_t *d = ss_report_json(&r->in);
    assert_int_equal(ival(d, "schema_version"), 1);
    assert_int_equal(ival(d, "capture.packets"), 875);
    assert_int_equal(ival(d, "capture.bytes"), 176122);
    assert_true(rval(d, "capture.first_ts") == 1795314535.333131);
    assert_true(rval(d, "capture.last_ts") == 1795314536.5);
    assert_string_equal(json_string_value(path(d, "masters.0.endpoint")), "10.0.0.1:3306");
    assert_string_equal(json_string_value(path(d, "masters.0.flavor")), "mariadb");
    assert_int_equal(ival(d, "masters.0.transactions"), 6);
    json_t *r2 = path(d, "masters.0.replicas.0"), *r3 = path(d, "masters.0.replicas.1");
    assert_string_equal(json_string_value(path(r2, "address")), "10.0.0.2");
    assert_int_equal(ival(r2, "server_id"), 2);
    assert_true(json_is_true(path(r2, "semisync")));
    assert_int_equal(ival(r2, "dump_connections"), 1);
    assert_int_equal(ival(r2, "events"), 10);
    assert_int_equal(ival(r2, "ack_requests"), 5);
    assert_int_equal(ival(r2, "acks"), 5);
    assert_int_equal(ival(r2, "ack_latency_us.count"), 5);
    assert_true(rval(r2, "ack_latency_us.min") == 250.0);
    assert_true(rval(r2, "ack_latency_us.max") == 1200.0);
    assert_true(rval(r2, "ack_latency_us.mean") == 458.0);
    double p50 = rval(r2, "ack_latency_us.p50");
    assert_true(p50 >= 280.0 * (1 - 1.0 / 256) && p50 <= 280.0 * (1 + 1.0 / 256));
    assert_int_equal(ival(r2, "network_latency_us.count"), 5);
    assert_string_equal(json_string_value(path(r2, "host")), "replica-two");
    assert_int_equal(ival(r2, "port"), 13307);
    assert_int_equal(ival(r2, "slowest_acks.0.event_frame"), 119);
    assert_int_equal(ival(r2, "slowest_acks.0.ack_frame"), 121);
    assert_int_equal(ival(r2, "slowest_acks.0.tcp_ack_frame"), 120);
    assert_int_equal(ival(r2, "slowest_acks.0.pos"), 5000);
    assert_true(rval(r2, "slowest_acks.0.latency_us") == 1200.0);
    /* Replica 3: two connections, a KILL connection, one lost and two in-flight requests. */
    assert_int_equal(ival(r3, "server_id"), 3);
    assert_int_equal(ival(r3, "dump_connections"), 2);
    assert_int_equal(ival(r3, "kill_connections"), 1);
    assert_int_equal(ival(r3, "ack_requests"), 7);
    assert_int_equal(ival(r3, "acks"), 3);
    assert_int_equal(ival(r3, "requests_unanswered"), 4);
    assert_int_equal(ival(r3, "requests_in_flight_at_end"), 2);
    /* Longest pending first: the two in flight at the end (700, 600 ms), then the lost ones. */
    assert_string_equal(json_string_value(path(r3, "unanswered.0.until")), "capture_end");
    assert_true(rval(r3, "unanswered.0.pending_us") == 700000.0);
    assert_string_equal(json_string_value(path(r3, "unanswered.2.until")), "stream_end");
    assert_true(rval(r3, "unanswered.2.pending_us") == 299990.0);
    assert_string_equal(json_string_value(path(r3, "connections.0.end")), "rst");
    assert_string_equal(json_string_value(path(r3, "connections.1.end")), "open");
    assert_true(json_is_null(path(r3, "network_latency_us")));
    assert_true(json_is_null(path(r3, "host")));
    /* Every anomaly name is present, zeros included. */
    json_t *an = path(d, "anomalies");
    assert_int_equal(json_object_size(an), SS_AN_COUNT);
    assert_int_equal(ival(an, "request_unanswered"), 4);
    assert_int_equal(ival(an, "frame_seq_jump"), 0);
    assert_true(json_array_size(path(d, "notes")) >= 3);
    json_decref(d);
    rj_free(r);
}

static json_t *state_json(const void *ctx, const struct ss_endpoint *m)
{
    (void)m;
    assert_string_equal(ctx, "state");
    return json_pack("{s:{s:s,s:s,s:[{s:f,s:s,s:s,s:s}]},s:{s:i,s:i,s:n},s:n,"
                     "s:{s:{s:i,s:s}},s:{s:i,s:[]},s:s}",
                     "semisync", "state_start", "on", "state_end", "off", "transitions", "ts",
                     1795314536.0, "to", "off", "position", "master-bin.000001:6419", "reason",
                     "waited 10 s", "counters", "yes_tx", 5, "no_tx", 1, "tx_waits",
                     "commit_wait_us", "parameters", "timeout_ms", "value", 10000, "source",
                     "default", "unprotected_transactions", "count", 0, "list", "endpoint",
                     "evil");
}

static json_t *pm_json(const void *ctx, const struct ss_endpoint *m)
{
    (void)ctx;
    (void)m;
    return json_pack("{s:[{s:s,s:i,s:i,s:s}],s:[{s:s,s:s,s:s,s:s}],s:f}", "correlation",
                     "variable", "get_ack", "wire", 8, "server", 8, "verdict", "matches",
                     "diagnosis", "severity", "info", "cause", "nothing wrong", "evidence",
                     "all acks within 2 ms", "remedy", "none", "clock_offset_s", 0.002);
}

static json_t *not_an_object(const void *ctx, const struct ss_endpoint *m)
{
    (void)ctx;
    (void)m;
    return json_string("ignored");
}

/* The report with both other modules' sections merged into the master. */
static json_t *doc_with_sections(void)
{
    struct rj *r = rj_new(F1, 0);
    r->in.state.json = state_json;
    r->in.state.ctx = "state";
    r->in.pm.json = pm_json;
    json_t *d = ss_report_json(&r->in);
    rj_free(r);
    return d;
}

static void test_sections_merged(void **state)
{
    (void)state;
    json_t *d = doc_with_sections();
    json_t *m = path(d, "masters.0");
    assert_string_equal(json_string_value(path(m, "semisync.state_end")), "off");
    assert_int_equal(ival(m, "counters.yes_tx"), 5);
    assert_string_equal(json_string_value(path(m, "diagnosis.0.cause")), "nothing wrong");
    /* Our contract fields are never overwritten by a section. */
    assert_string_equal(json_string_value(path(m, "endpoint")), "10.0.0.1:3306");
    json_decref(d);
    struct rj *r = rj_new(F1, 0);
    r->in.pm.json = not_an_object;
    d = ss_report_json(&r->in);
    assert_null(json_object_get(path(d, "masters.0"), "correlation"));
    json_decref(d);
    rj_free(r);
}

/* Wire strings are arbitrary bytes: the document stays valid UTF-8 JSON, control characters are
 * escaped by jansson, invalid bytes become the text \xNN. */
#define EVIL_FILE "\x01" "bin\xff\x1b[31m\"\\.000001"

/* Dumped and parsed back, as a consumer sees it. */
static json_t *doc_hostile(void)
{
    struct rj *r = rj_new(EVIL_FILE, 0);
    json_t *d = ss_report_json(&r->in);
    assert_non_null(d);
    char *txt = json_dumps(d, JSON_INDENT(1));
    assert_non_null(txt);
    for (const char *p = txt; *p; p++)
        assert_true((unsigned char)*p >= 0x20 || *p == '\n');
    json_error_t err;
    json_t *back = json_loads(txt, 0, &err);
    assert_non_null(back);
    free(txt);
    json_decref(d);
    rj_free(r);
    return back;
}

static void test_hostile_strings(void **state)
{
    (void)state;
    json_t *back = doc_hostile();
    assert_string_equal(json_string_value(path(back, "masters.0.replicas.0.last_ack.file")),
                        "\x01" "bin\\xff\x1b[31m\"\\.000001");
    json_decref(back);
    /* Valid UTF-8 survives untouched; overlong and surrogate encodings do not. */
    json_t *s = ss_report_json_string("caf\xc3\xa9 \xc0\xaf \xed\xa0\x80");
    assert_string_equal(json_string_value(s), "caf\xc3\xa9 \\xc0\\xaf \\xed\\xa0\\x80");
    json_decref(s);
}

static json_t *doc_large(void)
{
    struct ss_anomalies an = { 0 };
    struct ss_analysis *a = ss_analysis_new(NULL, &an);
    struct ss_conn_info c = fx_conn(1, 2, 40000, 1, 2);
    uint64_t big = (UINT64_C(1) << 40) + 5; /* a >4 GiB binlog position */
    fx_req(a, &c, T0, 1, F1, big);
    fx_ack(a, &c, T0 + MS(1), 2, F1, big);
    ss_analysis_finish(a, T0 + MS(2));
    struct ss_run_info ri;
    fx_run_info(&ri, &an);
    ri.cap.frames = UINT64_MAX;                 /* clamped, never wrapped negative */
    ri.cap.bytes = (UINT64_C(1) << 53) + 1;     /* beyond a double's exact range */
    an.n[SS_AN_FRAME_SEQ_JUMP] = UINT64_C(5000000000);
    struct ss_report_input in = { .run = &ri, .analysis = a };
    json_t *d = ss_report_json(&in);
    ss_analysis_free(a);
    return d;
}

static void test_large_integers(void **state)
{
    (void)state;
    json_t *d = doc_large();
    json_int_t big = (json_int_t)((UINT64_C(1) << 40) + 5);
    assert_int_equal(ival(d, "capture.packets"), INT64_MAX);
    assert_int_equal(ival(d, "capture.bytes"), (json_int_t)((UINT64_C(1) << 53) + 1));
    assert_int_equal(ival(d, "masters.0.replicas.0.slowest_acks.0.pos"), big);
    assert_int_equal(ival(d, "masters.0.replicas.0.last_ack.pos"), big);
    assert_int_equal(ival(d, "anomalies.frame_seq_jump"), 5000000000LL);
    char *txt = json_dumps(d, 0);
    assert_non_null(strstr(txt, "\"bytes\": 9007199254740993"));
    free(txt);
    json_decref(d);
}

static json_t *doc_empty(void)
{
    struct ss_run_info ri;
    memset(&ri, 0, sizeof(ri));
    struct ss_report_input in = { .run = &ri, .analysis = NULL };
    return ss_report_json(&in);
}

/* A file not read to its end (issue 14): capture.read_error names it; offset null when unknown. */
static json_t *doc_read_error(int64_t offset)
{
    struct rj *r = rj_new(F1, 0);
    struct ss_capture_read_error e[2] = {
        { .file = "bad\xff.pcap", .frame = 51, .offset = offset, .numbered = 50,
          .message = "invalid packet capture length 2147483647" },
        { .file = "other.pcap", .frame = 3, .offset = 100, .numbered = 70, .message = "x" },
    };
    r->ri.read_errors = e;
    r->ri.nread_errors = 2;
    json_t *d = ss_report_json(&r->in);
    rj_free(r);
    return d;
}

static void test_read_error(void **state)
{
    (void)state;
    json_t *d = doc_read_error(7957);
    assert_string_equal(json_string_value(path(d, "capture.read_error.file")), "bad\\xff.pcap");
    assert_int_equal(ival(d, "capture.read_error.frame"), 51);
    assert_int_equal(ival(d, "capture.read_error.offset"), 7957);
    assert_string_equal(json_string_value(path(d, "capture.read_error.message")),
                        "invalid packet capture length 2147483647");
    assert_int_equal(ival(d, "capture.files_not_read_to_end"), 2);
    json_decref(d);
    d = doc_read_error(-1);
    assert_true(json_is_null(path(d, "capture.read_error.offset")));
    json_decref(d);
    /* Read to the end: null and 0, always present. */
    d = doc_empty();
    assert_true(json_is_null(path(d, "capture.read_error")));
    assert_int_equal(ival(d, "capture.files_not_read_to_end"), 0);
    json_decref(d);
}

static void test_no_masters(void **state)
{
    (void)state;
    json_t *d = doc_empty();
    assert_int_equal(json_array_size(path(d, "masters")), 0);
    assert_true(json_is_null(path(d, "capture.first_ts")));
    assert_int_equal(ival(d, "anomalies.ack_unmatched"), 0);
    json_decref(d);
}

/* The writer's output parses back to the same document. */
static void test_write(void **state)
{
    (void)state;
    struct rj *r = rj_new(F1, 1);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(ss_report_json_write(f, &r->in), 0);
    fclose(f);
    assert_true(len > 100 && buf[len - 1] == '\n');
    json_error_t err;
    json_t *back = json_loads(buf, 0, &err), *direct = ss_report_json(&r->in);
    assert_non_null(back);
    assert_true(json_equal(back, direct));
    assert_non_null(strstr(buf, "\"first_ts\": 1795314535.333131,"));
    json_decref(back);
    json_decref(direct);
    free(buf);
    rj_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_valid),
        cmocka_unit_test(test_schema_rejects_unknown),
        cmocka_unit_test(test_contract_fields),
        cmocka_unit_test(test_sections_merged),
        cmocka_unit_test(test_hostile_strings),
        cmocka_unit_test(test_large_integers),
        cmocka_unit_test(test_no_masters),
        cmocka_unit_test(test_read_error),
        cmocka_unit_test(test_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
