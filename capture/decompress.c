/* SPDX-License-Identifier: MIT */
/* decompress.c: capture files compressed with gzip or zstd (Wireshark reads them too), handed to
 * libpcap as an ordinary stdio stream (fopencookie) that decompresses as it is read. Nothing is
 * buffered beyond a fixed input buffer and the decompressor's own window, so a capture of any
 * size is read in bounded memory, from a file or from a pipe (-r -). The format is told by the
 * first bytes, as file(1) does: a .pcap.gz renamed .pcap is still read. */
#define _GNU_SOURCE /* fopencookie */
#include "capture_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <zlib.h>
#include <zstd.h>

#define DZ_IBUF ((size_t)1 << 16)
#define DZ_ZSTD_WINDOWLOG_MAX 27 /* 128 MiB: zstd's own default limit, stated */

enum dz_kind { DZ_PLAIN, DZ_GZIP, DZ_ZSTD };

struct dz {
    FILE *in;
    bool own_in;
    enum dz_kind kind;
    uint8_t *ibuf;        /* input not yet given to the decompressor: [ipos, ilen) */
    size_t ipos, ilen;
    bool in_eof;
    bool failed;          /* a corrupt or cut-short stream: every later read fails too */
    z_stream z;
    bool member_done;     /* gzip: the last member ended (a next one may follow) */
    ZSTD_DStream *zd;
    size_t zret;          /* zstd: 0 when the last frame ended */
};

/* Refill ibuf when it is used up. False at the end of input (or on a read error: in_eof, and
 * ferror(in) tells). */
static bool dz_fill(struct dz *d)
{
    if (d->ipos < d->ilen)
        return true;
    if (d->in_eof)
        return false;
    d->ipos = 0;
    d->ilen = fread(d->ibuf, 1, DZ_IBUF, d->in);
    if (d->ilen == 0)
        d->in_eof = true;
    return d->ilen > 0;
}

static ssize_t dz_fail(struct dz *d, int err)
{
    d->failed = true;
    errno = err;
    return -1;
}

static ssize_t dz_read_plain(struct dz *d, char *buf, size_t size)
{
    if (d->ipos < d->ilen) {
        size_t n = d->ilen - d->ipos < size ? d->ilen - d->ipos : size;
        memcpy(buf, d->ibuf + d->ipos, n);
        d->ipos += n;
        return (ssize_t)n;
    }
    size_t n = fread(buf, 1, size, d->in);
    if (n == 0 && ferror(d->in))
        return dz_fail(d, EIO);
    return (ssize_t)n;
}

static ssize_t dz_read_gzip(struct dz *d, char *buf, size_t size)
{
    d->z.next_out = (Bytef *)buf;
    d->z.avail_out = size > UINT32_MAX ? UINT32_MAX : (uInt)size;
    uInt want = d->z.avail_out;
    while (d->z.avail_out == want) {
        if (d->z.avail_in == 0) {
            if (!dz_fill(d)) {
                if (ferror(d->in))
                    return dz_fail(d, EIO);
                if (!d->member_done)
                    return dz_fail(d, EBADMSG); /* cut short inside a member */
                return 0;
            }
            if (d->member_done) {
                /* Concatenated members (gzip a; gzip b; cat) are one stream; anything else
                 * after the last member is ignored, as gzip -d does with a warning. */
                if (d->ibuf[d->ipos] != 0x1f) {
                    d->ipos = d->ilen;
                    d->in_eof = true;
                    return 0;
                }
                inflateReset(&d->z);
                d->member_done = false;
            }
            d->z.next_in = d->ibuf + d->ipos;
            d->z.avail_in = (uInt)(d->ilen - d->ipos);
            d->ipos = d->ilen;
        }
        int rc = inflate(&d->z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            d->member_done = true;
            /* Input after the member's end goes back to ibuf for the next member. */
            d->ipos = d->ilen - d->z.avail_in;
            d->z.avail_in = 0;
        } else if (rc != Z_OK && !(rc == Z_BUF_ERROR && d->z.avail_in == 0)) {
            return dz_fail(d, EBADMSG);
        }
    }
    return (ssize_t)(want - d->z.avail_out);
}

