/* SPDX-License-Identifier: MIT */
/* report_text.c: the human report (the default output), 80 columns, deterministic. Layout:
 * an input file not read to its end (first, since it makes the whole report partial); capture
 * summary; per master a replica table, per-replica detail lines, the other modules'
 * sections, the slowest acks and the unanswered requests; anomalies and caps (non-zero only);
 * notes. -v adds distributions, the network/replica split and per-connection lines. */
#include "semiscope/report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

#define ESC_MAX (SS_FILE_MAX * 4 + 1)

static void print_capture(FILE *out, const struct ss_report_input *in)
{
    const struct ss_run_info *r = in->run;
    const struct ss_capture_stats *c = &r->cap;
    char buf[ESC_MAX], t1[40], t2[40];
    fprintf(out, "Capture\n");
    if (r->iface)
        fprintf(out, "  interface  %s\n", ss_report_text_escape(buf, sizeof(buf), r->iface));
    for (size_t i = 0; r->inputs && i < r->ninputs; i++)
        fprintf(out, "  %-10s %s\n", i ? "" : "input",
                ss_report_text_escape(buf, sizeof(buf), r->inputs[i]));
    if (r->filter && r->filter[0])
        fprintf(out, "  filter     %s\n", ss_report_text_escape(buf, sizeof(buf), r->filter));
    fprintf(out, "  packets    %" PRIu64 " (%" PRIu64 " bytes)\n", c->frames, c->bytes);
    if (c->frames) {
        fprintf(out, "  first      %s\n", ss_report_time(t1, sizeof(t1), c->first_ts_ns));
        fprintf(out, "  last       %s\n", ss_report_time(t2, sizeof(t2), c->last_ts_ns));
        uint64_t d = c->last_ts_ns > c->first_ts_ns ? c->last_ts_ns - c->first_ts_ns : 0;
        fprintf(out, "  duration   %" PRIu64 ".%06" PRIu64 " s\n", d / SS_NS_PER_SEC,
                d % SS_NS_PER_SEC / 1000);
    }
    if (c->kernel_stats_valid)
        fprintf(out, "  drops      kernel %" PRIu64 ", interface %" PRIu64 " (received %" PRIu64
                     ")\n", c->kernel_dropped, c->if_dropped, c->kernel_received);
    if (c->out_of_order_ts)
        fprintf(out, "  warning    %" PRIu64 " frames with timestamps going backwards\n",
                c->out_of_order_ts);
    if (r->interrupted)
        fprintf(out, "  status     interrupted: the report covers the capture until then\n");
}

static const char *semi_str(int s)
{
    return s > 0 ? "yes" : s == 0 ? "no" : "?";
}

static void fmt_count(char *buf, size_t n, uint64_t v)
{
    snprintf(buf, n, "%" PRIu64, v);
}

static void print_replica_row(FILE *out, const struct ss_an_replica *r)
{
    char addr[64], id[24], ev[24], rq[24], ak[24], p50[16] = "-", p99[16] = "-", mx[16] = "-";
    ss_addr_str(&r->addr, addr, sizeof(addr));
    if (r->server_id >= 0)
        snprintf(id, sizeof(id), "%" PRId64, r->server_id);
    else
        snprintf(id, sizeof(id), "?");
    fmt_count(ev, sizeof(ev), r->events);
    fmt_count(rq, sizeof(rq), r->ack_requests);
    fmt_count(ak, sizeof(ak), r->acks);
    if (r->latency->count) {
        ss_report_duration(p50, sizeof(p50), ss_hist_quantile(r->latency, 0.50));
        ss_report_duration(p99, sizeof(p99), ss_hist_quantile(r->latency, 0.99));
        ss_report_duration(mx, sizeof(mx), r->latency->max);
    }
    if (strlen(addr) > 15) {
        fprintf(out, "  %s\n", addr);
        addr[0] = '\0';
    }
    fprintf(out, "  %-15s %4s %4s %5" PRIu64 " %7s %6s %6s %7s %7s %7s\n", addr, id,
            semi_str(r->semisync), r->dump_connections, ev, rq, ak, p50, p99, mx);
}

