/* SPDX-License-Identifier: MIT */
/* report_html_tables.c: the tables of the HTML report: slowest acks and unanswered requests
 * (with frame numbers, to jump to them in Wireshark), the server-vs-wire correlation, the
 * reconstructed counters and parameters, unprotected transactions, the merged server timeline,
 * and the page-level capture health, anomalies, caps and notes. Non-zero rows only where a zero
 * says nothing. */
#include "report_html_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "semiscope/common.h"

#define TIMELINE_ROWS_MAX 400
#define UNPROTECTED_ROWS_MAX 200

struct slow_ref {
    const json_t *s, *replica;
    size_t order;
    double lat;
};

static int slow_cmp(const void *pa, const void *pb)
{
    const struct slow_ref *a = pa, *b = pb;
    if (a->lat != b->lat)
        return a->lat > b->lat ? -1 : 1;
    return (a->order > b->order) - (a->order < b->order);
}

static void time_cell(FILE *out, const json_t *o, const char *key)
{
    double ts;
    char t[48];
    fprintf(out, "<td class=\"n\">%s</td>",
            ss_html_num(o, key, &ts) ? ss_html_time(t, sizeof(t), ts) : "-");
}

static void pos_cell(FILE *out, const json_t *o)
{
    fputs("<td class=\"mono pos\">", out);
    ss_html_esc(out, ss_html_str(o, "file"));
    fputs(":", out);
    ss_html_value(out, "pos", ss_html_get(o, "pos"));
    fputs("</td>", out);
}

static void val_cell(FILE *out, const json_t *o, const char *key)
{
    const json_t *v = ss_html_get(o, key);
    fputs(json_is_number(v) ? "<td class=\"n\">" : "<td>", out);
    ss_html_value(out, key, v);
    fputs("</td>", out);
}

/* The master's slowest acks over all its replicas, as many as one replica keeps (like the text
 * report), slowest first. */