static ssize_t dz_read_zstd(struct dz *d, char *buf, size_t size)
{
    ZSTD_outBuffer out = {buf, size, 0};
    for (;;) {
        bool more = dz_fill(d);
        if (!more && ferror(d->in))
            return dz_fail(d, EIO);
        ZSTD_inBuffer in = {d->ibuf + d->ipos, d->ilen - d->ipos, 0};
        size_t ret = ZSTD_decompressStream(d->zd, &out, &in);
        if (ZSTD_isError(ret))
            return dz_fail(d, EBADMSG);
        d->ipos += in.pos;
        /* At a frame boundary a call with no input returns the next header's size: only a
         * call that did something says where the stream is. */
        if (in.pos > 0 || out.pos > 0)
            d->zret = ret;
        if (out.pos > 0)
            return (ssize_t)out.pos;
        if (!more && d->ipos >= d->ilen)
            return d->zret == 0 ? 0 : dz_fail(d, EBADMSG); /* cut short inside a frame */
    }
}

static ssize_t dz_read(void *cookie, char *buf, size_t size)
{
    struct dz *d = cookie;
    if (d->failed) {
        errno = EBADMSG;
        return -1;
    }
    switch (d->kind) {
    case DZ_GZIP: return dz_read_gzip(d, buf, size);
    case DZ_ZSTD: return dz_read_zstd(d, buf, size);
    default: return dz_read_plain(d, buf, size);
    }
}

static void dz_free(struct dz *d)
{
    if (d->kind == DZ_GZIP)
        inflateEnd(&d->z);
    ZSTD_freeDStream(d->zd);
    if (d->own_in)
        fclose(d->in);
    free(d->ibuf);
    free(d);
}

static int dz_close(void *cookie)
{
    dz_free(cookie);
    return 0;
}

static enum dz_kind sniff(const uint8_t *b, size_t n)
{
    if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
        return DZ_GZIP;
    if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
        return DZ_ZSTD;
    return DZ_PLAIN;
}

static bool dz_init(struct dz *d, char *errbuf)
{
    if (d->kind == DZ_GZIP) {
        /* 15 + 16: a gzip wrapper only (a bare zlib stream is not a capture file format). */
        if (inflateInit2(&d->z, 15 + 16) != Z_OK) {
            snprintf(errbuf, SS_ERRBUF_SIZE, "gzip: cannot start inflating (out of memory)");
            d->kind = DZ_PLAIN; /* nothing to end */
            return false;
        }
    } else if (d->kind == DZ_ZSTD) {
        d->zd = ZSTD_createDStream();
        if (!d->zd ||
            ZSTD_isError(ZSTD_DCtx_setParameter(d->zd, ZSTD_d_windowLogMax, DZ_ZSTD_WINDOWLOG_MAX))) {
            snprintf(errbuf, SS_ERRBUF_SIZE, "zstd: cannot start decompressing (out of memory)");
            return false;
        }
    }
    return true;
}

FILE *ss_decompress_open(FILE *in, bool own_in, bool *compressed, char *errbuf)
{
    *compressed = false;
    struct stat st;
    off_t start = ftello(in);
    bool seekable = start >= 0 && fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode);
    uint8_t magic[4];
    size_t n = fread(magic, 1, sizeof magic, in);
    enum dz_kind kind = sniff(magic, n);
    if (seekable && kind == DZ_PLAIN) {
        if (fseeko(in, start, SEEK_SET) == 0)
            return in;
        snprintf(errbuf, SS_ERRBUF_SIZE, "cannot seek back: %s", strerror(errno));
        return NULL;
    }
    struct dz *d = calloc(1, sizeof *d);
    uint8_t *ibuf = malloc(DZ_IBUF);
    if (!d || !ibuf) {
        free(d);
        free(ibuf);
        snprintf(errbuf, SS_ERRBUF_SIZE, "out of memory");
        return NULL;
    }
    d->in = in;
    d->kind = kind;
    d->ibuf = ibuf;
    memcpy(d->ibuf, magic, n); /* the bytes read to tell the format are the stream's first */
    d->ilen = n;
    d->in_eof = n < sizeof magic;
    if (!dz_init(d, errbuf)) {
        dz_free(d);
        return NULL;
    }
    cookie_io_functions_t io = {.read = dz_read, .write = NULL, .seek = NULL, .close = dz_close};
    FILE *f = fopencookie(d, "rb", io);
    if (!f) {
        snprintf(errbuf, SS_ERRBUF_SIZE, "out of memory");
        dz_free(d);
        return NULL;
    }
    d->own_in = own_in; /* only now: a failure above leaves `in` to the caller */
    *compressed = kind != DZ_PLAIN;
    return f;
}
