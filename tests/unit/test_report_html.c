/* SPDX-License-Identifier: MIT */
/* test_report_html.c: the HTML report rendered from hand-built JSON report documents: structure,
 * content (addresses, transition reasons, diagnosis), escaping of hostile strings, no external
 * resource, determinism, tolerance of a minimal or mistyped document, decimation; plus the SVG and
 * escaping helpers on their own. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/report_html_priv.h"
#include "semiscope/report_html.h"

#define T0 1795314811.0 /* 2026-11-22T02:33:31Z */

/* ---- document builders ---- */

static json_t *dist(double p50, double p99, double max)
{
    return json_pack("{s:i,s:f,s:f,s:f,s:f,s:f,s:f,s:f}", "count", 40, "min", p50 / 2, "mean",
                     p50 * 1.1, "p50", p50, "p90", (p50 + p99) / 2, "p99", p99, "p999", max * 0.9,
                     "max", max);
}

/* n intervals of 1 s from T0 + first; every `gap_every`-th interval is missing (no activity). */
static json_t *timeline(size_t n, double first, double base_us, size_t gap_every)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        if (gap_every && i % gap_every == gap_every - 1)
            continue;
        double p50 = base_us * (1 + (double)(i % 7) / 10);
        json_array_append_new(arr, json_pack("{s:f,s:i,s:i,s:i,s:f,s:f,s:f}", "start_ts",
                                             T0 + first + (double)i, "requests", 3 + (int)(i % 4),
                                             "acks", 3 + (int)(i % 3), "samples", 3, "p50_us", p50,
                                             "p99_us", p50 * 3, "max_us", p50 * 5));
    }
    return json_pack("{s:f,s:i,s:o}", "interval_s", 1.0, "dropped", 0, "intervals", arr);
}

static json_t *sample(double lat, const char *file, int pos, int evf, double ts)
{
    return json_pack("{s:f,s:s,s:i,s:i,s:f,s:i,s:f,s:n,s:n,s:i}", "latency_us", lat, "file", file,
                     "pos", pos, "event_frame", evf, "event_ts", ts, "ack_frame", evf + 1,
                     "ack_ts", ts + lat / 1e6, "tcp_ack_frame", "tcp_ack_ts", "flow_id", 1);
}

static json_t *replica(const char *addr, json_t *server_id, json_t *semi, json_t *tl,
                       json_t *slowest, json_t *unanswered)
{
    json_t *r = json_pack("{s:s,s:o,s:o,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:o,s:o,s:o,s:o}", "address",
                          addr, "server_id", server_id, "semisync", semi, "dump_connections", 2,
                          "events", 120, "ack_requests", 82, "acks", 80, "acks_unmatched", 1,
                          "requests_unanswered", (int)json_array_size(unanswered),
                          "requests_in_flight_at_end", 0, "ack_latency_us",
                          dist(250, 1200, 9500), "slowest_acks", slowest, "unanswered",
                          unanswered, "connections",
                          json_pack("[{s:i,s:s,s:b,s:f,s:f,s:i,s:i,s:s},"
                                    "{s:i,s:s,s:b,s:f,s:f,s:i,s:i,s:s}]",
                                    "flow_id", 1, "client", "x", "semisync", 1, "first_ts", T0,
                                    "last_ts", T0 + 20, "first_frame", 1, "last_frame", 400,
                                    "end", "rst", "flow_id", 2, "client", "y", "semisync", 1,
                                    "first_ts", T0 + 25, "last_ts", T0 + 60, "first_frame", 500,
                                    "last_frame", 900, "end", "capture"));
    if (tl)
        json_object_set_new(r, "timeline", tl);
    json_object_set_new(r, "first_ts", json_real(T0));
    json_object_set_new(r, "last_ts", json_real(T0 + 60));
    json_object_set_new(r, "last_ack",
                        json_pack("{s:f,s:i,s:s,s:i}", "ts", T0 + 59, "frame", 899, "file",
                                  "master-bin.000001", "pos", 9999));
    return r;
}

