/* SPDX-License-Identifier: MIT */
/* capture.c: the public capture handle — dispatch to a backend (capture_file.c, capture_live.c),
 * frame numbering and the statistics every backend shares. */
#include "capture_priv.h"

#include <stdio.h>
#include <stdlib.h>

struct ss_capture *ss_capture_new(const struct ss_capture_ops *ops, void *priv)
{
    struct ss_capture *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->ops = ops;
    c->priv = priv;
    return c;
}

enum ss_status ss_capture_set_filter(struct pcap *p, const char *bpf, const char *what,
                                     char *errbuf)
{
    if (!bpf || !*bpf)
        return SS_OK;
    struct bpf_program prog;
    /* The netmask only matters for "ip broadcast"; files have none to offer anyway. */
    if (pcap_compile(p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(errbuf, SS_ERRBUF_SIZE, "bad filter \"%s\": %s", bpf, pcap_geterr(p));
        return SS_ERR_FILTER;
    }
    int rc = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    if (rc != 0) {
        snprintf(errbuf, SS_ERRBUF_SIZE, "%s: cannot set filter: %s", what, pcap_geterr(p));
        return SS_ERR_FILTER;
    }
    return SS_OK;
}

uint64_t ss_capture_ts_ns(const struct pcap_pkthdr *h, bool nano)
{
    /* With nanosecond precision libpcap stores nanoseconds in tv_usec. Times before 1970 only
     * come from broken writers: clamp rather than wrap. */
    if (h->ts.tv_sec < 0 || h->ts.tv_usec < 0)
        return 0;
    uint64_t frac = (uint64_t)h->ts.tv_usec * (nano ? 1 : 1000);
    return (uint64_t)h->ts.tv_sec * SS_NS_PER_SEC + frac;
}

int ss_capture_next(struct ss_capture *c, struct ss_frame *fr, char *errbuf)
{
    if (c->broken)
        return 0;
    int rc = c->ops->next(c, fr, errbuf);
    if (rc != 1)
        return rc;
    c->frames++;
    fr->number = c->frames + c->filtered;
    c->bytes += fr->wirelen;
    if (c->frames == 1)
        c->first_ts_ns = fr->ts_ns;
    else if (fr->ts_ns < c->last_ts_ns)
        c->out_of_order_ts++;
    /* last_ts is the latest frame read, so a capture's span is [first, last] as Wireshark shows
     * it; a step backwards is counted above rather than hidden. */
    c->last_ts_ns = fr->ts_ns;
    return 1;
}

void ss_capture_set_idle(struct ss_capture *c, void (*idle)(void *ctx), void *ctx)
{
    c->idle = idle;
    c->idle_ctx = ctx;
}

void ss_capture_break(struct ss_capture *c)
{
    c->broken = 1;
    if (c->ops->brk)
        c->ops->brk(c);
}

struct pcap *ss_capture_pcap(struct ss_capture *c)
{
    return c->ops->pcap(c);
}

void ss_capture_stats(struct ss_capture *c, struct ss_capture_stats *out)
{
    *out = (struct ss_capture_stats){0};
    out->frames = c->frames;
    out->bytes = c->bytes;
    out->first_ts_ns = c->first_ts_ns;
    out->last_ts_ns = c->last_ts_ns;
    out->out_of_order_ts = c->out_of_order_ts;
    out->filtered = c->filtered;
    c->ops->stats(c, out);
}

const char *ss_capture_warning(struct ss_capture *c)
{
    return c->ops->warning ? c->ops->warning(c) : NULL;
}

const struct ss_capture_read_error *ss_capture_read_errors(struct ss_capture *c, size_t *n)
{
    *n = 0;
    return c->ops->read_errors ? c->ops->read_errors(c, n) : NULL;
}

void ss_capture_close(struct ss_capture *c)
{
    if (!c)
        return;
    c->ops->close(c);
    free(c);
}
