/* SPDX-License-Identifier: MIT */
/* report_fmt.c: formatting and sanitising shared by the text and JSON reporters. Wire strings
 * (binlog file names, report_host) and file names are untrusted: they never reach a terminal or
 * a JSON document unescaped. */
#include "semiscope/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_priv.h"

char *ss_report_text_escape(char *out, size_t outsz, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    if (!outsz)
        return out;
    for (; s && *s; s++) {
        uint8_t c = (uint8_t)*s;
        char tmp[4];
        size_t n;
        if (c == '\\') {
            tmp[0] = tmp[1] = '\\';
            n = 2;
        } else if (c >= 0x20 && c < 0x7f) {
            tmp[0] = (char)c;
            n = 1;
        } else {
            tmp[0] = '\\';
            tmp[1] = 'x';
            tmp[2] = hex[c >> 4];
            tmp[3] = hex[c & 15];
            n = 4;
        }
        if (o + n >= outsz)
            break;
        memcpy(out + o, tmp, n);
        o += n;
    }
    out[o] = '\0';
    return out;
}

/* Length of the valid UTF-8 sequence at p (1–4), or 0 when p starts an invalid one. Rejects
 * overlong forms, surrogates and code points above U+10FFFF, as jansson does. */
static size_t utf8_len(const uint8_t *p)
{
    uint8_t c = p[0];
    if (c < 0x80)
        return 1;
    size_t n;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) /* also stops at the NUL */
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

json_t *ss_report_json_string(const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (!s)
        s = "";
    size_t len = strlen(s);
    char *buf = malloc(len * 4 + 1);
    if (!buf)
        return NULL;
    size_t o = 0;
    const uint8_t *p = (const uint8_t *)s;
    while (*p) {
        size_t n = utf8_len(p);
        if (n) {
            memcpy(buf + o, p, n);
            o += n;
            p += n;
        } else {
            buf[o++] = '\\';
            buf[o++] = 'x';
            buf[o++] = hex[*p >> 4];
            buf[o++] = hex[*p & 15];
            p++;
        }
    }
    json_t *j = json_stringn(buf, o);
    free(buf);
    return j;
}

char *ss_report_time(char *out, size_t outsz, uint64_t ts_ns)
{
    time_t sec = (time_t)(ts_ns / SS_NS_PER_SEC);
    unsigned us = (unsigned)(ts_ns % SS_NS_PER_SEC / 1000);
    struct tm tm;
    if (!gmtime_r(&sec, &tm)) {
        snprintf(out, outsz, "%llu.%06u", (unsigned long long)sec, us);
        return out;
    }
    snprintf(out, outsz, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, us);
    return out;
}

