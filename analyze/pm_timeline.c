/* SPDX-License-Identifier: MIT */
/* pm_timeline.c: one merged, time-sorted and bounded timeline of wire transitions, replica
 * connections, status-sample changes and error-log lines, all on the capture clock. */
#include <stdlib.h>
#include <string.h>

#include "pm_priv.h"
#include "semiscope/status.h"

struct tl_entry {
    int64_t ts;          /* capture clock */
    int64_t server_ts;   /* 0 for wire entries */
    int prio;            /* 0 kept first; 2 dropped first */
    int64_t res_ns;      /* the source's time resolution when coarser than 1 ms (log lines) */
    const char *source;  /* "wire", "status", "log" */
    char what[240];
};

struct tl_buf {
    struct tl_entry *e;
    uint32_t n, cap;
    uint64_t dropped;
};

static struct tl_entry *tl_add(struct tl_buf *b, int64_t ts, int prio, const char *source)
{
    if (b->n == b->cap) {
        b->dropped++;
        return NULL;
    }
    struct tl_entry *e = &b->e[b->n++];
    memset(e, 0, sizeof(*e));
    e->ts = ts;
    e->prio = prio;
    e->source = source;
    return e;
}

static void wire_entries(const struct pm_ctx *c, struct tl_buf *b)
{
    for (uint32_t i = 0; i < c->n_tr; i++) {
        const struct pm_tr *t = &c->tr[i];
        struct tl_entry *e = tl_add(b, t->ts_ns, 0, "wire");
        if (!e)
            return;
        /* the state machine's reason usually names the position already */
        bool pos = t->pos[0] && !strstr(t->reason, t->pos);
        pm_appendf(e->what, sizeof(e->what), "semisync %s%s%s%s%s", t->to_on ? "ON" : "OFF",
                   pos ? " at " : "", pos ? t->pos : "", t->reason[0] ? ": " : "", t->reason);
        if (t->contradicted)
            pm_appendf(e->what, sizeof(e->what), " (contradicted: the server's samples show ON "
                                                 "throughout; the samples win)");
    }
    for (uint32_t r = 0; r < c->n_repl; r++) {
        const struct pm_repl *p = &c->repl[r];
        for (uint32_t k = 0; k < p->n_conns; k++) {
            const struct pm_conn *cn = &p->conns[k];
            char who[96];
            snprintf(who, sizeof(who), "replica %s", p->address);
            if (p->server_id >= 0)
                pm_appendf(who, sizeof(who), " (server_id %lld)", (long long)p->server_id);
            struct tl_entry *e;
            const char *kind = p->semisync == 1 ? "semisync " : p->semisync == 0 ? "async " : "";
            if (cn->start_ns && (e = tl_add(b, cn->start_ns, 1, "wire")))
                snprintf(e->what, sizeof(e->what), "%s: %sdump connection %s", who, kind,
                         cn->midstream ? "already running when the capture started" : "starts");
            if (cn->end_ns && (e = tl_add(b, cn->end_ns, 1, "wire"))) {
                snprintf(e->what, sizeof(e->what), "%s: %sdump connection closed", who, kind);
                if (cn->how[0])
                    pm_appendf(e->what, sizeof(e->what), " (%s)",
                               !strcmp(cn->how, "fin") ? "FIN" : !strcmp(cn->how, "rst") ? "RST"
                                                                                          : cn->how);
            }
        }
    }
}

/* The server restarts the status samples show (Uptime down, or a counter reset across the
 * poller's gap), at the restart's time. */
static void restart_entries(const struct pm_ctx *c, struct tl_buf *b, int64_t lo, int64_t hi)
{
    for (uint32_t i = 0; i < c->st->n_restarts; i++) {
        const struct ss_sv_restart *r = &c->st->restarts[i];
        bool up = r->source == SS_RESTART_UPTIME;
        int64_t t = pm_to_capture(c, up ? r->start_ns : r->hi_ns);
        struct tl_entry *e;
        if (t < lo || t > hi || !(e = tl_add(b, t, 0, "status")))
            continue;
        char when[64], seen[24];
        pm_restart_when(c, r, when, sizeof(when));
        e->server_ts = up ? r->start_ns : r->hi_ns;
        e->res_ns = up ? (int64_t)SS_NS_PER_SEC : 0;
        if (up)
            snprintf(e->what, sizeof(e->what), "the server restarted (Uptime %lld s at %s, %lld s "
                                               "at %s): every counter started again at 0",
                     (long long)r->uptime_s,
                     pm_fmt_time(pm_to_capture(c, r->seen_ns), false, seen, sizeof(seen)),
                     (long long)r->prev_uptime_s,
                     pm_fmt_time(pm_to_capture(c, r->prev_seen_ns), false, when, sizeof(when)));
        else
            snprintf(e->what, sizeof(e->what), "the server restarted %s (%s %lld -> %lld across "
                                               "the poller's gap): every counter started again at "
                                               "0",
                     when, c->st->series[r->hint_id].spelling, (long long)r->hint_from,
                     (long long)r->hint_to);
    }
}

