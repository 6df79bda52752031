/* SPDX-License-Identifier: MIT */
/* trxset.c: counts a master's distinct transactions across replica streams and re-sends.
 *
 * Every stream sends the binlog contiguously from its start position, so once a stream has sent
 * transaction ends at positions p1 < p2 of one file, every transaction end between them has been
 * seen. The set therefore keeps, per file, disjoint ranges [lo, hi] of positions already covered
 * by some stream; a transaction end inside a range is a duplicate (another replica, or a re-send
 * after a reconnect), anything else is new and extends the sending stream's range. Streams that
 * advance together merge their ranges, so a normal capture holds one range per file. The number
 * of ranges is capped: on overflow the range with the smallest (file id, lo) is forgotten, and a
 * later re-send inside it would be counted again (the `dropped` counter says it happened). */
#include "analysis_priv.h"

#include <stdlib.h>
#include <string.h>

void ss_trxset_init(struct ss_trxset *t, size_t max)
{
    memset(t, 0, sizeof(*t));
    t->max = max ? max : 1;
}

void ss_trxset_free(struct ss_trxset *t)
{
    free(t->v);
    memset(t, 0, sizeof(*t));
}

static bool key_le(uint32_t fa, uint64_t pa, uint32_t fb, uint64_t pb)
{
    return fa < fb || (fa == fb && pa <= pb);
}

/* Index of the last range whose (file, lo) ≤ (file, pos), or -1. */
static long find_floor(const struct ss_trxset *t, uint32_t file, uint64_t pos)
{
    long lo = 0, hi = (long)t->n - 1, best = -1;
    while (lo <= hi) {
        long mid = lo + (hi - lo) / 2;
        if (key_le(t->v[mid].file, t->v[mid].lo, file, pos)) {
            best = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return best;
}

static long find_containing(const struct ss_trxset *t, uint32_t file, uint64_t pos)
{
    long i = find_floor(t, file, pos);
    if (i >= 0 && t->v[i].file == file && t->v[i].hi >= pos)
        return i;
    return -1;
}

static void remove_at(struct ss_trxset *t, size_t i)
{
    memmove(&t->v[i], &t->v[i + 1], (t->n - i - 1) * sizeof(t->v[0]));
    t->n--;
}

/* Absorb the ranges after i that the (grown) range i now reaches. */
static void merge_forward(struct ss_trxset *t, size_t i)
{
    while (i + 1 < t->n && t->v[i + 1].file == t->v[i].file && t->v[i + 1].lo <= t->v[i].hi) {
        if (t->v[i + 1].hi > t->v[i].hi)
            t->v[i].hi = t->v[i + 1].hi;
        remove_at(t, i + 1);
    }
}

static void insert_point(struct ss_trxset *t, uint32_t file, uint64_t pos)
{
    if (t->n >= t->max) {
        remove_at(t, 0);
        t->dropped++;
    }
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 8;
        struct ss_trx_range *nv = realloc(t->v, nc * sizeof(*nv));
        if (!nv) {
            t->alloc_failures++;
            return;
        }
        t->v = nv;
        t->cap = nc;
    }
    size_t at = (size_t)(find_floor(t, file, pos) + 1);
    memmove(&t->v[at + 1], &t->v[at], (t->n - at) * sizeof(t->v[0]));
    t->v[at] = (struct ss_trx_range){ .file = file, .lo = pos, .hi = pos };
    t->n++;
}

bool ss_trxset_add(struct ss_trxset *t, bool has_prev, uint32_t prev_file, uint64_t prev_pos,
                   uint32_t file, uint64_t pos)
{
    bool known = find_containing(t, file, pos) >= 0;
    if (!known)
        t->count++;
    /* The stream went contiguously from prev to pos: join everything in between. */
    if (has_prev && prev_file == file && prev_pos < pos) {
        long r = find_containing(t, file, prev_pos);
        if (r >= 0) {
            if (t->v[r].hi < pos)
                t->v[r].hi = pos;
            merge_forward(t, (size_t)r);
            return !known;
        }
    }
    if (!known)
        insert_point(t, file, pos);
    return !known;
}
