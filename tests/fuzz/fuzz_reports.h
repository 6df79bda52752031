/* SPDX-License-Identifier: MIT */
/* fuzz_reports.h: the end of a fuzzed run, shared by fuzz_pipeline.c and fuzz_analysis.c: build
 * every report from a finished analysis and semisync state as the CLI does (JSON without, then
 * with, the postmortem computed from it; HTML from the JSON; text), check the JSON is valid and
 * round-trips, and free it all. Header-only (static functions) because each fuzz target is one
 * translation unit plus the replay main. */
#ifndef SEMISCOPE_FUZZ_REPORTS_H
#define SEMISCOPE_FUZZ_REPORTS_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "semiscope/postmortem.h"
#include "semiscope/report.h"
#include "semiscope/report_html.h"
#include "semiscope/semistate.h"

static json_t *fzr_state_json(const void *ctx, const struct ss_endpoint *master)
{
    return ss_semistate_master_json(ctx, master);
}

static void fzr_state_text(FILE *out, const void *ctx, const struct ss_endpoint *master, int verb)
{
    ss_semistate_master_text(out, ctx, master, verb);
}

static json_t *fzr_pm_json(const void *ctx, const struct ss_endpoint *master)
{
    return ss_postmortem_master_json(ctx, master);
}

static void fzr_pm_text(FILE *out, const void *ctx, const struct ss_endpoint *master, int verb)
{
    ss_postmortem_master_text(out, ctx, master, verb);
}

/* Serialise and parse back: the report must always be valid JSON, and (at jansson's default
 * 17 significant digits, which round-trip every double) read back equal. */
static void fzr_check_json(const json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    if (!s)
        return; /* out of memory */
    json_error_t err;
    json_t *back = json_loads(s, 0, &err);
    if (!back || !json_equal(j, back))
        abort();
    json_decref(back);
    free(s);
}

/* run: the run facts (its `an` may be NULL); analysis and state finished. */
static void fzr_reports(const struct ss_run_info *run, const struct ss_analysis *analysis,
                        const struct ss_semistate *state)
{
    struct ss_report_input in = {
        .run = run,
        .analysis = analysis,
        .verbosity = 2,
        .state = {.json = fzr_state_json, .text = fzr_state_text, .ctx = state},
    };
    /* First pass without the postmortem, which is computed from that report. */
    json_t *base = ss_report_json(&in);
    if (!base)
        return;
    fzr_check_json(base);
    struct ss_postmortem_cfg pc;
    ss_postmortem_cfg_defaults(&pc);
    struct ss_postmortem *pm = ss_postmortem_new(&pc, NULL, NULL);
    if (pm && ss_postmortem_add_report(pm, base) == SS_OK) {
        in.pm.json = fzr_pm_json;
        in.pm.text = fzr_pm_text;
        in.pm.ctx = pm;
    }
    json_decref(base);
    json_t *full = ss_report_json(&in);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (out) {
        if (full) {
            fzr_check_json(full);
            ss_report_html(out, full);
        }
        ss_report_text(out, &in);
        fclose(out);
    }
    /* Debug aid for the harnesses themselves (docs/fuzzing.md): show what an input reached. */
    if (getenv("SEMISCOPE_FUZZ_DUMP") && full) {
        json_dumpf(full, stderr, JSON_INDENT(1));
        fputs("\n", stderr);
    }
    free(buf);
    json_decref(full);
    ss_postmortem_free(pm);
}

#endif