static void print_replica_details(FILE *out, const struct ss_an_replica *r, int verbosity)
{
    char t[40], f[ESC_MAX], d1[16], d2[16], d3[16], d4[16];
    if (r->has_last_ack)
        fprintf(out, "      last ack %s %s:%" PRIu64 " frame %" PRIu64 "\n",
                ss_report_time(t, sizeof(t), r->last_ack_ts_ns),
                ss_report_text_escape(f, sizeof(f), r->last_ack_file), r->last_ack_pos,
                r->last_ack_frame);
    else
        fprintf(out, "      no ack seen\n");
    uint64_t odd = r->acks_unmatched + r->acks_duplicate + r->acks_late + r->acks_backwards +
                   r->acks_malformed;
    if (odd)
        fprintf(out, "      acks: %" PRIu64 " unmatched, %" PRIu64 " duplicate, %" PRIu64
                     " late, %" PRIu64 " backwards, %" PRIu64 " malformed\n",
                r->acks_unmatched, r->acks_duplicate, r->acks_late, r->acks_backwards,
                r->acks_malformed);
    if (r->requests_unanswered)
        fprintf(out, "      unanswered requests: %" PRIu64 " (%" PRIu64
                     " in flight at the end)\n", r->requests_unanswered,
                r->requests_in_flight_at_end);
    if (r->requests_dropped)
        fprintf(out, "      requests dropped at the pending cap: %" PRIu64 "\n",
                r->requests_dropped);
    if (r->kill_connections)
        fprintf(out, "      %" PRIu64 " KILL connection%s from this address\n",
                r->kill_connections, r->kill_connections == 1 ? "" : "s");
    if (verbosity < 1)
        return;
    if (r->host[0] || r->port)
        fprintf(out, "      report host %s port %u\n",
                r->host[0] ? ss_report_text_escape(f, sizeof(f), r->host) : "?", r->port);
    fprintf(out, "      events %" PRIu64 " (%" PRIu64 " bytes, %" PRIu64 " heartbeats)\n",
            r->events, r->event_bytes, r->heartbeats);
    if (r->latency->count)
        fprintf(out, "      latency  n=%" PRIu64 " min %s mean %s p90 %s p99.9 %s\n",
                r->latency->count, ss_report_duration(d1, sizeof(d1), r->latency->min),
                ss_report_duration(d2, sizeof(d2), (uint64_t)ss_hist_mean(r->latency)),
                ss_report_duration(d3, sizeof(d3), ss_hist_quantile(r->latency, 0.90)),
                ss_report_duration(d4, sizeof(d4), ss_hist_quantile(r->latency, 0.999)));
    const struct { const char *name; const struct ss_hist *h; } split[] = {
        { "network", r->network }, { "replica", r->replica_side },
    };
    for (size_t i = 0; i < SS_ARRAY_LEN(split); i++)
        if (split[i].h && split[i].h->count)
            fprintf(out, "      %-8s p50 %s p99 %s max %s (n=%" PRIu64 ")\n", split[i].name,
                    ss_report_duration(d1, sizeof(d1), ss_hist_quantile(split[i].h, 0.50)),
                    ss_report_duration(d2, sizeof(d2), ss_hist_quantile(split[i].h, 0.99)),
                    ss_report_duration(d3, sizeof(d3), split[i].h->max), split[i].h->count);
}

