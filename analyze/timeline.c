/* SPDX-License-Identifier: MIT */
/* timeline.c: per-interval activity of one replica (requests, acks, latency p50/p99/max).
 *
 * Only the open interval has a full histogram; when capture time moves past it, its quantiles are
 * computed and a 56-byte summary is appended, so memory is one histogram plus the summaries. Time
 * that goes backwards (merged files with skewed clocks) is charged to the open interval. Buckets
 * beyond `max` are not stored; `dropped` counts them. */
#include "analysis_priv.h"

#include <stdlib.h>
#include <string.h>

void ss_timeline_init(struct ss_timeline *tl, uint64_t interval_ns, size_t max)
{
    memset(tl, 0, sizeof(*tl));
    tl->interval_ns = interval_ns ? interval_ns : SS_NS_PER_SEC;
    tl->max = max;
}

void ss_timeline_free(struct ss_timeline *tl)
{
    free(tl->v);
    free(tl->h);
    tl->v = NULL;
    tl->h = NULL;
    tl->n = tl->cap = 0;
}

void ss_timeline_flush(struct ss_timeline *tl)
{
    if (!tl->open)
        return;
    tl->open = false;
    if (tl->open_dropped) {
        tl->dropped++;
        return;
    }
    if (tl->h && tl->h->count) {
        tl->cur.p50_ns = ss_hist_quantile(tl->h, 0.50);
        tl->cur.p99_ns = ss_hist_quantile(tl->h, 0.99);
        tl->cur.max_ns = tl->h->max;
    }
    if (tl->n == tl->cap) {
        size_t nc = tl->cap ? tl->cap * 2 : 64;
        if (nc > tl->max)
            nc = tl->max;
        struct ss_interval *nv = realloc(tl->v, nc * sizeof(*nv));
        if (!nv) {
            tl->alloc_failures++;
            tl->dropped++;
            return;
        }
        tl->v = nv;
        tl->cap = nc;
    }
    tl->v[tl->n++] = tl->cur;
}

/* The open bucket for capture time ts, opening (and closing the previous) as needed. */
static struct ss_interval *bucket(struct ss_timeline *tl, uint64_t ts_ns)
{
    uint64_t idx = ts_ns / tl->interval_ns;
    if (tl->open && idx <= tl->cur.index)
        return &tl->cur;
    ss_timeline_flush(tl);
    memset(&tl->cur, 0, sizeof(tl->cur));
    tl->cur.index = idx;
    tl->open = true;
    tl->open_dropped = tl->n >= tl->max;
    if (tl->h)
        ss_hist_reset(tl->h);
    return &tl->cur;
}

void ss_timeline_request(struct ss_timeline *tl, uint64_t ts_ns)
{
    bucket(tl, ts_ns)->requests++;
}

void ss_timeline_ack(struct ss_timeline *tl, uint64_t ts_ns)
{
    bucket(tl, ts_ns)->acks++;
}

void ss_timeline_sample(struct ss_timeline *tl, uint64_t ts_ns, uint64_t latency_ns)
{
    struct ss_interval *b = bucket(tl, ts_ns);
    b->samples++;
    if (tl->open_dropped)
        return;
    if (!tl->h) {
        tl->h = malloc(sizeof(*tl->h));
        if (!tl->h) {
            tl->alloc_failures++;
            return;
        }
        ss_hist_init(tl->h);
    }
    ss_hist_add(tl->h, latency_ns);
}