static json_t *master0(void)
{
    json_t *reps = json_array();
    json_array_append_new(
        reps, replica("10.0.0.2", json_integer(2), json_true(), timeline(60, 0, 300, 0),
                      json_pack("[o,o]", sample(3000, "master-bin.000001", 1000, 101, T0 + 5),
                                sample(1500, "master-bin.000001", 2000, 201, T0 + 9)),
                      json_pack("[{s:f,s:s,s:i,s:i,s:f,s:s,s:f,s:i}]", "pending_us", 1.5e6,
                                "file", "bin<img src=x onerror=alert(1)>.000002", "pos", 4,
                                "event_frame", 555, "event_ts", T0 + 21, "until", "stream_end",
                                "end_ts", T0 + 22.5, "flow_id", 1)));
    json_array_append_new(
        reps, replica("10.0.0.3", json_null(), json_null(), timeline(60, 0, 800, 5),
                      json_pack("[o]", sample(9500, "master-bin.000001", 3000, 301, T0 + 30)),
                      json_array()));
    json_t *semi = json_pack(
        "{s:s,s:s,s:[{s:f,s:s,s:s,s:s},{s:f,s:s,s:s,s:s}]}", "state_start", "on", "state_end",
        "on", "transitions", "ts", T0 + 22.5, "to", "off", "position", "master-bin.000001:1234",
        "reason", "timeout waiting for ack: 1500 ms \x01\x1b[31m", "ts", T0 + 41.25, "to", "on",
        "position", "master-bin.000001:5678", "reason", "replica 10.0.0.2 caught up");
    json_t *m = json_pack("{s:s,s:s,s:i,s:s,s:s,s:i,s:i,s:o,s:o}", "endpoint", "10.0.0.1:3306",
                          "address", "10.0.0.1", "port", 3306, "flavor", "mariadb",
                          "server_version", "10.11.6-MariaDB", "transactions", 20,
                          "replicas_dropped", 0, "replicas", reps, "semisync", semi);
    json_object_set_new(m, "counters", json_pack("{s:i,s:i,s:n}", "yes_tx", 15, "no_tx", 5,
                                                 "tx_wait_time_us", "tx_waits"));
    json_object_set_new(m, "commit_wait_us", dist(400, 2000, 1500000));
    json_object_set_new(m, "parameters",
                        json_pack("{s:{s:i,s:s}}", "rpl_semi_sync_master_timeout", "value", 1500,
                                  "source", "variables.tsv"));
    json_object_set_new(m, "unprotected_transactions",
                        json_pack("[{s:f,s:s,s:i,s:s},{s:f,s:s,s:i,s:s}]", "ts", T0 + 23,
                                  "file", "master-bin.000001", "end_pos", 2100, "why",
                                  "timed_out", "ts", T0 + 24, "file", "master-bin.000001",
                                  "end_pos", 2200, "why", "committed_while_off"));
    json_object_set_new(json_array_get(json_object_get(semi, "transitions"), 0), "approximate_s",
                        json_real(0.45));
    json_object_set_new(m, "correlation",
                        json_pack("[{s:s,s:i,s:i,s:s},{s:s,s:i,s:i,s:s},{s:s,s:n,s:n,s:s}]",
                                  "variable", "Rpl_semi_sync_master_no_tx", "wire", 5, "server", 5,
                                  "verdict", "matches", "variable", "Rpl_semi_sync_master_yes_tx",
                                  "wire", 15, "server", 16, "verdict", "differs by -1",
                                  "variable", "status", "wire", "server", "verdict",
                                  "no server data"));
    json_object_set_new(m, "diagnosis",
                        json_pack("[{s:s,s:s,s:s,s:[s,s]}]", "severity", "critical", "cause",
                                  "both replicas stopped acknowledging", "evidence",
                                  "no ack for 1500 ms at 02:33:53", "remedy",
                                  "check the replicas' IO threads", "raise the timeout"));
    json_object_set_new(m, "clock_offset_s", json_real(0.25));
    json_object_set_new(m, "timeline",
                        json_pack("[{s:f,s:s,s:s}]", "ts", T0 + 22.6, "source", "error.log",
                                  "what", "Timeout waiting for reply of binlog (file: x)"));
    return m;
}

static json_t *master1(void)
{
    json_t *reps = json_pack("[o]", replica("10.0.1.2", json_integer(7), json_false(),
                                            timeline(30, 10, 120, 0), json_array(), json_array()));
    json_t *m = json_pack("{s:s,s:s,s:i,s:o,s:{s:s,s:s,s:[]}}", "endpoint", "10.0.1.1:3306",
                          "flavor", "mysql", "transactions", 3, "replicas", reps, "semisync",
                          "state_start", "off", "state_end", "off", "transitions");
    json_object_set_new(m, "diagnosis", json_pack("[{s:s,s:s,s:n,s:n}]", "severity", "warning",
                                                  "cause", "semisync is off on the replica",
                                                  "evidence", "remedy"));
    return m;
}

