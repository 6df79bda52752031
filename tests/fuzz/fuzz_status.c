/* SPDX-License-Identifier: MIT */
/* fuzz_status.c: the servers' own records as the postmortem reads them — the `--status` parser
 * (TSV rows, mysqladmin tables and their anchors, poller gaps, Uptime and the server restarts it
 * reveals) and the `--error-log` parser (every timestamp form, semisync and lifecycle lines) —
 * then every query on what they kept, and the postmortem built from them against a fixed master
 * object (correlation, clock offset, timeline, diagnosis, text).
 *
 * Input: byte 0 = configuration (bits 0-1 the --log-tz offset: 0, +02:00, -05:30, +14:00; bit 2
 * tiny caps, so the change-point, gap and record caps are hit; bit 3 a --status-anchor; bits 4-5
 * the capture window: the status data's span, a fixed one, a reversed one, none), then lines
 * separated by '\n'. A line starting with 'S' goes to the status parser, 'E' to the error-log
 * parser (the letter removed); any other first byte picks by its low bit and is kept. The seeds
 * (tests/fuzz/corpus/fuzz_status/) are the lab's status.tsv and error.log files interleaved this
 * way, cut to 16 KB.
 *
 * Checks beyond the sanitizers: change points in time order, a restart's point flagged only
 * after its `after_ns`, deltas never negative, a span's server restarts counted among its
 * resets, restarts within their cap, error-log records time-sorted with a known kind and a
 * terminated raw line, and the postmortem's JSON valid. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semiscope/errlog.h"
#include "semiscope/postmortem.h"
#include "semiscope/status.h"
#include "semiscope/status_samples.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NSEC 1000000000LL

/* Two semisync replicas of a MariaDB master, both cut at 1795318730.11 and back at .12 s later,
 * with counters: enough for every rule to look at the server data. */
static const char fs_master[] =
    "{\"endpoint\": \"10.0.0.1:3306\", \"flavor\": \"mariadb\", \"server_version\": "
    "\"10.11.19-MariaDB-log\","
    " \"semisync\": {\"state_start\": \"on\", \"state_end\": \"on\", \"transitions\": ["
    "  {\"ts\": 1795318729.5, \"to\": \"off\", \"position\": \"master-bin.000001:4\"},"
    "  {\"ts\": 1795318729.9, \"to\": \"on\"}]},"
    " \"replicas\": ["
    "  {\"address\": \"10.0.0.2\", \"server_id\": 2, \"semisync\": true, \"acks\": 50,"
    "   \"ack_requests\": 51, \"requests_unanswered\": 1, \"kill_connections\": 0,"
    "   \"ack_latency_us\": {\"p50\": 300, \"p99\": 900, \"max\": 1200},"
    "   \"first_ts\": 1795318728.9, \"last_ts\": 1795318733.1, \"connections\": ["
    "    {\"first_ts\": 1795318728.9, \"last_ts\": 1795318730.11, \"end\": \"fin\","
    "     \"closed_by\": \"master\", \"thread_id\": 17, \"semisync\": true, \"acks\": 30,"
    "     \"ack_requests\": 30},"
    "    {\"first_ts\": 1795318732.12, \"last_ts\": 1795318733.1, \"end\": \"capture\","
    "     \"closed_by\": null, \"thread_id\": 17, \"semisync\": true, \"acks\": 20,"
    "     \"ack_requests\": 21}]},"
    "  {\"address\": \"10.0.0.3\", \"server_id\": 3, \"semisync\": true, \"acks\": 50,"
    "   \"ack_requests\": 50, \"kill_connections\": 1,"
    "   \"first_ts\": 1795318728.9, \"last_ts\": 1795318733.1, \"connections\": ["
    "    {\"first_ts\": 1795318728.95, \"last_ts\": 1795318730.1105, \"end\": \"fin\","
    "     \"closed_by\": \"replica\", \"thread_id\": 18},"
    "    {\"first_ts\": 1795318732.1, \"last_ts\": 1795318733.1, \"end\": \"capture\"}]}],"
    " \"counters\": {\"yes_tx\": 60, \"no_tx\": 1, \"no_times\": 1, \"get_ack\": 100,"
    "   \"request_ack\": 60, \"net_waits\": 101, \"tx_waits\": 60, \"tx_wait_time_us\": 9000,"
    "   \"clients_start\": 2, \"clients_end\": 2},"
    " \"parameters\": {\"timeout_ms\": {\"value\": 10000, \"source\": \"file\"}},"
    " \"commit_wait_us\": {\"p50\": 100}, \"unprotected_transactions\": {\"count\": 1}}";