static void print_conns(FILE *out, const struct ss_an_replica *r)
{
    char ep[SS_ENDPOINT_STRLEN], t1[40], t2[40];
    for (size_t i = 0; i < r->nconns; i++) {
        const struct ss_an_conn *c = &r->conns[i];
        fprintf(out, "      conn %" PRIu64 " %s", c->flow_id,
                ss_endpoint_str(&c->client, ep, sizeof(ep)));
        if (c->thread_id >= 0)
            fprintf(out, " thread %" PRId64, c->thread_id);
        fprintf(out, " semisync %s end %s\n", semi_str(c->semisync), ss_rpt_conn_end(c));
        fprintf(out, "        %s .. %s\n", ss_report_time(t1, sizeof(t1), c->first_ts_ns),
                ss_report_time(t2, sizeof(t2), c->last_ts_ns));
        fprintf(out, "        frames %" PRIu64 "-%" PRIu64 ", events %" PRIu64
                     ", requests %" PRIu64 ", acks %" PRIu64 "\n",
                c->first_frame, c->last_frame, c->events, c->ack_requests, c->acks);
    }
    if (r->conns_dropped)
        fprintf(out, "      (%" PRIu64 " more connections not recorded)\n", r->conns_dropped);
}

static void replica_label(char *buf, size_t n, const struct ss_an_replica *r)
{
    char addr[64];
    ss_addr_str(&r->addr, addr, sizeof(addr));
    if (r->server_id >= 0)
        snprintf(buf, n, "%s (%" PRId64 ")", addr, r->server_id);
    else
        snprintf(buf, n, "%s", addr);
}

struct slow_ref {
    const struct ss_ack_sample *s;
    const struct ss_an_replica *r;
    size_t order;
};

static int slow_cmp(const void *pa, const void *pb)
{
    const struct slow_ref *a = pa, *b = pb;
    if (a->s->latency_ns != b->s->latency_ns)
        return a->s->latency_ns > b->s->latency_ns ? -1 : 1;
    return (a->order > b->order) - (a->order < b->order);
}

/* The master's slowest acks over all its replicas, as many as one replica keeps. */
static void print_slowest(FILE *out, const struct ss_an_master *m, size_t keep)
{
    size_t total = 0;
    for (size_t i = 0; i < m->nreplicas; i++)
        total += m->replicas[i]->nslowest;
    if (!total)
        return;
    struct slow_ref *v = calloc(total, sizeof(*v));
    if (!v)
        return;
    size_t n = 0;
    for (size_t i = 0; i < m->nreplicas; i++)
        for (size_t k = 0; k < m->replicas[i]->nslowest; k++, n++)
            v[n] = (struct slow_ref){ &m->replicas[i]->slowest[k], m->replicas[i], n };
    qsort(v, n, sizeof(*v), slow_cmp);
    /* the replica and frame columns as wide as their widest entry, so large frame numbers and
     * long binlog names still fit 80 columns */
    int wl = 7, wf = 6;
    for (size_t i = 0; i < n && i < keep; i++) {
        char lbl[96], fr[48];
        replica_label(lbl, sizeof(lbl), v[i].r);
        int a = (int)strlen(lbl);
        int b = snprintf(fr, sizeof(fr), "%" PRIu64 " -> %" PRIu64, v[i].s->ev_frame,
                         v[i].s->ack_frame);
        wl = a > wl ? a : wl;
        wf = b > wf ? b : wf;
    }
    fprintf(out, "\n  Slowest acks (frame numbers: event -> ack)\n");
    fprintf(out, "    %7s  %-*s  %*s  %s\n", "latency", wl, "replica", wf, "frames", "position");
    for (size_t i = 0; i < n && i < keep; i++) {
        char d[16], lbl[96], fr[48], f[ESC_MAX];
        snprintf(fr, sizeof(fr), "%" PRIu64 " -> %" PRIu64, v[i].s->ev_frame, v[i].s->ack_frame);
        replica_label(lbl, sizeof(lbl), v[i].r);
        fprintf(out, "    %7s  %-*s  %*s  %s:%" PRIu64 "\n",
                ss_report_duration(d, sizeof(d), v[i].s->latency_ns), wl, lbl, wf, fr,
                ss_report_text_escape(f, sizeof(f), v[i].s->file), v[i].s->pos);
    }
    free(v);
}

