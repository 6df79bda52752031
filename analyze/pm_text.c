/* SPDX-License-Identifier: MIT */
/* pm_text.c: the postmortem's text sections (correlation table, clock offset, merged timeline,
 * diagnosis), written from the result object so text and JSON cannot disagree. */
#include <string.h>

#include "pm_priv.h"

#include "semiscope/report.h"

/* The shared 80-column word wrap of the text report. */
static void wrap(FILE *out, const char *lead, const char *text, int indent)
{
    ss_report_wrap(out, lead, text, indent);
}

static void cell(char *buf, size_t n, const json_t *v)
{
    if (json_is_integer(v))
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
    else if (json_is_string(v))
        snprintf(buf, n, "%s", json_string_value(v));
    else
        snprintf(buf, n, "-");
}

static void correlation_text(FILE *out, const json_t *pm, int verbosity)
{
    const json_t *rows = json_object_get(pm, "correlation");
    const json_t *sd = json_object_get(pm, "server_data");
    bool have_server = json_object_get(sd, "status_samples") != NULL;
    fprintf(out, "  Correlation with the server's counters%s\n",
            have_server ? " (capture window)" : ": no status samples (--status)");
    if (!have_server && verbosity < 1)
        return;
    fprintf(out, "    %-16s %14s %14s  %s\n", "variable", "wire", "server", "verdict");
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        char w[32], s[32], lead[96];
        cell(w, sizeof(w), json_object_get(r, "wire"));
        cell(s, sizeof(s), json_object_get(r, "server"));
        snprintf(lead, sizeof(lead), "    %-16s %14s %14s ", pm_jstr(r, "variable", "?"), w, s);
        const char *note = pm_jstr(r, "note", "");
        char v[1200];
        snprintf(v, sizeof(v), note[0] ? "%s (%s)" : "%s%s", pm_jstr(r, "verdict", ""), note);
        wrap(out, lead, v, 52);
    }
}

static void timeline_text(FILE *out, const json_t *pm, int verbosity)
{
    const json_t *tl = json_object_get(pm, "timeline");
    size_t n = json_array_size(tl);
    fprintf(out, "  Timeline (capture clock, UTC; server times shifted by the clock offset)\n");
    if (n == 0) {
        fprintf(out, "    (no events)\n");
        return;
    }
    size_t limit = verbosity > 0 ? n : 60;
    for (size_t i = 0; i < n && i < limit; i++) {
        const json_t *e = json_array_get(tl, i);
        char t[24], lead[64];
        double ts = json_real_value(json_object_get(e, "ts"));
        pm_fmt_time((int64_t)(ts * 1e9), false, t, sizeof(t));
        /* a whole-second log time: its milliseconds are unknown, not zero */
        if (json_number_value(json_object_get(e, "resolution_s")) >= 1.0 &&
            !strcmp(t + 8, ".000"))
            memcpy(t + 8, ".xxx", 5);
        snprintf(lead, sizeof(lead), "    %s  %-7s", t, pm_jstr(e, "source", "?"));
        wrap(out, lead, pm_jstr(e, "what", ""), 27);
    }
    if (n > limit)
        fprintf(out, "    … %zu more (-v shows all)\n", n - limit);
    int64_t dropped = pm_jint(pm, "timeline_dropped", 0);
    if (dropped)
        fprintf(out, "    (%lld entries over the cap were left out)\n", (long long)dropped);
}

/* Evidence items are joined with " | " in the JSON string: one item per line here. */
static void evidence_text(FILE *out, const char *ev)
{
    if (!strstr(ev, " | ")) {
        wrap(out, "      evidence:", ev, 10);
        return;
    }
    fprintf(out, "      evidence:\n");
    while (*ev) {
        const char *bar = strstr(ev, " | ");
        size_t len = bar ? (size_t)(bar - ev) : strlen(ev);
        char item[2048];
        snprintf(item, sizeof(item), "%.*s", (int)(len < sizeof(item) ? len : sizeof(item) - 1),
                 ev);
        wrap(out, "        -", item, 10);
        ev += len;
        if (bar)
            ev += 3;
    }
}

void ss_postmortem_verdict_text(FILE *out, const json_t *pm)
{
    if (!pm)
        return;
    /* the rows come most severe first; the heading counts them so the answer shows at a glance */
    const json_t *rows = json_object_get(pm, "diagnosis");
    const json_t *basis = json_object_get(pm, "diagnosis_basis");
    bool wire_only = json_array_size(json_object_get(basis, "sources")) == 1;
    size_t i, n_crit = 0, n_warn = 0;
    json_t *d;
    json_array_foreach(rows, i, d)
    {
        const char *sev = pm_jstr(d, "severity", "");
        n_crit += !strcmp(sev, "critical");
        n_warn += !strcmp(sev, "warning");
    }
    const char *from = basis && wire_only ? " (from the wire alone)" : "";
    if (n_crit + n_warn == 0)
        fprintf(out, "  Diagnosis%s: no problem found\n", from);
    else if (n_crit && n_warn)
        fprintf(out, "  Diagnosis%s: %zu critical, %zu warning\n", from, n_crit, n_warn);
    else
        fprintf(out, "  Diagnosis%s: %zu %s\n", from, n_crit + n_warn,
                n_crit ? "critical" : "warning");
    json_array_foreach(rows, i, d)
    {
        const char *sev = pm_jstr(d, "severity", "?");
        char lead[32];
        snprintf(lead, sizeof(lead), "    [%s]",
                 !strcmp(sev, "critical") ? "CRITICAL" : !strcmp(sev, "warning") ? "WARNING" : sev);
        wrap(out, lead, pm_jstr(d, "cause", ""), 8);
        const char *ev = pm_jstr(d, "evidence", "");
        if (ev[0])
            evidence_text(out, ev);
        wrap(out, "      remedy:", pm_jstr(d, "remedy", ""), 10);
    }
    const char *note = pm_jstr(basis, "note", "");
    if (note[0])
        wrap(out, "    basis:", note, 10);
    fputc('\n', out);
}

void ss_postmortem_detail_text(FILE *out, const json_t *pm, int verbosity)
{
    if (!pm)
        return;
    correlation_text(out, pm, verbosity);
    const json_t *off = json_object_get(pm, "clock_offset_s");
    char lead[80];
    if (json_is_number(off))
        snprintf(lead, sizeof(lead), "  Clock offset: server = capture %+.3f s:",
                 json_number_value(off));
    else
        snprintf(lead, sizeof(lead), "  Clock offset:");
    wrap(out, lead, pm_jstr(pm, "clock_offset_basis", ""), 4);
    timeline_text(out, pm, verbosity);
}

void ss_postmortem_text(FILE *out, const json_t *pm, int verbosity)
{
    /* The answer first: what went wrong and what to do; then the evidence behind it. */
    ss_postmortem_verdict_text(out, pm);
    ss_postmortem_detail_text(out, pm, verbosity);
}
