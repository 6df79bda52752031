/* SPDX-License-Identifier: MIT */
/* pm_checks.h: what loading the postmortem inputs found wrong with them — a --status file with no
 * usable line, lines cut short by NUL bytes, error-log records dropped at the cap — said once on
 * stderr when the file is read, and again in the report's notes (issue 14: never silent). */
#ifndef SEMISCOPE_PM_CHECKS_H
#define SEMISCOPE_PM_CHECKS_H

#include <stddef.h>
#include <stdint.h>

struct ss_status_samples;
struct ss_errlog;

#define PM_CHECKS_NOTES 4
#define PM_CHECKS_NOTE_LEN 600

/* The counters of the status samples before one file is read (pm_status_mark), so that the
 * file's own share can be told apart. */
struct pm_status_mark {
    uint64_t lines, bad, damaged, values, other, gaps;
};

struct pm_checks {
    const char *unusable_file;    /* the first --status file with no usable line (borrowed) */
    size_t n_unusable;
    char unusable_why[320];       /* what its lines were */
    const char *damaged_status_file; /* the first --status file with lines damaged by NULs */
    size_t n_damaged_files;
    uint64_t damaged_status;      /* such lines over every --status file */
    const char *errlog_file;      /* --error-log (borrowed) */
    uint64_t errlog_damaged, errlog_dropped, errlog_kept;
    int64_t errlog_dropped_until_ns;
    char notes[PM_CHECKS_NOTES][PM_CHECKS_NOTE_LEN];
};

void pm_status_mark(const struct ss_status_samples *s, struct pm_status_mark *m);
/* After reading one --status file: warn on stderr when it gave nothing usable, or when lines were
 * cut short by NUL bytes; remember it for the notes. */
void pm_check_status_file(struct pm_checks *c, const char *path,
                          const struct pm_status_mark *before, const struct ss_status_samples *s);
/* After reading the error log: warn about lines cut short and records dropped at the cap. */
void pm_check_errlog(struct pm_checks *c, const char *path, const struct ss_errlog *el);
/* The report's notes about these inputs (borrowed from c until the next call): at most max.
 * capture_first_ns (0: unknown) says whether the dropped log records reach into the capture. */
size_t pm_checks_notes(struct pm_checks *c, uint64_t capture_first_ns, const char **out,
                       size_t max);

#endif
