/* SPDX-License-Identifier: MIT */
/* pipeline.c: the glue between stages. Each stage is testable alone; this file only routes the
 * flow table's stream callbacks into per-flow connection decoders and fans the decoders' messages
 * out to whatever the chosen mode needs (event printer, or the analyzers). */
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "print_events.h"
#include "print_flows.h"

static void on_msg(void *ctx, const struct ss_msg *m)
{
    struct pipeline *p = ctx;
    if (p->o->mode == CLI_MODE_EVENTS) {
        if (m->kind == SS_MSG_TCP_ACK && !p->o->all_events)
            return;
        if (p->o->json)
            ss_print_event_json(p->out, m);
        else
            ss_print_event_text(p->out, m);
        return;
    }
    ss_analysis_msg(p->analysis, m);
    ss_semistate_msg(p->state, m);
}

static void on_open(void *ctx, struct ss_flow *f)
{
    struct pipeline *p = ctx;
    if (p->o->mode == CLI_MODE_FLOWS)
        return;
    /* Out of memory here only loses this flow's decoding; the flow is still counted. */
    f->app = ss_conn_new(&p->conn_cfg, f, &p->sink, &p->an);
}

static void on_data(void *ctx, struct ss_flow *f, enum ss_dir dir, const uint8_t *b, size_t n,
                    uint64_t off, uint64_t ts, uint64_t frame)
{
    (void)ctx;
    if (f->app)
        ss_conn_data(f->app, dir, b, n, off, ts, frame);
}

static void on_gap(void *ctx, struct ss_flow *f, enum ss_dir dir, uint64_t off, uint64_t len,
                   uint64_t ts, uint64_t frame)
{
    struct pipeline *p = ctx;
    if (p->o->mode == CLI_MODE_FLOWS && p->o->verbosity > 0)
        print_flow_gap(p->out, f, dir, off, len, ts, frame);
    if (f->app)
        ss_conn_gap(f->app, dir, off, len, ts, frame);
}

static void on_acked(void *ctx, struct ss_flow *f, enum ss_dir dir, uint64_t off, uint64_t ts,
                     uint64_t frame)
{
    (void)ctx;
    if (f->app)
        ss_conn_acked(f->app, dir, off, ts, frame);
}

static void on_window(void *ctx, struct ss_flow *f, enum ss_dir dir, bool zero, uint64_t ts,
                      uint64_t frame)
{
    (void)ctx;
    if (f->app)
        ss_conn_window(f->app, dir, zero, ts, frame);
}

static void on_end(void *ctx, struct ss_flow *f, enum ss_end_reason why, enum ss_dir by,
                   uint64_t ts, uint64_t frame)
{
    struct pipeline *p = ctx;
    if (p->o->mode == CLI_MODE_FLOWS)
        print_flow_line(p->out, f, why, by);
    if (f->app) {
        ss_conn_end(f->app, f, why, by, ts, frame);
        ss_conn_free(f->app);
        f->app = NULL;
    }
}

static const struct ss_stream_ops stream_ops = {
    .open = on_open, .data = on_data, .gap = on_gap, .acked = on_acked, .window = on_window,
    .end = on_end,
};

int pipeline_init(struct pipeline *p, const struct cli_opts *o, const struct ss_semi_params *sp,
                  FILE *out)
{
    memset(p, 0, sizeof(*p));
    p->o = o;
    p->out = out;
    struct ss_flow_cfg fc;
    ss_flow_cfg_defaults(&fc);
    fc.ports = o->ports;
    fc.nports = o->nports;
    if (o->max_flows)
        fc.max_flows = o->max_flows;
    if (o->memcap_mib)
        fc.memcap = o->memcap_mib << 20;
    p->flows = ss_flowtab_new(&fc, &stream_ops, p);
    p->conn_cfg.ports = o->ports;
    p->conn_cfg.nports = o->nports;
    p->conn_cfg.emit_tcp_acks = o->mode != CLI_MODE_EVENTS || o->all_events;
    p->sink.msg = on_msg;
    p->sink.ctx = p;
    if (o->mode == CLI_MODE_REPORT) {
        struct ss_analysis_cfg ac;
        ss_analysis_cfg_defaults(&ac);
        ac.interval_ns = o->interval_ms * 1000000u;
        p->analysis = ss_analysis_new(&ac, &p->an);
        p->state = ss_semistate_new(sp, &p->an);
        if (!p->analysis || !p->state)
            return -1;
    }
    if (o->mode == CLI_MODE_FLOWS)
        print_flow_header(out);
    return p->flows ? 0 : -1;
}

void pipeline_params_from(struct pipeline *p, const struct ss_status_samples *samples)
{
    p->params_from = samples;
    memset(&p->params_cur, 0, sizeof(p->params_cur));
}

static void params_cb(void *ctx, const struct ss_semi_params *sp, int64_t ts_ns)
{
    ss_semistate_params_at(ctx, sp, ts_ns > 0 ? (uint64_t)ts_ns : 0);
}

/* The server's parameter changes due by packet time ts, before the packet's messages: the state
 * machine applies each one when packet time reaches it. */
static void feed_params(struct pipeline *p, uint64_t ts)
{
    if (p->state && p->params_from)
        ss_status_samples_params_due(p->params_from, &p->params_cur,
                                     ts > INT64_MAX ? INT64_MAX : (int64_t)ts, params_cb, p->state);
}

void pipeline_frame(struct pipeline *p, const struct ss_frame *fr)
{
    struct ss_tcp_pkt pkt;
    feed_params(p, fr->ts_ns);
    p->frames++;
    p->read_bytes += fr->caplen;
    p->last_ts_ns = fr->ts_ns;
    if (ss_decode_frame(fr, &pkt, &p->dec) != SS_DEC_TCP)
        return;
    ss_flowtab_packet(p->flows, &pkt);
}

void pipeline_finish(struct pipeline *p)
{
    if (p->frames) /* live: samples drained after the last packet but due by its time */
        feed_params(p, p->last_ts_ns);
    ss_flowtab_finish(p->flows, p->last_ts_ns);
    if (p->analysis)
        ss_analysis_finish(p->analysis, p->last_ts_ns);
    if (p->state)
        ss_semistate_finish(p->state, p->last_ts_ns);
}

void pipeline_free(struct pipeline *p)
{
    ss_flowtab_free(p->flows);
    ss_analysis_free(p->analysis);
    ss_semistate_free(p->state);
    memset(p, 0, sizeof(*p));
}
