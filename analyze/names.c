/* SPDX-License-Identifier: MIT */
/* names.c: interned binlog file names and the ordering of binlog coordinates. */
#include "analysis_priv.h"

#include <stdlib.h>
#include <string.h>

/* "master-bin.000012" → 12. Names without digits after their last '.' have no suffix. */
static bool name_suffix(const char *s, uint64_t *out)
{
    const char *dot = strrchr(s, '.');
    if (!dot || !dot[1])
        return false;
    uint64_t v = 0;
    for (const char *p = dot + 1; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        uint64_t d = (uint64_t)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* Files sort by numeric suffix (a suffix-less name after every suffixed one), then by name. */
static int file_cmp(bool ha, uint64_t sa, const char *na, bool hb, uint64_t sb, const char *nb)
{
    if (ha != hb)
        return ha ? -1 : 1;
    if (ha && sa != sb)
        return sa < sb ? -1 : 1;
    int c = strcmp(na, nb);
    return c < 0 ? -1 : c > 0;
}

int ss_binlog_coord_cmp(const char *fa, uint64_t pa, const char *fb, uint64_t pb)
{
    uint64_t sa = 0, sb = 0;
    bool ha = name_suffix(fa, &sa), hb = name_suffix(fb, &sb);
    int c = file_cmp(ha, sa, fa, hb, sb, fb);
    if (c)
        return c;
    return pa < pb ? -1 : pa > pb;
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = UINT64_C(1469598103934665603); /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * UINT64_C(1099511628211);
    return h;
}

int ss_names_init(struct ss_names *t)
{
    memset(t, 0, sizeof(*t));
    t->cap = 16;
    t->nslots = 32;
    t->v = calloc(t->cap, sizeof(*t->v));
    t->slots = calloc(t->nslots, sizeof(*t->slots));
    char *q = malloc(2);
    if (!t->v || !t->slots || !q) {
        free(q);
        ss_names_free(t);
        return -1;
    }
    memcpy(q, "?", 2);
    t->v[0].s = q;
    t->n = 1;
    return 0;
}

void ss_names_free(struct ss_names *t)
{
    for (uint32_t i = 0; t->v && i < t->n; i++)
        free(t->v[i].s);
    free(t->v);
    free(t->slots);
    memset(t, 0, sizeof(*t));
}

static int names_grow(struct ss_names *t)
{
    if (t->n == t->cap) {
        struct ss_name *nv = realloc(t->v, (size_t)t->cap * 2 * sizeof(*nv));
        if (!nv)
            return -1;
        t->v = nv;
        t->cap *= 2;
    }
    if ((uint64_t)t->n * 2 >= t->nslots) {
        uint32_t ns = t->nslots * 2;
        uint32_t *sl = calloc(ns, sizeof(*sl));
        if (!sl)
            return -1;
        for (uint32_t i = 1; i < t->n; i++) {
            uint32_t j = (uint32_t)(hash_str(t->v[i].s) & (ns - 1));
            while (sl[j])
                j = (j + 1) & (ns - 1);
            sl[j] = i;
        }
        free(t->slots);
        t->slots = sl;
        t->nslots = ns;
    }
    return 0;
}

uint32_t ss_names_intern(struct ss_names *t, const char *s)
{
    uint32_t mask = t->nslots - 1;
    uint32_t j = (uint32_t)(hash_str(s) & mask);
    for (; t->slots[j]; j = (j + 1) & mask)
        if (strcmp(t->v[t->slots[j]].s, s) == 0)
            return t->slots[j];
    if (t->n >= SS_NAMES_MAX) {
        t->cap_hit++;
        return 0;
    }
    if (names_grow(t) < 0) {
        t->alloc_failures++;
        return 0;
    }
    size_t len = strlen(s);
    char *copy = malloc(len + 1);
    if (!copy) {
        t->alloc_failures++;
        return 0;
    }
    memcpy(copy, s, len + 1);
    uint32_t id = t->n++;
    t->v[id].s = copy;
    t->v[id].has_suffix = name_suffix(copy, &t->v[id].suffix);
    mask = t->nslots - 1; /* the table may have grown */
    j = (uint32_t)(hash_str(s) & mask);
    while (t->slots[j])
        j = (j + 1) & mask;
    t->slots[j] = id;
    return id;
}

const char *ss_names_str(const struct ss_names *t, uint32_t id)
{
    return id < t->n ? t->v[id].s : "?";
}

int ss_names_coord_cmp(const struct ss_names *t, uint32_t fa, uint64_t pa, uint32_t fb,
                       uint64_t pb)
{
    if (fa != fb) {
        const struct ss_name *a = &t->v[fa], *b = &t->v[fb];
        int c = file_cmp(a->has_suffix, a->suffix, a->s, b->has_suffix, b->suffix, b->s);
        if (c)
            return c;
    }
    return pa < pb ? -1 : pa > pb;
}