static json_t *full_doc(void)
{
    json_t *doc = json_pack(
        "{s:i,s:{s:s,s:s},s:{s:[s],s:n,s:n,s:b,s:b,s:i,s:i,s:f,s:f,s:f,s:i,s:n},s:[o,o],"
        "s:{s:i,s:i},s:[s]}",
        "schema_version", 1, "generator", "name", "semiscope", "version", "0.1.0", "capture",
        "files", "lab/<script>alert(1)</script>.pcap", "interface", "filter", "live", 0,
        "interrupted", 0, "packets", 12345, "bytes", 678901, "first_ts", T0, "last_ts", T0 + 60,
        "duration_s", 60.0, "out_of_order_ts", 0, "drops", "masters", master0(), master1(),
        "anomalies", "ack_unmatched", 2, "ack_duplicate", 0, "notes",
        "latency is measured at the capture point");
    assert_non_null(doc);
    return doc;
}

/* ---- rendering helpers ---- */

static char *render(const json_t *doc, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    assert_int_equal(ss_report_html(f, doc), 0);
    assert_int_equal(fclose(f), 0);
    if (len)
        *len = n;
    return buf;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void assert_well_formed(const char *html, size_t len)
{
    assert_int_equal(strlen(html), len); /* no NUL inside */
    assert_int_equal(count(html, "<html"), 1);
    assert_int_equal(count(html, "</html>"), 1);
    assert_int_equal(count(html, "<body>"), 1);
    assert_int_equal(count(html, "<svg"), count(html, "</svg>"));
    assert_int_equal(count(html, "<table"), count(html, "</table>"));
    assert_int_equal(count(html, "<section"), count(html, "</section>"));
    assert_int_equal(count(html, "<title>"), count(html, "</title>"));
    assert_int_equal(count(html, "<tr>"), count(html, "</tr>"));
    /* Only newline among the control characters: hostile ones were stripped. */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)html[i];
        if ((c < 0x20 && c != '\n') || c == 0x7f)
            fail_msg("control character 0x%02x at offset %zu", c, i);
    }
    /* Self-contained: no reference to anything outside the file. */
    assert_null(strstr(html, "http://"));
    assert_null(strstr(html, "https://"));
    assert_null(strstr(html, "src=\""));
    assert_null(strstr(html, "href=\"h"));
    assert_null(strstr(html, "url("));
    assert_null(strstr(html, "@import"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "<link"));
}

/* ---- tests ---- */

