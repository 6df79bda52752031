/* SPDX-License-Identifier: MIT */
/* report_html_charts.c: the charts of one master, drawn from its report object: the semisync
 * ON/OFF band with the replicas' connections, ack latency per interval (log scale), requests and
 * acks per interval, and percentile bars. All time charts share the page's time span and left
 * margin so they line up one under the other. */
#include "report_html_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "semiscope/common.h"

#define TIME_ML 132 /* left margin of every time chart: room for a replica's label */
#define CHART_W 1000

enum st { ST_ON, ST_OFF, ST_DISABLED, ST_UNKNOWN };

static enum st state_of(const char *s)
{
    if (!s)
        return ST_UNKNOWN;
    if (!strcmp(s, "on"))
        return ST_ON;
    if (!strcmp(s, "off"))
        return ST_OFF;
    if (!strcmp(s, "disabled"))
        return ST_DISABLED;
    return ST_UNKNOWN;
}

static const char *const st_fill[] = { "#2da44e", "#cf222e", "#afb8c1", "#eaeef2" };
static const char *const st_name[] = { "ON", "OFF", "disabled", "unknown" };

struct seg {
    double a, b;
    enum st st;
};

/* The state over [t0, t1] as segments: state_start until the first transition, then each
 * transition's `to`. Times out of order are clamped so segments never overlap. Caller frees. */
static struct seg *segments(const json_t *master, double t0, double t1, size_t *nseg)
{
    const json_t *semi = ss_html_obj(master, "semisync");
    const json_t *trs = ss_html_arr(semi, "transitions");
    size_t n = json_array_size(trs), m = 0;
    struct seg *v = malloc((n + 1) * sizeof(*v));
    *nseg = 0;
    if (!v)
        return NULL;
    double at = t0;
    enum st cur = state_of(ss_html_str(semi, "state_start"));
    for (size_t i = 0; i < n; i++) {
        const json_t *tr = json_array_get(trs, i);
        double ts;
        if (!ss_html_num(tr, "ts", &ts))
            continue;
        ts = ts < at ? at : ts > t1 ? t1 : ts;
        if (ts > at)
            v[m++] = (struct seg){ at, ts, cur };
        at = ts;
        cur = state_of(ss_html_str(tr, "to"));
    }
    if (t1 > at || !m)
        v[m++] = (struct seg){ at, t1, cur };
    *nseg = m;
    return v;
}

void ss_html_state_durations(const json_t *master, double t0, double t1, double *on, double *off,
                             double *other)
{
    size_t n;
    struct seg *v = segments(master, t0, t1, &n);
    *on = *off = *other = 0;
    for (size_t i = 0; v && i < n; i++) {
        double d = v[i].b - v[i].a;
        *(v[i].st == ST_ON ? on : v[i].st == ST_OFF ? off : other) += d;
    }
    free(v);
}

static void widen(double *t0, double *t1, bool *any, const json_t *o, const char *key)
{
    double v;
    if (!ss_html_num(o, key, &v) || v <= 0)
        return;
    if (!*any || v < *t0)
        *t0 = v;
    if (!*any || v > *t1)
        *t1 = v;
    *any = true;
}

bool ss_html_span(const json_t *report, double *t0, double *t1)
{
    bool any = false;
    const json_t *cap = ss_html_obj(report, "capture");
    widen(t0, t1, &any, cap, "first_ts");
    widen(t0, t1, &any, cap, "last_ts");
    const json_t *ms = ss_html_arr(report, "masters");
    for (size_t i = 0; i < json_array_size(ms); i++) {
        const json_t *m = json_array_get(ms, i), *reps = ss_html_arr(m, "replicas");
        for (size_t k = 0; k < json_array_size(reps); k++) {
            widen(t0, t1, &any, json_array_get(reps, k), "first_ts");
            widen(t0, t1, &any, json_array_get(reps, k), "last_ts");
        }
        const json_t *trs = ss_html_arr(ss_html_obj(m, "semisync"), "transitions");
        for (size_t k = 0; k < json_array_size(trs); k++)
            widen(t0, t1, &any, json_array_get(trs, k), "ts");
    }
    if (any && *t1 - *t0 < 0.001)
        *t1 = *t0 + 1; /* a single instant still gets a readable axis */
    return any;
}

