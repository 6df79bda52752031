/* SPDX-License-Identifier: MIT */
/* report_html_dist.c: the latency distribution summary of the HTML report: one row per
 * distribution (each replica's ack latency, its network/replica-side split when measured, the
 * master's commit wait), drawn as nested bars from the axis to p50, p90, p99, p99.9 and max on a
 * shared log scale, with the figures written beside them. */
#include "report_html_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "semiscope/common.h"

#define DIST_W 1000
#define DIST_ML 230
#define DIST_TEXT 330 /* width of the figures column on the right */
#define ROW_H 22

struct drow {
    const json_t *dist;    /* {count, min, mean, p50, …} */
    const json_t *replica; /* NULL for the master's commit wait */
    const char *kind;
    const char *color;
};

static const struct {
    const char *key;
    const char *name;
    double opacity;
} pct[] = {
    { "max", "max", 0.16 },  { "p999", "p99.9", 0.28 }, { "p99", "p99", 0.45 },
    { "p90", "p90", 0.65 },  { "p50", "p50", 0.92 },
};

static size_t collect(const json_t *master, struct drow *rows, size_t max)
{
    static const struct { const char *key, *kind; } kinds[] = {
        { "ack_latency_us", "ack" },
        { "network_latency_us", "network" },
        { "replica_latency_us", "replica side" },
    };
    const json_t *reps = ss_html_arr(master, "replicas");
    size_t n = 0;
    for (size_t i = 0; i < json_array_size(reps); i++) {
        const json_t *r = json_array_get(reps, i);
        for (size_t k = 0; k < SS_ARRAY_LEN(kinds) && n < max; k++) {
            const json_t *d = ss_html_obj(r, kinds[k].key);
            double v;
            if (d && ss_html_num(d, "max", &v))
                rows[n++] = (struct drow){ d, r, kinds[k].kind, ss_html_color(i) };
        }
    }
    const json_t *cw = ss_html_obj(master, "commit_wait_us");
    double v;
    if (cw && n < max && ss_html_num(cw, "max", &v))
        rows[n++] = (struct drow){ cw, NULL, "commit wait (master)", "#57606a" };
    return n;
}

static void row_figures(FILE *out, const struct drow *r, int y)
{
    char a[16], b[16], c[16], cnt[32];
    double count = NAN, p50 = NAN, p99 = NAN, mx = NAN;
    ss_html_num(r->dist, "count", &count);
    ss_html_num(r->dist, "p50", &p50);
    ss_html_num(r->dist, "p99", &p99);
    ss_html_num(r->dist, "max", &mx);
    fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"fig\">n=%s  p50 %s  p99 %s  max %s</text>\n",
            DIST_W - DIST_TEXT + 10, y, ss_html_count(cnt, sizeof(cnt), count),
            ss_html_dur_us(a, sizeof(a), p50), ss_html_dur_us(b, sizeof(b), p99),
            ss_html_dur_us(c, sizeof(c), mx));
}

static void row_bars(const struct ss_plot *p, const struct drow *r, int y)
{
    FILE *out = p->out;
    for (size_t k = 0; k < SS_ARRAY_LEN(pct); k++) {
        double v;
        if (!ss_html_num(r->dist, pct[k].key, &v))
            continue;
        double x = ss_svg_map(&p->x, v);
        char d[16];
        fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"14\" fill=\"%s\" "
                     "fill-opacity=\"%.2f\"><title>%s %s</title></rect>\n",
                p->ml, y, x - p->ml < 1 ? 1 : x - p->ml, r->color, pct[k].opacity, pct[k].name,
                ss_html_dur_us(d, sizeof(d), v));
    }
    double mn;
    if (ss_html_num(r->dist, "min", &mn)) {
        char d[16];
        double x = ss_svg_map(&p->x, mn);
        fprintf(out, "<rect x=\"%.1f\" y=\"%d\" width=\"2\" height=\"18\" fill=\"#24292f\">"
                     "<title>min %s</title></rect>\n", x - 1, y - 2,
                ss_html_dur_us(d, sizeof(d), mn));
    }
}

static void row_label(FILE *out, const struct drow *r, int y)
{
    fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"lbl\">", DIST_ML - 8, y);
    if (r->replica)
        ss_html_replica_label(out, r->replica);
    fputs(r->replica ? " " : "", out);
    fputs(r->kind, out);
    fputs("</text>\n", out);
}

void ss_html_percentile_chart(FILE *out, const json_t *master)
{
    struct drow rows[64];
    size_t n = collect(master, rows, SS_ARRAY_LEN(rows));
    if (!n) {
        fputs("<p class=\"mute\">No latency measured.</p>\n", out);
        return;
    }
    /* The scale runs from the smallest positive figure of any row to the largest. */
    double lo = INFINITY, hi = 0;
    for (size_t i = 0; i < n; i++) {
        static const char *const keys[] = { "min", "p50", "max" };
        for (size_t k = 0; k < SS_ARRAY_LEN(keys); k++) {
            double v;
            if (ss_html_num(rows[i].dist, keys[k], &v) && v > 0) {
                lo = SS_MIN(lo, v);
                hi = SS_MAX(hi, v);
            }
        }
    }
    ss_svg_log_range(&lo, &hi);
    struct ss_plot p;
    int h = 10 + (int)n * ROW_H + 30;
    ss_plot_init(&p, out, DIST_W, h, lo, hi, 0, 1, false);
    p.ml = DIST_ML;
    p.mr = DIST_TEXT;
    p.mt = 6;
    p.mb = 30;
    p.x = (struct ss_svg_axis){ lo, hi, DIST_ML, DIST_W - DIST_TEXT, true };
    fputs("<figure>", out);
    ss_plot_open(&p, "latency percentiles, log scale");
    ss_plot_latency_x_axis(&p);
    for (size_t i = 0; i < n; i++) {
        int y = p.mt + 4 + (int)i * ROW_H;
        row_label(out, &rows[i], y + 11);
        row_bars(&p, &rows[i], y);
        row_figures(out, &rows[i], y + 11);
    }
    ss_plot_close(&p);
    fputs("<div class=\"legend\"><span class=\"key\">Bars from darkest to lightest reach p50, "
          "p90, p99, p99.9 and max; the black tick is the minimum. Log scale.</span></div>"
          "</figure>\n", out);
}
