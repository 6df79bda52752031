/* SPDX-License-Identifier: MIT */
/* report_html.c: the self-contained HTML report (docs/html-report.md). It renders the JSON report
 * document, not the internal structs, so it follows the documented contract and tolerates any
 * field being absent. Layout: capture header; per master the answer first (state at start and
 * end, time OFF, diagnosis), then the state band, replica table, latency over time, percentile
 * bars, slowest acks, unanswered requests, correlation, counters, unprotected transactions and the
 * merged server timeline; then capture health, anomalies, caps and notes. */
#include "semiscope/report_html.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_html_priv.h"
#include "semiscope/common.h"

/* Kept as separate literals: ISO C only promises 4095-byte strings. */
static const char *const css[] = {
    ":root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--info:#0969da;--mute:#6e7781;"
    "--line:#d0d7de;--bg2:#f6f8fa}",
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;"
    "color:#1f2328;max-width:1080px;margin:0 auto;padding:16px 24px;background:#fff}",
    "h1{font-size:22px;margin:0 0 2px}h2{font-size:19px;margin:36px 0 8px;padding-bottom:4px;"
    "border-bottom:2px solid var(--line)}h3{font-size:15px;margin:22px 0 6px}",
    "table{border-collapse:collapse;margin:4px 0 12px;font-size:13px}"
    "th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}"
    "th{background:var(--bg2);font-weight:600}td.n{text-align:right;white-space:nowrap;"
    "font-variant-numeric:tabular-nums}",
    "table.kv th{width:11em}.mono,td.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"
    "monospace;font-size:12px;overflow-wrap:break-word}td.addr{white-space:nowrap}"
    "td.pos{min-width:26ch}",
    ".mute{color:var(--mute)}.sub{color:var(--mute);font-size:13px;margin:0 0 10px}",
    ".summary{border:1px solid var(--line);border-left:8px solid var(--mute);border-radius:6px;"
    "padding:10px 16px;margin:10px 0 8px}.summary.bad{border-left-color:var(--bad)}"
    ".summary.warn{border-left-color:#bf8700}.summary.ok{border-left-color:var(--ok)}",
    ".summary .state{font-size:16px;margin:2px 0 6px}.facts{color:#424a53;margin:0 0 6px}",
    ".badge{display:inline-block;padding:0 9px;border-radius:10px;font-weight:700;color:#fff;"
    "font-size:13px;line-height:20px}.b-on{background:#1a7f37}.b-off{background:#cf222e}"
    ".b-disabled{background:#8c959f}.b-unknown{background:#6e7781}",
    ".diag{border-left:5px solid var(--mute);background:var(--bg2);padding:6px 12px;"
    "margin:6px 0;border-radius:3px}.diag.critical{border-left-color:var(--bad);"
    "background:#ffebe9}.diag.warning{border-left-color:#bf8700;background:#fff8c5}"
    ".diag.info{border-left-color:var(--info);background:#ddf4ff}",
    ".diag .sev{font-weight:700;text-transform:uppercase;font-size:11px;margin-right:6px}"
    ".diag .cause{font-weight:600}.diag p{margin:3px 0}.diag ul{margin:2px 0;padding-left:20px}",
    ".v-ok{color:var(--ok);font-weight:600}.v-bad{color:var(--bad);font-weight:600}"
    ".v-mute{color:var(--mute)}.to-off{color:var(--bad);font-weight:700}"
    ".to-on{color:var(--ok);font-weight:700}",
    "figure{margin:6px 0 14px}svg{width:100%;height:auto;display:block;"
    "font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:11px}",
    "svg text{fill:#424a53}svg .cap{fill:#6e7781}svg .lbl{font-size:11.5px;fill:#1f2328}"
    "svg .fig{font-size:11.5px;fill:#1f2328}svg .grid{stroke:#d8dee4;stroke-width:1}"
    "svg .grid2{stroke:#eef1f4;stroke-width:1}svg .tr rect:hover+*{opacity:1}",
    ".legend{font-size:12px;color:#424a53;margin-top:2px}.legend span{margin-right:16px;"
    "white-space:nowrap;display:inline-block}.legend .key{color:var(--mute);white-space:normal}"
    ".sw{display:inline-block;width:18px;height:4px;margin:0 5px 3px 0;vertical-align:middle}",
    "nav ul{margin:4px 0;padding-left:20px}footer{margin-top:40px;color:var(--mute);"
    "font-size:12px;border-top:1px solid var(--line);padding-top:6px}",
    /* a narrow window (800 px): tighter cells, and a table still too wide scrolls inside its own
     * box instead of widening the page */
    "table{display:block;max-width:100%;overflow-x:auto;width:max-content}"
    "details>summary{cursor:pointer;color:var(--mute);margin:4px 0}"
    "th{overflow-wrap:normal;word-break:normal;hyphens:none}",
    "@media (max-width:900px){body{padding:10px 12px}th,td{padding:2px 5px}"
    "table{font-size:12px}td.pos{min-width:0}.mono,td.mono{font-size:11px;"
    "overflow-wrap:anywhere}}",
    "@media print{table{display:table;max-width:none;overflow:visible}body{max-width:none;padding:0;font-size:12px}h2{break-before:page}"
    "section:first-of-type h2{break-before:auto}figure,.summary,.diag,tr{break-inside:avoid}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}",
};