char *ss_report_duration(char *out, size_t outsz, uint64_t ns)
{
    static const struct { const char *unit; double div; } units[] = {
        { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
    };
    if (ns < 1000) {
        snprintf(out, outsz, "%uns", (unsigned)ns);
        return out;
    }
    for (size_t i = 0; i < SS_ARRAY_LEN(units); i++) {
        double v = (double)ns / units[i].div;
        char tmp[32];
        /* Two decimals below 100, one below 1000; rounding that grows the text moves on. */
        snprintf(tmp, sizeof(tmp), v < 100.0 ? "%.2f%s" : "%.1f%s", v, units[i].unit);
        if (strlen(tmp) <= 7 && (i + 1 == SS_ARRAY_LEN(units) || v < 1000.0)) {
            snprintf(out, outsz, "%s", tmp);
            return out;
        }
    }
    snprintf(out, outsz, "%.0fs", (double)ns / 1e9);
    return out;
}

const char *ss_rpt_flavor(enum ss_flavor f)
{
    switch (f) {
    case SS_FLAVOR_MARIADB:
        return "mariadb";
    case SS_FLAVOR_MYSQL:
        return "mysql";
    default:
        return "unknown";
    }
}

const char *ss_rpt_conn_end(const struct ss_an_conn *c)
{
    if (!c->ended)
        return "open";
    switch (c->end_reason) {
    case SS_END_FIN:
        return "fin";
    case SS_END_RST:
        return "rst";
    case SS_END_IDLE:
        return "idle";
    case SS_END_CAPTURE:
        return "capture";
    case SS_END_EVICTED:
        return "evicted";
    }
    return "open";
}

static void analysis_caps(const struct ss_analysis *a, uint64_t *repl, uint64_t *tl,
                          uint64_t *conns, uint64_t *trx)
{
    const struct ss_an_master *const *ms;
    size_t nm = a ? ss_analysis_masters(a, &ms) : 0;
    for (size_t i = 0; i < nm; i++) {
        *repl += ms[i]->replicas_dropped;
        *trx += ms[i]->trx_ranges_dropped;
        for (size_t k = 0; k < ms[i]->nreplicas; k++) {
            *tl += ms[i]->replicas[k]->timeline_dropped;
            *conns += ms[i]->replicas[k]->conns_dropped;
        }
    }
}

size_t ss_rpt_caps(const struct ss_report_input *in, struct ss_rpt_cap *out)
{
    const struct ss_flow_stats *f = &in->run->flow;
    const struct ss_an_totals *t = in->analysis ? ss_analysis_totals(in->analysis) : NULL;
    uint64_t repl = 0, tl = 0, conns = 0, trx = 0;
    analysis_caps(in->analysis, &repl, &tl, &conns, &trx);
    size_t n = 0;
#define SS_RPT_CAP(nm, lbl, v) out[n++] = (struct ss_rpt_cap){ nm, lbl, (v) }
    SS_RPT_CAP("flow_table_full", "flow table full (flows evicted)", f->flows_max_hit);
    SS_RPT_CAP("reassembly_memcap", "reassembly memcap (segments dropped)", f->memcap_hit);
    SS_RPT_CAP("reassembly_dir_cap", "per-direction out-of-order cap", f->dir_ooo_cap_hit);
    SS_RPT_CAP("masters_cap", "masters cap (streams ignored)", t ? t->masters_dropped : 0);
    SS_RPT_CAP("replicas_cap", "replicas cap (streams ignored)", repl);
    SS_RPT_CAP("pending_cap", "pending requests cap (requests dropped)",
               t ? t->pending_cap_hit : 0);
    SS_RPT_CAP("timeline_cap", "timeline cap (intervals dropped)", tl);
    SS_RPT_CAP("connection_records_cap", "connection records cap", conns);
    SS_RPT_CAP("transaction_ranges_cap", "transaction dedup cap (ranges dropped)", trx);
    SS_RPT_CAP("binlog_names_cap", "binlog file names cap", t ? t->names_cap_hit : 0);
    SS_RPT_CAP("kill_table_cap", "KILL connection table cap", t ? t->kill_table_full : 0);
    SS_RPT_CAP("alloc_failures", "allocation failures", t ? t->alloc_failures : 0);
#undef SS_RPT_CAP
    return n;
}

size_t ss_rpt_notes(const struct ss_report_input *in, const char **out)
{
    size_t n = 0;
    const struct ss_an_totals *t = in->analysis ? ss_analysis_totals(in->analysis) : NULL;
    out[n++] = "Ack latency is measured where the capture was taken: from the last byte of an "
               "ack-requested event to the last byte of the first semisync ack covering it. "
               "Captured on the master's host it is the time the master waited for that "
               "replica; captured elsewhere it covers only the path beyond the capture point.";
    out[n++] = "Acks are cumulative: one ack releases every pending request of its stream up to "
               "its position, and each released request counts as one latency sample.";
    if (t && t->tcp_acks_seen)
        out[n++] = "Network = event to the replica's first TCP acknowledgement of it; replica = "
                   "that TCP acknowledgement to the semisync ack (relay-log write and flush). "
                   "When the ack's own segment is the first acknowledgement, the replica part is "
                   "0. Valid for a capture on the master's host.";
    if (in->run->interrupted)
        out[n++] = "The capture was interrupted: the figures cover it up to that point, and "
                   "requests still pending then are counted as in flight, not as lost.";
    for (size_t i = 0; i < in->nnotes && n < SS_RPT_NOTES_MAX; i++)
        out[n++] = in->notes[i];
    return n;
}

double ss_rpt_seconds(uint64_t ts_ns)
{
    /* Whole seconds and the microsecond part separately, so the double is the one nearest to the
     * microsecond value (printing then shows no binary noise at 16 digits). */
    return (double)(ts_ns / SS_NS_PER_SEC) + (double)(ts_ns % SS_NS_PER_SEC / 1000) / 1e6;
}

#define REPORT_TEXT_WIDTH 80

/* Print `text` word-wrapped at REPORT_TEXT_WIDTH, the first line after `lead`, the others indented. */
void ss_report_wrap(FILE *out, const char *lead, const char *text, int indent)
{
    size_t ll = strlen(lead);
    int col = fprintf(out, "%s", lead);
    /* Before the first word: a space only when the lead ends in a word ("remedy:"). */
    bool need_space = ll > 0 && lead[ll - 1] != ' ';
    bool line_has_word = false;
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " ");
        if (w == 0)
            break;
        if (line_has_word && col + 1 + (int)w > REPORT_TEXT_WIDTH) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
            need_space = false;
        }
        if (need_space) {
            fputc(' ', out);
            col++;
        }
        fwrite(p, 1, w, out);
        col += (int)w;
        p += w;
        line_has_word = true;
        need_space = true;
    }
    fputc('\n', out);
}
