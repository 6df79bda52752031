/* SPDX-License-Identifier: MIT */
/* report_out.c: the final report. The reporters know nothing of the state machine or the
 * postmortem; their sections are wired here through the report's section hooks. The postmortem
 * reads the report's own JSON (its contract), so the report is built once without it first. */
#include "report_out.h"

#include <errno.h>
#include <string.h>

#include "csv_out.h"
#include "pm_inputs.h"
#include "semiscope/postmortem.h"
#include "semiscope/report.h"
#include "semiscope/report_html.h"

static json_t *state_json(const void *ctx, const struct ss_endpoint *m)
{
    return ss_semistate_master_json(ctx, m);
}

static void state_text(FILE *out, const void *ctx, const struct ss_endpoint *m, int verbosity)
{
    ss_semistate_master_text(out, ctx, m, verbosity);
}

static json_t *pm_json(const void *ctx, const struct ss_endpoint *m)
{
    return ss_postmortem_master_json(ctx, m);
}

static void pm_text(FILE *out, const void *ctx, const struct ss_endpoint *m, int verbosity)
{
    ss_postmortem_master_text(out, ctx, m, verbosity);
}

static void verdict_text(FILE *out, const void *ctx, const struct ss_endpoint *m, int verbosity)
{
    ss_postmortem_master_verdict_text(out, ctx, m, verbosity);
}

static void fill_run_info(struct run *r, struct ss_run_info *ri)
{
    memset(ri, 0, sizeof(*ri));
    ri->inputs = r->o->nfiles ? r->o->files : NULL;
    ri->ninputs = r->o->nfiles;
    ri->iface = r->o->iface;
    ri->filter = r->o->filter ? r->o->filter : r->live_filter;
    ss_capture_stats(r->cap, &ri->cap);
    ri->dec = r->pipe.dec;
    ss_flowtab_stats(r->pipe.flows, &ri->flow);
    ri->an = &r->pipe.an;
    ri->interrupted = r->interrupted;
    ri->read_errors = r->read_errs;
    ri->nread_errors = r->n_read_errs;
}

/* FILE for path ("-": standard output), or NULL with the message printed. */
static FILE *open_extra(const char *opt, const char *path)
{
    if (!strcmp(path, "-"))
        return stdout;
    FILE *f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "semiscope: %s %s: %s\n", opt, path, strerror(errno));
    return f;
}

/* Close (a file) or flush (stdout) what open_extra gave; rc the writer's. A reader of standard
 * output gone (`| head`) is not an error, as for the report. */
static int close_extra(const char *opt, const char *path, FILE *f, int rc)
{
    if (f == stdout) {
        if (fflush(f) != 0 || ferror(f))
            rc = -1;
        if (rc != 0 && run_reader_gone(f))
            return 0;
    } else if (fclose(f) != 0) {
        rc = -1;
    }
    if (rc != 0)
        fprintf(stderr, "semiscope: %s %s: write failed\n", opt, path);
    return rc;
}

static int write_html(const char *path, const struct ss_report_input *in)
{
    /* The page plots the per-interval timelines, which the JSON carries from verbosity 1 on. */
    struct ss_report_input hin = *in;
    hin.verbosity = in->verbosity > 1 ? in->verbosity : 1;
    json_t *doc = ss_report_json(&hin);
    if (!doc) {
        fputs("semiscope: out of memory\n", stderr);
        return -1;
    }
    FILE *f = open_extra("--html", path);
    int rc = f ? close_extra("--html", path, f, ss_report_html(f, doc)) : -1;
    json_decref(doc);
    return rc;
}

static int write_csv(const char *path, const struct ss_analysis *a)
{
    FILE *f = open_extra("--csv", path);
    return f ? close_extra("--csv", path, f, csv_write(f, a)) : -1;
}

int report_write(struct run *r)
{
    struct ss_run_info ri;
    fill_run_info(r, &ri);
    struct ss_report_input in = {
        .run = &ri,
        .analysis = r->pipe.analysis,
        .verbosity = r->o->verbosity,
        .state = {state_json, state_text, r->pipe.state},
    };
    const char *notes[5];
    char focus[160];
    in.nnotes = pm_inputs_notes(r->pm, ri.cap.frames ? ri.cap.first_ts_ns : 0, notes, 4);
    if (r->o->replica) {
        snprintf(focus, sizeof focus, "--replica %s: only this replica is listed; the masters' "
                 "state and counters come from all the traffic", r->o->replica);
        notes[in.nnotes++] = focus;
    }
    in.notes = notes;
    /* The diagnosis is built for every report: from the wire alone when the server's files
     * (--status, --error-log, --dsn) are not given, confirmed or corrected by them when they are. */
    struct ss_postmortem_cfg pc;
    ss_postmortem_cfg_defaults(&pc);
    struct ss_postmortem *pm =
        ss_postmortem_new(&pc, pm_inputs_samples(r->pm), pm_inputs_errlog(r->pm));
    /* The postmortem's own pass wants the per-interval timelines (-v) for its "latency
     * degrading" rule, whatever the final report's verbosity. */
    struct ss_report_input first = in;
    first.verbosity = in.verbosity > 1 ? in.verbosity : 1;
    json_t *base = pm ? ss_report_json(&first) : NULL;
    if (!base || ss_postmortem_add_report(pm, base) != SS_OK) {
        fputs("semiscope: out of memory\n", stderr);
        json_decref(base);
        ss_postmortem_free(pm);
        return -1;
    }
    json_decref(base);
    /* --replica narrows what is listed only after the diagnosis has seen every replica: the
     * master's verdict and its evidence are those of the full capture. */
    if (r->o->replica && r->pipe.analysis &&
        ss_analysis_focus(r->pipe.analysis, &r->o->replica_addr) == 0)
        fprintf(stderr, "semiscope: warning: --replica %s: no replica with that address in the "
                        "capture\n", r->o->replica);
    in.pm = (struct ss_report_section){pm_json, pm_text, pm};
    in.verdict = (struct ss_report_section){NULL, verdict_text, pm};
    /* The report's own failure is said (or, for a reader gone, not) by run_finish. */
    int rc = 0;
    if (r->out && (r->o->json ? ss_report_json_write(r->out, &in) : ss_report_text(r->out, &in)))
        r->out_error = true;
    if (r->o->html_file && write_html(r->o->html_file, &in) != 0)
        rc = -1;
    if (r->o->csv_file && write_csv(r->o->csv_file, r->pipe.analysis) != 0)
        rc = -1;
    ss_postmortem_free(pm);
    return rc;
}