static void print_unanswered(FILE *out, const struct ss_an_master *m)
{
    uint64_t total = 0, inflight = 0;
    int wl = 7, wf = 5;
    for (size_t i = 0; i < m->nreplicas; i++) {
        const struct ss_an_replica *r = m->replicas[i];
        total += r->requests_unanswered;
        inflight += r->requests_in_flight_at_end;
        char lbl[96], fr[24];
        replica_label(lbl, sizeof(lbl), r);
        if (r->nunanswered && (int)strlen(lbl) > wl)
            wl = (int)strlen(lbl);
        for (size_t k = 0; k < r->nunanswered; k++) {
            int b = snprintf(fr, sizeof(fr), "%" PRIu64, r->unanswered[k].ev_frame);
            wf = b > wf ? b : wf;
        }
    }
    if (!total)
        return;
    fprintf(out, "\n  Unanswered ack requests: %" PRIu64 " (%" PRIu64
                 " still in flight when the capture ended)\n", total, inflight);
    fprintf(out, "    %7s  %-*s  %*s  %-11s %s\n", "pending", wl, "replica", wf, "frame", "until",
            "position");
    for (size_t i = 0; i < m->nreplicas; i++) {
        const struct ss_an_replica *r = m->replicas[i];
        for (size_t k = 0; k < r->nunanswered; k++) {
            const struct ss_unanswered *u = &r->unanswered[k];
            char d[16], lbl[96], f[ESC_MAX];
            replica_label(lbl, sizeof(lbl), r);
            fprintf(out, "    %7s  %-*s  %*" PRIu64 "  %-11s %s:%" PRIu64 "\n",
                    ss_report_duration(d, sizeof(d), u->pending_ns), wl, lbl, wf, u->ev_frame,
                    u->until == SS_UNANSWERED_STREAM_END ? "stream end" : "capture end",
                    ss_report_text_escape(f, sizeof(f), u->file), u->pos);
        }
    }
}

static void print_master(FILE *out, const struct ss_report_input *in, const struct ss_an_master *m)
{
    char ep[SS_ENDPOINT_STRLEN], ver[SS_VERSION_MAX * 4 + 1];
    fprintf(out, "\nMaster %s  %s", ss_endpoint_str(&m->endpoint, ep, sizeof(ep)),
            ss_rpt_flavor(m->flavor));
    if (m->server_version[0])
        fprintf(out, " %s", ss_report_text_escape(ver, sizeof(ver), m->server_version));
    fprintf(out, "\n  %" PRIu64 " transactions, %zu replica%s\n", m->transactions, m->nreplicas,
            m->nreplicas == 1 ? "" : "s");
    /* the answer first, as in the HTML page; the evidence behind it follows */
    if (in->verdict.text)
        in->verdict.text(out, in->verdict.ctx, &m->endpoint, in->verbosity);
    if (m->nreplicas)
        fprintf(out, "  %-15s %4s %4s %5s %7s %6s %6s %7s %7s %7s\n", "replica", "id", "semi",
                "dumps", "events", "reqs", "acks", "p50", "p99", "max");
    for (size_t i = 0; i < m->nreplicas; i++) {
        print_replica_row(out, m->replicas[i]);
        print_replica_details(out, m->replicas[i], in->verbosity);
        if (in->verbosity >= 1)
            print_conns(out, m->replicas[i]);
    }
    if (m->replicas_dropped)
        fprintf(out, "  (%" PRIu64 " streams ignored: replicas cap)\n", m->replicas_dropped);
    if (in->state.text)
        in->state.text(out, in->state.ctx, &m->endpoint, in->verbosity);
    if (in->pm.text)
        in->pm.text(out, in->pm.ctx, &m->endpoint, in->verbosity);
    const struct ss_an_totals *t = ss_analysis_totals(in->analysis);
    print_slowest(out, m, t->slowest_n);
    print_unanswered(out, m);
}