static void status_entries(const struct pm_ctx *c, struct tl_buf *b, int64_t lo, int64_t hi)
{
    if (!c->st)
        return;
    static const struct {
        enum ss_sv_id id;
        int prio;
    } shown[] = {{SS_SV_STATUS, 0}, {SS_SV_VAR_ENABLED, 0}, {SS_SV_CLIENTS, 1},
                 {SS_SV_SLAVE_STATUS, 1}};
    for (size_t s = 0; s < SS_ARRAY_LEN(shown); s++) {
        const struct ss_sv_series *se = &c->st->series[shown[s].id];
        for (uint32_t k = 1; k < se->n_points; k++) {
            const struct ss_sv_point *p = &se->points[k];
            int64_t t = pm_to_capture(c, p->ts_ns);
            /* a point kept only to mark a server restart is no change of this value */
            if (t < lo || t > hi || p->value == se->points[k - 1].value)
                continue;
            struct tl_entry *e = tl_add(b, t, shown[s].prio, "status");
            if (!e)
                return;
            e->server_ts = p->ts_ns;
            bool onoff = shown[s].id != SS_SV_CLIENTS;
            char prev[24], now[24];
            snprintf(prev, sizeof(prev), "%lld", (long long)se->points[k - 1].value);
            snprintf(now, sizeof(now), "%lld", (long long)p->value);
            char since[24];
            snprintf(e->what, sizeof(e->what), "%s %s -> %s (previous sample at %s)",
                     se->spelling, onoff ? (se->points[k - 1].value ? "ON" : "OFF") : prev,
                     onoff ? (p->value ? "ON" : "OFF") : now,
                     pm_fmt_time(pm_to_capture(c, p->prev_ts_ns), false, since, sizeof(since)));
        }
    }
    for (uint32_t i = 0; i < c->st->n_gaps; i++) {
        const struct ss_sv_gap *g = &c->st->gaps[i];
        int64_t t = pm_to_capture(c, g->start_ns);
        struct tl_entry *e;
        if (t >= lo && t <= hi && (e = tl_add(b, t, 1, "status"))) {
            e->server_ts = g->start_ns;
            snprintf(e->what, sizeof(e->what), "status poller lost the server: %s", g->reason);
        }
        /* and its return: the outage's length, and the server it found back */
        t = pm_to_capture(c, g->end_ns);
        if (g->end_ns && t >= lo && t <= hi && (e = tl_add(b, t, 1, "status"))) {
            e->server_ts = g->end_ns;
            snprintf(e->what, sizeof(e->what), "status poller connected again after %.3f s%s%s",
                     (double)(g->end_ns - g->start_ns) / 1e9, g->version[0] ? ": " : "",
                     g->version);
        }
    }
    restart_entries(c, b, lo, hi);
}

static void log_what(const struct ss_el_record *r, char *w, size_t n)
{
    char sid[32] = "";
    if (r->server_id >= 0)
        snprintf(sid, sizeof(sid), " server_id %lld", (long long)r->server_id);
    switch (r->kind) {
    case SS_EL_TIMEOUT:
        snprintf(w, n, "timeout waiting for the ack of %s:%lld (semi-sync up to %s:%lld)",
                 r->file, (long long)r->pos, r->file2[0] ? r->file2 : "(none)",
                 (long long)r->pos2);
        break;
    case SS_EL_SWITCHED_OFF:
        snprintf(w, n, "semisync switched OFF");
        break;
    case SS_EL_SWITCHED_ON:
        snprintf(w, n, "semisync switched ON at %s:%lld%s%s", r->file, (long long)r->pos,
                 sid[0] ? " with" : "", sid);
        break;
    case SS_EL_DUMP_START:
    case SS_EL_DUMP_STOP:
        snprintf(w, n, "%s %sbinlog dump to%s", r->kind == SS_EL_DUMP_START ? "start" : "stop",
                 r->semisync == 1 ? "semi-sync " : r->semisync == 0 ? "asynchronous " : "", sid);
        if (r->kind == SS_EL_DUMP_START && r->file[0])
            pm_appendf(w, n, " from %s:%lld", r->file, (long long)r->pos);
        break;
    case SS_EL_ZOMBIE_KILL:
        snprintf(w, n, "killed the zombie dump thread %lld of%s", (long long)r->killed_thread_id,
                 sid);
        break;
    case SS_EL_ENABLED:
        snprintf(w, n, "semisync enabled on the master");
        break;
    case SS_EL_DISABLED:
        snprintf(w, n, "semisync disabled on the master");
        break;
    case SS_EL_SHUTDOWN:
        snprintf(w, n, "server shutdown begins");
        break;
    case SS_EL_SHUTDOWN_COMPLETE:
        snprintf(w, n, "server shutdown complete");
        break;
    case SS_EL_STARTING:
        snprintf(w, n, "server starting");
        break;
    case SS_EL_READY:
        snprintf(w, n, "server ready for connections");
        break;
    case SS_EL_CRASH:
        snprintf(w, n, "server crashed: %.120s", r->raw);
        break;
    default:
        snprintf(w, n, "%s", ss_el_kind_name(r->kind));
        break;
    }
    if (r->thread_id >= 0)
        pm_appendf(w, n, " [thread %lld]", (long long)r->thread_id);
}

