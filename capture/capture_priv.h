/* SPDX-License-Identifier: MIT */
/* capture_priv.h: the private backend interface behind struct ss_capture (files, live), in the
 * manner of libpcap's pcap-int.h: capture.c owns numbering and common statistics, a backend only
 * produces frames. */
#ifndef SEMISCOPE_CAPTURE_PRIV_H
#define SEMISCOPE_CAPTURE_PRIV_H

#include "semiscope/capture.h"

#include <pcap/pcap.h>
#include <signal.h>

struct ss_capture_ops {
    /* Next frame into *fr (ts_ns, dlt, caplen, wirelen, data; `number` is set by capture.c):
     * 1 = frame, 0 = end or broken, -1 = error with errbuf set. */
    int (*next)(struct ss_capture *c, struct ss_frame *fr, char *errbuf);
    /* Async-signal-safe wake-up of a blocked next (the `broken` flag is already set). */
    void (*brk)(struct ss_capture *c);
    /* Fill backend-specific statistics (kernel counters, files). */
    void (*stats)(struct ss_capture *c, struct ss_capture_stats *out);
    struct pcap *(*pcap)(struct ss_capture *c);
    /* Last non-fatal problem (a file cut short), or NULL. */
    const char *(*warning)(struct ss_capture *c);
    /* Files not read to their end (may be NULL: none ever). */
    const struct ss_capture_read_error *(*read_errors)(struct ss_capture *c, size_t *n);
    /* Free the backend state (`priv`); capture.c frees the handle. */
    void (*close)(struct ss_capture *c);
};

struct ss_capture {
    const struct ss_capture_ops *ops;
    void *priv;
    volatile sig_atomic_t broken; /* set by ss_capture_break, possibly from a signal handler */
    uint64_t frames, bytes;
    uint64_t filtered;            /* frames read and rejected by the filter (they keep a number) */
    uint64_t first_ts_ns, last_ts_ns;
    uint64_t out_of_order_ts;
    void (*idle)(void *ctx);      /* ss_capture_set_idle; called by a live backend when quiet */
    void *idle_ctx;
};

/* Allocate a handle around a backend; returns NULL (and leaves `priv` to the caller) on ENOMEM. */
struct ss_capture *ss_capture_new(const struct ss_capture_ops *ops, void *priv);

/* Compile and install `bpf` (NULL or "" = none) on `p`: SS_ERR_FILTER with errbuf set on failure.
 * `what` names the file or interface in the message. */
enum ss_status ss_capture_set_filter(struct pcap *p, const char *bpf, const char *what,
                                     char *errbuf);

/* Read `inner` (an offline backend) ahead in a second thread (readahead.c). Takes over `inner`
 * and returns the wrapping handle; when a thread or memory is unavailable it returns `inner`
 * itself, which then simply reads synchronously. Blocks hold any frame libpcap yields (its
 * caplen is at most 256 KiB). */
struct ss_capture *ss_readahead_wrap(struct ss_capture *inner);

/* Where a capture file's record n + 1 starts (record_offset.c): the end of its first n records
 * (pcapng: of its n-th packet block), walked with pread on `fd` from `header_end`, the end of
 * the file header (what libpcap read when it opened the file, which starts at `start`). n = 0
 * gives header_end. -1 when fd cannot be read at an offset (a pipe) or the walk fails. */
int64_t ss_record_offset(int fd, int64_t start, int64_t header_end, uint64_t n);

/* A capture file compressed with gzip or zstd, recognised by its first bytes (never by its
 * name), read through a stdio stream that decompresses as libpcap reads (decompress.c): memory
 * stays bounded (a 64 KiB input buffer, and the decompressor's window: 32 KiB for gzip, at most
 * 128 MiB for zstd, whose default level uses 8 MiB or less).
 * `in` is positioned at the start of the file. Returns `in` itself (repositioned) when it is not
 * compressed and can seek; otherwise a new stream that yields the content: decompressed, or
 * as is when `in` (a pipe) was not compressed but had to be read to find out. That stream closes
 * `in` when it is closed if `own_in`. *compressed tells which. NULL with errbuf set on failure
 * (then `in` is left to the caller). A corrupt or cut-short compressed stream reads as an error
 * (EBADMSG) where it goes wrong, after the data before it. */
FILE *ss_decompress_open(FILE *in, bool own_in, bool *compressed, char *errbuf);

/* Packet header time → ns since the epoch, for a handle in nano or micro precision. */
uint64_t ss_capture_ts_ns(const struct pcap_pkthdr *h, bool nano);

#endif