/* At most max bytes of s (whole UTF-8 characters), escaped: labels must fit the margin. */
static void esc_cut(FILE *out, const char *s, size_t max)
{
    char buf[64];
    size_t n = s ? strlen(s) : 0;
    if (max >= sizeof(buf))
        max = sizeof(buf) - 1;
    if (n > max) {
        n = max - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(buf, s ? s : "", n);
    buf[n] = '\0';
    ss_html_esc(out, buf);
    if (s && strlen(s) > max)
        fputs("\xe2\x80\xa6", out); /* an ellipsis */
}

static void transition_title(FILE *out, const json_t *tr)
{
    char t[40];
    double ts = 0;
    ss_html_num(tr, "ts", &ts);
    fprintf(out, "%s \xe2\x86\x92 %s", ss_html_clock(t, sizeof(t), ts, 3),
            st_name[state_of(ss_html_str(tr, "to"))]);
    double apx;
    if (ss_html_num(tr, "approximate_s", &apx))
        fprintf(out, " (\xc2\xb1%.3f s)", apx);
    const char *pos = ss_html_str(tr, "position"), *why = ss_html_str(tr, "reason");
    if (pos) {
        fputs(" at ", out);
        ss_html_esc(out, pos);
    }
    if (why) {
        fputs(": ", out);
        ss_html_esc(out, why);
    }
}

/* The transitions as markers over a plot's whole height, with their reasons as tooltips. */
static void transition_marks(const struct ss_plot *p, const json_t *master, bool triangles)
{
    const json_t *trs = ss_html_arr(ss_html_obj(master, "semisync"), "transitions");
    /* Two passes, OFF last: a switch OFF and back ON within a pixel still shows red on top. */
    for (size_t k = 0; k < 2 * json_array_size(trs); k++) {
        size_t n = json_array_size(trs), i = k % n;
        const json_t *tr = json_array_get(trs, i);
        double ts;
        enum st to = state_of(ss_html_str(tr, "to"));
        if ((to == ST_OFF) != (k >= n))
            continue;
        if (!ss_html_num(tr, "ts", &ts) || ts < p->x.lo || ts > p->x.hi)
            continue;
        const char *c = to == ST_OFF ? "#a40e26" : to == ST_ON ? "#116329" : "#57606a";
        double x = ss_svg_map(&p->x, ts);
        fprintf(p->out, "<g class=\"tr\"><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
                        "stroke=\"%s\" stroke-width=\"1.2\" stroke-dasharray=\"4 3\"/>",
                x, p->mt, x, p->h - p->mb, c);
        if (triangles)
            fprintf(p->out, "<path d=\"M%.1f %dl-5 -7h10z\" fill=\"%s\"/>", x, p->mt, c);
        /* A wide transparent hit area so the tooltip is easy to reach. */
        fprintf(p->out, "<rect x=\"%.1f\" y=\"%d\" width=\"8\" height=\"%d\" fill=\"transparent\">"
                        "<title>", x - 4, p->mt - 8, p->h - p->mb - p->mt + 8);
        transition_title(p->out, tr);
        fputs("</title></rect></g>\n", p->out);
    }
}

static void off_spans(const struct ss_plot *p, const json_t *master)
{
    size_t n;
    struct seg *v = segments(master, p->x.lo, p->x.hi, &n);
    for (size_t i = 0; v && i < n; i++)
        if (v[i].st == ST_OFF)
            ss_plot_xspan(p, v[i].a, v[i].b, "#ffebe9");
    free(v);
}

static void row_label(FILE *out, int y, const char *text, const json_t *replica)
{
    fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"lbl\">", TIME_ML - 6, y);
    if (replica) {
        double id;
        esc_cut(out, ss_html_str(replica, "address"), 22);
        if (ss_html_num(replica, "server_id", &id))
            fprintf(out, " (%lld)", (long long)id);
    } else if (text) {
        fputs(text, out);
    }
    fputs("</text>\n", out);
}

