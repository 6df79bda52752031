/* SPDX-License-Identifier: MIT */
/* report_html_svg.c: the SVG plot primitives of the HTML report: axes (linear counts, log-scale
 * latency in microseconds, UTC time), shaded spans, markers and line/step/point series with
 * min/max decimation. Coordinates are printed with one decimal in a fixed viewBox, so the output
 * is compact and does not depend on anything but the data. */
#include "report_html_priv.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "semiscope/common.h"

#define TICKS_MAX 64 /* per axis; the steps aim at about 10 */

double ss_svg_map(const struct ss_svg_axis *a, double v)
{
    double lo = a->lo, hi = a->hi;
    if (!isfinite(v))
        v = lo;
    if (a->log) {
        if (lo <= 0 || hi <= lo)
            return a->p0;
        v = v < lo ? lo : v > hi ? hi : v;
        return a->p0 + (log10(v) - log10(lo)) / (log10(hi) - log10(lo)) * (a->p1 - a->p0);
    }
    if (hi <= lo)
        return a->p0;
    v = v < lo ? lo : v > hi ? hi : v;
    return a->p0 + (v - lo) / (hi - lo) * (a->p1 - a->p0);
}

void ss_svg_log_range(double *lo, double *hi)
{
    double l = *lo, h = *hi;
    if (!(l > 0) || !isfinite(l))
        l = 1;
    if (!(h > 0) || !isfinite(h))
        h = l;
    if (l < 1)
        l = 1; /* latencies below a microsecond are not resolved anyway */
    if (h < l)
        h = l;
    l = pow(10, floor(log10(l)));
    h = pow(10, ceil(log10(h)));
    if (h <= l)
        h = l * 10;
    *lo = l;
    *hi = h;
}

size_t ss_svg_log_ticks(double lo, double hi, double *ticks, size_t max)
{
    size_t n = 0;
    if (!(lo > 0) || !(hi >= lo))
        return 0;
    for (int e = (int)ceil(log10(lo) - 1e-9); n < max; e++) {
        double t = pow(10, e);
        if (t > hi * (1 + 1e-9))
            break;
        ticks[n++] = t;
    }
    return n;
}

double ss_svg_nice_step(double span, int target)
{
    if (!(span > 0) || target < 1)
        return 1;
    double raw = span / target, mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

double ss_svg_time_step(double span, int target)
{
    static const double steps[] = {
        0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300,
        600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
    };
    if (!(span > 0) || target < 1)
        return 1;
    for (size_t i = 0; i < SS_ARRAY_LEN(steps); i++)
        if (span / steps[i] <= target)
            return steps[i];
    return ceil(span / target / 86400) * 86400;
}

size_t ss_svg_decimate(const double *y, size_t n, size_t cap, size_t *idx)
{
    size_t m = 0;
    if (cap < 2)
        cap = 2;
    if (n <= cap) {
        for (size_t i = 0; i < n; i++)
            idx[m++] = i;
        return m;
    }
    size_t runs = cap / 2;
    for (size_t r = 0; r < runs; r++) {
        size_t a = n * r / runs, b = n * (r + 1) / runs;
        size_t lo = SIZE_MAX, hi = SIZE_MAX;
        for (size_t i = a; i < b; i++) {
            if (!isfinite(y[i]))
                continue;
            if (lo == SIZE_MAX || y[i] < y[lo])
                lo = i;
            if (hi == SIZE_MAX || y[i] > y[hi])
                hi = i;
        }
        if (lo == SIZE_MAX) {
            idx[m++] = a; /* the whole run is a gap: keep one NaN to break the line */
        } else if (lo == hi) {
            idx[m++] = lo;
        } else {
            idx[m++] = lo < hi ? lo : hi;
            idx[m++] = lo < hi ? hi : lo;
        }
    }
    return m;
}

void ss_plot_init(struct ss_plot *p, FILE *out, int w, int h, double x0, double x1, double y0,
                  double y1, bool ylog)
{
    p->out = out;
    p->w = w;
    p->h = h;
    p->ml = 64;
    p->mr = 16;
    p->mt = 8;
    p->mb = 36;
    p->x = (struct ss_svg_axis){ x0, x1, p->ml, w - p->mr, false };
    p->y = (struct ss_svg_axis){ y0, y1, h - p->mb, p->mt, ylog };
}

void ss_plot_open(const struct ss_plot *p, const char *label)
{
    fprintf(p->out, "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", p->w, p->h);
    ss_html_esc(p->out, label);
    fputs("\">\n", p->out);
}

void ss_plot_close(const struct ss_plot *p)
{
    fputs("</svg>\n", p->out);
}

static void frame(const struct ss_plot *p)
{
    fprintf(p->out,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
            "stroke=\"#8c959f\" stroke-width=\"1\"/>\n",
            p->ml, p->mt, p->w - p->ml - p->mr, p->h - p->mt - p->mb);
}

/* Tick labels: one date-time form for the whole axis, fine enough for the step. */
static void time_label(char *buf, size_t n, double ts, double step, bool multi_day)
{
    if (multi_day && step >= 60) {
        char full[40];
        ss_html_time(full, sizeof(full), ts);
        if (strlen(full) >= 16)
            snprintf(buf, n, "%.5s %.5s", full + 5, full + 11); /* "11-22 02:33" */
        else
            snprintf(buf, n, "?");
        return;
    }
    int dec = step >= 1 ? 0 : step >= 0.1 ? 1 : step >= 0.01 ? 2 : 3;
    ss_html_clock(buf, n, ts, dec);
}

void ss_plot_time_axis(const struct ss_plot *p, const char *caption)
{
    FILE *out = p->out;
    double lo = p->x.lo, hi = p->x.hi, span = hi - lo;
    int target = (p->w - p->ml - p->mr) / 95;
    double step = ss_svg_time_step(span, target > 1 ? target : 2);
    bool multi_day = floor(lo / 86400) != floor(hi / 86400) && span > 3600;
    int yb = p->h - p->mb;
    fputs("<g class=\"ax\">\n", out);
    if (span > 0) {
        /* A counted loop: with absurd times (a hostile document) k + 1 == k in doubles. */
        double first = ceil(lo / step - 1e-9) * step;
        for (int i = 0; i < TICKS_MAX && first + i * step <= hi + step * 1e-9; i++) {
            double t = first + i * step, x = ss_svg_map(&p->x, t);
            char lbl[40];
            time_label(lbl, sizeof(lbl), t, step, multi_day);
            fprintf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>"
                         "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                    x, p->mt, x, yb + 4, x, yb + 16, lbl);
        }
    }
    char d[40];
    ss_html_time(d, sizeof(d), lo);
    fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"cap\">UTC, %.10s",
            p->w - p->mr, p->h - 4, d);
    if (caption) {
        fputs(" \xe2\x80\x94 ", out);
        ss_html_esc(out, caption);
    }
    fputs("</text>\n</g>\n", out);
    frame(p);
}

