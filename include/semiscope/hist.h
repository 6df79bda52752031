/* SPDX-License-Identifier: MIT */
/* hist.h: a fixed-memory log-linear latency histogram (HdrHistogram's layout, our own code).
 *
 * Values are unsigned integers (semiscope records nanoseconds). Values below 2^(SUB_BITS+1) get a
 * bucket each; above that every power of two [2^k, 2^(k+1)) is split into 2^SUB_BITS equal
 * buckets, so a bucket is never wider than 1/2^SUB_BITS of its lower bound. Quantiles return the
 * bucket midpoint clipped to the exact [min, max]: relative error ≤ 1/2^(SUB_BITS+1) = 0.39 %.
 * count, sum, min and max are exact. Debian bookworm packages no C HdrHistogram (only Java and
 * Go ports), hence this file. */
#ifndef SEMISCOPE_HIST_H
#define SEMISCOPE_HIST_H

#include "semiscope/common.h"

#define SS_HIST_SUB_BITS 7   /* 128 linear sub-buckets per power of two */
#define SS_HIST_MAX_BITS 46  /* values ≥ 2^46 (19.5 h in ns) are clamped into the top bucket */
#define SS_HIST_BUCKETS ((SS_HIST_MAX_BITS - SS_HIST_SUB_BITS + 1) << SS_HIST_SUB_BITS)
#define SS_HIST_MAX_VALUE ((UINT64_C(1) << SS_HIST_MAX_BITS) - 1)

/* About 41 KiB: embed it or allocate it once; never one per sample or per interval. */
struct ss_hist {
    uint64_t count;
    uint64_t sum;        /* saturates at UINT64_MAX (585 years of ns) */
    uint64_t min, max;   /* exact, unclamped; min = UINT64_MAX while empty */
    uint64_t clamped;    /* values above SS_HIST_MAX_VALUE (recorded in the top bucket) */
    uint64_t buckets[SS_HIST_BUCKETS];
};

/* Summary of a histogram, all in the histogram's unit. Zeroes when count is 0. */
struct ss_hist_summary {
    uint64_t count;
    uint64_t min, max;
    double mean;
    uint64_t p50, p90, p99, p999;
};

void ss_hist_init(struct ss_hist *h);
/* Empty the histogram; cheaper than init when few buckets were touched. */
void ss_hist_reset(struct ss_hist *h);
void ss_hist_add(struct ss_hist *h, uint64_t v);
/* dst += src. */
void ss_hist_merge(struct ss_hist *dst, const struct ss_hist *src);
/* Nearest-rank quantile, q in [0, 1] (clamped): the bucket holding the ceil(q·count)-th smallest
 * value, as its midpoint clipped to [min, max]. 0 when empty. */
uint64_t ss_hist_quantile(const struct ss_hist *h, double q);
double ss_hist_mean(const struct ss_hist *h);
void ss_hist_summarize(const struct ss_hist *h, struct ss_hist_summary *out);

/* Bucket geometry, exposed for tests. */
uint32_t ss_hist_index(uint64_t v);
void ss_hist_bucket_bounds(uint32_t idx, uint64_t *lo, uint64_t *hi);

#endif
