/* SPDX-License-Identifier: MIT */
/* pm_checks.c: warnings and report notes about damaged or unusable postmortem inputs. */
#include "pm_checks.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "semiscope/errlog.h"
#include "semiscope/report.h"
#include "semiscope/status_samples.h"

/* How near the capture's start dropped log records matter: the postmortem pairs server records
 * with the wire within 60 s (ss_postmortem_cfg.max_match_s). */
#define PM_DROP_MARGIN_NS (60 * (int64_t)SS_NS_PER_SEC)

void pm_status_mark(const struct ss_status_samples *s, struct pm_status_mark *m)
{
    m->lines = s->lines;
    m->bad = s->bad_lines;
    m->damaged = s->damaged_lines;
    m->values = s->values;
    m->other = s->other_vars;
    m->gaps = s->n_gaps + s->dropped_gaps;
}

void pm_check_status_file(struct pm_checks *c, const char *path,
                          const struct pm_status_mark *before, const struct ss_status_samples *s)
{
    struct pm_status_mark now;
    pm_status_mark(s, &now);
    uint64_t lines = now.lines - before->lines, damaged = now.damaged - before->damaged;
    if (damaged) {
        fprintf(stderr,
                "semiscope: warning: --status %s: %" PRIu64 " %s damaged by a run of NUL bytes "
                "(as a crash leaves): the text before each run was not read, the text after it "
                "was\n",
                path, damaged, damaged == 1 ? "line" : "lines");
        if (!c->damaged_status_file)
            c->damaged_status_file = path;
        c->n_damaged_files++;
        c->damaged_status += damaged;
    }
    if (now.values > before->values || now.gaps > before->gaps)
        return;
    char why[sizeof(c->unusable_why)], cut[64] = "";
    if (damaged)
        snprintf(cut, sizeof(cut), ", %" PRIu64 " of them damaged by NUL bytes", damaged);
    if (lines == 0)
        snprintf(why, sizeof(why), "it is empty");
    else
        snprintf(why, sizeof(why),
                 "%" PRIu64 " line%s: %" PRIu64 " bad (fitting no status format%s), %" PRIu64
                 " of other variables, the rest blank, comments or headers",
                 lines, lines == 1 ? "" : "s", now.bad - before->bad, cut,
                 now.other - before->other);
    fprintf(stderr,
            "semiscope: warning: --status %s: no usable line: %s; want `UNIX_TS<TAB>Variable_name"
            "<TAB>Value` rows of Rpl_semi_sync_* / rpl_semi_sync_* variables, or mysqladmin "
            "tables after a `# start UNIX_TS` line (docs/postmortem.md); the report has no "
            "server samples from it\n",
            path, why);
    if (!c->unusable_file) {
        c->unusable_file = path;
        snprintf(c->unusable_why, sizeof(c->unusable_why), "%s", why);
    }
    c->n_unusable++;
}

void pm_check_errlog(struct pm_checks *c, const char *path, const struct ss_errlog *el)
{
    c->errlog_file = path;
    c->errlog_damaged = el->damaged_lines;
    c->errlog_dropped = el->dropped;
    c->errlog_kept = el->n;
    c->errlog_dropped_until_ns = el->dropped_last_ts_ns;
    if (el->damaged_lines)
        fprintf(stderr,
                "semiscope: warning: --error-log %s: %" PRIu64 " %s damaged by a run of NUL bytes "
                "(as a crash leaves): the text before each run was not read, the text after it "
                "was\n",
                path, el->damaged_lines, el->damaged_lines == 1 ? "line" : "lines");
    if (el->dropped) {
        char t[40] = "?";
        if (el->dropped_last_ts_ns > 0)
            ss_report_time(t, sizeof(t), (uint64_t)el->dropped_last_ts_ns);
        fprintf(stderr,
                "semiscope: warning: --error-log %s: more semisync records than the cap: the "
                "oldest %" PRIu64 " (up to %s) were dropped, the newest %" PRIu32 " are used\n",
                path, el->dropped, t, el->n);
    }
}

size_t pm_checks_notes(struct pm_checks *c, uint64_t capture_first_ns, const char **out,
                       size_t max)
{
    size_t n = 0;
    if (c->n_unusable && n < max && n < PM_CHECKS_NOTES) {
        snprintf(c->notes[n], PM_CHECKS_NOTE_LEN,
                 "--status %s has no usable line (%s): the report has no server samples from "
                 "it%s.",
                 c->unusable_file, c->unusable_why,
                 c->n_unusable > 1 ? ", nor from other --status files without one (see stderr)"
                                   : "");
        out[n] = c->notes[n];
        n++;
    }
    if (c->damaged_status && n < max && n < PM_CHECKS_NOTES) {
        snprintf(c->notes[n], PM_CHECKS_NOTE_LEN,
                 "--status %s%s: %" PRIu64 " %s damaged by a run of NUL bytes (as a crash "
                 "leaves): the text before each run was not read, the text after it was.",
                 c->damaged_status_file, c->n_damaged_files > 1 ? " and others" : "",
                 c->damaged_status, c->damaged_status == 1 ? "line" : "lines");
        out[n] = c->notes[n];
        n++;
    }
    if (c->errlog_damaged && n < max && n < PM_CHECKS_NOTES) {
        snprintf(c->notes[n], PM_CHECKS_NOTE_LEN,
                 "--error-log %s: %" PRIu64 " %s damaged by a run of NUL bytes (as a crash "
                 "leaves): the text before each run was not read, the text after it was.",
                 c->errlog_file, c->errlog_damaged, c->errlog_damaged == 1 ? "line" : "lines");
        out[n] = c->notes[n];
        n++;
    }
    if (c->errlog_dropped && n < max && n < PM_CHECKS_NOTES) {
        char t[40] = "?";
        if (c->errlog_dropped_until_ns > 0)
            ss_report_time(t, sizeof(t), (uint64_t)c->errlog_dropped_until_ns);
        bool near = capture_first_ns &&
                    c->errlog_dropped_until_ns + PM_DROP_MARGIN_NS >= (int64_t)capture_first_ns;
        snprintf(c->notes[n], PM_CHECKS_NOTE_LEN,
                 "--error-log %s holds more semisync records than the cap: the newest %" PRIu64
                 " were used and the oldest %" PRIu64 " (up to %s, log clock) were dropped. %s",
                 c->errlog_file, c->errlog_kept, c->errlog_dropped, t,
                 near ? "Those reach to within 60 s of the capture's start, so the log around "
                        "the incident may be incomplete: cut the log to the incident and run "
                        "again."
                      : "They end more than 60 s before the capture's start.");
        out[n] = c->notes[n];
        n++;
    }
    return n;
}
