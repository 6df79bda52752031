/* SPDX-License-Identifier: MIT */
/* capture.h: frame sources — pcap/pcapng files (several merged in time order, or stdin) and live
 * interfaces — behind one opaque handle. Modelled on libpcap's create/activate/next/close.
 * Nothing here prints; errors go into a caller-supplied errbuf of SS_ERRBUF_SIZE. */
#ifndef SEMISCOPE_CAPTURE_H
#define SEMISCOPE_CAPTURE_H

#include "semiscope/common.h"
#include "semiscope/packet.h"
#include "semiscope/status.h"

struct ss_capture;

/* Open `n` files ("-" is standard input) as one capture, merged by timestamp; frames are numbered
 * 1.. in merged order. `bpf` may be NULL or "" (no filter). Returns NULL with errbuf set and *st
 * = SS_ERR_IO / SS_ERR_FORMAT / SS_ERR_FILTER on failure. */
struct ss_capture *ss_capture_open_files(const char *const *paths, size_t n, const char *bpf,
                                         enum ss_status *st, char *errbuf);

struct ss_live_opts {
    const char *iface;
    int snaplen;          /* 0: default 262144 */
    int buffer_kib;       /* -B, 0: libpcap default */
    bool immediate;       /* immediate mode (default on) */
    const char *bpf;      /* NULL: caller decides a default */
};
/* Open a live interface with nanosecond timestamps. *st = SS_ERR_LIVE or SS_ERR_FILTER on error. */
struct ss_capture *ss_capture_open_live(const struct ss_live_opts *o, enum ss_status *st,
                                        char *errbuf);

/* Next frame: 1 = frame in *fr (borrowed until the next call), 0 = end of input or broken,
 * -1 = read error (errbuf set). Live captures return 0 only after ss_capture_break. */
int ss_capture_next(struct ss_capture *c, struct ss_frame *fr, char *errbuf);

/* Async-signal-safe: make ss_capture_next return 0 soon. */
void ss_capture_break(struct ss_capture *c);

/* The underlying pcap_t of a live capture (for -w dumping and selectable fd), or the first file's. */
struct pcap *ss_capture_pcap(struct ss_capture *c);

struct ss_capture_stats {
    uint64_t frames;
    uint64_t bytes;         /* sum of wire lengths */
    uint64_t first_ts_ns, last_ts_ns;
    uint64_t out_of_order_ts; /* frames whose timestamp went backwards (after merging) */
    bool live;
    bool kernel_stats_valid;
    uint64_t kernel_received, kernel_dropped, if_dropped;
    uint64_t files;
};
void ss_capture_stats(struct ss_capture *c, struct ss_capture_stats *out);

void ss_capture_close(struct ss_capture *c); /* NULL is a no-op */

#endif
