/* SPDX-License-Identifier: MIT */
/* status_samples_query.c: queries on the status samples' change points: the value at a time, the
 * first sample after one, counter deltas, the window bracketing a capture, and the state
 * machine's parameters. */
#include <string.h>

#include "semiscope/status.h"
#include "semiscope/status_samples.h"

bool ss_status_samples_has(const struct ss_status_samples *s, enum ss_sv_id id)
{
    return s && id > SS_SV_UNKNOWN && id < SS_SV__COUNT && s->series[id].samples > 0;
}

/* Index of the last change point with ts ≤ t, or -1. */
static long point_at(const struct ss_sv_series *se, int64_t t)
{
    long lo = 0, hi = (long)se->n_points - 1, best = -1;
    while (lo <= hi) {
        long mid = lo + (hi - lo) / 2;
        if (se->points[mid].ts_ns <= t) {
            best = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return best;
}

bool ss_status_samples_value_at(const struct ss_status_samples *s, enum ss_sv_id id, int64_t t,
                                int64_t *value, int64_t *ts_out)
{
    if (!ss_status_samples_has(s, id))
        return false;
    const struct ss_sv_series *se = &s->series[id];
    if (t >= se->last.ts_ns && se->dropped_points > 0) {
        *value = se->last.value; /* the last value is exact even when points were dropped */
        if (ts_out)
            *ts_out = se->last.ts_ns;
        return true;
    }
    long i = point_at(se, t);
    if (i < 0)
        return false;
    *value = se->points[i].value;
    if (ts_out)
        *ts_out = se->points[i].ts_ns;
    return true;
}

bool ss_status_samples_first_after(const struct ss_status_samples *s, enum ss_sv_id id, int64_t t,
                                   int64_t *value, int64_t *ts_out)
{
    if (!ss_status_samples_has(s, id))
        return false;
    const struct ss_sv_series *se = &s->series[id];
    if (se->last.ts_ns < t)
        return false;
    long i = point_at(se, t);
    if (i < 0) {
        *value = se->points[0].value;
        *ts_out = se->points[0].ts_ns;
        return true;
    }
    /* The value at t held since points[i]; if the next change's previous sample was at or after
     * t, a sample with the old value exists in [t, …). Otherwise the first sample after t is the
     * next change itself. */
    if ((size_t)i + 1 < se->n_points && se->points[i + 1].prev_ts_ns < t) {
        *value = se->points[i + 1].value;
        *ts_out = se->points[i + 1].ts_ns;
        return true;
    }
    *value = se->points[i].value;
    *ts_out = (size_t)i + 1 < se->n_points ? se->points[i + 1].prev_ts_ns : se->last.ts_ns;
    if (*ts_out < t)
        *ts_out = t;
    return true;
}

bool ss_status_samples_delta(const struct ss_status_samples *s, enum ss_sv_id id, int64_t t0,
                             int64_t t1, int64_t *delta, uint32_t *resets)
{
    int64_t v0, ts0, v1, ts1;
    *delta = 0;
    if (resets)
        *resets = 0;
    if (!ss_status_samples_first_after(s, id, t0, &v0, &ts0))
        return false;
    if (!ss_status_samples_value_at(s, id, t1, &v1, &ts1) || ts0 > t1)
        return false;
    const struct ss_sv_series *se = &s->series[id];
    /* Walk the change points inside the window: a decrease means the counter restarted at 0. */
    int64_t prev = v0, sum = 0;
    uint32_t nres = 0;
    long i = point_at(se, ts0);
    for (size_t k = (size_t)(i < 0 ? 0 : i + 1); k < se->n_points && se->points[k].ts_ns <= t1;
         k++) {
        int64_t v = se->points[k].value;
        bool reset = v < prev || se->points[k].restart;
        int64_t add = reset ? v : v - prev;
        nres += reset;
        if (__builtin_add_overflow(sum, add, &sum))
            sum = INT64_MAX;
        prev = v;
    }
    if (se->dropped_points > 0 && t1 >= se->last.ts_ns && se->last.value != prev) {
        sum += se->last.value >= prev ? se->last.value - prev : se->last.value;
    }
    *delta = sum;
    if (resets)
        *resets = nres;
    return true;
}

/* Baseline side of a span: the last sample at or before t0, else the first sample. Returns the
 * index of the change point holding its value, or -1 when every sample is before t0. */
static long span_from(const struct ss_sv_series *se, int64_t t0, struct ss_sv_span *o)
{
    long i = point_at(se, t0);
    if (i < 0) { /* no sample at or before t0: the first one, after it */
        o->from_value = se->points[0].value;
        o->from_ts = se->points[0].ts_ns;
        o->late_start_ns = se->points[0].ts_ns - t0;
        return 0;
    }
    o->from_value = se->points[i].value;
    o->from_ts = t0;
    if ((size_t)i + 1 < se->n_points) {
        const struct ss_sv_point *next = &se->points[i + 1];
        if (next->prev_ts_ns <= t0) {
            /* the last sample before t0 is exactly next->prev_ts_ns, and the next change lies
             * in (prev_ts, next.ts], partly before t0 */
            o->from_ts = next->prev_ts_ns;
            o->lead_ns = t0 - next->prev_ts_ns;
        }
        return i;
    }
    return se->last.ts_ns < t0 ? -1 : i; /* -1: every sample is before the window */
}

/* End side: the first sample at or after t1, else the last sample. Returns the change-point index
 * of its value, or -1 when every sample is after t1. *use_last: the value is the series' exact
 * last one (beyond the kept change points). */
static long span_to(const struct ss_sv_series *se, int64_t t1, struct ss_sv_span *o, bool *use_last)
{
    *use_last = false;
    long j = point_at(se, t1);
    if (j < 0)
        return -1;
    o->to_value = se->points[j].value;
    o->to_ts = t1;
    if ((size_t)j + 1 < se->n_points) {
        const struct ss_sv_point *next = &se->points[j + 1];
        if (next->prev_ts_ns < t1) { /* the first sample at/after t1 is the change itself */
            o->to_value = next->value;
            o->to_ts = next->ts_ns;
            o->trail_ns = next->ts_ns - t1;
            return j + 1;
        }
        return j;
    }
    if (se->dropped_points > 0) {
        *use_last = true; /* changes beyond the cap were not kept; the last value is exact */
        o->to_value = se->last.value;
    }
    if (se->last.ts_ns < t1) {
        o->to_value = se->last.value;
        o->to_ts = se->last.ts_ns;
        o->early_end_ns = t1 - se->last.ts_ns;
    }
    return j;
}

bool ss_status_samples_span(const struct ss_status_samples *s, enum ss_sv_id id, int64_t t0,
                            int64_t t1, struct ss_sv_span *out)
{
    memset(out, 0, sizeof(*out));
    if (!ss_status_samples_has(s, id) || t1 < t0)
        return false;
    const struct ss_sv_series *se = &s->series[id];
    bool use_last;
    long a = span_from(se, t0, out);
    long b = span_to(se, t1, out, &use_last);
    if (a < 0 || b < 0 || a > b)
        return false;
    int64_t prev = out->from_value, sum = 0;
    for (long k = a + 1; k <= b; k++) {
        int64_t v = se->points[k].value;
        /* a known server restart resets the counter even when it grew past its old value */
        bool reset = v < prev || se->points[k].restart;
        out->resets += reset;
        out->server_restarts += se->points[k].restart;
        int64_t add = reset ? v : v - prev;
        if (__builtin_add_overflow(sum, add, &sum))
            sum = INT64_MAX;
        prev = v;
    }
    if (use_last && out->to_value != prev) {
        out->resets += out->to_value < prev;
        sum += out->to_value >= prev ? out->to_value - prev : out->to_value;
    }
    out->delta = sum;
    return true;
}

uint32_t ss_status_samples_restarts_in(const struct ss_status_samples *s, int64_t t0, int64_t t1,
                                       const struct ss_sv_restart **first)
{
    uint32_t n = 0;
    if (first)
        *first = NULL;
    for (uint32_t i = 0; s && i < s->n_restarts; i++) {
        const struct ss_sv_restart *r = &s->restarts[i];
        if (r->after_ns < t0 || r->after_ns >= t1)
            continue;
        if (n++ == 0 && first)
            *first = r;
    }
    return n;
}

/* ---- parameters ----------------------------------------------------------------------------- */

static const enum ss_sv_id param_ids[SS_SV_N_PARAMS] = {
    SS_SV_VAR_TIMEOUT, SS_SV_VAR_WAIT_COUNT, SS_SV_VAR_WAIT_NO_SLAVE, SS_SV_VAR_WAIT_POINT,
    SS_SV_VAR_ENABLED,
};

bool ss_sv_param_set(enum ss_sv_id id, int64_t value, struct ss_semi_params *p)
{
    switch (id) {
    case SS_SV_VAR_TIMEOUT:
        p->timeout_ms = value;
        p->src_timeout = SS_PARAM_FILE;
        return true;
    case SS_SV_VAR_WAIT_COUNT:
        p->wait_count = value;
        p->src_wait_count = SS_PARAM_FILE;
        return true;
    case SS_SV_VAR_WAIT_NO_SLAVE:
        p->wait_no_slave = value != 0;
        p->src_wait_no_slave = SS_PARAM_FILE;
        return true;
    case SS_SV_VAR_WAIT_POINT:
        p->wait_point_after_sync = value != 0;
        p->src_wait_point = SS_PARAM_FILE;
        return true;
    case SS_SV_VAR_ENABLED:
        p->enabled = value != 0;
        p->src_enabled = SS_PARAM_FILE;
        return true;
    default:
        return false;
    }
}

/* The sample of a series nearest t: the last at or before t, else the first. Its change point's
 * index in *idx (n_points when it is the exact last value beyond dropped points). */
static int64_t nearest_value(const struct ss_sv_series *se, int64_t t, uint32_t *idx)
{
    if (se->dropped_points > 0 && t >= se->last.ts_ns) {
        *idx = se->n_points;
        return se->last.value;
    }
    long i = point_at(se, t);
    if (i < 0)
        i = 0;
    *idx = (uint32_t)i;
    return se->points[i].value;
}

void ss_status_samples_params_at(const struct ss_status_samples *s, int64_t t,
                                 struct ss_semi_params *p)
{
    for (size_t k = 0; s && k < SS_SV_N_PARAMS; k++) {
        const struct ss_sv_series *se = &s->series[param_ids[k]];
        uint32_t idx;
        if (se->samples && se->n_points)
            ss_sv_param_set(param_ids[k], nearest_value(se, t, &idx), p);
    }
}

void ss_status_samples_params(const struct ss_status_samples *s, struct ss_semi_params *p)
{
    ss_status_samples_params_at(s, INT64_MIN, p);
}

static void hand(struct ss_sv_param_cursor *cur, enum ss_sv_id id, int64_t value, int64_t ts,
                 ss_sv_param_cb cb, void *ctx)
{
    struct ss_semi_params p;
    ss_semi_params_defaults(&p);
    p.src_timeout = p.src_wait_count = p.src_wait_no_slave = p.src_wait_point = p.src_enabled =
        SS_PARAM_DEFAULT;
    ss_sv_param_set(id, value, &p);
    cb(ctx, &p, ts);
    cur->handed++;
}

uint32_t ss_status_samples_params_due(const struct ss_status_samples *s,
                                      struct ss_sv_param_cursor *cur, int64_t t, ss_sv_param_cb cb,
                                      void *ctx)
{
    uint64_t before = cur->handed;
    for (size_t k = 0; s && cb && k < SS_SV_N_PARAMS; k++) {
        enum ss_sv_id id = param_ids[k];
        const struct ss_sv_series *se = &s->series[id];
        if (!se->samples || !se->n_points)
            continue;
        if (!cur->started[k]) { /* the sample nearest the capture's start, from its start */
            uint32_t idx;
            int64_t v = nearest_value(se, t, &idx);
            hand(cur, id, v, 0, cb, ctx);
            cur->started[k] = true;
            cur->next[k] = idx + 1;
            cur->last_done[k] = idx >= se->n_points;
        }
        for (; cur->next[k] < se->n_points && se->points[cur->next[k]].ts_ns <= t; cur->next[k]++)
            hand(cur, id, se->points[cur->next[k]].value, se->points[cur->next[k]].ts_ns, cb, ctx);
        /* changes beyond the cap were not kept, but the last sample is exact */
        if (cur->next[k] >= se->n_points && se->dropped_points > 0 && !cur->last_done[k] &&
            se->last.ts_ns <= t) {
            cur->last_done[k] = true;
            if (se->last.value != se->points[se->n_points - 1].value)
                hand(cur, id, se->last.value, se->last.ts_ns, cb, ctx);
        }
    }
    return (uint32_t)(cur->handed - before);
}
