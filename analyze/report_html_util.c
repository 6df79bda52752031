/* SPDX-License-Identifier: MIT */
/* report_html_util.c: escaping, formatting and tolerant JSON access for the HTML report. Every
 * string of the document is hostile (binlog names, hosts and log lines come from the wire or from
 * files a user hands us), so nothing reaches the page without going through ss_html_esc. */
#include "report_html_priv.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "semiscope/common.h"
#include "semiscope/report.h"

/* Length of the valid UTF-8 sequence at p (1-4) and its code point, or 0 when invalid
 * (overlong, surrogate, above U+10FFFF, truncated). */
static size_t utf8_decode(const unsigned char *p, uint32_t *cp)
{
    size_t len;
    uint32_t c, min;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    } else if ((p[0] & 0xe0) == 0xc0) {
        len = 2, c = p[0] & 0x1f, min = 0x80;
    } else if ((p[0] & 0xf0) == 0xe0) {
        len = 3, c = p[0] & 0x0f, min = 0x800;
    } else if ((p[0] & 0xf8) == 0xf0) {
        len = 4, c = p[0] & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) /* also stops at the NUL terminator */
            return 0;
        c = (c << 6) | (p[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* Characters that are valid but must not reach the page: C1 controls and the bidirectional
 * embedding/override/isolate marks, which can make a file name display as something else. */
static bool dropped_cp(uint32_t c)
{
    return (c >= 0x80 && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f;
}

void ss_html_esc(FILE *out, const char *s)
{
    if (!s)
        return;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp;
        size_t len = utf8_decode(p, &cp);
        if (!len) {
            fprintf(out, "\\x%02x", *p);
            p++;
            continue;
        }
        if (len > 1) {
            if (!dropped_cp(cp))
                fwrite(p, 1, len, out);
            p += len;
            continue;
        }
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        case '\t':
        case '\n':
        case '\r': fputc(' ', out); break;
        default:
            if (*p >= 0x20 && *p != 0x7f)
                fputc(*p, out);
            break;
        }
        p++;
    }
}

void ss_html_esc_n(FILE *out, const char *s, size_t n)
{
    char *c = s ? strndup(s, n) : NULL;
    ss_html_esc(out, c); /* out of memory: the piece is left out, never unescaped */
    free(c);
}

const json_t *ss_html_get(const json_t *o, const char *key)
{
    return json_is_object(o) ? json_object_get(o, key) : NULL;
}

const char *ss_html_str(const json_t *o, const char *key)
{
    const json_t *v = ss_html_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

const json_t *ss_html_arr(const json_t *o, const char *key)
{
    const json_t *v = ss_html_get(o, key);
    return json_is_array(v) ? v : NULL;
}

const json_t *ss_html_obj(const json_t *o, const char *key)
{
    const json_t *v = ss_html_get(o, key);
    return json_is_object(v) ? v : NULL;
}

bool ss_html_jnum(const json_t *v, double *out)
{
    if (!json_is_number(v))
        return false;
    double d = json_number_value(v);
    if (!isfinite(d))
        return false;
    *out = d;
    return true;
}

bool ss_html_num(const json_t *o, const char *key, double *v)
{
    return ss_html_jnum(ss_html_get(o, key), v);
}

/* Unix seconds (float) to whole seconds and microseconds, rounding the fraction so that a value
 * printed by report_json.c from nanoseconds comes back to the same microsecond. */
static void split_ts(double ts, int64_t *sec, int64_t *us)
{
    double fl = floor(ts);
    int64_t s = (int64_t)fl;
    int64_t u = llround((ts - fl) * 1e6);
    if (u >= 1000000) {
        s++;
        u -= 1000000;
    }
    *sec = s;
    *us = u;
}

char *ss_html_time(char *buf, size_t n, double ts)
{
    if (!isfinite(ts) || ts < 0 || ts > 253402300799.0) { /* beyond year 9999 */
        snprintf(buf, n, "?");
        return buf;
    }
    int64_t sec, us;
    split_ts(ts, &sec, &us);
    return ss_report_time(buf, n, (uint64_t)sec * 1000000000u + (uint64_t)us * 1000u);
}

char *ss_html_clock(char *buf, size_t n, double ts, int decimals)
{
    if (!isfinite(ts) || ts < 0 || ts > 253402300799.0) {
        snprintf(buf, n, "?");
        return buf;
    }
    int64_t sec, us;
    split_ts(ts, &sec, &us);
    int64_t day = sec % 86400;
    char frac[24] = "";
    if (decimals > 0) {
        int d = decimals > 3 ? 3 : decimals;
        int64_t div = d == 1 ? 100000 : d == 2 ? 10000 : 1000;
        snprintf(frac, sizeof(frac), ".%0*u", d, (unsigned)(us / div % 1000));
    }
    snprintf(buf, n, "%02d:%02d:%02d%s", (int)(day / 3600), (int)(day / 60 % 60), (int)(day % 60),
             frac);
    return buf;
}

char *ss_html_dur_us(char *buf, size_t n, double us)
{
    if (!isfinite(us) || us < 0 || us > 1.8e13) {
        snprintf(buf, n, "-");
        return buf;
    }
    return ss_report_duration(buf, n, (uint64_t)llround(us * 1000.0));
}

char *ss_html_count(char *buf, size_t n, double v)
{
    if (!isfinite(v))
        snprintf(buf, n, "-");
    else if (v == floor(v) && fabs(v) < 9e15)
        snprintf(buf, n, "%lld", (long long)v);
    else
        snprintf(buf, n, "%.6g", v);
    return buf;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

void ss_html_value(FILE *out, const char *key, const json_t *v)
{
    char buf[64];
    double d;
    key = key ? key : "";
    if (!v || json_is_null(v)) {
        fputs("<span class=\"mute\">-</span>", out);
    } else if (json_is_string(v)) {
        ss_html_esc(out, json_string_value(v));
    } else if (json_is_boolean(v)) {
        fputs(json_is_true(v) ? "yes" : "no", out);
    } else if (ss_html_jnum(v, &d)) {
        if (!strcmp(key, "ts") || ends_with(key, "_ts"))
            fputs(ss_html_time(buf, sizeof(buf), d), out);
        else if (ends_with(key, "_us"))
            fputs(ss_html_dur_us(buf, sizeof(buf), d), out);
        else
            fputs(ss_html_count(buf, sizeof(buf), d), out);
    } else {
        char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
        if (s && strlen(s) > 200)
            memcpy(s + 197, "...", 4); /* keeps the NUL: the string is longer than 200 */
        ss_html_esc(out, s ? s : "?");
        free(s);
    }
}

#define TABLE_COLS_MAX 16
#define TABLE_SCAN_ROWS 64
#define TABLE_FOLD_ROWS 20

const char *ss_html_label(const char *key)
{
    /* the document's keys as a reader names them; unknown keys are shown as they are */
    static const char *const map[][2] = {
        {"ts", "time (UTC)"}, {"approximate_s", "\xc2\xb1 s"}, {"position", "binlog position"},
        {"gtid", "GTID"}, {"why", "why"}, {"source", "source"}, {"what", "what"},
        {"server_ts", "server time (UTC)"}, {"resolution_s", "resolution s"},
        {"yes_tx", "commits released by an ack (yes_tx)"},
        {"no_tx", "commits without an ack (no_tx)"},
        {"no_times", "switches ON \xe2\x86\x92 OFF (no_times)"},
        {"get_ack", "acks read while enabled (get_ack)"},
        {"request_ack", "transactions registered for an ack (request_ack)"},
        {"net_waits", "flagged events sent (net_waits)"},
        {"clients_start", "semisync clients at the start"},
        {"clients_end", "semisync clients at the end"},
        {"tx_waits", "commits that waited (tx_waits)"},
        {"tx_wait_time_us", "time commits waited (tx_wait_time)"},
        {"wait_ns", "waited"}, {"wait_us", "waited"}, {"server_id", "server id"},
    };
    for (size_t i = 0; key && i < SS_ARRAY_LEN(map); i++)
        if (!strcmp(key, map[i][0]))
            return map[i][1];
    return key;
}

/* A time the analysis knows only to +/- approx seconds, with the precision it has: "02:33:34.5 ±0.5 s"
 * rather than ".500000Z". */
static void approx_time(FILE *out, double ts, double approx)
{
    char buf[64];
    ss_html_time(buf, sizeof(buf), ts);
    char *dot = strchr(buf, '.');
    int keep = approx >= 0.05 ? 1 : approx >= 0.005 ? 2 : 3;
    if (dot && strlen(dot) > (size_t)keep + 1)
        snprintf(dot + 1 + keep, sizeof(buf) - (size_t)(dot + 1 + keep - buf), "Z");
    ss_html_esc(out, buf);
    fprintf(out, " \xc2\xb1%.*f s", keep, approx);
}

void ss_html_object_table(FILE *out, const json_t *arr, size_t max_rows)
{
    const char *cols[TABLE_COLS_MAX];
    size_t ncols = 0, n = json_array_size(arr);
    for (size_t i = 0; i < n && i < TABLE_SCAN_ROWS; i++) {
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)json_array_get(arr, i), k, v) {
            size_t c = 0;
            while (c < ncols && strcmp(cols[c], k))
                c++;
            if (c == ncols && ncols < TABLE_COLS_MAX)
                cols[ncols++] = k;
        }
    }
    if (!ncols)
        return;
    /* a long table is folded, its count in view */
    bool fold = n > TABLE_FOLD_ROWS;
    if (fold)
        fprintf(out, "<details><summary>%zu rows</summary>\n", n < max_rows ? n : max_rows);
    fputs("<table><thead><tr>", out);
    for (size_t c = 0; c < ncols; c++) {
        fputs("<th>", out);
        ss_html_esc(out, ss_html_label(cols[c]));
        fputs("</th>", out);
    }
    fputs("</tr></thead><tbody>\n", out);
    size_t shown = 0;
    for (size_t i = 0; i < n && shown < max_rows; i++) {
        const json_t *row = json_array_get(arr, i);
        if (!json_is_object(row))
            continue;
        fputs("<tr>", out);
        for (size_t c = 0; c < ncols; c++) {
            const json_t *v = json_object_get(row, cols[c]);
            double ts, ap;
            fputs(json_is_number(v) ? "<td class=\"n\">" : "<td>", out);
            if (!strcmp(cols[c], "ts") && ss_html_jnum(v, &ts) &&
                ss_html_num(row, "approximate_s", &ap) && ap > 0)
                approx_time(out, ts, ap);
            else
                ss_html_value(out, cols[c], v);
            fputs("</td>", out);
        }
        fputs("</tr>\n", out);
        shown++;
    }
    fputs("</tbody></table>\n", out);
    if (fold)
        fputs("</details>\n", out);
    if (n > shown)
        fprintf(out, "<p class=\"mute\">%zu more not shown.</p>\n", n - shown);
}

const char *ss_html_color(size_t i)
{
    /* Distinguishable on screen and in grey print; no red or green, which mean OFF and ON. */
    static const char *const palette[] = {
        "#1f6feb", "#e36209", "#8250df", "#0a8a8a", "#b35900", "#bf3989", "#4d5b6a", "#9a8700",
    };
    return palette[i % SS_ARRAY_LEN(palette)];
}

void ss_html_replica_label(FILE *out, const json_t *replica)
{
    const char *addr = ss_html_str(replica, "address");
    double id;
    ss_html_esc(out, addr ? addr : "?");
    if (ss_html_num(replica, "server_id", &id))
        fprintf(out, " (%lld)", (long long)id);
}