static void y_grid(const struct ss_plot *p, double v, const char *label, bool major)
{
    double y = ss_svg_map(&p->y, v);
    fprintf(p->out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"%s\"/>", p->ml - 4,
            y, p->w - p->mr, y, major ? "grid" : "grid2");
    if (label)
        fprintf(p->out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", p->ml - 6,
                y + 4, label);
    fputc('\n', p->out);
}

/* "1us", "100us", "10ms", "1s": decade labels in the text report's units. */
static void decade_label(char *buf, size_t n, double us)
{
    if (us < 1000)
        snprintf(buf, n, "%.0fus", us);
    else if (us < 1e6)
        snprintf(buf, n, "%.0fms", us / 1e3);
    else
        snprintf(buf, n, "%.0fs", us / 1e6);
}

void ss_plot_latency_axis(const struct ss_plot *p)
{
    double t[16];
    size_t n = ss_svg_log_ticks(p->y.lo, p->y.hi, t, SS_ARRAY_LEN(t));
    fputs("<g class=\"ax\">\n", p->out);
    for (size_t i = 0; i < n; i++) {
        char lbl[24];
        decade_label(lbl, sizeof(lbl), t[i]);
        y_grid(p, t[i], lbl, true);
        if (n <= 6 && i + 1 < n) { /* few decades: 2x and 5x lines help reading values */
            y_grid(p, t[i] * 2, NULL, false);
            y_grid(p, t[i] * 5, NULL, false);
        }
    }
    fputs("</g>\n", p->out);
}

void ss_plot_count_axis(const struct ss_plot *p, const char *caption)
{
    double step = ss_svg_nice_step(p->y.hi - p->y.lo, 4);
    fputs("<g class=\"ax\">\n", p->out);
    double first = ceil(p->y.lo / step - 1e-9) * step;
    for (int i = 0; i < TICKS_MAX && first + i * step <= p->y.hi + step * 1e-9; i++) {
        char lbl[32];
        ss_html_count(lbl, sizeof(lbl), first + i * step);
        y_grid(p, first + i * step, lbl, true);
    }
    if (caption) {
        fprintf(p->out, "<text x=\"12\" y=\"%d\" class=\"cap\" transform=\"rotate(-90 12 %d)\" "
                        "text-anchor=\"middle\">", (p->mt + p->h - p->mb) / 2,
                (p->mt + p->h - p->mb) / 2);
        ss_html_esc(p->out, caption);
        fputs("</text>\n", p->out);
    }
    fputs("</g>\n", p->out);
}

void ss_plot_xspan(const struct ss_plot *p, double x0, double x1, const char *fill)
{
    double a = ss_svg_map(&p->x, x0), b = ss_svg_map(&p->x, x1);
    if (b - a < 0.5)
        b = a + 0.5; /* a very short OFF period stays visible */
    fprintf(p->out, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n", a,
            p->mt, b - a, p->h - p->mt - p->mb, fill);
}