static void fs_check_series(const struct ss_status_samples *s, enum ss_sv_id id)
{
    const struct ss_sv_series *se = &s->series[id];
    for (uint32_t k = 1; k < se->n_points; k++)
        if (se->points[k].ts_ns < se->points[k - 1].ts_ns)
            abort(); /* change points out of time order */
    for (uint32_t k = 0; k < se->n_points; k++) {
        if (!se->points[k].restart)
            continue;
        bool after_some = false;
        for (uint32_t i = 0; i < s->n_restarts; i++)
            after_some = after_some || se->points[k].ts_ns > s->restarts[i].after_ns;
        if (!after_some)
            abort(); /* a restart point before every restart */
    }
}

static void fs_param_cb(void *ctx, const struct ss_semi_params *p, int64_t ts_ns)
{
    struct ss_semi_params *sum = ctx; /* one value, source file, per call */
    int files = (p->src_timeout == SS_PARAM_FILE) + (p->src_wait_count == SS_PARAM_FILE) +
                (p->src_wait_no_slave == SS_PARAM_FILE) + (p->src_wait_point == SS_PARAM_FILE) +
                (p->src_enabled == SS_PARAM_FILE);
    if (files != 1)
        abort();
    (void)ts_ns;
    sum->timeout_ms = p->timeout_ms;
}

static void fs_queries(const struct ss_status_samples *s)
{
    if (s->n_restarts > SS_SV_MAX_RESTARTS || s->n_gaps > (s->cfg.max_gaps ? s->cfg.max_gaps : 1024))
        abort();
    int64_t a = s->first_ts_ns, b = s->last_ts_ns, mid = a / 2 + b / 2;
    const int64_t probes[] = {0, a - 1, a, mid, b, b + 1, INT64_MAX / 4};
    for (int id = 0; id <= SS_SV__COUNT; id++) {
        (void)ss_sv_name((enum ss_sv_id)id);
        if (id == 0 || id == SS_SV__COUNT || !ss_status_samples_has(s, (enum ss_sv_id)id))
            continue;
        fs_check_series(s, (enum ss_sv_id)id);
        for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
            int64_t v, ts;
            (void)ss_status_samples_value_at(s, (enum ss_sv_id)id, probes[i], &v, &ts);
            (void)ss_status_samples_first_after(s, (enum ss_sv_id)id, probes[i], &v, &ts);
            for (size_t j = i; j < sizeof(probes) / sizeof(probes[0]); j++) {
                int64_t d;
                uint32_t resets;
                if (ss_status_samples_delta(s, (enum ss_sv_id)id, probes[i], probes[j], &d,
                                            &resets) &&
                    d < 0)
                    abort();
                struct ss_sv_span sp;
                if (ss_status_samples_span(s, (enum ss_sv_id)id, probes[i], probes[j], &sp) &&
                    (sp.delta < 0 || sp.server_restarts > sp.resets))
                    abort();
            }
        }
    }
    const struct ss_sv_restart *first;
    uint32_t n = ss_status_samples_restarts_in(s, INT64_MIN, INT64_MAX, &first);
    if (n != s->n_restarts || (n && first != &s->restarts[0]))
        abort();
    struct ss_semi_params p;
    memset(&p, 0, sizeof(p));
    ss_status_samples_params(s, &p);
    /* the parameters in packet time: each change handed over once, in time order */
    struct ss_sv_param_cursor cur;
    memset(&cur, 0, sizeof(cur));
    int64_t last = INT64_MIN;
    for (size_t i = 0; i < SS_ARRAY_LEN(probes); i++)
        if (probes[i] >= last) {
            ss_status_samples_params_due(s, &cur, probes[i], fs_param_cb, &p);
            last = probes[i];
        }
    if (ss_status_samples_params_due(s, &cur, last, fs_param_cb, &p) != 0)
        abort();
}

