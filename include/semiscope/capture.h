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
 * -1 = read error (errbuf set). Live captures return 0 only after ss_capture_break. A file that
 * libpcap cannot read to its end (a last record cut short because tcpdump was killed or the disk
 * filled, a damaged record header, a pcapng block it refuses) does not stop the capture: that
 * file ends there, the merge goes on, and the failure is described in ss_capture_read_errors and
 * counted in files_truncated. */
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

/* A capture file that could not be read to its end. Everything before `frame` was read (and
 * analysed); nothing after it was. */
struct ss_capture_read_error {
    const char *file;        /* as given ("-" = standard input); borrowed until ss_capture_close */
    uint64_t frame;          /* the record that could not be read, 1-based within that file alone
                              * (for a single file, its frame number in Wireshark) */
    int64_t offset;          /* reading failed at or after this byte offset: where the last record
                              * read ends (pcapng: its packet block), or the file header when none
                              * was; in a classic pcap the unreadable record starts exactly there.
                              * libpcap gives no offset: the records it read are walked again
                              * (record_offset.c). -1 when unknown (standard input from a pipe) */
    uint64_t numbered;       /* frames of the whole (merged) capture already numbered when this
                              * file failed: a consumer that stopped at frame N (-c, a signal) met
                              * the failure only if numbered < N */
    char message[2 * SS_ERRBUF_SIZE]; /* libpcap's reason, then a hint when one is known (e.g.
                              * why libpcap refuses a multi-interface pcapng) */
};

/* The files not read to their end, in the order the failures happened (at most one per file), or
 * NULL with *n = 0. Call after the last ss_capture_next; borrowed until ss_capture_close. */
const struct ss_capture_read_error *ss_capture_read_errors(struct ss_capture *c, size_t *n);

void ss_capture_close(struct ss_capture *c); /* NULL is a no-op */

#endif
