/* SPDX-License-Identifier: MIT */
/* fuzz_pipeline.c: the whole pipeline over a pcap/pcapng file held in the fuzz input — libpcap
 * (through fmemopen, no file) → ss_decode_frame → flow table → one connection decoder per flow →
 * analysis and semisync state → JSON, postmortem, text and HTML reports — as the CLI wires it in
 * tools/pipeline.c and tools/run.c. Everything is built and freed per input, so a leak or a
 * use-after-free anywhere along the path is a sanitizer report. The message callback checks the
 * decoder's contract on what it emits and aborts on a breach, so logic errors are crashes too. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_reports.h"
#include "semiscope/analyze.h"
#include "semiscope/anomaly.h"
#include "semiscope/flow.h"
#include "semiscope/mysql.h"
#include "semiscope/packet.h"
#include "semiscope/semistate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Frames read per input: bounds the time one input can take (libFuzzer's -max_len bounds the
 * bytes, but a pcap of empty records is many frames per KiB). */
#define FP_MAX_FRAMES 20000

static const uint16_t fp_ports[] = {3306};

struct fp {
    struct ss_flowtab *flows;
    struct ss_decode_stats dec;
    struct ss_anomalies an;
    struct ss_conn_cfg conn_cfg;
    struct ss_msg_sink sink;
    struct ss_analysis *analysis;
    struct ss_semistate *state;
    struct ss_capture_stats cap;
    uint64_t last_ts_ns;
    uint64_t opened, ended; /* flows: every open must be ended by finish */
    uint64_t conns;         /* decoders alive */
};

static void fp_check(bool ok)
{
    if (!ok)
        abort();
}

/* The decoder's contract on every message, checked before the analyzers see it. */
static void check_msg(const struct ss_msg *m)
{
    fp_check(m->kind < SS_MSG_KIND_COUNT && m->conn != NULL);
    fp_check(ss_msg_kind_name(m->kind) != NULL);
    /* Strings the reporters print must be NUL-terminated inside their arrays. */
    fp_check(memchr(m->conn->server_version, 0, sizeof m->conn->server_version) != NULL);
    fp_check(memchr(m->conn->binlog_file, 0, sizeof m->conn->binlog_file) != NULL);
    fp_check(memchr(m->conn->replica_host, 0, sizeof m->conn->replica_host) != NULL);
    switch (m->kind) {
    case SS_MSG_EVENT:
        fp_check(memchr(m->u.ev.file, 0, sizeof m->u.ev.file) != NULL);
        fp_check(m->u.ev.semisync_flags >= -1 && m->u.ev.semisync_flags <= 0xff);
        fp_check(!m->u.ev.ack_requested || m->u.ev.semisync_flags >= 0);
        break;
    case SS_MSG_ACK:
        fp_check(memchr(m->u.ack.file, 0, sizeof m->u.ack.file) != NULL);
        fp_check(!m->from_server);
        break;
    case SS_MSG_COMMAND:
        fp_check(memchr(m->u.cmd.text, 0, sizeof m->u.cmd.text) != NULL);
        fp_check(memchr(m->u.cmd.dump_file, 0, sizeof m->u.cmd.dump_file) != NULL);
        fp_check(memchr(m->u.cmd.host, 0, sizeof m->u.cmd.host) != NULL);
        fp_check(ss_command_name(m->u.cmd.cmd) != NULL);
        fp_check(!m->from_server);
        break;
    case SS_MSG_REPLY:
        fp_check(memchr(m->u.reply.message, 0, sizeof m->u.reply.message) != NULL);
        fp_check(memchr(m->u.reply.first_value, 0, sizeof m->u.reply.first_value) != NULL);
        fp_check(m->from_server);
        break;
    case SS_MSG_TCP_ACK:
    case SS_MSG_TCP_WINDOW:
        fp_check(!m->from_server && m->conn->is_dump);
        break;
    default:
        break;
    }
}

static void on_msg(void *ctx, const struct ss_msg *m)
{
    struct fp *p = ctx;
    check_msg(m);
    ss_analysis_msg(p->analysis, m);
    ss_semistate_msg(p->state, m);
}

static void on_open(void *ctx, struct ss_flow *f)
{
    struct fp *p = ctx;
    fp_check(f->app == NULL);
    p->opened++;
    f->app = ss_conn_new(&p->conn_cfg, f, &p->sink, &p->an);
    if (f->app)
        p->conns++;
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
    (void)ctx;
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
    struct fp *p = ctx;
    p->ended++;
    if (f->app) {
        ss_conn_end(f->app, f, why, by, ts, frame);
        ss_conn_free(f->app);
        f->app = NULL;
        p->conns--;
    }
}

