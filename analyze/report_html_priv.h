/* SPDX-License-Identifier: MIT */
/* report_html_priv.h: pieces shared by the HTML reporter's files: escaping and JSON accessors
 * (report_html_util.c), SVG plot primitives (report_html_svg.c) and the charts built from the
 * report document (report_html_charts.c). Declared here so the unit test can reach them. */
#ifndef SEMISCOPE_REPORT_HTML_PRIV_H
#define SEMISCOPE_REPORT_HTML_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#include "semiscope/report_html.h"

/* ---- report_html_util.c: escaping, formatting, tolerant JSON access ---- */

/* s as HTML text or attribute value: &<>"' become entities; tab, CR and LF become a space; other
 * C0/C1 control characters, DEL and the bidirectional override/isolate characters are dropped;
 * each byte that is not part of valid UTF-8 becomes the text "\xNN". NULL writes nothing. */
void ss_html_esc(FILE *out, const char *s);
/* A document key as a reader names it ("tx_wait_time_us" → "time commits waited
 * (tx_wait_time)"); the key itself when unknown. */
const char *ss_html_label(const char *key);
/* The same for the first n bytes of s. */
void ss_html_esc_n(FILE *out, const char *s, size_t n);

/* Accessors that return "absent" (NULL/false) for a missing key, a non-object parent or a value
 * of the wrong type, so the renderer never trusts the document's shape. */
const json_t *ss_html_get(const json_t *o, const char *key);
const char *ss_html_str(const json_t *o, const char *key);
const json_t *ss_html_arr(const json_t *o, const char *key);   /* array or NULL */
const json_t *ss_html_obj(const json_t *o, const char *key);   /* object or NULL */
bool ss_html_num(const json_t *o, const char *key, double *v); /* finite int or real */
bool ss_html_jnum(const json_t *v, double *out);               /* the same for a value */

/* "2026-11-22T02:33:31.123456Z" from unix seconds (microseconds, rounded). */
char *ss_html_time(char *buf, size_t n, double ts);
/* "02:33:31" plus `decimals` (0-3) fractional digits, UTC. */
char *ss_html_clock(char *buf, size_t n, double ts, int decimals);
/* A latency in microseconds in the text report's style ("245.1us", "12.34ms"). */
char *ss_html_dur_us(char *buf, size_t n, double us);
/* A count as plain integer text ("-" when not finite). */
char *ss_html_count(char *buf, size_t n, double v);

/* A JSON scalar as display text (strings escaped); keys named ts/…_ts become UTC times, …_us
 * become durations. Objects and arrays are written as compact JSON, escaped and cut at 200
 * bytes. */
void ss_html_value(FILE *out, const char *key, const json_t *v);

/* A table of objects: the columns are the union of the keys of the first rows (first-seen order,
 * at most 16), at most max_rows rows, then a line saying how many were left out. */
void ss_html_object_table(FILE *out, const json_t *arr, size_t max_rows);

/* The replica's colour in the charts (cycles through a fixed palette). */
const char *ss_html_color(size_t i);

/* A replica's label: "10.0.0.2 (2)" or the address alone; writes escaped HTML. */
void ss_html_replica_label(FILE *out, const json_t *replica);

/* ---- report_html_svg.c: plot primitives ---- */

#define SS_SVG_MAX_POINTS 2000 /* per series, after min/max decimation */

struct ss_svg_axis {
    double lo, hi; /* data range (log: both > 0) */
    double p0, p1; /* pixel range (p1 < p0 for a y axis) */
    bool log;
};

/* Pixel position of v on the axis; values outside the range are clamped to it. */
double ss_svg_map(const struct ss_svg_axis *a, double v);

/* Powers of ten covering [lo, hi] (lo > 0); returns how many were written (<= max). */
size_t ss_svg_log_ticks(double lo, double hi, double *ticks, size_t max);
/* Round [*lo, *hi] out to whole decades; lo is at least 1 (microsecond) when data is > 0. */
void ss_svg_log_range(double *lo, double *hi);
/* A 1/2/5 x 10^k step giving at most about `target` ticks over span (> 0). */
double ss_svg_nice_step(double span, int target);
/* A step (seconds) aligned to the clock (…, 0.5, 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min,
 * 1, 2, 3, 6, 12 h, 1 day) giving at most about `target` ticks over span. */
double ss_svg_time_step(double span, int target);