static void head(FILE *out, const json_t *report)
{
    const json_t *cap = ss_html_obj(report, "capture"), *ms = ss_html_arr(report, "masters");
    const json_t *files = ss_html_arr(cap, "files");
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>semiscope report", out);
    const char *ep = ss_html_str(json_array_get(ms, 0), "endpoint");
    const char *file = json_string_value(json_array_get(files, 0));
    if (ep) {
        fputs(": ", out);
        ss_html_esc(out, ep);
    }
    double ts;
    char t[40];
    if (ss_html_num(cap, "first_ts", &ts) && strlen(ss_html_time(t, sizeof(t), ts)) >= 16)
        fprintf(out, ", %.10s %.5s UTC", t, t + 11);
    if (file) {
        fputs(" (", out);
        ss_html_esc(out, file);
        fputs(")", out);
    }
    fputs("</title>\n<style>\n", out);
    for (size_t i = 0; i < SS_ARRAY_LEN(css); i++) {
        fputs(css[i], out);
        fputc('\n', out);
    }
    fputs("</style>\n</head>\n<body>\n", out);
}

static void kv_row(FILE *out, const char *name)
{
    fprintf(out, "<tr><th>%s</th><td>", name);
}

/* At the very top: an input file not read to its end makes the whole page partial. */
static void read_error_banner(FILE *out, const json_t *cap)
{
    const json_t *e = ss_html_obj(cap, "read_error");
    if (!e)
        return;
    double frame = 0, off = -1, more = 0;
    ss_html_num(e, "frame", &frame);
    ss_html_num(e, "offset", &off);
    ss_html_num(cap, "files_not_read_to_end", &more);
    fputs("<div class=\"diag critical\"><p><span class=\"sev\">read error</span>"
          "<span class=\"cause\"><span class=\"mono\">", out);
    ss_html_esc(out, ss_html_str(e, "file") ? ss_html_str(e, "file") : "?");
    fputs("</span> was not read to its end: this report covers only what was read.</span></p>\n"
          "<p>", out);
    fprintf(out, "Frame %.0f could not be read", frame);
    if (off >= 0 && frame > 1)
        fprintf(out, " (reading failed at or after byte %.0f, where frame %.0f ends)", off,
                frame - 1);
    else if (off >= 0)
        fprintf(out, " (reading failed at or after byte %.0f, where the file header ends)", off);
    fputs(frame > 1 ? "; the frames before it were analysed, none after it: "
                    : "; nothing of this file was analysed: ",
          out);
    ss_html_esc(out, ss_html_str(e, "message") ? ss_html_str(e, "message") : "");
    fputs("</p>\n", out);
    if (more > 1)
        fprintf(out, "<p>%.0f more file%s not read to the end (semiscope's warnings on stderr "
                     "name them).</p>\n", more - 1, more > 2 ? "s" : "");
    fputs("</div>\n", out);
}

