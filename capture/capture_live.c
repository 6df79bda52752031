/* SPDX-License-Identifier: MIT */
/* capture_live.c: a live interface through pcap_create/pcap_activate with nanosecond timestamps
 * (micro when the platform cannot), immediate mode, and the kernel's drop counters. */
#include "capture_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIVE_DEFAULT_SNAPLEN 262144
/* How long one pcap_next_ex may block: bounds how late a break is noticed on platforms where
 * pcap_breakloop cannot wake a blocked read. */
#define LIVE_TIMEOUT_MS 200

struct live {
    struct pcap *p;
    bool nano;
    int dlt;
};

static int live_next(struct ss_capture *c, struct ss_frame *fr, char *errbuf)
{
    struct live *l = c->priv;
    for (;;) {
        if (c->broken)
            return 0;
        struct pcap_pkthdr *h;
        const u_char *d;
        int rc = pcap_next_ex(l->p, &h, &d);
        if (rc == 1) {
            fr->ts_ns = ss_capture_ts_ns(h, l->nano);
            fr->dlt = l->dlt;
            fr->caplen = h->caplen;
            fr->wirelen = h->len;
            fr->data = d;
            return 1;
        }
        if (rc == 0) { /* buffer timeout with nothing captured */
            if (c->idle)
                c->idle(c->idle_ctx);
            continue;
        }
        if (rc == PCAP_ERROR_BREAK)
            return 0;
        snprintf(errbuf, SS_ERRBUF_SIZE, "capture error: %s", pcap_geterr(l->p));
        return -1;
    }
}

static void live_break(struct ss_capture *c)
{
    struct live *l = c->priv;
    /* Sets a flag and, on Linux, writes to an eventfd to wake poll(): async-signal-safe. */
    pcap_breakloop(l->p);
}

static void live_stats(struct ss_capture *c, struct ss_capture_stats *out)
{
    struct live *l = c->priv;
    struct pcap_stat ps;
    out->live = true;
    out->files = 0;
    if (pcap_stats(l->p, &ps) == 0) {
        out->kernel_stats_valid = true;
        out->kernel_received = ps.ps_recv;
        out->kernel_dropped = ps.ps_drop;
        out->if_dropped = ps.ps_ifdrop;
    }
}

static struct pcap *live_pcap(struct ss_capture *c)
{
    struct live *l = c->priv;
    return l->p;
}

static void live_free(struct live *l)
{
    if (!l)
        return;
    if (l->p)
        pcap_close(l->p);
    free(l);
}

static void live_close(struct ss_capture *c)
{
    live_free(c->priv);
}

static const struct ss_capture_ops live_ops = {
    .next = live_next,
    .brk = live_break,
    .stats = live_stats,
    .pcap = live_pcap,
    .close = live_close,
    .warning = NULL,
    .read_errors = NULL,
};

/* Set every option before activation; a setter only fails on an already active handle, which
 * would be our bug, so the first failure is reported as is. */
static enum ss_status live_configure(struct live *l, const struct ss_live_opts *o, char *errbuf)
{
    int snap = o->snaplen > 0 ? o->snaplen : LIVE_DEFAULT_SNAPLEN;
    if (pcap_set_snaplen(l->p, snap) != 0 || pcap_set_promisc(l->p, !o->no_promisc) != 0 ||
        pcap_set_timeout(l->p, LIVE_TIMEOUT_MS) != 0 ||
        pcap_set_immediate_mode(l->p, o->immediate) != 0 ||
        (o->buffer_kib > 0 && pcap_set_buffer_size(l->p, o->buffer_kib * 1024) != 0)) {
        snprintf(errbuf, SS_ERRBUF_SIZE, "%s: cannot configure capture: %s", o->iface,
                 pcap_geterr(l->p));
        return SS_ERR_LIVE;
    }
    /* Nanoseconds when the platform has them (Linux does); microseconds otherwise. */
    l->nano = pcap_set_tstamp_precision(l->p, PCAP_TSTAMP_PRECISION_NANO) == 0;
    return SS_OK;
}

static enum ss_status live_activate(struct live *l, const char *iface, char *errbuf)
{
    int rc = pcap_activate(l->p);
    if (rc >= 0)
        return SS_OK; /* warnings (e.g. promiscuous mode not supported) do not stop us */
    const char *detail = pcap_geterr(l->p);
    /* For the specific PCAP_ERROR_* codes libpcap may or may not leave text in its errbuf. */
    /* libpcap's text often is the status's own ("No such device exists"): say it once. */
    if (rc == PCAP_ERROR || !detail || !*detail || strstr(detail, pcap_statustostr(rc)))
        snprintf(errbuf, SS_ERRBUF_SIZE, "%s: %s", iface,
                 rc == PCAP_ERROR || (detail && *detail) ? detail : pcap_statustostr(rc));
    else
        snprintf(errbuf, SS_ERRBUF_SIZE, "%s: %s (%s)", iface, pcap_statustostr(rc), detail);
    return SS_ERR_LIVE;
}

struct ss_capture *ss_capture_open_live(const struct ss_live_opts *o, enum ss_status *st,
                                        char *errbuf)
{
    errbuf[0] = '\0';
    if (!o->iface || !*o->iface) {
        snprintf(errbuf, SS_ERRBUF_SIZE, "no interface given");
        *st = SS_ERR_ARG;
        return NULL;
    }
    struct live *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(errbuf, SS_ERRBUF_SIZE, "out of memory");
        *st = SS_ERR_NOMEM;
        return NULL;
    }
    char pe[PCAP_ERRBUF_SIZE] = "";
    l->p = pcap_create(o->iface, pe);
    if (!l->p) {
        snprintf(errbuf, SS_ERRBUF_SIZE, "%s: %.200s", o->iface, pe);
        *st = SS_ERR_LIVE;
        live_free(l);
        return NULL;
    }
    *st = live_configure(l, o, errbuf);
    if (*st == SS_OK)
        *st = live_activate(l, o->iface, errbuf);
    if (*st == SS_OK) {
        l->dlt = pcap_datalink(l->p);
        /* Precision as granted after activation, in case the platform changed its mind. */
        l->nano = pcap_get_tstamp_precision(l->p) == PCAP_TSTAMP_PRECISION_NANO;
        *st = ss_capture_set_filter(l->p, o->bpf, o->iface, errbuf);
    }
    struct ss_capture *c = *st == SS_OK ? ss_capture_new(&live_ops, l) : NULL;
    if (!c) {
        if (*st == SS_OK) {
            snprintf(errbuf, SS_ERRBUF_SIZE, "out of memory");
            *st = SS_ERR_NOMEM;
        }
        live_free(l);
        return NULL;
    }
    return c;
}
