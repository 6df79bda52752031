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
 * 1.. in merged order, counting frames the filter rejects (so numbers are Wireshark's for the
 * unfiltered capture). Equal timestamps keep argument order. `bpf` may be NULL or "" (no filter);
 * it is compiled for each file's link type. Returns NULL with errbuf set and *st
 * = SS_ERR_IO / SS_ERR_FORMAT / SS_ERR_FILTER on failure. */
struct ss_capture *ss_capture_open_files(const char *const *paths, size_t n, const char *bpf,
                                         enum ss_status *st, char *errbuf);

struct ss_live_opts {
    const char *iface;
    int snaplen;          /* 0: default 262144 */
    int buffer_kib;       /* -B, 0: libpcap default */
    bool immediate;       /* immediate mode (default on) */
    const char *bpf;      /* NULL: caller decides a default */
    bool no_promisc;      /* -p: leave promiscuous mode off (tcpdump's default is on) */
};
/* Open a live interface with nanosecond timestamps. *st = SS_ERR_LIVE or SS_ERR_FILTER on error. */
struct ss_capture *ss_capture_open_live(const struct ss_live_opts *o, enum ss_status *st,
                                        char *errbuf);

/* Next frame: 1 = frame in *fr (borrowed until the next call), 0 = end of input or broken,
 * -1 = read error (errbuf set). Live captures return 0 only after ss_capture_break. A file whose
 * last record is cut short (tcpdump killed, disk full) is not an error: that file ends there, the
 * merge goes on, and it is counted in files_truncated. */
int ss_capture_next(struct ss_capture *c, struct ss_frame *fr, char *errbuf);

/* Live: call idle(ctx) from ss_capture_next whenever the interface stayed quiet for a buffer
 * timeout (≈200 ms), so that work driven by the capture loop (the status poller's queue) goes on
 * while no packet arrives: a master whose replicas are all gone is exactly such a time. */
void ss_capture_set_idle(struct ss_capture *c, void (*idle)(void *ctx), void *ctx);

/* Async-signal-safe: make ss_capture_next return 0 soon. */
void ss_capture_break(struct ss_capture *c);

/* The underlying pcap_t of a live capture (for -w dumping and selectable fd). For files: a dead
 * handle (pcap_open_dead) with the first file's link type and snaplen and nanosecond precision,
 * good for pcap_dump_open; files are opened lazily, so no file's own handle lives long enough. */
struct pcap *ss_capture_pcap(struct ss_capture *c);

struct ss_capture_stats {
    uint64_t frames;        /* frames delivered */
    uint64_t filtered;      /* file frames the filter rejected: they still take a frame number,
                             * so numbers match Wireshark's for the unfiltered file(s) */
    uint64_t bytes;         /* sum of wire lengths of delivered frames */
    uint64_t first_ts_ns, last_ts_ns;
    uint64_t out_of_order_ts; /* frames whose timestamp went backwards (after merging) */
    bool live;
    bool kernel_stats_valid;
    uint64_t kernel_received, kernel_dropped, if_dropped;
    uint64_t files;
    uint64_t files_truncated; /* files that ended in a read error (a record cut short): read up to
                               * there, the rest of the capture continues; see ss_capture_warning */
};
void ss_capture_stats(struct ss_capture *c, struct ss_capture_stats *out);

/* The last non-fatal problem met (e.g. "a.pcap: truncated dump file; …"), or NULL. Borrowed until
 * ss_capture_close. */
const char *ss_capture_warning(struct ss_capture *c);

void ss_capture_close(struct ss_capture *c); /* NULL is a no-op */

#endif