static void capture_header(FILE *out, const json_t *report)
{
    const json_t *cap = ss_html_obj(report, "capture");
    char a[48], b[48];
    fputs("<header>\n<h1>semiscope report</h1>\n<p class=\"sub\">Semi-synchronous replication "
          "as seen on the wire. Times are UTC; latencies are measured at the capture point.</p>\n",
          out);
    read_error_banner(out, cap);
    fputs("<table class=\"kv\">\n", out);
    const json_t *files = ss_html_arr(cap, "files");
    for (size_t i = 0; i < json_array_size(files); i++) {
        kv_row(out, i ? "" : json_array_size(files) > 1 ? "capture files" : "capture file");
        fputs("<span class=\"mono\">", out);
        ss_html_esc(out, json_string_value(json_array_get(files, i)));
        fputs("</span></td></tr>\n", out);
    }
    static const char *const strs[][2] = { { "interface", "interface" }, { "filter", "filter" } };
    for (size_t i = 0; i < SS_ARRAY_LEN(strs); i++) {
        const char *s = ss_html_str(cap, strs[i][0]);
        if (s && *s) {
            kv_row(out, strs[i][1]);
            fputs("<span class=\"mono\">", out);
            ss_html_esc(out, s);
            fputs("</span></td></tr>\n", out);
        }
    }
    double t0, t1, d;
    bool h0 = ss_html_num(cap, "first_ts", &t0), h1 = ss_html_num(cap, "last_ts", &t1);
    if (h0 || h1) {
        kv_row(out, "time span");
        fprintf(out, "%s \xe2\x80\x93 %s", h0 ? ss_html_time(a, sizeof(a), t0) : "?",
                h1 ? ss_html_time(b, sizeof(b), t1) : "?");
        if (h0 && h1)
            fprintf(out, " (%.3f s)", t1 - t0);
        fputs("</td></tr>\n", out);
    }
    static const char *const nums[][2] = { { "packets", "packets" }, { "bytes", "bytes" } };
    for (size_t i = 0; i < SS_ARRAY_LEN(nums); i++)
        if (ss_html_num(cap, nums[i][0], &d)) {
            kv_row(out, nums[i][1]);
            fprintf(out, "%s</td></tr>\n", ss_html_count(a, sizeof(a), d));
        }
    const json_t *dr = ss_html_obj(cap, "drops");
    if (dr) {
        double k = NAN, f = NAN, r = NAN;
        ss_html_num(dr, "kernel_dropped", &k);
        ss_html_num(dr, "if_dropped", &f);
        ss_html_num(dr, "kernel_received", &r);
        kv_row(out, "drops");
        fprintf(out, "%s%s</span> by the kernel, %s by the interface (%s received)</td></tr>\n",
                k > 0 || f > 0 ? "<span class=\"v-bad\">" : "<span>",
                ss_html_count(a, sizeof(a), k), ss_html_count(b, sizeof(b), f),
                ss_html_count((char[32]){ 0 }, 32, r));
    }
    if (ss_html_num(cap, "out_of_order_ts", &d) && d > 0) {
        kv_row(out, "warning");
        fprintf(out, "%s frames with timestamps going backwards</td></tr>\n",
                ss_html_count(a, sizeof(a), d));
    }
    if (json_is_true(ss_html_get(cap, "interrupted"))) {
        kv_row(out, "status");
        fputs("interrupted: the report covers the capture until then</td></tr>\n", out);
    }
    fputs("</table>\n</header>\n", out);
}

static const char *badge_class(const char *state)
{
    if (!state)
        return "b-unknown";
    if (!strcmp(state, "on"))
        return "b-on";
    if (!strcmp(state, "off"))
        return "b-off";
    return !strcmp(state, "disabled") ? "b-disabled" : "b-unknown";
}

static void badge(FILE *out, const char *state)
{
    fprintf(out, "<span class=\"badge %s\">", badge_class(state));
    if (state)
        ss_html_esc(out, state);
    else
        fputs("unknown", out);
    fputs("</span>", out);
}

/* The class for a diagnosis severity: a fixed set, so document text never reaches an attribute. */
static const char *sev_class(const char *sev)
{
    static const char *const known[] = { "critical", "warning", "info" };
    for (size_t i = 0; sev && i < SS_ARRAY_LEN(known); i++)
        if (!strcmp(sev, known[i]))
            return known[i];
    return "other";
}

