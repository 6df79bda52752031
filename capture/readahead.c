/* SPDX-License-Identifier: MIT */
/* readahead.c: reading a capture file ahead of the analysis, in a second thread.
 *
 * Offline, a third of the run is the kernel copying the file and libpcap parsing records; on a
 * machine with two cores that can overlap with decoding (tools/bench: this is what moves
 * semiscope from ~0.4x to over half the speed of a bare read loop). A reader thread runs the
 * file backend's `next` and packs each frame into one of a few fixed blocks; the caller's thread
 * takes frames from them in the same order, so frame numbers and output are unchanged. Memory is
 * fixed: RA_BLOCKS blocks of RA_BLOCK bytes. A frame's bytes stay valid until the next call, as
 * the capture interface promises: a block is handed back only when the caller moves past it. */
#include "capture_priv.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RA_BLOCKS 4
/* 512 KiB: holds the largest frame libpcap yields (256 KiB) and, unlike 1 MiB blocks, measured
 * as fast as reading synchronously would allow: the copies stay in the CPU's cache. */
#define RA_BLOCK ((size_t)1 << 19)

/* One packed frame: this header, then caplen bytes, padded to 8. */
struct ra_rec {
    uint64_t ts_ns;
    uint64_t filtered;    /* frames the filter dropped just before this one (they keep numbers) */
    int32_t dlt;
    uint32_t caplen, wirelen;
};

struct ra_block {
    uint8_t *buf;
    size_t used;          /* bytes of packed records */
    bool last;            /* the reader stopped after this block: see rc/errbuf */
};

struct ra {
    struct ss_capture inner;          /* the wrapped backend, driven only by the reader thread */
    pthread_t thread;
    bool running;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct ra_block blk[RA_BLOCKS];
    unsigned filled;                  /* blocks ready for the reader side (count) */
    unsigned head;                    /* next block the caller takes */
    unsigned tail;                    /* next block the thread fills */
    bool stop;                        /* the caller is done (close, break) */
    int rc;                           /* the inner next's final result: 0 end, -1 error */
    uint64_t trailing_filtered;       /* filtered frames after the last frame */
    char errbuf[SS_ERRBUF_SIZE];
    /* caller side */
    struct ra_block *cur;
    size_t off;
    bool done;
};

static size_t rec_size(uint32_t caplen)
{
    return (sizeof(struct ra_rec) + caplen + 7) & ~(size_t)7;
}

/* Publish the block being filled and wait for a free one; false when asked to stop. */
static bool publish(struct ra *r, bool last)
{
    pthread_mutex_lock(&r->mu);
    r->blk[r->tail].last = last;
    r->tail = (r->tail + 1) % RA_BLOCKS;
    r->filled++;
    pthread_cond_broadcast(&r->cv);
    while (!r->stop && !last && r->filled == RA_BLOCKS)
        pthread_cond_wait(&r->cv, &r->mu);
    bool go = !r->stop;
    pthread_mutex_unlock(&r->mu);
    if (go && !last)
        r->blk[r->tail].used = 0;
    return go;
}

static void *reader(void *arg)
{
    struct ra *r = arg;
    char errbuf[SS_ERRBUF_SIZE] = "";
    uint64_t filtered_seen = 0;
    r->blk[r->tail].used = 0;
    for (;;) {
        struct ss_frame fr;
        int rc = r->inner.ops->next(&r->inner, &fr, errbuf);
        if (rc != 1) {
            pthread_mutex_lock(&r->mu);
            r->rc = rc;
            r->trailing_filtered = r->inner.filtered - filtered_seen;
            memcpy(r->errbuf, errbuf, sizeof(r->errbuf));
            pthread_mutex_unlock(&r->mu);
            publish(r, true);
            return NULL;
        }
        /* Never true with libpcap's 256 KiB cap on caplen; kept so a block can never overflow. */
        if (rec_size(fr.caplen) > RA_BLOCK)
            fr.caplen = (uint32_t)(RA_BLOCK - sizeof(struct ra_rec));
        struct ra_block *b = &r->blk[r->tail];
        size_t need = rec_size(fr.caplen);
        if (b->used + need > RA_BLOCK) {
            if (!publish(r, false))
                return NULL;
            b = &r->blk[r->tail];
        }
        struct ra_rec h = {fr.ts_ns, r->inner.filtered - filtered_seen, fr.dlt, fr.caplen,
                           fr.wirelen};
        filtered_seen = r->inner.filtered;
        memcpy(b->buf + b->used, &h, sizeof(h));
        memcpy(b->buf + b->used + sizeof(h), fr.data, fr.caplen);
        b->used += need;
        pthread_mutex_lock(&r->mu);
        bool stop = r->stop;
        pthread_mutex_unlock(&r->mu);
        if (stop)
            return NULL;
    }
}