static void log_entries(const struct pm_ctx *c, struct tl_buf *b, int64_t lo, int64_t hi)
{
    for (uint32_t i = 0; c->el && i < c->el->n; i++) {
        const struct ss_el_record *r = &c->el->recs[i];
        int64_t t = pm_to_capture(c, r->ts_ns);
        if (t < lo || t > hi)
            continue;
        int prio = (r->kind == SS_EL_DUMP_START || r->kind == SS_EL_DUMP_STOP ||
                    r->kind == SS_EL_ZOMBIE_KILL || r->kind == SS_EL_IO_STOPPED)
                       ? 1
                       : 0;
        /* MariaDB logs a plain "Start binlog_dump" line beside the semi-sync one: keep one */
        if (r->kind == SS_EL_DUMP_START && r->semisync < 0 && i + 1 < c->el->n &&
            c->el->recs[i + 1].kind == SS_EL_DUMP_START &&
            c->el->recs[i + 1].server_id == r->server_id)
            continue;
        struct tl_entry *e = tl_add(b, t, prio, "log");
        if (!e)
            return;
        e->server_ts = r->ts_ns;
        e->res_ns = r->ts_res_ns > 1000000 ? r->ts_res_ns : 0;
        log_what(r, e->what, sizeof(e->what));
    }
}

static int tl_cmp(const void *a, const void *b)
{
    const struct tl_entry *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return strcmp(x->source, y->source);
}

/* Over the cap: drop the least important entries first, then the latest. */
static void tl_trim(struct tl_buf *b, uint32_t max)
{
    for (int prio = 2; prio > 0 && b->n > max; prio--) {
        uint32_t keep = 0, excess = b->n - max;
        for (uint32_t i = 0; i < b->n; i++) {
            if (excess > 0 && b->e[i].prio == prio) {
                excess--;
                b->dropped++;
                continue;
            }
            b->e[keep++] = b->e[i];
        }
        b->n = keep;
    }
    if (b->n > max) {
        b->dropped += b->n - max;
        b->n = max;
    }
}

int pm_timeline(struct pm_ctx *c)
{
    uint32_t max = c->cfg->max_timeline ? c->cfg->max_timeline : 400;
    struct tl_buf b = {.cap = max * 4};
    b.e = calloc(b.cap, sizeof(*b.e));
    if (!b.e)
        return SS_ERR_NOMEM;
    int64_t margin = (int64_t)(c->cfg->max_match_s * 1e9);
    int64_t lo = c->w0 - margin, hi = c->w1 < INT64_MAX / 2 ? c->w1 + margin : c->w1;
    wire_entries(c, &b);
    status_entries(c, &b, lo, hi);
    log_entries(c, &b, lo, hi);
    qsort(b.e, b.n, sizeof(*b.e), tl_cmp);
    tl_trim(&b, max);
    int rc = SS_OK;
    for (uint32_t i = 0; i < b.n && rc == SS_OK; i++) {
        json_t *o = json_object();
        if (!o) {
            rc = SS_ERR_NOMEM;
            break;
        }
        json_object_set_new(o, "ts", json_real((double)b.e[i].ts / 1e9));
        json_object_set_new(o, "source", json_string(b.e[i].source));
        json_object_set_new(o, "what", json_string(b.e[i].what));
        if (b.e[i].server_ts && c->have_offset)
            json_object_set_new(o, "server_ts", json_real((double)b.e[i].server_ts / 1e9));
        if (b.e[i].res_ns) /* whole-second log times: the event is within [ts, ts + this) */
            json_object_set_new(o, "resolution_s", json_real((double)b.e[i].res_ns / 1e9));
        if (json_array_append_new(c->timeline, o))
            rc = SS_ERR_NOMEM;
    }
    c->timeline_dropped = b.dropped;
    free(b.e);
    return rc;
}