/* Evidence items are joined with " | " in the document: one list item each. */
static void text_items(FILE *out, const char *label, const char *s)
{
    if (!strstr(s, " | ")) {
        fprintf(out, "<p><b>%s:</b> ", label);
        ss_html_esc(out, s);
        fputs("</p>\n", out);
        return;
    }
    fprintf(out, "<p><b>%s:</b></p><ul>", label);
    while (*s) {
        const char *bar = strstr(s, " | ");
        size_t len = bar ? (size_t)(bar - s) : strlen(s);
        fputs("<li>", out);
        ss_html_esc_n(out, s, len);
        fputs("</li>", out);
        s += len + (bar ? 3 : 0);
    }
    fputs("</ul>\n", out);
}

static void text_or_list(FILE *out, const char *label, const json_t *v)
{
    if (json_is_string(v) && *json_string_value(v)) {
        text_items(out, label, json_string_value(v));
    } else if (json_is_array(v) && json_array_size(v)) {
        fprintf(out, "<p><b>%s:</b></p><ul>", label);
        for (size_t i = 0; i < json_array_size(v); i++) {
            fputs("<li>", out);
            ss_html_value(out, NULL, json_array_get(v, i));
            fputs("</li>", out);
        }
        fputs("</ul>\n", out);
    }
}

static void diagnosis(FILE *out, const json_t *master)
{
    const json_t *dg = ss_html_arr(master, "diagnosis");
    if (!dg) {
        fputs("<p class=\"mute\">No diagnosis in this report.</p>\n", out);
        return;
    }
    for (size_t i = 0; i < json_array_size(dg); i++) {
        const json_t *d = json_array_get(dg, i);
        const char *sev = ss_html_str(d, "severity");
        fprintf(out, "<div class=\"diag %s\"><p><span class=\"sev\">", sev_class(sev));
        ss_html_esc(out, sev ? sev : "note");
        fputs("</span><span class=\"cause\">", out);
        ss_html_esc(out, ss_html_str(d, "cause"));
        fputs("</span></p>\n", out);
        text_or_list(out, "Evidence", ss_html_get(d, "evidence"));
        text_or_list(out, "Remedy", ss_html_get(d, "remedy"));
        fputs("</div>\n", out);
    }
    /* from the wire alone, or what the server's files did to the wire's verdict */
    const char *note = ss_html_str(ss_html_obj(master, "diagnosis_basis"), "note");
    if (note) {
        fputs("<p class=\"basis\"><b>Basis:</b> ", out);
        ss_html_esc(out, note);
        fputs("</p>\n", out);
    }
}

static size_t count_to(const json_t *trs, const char *to)
{
    size_t n = 0;
    for (size_t i = 0; i < json_array_size(trs); i++) {
        const char *s = ss_html_str(json_array_get(trs, i), "to");
        n += s && !strcmp(s, to);
    }
    return n;
}

/* The box's colour: the worst diagnosis; at least amber when semisync was OFF or a commit went
 * unprotected, red when it ended OFF or disabled. */
static const char *summary_class(const json_t *master)
{
    const json_t *dg = ss_html_arr(master, "diagnosis");
    bool warn = false, info = false;
    for (size_t i = 0; i < json_array_size(dg); i++) {
        const char *s = sev_class(ss_html_str(json_array_get(dg, i), "severity"));
        if (!strcmp(s, "critical"))
            return "bad";
        warn |= !strcmp(s, "warning");
        info |= !strcmp(s, "info");
    }
    const json_t *semi = ss_html_obj(master, "semisync");
    const char *start = ss_html_str(semi, "state_start"), *end = ss_html_str(semi, "state_end");
    if (end && (!strcmp(end, "off") || !strcmp(end, "disabled")))
        return "bad";
    /* semisync was OFF at some point, or a commit went unprotected: never green, whatever the
     * diagnosis says */
    double unprot = 0;
    ss_html_unprotected_list(master, &unprot);
    if (warn || count_to(ss_html_arr(semi, "transitions"), "off") ||
        (start && (!strcmp(start, "off") || !strcmp(start, "disabled"))) || unprot > 0)
        return "warn";
    return info || (end && !strcmp(end, "on")) ? "ok" : "";
}