static void conn_rows(const struct ss_plot *p, const json_t *replica, size_t ri, int y, int h)
{
    FILE *out = p->out;
    const json_t *conns = ss_html_arr(replica, "connections");
    for (size_t i = 0; i < json_array_size(conns); i++) {
        const json_t *c = json_array_get(conns, i);
        double a, b;
        if (!ss_html_num(c, "first_ts", &a) || !ss_html_num(c, "last_ts", &b))
            continue;
        double xa = ss_svg_map(&p->x, a), xb = ss_svg_map(&p->x, b);
        const json_t *semi = ss_html_get(c, "semisync");
        fprintf(out, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"%s>"
                     "<title>", xa, y, xb - xa < 1 ? 1 : xb - xa, h, ss_html_color(ri),
                json_is_false(semi) ? " fill-opacity=\"0.3\"" : "");
        char t1[40], t2[40];
        fprintf(out, "dump connection %s \xe2\x80\x93 %s, semisync ",
                ss_html_clock(t1, sizeof(t1), a, 3), ss_html_clock(t2, sizeof(t2), b, 3));
        ss_html_value(out, "semisync", semi);
        fputs(", end ", out);
        ss_html_value(out, "end", ss_html_get(c, "end"));
        fputs(", frames ", out);
        ss_html_value(out, "first_frame", ss_html_get(c, "first_frame"));
        fputs("-", out);
        ss_html_value(out, "last_frame", ss_html_get(c, "last_frame"));
        fputs("</title></rect>\n", out);
    }
    const json_t *un = ss_html_arr(replica, "unanswered");
    for (size_t i = 0; i < json_array_size(un); i++) {
        const json_t *u = json_array_get(un, i);
        double ts, pend = 0;
        if (!ss_html_num(u, "event_ts", &ts))
            continue;
        ss_html_num(u, "pending_us", &pend);
        char d[16];
        double x = ss_svg_map(&p->x, ts);
        fprintf(out, "<path d=\"M%.1f %dl4 %dh-8z\" fill=\"#cf222e\" stroke=\"#fff\" "
                     "stroke-width=\"0.6\"><title>unanswered ack request, pending %s, frame ",
                x, y, h, ss_html_dur_us(d, sizeof(d), pend));
        ss_html_value(out, "event_frame", ss_html_get(u, "event_frame"));
        fputs(", ", out);
        ss_html_esc(out, ss_html_str(u, "file"));
        fputs(":", out);
        ss_html_value(out, "pos", ss_html_get(u, "pos"));
        fputs("</title></path>\n", out);
    }
}

/* The postmortem's merged timeline (server status and error log) as ticks, one row. */
static const json_t *merged_timeline(const json_t *master)
{
    const json_t *t = ss_html_arr(master, "timeline_merged");
    return t ? t : ss_html_arr(master, "timeline");
}

static void log_ticks(const struct ss_plot *p, const json_t *tl, int y, int h)
{
    for (size_t i = 0; i < json_array_size(tl); i++) {
        const json_t *e = json_array_get(tl, i);
        double ts;
        if (!ss_html_num(e, "ts", &ts))
            continue;
        double x = ss_svg_map(&p->x, ts);
        fprintf(p->out, "<rect x=\"%.1f\" y=\"%d\" width=\"3\" height=\"%d\" fill=\"#57606a\">"
                        "<title>", x - 1.5, y, h);
        char t[40];
        fprintf(p->out, "%s ", ss_html_clock(t, sizeof(t), ts, 3));
        const char *src = ss_html_str(e, "source");
        if (src) {
            fputs("[", p->out);
            ss_html_esc(p->out, src);
            fputs("] ", p->out);
        }
        ss_html_esc(p->out, ss_html_str(e, "what"));
        fputs("</title></rect>\n", p->out);
    }
}