static void fs_check_log(const struct ss_errlog *el)
{
    for (uint32_t i = 0; i < el->n; i++) {
        const struct ss_el_record *r = &el->recs[i];
        if ((unsigned)r->kind >= SS_EL_KIND_COUNT || memchr(r->raw, '\0', sizeof(r->raw)) == NULL ||
            memchr(r->file, '\0', sizeof(r->file)) == NULL ||
            (i > 0 && r->ts_ns < el->recs[i - 1].ts_ns))
            abort();
        (void)ss_el_kind_name(r->kind);
    }
}

static void fs_postmortem(const struct ss_status_samples *s, const struct ss_errlog *el,
                          uint8_t cfgb)
{
    json_t *m = json_loads(fs_master, 0, NULL);
    if (!m)
        return;
    struct ss_postmortem_cfg cfg;
    ss_postmortem_cfg_defaults(&cfg);
    switch ((cfgb >> 4) & 3) {
    case 0:
        cfg.window_start_ns = s->first_ts_ns;
        cfg.window_end_ns = s->last_ts_ns;
        break;
    case 1:
        cfg.window_start_ns = 1795318728 * NSEC;
        cfg.window_end_ns = 1795318734 * NSEC;
        break;
    case 2:
        cfg.window_start_ns = 1795318734 * NSEC;
        cfg.window_end_ns = 1795318728 * NSEC;
        break;
    default:
        break; /* from the replicas' first_ts / last_ts */
    }
    if (cfgb & 4)
        cfg.max_timeline = 5;
    json_t *pm = ss_postmortem_build(m, s, el, &cfg);
    if (pm) {
        char *txt = json_dumps(pm, 0);
        if (!txt)
            abort(); /* the result must serialise */
        free(txt);
        FILE *out = fopen("/dev/null", "w");
        if (out) {
            ss_postmortem_text(out, pm, cfgb & 8 ? 1 : 0);
            fclose(out);
        }
    }
    json_decref(pm);
    json_decref(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t cfgb = data[0];
    static const int32_t tz[4] = {0, 7200, -19800, 50400};
    struct ss_status_samples_cfg scfg;
    ss_status_samples_cfg_defaults(&scfg);
    struct ss_errlog_cfg ecfg;
    ss_errlog_cfg_defaults(&ecfg);
    ecfg.tz_offset_s = tz[cfgb & 3];
    if (cfgb & 4) {
        scfg.max_points = 3;
        scfg.max_gaps = 2;
        ecfg.max_records = 4;
    }
    if (cfgb & 8) {
        scfg.anchor_ns = 1795318728 * NSEC;
        scfg.interval_ns = NSEC / 5;
    }
    struct ss_status_samples *s = ss_status_samples_new(&scfg);
    struct ss_errlog *el = ss_errlog_new(&ecfg);
    if (!s || !el) {
        ss_status_samples_free(s);
        ss_errlog_free(el);
        return 0;
    }
    const char *p = (const char *)data + 1, *end = (const char *)data + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        /* a copy of exactly the line, so a read past it trips the sanitizer */
        char *line = malloc(len ? len : 1);
        if (line) {
            memcpy(line, p, len);
            bool to_log = len > 0 && (line[0] == 'E' || (line[0] != 'S' && (line[0] & 1)));
            size_t skip = len > 0 && (line[0] == 'E' || line[0] == 'S');
            if (to_log)
                ss_errlog_line(el, line + skip, len - skip);
            else
                ss_status_samples_line(s, line + skip, len - skip);
            free(line);
        }
        p += len + (nl ? 1 : 0);
    }
    ss_errlog_sort(el);
    fs_check_log(el);
    fs_queries(s);
    fs_postmortem(s, el, cfgb);
    ss_status_samples_free(s);
    ss_errlog_free(el);
    return 0;
}