static void test_full_document(void **state)
{
    (void)state;
    json_t *doc = full_doc();
    size_t len;
    char *html = render(doc, &len);
    assert_well_formed(html, len);
    assert_true(count(html, "<svg") >= 7); /* 2 masters: state, latency, counts, percentiles */
    /* Replica addresses, both masters. */
    assert_non_null(strstr(html, "10.0.0.2"));
    assert_non_null(strstr(html, "10.0.0.3"));
    assert_non_null(strstr(html, "10.0.1.2"));
    assert_non_null(strstr(html, "10.0.1.1:3306"));
    /* Transition reasons (table and tooltip), control characters gone. */
    assert_true(count(html, "timeout waiting for ack: 1500 ms") >= 2);
    assert_null(strstr(html, "\x1b[31m"));
    assert_non_null(strstr(html, "replica 10.0.0.2 caught up"));
    assert_non_null(strstr(html, "2026-11-22T02:33:53.500000Z"));
    /* Diagnosis, severity-coloured, before the first chart: the answer first. */
    const char *diag = strstr(html, "<div class=\"diag critical\">");
    assert_non_null(diag);
    assert_true(diag < strstr(html, "<svg"));
    assert_non_null(strstr(html, "both replicas stopped acknowledging"));
    assert_non_null(strstr(html, "<li>raise the timeout</li>"));
    assert_non_null(strstr(html, "<div class=\"diag warning\">"));
    /* State badges and time OFF: 22.5 .. 41.25 = 18.75 s of 60. */
    assert_non_null(strstr(html, "<span class=\"badge b-off\">off</span>"));
    assert_non_null(strstr(html, "OFF for <b>18.750 s</b> of 60.000 s (31.2%)"));
    /* Verdicts coloured. */
    assert_non_null(strstr(html, "<td class=\"v-ok\">matches</td>"));
    assert_non_null(strstr(html, "<td class=\"v-bad\">differs by -1</td>"));
    assert_non_null(strstr(html, "<td class=\"v-mute\">no server data</td>"));
    /* Slowest acks merged over replicas, slowest first, with frame numbers. */
    const char *s1 = strstr(html, "9.50ms"), *s2 = strstr(html, "<td class=\"n\">3.00ms");
    assert_non_null(s1);
    assert_non_null(s2);
    assert_true(s1 < s2);
    assert_non_null(strstr(html, "<td class=\"n\">301</td><td class=\"n\">302</td>"));
    /* Unprotected transactions and the merged timeline. */
    assert_non_null(strstr(html, "2 transactions committed without a replica's ack"));
    assert_non_null(strstr(html, "Timeout waiting for reply of binlog"));
    assert_non_null(strstr(html, "By cause: 1 <span class=\"mono\">timed_out</span>, 1 "));
    assert_non_null(strstr(html, "\xc2\xb1" "0.450 s</span>")); /* approximate transition time */
    /* Anomalies: non-zero only. */
    assert_non_null(strstr(html, "ack_unmatched"));
    assert_null(strstr(html, "ack_duplicate"));
    /* The time axis is labelled in UTC. */
    assert_non_null(strstr(html, ">02:33:40<"));
    assert_non_null(strstr(html, "UTC, 2026-11-22"));
    /* For looking at the page while working on it: SEMISCOPE_HTML_DUMP=/tmp/x.html */
    const char *dump = getenv("SEMISCOPE_HTML_DUMP");
    FILE *f = dump ? fopen(dump, "w") : NULL;
    if (f) {
        fwrite(html, 1, len, f);
        fclose(f);
    }
    free(html);
    json_decref(doc);
}

static void test_hostile_strings_escaped(void **state)
{
    (void)state;
    json_t *doc = full_doc();
    size_t len;
    char *html = render(doc, &len);
    assert_well_formed(html, len);
    assert_null(strstr(html, "<script>"));
    assert_null(strstr(html, "<img"));
    assert_non_null(strstr(html, "lab/&lt;script&gt;alert(1)&lt;/script&gt;.pcap"));
    assert_non_null(strstr(html, "bin&lt;img src=x onerror=alert(1)&gt;.000002"));
    free(html);
    json_decref(doc);
}

/* Replaces every string value of the document (recursively) with markup and quotes. */
static void poison(json_t *v, size_t *n)
{
    const char *k;
    json_t *e;
    size_t i;
    char buf[96];
    if (json_is_object(v)) {
        json_object_foreach(v, k, e) {
            if (json_is_string(e)) {
                snprintf(buf, sizeof(buf), "<b id=\"%zu\">'&amp;\x07\xe2\x80\xae\xff</b>", (*n)++);
                json_object_set_new(v, k, json_string_nocheck(buf));
            } else {
                poison(e, n);
            }
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, e) {
            if (json_is_string(e)) {
                snprintf(buf, sizeof(buf), "<b id=\"%zu\">'&amp;</b>", (*n)++);
                json_array_set_new(v, i, json_string(buf));
            } else {
                poison(e, n);
            }
        }
    }
}

static void test_every_string_escaped(void **state)
{
    (void)state;
    json_t *doc = full_doc();
    size_t n = 0, len;
    poison(doc, &n);
    assert_true(n > 50);
    char *html = render(doc, &len);
    assert_well_formed(html, len);
    assert_null(strstr(html, "<b id"));
    assert_null(strstr(html, "\"'&amp;"));       /* raw quote or ampersand never survives */
    assert_null(strstr(html, "\xe2\x80\xae"));   /* right-to-left override dropped */
    assert_non_null(strstr(html, "&lt;b id=&quot;"));
    assert_non_null(strstr(html, "&#39;&amp;amp;"));
    assert_non_null(strstr(html, "\\xff"));      /* invalid UTF-8 shown, not passed through */
    free(html);
    json_decref(doc);
}

