/* SPDX-License-Identifier: MIT */
/* pm_test_util.h: looking things up in a postmortem result object, for the postmortem tests. */
#ifndef SEMISCOPE_PM_TEST_UTIL_H
#define SEMISCOPE_PM_TEST_UTIL_H

#include <jansson.h>

#include "semiscope/postmortem.h"
#include <stdlib.h>
#include <string.h>

/* The diagnosis row whose cause contains `needle`, or NULL. */
static inline const json_t *diag_with(const json_t *pm, const char *needle)
{
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(pm, "diagnosis"), i, d)
    {
        if (strstr(json_string_value(json_object_get(d, "cause")), needle))
            return d;
    }
    return NULL;
}

/* A string member that must be there. */
static inline const char *field(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    assert_non_null(s);
    return s;
}

/* The correlation row of `var`; fails the test when there is none. */
static inline const json_t *corr_row(const json_t *pm, const char *var)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(pm, "correlation"), i, r)
    {
        if (!strcmp(json_string_value(json_object_get(r, "variable")), var))
            return r;
    }
    fail_msg("no correlation row %s", var);
    return NULL;
}

static inline void dump_on_failure(const json_t *pm)
{
    char *s = json_dumps(pm, JSON_INDENT(1));
    print_message("%s\n", s);
    free(s);
}

/* The postmortem of master object `m` over the capture window [start_ns, end_ns]. */
static inline json_t *pm_build_window(const json_t *m, const struct ss_status_samples *st,
                                      const struct ss_errlog *el, int64_t start_ns,
                                      int64_t end_ns)
{
    struct ss_postmortem_cfg cfg;
    ss_postmortem_cfg_defaults(&cfg);
    cfg.window_start_ns = start_ns;
    cfg.window_end_ns = end_ns;
    json_t *pm = ss_postmortem_build(m, st, el, &cfg);
    assert_non_null(pm);
    return pm;
}

#endif