static const struct ss_stream_ops fp_stream_ops = {
    .open = on_open, .data = on_data, .gap = on_gap, .acked = on_acked, .window = on_window,
    .end = on_end,
};

/* Caps well below the CLI's defaults, so that small inputs reach them. */
static int fp_init(struct fp *p)
{
    memset(p, 0, sizeof *p);
    struct ss_flow_cfg fc;
    ss_flow_cfg_defaults(&fc);
    fc.ports = fp_ports;
    fc.nports = 1;
    fc.max_flows = 16;
    fc.memcap = 256u << 10;
    fc.dir_ooo_cap = 64u << 10;
    fc.gap_after = 32u << 10;
    p->flows = ss_flowtab_new(&fc, &fp_stream_ops, p);
    p->conn_cfg.ports = fp_ports;
    p->conn_cfg.nports = 1;
    p->conn_cfg.emit_tcp_acks = true;
    p->sink.msg = on_msg;
    p->sink.ctx = p;
    struct ss_analysis_cfg ac;
    ss_analysis_cfg_defaults(&ac);
    ac.max_masters = 4;
    ac.max_replicas = 8;
    ac.max_pending = 64;
    ac.slowest_n = 3;
    ac.max_intervals = 64;
    ac.max_conn_records = 4;
    ac.max_trx_ranges = 16;
    p->analysis = ss_analysis_new(&ac, &p->an);
    struct ss_semi_params sp;
    ss_semi_params_defaults(&sp);
    p->state = ss_semistate_new(&sp, &p->an);
    return p->flows && p->analysis && p->state ? 0 : -1;
}

static void fp_free(struct fp *p)
{
    ss_flowtab_free(p->flows);
    ss_analysis_free(p->analysis);
    ss_semistate_free(p->state);
}

/* As ss_capture_ts_ns: nanosecond precision, times before the epoch clamp to 0. */
static uint64_t fp_ts_ns(const struct pcap_pkthdr *h)
{
    if (h->ts.tv_sec < 0 || h->ts.tv_usec < 0)
        return 0;
    return (uint64_t)h->ts.tv_sec * SS_NS_PER_SEC + (uint64_t)h->ts.tv_usec;
}

static void fp_frames(struct fp *p, struct pcap *pc)
{
    struct pcap_pkthdr *h;
    const u_char *d;
    uint64_t n = 0;
    while (n < FP_MAX_FRAMES && pcap_next_ex(pc, &h, &d) == 1) {
        n++;
        /* pcapng: the link type can differ per interface; libpcap reports the current one. */
        struct ss_frame fr = {
            .ts_ns = fp_ts_ns(h),
            .number = n,
            .dlt = pcap_datalink(pc),
            .caplen = h->caplen,
            .wirelen = h->len,
            .data = d,
        };
        if (n == 1)
            p->cap.first_ts_ns = fr.ts_ns;
        else if (fr.ts_ns < p->last_ts_ns)
            p->cap.out_of_order_ts++;
        p->cap.frames = n;
        p->cap.bytes += fr.wirelen;
        p->cap.last_ts_ns = fr.ts_ns;
        p->last_ts_ns = fr.ts_ns;
        struct ss_tcp_pkt pkt;
        if (ss_decode_frame(&fr, &pkt, &p->dec) == SS_DEC_TCP)
            ss_flowtab_packet(p->flows, &pkt);
    }
    fp_check(p->dec.frames == n);
}

/* The reports, as the CLI builds them, from the run's facts. */
static void fp_reports(struct fp *p)
{
    struct ss_run_info run = {0};
    static const char *const inputs[] = {"fuzz.pcap"};
    run.inputs = inputs;
    run.ninputs = 1;
    run.cap = p->cap;
    run.cap.files = 1;
    run.dec = p->dec;
    ss_flowtab_stats(p->flows, &run.flow);
    run.an = &p->an;
    fzr_reports(&run, p->analysis, p->state);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 24) /* shorter than any capture file header */
        return 0;
    /* The capture module reads paths; here the bytes are a stream libpcap reads in place. */
    FILE *f = fmemopen((void *)(uintptr_t)data, size, "rb");
    if (!f)
        return 0;
    char errbuf[PCAP_ERRBUF_SIZE];
    struct pcap *pc = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO,
                                                               errbuf);
    if (!pc) {
        fclose(f);
        return 0;
    }
    struct fp p;
    if (fp_init(&p) == 0) {
        fp_frames(&p, pc);
        ss_flowtab_finish(p.flows, p.last_ts_ns);
        fp_check(p.opened == p.ended && p.conns == 0);
        ss_analysis_finish(p.analysis, p.last_ts_ns);
        ss_semistate_finish(p.state, p.last_ts_ns);
        fp_reports(&p);
    }
    fp_free(&p);
    pcap_close(pc); /* closes f */
    return 0;
}