static void test_deterministic(void **state)
{
    (void)state;
    json_t *doc = full_doc(), *copy = json_deep_copy(doc);
    size_t l1, l2, l3;
    char *a = render(doc, &l1), *b = render(doc, &l2), *c = render(copy, &l3);
    assert_int_equal(l1, l2);
    assert_int_equal(l1, l3);
    assert_memory_equal(a, b, l1);
    assert_memory_equal(a, c, l1);
    free(a);
    free(b);
    free(c);
    json_decref(doc);
    json_decref(copy);
}

static void test_minimal_document(void **state)
{
    (void)state;
    json_t *doc = json_pack("{s:i,s:{},s:[]}", "schema_version", 1, "capture", "masters");
    size_t len;
    char *html = render(doc, &len);
    assert_well_formed(html, len);
    assert_non_null(strstr(html, "No replication (binlog dump) streams found."));
    assert_int_equal(count(html, "<svg"), 0);
    free(html);
    json_decref(doc);
    /* Every section present but of the wrong type. */
    doc = json_pack("{s:s,s:[],s:{},s:[i,s,{s:i,s:s,s:i,s:i,s:[i,{s:i}]}],s:[]}",
                    "schema_version", "1", "capture", "generator", "masters", 3, "x", "replicas",
                    4, "semisync", "on", "diagnosis", 5, "correlation", 6, "timeline", 7,
                    "address", 8, "anomalies");
    html = render(doc, &len);
    assert_well_formed(html, len);
    free(html);
    json_decref(doc);
}

/* A file not read to its end (issue 14): a red banner above the capture table names it, escaped;
 * none without a read error. */
static void test_read_error_banner(void **state)
{
    (void)state;
    json_t *doc = full_doc();
    size_t len;
    char *html = render(doc, &len);
    assert_null(strstr(html, ">read error<"));
    free(html);
    json_object_set_new(json_object_get(doc, "capture"), "read_error",
                        json_pack("{s:s,s:i,s:i,s:s}", "file", "cut<b>.pcap", "frame", 870,
                                  "offset", 175542, "message",
                                  "truncated dump file; tried to read 66 captured bytes"));
    json_object_set_new(json_object_get(doc, "capture"), "files_not_read_to_end",
                        json_integer(3));
    html = render(doc, &len);
    assert_well_formed(html, len);
    const char *banner = strstr(html, "<span class=\"sev\">read error</span>");
    const char *table = strstr(html, "<table class=\"kv\">");
    assert_non_null(banner);
    assert_non_null(table);
    assert_true(banner < table);
    assert_non_null(strstr(banner, "cut&lt;b&gt;.pcap"));
    assert_non_null(strstr(banner, "Frame 870 could not be read (reading failed at or after "
                                   "byte 175542, where frame 869 ends)"));
    assert_non_null(strstr(banner, "truncated dump file"));
    assert_non_null(strstr(banner, "2 more files not read to the end"));
    free(html);
    json_decref(doc);
}

/* Wording that must not overclaim: a disabled master protected nothing; an empty timeline is
 * not a missing one; a capture shorter than a few intervals says so. */
static void test_wording(void **state)
{
    (void)state;
    json_t *empty_tl = json_pack("{s:f,s:i,s:[]}", "interval_s", 1.0, "dropped", 0, "intervals");
    json_t *m = json_pack("{s:s,s:[o],s:{s:s,s:s,s:[]},s:[]}", "endpoint", "10.0.0.1:3306",
                          "replicas", replica("10.0.0.2", json_integer(2), json_true(), empty_tl,
                                              json_array(), json_array()),
                          "semisync", "state_start", "disabled", "state_end", "disabled",
                          "transitions", "unprotected_transactions");
    json_t *doc = json_pack("{s:i,s:{s:f,s:f},s:[o]}", "schema_version", 1, "capture",
                            "first_ts", T0, "last_ts", T0 + 60, "masters", m);
    assert_non_null(doc);
    size_t len;
    char *html = render(doc, &len);
    assert_well_formed(html, len);
    assert_non_null(strstr(html, "<b>semisync disabled</b>: no commit waited for a replica"));
    assert_non_null(strstr(html, "no transaction was protected"));
    assert_null(strstr(html, "every transaction was acknowledged"));
    assert_non_null(strstr(html, "No ack request in any interval."));
    assert_non_null(strstr(html, "No ON/OFF transition during the capture."));
    free(html);
    /* Without a timeline object, the page says the document lacks it. */
    json_object_del(json_array_get(json_object_get(m, "replicas"), 0), "timeline");
    html = render(doc, &len);
    assert_non_null(strstr(html, "No per-interval timeline in this report"));
    free(html);
    /* A 2-second capture with 1-second intervals: the charts say they are coarse. */
    json_object_set_new(json_array_get(json_object_get(m, "replicas"), 0), "timeline",
                        timeline(2, 0, 100, 0));
    json_object_set_new(json_object_get(doc, "capture"), "last_ts", json_real(T0 + 2));
    json_object_set_new(json_array_get(json_object_get(m, "replicas"), 0), "last_ts",
                        json_real(T0 + 2));
    html = render(doc, &len);
    assert_well_formed(html, len);
    assert_non_null(strstr(html, "fewer than 5 intervals of 1 s"));
    free(html);
    json_decref(doc);
}