/* Hand the current block back and wait for the next; NULL at the end. */
static struct ra_block *take(struct ra *r)
{
    pthread_mutex_lock(&r->mu);
    if (r->cur) {
        r->head = (r->head + 1) % RA_BLOCKS;
        r->filled--;
        pthread_cond_broadcast(&r->cv);
    }
    while (r->filled == 0)
        pthread_cond_wait(&r->cv, &r->mu);
    struct ra_block *b = &r->blk[r->head];
    pthread_mutex_unlock(&r->mu);
    return b;
}

static int ra_next(struct ss_capture *c, struct ss_frame *fr, char *errbuf)
{
    struct ra *r = c->priv;
    for (;;) {
        if (r->done)
            return 0;
        if (r->cur && r->off < r->cur->used) {
            struct ra_rec h;
            memcpy(&h, r->cur->buf + r->off, sizeof(h));
            fr->ts_ns = h.ts_ns;
            fr->dlt = h.dlt;
            fr->caplen = h.caplen;
            fr->wirelen = h.wirelen;
            fr->data = r->cur->buf + r->off + sizeof(h);
            c->filtered += h.filtered;
            r->off += rec_size(h.caplen);
            return 1;
        }
        if (r->cur && r->cur->last) {
            /* The thread has finished: its results are final and visible under the lock. */
            pthread_mutex_lock(&r->mu);
            int rc = r->rc;
            c->filtered += r->trailing_filtered;
            if (rc < 0)
                memcpy(errbuf, r->errbuf, SS_ERRBUF_SIZE);
            pthread_mutex_unlock(&r->mu);
            r->done = true;
            return rc;
        }
        r->cur = take(r);
        r->off = 0;
    }
}

/* Stop and join the thread: afterwards the inner backend may be queried from this thread. */
static void ra_quiesce(struct ra *r)
{
    if (!r->running)
        return;
    pthread_mutex_lock(&r->mu);
    r->stop = true;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->thread, NULL);
    r->running = false;
}

static void ra_stats(struct ss_capture *c, struct ss_capture_stats *out)
{
    struct ra *r = c->priv;
    ra_quiesce(r);
    r->inner.ops->stats(&r->inner, out);
}

static struct pcap *ra_pcap(struct ss_capture *c)
{
    struct ra *r = c->priv;
    return r->inner.ops->pcap(&r->inner); /* fixed at open: safe while the thread runs */
}

static const char *ra_warning(struct ss_capture *c)
{
    struct ra *r = c->priv;
    ra_quiesce(r);
    return r->inner.ops->warning ? r->inner.ops->warning(&r->inner) : NULL;
}

static const struct ss_capture_read_error *ra_read_errors(struct ss_capture *c, size_t *n)
{
    struct ra *r = c->priv;
    ra_quiesce(r);
    return r->inner.ops->read_errors ? r->inner.ops->read_errors(&r->inner, n) : NULL;
}

static void ra_free(struct ra *r)
{
    for (unsigned i = 0; i < RA_BLOCKS; i++)
        free(r->blk[i].buf);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

static void ra_close(struct ss_capture *c)
{
    struct ra *r = c->priv;
    ra_quiesce(r);
    r->inner.ops->close(&r->inner);
    ra_free(r);
}

static const struct ss_capture_ops ra_ops = {
    .next = ra_next,
    .brk = NULL, /* ss_capture_next checks `broken` before every frame */
    .stats = ra_stats,
    .pcap = ra_pcap,
    .warning = ra_warning,
    .read_errors = ra_read_errors,
    .close = ra_close,
};

struct ss_capture *ss_readahead_wrap(struct ss_capture *inner)
{
    struct ra *r = calloc(1, sizeof(*r));
    if (!r)
        return inner;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    for (unsigned i = 0; i < RA_BLOCKS; i++) {
        r->blk[i].buf = malloc(RA_BLOCK);
        if (!r->blk[i].buf) {
            ra_free(r);
            return inner;
        }
    }
    r->inner = *inner;
    struct ss_capture *c = ss_capture_new(&ra_ops, r);
    if (!c) {
        ra_free(r);
        return inner;
    }
    if (pthread_create(&r->thread, NULL, reader, r) != 0) {
        free(c);
        ra_free(r);
        return inner; /* no thread: read synchronously, as before */
    }
    r->running = true;
    free(inner); /* its state now lives in r->inner */
    return c;
}