void ss_html_state_chart(FILE *out, const json_t *master, double t0, double t1)
{
    const json_t *reps = ss_html_arr(master, "replicas"), *tl = merged_timeline(master);
    size_t nrep = json_array_size(reps);
    int band = 24, row = 16, gap = 6, top = 14;
    int h = top + band + gap + (int)nrep * (row + gap) + (tl ? row + gap : 0) + 36;
    struct ss_plot p;
    ss_plot_init(&p, out, CHART_W, h, t0, t1, 0, 1, false);
    p.ml = TIME_ML;
    p.mt = top;
    p.x.p0 = TIME_ML;
    ss_plot_open(&p, "semisync state over the capture");
    size_t n;
    struct seg *v = segments(master, t0, t1, &n);
    for (size_t i = 0; v && i < n; i++) {
        double a = ss_svg_map(&p.x, v[i].a), b = ss_svg_map(&p.x, v[i].b);
        char ta[40], tb[40];
        fprintf(out, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
                     "<title>%s %s \xe2\x80\x93 %s (%.3f s)</title></rect>\n",
                a, top, b - a < 3 ? 3 : b - a, band, st_fill[v[i].st], st_name[v[i].st],
                ss_html_clock(ta, sizeof(ta), v[i].a, 3), ss_html_clock(tb, sizeof(tb), v[i].b, 3),
                v[i].b - v[i].a);
    }
    free(v);
    row_label(out, top + band / 2 + 4, "semisync", NULL);
    int y = top + band + gap;
    for (size_t i = 0; i < nrep; i++, y += row + gap) {
        const json_t *r = json_array_get(reps, i);
        fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f6f8fa\"/>\n",
                TIME_ML, y, CHART_W - TIME_ML - p.mr, row);
        row_label(out, y + row - 4, NULL, r);
        conn_rows(&p, r, i, y, row);
    }
    if (tl) {
        row_label(out, y + row - 4, "server log", NULL);
        log_ticks(&p, tl, y, row);
    }
    ss_plot_time_axis(&p, NULL);
    transition_marks(&p, master, true);
    ss_plot_close(&p);
}

/* ---- per-interval charts ---- */

struct ivs {
    double *x, *xs, *p50, *p99, *max, *req, *ack;
    const json_t **iv; /* the interval object of point i, NULL for an inserted gap point */
    size_t n;
    double step;       /* interval length, seconds */
    double end;        /* end of the last interval */
};

static void ivs_free(struct ivs *s)
{
    free(s->x);
    free(s->xs);
    free(s->p50);
    free(s->p99);
    free(s->max);
    free(s->req);
    free(s->ack);
    free(s->iv);
    memset(s, 0, sizeof(*s));
}

static double num_or_nan(const json_t *o, const char *k)
{
    double v;
    return ss_html_num(o, k, &v) ? v : NAN;
}

/* The replica's intervals as arrays, with a gap point after every run of intervals with no
 * activity (the analysis stores only active intervals): latency lines break there and the
 * request/ack steps drop to zero. false on OOM or when there is no timeline. */
static bool ivs_load(struct ivs *s, const json_t *replica, double t0, double t1)
{
    memset(s, 0, sizeof(*s));
    const json_t *tl = ss_html_obj(replica, "timeline"), *arr = ss_html_arr(tl, "intervals");
    size_t n = json_array_size(arr), cap = n * 2 + 1;
    if (!n)
        return false;
    if (!ss_html_num(tl, "interval_s", &s->step) || !(s->step > 0))
        s->step = 1;
    double **cols[] = { &s->x, &s->xs, &s->p50, &s->p99, &s->max, &s->req, &s->ack };
    for (size_t c = 0; c < SS_ARRAY_LEN(cols); c++)
        if (!(*cols[c] = malloc(cap * sizeof(double))))
            goto oom;
    if (!(s->iv = malloc(cap * sizeof(*s->iv))))
        goto oom;
    double prev = NAN;
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(arr, i);
        double st;
        if (!ss_html_num(e, "start_ts", &st))
            continue;
        if (isfinite(prev) && st > prev + s->step * 1.5) {
            size_t k = s->n++;
            s->x[k] = s->xs[k] = prev + s->step;
            s->p50[k] = s->p99[k] = s->max[k] = NAN;
            s->req[k] = s->ack[k] = 0;
            s->iv[k] = NULL;
        }
        size_t k = s->n++;
        s->xs[k] = st;
        /* The middle of the part of the interval inside the capture: with a capture shorter
         * than an interval, the value is not drawn outside the time the data came from. */
        s->x[k] = (SS_MAX(st, t0) + SS_MIN(st + s->step, t1)) / 2;
        s->p50[k] = num_or_nan(e, "p50_us");
        s->p99[k] = num_or_nan(e, "p99_us");
        s->max[k] = num_or_nan(e, "max_us");
        s->req[k] = num_or_nan(e, "requests");
        s->ack[k] = num_or_nan(e, "acks");
        s->iv[k] = e;
        prev = st;
    }
    s->end = isfinite(prev) ? prev + s->step : 0;
    return s->n > 0;