/* The summary box is never green when semisync was OFF or a commit went unprotected, whatever
 * the diagnosis says; evidence items are a list; the verdict's basis is shown. */
static void test_summary_colour(void **state)
{
    (void)state;
    json_t *m = json_pack("{s:s,s:[],s:{s:s,s:s,s:[{s:f,s:s,s:s,s:s}]},s:{s:i,s:[]},"
                          "s:[{s:s,s:s,s:s,s:s}],s:{s:[s],s:n,s:s}}",
                          "endpoint", "10.0.0.1:3306", "replicas", "semisync", "state_start",
                          "on", "state_end", "on", "transitions", "ts", T0 + 5.0, "to", "off",
                          "position", "mb.000001:4", "reason", "waited", "unprotected_transactions",
                          "count", 0, "list", "diagnosis", "severity", "info", "cause",
                          "nothing", "evidence", "a | b", "remedy", "none", "diagnosis_basis",
                          "sources", "wire", "wire_verdict", "note", "from the wire alone");
    json_t *doc = json_pack("{s:i,s:{s:f,s:f},s:[o]}", "schema_version", 1, "capture",
                            "first_ts", T0, "last_ts", T0 + 60, "masters", m);
    assert_non_null(doc);
    size_t len;
    char *html = render(doc, &len);
    assert_well_formed(html, len);
    assert_non_null(strstr(html, "<div class=\"summary warn\">"));
    assert_non_null(strstr(html, "<p><b>Evidence:</b></p><ul><li>a</li><li>b</li></ul>"));
    assert_non_null(strstr(html, "<b>Basis:</b> from the wire alone"));
    free(html);
    /* no OFF, but an unprotected commit: amber too */
    json_array_clear(json_object_get(json_object_get(m, "semisync"), "transitions"));
    json_object_set_new(json_object_get(m, "unprotected_transactions"), "count", json_integer(1));
    html = render(doc, &len);
    assert_non_null(strstr(html, "<div class=\"summary warn\">"));
    free(html);
    /* neither: green */
    json_object_set_new(json_object_get(m, "unprotected_transactions"), "count", json_integer(0));
    html = render(doc, &len);
    assert_non_null(strstr(html, "<div class=\"summary ok\">"));
    free(html);
    /* ended OFF: red */
    json_object_set_new(json_object_get(m, "semisync"), "state_end", json_string("off"));
    html = render(doc, &len);
    assert_non_null(strstr(html, "<div class=\"summary bad\">"));
    free(html);
    json_decref(doc);
}

/* Labels, not JSON keys; an expected difference is not red; a time known to +/-0.5 s is shown
 * with that precision; a long table is folded with its count. */