static void summary_facts(FILE *out, const json_t *master)
{
    char a[32], b[32];
    const json_t *reps = ss_html_arr(master, "replicas");
    size_t nsemi = 0;
    for (size_t i = 0; i < json_array_size(reps); i++)
        nsemi += json_is_true(ss_html_get(json_array_get(reps, i), "semisync"));
    double tx, un, v;
    fputs("<p class=\"facts\">", out);
    if (ss_html_num(master, "transactions", &tx))
        fprintf(out, "%s transactions, ", ss_html_count(a, sizeof(a), tx));
    fprintf(out, "%zu replica%s (%zu semisync)", json_array_size(reps),
            json_array_size(reps) == 1 ? "" : "s", nsemi);
    ss_html_unprotected_list(master, &un);
    const json_t *semi = ss_html_obj(master, "semisync");
    const char *st0 = ss_html_str(semi, "state_start"), *st1 = ss_html_str(semi, "state_end");
    if ((st0 && !strcmp(st0, "disabled")) || (st1 && !strcmp(st1, "disabled")))
        fputs(", <b>semisync disabled</b>: no commit waited for a replica", out);
    else if (isfinite(un))
        fprintf(out, ", <b>%s</b> unprotected transaction%s (committed without a replica ack)",
                ss_html_count(b, sizeof(b), un), un == 1 ? "" : "s");
    const json_t *cw = ss_html_obj(master, "commit_wait_us");
    if (cw && ss_html_num(cw, "p99", &v))
        fprintf(out, ", commit wait p99 %s", ss_html_dur_us(a, sizeof(a), v));
    if (ss_html_num(cw, "max", &v))
        fprintf(out, " (max %s)", ss_html_dur_us(a, sizeof(a), v));
    fputs(".</p>\n", out);
}

static void summary(FILE *out, const json_t *master, double t0, double t1)
{
    const json_t *semi = ss_html_obj(master, "semisync");
    fprintf(out, "<div class=\"summary %s\">\n<p class=\"state\">", summary_class(master));
    if (semi) {
        const json_t *trs = ss_html_arr(semi, "transitions");
        fputs("Semisync at capture start ", out);
        badge(out, ss_html_str(semi, "state_start"));
        fputs(" \xe2\x86\x92 at capture end ", out);
        badge(out, ss_html_str(semi, "state_end"));
        size_t off = count_to(trs, "off");
        fprintf(out, " &nbsp; %zu transition%s (%zu to OFF)", json_array_size(trs),
                json_array_size(trs) == 1 ? "" : "s", off);
        double on_s, off_s, other_s;
        ss_html_state_durations(master, t0, t1, &on_s, &off_s, &other_s);
        if (off_s > 0 && t1 > t0)
            fprintf(out, ", OFF for <b>%.3f s</b> of %.3f s (%.1f%%)", off_s, t1 - t0,
                    100.0 * off_s / (t1 - t0));
    } else {
        fputs("Semisync state: <span class=\"mute\">not in this report</span>", out);
    }
    fputs("</p>\n", out);
    summary_facts(out, master);
    diagnosis(out, master);
    fputs("</div>\n", out);
}