/* Indices (increasing) to draw of a series of n values so at most `cap` remain: the series is
 * cut into cap/2 runs and the minimum and the maximum of each run are kept; NaN (a gap) is kept
 * once per run that has no finite value. Returns the count written to idx (room for n). */
size_t ss_svg_decimate(const double *y, size_t n, size_t cap, size_t *idx);

struct ss_plot {
    FILE *out;
    int w, h;                   /* viewBox size */
    int ml, mr, mt, mb;         /* margins: the plot area is inside */
    struct ss_svg_axis x, y;
};

enum ss_series_kind { SS_SERIES_LINE, SS_SERIES_STEP, SS_SERIES_POINTS };

struct ss_series {
    enum ss_series_kind kind;
    const char *color;          /* a constant from this program, never document text */
    double width;               /* stroke width, or point radius */
    const char *dash;           /* stroke-dasharray or NULL */
    double opacity;             /* 0 = 1 */
    double x_end;               /* STEP: where the last value ends */
    /* POINTS: writes the (escaped) tooltip of point i; NULL = none. */
    void (*title)(FILE *out, size_t i, const void *ctx);
    const void *title_ctx;
};

/* Sets up axes for a w x h plot with the usual margins. */
void ss_plot_init(struct ss_plot *p, FILE *out, int w, int h, double x0, double x1, double y0,
                  double y1, bool ylog);
/* <svg …> with role=img and the (escaped) label; ss_plot_close ends it. */
void ss_plot_open(const struct ss_plot *p, const char *label);
void ss_plot_close(const struct ss_plot *p);
/* The frame, vertical grid and UTC clock labels along the bottom. */
void ss_plot_time_axis(const struct ss_plot *p, const char *caption);
/* Horizontal grid and labels: log axis in microseconds (durations), or a linear count axis. */
void ss_plot_latency_axis(const struct ss_plot *p);
/* A horizontal log axis in microseconds along the bottom (the percentile chart). */
void ss_plot_latency_x_axis(const struct ss_plot *p);
void ss_plot_count_axis(const struct ss_plot *p, const char *caption);
/* A shaded span over the whole plot height (an OFF period). */
void ss_plot_xspan(const struct ss_plot *p, double x0, double x1, const char *fill);
/* A vertical marker at x with an optional tooltip; `title` is document text (escaped). */
void ss_plot_vline(const struct ss_plot *p, double x, const char *color, const char *dash,
                   const char *title);
/* A series; NaN in y breaks a line. Decimated to SS_SVG_MAX_POINTS. 0, or -1 on OOM. */
int ss_plot_series(const struct ss_plot *p, const double *x, const double *y, size_t n,
                   const struct ss_series *s);

/* ---- report_html_charts.c: the charts of one master ---- */

/* The capture span used by every time chart of the page: capture.first_ts/last_ts, widened to
 * whatever master data lies outside it. False when the document has no time at all. */
bool ss_html_span(const json_t *report, double *t0, double *t1);

/* The semisync ON/OFF band with transitions, replica connection rows, unanswered requests and
 * server-log ticks. */
void ss_html_state_chart(FILE *out, const json_t *master, double t0, double t1);
/* Per-replica ack latency per interval (log scale) and requests/acks per interval. */
void ss_html_latency_charts(FILE *out, const json_t *master, double t0, double t1);
/* Percentile bars of each replica's ack latency (and the network/replica split, commit wait). */
void ss_html_percentile_chart(FILE *out, const json_t *master);
/* Seconds the master spent in each state over [t0, t1] per the transitions. */
void ss_html_state_durations(const json_t *master, double t0, double t1, double *on, double *off,
                             double *other);

/* ---- report_html_tables.c: the tables of one master, and the page-level health section ---- */

void ss_html_slowest(FILE *out, const json_t *master);
void ss_html_unanswered(FILE *out, const json_t *master);
void ss_html_correlation(FILE *out, const json_t *master);
void ss_html_counters(FILE *out, const json_t *master);
/* The unprotected transactions (an array in the schema, {count, list} tolerated); *count is NaN
 * when the master has no such key. */
const json_t *ss_html_unprotected_list(const json_t *master, double *count);
void ss_html_unprotected(FILE *out, const json_t *master);
void ss_html_server_timeline(FILE *out, const json_t *master);
void ss_html_health(FILE *out, const json_t *report);

#endif
