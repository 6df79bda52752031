/* SPDX-License-Identifier: MIT */
/* test_hist.c: the log-linear histogram: bucket geometry, exact count/min/max/mean, quantile
 * error against exact sorted percentiles, merge, reset, clamping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "semiscope/hist.h"

#define US(x) ((uint64_t)(x) * UINT64_C(1000))
#define MS(x) ((uint64_t)(x) * UINT64_C(1000000))

/* Deterministic generator (xorshift64*), so a failure reproduces. */
static uint64_t rng(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

/* Log-uniform between 1 ns and ~1 hour, the range latencies live in. */
static uint64_t rand_latency(uint64_t *s)
{
    double u = (double)(rng(s) >> 11) / 9007199254740992.0;
    return (uint64_t)exp(u * log(3.6e12));
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest rank, the definition hist.h promises. */
static uint64_t exact_quantile(const uint64_t *sorted, size_t n, double q)
{
    double r = ceil(q * (double)n);
    size_t rank = r < 1.0 ? 1 : (size_t)r;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

static struct ss_hist *hist_new(void)
{
    struct ss_hist *h = malloc(sizeof(*h));
    assert_non_null(h);
    ss_hist_init(h);
    return h;
}

static void test_geometry(void **state)
{
    (void)state;
    /* Below 256 every value has its own bucket. */
    for (uint64_t v = 0; v < 256; v++) {
        uint64_t lo, hi;
        assert_int_equal(ss_hist_index(v), v);
        ss_hist_bucket_bounds((uint32_t)v, &lo, &hi);
        assert_int_equal(lo, v);
        assert_int_equal(hi, v);
    }
    /* Above: contiguous, non-overlapping, width ≤ lo/128, index monotonic. */
    uint64_t prev_hi = 255;
    for (uint32_t i = 256; i < SS_HIST_BUCKETS; i++) {
        uint64_t lo, hi;
        ss_hist_bucket_bounds(i, &lo, &hi);
        assert_int_equal(lo, prev_hi + 1);
        assert_true(hi >= lo);
        assert_true((hi - lo + 1) * 128 <= lo);
        assert_int_equal(ss_hist_index(lo), i);
        assert_int_equal(ss_hist_index(hi), i);
        prev_hi = hi;
    }
    assert_int_equal(prev_hi, SS_HIST_MAX_VALUE);
    assert_int_equal(ss_hist_index(UINT64_MAX), SS_HIST_BUCKETS - 1);
}

static void test_empty(void **state)
{
    (void)state;
    struct ss_hist *h = hist_new();
    struct ss_hist_summary s;
    assert_int_equal(ss_hist_quantile(h, 0.5), 0);
    ss_hist_summarize(h, &s);
    assert_int_equal(s.count, 0);
    assert_int_equal(s.max, 0);
    assert_true(s.mean == 0.0);
    free(h);
}

static void test_exact_small_values(void **state)
{
    (void)state;
    struct ss_hist *h = hist_new();
    for (uint64_t v = 1; v <= 100; v++)
        ss_hist_add(h, v);
    struct ss_hist_summary s;
    ss_hist_summarize(h, &s);
    assert_int_equal(s.count, 100);
    assert_int_equal(s.min, 1);
    assert_int_equal(s.max, 100);
    assert_true(fabs(s.mean - 50.5) < 1e-9);
    assert_int_equal(s.p50, 50);
    assert_int_equal(s.p90, 90);
    assert_int_equal(s.p99, 99);
    assert_int_equal(s.p999, 100);
    assert_int_equal(ss_hist_quantile(h, 0.0), 1);
    assert_int_equal(ss_hist_quantile(h, 1.0), 100);
    free(h);
}

/* The contract: every quantile within 1% (the design gives 1/256) of the exact one. */
static void test_error_bound_random(void **state)
{
    (void)state;
    enum { N = 200000 };
    uint64_t *v = malloc(N * sizeof(*v));
    assert_non_null(v);
    struct ss_hist *h = hist_new();
    uint64_t seed = UINT64_C(0x5eed5eed12345678), sum = 0;
    for (size_t i = 0; i < N; i++) {
        v[i] = rand_latency(&seed);
        sum += v[i];
        ss_hist_add(h, v[i]);
    }
    qsort(v, N, sizeof(*v), cmp_u64);
    assert_int_equal(h->count, N);
    assert_int_equal(h->min, v[0]);
    assert_int_equal(h->max, v[N - 1]);
    assert_true(fabs(ss_hist_mean(h) - (double)sum / N) < 1e-6 * ((double)sum / N));
    double worst = 0.0;
    for (int k = 0; k <= 1000; k++) {
        double q = k / 1000.0;
        uint64_t e = exact_quantile(v, N, q), got = ss_hist_quantile(h, q);
        double err = fabs((double)got - (double)e) / (double)(e ? e : 1);
        if (err > worst)
            worst = err;
    }
    const double qs[] = { 0.5, 0.9, 0.99, 0.999, 0.9999 };
    for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
        uint64_t e = exact_quantile(v, N, qs[i]), got = ss_hist_quantile(h, qs[i]);
        assert_true(fabs((double)got - (double)e) <= (double)e / 256.0 + 0.5);
    }
    assert_true(worst <= 1.0 / 256.0 + 1e-9);
    free(h);
    free(v);
}

/* A narrow distribution (the common case: all acks within a few µs of each other). */
static void test_error_bound_narrow(void **state)
{
    (void)state;
    enum { N = 10000 };
    uint64_t v[N];
    struct ss_hist *h = hist_new();
    uint64_t seed = 42;
    for (size_t i = 0; i < N; i++) {
        v[i] = US(240) + rng(&seed) % US(20);
        ss_hist_add(h, v[i]);
    }
    qsort(v, N, sizeof(v[0]), cmp_u64);
    for (int k = 1; k <= 999; k++) {
        double q = k / 1000.0;
        uint64_t e = exact_quantile(v, N, q), got = ss_hist_quantile(h, q);
        assert_true(fabs((double)got - (double)e) <= (double)e / 256.0 + 0.5);
    }
    free(h);
}

static void test_merge(void **state)
{
    (void)state;
    struct ss_hist *a = hist_new(), *b = hist_new(), *all = hist_new();
    uint64_t seed = 7;
    for (int i = 0; i < 5000; i++) {
        uint64_t x = rand_latency(&seed);
        ss_hist_add((i % 3) ? a : b, x);
        ss_hist_add(all, x);
    }
    ss_hist_merge(a, b);
    assert_int_equal(a->count, all->count);
    assert_int_equal(a->sum, all->sum);
    assert_int_equal(a->min, all->min);
    assert_int_equal(a->max, all->max);
    assert_memory_equal(a->buckets, all->buckets, sizeof(a->buckets));
    /* Merging an empty histogram changes nothing; into an empty one copies. */
    struct ss_hist *e = hist_new();
    ss_hist_merge(a, e);
    assert_int_equal(a->count, all->count);
    ss_hist_merge(e, all);
    assert_int_equal(e->min, all->min);
    assert_int_equal(ss_hist_quantile(e, 0.99), ss_hist_quantile(all, 0.99));
    free(a);
    free(b);
    free(all);
    free(e);
}

static void test_reset(void **state)
{
    (void)state;
    struct ss_hist *h = hist_new(), *fresh = hist_new();
    ss_hist_add(h, 5);
    ss_hist_add(h, MS(3));
    ss_hist_add(h, US(700));
    ss_hist_reset(h);
    assert_int_equal(h->count, 0);
    assert_memory_equal(h, fresh, sizeof(*h));
    free(h);
    free(fresh);
}

static void test_clamp(void **state)
{
    (void)state;
    struct ss_hist *h = hist_new();
    uint64_t big = SS_HIST_MAX_VALUE + 12345;
    ss_hist_add(h, 10);
    ss_hist_add(h, big);
    assert_int_equal(h->clamped, 1);
    assert_int_equal(h->max, big);           /* max stays exact */
    assert_int_equal(ss_hist_quantile(h, 1.0), big);
    uint64_t p99 = ss_hist_quantile(h, 0.99); /* the top bucket, clipped to max */
    assert_true(p99 <= big && p99 >= SS_HIST_MAX_VALUE - SS_HIST_MAX_VALUE / 128);
    /* The sum saturates rather than wrapping. */
    ss_hist_add(h, UINT64_MAX);
    assert_int_equal(h->sum, UINT64_MAX);
    free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geometry),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_exact_small_values),
        cmocka_unit_test(test_error_bound_random),
        cmocka_unit_test(test_error_bound_narrow),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_clamp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
