/* SPDX-License-Identifier: MIT */
/* status_samples_restart.c: server restarts in the status samples. An Uptime that went down (or,
 * across a poller gap, a start time that moved) is a restart; without Uptime, a counter that went
 * down across a gap after which the poller found the server back is one too. Every counter
 * restarted at 0 there, so the first sample of each after it is flagged, even when its value
 * equals the old lifetime's last: the deltas then count its whole value. */
#include <string.h>

#include "semiscope/status.h"
#include "semiscope/status_samples.h"
#include "status_samples_priv.h"

/* Insert a change point at index idx (the cap applies as for series_push). */
static void series_insert(struct ss_status_samples *s, struct ss_sv_series *se, uint32_t idx,
                          const struct ss_sv_point *pt)
{
    uint32_t before = se->n_points;
    ss_sv_series_push(s, se, pt);
    if (se->n_points == before || idx >= before)
        return; /* dropped, or appended at its place */
    memmove(&se->points[idx + 1], &se->points[idx], (size_t)(before - idx) * sizeof(*pt));
    se->points[idx] = *pt;
}

/* Index of the first change point after t (n_points when none). */
static uint32_t first_point_after(const struct ss_sv_series *se, int64_t t)
{
    uint32_t lo = 0, hi = se->n_points;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (se->points[mid].ts_ns <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* A restart was just found: the samples already stored after `after` (the other rows of the same
 * SHOW, which come before `Uptime` alphabetically) are the new lifetime's. Flag the change point
 * of the first of them, adding one when its value equalled the old lifetime's last. */
static void mark_restart(struct ss_status_samples *s, int64_t after)
{
    for (size_t id = 1; id < SS_SV__COUNT; id++) {
        struct ss_sv_series *se = &s->series[id];
        if (se->samples == 0 || se->last.ts_ns <= after || se->first.ts_ns > after)
            continue;
        uint32_t f = first_point_after(se, after);
        if (f < se->n_points && se->points[f].prev_ts_ns <= after) {
            se->points[f].restart = true; /* the change is the restart's first sample */
            continue;
        }
        if (f == 0)
            continue;
        /* The first sample after the restart kept the old value, so it is no change point. Its
         * time: exact when it is the last sample, else the earliest sample known after `after`
         * (the previous sample of the next change point). */
        struct ss_sv_point pt = {.value = se->points[f - 1].value, .restart = true};
        if (f < se->n_points) {
            pt.ts_ns = se->points[f].prev_ts_ns;
            pt.prev_ts_ns = after;
        } else if (se->last.prev_ts_ns <= after) {
            pt.ts_ns = se->last.ts_ns;
            pt.prev_ts_ns = se->last.prev_ts_ns;
        } else {
            pt.ts_ns = se->last.prev_ts_ns;
            pt.prev_ts_ns = after;
        }
        series_insert(s, se, f, &pt);
    }
}

static struct ss_sv_restart *restart_add(struct ss_status_samples *s)
{
    if (s->n_restarts >= SS_SV_MAX_RESTARTS) {
        s->dropped_restarts++;
        return NULL;
    }
    struct ss_sv_restart *r = &s->restarts[s->n_restarts++];
    memset(r, 0, sizeof(*r));
    r->hint_id = SS_SV_UNKNOWN;
    r->uptime_s = r->prev_uptime_s = -1;
    return r;
}

/* Whether a known restart lies between the series' last sample and a new one at ts. */
bool ss_sv_crosses_restart(const struct ss_status_samples *s, const struct ss_sv_series *se,
                           int64_t ts)
{
    for (uint32_t i = s->n_restarts; i-- > 0;) {
        int64_t a = s->restarts[i].after_ns;
        if (a < se->last.ts_ns)
            return false;
        if (a < ts)
            return true;
    }
    return false;
}

/* The poller gap between two samples of a series (the first gap starting at or after t0 that
 * ended by t1), or NULL. */
static const struct ss_sv_gap *gap_between(const struct ss_status_samples *s, int64_t t0,
                                           int64_t t1)
{
    for (uint32_t i = 0; i < s->n_gaps; i++)
        if (s->gaps[i].start_ns >= t0 && s->gaps[i].end_ns != 0 && s->gaps[i].end_ns <= t1)
            return &s->gaps[i];
    return NULL;
}

/* An Uptime sample: lower than the previous one, or (across a poller gap) implying a start more
 * than 2 s later than before, means the server restarted. Uptime counts whole seconds from the
 * server's start, so the start is (sample time − Uptime) to within a second either way. */
static void uptime_sample(struct ss_status_samples *s, int64_t ts, int64_t up)
{
    const struct ss_sv_series *se = &s->series[SS_SV_UPTIME];
    const int64_t sec = (int64_t)SS_NS_PER_SEC;
    if (se->samples == 0 || ts <= se->last.ts_ns || up > INT64_MAX / sec / 2)
        return;
    int64_t b = se->last.ts_ns, up0 = se->last.value;
    int64_t start = (ts / sec - up) * sec;
    const struct ss_sv_gap *g = gap_between(s, b, ts);
    bool moved = g && start - (b / sec - up0) * sec >= 2 * sec;
    if (up >= up0 && !moved)
        return;
    /* a reconnect hint already found for this restart (a counter came before Uptime) */
    struct ss_sv_restart *r = s->n_restarts && s->restarts[s->n_restarts - 1].seen_ns > b
                                  ? &s->restarts[s->n_restarts - 1]
                                  : NULL;
    bool fresh = r == NULL;
    if (fresh && !(r = restart_add(s)))
        return;
    r->source = SS_RESTART_UPTIME;
    r->start_ns = start;
    r->lo_ns = SS_MAX(start - sec, b);
    r->hi_ns = SS_MAX(SS_MIN(start + sec, ts), r->lo_ns);
    if (fresh)
        r->after_ns = SS_MAX(b, r->lo_ns);
    r->seen_ns = ts;
    r->uptime_s = up;
    r->prev_uptime_s = up0;
    r->prev_seen_ns = b;
    if (g && !r->version[0])
        snprintf(r->version, sizeof(r->version), "%s", g->version);
    if (fresh)
        mark_restart(s, r->after_ns);
}

/* Without Uptime: a counter lower than before, across a poller gap after which the poller found
 * the server back (a version on the `# connected` line), is a restart hint — and then every
 * counter restarted there, including those that already grew past their old value. */
static void counter_hint(struct ss_status_samples *s, enum ss_sv_id id, int64_t ts, int64_t v)
{
    const struct ss_sv_series *se = &s->series[id];
    if (!ss_sv_is_counter(id) || se->samples == 0 || v >= se->last.value)
        return;
    const struct ss_sv_gap *g = gap_between(s, se->last.ts_ns, ts);
    if (!g || !g->version[0])
        return;
    if (ss_sv_crosses_restart(s, se, ts))
        return; /* already known (from Uptime, or another counter of the same sample) */
    struct ss_sv_restart *r = restart_add(s);
    if (!r)
        return;
    r->source = SS_RESTART_RECONNECT;
    r->lo_ns = g->start_ns;
    r->hi_ns = g->end_ns;
    r->start_ns = g->end_ns;
    r->after_ns = g->start_ns;
    r->seen_ns = ts;
    r->hint_id = id;
    r->prev_seen_ns = se->last.ts_ns;
    r->hint_from = se->last.value;
    r->hint_to = v;
    snprintf(r->version, sizeof(r->version), "%s", g->version);
    mark_restart(s, r->after_ns);
}

void ss_sv_restart_sample(struct ss_status_samples *s, enum ss_sv_id id, int64_t ts, int64_t v)
{
    if (id == SS_SV_UPTIME)
        uptime_sample(s, ts, v);
    else
        counter_hint(s, id, ts, v);
}