static void test_tables_readable(void **state)
{
    (void)state;
    json_t *list = json_array();
    for (int i = 0; i < 25; i++)
        json_array_append_new(list, json_pack("{s:f,s:s,s:s,s:f}", "ts", T0 + 2.5, "position",
                                              "mb.000001:4", "why", "committed_while_off",
                                              "approximate_s", 0.5));
    json_t *m = json_pack("{s:s,s:[],s:{s:i,s:i},s:{s:i,s:o},s:[{s:s,s:i,s:i,s:s}]}", "endpoint",
                          "10.0.0.1:3306", "replicas", "counters", "tx_waits", 3,
                          "tx_wait_time_us", 1500, "unprotected_transactions", "count", 25,
                          "list", list, "correlation", "variable", "tx_wait_time", "wire", 1500,
                          "server", 3000, "verdict", "differs by -1500 us (50%): expected, the "
                          "server also times its own work");
    json_t *doc = json_pack("{s:i,s:{s:f,s:f},s:[o]}", "schema_version", 1, "capture",
                            "first_ts", T0, "last_ts", T0 + 60, "masters", m);
    assert_non_null(doc);
    size_t len;
    char *html = render(doc, &len);
    assert_well_formed(html, len);
    assert_non_null(strstr(html, "<td>time commits waited (tx_wait_time)</td>"));
    assert_null(strstr(html, ">tx_wait_time_us<"));
    assert_non_null(strstr(html, "<td class=\"v-mute\">differs by -1500 us"));
    assert_non_null(strstr(html, ".5Z \xc2\xb1" "0.5 s"));
    assert_null(strstr(html, ".500000Z"));
    assert_non_null(strstr(html, "<details><summary>25 rows</summary>"));
    assert_non_null(strstr(html, "<th>time (UTC)</th>"));
    free(html);
    json_decref(doc);
}

/* Absurd numbers must not hang or break the page: times near 1e17 s (where t + 1 == t in a
 * double's integer steps of the tick loop), huge and negative latencies and counts. */
static void test_absurd_numbers(void **state)
{
    (void)state;
    json_t *tl = json_pack("{s:f,s:[{s:f,s:f,s:f,s:f,s:f,s:f},{s:f,s:i,s:i,s:f,s:f,s:f}]}",
                           "interval_s", 1e-300, "intervals", "start_ts", 1e17, "requests", 1e300,
                           "acks", -5.0, "p50_us", -1.0, "p99_us", 1e300, "max_us", 1e308,
                           "start_ts", 1e17 + 64, "requests", 1, "acks", 1, "p50_us", 0.0,
                           "p99_us", 1e-300, "max_us", 3.0);
    json_t *r = replica("10.0.0.2", json_integer(-3), json_true(), tl, json_array(), json_array());
    json_object_set_new(r, "ack_latency_us", dist(-1, 1e300, 1e308));
    json_t *m = json_pack("{s:s,s:[o],s:{s:s,s:s,s:[{s:f,s:s},{s:f,s:s}]}}", "endpoint", "x",
                          "replicas", r, "semisync", "state_start", "on", "state_end", "off",
                          "transitions", "ts", 1e17 + 3, "to", "off", "ts", -1e300, "to", "on");
    json_t *doc = json_pack("{s:i,s:{s:f,s:f,s:f},s:[o]}", "schema_version", 1, "capture",
                            "first_ts", 1e17, "last_ts", 1e17 + 128, "packets", -1.5, "masters",
                            m);
    assert_non_null(doc);
    size_t len;
    char *html = render(doc, &len);
    assert_well_formed(html, len);
    assert_true(len < 2 * 1024 * 1024);
    free(html);
    json_decref(doc);
}

static void test_errors(void **state)
{
    (void)state;
    json_t *arr = json_array(), *doc = full_doc();
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_int_equal(ss_report_html(f, arr), -1);
    assert_int_equal(ss_report_html(f, NULL), -1);
    fclose(f);
    free(buf);
    f = fopen("/dev/full", "w");
    if (f) {
        assert_int_equal(ss_report_html(f, doc), -1);
        fclose(f);
    }
    json_decref(arr);
    json_decref(doc);
}

/* 5000 intervals: each series is decimated to the cap, and the extremes survive. */
static void test_decimated_series(void **state)
{
    (void)state;
    json_t *tl = timeline(5000, 0, 100, 0);
    json_t *iv = json_array_get(json_object_get(tl, "intervals"), 1234);
    json_object_set_new(iv, "max_us", json_real(4.5e6)); /* one huge outlier */
    json_t *m = json_pack("{s:s,s:[o]}", "endpoint", "10.9.9.9:3306", "replicas",
                          replica("10.9.9.10", json_integer(1), json_true(), tl, json_array(),
                                  json_array()));
    json_t *doc = json_pack("{s:i,s:{s:f,s:f},s:[o]}", "schema_version", 1, "capture",
                            "first_ts", T0, "last_ts", T0 + 5000, "masters", m);
    size_t len;
    char *html = render(doc, &len);
    assert_well_formed(html, len);
    size_t circles = count(html, "<circle");
    assert_true(circles <= SS_SVG_MAX_POINTS);
    assert_true(circles >= SS_SVG_MAX_POINTS / 2);
    assert_non_null(strstr(html, "max 4.50s")); /* the outlier's tooltip is still there */
    assert_true(len < 3 * 1024 * 1024);
    free(html);
    json_decref(doc);
}