static void transitions_table(FILE *out, const json_t *master, double t0)
{
    const json_t *trs = ss_html_arr(ss_html_obj(master, "semisync"), "transitions");
    if (!json_array_size(trs)) {
        fputs("<p class=\"mute\">No ON/OFF transition during the capture.</p>\n", out);
        return;
    }
    /* hundreds of transitions (a flapping master) are folded, their count in view */
    bool fold = json_array_size(trs) > 20;
    if (fold)
        fprintf(out, "<details><summary>%zu transitions</summary>\n", json_array_size(trs));
    fputs("<table><thead><tr><th>time (UTC)</th><th>+s</th><th>to</th><th>binlog position</th>"
          "<th>reason</th></tr></thead><tbody>\n", out);
    for (size_t i = 0; i < json_array_size(trs); i++) {
        const json_t *tr = json_array_get(trs, i);
        const char *to = ss_html_str(tr, "to");
        double ts;
        char t[48];
        bool has = ss_html_num(tr, "ts", &ts);
        double apx;
        fprintf(out, "<tr><td class=\"n\">%s", has ? ss_html_time(t, sizeof(t), ts) : "?");
        if (ss_html_num(tr, "approximate_s", &apx))
            fprintf(out, "<br><span class=\"mute\">\xc2\xb1%.3f s</span>", apx);
        fputs("</td><td class=\"n\">", out);
        if (has)
            fprintf(out, "%.3f", ts - t0);
        fprintf(out, "</td><td class=\"%s\">", to && !strcmp(to, "off") ? "to-off" : "to-on");
        ss_html_esc(out, to ? to : "?");
        fputs("</td><td class=\"mono pos\">", out);
        ss_html_value(out, "position", ss_html_get(tr, "position"));
        fputs("</td><td>", out);
        ss_html_esc(out, ss_html_str(tr, "reason"));
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
    if (fold)
        fputs("</details>\n", out);
}

static void num_cell(FILE *out, const json_t *o, const char *key, bool dur)
{
    double v;
    char b[32];
    if (!ss_html_num(o, key, &v))
        fputs("<td class=\"n mute\">-</td>", out);
    else
        fprintf(out, "<td class=\"n\">%s</td>",
                dur ? ss_html_dur_us(b, sizeof(b), v) : ss_html_count(b, sizeof(b), v));
}

static void replica_notes(FILE *out, const json_t *r)
{
    static const struct { const char *key, *what; } odd[] = {
        { "acks_unmatched", "unmatched acks" },       { "acks_duplicate", "duplicate acks" },
        { "acks_late", "late acks" },                 { "acks_backwards", "backwards acks" },
        { "acks_malformed", "malformed acks" },       { "requests_dropped", "requests dropped (cap)" },
        { "kill_connections", "KILL connections" },
    };
    bool first = true;
    for (size_t i = 0; i < SS_ARRAY_LEN(odd); i++) {
        double v;
        char b[32];
        if (ss_html_num(r, odd[i].key, &v) && v > 0) {
            fprintf(out, "%s%s %s", first ? "" : ", ", ss_html_count(b, sizeof(b), v), odd[i].what);
            first = false;
        }
    }
    const json_t *la = ss_html_obj(r, "last_ack");
    double ts;
    if (la && ss_html_num(la, "ts", &ts)) {
        char t[48];
        fprintf(out, "%slast ack %s at ", first ? "" : "; ", ss_html_clock(t, sizeof(t), ts, 3));
        fputs("<span class=\"mono\">", out);
        ss_html_esc(out, ss_html_str(la, "file"));
        fputs(":", out);
        ss_html_value(out, "pos", ss_html_get(la, "pos"));
        fputs("</span>", out);
    } else if (!la) {
        fprintf(out, "%sno ack seen", first ? "" : "; ");
    }
}

static void replica_table(FILE *out, const json_t *master)
{
    const json_t *reps = ss_html_arr(master, "replicas");
    if (!json_array_size(reps)) {
        fputs("<p class=\"mute\">No replica streams.</p>\n", out);
        return;
    }
    fputs("<table><thead><tr><th>replica</th><th>id</th><th>semi</th><th>conns</th>"
          "<th>events</th><th>ack reqs</th><th>acks</th><th>p50</th><th>p99</th><th>max</th>"
          "<th>unanswered</th><th>notes</th></tr></thead><tbody>\n", out);
    for (size_t i = 0; i < json_array_size(reps); i++) {
        const json_t *r = json_array_get(reps, i), *lat = ss_html_obj(r, "ack_latency_us");
        const json_t *semi = ss_html_get(r, "semisync");
        fprintf(out, "<tr><td class=\"mono addr\"><i class=\"sw\" style=\"background:%s\"></i>",
                ss_html_color(i));
        ss_html_esc(out, ss_html_str(r, "address"));
        fputs("</td>", out);
        num_cell(out, r, "server_id", false);
        fprintf(out, "<td>%s</td>", json_is_true(semi) ? "yes" : json_is_false(semi) ?
                "<span class=\"v-bad\">no</span>" : "?");
        num_cell(out, r, "dump_connections", false);
        num_cell(out, r, "events", false);
        num_cell(out, r, "ack_requests", false);
        num_cell(out, r, "acks", false);
        num_cell(out, lat, "p50", true);
        num_cell(out, lat, "p99", true);
        num_cell(out, lat, "max", true);
        num_cell(out, r, "requests_unanswered", false);
        fputs("<td>", out);
        replica_notes(out, r);
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
    double d;
    if (ss_html_num(master, "replicas_dropped", &d) && d > 0)
        fprintf(out, "<p>%.0f streams ignored: replicas cap.</p>\n", d);
}

static void master_title(FILE *out, const json_t *m)
{
    const char *ep = ss_html_str(m, "endpoint"), *fl = ss_html_str(m, "flavor");
    const char *ver = ss_html_str(m, "server_version");
    fputs("<h2>Master <span class=\"mono\" style=\"font-size:inherit\">", out);
    ss_html_esc(out, ep ? ep : "?");
    fputs("</span>", out);
    if (fl || ver) {
        fputs(" <span class=\"mute\">", out);
        ss_html_esc(out, fl);
        fputs(fl && ver ? " " : "", out);
        ss_html_esc(out, ver);
        fputs("</span>", out);
    }
    fputs("</h2>\n", out);
}

static void master_section(FILE *out, const json_t *m, size_t idx, bool has_span, double t0,
                           double t1)
{
    fprintf(out, "<section class=\"master\" id=\"m%zu\">\n", idx);
    master_title(out, m);
    summary(out, m, t0, t1);
    fputs("<h3>Semisync state over the capture</h3>\n", out);
    if (has_span)
        ss_html_state_chart(out, m, t0, t1);
    transitions_table(out, m, t0);
    fputs("<h3>Replicas</h3>\n", out);
    replica_table(out, m);
    if (json_array_size(ss_html_arr(m, "replicas"))) {
        fputs("<h3>Ack latency over time</h3>\n", out);
        if (has_span)
            ss_html_latency_charts(out, m, t0, t1);
        fputs("<h3>Latency distribution</h3>\n", out);
        ss_html_percentile_chart(out, m);
        fputs("<h3>Slowest acks</h3>\n", out);
        ss_html_slowest(out, m);
        fputs("<h3>Unanswered ack requests</h3>\n", out);
        ss_html_unanswered(out, m);
    }
    ss_html_correlation(out, m);
    ss_html_counters(out, m);
    ss_html_unprotected(out, m);
    ss_html_server_timeline(out, m);
    fputs("</section>\n", out);
}

/* With several masters, a short index of them with their end state. */
static void overview(FILE *out, const json_t *ms)
{
    if (json_array_size(ms) < 2)
        return;
    fputs("<nav><b>Masters</b><ul>\n", out);
    for (size_t i = 0; i < json_array_size(ms); i++) {
        const json_t *m = json_array_get(ms, i), *semi = ss_html_obj(m, "semisync");
        fprintf(out, "<li><a href=\"#m%zu\" class=\"mono\">", i);
        ss_html_esc(out, ss_html_str(m, "endpoint"));
        fputs("</a> ", out);
        if (semi)
            badge(out, ss_html_str(semi, "state_end"));
        fputs("</li>\n", out);
    }
    fputs("</ul></nav>\n", out);
}

static void footer(FILE *out, const json_t *report)
{
    const json_t *gen = ss_html_obj(report, "generator");
    double sv;
    fputs("<footer>Generated by ", out);
    ss_html_esc(out, ss_html_str(gen, "name") ? ss_html_str(gen, "name") : "semiscope");
    if (ss_html_str(gen, "version")) {
        fputs(" ", out);
        ss_html_esc(out, ss_html_str(gen, "version"));
    }
    if (ss_html_num(report, "schema_version", &sv))
        fprintf(out, " from a report of schema version %.0f", sv);
    fputs(". Frame numbers refer to the capture file(s) above (Wireshark: Go to Packet)."
          "</footer>\n</body>\n</html>\n", out);
}

int ss_report_html(FILE *out, const json_t *report)
{
    if (!out || !json_is_object(report))
        return -1;
    const json_t *ms = ss_html_arr(report, "masters");
    double t0 = 0, t1 = 0;
    bool has_span = ss_html_span(report, &t0, &t1);
    head(out, report);
    capture_header(out, report);
    overview(out, ms);
    if (!json_array_size(ms))
        fputs("<section><h2>Masters</h2><p>No replication (binlog dump) streams found.</p>"
              "</section>\n", out);
    for (size_t i = 0; i < json_array_size(ms); i++)
        master_section(out, json_array_get(ms, i), i, has_span, t0, t1);
    ss_html_health(out, report);
    footer(out, report);
    if (fflush(out) == EOF || ferror(out))
        return -1;
    return 0;
}