static void print_counters(FILE *out, const struct ss_report_input *in)
{
    bool any = false;
    fprintf(out, "\nAnomalies\n");
    for (int i = 0; in->run->an && i < SS_AN_COUNT; i++)
        if (in->run->an->n[i]) {
            fprintf(out, "  %-34s %" PRIu64 "\n", ss_anomaly_name((enum ss_anomaly)i),
                    in->run->an->n[i]);
            any = true;
        }
    if (!any)
        fprintf(out, "  none\n");
    struct ss_rpt_cap caps[SS_RPT_CAPS_MAX];
    size_t nc = ss_rpt_caps(in, caps);
    any = false;
    fprintf(out, "\nCaps hit\n");
    for (size_t i = 0; i < nc; i++)
        if (caps[i].n) {
            fprintf(out, "  %-40s %" PRIu64 "\n", caps[i].label, caps[i].n);
            any = true;
        }
    if (!any)
        fprintf(out, "  none\n");
}

/* Word-wrap a note at 78 columns with a hanging indent. */
static void print_wrapped(FILE *out, const char *s)
{
    const size_t width = 76;
    const char *lead = "  - ";
    while (*s) {
        size_t len = strlen(s);
        size_t take = len;
        if (len > width) {
            take = width;
            while (take > 0 && s[take] != ' ')
                take--;
            if (!take)
                take = width;
        }
        fprintf(out, "%s%.*s\n", lead, (int)take, s);
        lead = "    ";
        s += take;
        while (*s == ' ')
            s++;
    }
}

/* At the top: an input file not read to its end means the whole report is partial. */
static void print_read_error(FILE *out, const struct ss_run_info *r)
{
    if (!r->nread_errors || !r->read_errors)
        return;
    const struct ss_capture_read_error *e = &r->read_errors[0];
    char buf[ESC_MAX], msg[sizeof(e->message) * 4 + 1], lead[96];
    fprintf(out, "READ ERROR: input not read to its end; the report covers what was read\n");
    fprintf(out, "  file       %s\n", ss_report_text_escape(buf, sizeof(buf), e->file));
    snprintf(lead, sizeof(lead), "  frame      %" PRIu64 " could not be read", e->frame);
    char where[96] = "byte offset unknown", what[200];
    if (e->offset >= 0 && e->frame > 1)
        snprintf(where, sizeof(where), "reading failed at or after byte %" PRId64
                 ", where frame %" PRIu64 " ends", e->offset, e->frame - 1);
    else if (e->offset >= 0)
        snprintf(where, sizeof(where), "reading failed at or after byte %" PRId64
                 ", where the file header ends", e->offset);
    snprintf(what, sizeof(what), "(%s); %s", where,
             e->frame > 1 ? "the frames before it were analysed, none after it"
                          : "nothing of this file was analysed");
    ss_report_wrap(out, lead, what, 13);
    ss_report_wrap(out, "  reason     ", ss_report_text_escape(msg, sizeof(msg), e->message), 13);
    if (r->nread_errors > 1)
        fprintf(out, "  and %zu more file%s not read to the end (see the warnings on stderr)\n",
                r->nread_errors - 1, r->nread_errors == 2 ? "" : "s");
    fputc('\n', out);
}

int ss_report_text(FILE *out, const struct ss_report_input *in)
{
    fprintf(out, "semiscope report\n\n");
    print_read_error(out, in->run);
    print_capture(out, in);
    const struct ss_an_master *const *ms = NULL;
    size_t nm = in->analysis ? ss_analysis_masters(in->analysis, &ms) : 0;
    if (!nm)
        fprintf(out, "\nNo replication (binlog dump) streams found.\n");
    for (size_t i = 0; i < nm; i++)
        print_master(out, in, ms[i]);
    print_counters(out, in);
    const char *notes[SS_RPT_NOTES_MAX];
    size_t nn = ss_rpt_notes(in, notes);
    fprintf(out, "\nNotes\n");
    for (size_t i = 0; i < nn; i++) {
        char buf[1024];
        print_wrapped(out, ss_report_text_escape(buf, sizeof(buf), notes[i]));
    }
    fflush(out);
    return ferror(out) ? -1 : 0;
}