void ss_plot_vline(const struct ss_plot *p, double x, const char *color, const char *dash,
                   const char *title)
{
    double px = ss_svg_map(&p->x, x);
    fprintf(p->out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
                    "stroke-width=\"1.5\"", px, p->mt, px, p->h - p->mb, color);
    if (dash)
        fprintf(p->out, " stroke-dasharray=\"%s\"", dash);
    if (title) {
        fputs("><title>", p->out);
        ss_html_esc(p->out, title);
        fputs("</title></line>\n", p->out);
    } else {
        fputs("/>\n", p->out);
    }
}

static void stroke_attrs(FILE *out, const struct ss_series *s)
{
    fprintf(out, " fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\" stroke-linejoin=\"round\"",
            s->color, s->width > 0 ? s->width : 1.0);
    if (s->dash)
        fprintf(out, " stroke-dasharray=\"%s\"", s->dash);
    if (s->opacity > 0 && s->opacity < 1)
        fprintf(out, " stroke-opacity=\"%.2f\"", s->opacity);
}

static void path_series(const struct ss_plot *p, const double *x, const double *y,
                        const size_t *idx, size_t m, const struct ss_series *s)
{
    FILE *out = p->out;
    bool down = false, any = false;
    for (size_t k = 0; k < m; k++) {
        size_t i = idx[k];
        double px = ss_svg_map(&p->x, x[i]);
        if (!isfinite(y[i])) {
            if (down && s->kind == SS_SERIES_STEP)
                fprintf(out, "H%.1f", px);
            down = false;
            continue;
        }
        double py = ss_svg_map(&p->y, y[i]);
        if (!any) {
            fputs("<path d=\"", out);
            any = true;
        }
        bool alone = k + 1 == m || !isfinite(y[idx[k + 1]]);
        if (!down && alone && s->kind == SS_SERIES_LINE)
            fprintf(out, "M%.1f %.1fh6", px - 3, py); /* a lone value: a short dash, not nothing */
        else if (!down)
            fprintf(out, "M%.1f %.1f", px, py);
        else if (s->kind == SS_SERIES_STEP)
            fprintf(out, "H%.1fV%.1f", px, py);
        else
            fprintf(out, "L%.1f %.1f", px, py);
        down = true;
    }
    if (!any)
        return;
    if (down && s->kind == SS_SERIES_STEP)
        fprintf(out, "H%.1f", ss_svg_map(&p->x, s->x_end));
    fputc('"', out);
    stroke_attrs(out, s);
    fputs("/>\n", out);
}

int ss_plot_series(const struct ss_plot *p, const double *x, const double *y, size_t n,
                   const struct ss_series *s)
{
    if (!n)
        return 0;
    size_t *idx = malloc(n * sizeof(*idx));
    if (!idx)
        return -1;
    size_t m = ss_svg_decimate(y, n, SS_SVG_MAX_POINTS, idx);
    if (s->kind == SS_SERIES_POINTS) {
        for (size_t k = 0; k < m; k++) {
            size_t i = idx[k];
            if (!isfinite(y[i]))
                continue;
            fprintf(p->out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"",
                    ss_svg_map(&p->x, x[i]), ss_svg_map(&p->y, y[i]),
                    s->width > 0 ? s->width : 2.0, s->color);
            if (s->opacity > 0 && s->opacity < 1)
                fprintf(p->out, " fill-opacity=\"%.2f\"", s->opacity);
            if (s->title) {
                fputs("><title>", p->out);
                s->title(p->out, i, s->title_ctx);
                fputs("</title></circle>\n", p->out);
            } else {
                fputs("/>\n", p->out);
            }
        }
    } else {
        path_series(p, x, y, idx, m, s);
    }
    free(idx);
    return 0;
}

void ss_plot_latency_x_axis(const struct ss_plot *p)
{
    double t[16];
    size_t n = ss_svg_log_ticks(p->x.lo, p->x.hi, t, SS_ARRAY_LEN(t));
    int yb = p->h - p->mb;
    fputs("<g class=\"ax\">\n", p->out);
    for (size_t i = 0; i < n; i++) {
        char lbl[24];
        double x = ss_svg_map(&p->x, t[i]);
        decade_label(lbl, sizeof(lbl), t[i]);
        fprintf(p->out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>"
                        "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                x, p->mt, x, yb + 4, x, yb + 16, lbl);
        for (int k = 2; k <= 5 && n <= 6 && i + 1 < n; k += 3) {
            double xm = ss_svg_map(&p->x, t[i] * k);
            fprintf(p->out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid2\"/>\n",
                    xm, p->mt, xm, yb);
        }
    }
    fputs("</g>\n", p->out);
}