oom:
    ivs_free(s);
    return false;
}

struct point_ctx {
    const struct ivs *s;
    const json_t *replica;
};

static void max_title(FILE *out, size_t i, const void *vctx)
{
    const struct point_ctx *c = vctx;
    const json_t *e = c->s->iv[i];
    char t[40], a[16], b[16], m[16];
    ss_html_replica_label(out, c->replica);
    fprintf(out, " %s: p50 %s, p99 %s, max %s", ss_html_clock(t, sizeof(t), c->s->xs[i], 1),
            ss_html_dur_us(a, sizeof(a), c->s->p50[i]), ss_html_dur_us(b, sizeof(b), c->s->p99[i]),
            ss_html_dur_us(m, sizeof(m), c->s->max[i]));
    if (e) {
        fputs("; requests ", out);
        ss_html_value(out, "requests", ss_html_get(e, "requests"));
        fputs(", acks ", out);
        ss_html_value(out, "acks", ss_html_get(e, "acks"));
    }
}

static void legend(FILE *out, const json_t *reps, bool counts)
{
    fputs("<div class=\"legend\">", out);
    for (size_t i = 0; i < json_array_size(reps); i++) {
        fprintf(out, "<span><i class=\"sw\" style=\"background:%s\"></i>", ss_html_color(i));
        ss_html_replica_label(out, json_array_get(reps, i));
        fputs("</span>", out);
    }
    if (counts)
        fputs("<span class=\"key\">solid: ack requests sent, dashed: acks received, "
              "per interval</span>", out);
    else
        fputs("<span class=\"key\">solid: p99, dotted: p50, dots: max, per interval; "
              "shaded: semisync OFF; dashed lines: transitions</span>", out);
    fputs("</div>\n", out);
}

static bool range_of(const double *v, size_t n, double *lo, double *hi, bool positive)
{
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i]) || (positive && v[i] <= 0))
            continue;
        if (!any || v[i] < *lo)
            *lo = v[i];
        if (!any || v[i] > *hi)
            *hi = v[i];
        any = true;
    }
    return any;
}

static void latency_plot(FILE *out, const json_t *master, struct ivs *s, size_t n, double t0,
                         double t1)
{
    const json_t *reps = ss_html_arr(master, "replicas");
    double lo = 0, hi = 0;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        double a = 0, b = 0;
        const double *cols[] = { s[i].p50, s[i].p99, s[i].max };
        for (size_t c = 0; c < SS_ARRAY_LEN(cols); c++) {
            if (!range_of(cols[c], s[i].n, &a, &b, true))
                continue;
            lo = any ? SS_MIN(lo, a) : a;
            hi = any ? SS_MAX(hi, b) : b;
            any = true;
        }
    }
    if (!any) {
        fputs("<p class=\"mute\">No matched acks in any interval.</p>\n", out);
        return;
    }
    ss_svg_log_range(&lo, &hi);
    struct ss_plot p;
    ss_plot_init(&p, out, CHART_W, 280, t0, t1, lo, hi, true);
    p.ml = TIME_ML;
    p.x.p0 = TIME_ML;
    fputs("<figure>", out);
    ss_plot_open(&p, "ack latency per interval, log scale");
    off_spans(&p, master);
    ss_plot_latency_axis(&p);
    ss_plot_time_axis(&p, "ack latency per interval (log scale)");
    transition_marks(&p, master, false);
    for (size_t i = 0; i < n; i++) {
        const char *c = ss_html_color(i);
        struct ss_series p50 = { SS_SERIES_LINE, c, 1.2, "2 2", 0.9, 0, NULL, NULL };
        struct ss_series p99 = { SS_SERIES_LINE, c, 1.8, NULL, 0, 0, NULL, NULL };
        struct point_ctx ctx = { &s[i], json_array_get(reps, i) };
        /* Smaller, lighter dots when there are many, so they do not hide the lines. */
        double r = s[i].n > 300 ? 1.5 : 2.2, op = s[i].n > 300 ? 0.6 : 0.8;
        struct ss_series mx = { SS_SERIES_POINTS, c, r, NULL, op, 0, max_title, &ctx };
        ss_plot_series(&p, s[i].x, s[i].p50, s[i].n, &p50);
        ss_plot_series(&p, s[i].x, s[i].p99, s[i].n, &p99);
        ss_plot_series(&p, s[i].x, s[i].max, s[i].n, &mx);
    }
    ss_plot_close(&p);
    legend(out, reps, false);
    fputs("</figure>\n", out);
}

