/* SPDX-License-Identifier: MIT */
/* report_json.c: the JSON report (schema analyze/report.schema.json, documented field by field in
 * docs/report-json.md). Built with jansson; out-of-memory anywhere yields NULL, never a partial
 * document. Integers above INT64_MAX (never seen in practice) are clamped to it. */
#include "semiscope/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

struct jb {
    bool oom;
};

static json_t *jint(uint64_t v)
{
    return json_integer(v > (uint64_t)INT64_MAX ? (json_int_t)INT64_MAX : (json_int_t)v);
}

static json_t *jreal(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* Capture time in float seconds; 0 means "never" → null. */
static json_t *jts(uint64_t ts_ns)
{
    return ts_ns ? jreal(ss_rpt_seconds(ts_ns)) : json_null();
}

static json_t *jus(uint64_t ns)
{
    return jreal((double)ns / 1000.0);
}

static json_t *jbool3(int v)
{
    return v < 0 ? json_null() : json_boolean(v > 0);
}

/* Both take the reference to v, even on failure (jansson's *_new semantics). */
static void set(struct jb *b, json_t *o, const char *k, json_t *v)
{
    if (!o || !v) {
        json_decref(v);
        b->oom = true;
    } else if (json_object_set_new(o, k, v) < 0) {
        b->oom = true;
    }
}

static void push(struct jb *b, json_t *arr, json_t *v)
{
    if (!arr || !v) {
        json_decref(v);
        b->oom = true;
    } else if (json_array_append_new(arr, v) < 0) {
        b->oom = true;
    }
}

static json_t *dist_json(struct jb *b, const struct ss_hist *h)
{
    if (!h || !h->count)
        return json_null();
    struct ss_hist_summary s;
    ss_hist_summarize(h, &s);
    json_t *o = json_object();
    set(b, o, "count", jint(s.count));
    set(b, o, "min", jus(s.min));
    set(b, o, "mean", jreal(s.mean / 1000.0));
    set(b, o, "p50", jus(s.p50));
    set(b, o, "p90", jus(s.p90));
    set(b, o, "p99", jus(s.p99));
    set(b, o, "p999", jus(s.p999));
    set(b, o, "max", jus(s.max));
    return o;
}

/* The first input file not read to its end, or null. */
static json_t *read_error_json(struct jb *b, const struct ss_run_info *r)
{
    if (!r->nread_errors || !r->read_errors)
        return json_null();
    const struct ss_capture_read_error *e = &r->read_errors[0];
    json_t *o = json_object();
    set(b, o, "file", ss_report_json_string(e->file ? e->file : ""));
    set(b, o, "frame", jint(e->frame));
    set(b, o, "offset", e->offset >= 0 ? jint((uint64_t)e->offset) : json_null());
    set(b, o, "message", ss_report_json_string(e->message));
    return o;
}

static json_t *capture_json(struct jb *b, const struct ss_run_info *r)
{
    const struct ss_capture_stats *c = &r->cap;
    json_t *o = json_object(), *files = json_array();
    for (size_t i = 0; r->inputs && i < r->ninputs; i++)
        push(b, files, ss_report_json_string(r->inputs[i]));
    set(b, o, "files", files);
    set(b, o, "interface", r->iface ? ss_report_json_string(r->iface) : json_null());
    set(b, o, "filter",
        r->filter && r->filter[0] ? ss_report_json_string(r->filter) : json_null());
    set(b, o, "live", json_boolean(c->live));
    set(b, o, "interrupted", json_boolean(r->interrupted));
    set(b, o, "read_error", read_error_json(b, r));
    set(b, o, "files_not_read_to_end", jint(r->read_errors ? r->nread_errors : 0));
    set(b, o, "packets", jint(c->frames));
    set(b, o, "bytes", jint(c->bytes));
    set(b, o, "first_ts", c->frames ? jts(c->first_ts_ns) : json_null());
    set(b, o, "last_ts", c->frames ? jts(c->last_ts_ns) : json_null());
    uint64_t d = c->last_ts_ns > c->first_ts_ns ? c->last_ts_ns - c->first_ts_ns : 0;
    set(b, o, "duration_s", jreal((double)d / 1e9));
    set(b, o, "out_of_order_ts", jint(c->out_of_order_ts));
    if (c->kernel_stats_valid) {
        json_t *dr = json_object();
        set(b, dr, "kernel_received", jint(c->kernel_received));
        set(b, dr, "kernel_dropped", jint(c->kernel_dropped));
        set(b, dr, "if_dropped", jint(c->if_dropped));
        set(b, o, "drops", dr);
    } else {
        set(b, o, "drops", json_null());
    }
    return o;
}

static json_t *decode_json(struct jb *b, const struct ss_decode_stats *d)
{
    json_t *o = json_object();
    set(b, o, "frames", jint(d->frames));
    set(b, o, "tcp", jint(d->tcp));
    set(b, o, "not_ip", jint(d->not_ip));
    set(b, o, "not_tcp", jint(d->not_tcp));
    set(b, o, "fragments", jint(d->fragments));
    set(b, o, "malformed", jint(d->malformed));
    set(b, o, "unsupported_link", jint(d->unsupported_link));
    set(b, o, "truncated_payload", jint(d->truncated_payload));
    set(b, o, "csum_bad", jint(d->csum_bad));
    set(b, o, "ipv6", jint(d->ipv6));
    set(b, o, "vlan_tags", jint(d->vlan_tags));
    return o;
}

static json_t *flows_json(struct jb *b, const struct ss_flow_stats *f)
{
    json_t *o = json_object();
    set(b, o, "flows_created", jint(f->flows_created));
    set(b, o, "flows_active", jint(f->flows_active));
    set(b, o, "flows_max_hit", jint(f->flows_max_hit));
    set(b, o, "memcap_hit", jint(f->memcap_hit));
    set(b, o, "dir_ooo_cap_hit", jint(f->dir_ooo_cap_hit));
    set(b, o, "idle_expired", jint(f->idle_expired));
    set(b, o, "midstream_pickups", jint(f->midstream_pickups));
    set(b, o, "retrans", jint(f->retrans));
    set(b, o, "overlap_conflicts", jint(f->overlap_conflicts));
    set(b, o, "gaps", jint(f->gaps));
    set(b, o, "gap_bytes", jint(f->gap_bytes));
    set(b, o, "gaps_acked", jint(f->gaps_acked));
    set(b, o, "csum_bad", jint(f->csum_bad));
    set(b, o, "ooo_bytes_peak", jint(f->ooo_bytes_peak));
    return o;
}

static json_t *sample_json(struct jb *b, const struct ss_ack_sample *s)
{
    json_t *o = json_object();
    set(b, o, "latency_us", jus(s->latency_ns));
    set(b, o, "file", ss_report_json_string(s->file));
    set(b, o, "pos", jint(s->pos));
    set(b, o, "event_frame", jint(s->ev_frame));
    set(b, o, "event_ts", jts(s->ev_ts_ns));
    set(b, o, "ack_frame", jint(s->ack_frame));
    set(b, o, "ack_ts", jts(s->ack_ts_ns));
    set(b, o, "tcp_ack_frame", s->tcp_frame ? jint(s->tcp_frame) : json_null());
    set(b, o, "tcp_ack_ts", s->tcp_frame ? jts(s->tcp_ts_ns) : json_null());
    set(b, o, "flow_id", jint(s->flow_id));
    return o;
}

static json_t *unanswered_json(struct jb *b, const struct ss_unanswered *u)
{
    json_t *o = json_object();
    set(b, o, "pending_us", jus(u->pending_ns));
    set(b, o, "file", ss_report_json_string(u->file));
    set(b, o, "pos", jint(u->pos));
    set(b, o, "event_frame", jint(u->ev_frame));
    set(b, o, "event_ts", jts(u->ev_ts_ns));
    set(b, o, "until", json_string(u->until == SS_UNANSWERED_STREAM_END ? "stream_end"
                                                                          : "capture_end"));
    set(b, o, "end_ts", jts(u->end_ts_ns));
    set(b, o, "flow_id", jint(u->flow_id));
    return o;
}

static json_t *conn_json(struct jb *b, const struct ss_an_conn *c)
{
    char ep[SS_ENDPOINT_STRLEN];
    json_t *o = json_object();
    set(b, o, "flow_id", jint(c->flow_id));
    set(b, o, "client", json_string(ss_endpoint_str(&c->client, ep, sizeof(ep))));
    set(b, o, "thread_id", c->thread_id >= 0 ? jint((uint64_t)c->thread_id) : json_null());
    set(b, o, "semisync", jbool3(c->semisync));
    set(b, o, "first_ts", jts(c->first_ts_ns));
    set(b, o, "last_ts", jts(c->last_ts_ns));
    set(b, o, "first_frame", jint(c->first_frame));
    set(b, o, "last_frame", jint(c->last_frame));
    set(b, o, "events", jint(c->events));
    set(b, o, "ack_requests", jint(c->ack_requests));
    set(b, o, "acks", jint(c->acks));
    set(b, o, "end", json_string(ss_rpt_conn_end(c)));
    set(b, o, "closed_by",
        c->closed_by_master < 0 ? json_null()
                                : json_string(c->closed_by_master ? "master" : "replica"));
    set(b, o, "midstream", json_boolean(c->midstream));
    set(b, o, "retransmissions", jint(c->retransmissions));
    set(b, o, "zero_windows", jint(c->zero_windows));
    return o;
}

static json_t *timeline_json(struct jb *b, const struct ss_an_replica *r, uint64_t interval_ns)
{
    json_t *o = json_object(), *arr = json_array();
    set(b, o, "interval_s", jreal((double)interval_ns / 1e9));
    set(b, o, "dropped", jint(r->timeline_dropped));
    for (size_t i = 0; i < r->ntimeline; i++) {
        const struct ss_interval *iv = &r->timeline[i];
        json_t *e = json_object();
        uint64_t start = iv->index * interval_ns;
        set(b, e, "start_ts", jreal((double)(start / SS_NS_PER_SEC) +
                                    (double)(start % SS_NS_PER_SEC) / 1e9));
        set(b, e, "requests", jint(iv->requests));
        set(b, e, "acks", jint(iv->acks));
        set(b, e, "samples", jint(iv->samples));
        set(b, e, "p50_us", iv->samples ? jus(iv->p50_ns) : json_null());
        set(b, e, "p99_us", iv->samples ? jus(iv->p99_ns) : json_null());
        set(b, e, "max_us", iv->samples ? jus(iv->max_ns) : json_null());
        push(b, arr, e);
    }
    set(b, o, "intervals", arr);
    return o;
}

static void replica_counts(struct jb *b, json_t *o, const struct ss_an_replica *r)
{
    set(b, o, "dump_connections", jint(r->dump_connections));
    set(b, o, "kill_connections", jint(r->kill_connections));
    set(b, o, "events", jint(r->events));
    set(b, o, "event_bytes", jint(r->event_bytes));
    set(b, o, "heartbeats", jint(r->heartbeats));
    set(b, o, "ack_requests", jint(r->ack_requests));
    set(b, o, "acks", jint(r->acks));
    set(b, o, "acks_matched", jint(r->acks_matched));
    set(b, o, "acks_cumulative", jint(r->acks_cumulative));
    set(b, o, "acks_unmatched", jint(r->acks_unmatched));
    set(b, o, "acks_duplicate", jint(r->acks_duplicate));
    set(b, o, "acks_late", jint(r->acks_late));
    set(b, o, "acks_backwards", jint(r->acks_backwards));
    set(b, o, "acks_malformed", jint(r->acks_malformed));
    set(b, o, "requests_answered", jint(r->requests_answered));
    set(b, o, "requests_unanswered", jint(r->requests_unanswered));
    set(b, o, "requests_in_flight_at_end", jint(r->requests_in_flight_at_end));
    set(b, o, "requests_dropped", jint(r->requests_dropped));
}

static json_t *replica_json(struct jb *b, const struct ss_an_replica *r, int verbosity,
                            uint64_t interval_ns)
{
    char addr[64];
    json_t *o = json_object();
    set(b, o, "address", json_string(ss_addr_str(&r->addr, addr, sizeof(addr))));
    set(b, o, "server_id", r->server_id >= 0 ? jint((uint64_t)r->server_id) : json_null());
    set(b, o, "host", r->host[0] ? ss_report_json_string(r->host) : json_null());
    set(b, o, "port", r->port ? jint(r->port) : json_null());
    set(b, o, "semisync", jbool3(r->semisync));
    replica_counts(b, o, r);
    set(b, o, "first_ts", jts(r->first_ts_ns));
    set(b, o, "last_ts", jts(r->last_ts_ns));
    set(b, o, "midstream", json_boolean(r->midstream));
    set(b, o, "retransmissions", jint(r->retransmissions));
    set(b, o, "zero_windows", jint(r->zero_windows));
    if (r->has_last_ack) {
        json_t *la = json_object();
        set(b, la, "ts", jts(r->last_ack_ts_ns));
        set(b, la, "frame", jint(r->last_ack_frame));
        set(b, la, "file", ss_report_json_string(r->last_ack_file));
        set(b, la, "pos", jint(r->last_ack_pos));
        set(b, o, "last_ack", la);
    } else {
        set(b, o, "last_ack", json_null());
    }
    set(b, o, "ack_latency_us", dist_json(b, r->latency));
    set(b, o, "network_latency_us", dist_json(b, r->network));
    set(b, o, "replica_latency_us", dist_json(b, r->replica_side));
    json_t *slow = json_array(), *un = json_array(), *conns = json_array();
    for (size_t i = 0; i < r->nslowest; i++)
        push(b, slow, sample_json(b, &r->slowest[i]));
    for (size_t i = 0; i < r->nunanswered; i++)
        push(b, un, unanswered_json(b, &r->unanswered[i]));
    for (size_t i = 0; i < r->nconns; i++)
        push(b, conns, conn_json(b, &r->conns[i]));
    set(b, o, "slowest_acks", slow);
    set(b, o, "unanswered", un);
    set(b, o, "connections", conns);
    set(b, o, "connections_dropped", jint(r->conns_dropped));
    if (verbosity >= 1)
        set(b, o, "timeline", timeline_json(b, r, interval_ns));
    return o;
}

/* Another module's keys merged into the master object; ours win on a clash (never overwritten),
 * so a buggy section cannot corrupt the contract fields. */
static void merge_section(struct jb *b, json_t *master, const struct ss_report_section *sec,
                          const struct ss_endpoint *ep)
{
    if (!sec->json)
        return;
    json_t *extra = sec->json(sec->ctx, ep);
    if (!extra)
        return;
    if (json_is_object(extra) && json_object_update_missing(master, extra) < 0)
        b->oom = true;
    json_decref(extra);
}

static json_t *master_json(struct jb *b, const struct ss_report_input *in,
                           const struct ss_an_master *m, uint64_t interval_ns)
{
    char ep[SS_ENDPOINT_STRLEN], addr[64];
    json_t *o = json_object(), *reps = json_array();
    set(b, o, "endpoint", json_string(ss_endpoint_str(&m->endpoint, ep, sizeof(ep))));
    set(b, o, "address", json_string(ss_addr_str(&m->endpoint.addr, addr, sizeof(addr))));
    set(b, o, "port", jint(m->endpoint.port));
    set(b, o, "flavor", json_string(ss_rpt_flavor(m->flavor)));
    set(b, o, "server_version",
        m->server_version[0] ? ss_report_json_string(m->server_version) : json_null());
    set(b, o, "transactions", jint(m->transactions));
    set(b, o, "replicas_dropped", jint(m->replicas_dropped));
    for (size_t i = 0; i < m->nreplicas; i++)
        push(b, reps, replica_json(b, m->replicas[i], in->verbosity, interval_ns));
    set(b, o, "replicas", reps);
    merge_section(b, o, &in->state, &m->endpoint);
    merge_section(b, o, &in->pm, &m->endpoint);
    return o;
}

static json_t *analysis_json(struct jb *b, const struct ss_an_totals *t)
{
    json_t *o = json_object();
    set(b, o, "interval_s", jreal(t ? (double)t->interval_ns / 1e9 : 1.0));
    set(b, o, "messages", jint(t ? t->msgs : 0));
    set(b, o, "dump_streams", jint(t ? t->streams : 0));
    set(b, o, "tcp_acks_seen", json_boolean(t && t->tcp_acks_seen));
    return o;
}

static void top_sections(struct jb *b, json_t *root, const struct ss_report_input *in)
{
    json_t *gen = json_object();
    set(b, gen, "name", json_string("semiscope"));
#ifdef SEMISCOPE_VERSION
    set(b, gen, "version", json_string(SEMISCOPE_VERSION));
#else
    set(b, gen, "version", json_string("unknown"));
#endif
    set(b, root, "generator", gen);
    set(b, root, "capture", capture_json(b, in->run));
    set(b, root, "decode", decode_json(b, &in->run->dec));
    set(b, root, "flows", flows_json(b, &in->run->flow));
    set(b, root, "analysis",
        analysis_json(b, in->analysis ? ss_analysis_totals(in->analysis) : NULL));
}

json_t *ss_report_json(const struct ss_report_input *in)
{
    struct jb b = { false };
    json_t *root = json_object();
    set(&b, root, "schema_version", jint(SS_REPORT_SCHEMA_VERSION));
    top_sections(&b, root, in);
    const struct ss_an_master *const *ms = NULL;
    size_t nm = in->analysis ? ss_analysis_masters(in->analysis, &ms) : 0;
    uint64_t interval = in->analysis ? ss_analysis_totals(in->analysis)->interval_ns : 0;
    json_t *masters = json_array();
    for (size_t i = 0; i < nm; i++)
        push(&b, masters, master_json(&b, in, ms[i], interval ? interval : SS_NS_PER_SEC));
    set(&b, root, "masters", masters);
    json_t *an = json_object();
    for (int i = 0; i < SS_AN_COUNT; i++)
        set(&b, an, ss_anomaly_name((enum ss_anomaly)i),
            jint(in->run->an ? in->run->an->n[i] : 0));
    set(&b, root, "anomalies", an);
    struct ss_rpt_cap caps[SS_RPT_CAPS_MAX];
    size_t nc = ss_rpt_caps(in, caps);
    json_t *cj = json_object();
    for (size_t i = 0; i < nc; i++)
        set(&b, cj, caps[i].name, jint(caps[i].n));
    set(&b, root, "caps", cj);
    const char *notes[SS_RPT_NOTES_MAX];
    size_t nn = ss_rpt_notes(in, notes);
    json_t *nj = json_array();
    for (size_t i = 0; i < nn; i++)
        push(&b, nj, ss_report_json_string(notes[i]));
    set(&b, root, "notes", nj);
    if (b.oom) {
        json_decref(root);
        return NULL;
    }
    return root;
}

int ss_report_json_write(FILE *out, const struct ss_report_input *in)
{
    json_t *j = ss_report_json(in);
    if (!j)
        return -2;
    int rc = json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(16));
    json_decref(j);
    if (rc < 0 || fputc('\n', out) == EOF || fflush(out) == EOF || ferror(out))
        return -1;
    return 0;
}
