/* SPDX-License-Identifier: MIT */
/* rd.h: bounds-checked cursor over untrusted bytes, with a sticky error flag.
 *
 * Every read of wire bytes goes through this. A read past the end returns 0 (or an empty view)
 * and sets `err`; callers check once at the end of a message instead of after each field. */
#ifndef SEMISCOPE_RD_H
#define SEMISCOPE_RD_H

#include "semiscope/common.h"
#include <string.h>

struct rd {
    const uint8_t *p;
    size_t len;
    size_t off;
    bool err;
};

static inline struct rd rd_init(const uint8_t *p, size_t len)
{
    struct rd r = {p, len, 0, false};
    return r;
}

static inline size_t rd_left(const struct rd *r)
{
    return r->err ? 0 : r->len - r->off;
}

static inline bool rd_need(struct rd *r, size_t n)
{
    if (r->err || r->len - r->off < n) {
        r->err = true;
        return false;
    }
    return true;
}

static inline const uint8_t *rd_ptr(const struct rd *r)
{
    return r->p + r->off;
}

static inline void rd_skip(struct rd *r, size_t n)
{
    if (rd_need(r, n))
        r->off += n;
}

static inline uint8_t rd_u8(struct rd *r)
{
    if (!rd_need(r, 1))
        return 0;
    return r->p[r->off++];
}

static inline uint64_t rd_le(struct rd *r, unsigned nbytes)
{
    if (nbytes > 8 || !rd_need(r, nbytes))
        return 0;
    uint64_t v = 0;
    for (unsigned i = 0; i < nbytes; i++)
        v |= (uint64_t)r->p[r->off + i] << (8 * i);
    r->off += nbytes;
    return v;
}

static inline uint64_t rd_be(struct rd *r, unsigned nbytes)
{
    if (nbytes > 8 || !rd_need(r, nbytes))
        return 0;
    uint64_t v = 0;
    for (unsigned i = 0; i < nbytes; i++)
        v = (v << 8) | r->p[r->off + i];
    r->off += nbytes;
    return v;
}

static inline uint16_t rd_le16(struct rd *r) { return (uint16_t)rd_le(r, 2); }
static inline uint32_t rd_le24(struct rd *r) { return (uint32_t)rd_le(r, 3); }
static inline uint32_t rd_le32(struct rd *r) { return (uint32_t)rd_le(r, 4); }
static inline uint64_t rd_le48(struct rd *r) { return rd_le(r, 6); }
static inline uint64_t rd_le64(struct rd *r) { return rd_le(r, 8); }
static inline uint16_t rd_be16(struct rd *r) { return (uint16_t)rd_be(r, 2); }
static inline uint32_t rd_be32(struct rd *r) { return (uint32_t)rd_be(r, 4); }

/* MySQL length-encoded integer. 0xFB (NULL) and 0xFF are errors here. */
static inline uint64_t rd_lenenc(struct rd *r)
{
    uint8_t b = rd_u8(r);
    if (b < 0xFB)
        return b;
    if (b == 0xFC)
        return rd_le(r, 2);
    if (b == 0xFD)
        return rd_le(r, 3);
    if (b == 0xFE)
        return rd_le(r, 8);
    r->err = true;
    return 0;
}

/* A sub-window of exactly n bytes; the parent advances past it. */
static inline struct rd rd_sub(struct rd *r, size_t n)
{
    struct rd s = {NULL, 0, 0, true};
    if (!rd_need(r, n))
        return s;
    s = rd_init(r->p + r->off, n);
    r->off += n;
    return s;
}

/* Copy up to n bytes into dst (size dstsz, always NUL-terminated), advancing by n.
 * Returns false if the source string did not fit (it is truncated, not an error). */
static inline bool rd_str(struct rd *r, size_t n, char *dst, size_t dstsz)
{
    if (dstsz == 0)
        return false;
    dst[0] = '\0';
    if (!rd_need(r, n))
        return false;
    size_t c = n < dstsz - 1 ? n : dstsz - 1;
    memcpy(dst, r->p + r->off, c);
    dst[c] = '\0';
    r->off += n;
    return c == n;
}

/* NUL-terminated string; the terminator must be inside the window. */
static inline bool rd_strz(struct rd *r, char *dst, size_t dstsz)
{
    if (r->err)
        return false;
    const uint8_t *start = r->p + r->off;
    const uint8_t *nul = memchr(start, 0, r->len - r->off);
    if (!nul) {
        r->err = true;
        if (dstsz)
            dst[0] = '\0';
        return false;
    }
    bool fit = rd_str(r, (size_t)(nul - start), dst, dstsz);
    r->off++; /* the NUL */
    return fit;
}

#endif
