/* SPDX-License-Identifier: MIT */
/* hist.c: log-linear latency histogram with bounded relative error (see hist.h). */
#include "semiscope/hist.h"

#include <math.h>
#include <string.h>

#define SUB (UINT64_C(1) << SS_HIST_SUB_BITS)

static unsigned msb64(uint64_t v)
{
    return 63u - (unsigned)__builtin_clzll(v);
}

uint32_t ss_hist_index(uint64_t v)
{
    if (v > SS_HIST_MAX_VALUE)
        v = SS_HIST_MAX_VALUE;
    if (v < SUB)
        return (uint32_t)v;
    /* For v in [2^m, 2^(m+1)), m ≥ SUB_BITS: shift keeps the top SUB_BITS+1 bits, whose value
     * lies in [SUB, 2·SUB); the first such range (shift 0) continues the exact buckets. */
    unsigned shift = msb64(v) - SS_HIST_SUB_BITS;
    uint64_t sub = v >> shift;
    return (uint32_t)(((uint64_t)shift + 1) * SUB + (sub - SUB));
}

void ss_hist_bucket_bounds(uint32_t idx, uint64_t *lo, uint64_t *hi)
{
    if (idx < SUB) {
        *lo = *hi = idx;
        return;
    }
    unsigned shift = (unsigned)(idx / SUB) - 1;
    uint64_t sub = idx % SUB + SUB;
    *lo = sub << shift;
    *hi = ((sub + 1) << shift) - 1;
}

void ss_hist_init(struct ss_hist *h)
{
    memset(h, 0, sizeof(*h));
    h->min = UINT64_MAX;
}

void ss_hist_reset(struct ss_hist *h)
{
    if (h->count) {
        /* Only buckets between min's and max's can be non-zero. */
        uint32_t a = ss_hist_index(h->min), b = ss_hist_index(h->max);
        memset(&h->buckets[a], 0, (size_t)(b - a + 1) * sizeof(h->buckets[0]));
    }
    h->count = h->sum = h->clamped = h->max = 0;
    h->min = UINT64_MAX;
}

void ss_hist_add(struct ss_hist *h, uint64_t v)
{
    h->buckets[ss_hist_index(v)]++;
    h->count++;
    h->sum = (h->sum > UINT64_MAX - v) ? UINT64_MAX : h->sum + v;
    if (v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
    if (v > SS_HIST_MAX_VALUE)
        h->clamped++;
}

void ss_hist_merge(struct ss_hist *dst, const struct ss_hist *src)
{
    if (!src->count)
        return;
    uint32_t a = ss_hist_index(src->min), b = ss_hist_index(src->max);
    for (uint32_t i = a; i <= b; i++)
        dst->buckets[i] += src->buckets[i];
    dst->count += src->count;
    dst->sum = (dst->sum > UINT64_MAX - src->sum) ? UINT64_MAX : dst->sum + src->sum;
    dst->clamped += src->clamped;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
}

uint64_t ss_hist_quantile(const struct ss_hist *h, double q)
{
    if (!h->count)
        return 0;
    if (!(q > 0.0))
        return h->min;
    if (q >= 1.0)
        return h->max;
    double r = ceil(q * (double)h->count);
    uint64_t rank = r < 1.0 ? 1 : (uint64_t)r;
    if (rank > h->count)
        rank = h->count;
    uint64_t seen = 0;
    uint32_t a = ss_hist_index(h->min), b = ss_hist_index(h->max);
    for (uint32_t i = a; i <= b; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            uint64_t lo, hi;
            ss_hist_bucket_bounds(i, &lo, &hi);
            uint64_t mid = lo + (hi - lo) / 2;
            if (mid < h->min)
                mid = h->min;
            if (mid > h->max)
                mid = h->max;
            return mid;
        }
    }
    return h->max;
}

double ss_hist_mean(const struct ss_hist *h)
{
    return h->count ? (double)h->sum / (double)h->count : 0.0;
}

void ss_hist_summarize(const struct ss_hist *h, struct ss_hist_summary *out)
{
    memset(out, 0, sizeof(*out));
    if (!h->count)
        return;
    out->count = h->count;
    out->min = h->min;
    out->max = h->max;
    out->mean = ss_hist_mean(h);
    out->p50 = ss_hist_quantile(h, 0.50);
    out->p90 = ss_hist_quantile(h, 0.90);
    out->p99 = ss_hist_quantile(h, 0.99);
    out->p999 = ss_hist_quantile(h, 0.999);
}
