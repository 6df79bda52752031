/* SPDX-License-Identifier: MIT */
/* record_offset.c: where in a capture file a read error happened, in bytes.
 *
 * libpcap reports a read error with a message but no position. Asking stdio for the position
 * after every record (ftello) costs a system call per packet on glibc (an lseek: it tripled the
 * run time of a plain --json run), so the position is worked out only when an error happens: the
 * records libpcap did deliver are walked again with pread on the file's descriptor, from the end
 * of the file header. Those records' headers were valid for libpcap, so the walk meets no
 * surprise; it is bounds-checked all the same. A pipe cannot be read at an offset: -1 then. */
#include "capture_priv.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RO_WINDOW ((size_t)1 << 16)

/* A window of the file read with pread, so the walk costs one system call per 64 KiB. */
struct ro_reader {
    int fd;
    int64_t base;      /* file offset of win[0] */
    size_t len;        /* valid bytes in win */
    uint8_t win[RO_WINDOW];
};

/* Copy n (<= 64) bytes at file offset off into out; false past the end or on an error. */
static bool ro_get(struct ro_reader *r, int64_t off, void *out, size_t n)
{
    if (off < r->base || (uint64_t)(off - r->base) + n > r->len) {
        ssize_t got = pread(r->fd, r->win, RO_WINDOW, (off_t)off);
        if (got < 0)
            return false;
        r->base = off;
        r->len = (size_t)got;
        if (n > r->len)
            return false;
    }
    memcpy(out, r->win + (off - r->base), n);
    return true;
}

static uint32_t ro_u32(const uint8_t *b, bool big_endian)
{
    return big_endian ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]
                      : (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

/* Classic pcap: records of a 16-byte header (24 for Kuznetzov's modified format) and caplen
 * bytes, in the byte order of the magic. */
static int64_t walk_pcap(struct ro_reader *r, const uint8_t magic[4], int64_t off, uint64_t n)
{
    static const uint32_t usec = 0xa1b2c3d4, nsec = 0xa1b23c4d, kuz = 0xa1b2cd34;
    bool big = ro_u32(magic, true) == usec || ro_u32(magic, true) == nsec ||
               ro_u32(magic, true) == kuz;
    uint32_t m = ro_u32(magic, big);
    if (m != usec && m != nsec && m != kuz)
        return -1;
    int64_t hdr = m == kuz ? 24 : 16;
    for (uint64_t i = 0; i < n; i++) {
        uint8_t h[16];
        if (!ro_get(r, off, h, sizeof h))
            return -1;
        off += hdr + (int64_t)ro_u32(h + 8, big);
    }
    return off;
}

/* pcapng: blocks of (type, total length, …); packet blocks are EPB (6), SPB (3) and the obsolete
 * PB (2). The offset is the end of the n-th packet block after the header. */
static int64_t walk_pcapng(struct ro_reader *r, int64_t start, int64_t off, uint64_t n)
{
    uint8_t bom[4];
    if (!ro_get(r, start + 8, bom, sizeof bom))
        return -1;
    bool big = ro_u32(bom, true) == 0x1a2b3c4d;
    if (!big && ro_u32(bom, false) != 0x1a2b3c4d)
        return -1;
    for (uint64_t seen = 0; seen < n;) {
        uint8_t h[8];
        if (!ro_get(r, off, h, sizeof h))
            return -1;
        uint32_t type = ro_u32(h, big), len = ro_u32(h + 4, big);
        if (len < 12 || len % 4 != 0)
            return -1;
        seen += type == 6 || type == 3 || type == 2;
        off += len;
    }
    return off;
}

int64_t ss_record_offset(int fd, int64_t start, int64_t header_end, uint64_t n)
{
    if (fd < 0 || start < 0 || header_end < start)
        return -1;
    if (n == 0)
        return header_end;
    struct ro_reader *r = calloc(1, sizeof *r);
    if (!r)
        return -1;
    r->fd = fd;
    r->base = -1;
    uint8_t magic[4];
    int64_t off = -1;
    if (ro_get(r, start, magic, sizeof magic)) {
        if (ro_u32(magic, false) == 0x0a0d0d0a)
            off = walk_pcapng(r, start, header_end, n);
        else
            off = walk_pcap(r, magic, header_end, n);
    }
    free(r);
    return off;
}