static void counts_plot(FILE *out, const json_t *master, struct ivs *s, size_t n, double t0,
                        double t1)
{
    const json_t *reps = ss_html_arr(master, "replicas");
    double lo = 0, hi = 0, top = 1;
    for (size_t i = 0; i < n; i++) {
        if (range_of(s[i].req, s[i].n, &lo, &hi, false))
            top = SS_MAX(top, hi);
        if (range_of(s[i].ack, s[i].n, &lo, &hi, false))
            top = SS_MAX(top, hi);
    }
    double step = ss_svg_nice_step(top, 4);
    top = ceil(top / step) * step;
    struct ss_plot p;
    ss_plot_init(&p, out, CHART_W, 170, t0, t1, 0, top, false);
    p.ml = TIME_ML;
    p.x.p0 = TIME_ML;
    fputs("<figure>", out);
    ss_plot_open(&p, "ack requests and acks per interval");
    off_spans(&p, master);
    ss_plot_count_axis(&p, NULL);
    ss_plot_time_axis(&p, "ack requests and acks per interval");
    transition_marks(&p, master, false);
    for (size_t i = 0; i < n; i++) {
        const char *c = ss_html_color(i);
        struct ss_series rq = { SS_SERIES_STEP, c, 1.6, NULL, 0, s[i].end, NULL, NULL };
        struct ss_series ak = { SS_SERIES_STEP, c, 1.6, "5 3", 0.8, s[i].end, NULL, NULL };
        ss_plot_series(&p, s[i].xs, s[i].req, s[i].n, &rq);
        ss_plot_series(&p, s[i].xs, s[i].ack, s[i].n, &ak);
    }
    ss_plot_close(&p);
    legend(out, reps, true);
    fputs("</figure>\n", out);
}

void ss_html_latency_charts(FILE *out, const json_t *master, double t0, double t1)
{
    const json_t *reps = ss_html_arr(master, "replicas");
    size_t n = json_array_size(reps), have = 0;
    if (!n)
        return;
    struct ivs *s = calloc(n, sizeof(*s));
    if (!s)
        return;
    bool any_tl = false;
    for (size_t i = 0; i < n; i++) {
        have += ivs_load(&s[i], json_array_get(reps, i), t0, t1);
        any_tl |= ss_html_obj(json_array_get(reps, i), "timeline") != NULL;
    }
    if (!have) {
        fputs(any_tl ? "<p class=\"mute\">No ack request in any interval.</p>\n"
                     : "<p class=\"mute\">No per-interval timeline in this report (the JSON "
                       "document was built without it).</p>\n", out);
    } else {
        double step = 0;
        for (size_t i = 0; i < n && !(step > 0); i++)
            step = s[i].step;
        if (step > 0 && (t1 - t0) / step < 5)
            fprintf(out, "<p class=\"mute\">The capture spans %.3f s, fewer than 5 intervals of "
                         "%g s: a shorter interval (--interval) gives these charts more detail."
                         "</p>\n", t1 - t0, step);
        latency_plot(out, master, s, n, t0, t1);
        counts_plot(out, master, s, n, t0, t1);
    }
    for (size_t i = 0; i < n; i++)
        ivs_free(&s[i]);
    free(s);
}