void ss_html_slowest(FILE *out, const json_t *master)
{
    const json_t *reps = ss_html_arr(master, "replicas");
    size_t total = 0, keep = 0;
    for (size_t i = 0; i < json_array_size(reps); i++) {
        size_t k = json_array_size(ss_html_arr(json_array_get(reps, i), "slowest_acks"));
        total += k;
        keep = SS_MAX(keep, k);
    }
    if (!total) {
        fputs("<p class=\"mute\">No matched ack.</p>\n", out);
        return;
    }
    struct slow_ref *v = calloc(total, sizeof(*v));
    if (!v)
        return;
    size_t n = 0;
    for (size_t i = 0; i < json_array_size(reps); i++) {
        const json_t *r = json_array_get(reps, i), *sl = ss_html_arr(r, "slowest_acks");
        for (size_t k = 0; k < json_array_size(sl); k++, n++) {
            v[n] = (struct slow_ref){ json_array_get(sl, k), r, n, 0 };
            if (!ss_html_num(v[n].s, "latency_us", &v[n].lat))
                v[n].lat = -1;
        }
    }
    qsort(v, n, sizeof(*v), slow_cmp);
    fputs("<table><thead><tr><th>latency</th><th>replica</th><th>event frame</th>"
          "<th>ack frame</th><th>TCP ack frame</th><th>event time (UTC)</th>"
          "<th>binlog position</th></tr></thead><tbody>\n", out);
    for (size_t i = 0; i < n && i < keep; i++) {
        fputs("<tr>", out);
        val_cell(out, v[i].s, "latency_us");
        fputs("<td class=\"mono addr\">", out);
        ss_html_replica_label(out, v[i].replica);
        fputs("</td>", out);
        val_cell(out, v[i].s, "event_frame");
        val_cell(out, v[i].s, "ack_frame");
        val_cell(out, v[i].s, "tcp_ack_frame");
        time_cell(out, v[i].s, "event_ts");
        pos_cell(out, v[i].s);
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
    free(v);
}

void ss_html_unanswered(FILE *out, const json_t *master)
{
    const json_t *reps = ss_html_arr(master, "replicas");
    double total = 0, inflight = 0, v;
    size_t listed = 0;
    for (size_t i = 0; i < json_array_size(reps); i++) {
        const json_t *r = json_array_get(reps, i);
        if (ss_html_num(r, "requests_unanswered", &v))
            total += v;
        if (ss_html_num(r, "requests_in_flight_at_end", &v))
            inflight += v;
        listed += json_array_size(ss_html_arr(r, "unanswered"));
    }
    if (total <= 0 && !listed) {
        fputs("<p class=\"mute\">Every ack request was answered.</p>\n", out);
        return;
    }
    fprintf(out, "<p>%.0f ack request%s never answered (%.0f still in flight when the capture "
                 "ended).</p>\n", total, total == 1 ? "" : "s", inflight);
    if (!listed)
        return;
    fputs("<table><thead><tr><th>pending</th><th>replica</th><th>event frame</th><th>until</th>"
          "<th>event time (UTC)</th><th>binlog position</th></tr></thead><tbody>\n", out);
    for (size_t i = 0; i < json_array_size(reps); i++) {
        const json_t *r = json_array_get(reps, i), *un = ss_html_arr(r, "unanswered");
        for (size_t k = 0; k < json_array_size(un); k++) {
            const json_t *u = json_array_get(un, k);
            const char *until = ss_html_str(u, "until");
            fputs("<tr>", out);
            val_cell(out, u, "pending_us");
            fputs("<td class=\"mono addr\">", out);
            ss_html_replica_label(out, r);
            fputs("</td>", out);
            val_cell(out, u, "event_frame");
            fprintf(out, "<td>%s</td>", !until ? "-" : !strcmp(until, "stream_end") ?
                    "stream end" : !strcmp(until, "capture_end") ? "capture end" : "?");
            time_cell(out, u, "event_ts");
            pos_cell(out, u);
            fputs("</tr>\n", out);
        }
    }
    fputs("</tbody></table>\n", out);
}

static const char *verdict_class(const char *v)
{
    if (!v)
        return "v-mute";
    /* a server value inside the wire's counter_ranges is no mismatch */
    if (!strncmp(v, "matches", 7) || !strncmp(v, "within the wire's range", 23))
        return "v-ok";
    /* a difference the verdict explains as expected (tx_waits, tx_wait_time, clients_end with
     * semisync disabled) is no error: grey, not red */
    if (!strncmp(v, "differs", 7))
        return strstr(v, ": expected") || strstr(v, "; expected") ? "v-mute" : "v-bad";
    return "v-mute";
}

void ss_html_correlation(FILE *out, const json_t *master)
{
    const json_t *rows = ss_html_arr(master, "correlation");
    double off;
    if (!json_array_size(rows))
        return;
    fputs("<h3>Server counters against the wire</h3>\n", out);
    if (ss_html_num(master, "clock_offset_s", &off)) {
        fprintf(out, "<p>Server clock offset from the capture clock: %+.3f s", off);
        const char *basis = ss_html_str(master, "clock_offset_basis");
        if (basis) {
            fputs(" (", out);
            ss_html_esc(out, basis);
            fputs(")", out);
        }
        fputs(".</p>\n", out);
    }
    fputs("<table><thead><tr><th>variable</th><th>wire</th><th>server</th><th>verdict</th>"
          "</tr></thead><tbody>\n", out);
    for (size_t i = 0; i < json_array_size(rows); i++) {
        const json_t *r = json_array_get(rows, i);
        const char *v = ss_html_str(r, "verdict");
        fputs("<tr><td class=\"mono\">", out);
        ss_html_esc(out, ss_html_str(r, "variable"));
        fputs("</td>", out);
        val_cell(out, r, "wire");
        val_cell(out, r, "server");
        fprintf(out, "<td class=\"%s\">", verdict_class(v));
        ss_html_esc(out, v ? v : "-");
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
}

/* Whatever a parameter carries besides value and source ("note", "longest_successful_wait_ms"
 * …), as "key: value" pairs. */
static void param_notes(FILE *out, const json_t *param)
{
    const char *k;
    const json_t *v;
    bool first = true;
    fputs("<td>", out);
    json_object_foreach((json_t *)param, k, v) {
        if (!strcmp(k, "value") || !strcmp(k, "source"))
            continue;
        fputs(first ? "" : "; ", out);
        if (strcmp(k, "note")) {
            ss_html_esc(out, k);
            fputs(": ", out);
        }
        ss_html_value(out, k, v);
        first = false;
    }
    fputs("</td>", out);
}

void ss_html_counters(FILE *out, const json_t *master)
{
    const json_t *c = ss_html_obj(master, "counters"), *p = ss_html_obj(master, "parameters");
    if (!json_object_size(c) && !json_object_size(p))
        return;
    fputs("<h3>Semisync counters reconstructed from the wire</h3>\n", out);
    const char *k;
    const json_t *v;
    if (json_object_size(c)) {
        fputs("<table><thead><tr><th>counter</th><th>value</th></tr></thead><tbody>\n", out);
        json_object_foreach((json_t *)c, k, v) {
            fputs("<tr><td>", out);
            ss_html_esc(out, ss_html_label(k));
            fputs("</td>", out);
            val_cell(out, c, k);
            fputs("</tr>\n", out);
        }
        fputs("</tbody></table>\n", out);
    }
    if (json_object_size(p)) {
        fputs("<table><thead><tr><th>parameter</th><th>value</th><th>source</th><th>note</th>"
              "</tr></thead>"
              "<tbody>\n", out);
        json_object_foreach((json_t *)p, k, v) {
            fputs("<tr><td class=\"mono\">", out);
            ss_html_esc(out, k);
            fputs("</td>", out);
            if (json_is_object(v)) {
                val_cell(out, v, "value");
                val_cell(out, v, "source");
                param_notes(out, v);
            } else {
                fputs("<td>", out);
                ss_html_value(out, k, v);
                fputs("</td><td></td><td></td>", out);
            }
            fputs("</tr>\n", out);
        }
        fputs("</tbody></table>\n", out);
    }
    const json_t *waits = ss_html_arr(ss_html_obj(master, "semisync"), "slowest_commit_waits");
    if (json_array_size(waits)) {
        fputs("<p>Slowest commit waits (first flagged send to the releasing ack):</p>\n", out);
        ss_html_object_table(out, waits, 20);
    }
}

const json_t *ss_html_unprotected_list(const json_t *master, double *count)
{
    const json_t *u = ss_html_get(master, "unprotected_transactions");
    const json_t *list = json_is_array(u) ? u : ss_html_arr(u, "list");
    if (!ss_html_num(u, "count", count))
        *count = list ? (double)json_array_size(list) : NAN;
    return list;
}

/* "By cause: 2 timed_out, 10 committed_while_off", when the list is complete. */
static void why_breakdown(FILE *out, const json_t *list, double total)
{
    enum { WHY_MAX = 8 };
    const char *why[WHY_MAX];
    size_t cnt[WHY_MAX], nw = 0, n = json_array_size(list);
    if (!n || (double)n != total)
        return;
    for (size_t i = 0; i < n; i++) {
        const char *w = ss_html_str(json_array_get(list, i), "why");
        if (!w)
            return;
        size_t k = 0;
        while (k < nw && strcmp(why[k], w))
            k++;
        if (k == nw) {
            if (nw == WHY_MAX)
                return;
            why[nw] = w;
            cnt[nw++] = 0;
        }
        cnt[k]++;
    }
    fputs("<p>By cause:", out);
    for (size_t k = 0; k < nw; k++) {
        fprintf(out, "%s %zu <span class=\"mono\">", k ? "," : "", cnt[k]);
        ss_html_esc(out, why[k]);
        fputs("</span>", out);
    }
    fputs(".</p>\n", out);
}

void ss_html_unprotected(FILE *out, const json_t *master)
{
    double n;
    const json_t *list = ss_html_unprotected_list(master, &n);
    if (!isfinite(n))
        return;
    fputs("<h3>Unprotected transactions</h3>\n", out);
    const json_t *semi = ss_html_obj(master, "semisync");
    const char *st0 = ss_html_str(semi, "state_start"), *st1 = ss_html_str(semi, "state_end");
    if ((st0 && !strcmp(st0, "disabled")) || (st1 && !strcmp(st1, "disabled")))
        fputs("<p class=\"v-bad\">Semisync was disabled on the master: no commit waited for a "
              "replica, so no transaction was protected.</p>\n", out);
    if (n <= 0) {
        fputs("<p>None reported: no commit returned while semisync was OFF or after a timed-out "
              "wait.</p>\n", out);
        return;
    }
    char b[32];
    fprintf(out, "<p class=\"v-bad\">%s transaction%s committed without a replica's ack "
                 "(the wait timed out, or semisync was OFF): the client was told they were "
                 "durable before any replica had them.</p>\n",
            ss_html_count(b, sizeof(b), n), n == 1 ? "" : "s");
    why_breakdown(out, list, n);
    ss_html_object_table(out, list, UNPROTECTED_ROWS_MAX);
}

void ss_html_server_timeline(FILE *out, const json_t *master)
{
    const json_t *tl = ss_html_arr(master, "timeline_merged");
    if (!tl)
        tl = ss_html_arr(master, "timeline");
    if (!json_array_size(tl))
        return;
    fputs("<h3>Merged timeline (wire, server status, error log)</h3>\n", out);
    ss_html_object_table(out, tl, TIMELINE_ROWS_MAX);
    double d;
    if (ss_html_num(master, "timeline_dropped", &d) && d > 0)
        fprintf(out, "<p class=\"mute\">%.0f more entries were not kept by the analysis.</p>\n", d);
}

/* Non-zero members of one object as rows "prefix.key | value". */
static bool nonzero_rows(FILE *out, const json_t *o, const char *const *keys, size_t nkeys,
                         const char *prefix)
{
    bool any = false;
    for (size_t i = 0; i < nkeys; i++) {
        double v;
        char b[32];
        if (!ss_html_num(o, keys[i], &v) || v == 0)
            continue;
        fprintf(out, "<tr><td class=\"mono\">%s%s</td><td class=\"n\">%s</td></tr>\n", prefix,
                keys[i], ss_html_count(b, sizeof(b), v));
        any = true;
    }
    return any;
}

/* Every member of o that is a non-zero number, keys escaped (they are document text). */
static bool nonzero_all(FILE *out, const json_t *o)
{
    const char *k;
    const json_t *v;
    bool any = false;
    json_object_foreach((json_t *)o, k, v) {
        double d;
        char b[32];
        if (!ss_html_jnum(v, &d) || d == 0)
            continue;
        fputs("<tr><td class=\"mono\">", out);
        ss_html_esc(out, k);
        fprintf(out, "</td><td class=\"n\">%s</td></tr>\n", ss_html_count(b, sizeof(b), d));
        any = true;
    }
    return any;
}

void ss_html_health(FILE *out, const json_t *report)
{
    static const char *const dec[] = { "fragments", "malformed", "unsupported_link",
                                       "truncated_payload", "csum_bad" };
    static const char *const flows[] = { "flows_max_hit", "memcap_hit", "dir_ooo_cap_hit",
                                         "idle_expired", "midstream_pickups", "retrans",
                                         "overlap_conflicts", "gaps", "gap_bytes", "gaps_acked", "csum_bad" };
    fputs("<section id=\"health\">\n<h2>Capture health</h2>\n", out);
    fputs("<h3>Anomalies</h3>\n<table><tbody>\n", out);
    if (!nonzero_all(out, ss_html_obj(report, "anomalies")))
        fputs("<tr><td class=\"mute\">none</td></tr>\n", out);
    fputs("</tbody></table>\n<h3>Decoding and reassembly</h3>\n<table><tbody>\n", out);
    bool any = nonzero_rows(out, ss_html_obj(report, "decode"), dec, SS_ARRAY_LEN(dec), "decode.");
    any |= nonzero_rows(out, ss_html_obj(report, "flows"), flows, SS_ARRAY_LEN(flows), "flows.");
    if (!any)
        fputs("<tr><td class=\"mute\">no gaps, drops or malformed packets</td></tr>\n", out);
    fputs("</tbody></table>\n<h3>Caps hit</h3>\n<table><tbody>\n", out);
    if (!nonzero_all(out, ss_html_obj(report, "caps")))
        fputs("<tr><td class=\"mute\">none</td></tr>\n", out);
    fputs("</tbody></table>\n", out);
    const json_t *notes = ss_html_arr(report, "notes");
    if (json_array_size(notes)) {
        fputs("<h3>Notes</h3>\n<ul>\n", out);
        for (size_t i = 0; i < json_array_size(notes); i++) {
            fputs("<li>", out);
            ss_html_value(out, NULL, json_array_get(notes, i));
            fputs("</li>\n", out);
        }
        fputs("</ul>\n", out);
    }
    fputs("</section>\n", out);
}