/* ---- helpers ---- */

static void test_decimate(void **state)
{
    (void)state;
    enum { N = 10000 };
    double *y = malloc(N * sizeof(*y));
    size_t *idx = malloc(N * sizeof(*idx));
    assert_non_null(y);
    assert_non_null(idx);
    for (size_t i = 0; i < N; i++)
        y[i] = (double)(i % 100);
    y[4321] = 1e9;
    y[8765] = -5;
    for (size_t i = 6000; i < 6100; i++)
        y[i] = NAN; /* a gap longer than a run */
    size_t m = ss_svg_decimate(y, N, 2000, idx);
    assert_true(m <= 2000);
    assert_true(m >= 1000);
    bool hi = false, lo = false, gap = false;
    for (size_t k = 0; k < m; k++) {
        if (k)
            assert_true(idx[k] > idx[k - 1]);
        hi |= idx[k] == 4321;
        lo |= idx[k] == 8765;
        gap |= isnan(y[idx[k]]);
    }
    assert_true(hi && lo && gap);
    assert_int_equal(ss_svg_decimate(y, 5, 2000, idx), 5);
    free(y);
    free(idx);
}

static void test_axes(void **state)
{
    (void)state;
    double lo = 37, hi = 80;
    ss_svg_log_range(&lo, &hi);
    assert_true(lo == 10 && hi == 100);
    lo = 0.3, hi = 2e6;
    ss_svg_log_range(&lo, &hi);
    assert_true(lo == 1 && hi == 1e7);
    double t[16];
    assert_int_equal(ss_svg_log_ticks(1, 1e7, t, 16), 8);
    assert_true(t[3] == 1000);
    assert_true(ss_svg_time_step(600, 10) == 60);
    assert_true(ss_svg_time_step(60, 10) == 10);
    assert_true(ss_svg_time_step(2, 10) == 0.2);
    assert_true(ss_svg_nice_step(37, 4) == 10);
    struct ss_svg_axis a = { 10, 1000, 100, 300, true };
    assert_true(fabs(ss_svg_map(&a, 100) - 200) < 1e-9);
    assert_true(ss_svg_map(&a, 1e6) == 300); /* clamped */
    assert_true(ss_svg_map(&a, NAN) == 100);
}

static void test_format(void **state)
{
    (void)state;
    char b[48];
    assert_string_equal(ss_html_clock(b, sizeof(b), T0 + 0.5, 1), "02:33:31.5");
    /* Truncated like the text report's times, after rounding to the microsecond. */
    assert_string_equal(ss_html_clock(b, sizeof(b), T0 + 86400 + 3599.9996, 3), "03:33:30.999");
    assert_string_equal(ss_html_clock(b, sizeof(b), T0 + 0.9999996, 3), "02:33:32.000");
    assert_string_equal(ss_html_time(b, sizeof(b), T0 + 0.333131), "2026-11-22T02:33:31.333131Z");
    assert_string_equal(ss_html_dur_us(b, sizeof(b), 245.1), "245.1us");
    assert_string_equal(ss_html_dur_us(b, sizeof(b), NAN), "-");
    assert_string_equal(ss_html_count(b, sizeof(b), 12345), "12345");

    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    ss_html_esc(f, "a<b>&\"'\t\x01\x7f\xc3\xa9\xe2\x80\xae\xc0\xaf\xed\xa0\x80z");
    fclose(f);
    /* é kept; RLO dropped; overlong and surrogate bytes shown as \xNN. */
    assert_string_equal(buf, "a&lt;b&gt;&amp;&quot;&#39; \xc3\xa9\\xc0\\xaf\\xed\\xa0\\x80z");
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_document),
        cmocka_unit_test(test_hostile_strings_escaped),
        cmocka_unit_test(test_every_string_escaped),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_minimal_document),
        cmocka_unit_test(test_read_error_banner),
        cmocka_unit_test(test_wording),
        cmocka_unit_test(test_summary_colour),
        cmocka_unit_test(test_tables_readable),
        cmocka_unit_test(test_absurd_numbers),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_decimated_series),
        cmocka_unit_test(test_decimate),
        cmocka_unit_test(test_axes),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
