/* SPDX-License-Identifier: MIT */
/* semistate.c: the masters' shadow semisync state — lifecycle, per-master tables (streams,
 * replicas, binlog file names) and message routing. The state machine is semistate_master.c;
 * protocol.md §8, docs/semisync-state.md. */
#include "semiscope/semistate.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "semistate_priv.h"

/* COM_* codes of a dump start (protocol.md §4.4, §4.5). */
#define COM_BINLOG_DUMP 0x12
#define COM_BINLOG_DUMP_GTID 0x1E

const char *ss_semi_state_name(enum ss_semi_state st)
{
    switch (st) {
    case SS_SEMI_ON: return "on";
    case SS_SEMI_OFF: return "off";
    case SS_SEMI_DISABLED: return "disabled";
    case SS_SEMI_UNKNOWN: break;
    }
    return "unknown";
}

const char *ss_semi_cause_name(enum ss_semi_cause c)
{
    switch (c) {
    case SS_CAUSE_TIMEOUT: return "timeout";
    case SS_CAUSE_SEEN_OFF: return "seen_off";
    case SS_CAUSE_NO_REPLICA: return "no_semisync_replica";
    case SS_CAUSE_DISABLED: return "disabled";
    case SS_CAUSE_ACK: return "ack";
    case SS_CAUSE_DUMP_START: return "dump_start";
    case SS_CAUSE_ENABLED: return "enabled";
    case SS_CAUSE_UNKNOWN: break;
    }
    return "unknown";
}

const char *ss_param_source_name(enum ss_param_source src)
{
    switch (src) {
    case SS_PARAM_OPTION: return "option";
    case SS_PARAM_FILE: return "file";
    case SS_PARAM_WIRE: return "wire";
    case SS_PARAM_DEFAULT: break;
    }
    return "default";
}

void ss_semi_params_defaults(struct ss_semi_params *p)
{
    memset(p, 0, sizeof(*p));
    p->timeout_ms = 10000;
    p->wait_count = 1;
    p->wait_no_slave = 1;
    p->wait_point_after_sync = -1;
    p->enabled = -1;
}

struct ss_semistate *ss_semistate_new(const struct ss_semi_params *params,
                                      struct ss_anomalies *an)
{
    struct ss_semistate *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    if (params)
        s->params = *params;
    else
        ss_semi_params_defaults(&s->params);
    /* Nonsense values would break the arithmetic; fall back to the server defaults. */
    if (s->params.timeout_ms <= 0)
        s->params.timeout_ms = 10000, s->params.src_timeout = SS_PARAM_DEFAULT;
    if (s->params.wait_count <= 0)
        s->params.wait_count = 1, s->params.src_wait_count = SS_PARAM_DEFAULT;
    s->an = an;
    return s;
}

static void master_free(struct ss_sem_master *m)
{
    if (!m)
        return;
    free(m->streams);
    free(m->replicas);
    free(m->pend);
    free(m->tr);
    free(m->unp);
    free(m->unc);
    free(m);
}

void ss_semistate_free(struct ss_semistate *s)
{
    if (!s)
        return;
    for (uint32_t i = 0; i < s->n_masters; i++)
        master_free(s->m[i]);
    free(s);
}

struct ss_sem_master *ss_sem_master_find(const struct ss_semistate *s,
                                         const struct ss_endpoint *ep)
{
    if (!s || !ep)
        return NULL;
    for (uint32_t i = 0; i < s->n_masters; i++)
        if (ss_endpoint_eq(&s->m[i]->ep, ep))
            return s->m[i];
    return NULL;
}

static struct ss_sem_master *master_get(struct ss_semistate *s, const struct ss_conn_info *ci,
                                        uint64_t now)
{
    struct ss_sem_master *m = ss_sem_master_find(s, &ci->server);
    if (m)
        return m;
    if (s->n_masters >= SS_SEM_MAX_MASTERS) {
        s->masters_dropped++;
        return NULL;
    }
    m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->ep = ci->server;
    m->given = m->p = s->params;
    m->state = m->state_start = SS_SEMI_UNKNOWN;
    m->first_ts = m->last_ts = now;
    m->c.request_ack = 0;
    ss_hist_init(&m->wait_hist);
    s->m[s->n_masters++] = m;
    return m;
}

/* ---- binlog coordinates ------------------------------------------------------------------ */

/* The numeric suffix orders binlog files ("master-bin.000010" after ".000009"); a name without
 * one gets an order of its own after every numbered file, by first appearance. */
static uint64_t suffix_ord(const char *name)
{
    size_t n = strlen(name), i = n;
    while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9')
        i--;
    if (i == n || n - i > 18)
        return 0;
    uint64_t v = 0;
    for (; i < n; i++)
        v = v * 10 + (uint64_t)(name[i] - '0');
    return v + 1;
}

uint64_t ss_sem_file_ord(struct ss_sem_master *m, const char *name)
{
    if (!name || !name[0])
        return 0;
    struct ss_sem_file *victim = &m->files[0];
    for (size_t i = 0; i < SS_SEM_FILES; i++) {
        struct ss_sem_file *f = &m->files[i];
        if (f->ord && strcmp(f->name, name) == 0) {
            f->used = ++m->file_clock;
            return f->ord;
        }
        if (f->used < victim->used)
            victim = f;
    }
    uint64_t ord = suffix_ord(name);
    if (!ord)
        ord = (UINT64_C(1) << 62) + ++m->next_plain_ord;
    snprintf(victim->name, sizeof(victim->name), "%s", name);
    victim->ord = ord;
    victim->used = ++m->file_clock;
    return ord;
}

int ss_sem_pos_cmp(const struct ss_sem_pos *a, const struct ss_sem_pos *b)
{
    if (a->ord != b->ord)
        return a->ord < b->ord ? -1 : 1;
    if (a->pos != b->pos)
        return a->pos < b->pos ? -1 : 1;
    return 0;
}

char *ss_sem_pos_str(const struct ss_sem_master *m, const struct ss_sem_pos *p, char *buf)
{
    for (size_t i = 0; i < SS_SEM_FILES; i++) {
        if (m->files[i].ord && m->files[i].ord == p->ord) {
            snprintf(buf, SS_SEMI_POS_MAX, "%s:%llu", m->files[i].name,
                     (unsigned long long)p->pos);
            return buf;
        }
    }
    /* The name fell out of the small LRU table: print the order instead of guessing. */
    snprintf(buf, SS_SEMI_POS_MAX, "#%llu:%llu", (unsigned long long)p->ord,
             (unsigned long long)p->pos);
    return buf;
}

char *ss_sem_clock(uint64_t ts_ns, int decimals, char *buf, size_t n)
{
    time_t sec = (time_t)(ts_ns / SS_NS_PER_SEC);
    uint64_t frac = ts_ns % SS_NS_PER_SEC;
    struct tm tm;
    gmtime_r(&sec, &tm);
    if (decimals < 1)
        decimals = 1;
    if (decimals > 3)
        decimals = 3;
    unsigned div = decimals == 1 ? 100000000u : decimals == 2 ? 10000000u : 1000000u;
    snprintf(buf, n, "%02d:%02d:%02d.%0*llu", tm.tm_hour, tm.tm_min, tm.tm_sec, decimals,
             (unsigned long long)(frac / div));
    return buf;
}

/* ---- streams and replicas ----------------------------------------------------------------- */

static struct ss_sem_stream *stream_find(struct ss_sem_master *m, uint64_t flow_id)
{
    for (uint32_t i = 0; i < m->n_streams; i++)
        if (m->streams[i].flow_id == flow_id)
            return &m->streams[i];
    return NULL;
}

static struct ss_sem_stream *stream_new(struct ss_sem_master *m, const struct ss_msg *msg,
                                        bool preexisting)
{
    if (m->n_streams == m->cap_streams) {
        if (m->cap_streams >= SS_SEM_MAX_STREAMS) {
            m->streams_dropped++;
            return NULL;
        }
        uint32_t cap = m->cap_streams ? m->cap_streams * 2 : 4;
        struct ss_sem_stream *n = realloc(m->streams, cap * sizeof(*n));
        if (!n)
            return NULL;
        m->streams = n;
        m->cap_streams = cap;
    }
    struct ss_sem_stream *st = &m->streams[m->n_streams++];
    memset(st, 0, sizeof(*st));
    st->flow_id = msg->conn->flow_id;
    st->server_id = msg->conn->replica_server_id;
    st->replica = UINT32_MAX;
    st->preexisting = preexisting;
    st->start_ts = msg->first_ts_ns ? msg->first_ts_ns : msg->ts_ns;
    return st;
}

static void stream_remove(struct ss_sem_master *m, struct ss_sem_stream *st)
{
    size_t i = (size_t)(st - m->streams);
    m->streams[i] = m->streams[--m->n_streams];
}

struct ss_sem_replica *ss_sem_replica_of(struct ss_sem_master *m, struct ss_sem_stream *st)
{
    if (st->replica != UINT32_MAX && st->replica < m->n_replicas &&
        (st->server_id < 0 || m->replicas[st->replica].server_id == st->server_id))
        return &m->replicas[st->replica];
    uint64_t key = st->server_id >= 0 ? (uint64_t)st->server_id
                                      : (st->flow_id | (UINT64_C(1) << 63));
    for (uint32_t i = 0; i < m->n_replicas; i++) {
        if (m->replicas[i].key == key) {
            st->replica = i;
            return &m->replicas[i];
        }
    }
    if (m->n_replicas == m->cap_replicas) {
        if (m->cap_replicas >= SS_SEM_MAX_REPLICAS) {
            m->replicas_dropped++;
            return NULL;
        }
        uint32_t cap = m->cap_replicas ? m->cap_replicas * 2 : 4;
        struct ss_sem_replica *n = realloc(m->replicas, cap * sizeof(*n));
        if (!n)
            return NULL;
        m->replicas = n;
        m->cap_replicas = cap;
    }
    struct ss_sem_replica *r = &m->replicas[m->n_replicas];
    memset(r, 0, sizeof(*r));
    r->key = key;
    r->server_id = st->server_id;
    st->replica = m->n_replicas++;
    return r;
}

uint32_t ss_sem_clients_at(const struct ss_sem_master *m, uint64_t t)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < m->n_streams; i++)
        if (m->streams[i].semi && m->streams[i].start_ts <= t)
            n++;
    /* Streams that ended after t were alive then; only the last "all gone" moment is kept, so
     * count at least one when that moment came after t. */
    if (n == 0 && m->all_gone_ts > t)
        n = 1;
    return n;
}

/* ---- parameters read from the server ------------------------------------------------------ */

/* A value the server reported replaces ours unless the user set it explicitly. */
static void merge_params(struct ss_semi_params *dst, const struct ss_semi_params *src)
{
#define SS_SEM_TAKE(field, src_field)                                                              \
    if (src->src_field == SS_PARAM_FILE && dst->src_field != SS_PARAM_OPTION) {                   \
        dst->field = src->field;                                                                   \
        dst->src_field = SS_PARAM_FILE;                                                            \
    }
    SS_SEM_TAKE(timeout_ms, src_timeout)
    SS_SEM_TAKE(wait_count, src_wait_count)
    SS_SEM_TAKE(wait_no_slave, src_wait_no_slave)
    SS_SEM_TAKE(wait_point_after_sync, src_wait_point)
    SS_SEM_TAKE(enabled, src_enabled)
#undef SS_SEM_TAKE
    if (dst->timeout_ms <= 0)
        dst->timeout_ms = 10000;
    if (dst->wait_count <= 0)
        dst->wait_count = 1;
}

static void apply_params(struct ss_semistate *s, const struct ss_semi_params *p)
{
    merge_params(&s->params, p);
    for (uint32_t i = 0; i < s->n_masters; i++) {
        struct ss_sem_master *m = s->m[i];
        merge_params(&m->given, p);
        merge_params(&m->p, p);
        /* The server's own word replaces what the wire suggested (its note goes with it). */
        if (p->src_timeout == SS_PARAM_FILE && m->p.src_timeout == SS_PARAM_FILE)
            m->timeout_note[0] = 0;
    }
}

/* Apply every waiting update that is due by packet time `now`. */
static void apply_due_params(struct ss_semistate *s, uint64_t now)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < s->n_upd; i++) {
        if (s->upd[i].ts <= now)
            apply_params(s, &s->upd[i].p);
        else
            s->upd[k++] = s->upd[i];
    }
    s->n_upd = k;
}

void ss_semistate_params_at(struct ss_semistate *s, const struct ss_semi_params *p,
                            uint64_t ts_ns)
{
    if (!s || !p)
        return;
    if (!ts_ns || (s->last_ts && ts_ns <= s->last_ts)) {
        apply_params(s, p);
        return;
    }
    if (s->n_upd == SS_SEMI_PARAM_UPDATES_MAX) {
        apply_params(s, &s->upd[0].p);
        memmove(&s->upd[0], &s->upd[1], (s->n_upd - 1) * sizeof(s->upd[0]));
        s->n_upd--;
        s->params_applied_early++;
    }
    s->upd[s->n_upd].p = *p;
    s->upd[s->n_upd].ts = ts_ns;
    s->n_upd++;
}

/* ---- stream timing (what TCP says about when an event was decided) ------------------------ */

/* Without the replica's TCP acks nothing says a stream was held back: taken as fresh. */
bool ss_sem_stream_fresh(const struct ss_sem_stream *st)
{
    return !st->tcp_seen || st->stale_since == 0;
}

bool ss_sem_watched(const struct ss_sem_master *m)
{
    for (uint32_t i = 0; i < m->n_streams; i++) {
        const struct ss_sem_stream *st = &m->streams[i];
        if (!ss_sem_stream_fresh(st) || !st->have_last_end || !m->have_frontier)
            continue;
        if (ss_sem_pos_cmp(&st->last_end, &m->frontier) >= 0)
            return true;
    }
    return false;
}

void ss_sem_uncertain(struct ss_sem_master *m, uint64_t from, uint64_t to, const char *reason)
{
    m->unc_total++;
    if (m->n_unc && m->unc[m->n_unc - 1].to >= from &&
        strcmp(m->unc[m->n_unc - 1].reason, reason) == 0) {
        if (to > m->unc[m->n_unc - 1].to)
            m->unc[m->n_unc - 1].to = to;
        return;
    }
    if (m->n_unc >= SS_SEM_MAX_UNCERTAIN)
        return;
    if (!m->unc) {
        m->unc = calloc(SS_SEM_MAX_UNCERTAIN, sizeof(*m->unc));
        if (!m->unc)
            return;
    }
    struct ss_sem_uncertain *u = &m->unc[m->n_unc++];
    u->from = from;
    u->to = to;
    snprintf(u->reason, sizeof(u->reason), "%s", reason);
}

/* The replica's TCP acknowledged master bytes below `off`. When that covers everything the
 * master sent with the window open, its send buffer may be empty: the next event confirms it if
 * it leaves well after this ack (queued data leaves microseconds after the ack that frees it). */
static void stream_tcp_ack(struct ss_sem_stream *st, uint64_t off, uint64_t now)
{
    st->tcp_seen = true;
    if (off > st->acked_off)
        st->acked_off = off;
    if (st->stale_since && !st->zero_window && st->acked_off >= st->sent_off)
        st->drain_ts = now;
}

/* The replica closed (zero) or reopened its receive window: while it is closed, whatever the
 * dump thread writes waits in the master's send buffer, flags decided at write time. */
static void stream_window(struct ss_sem_stream *st, bool zero, uint64_t now)
{
    st->tcp_seen = true;
    st->zero_window = zero;
    if (zero) {
        if (!st->stale_since)
            st->stale_since = now;
        st->stale_catchup = false;
        st->drain_ts = 0;
    }
}

/* Before an event of the stream is used: is it fresh (sent as soon as written)? */
static void stream_before_event(struct ss_sem_master *m, struct ss_sem_stream *st,
                                const struct ss_msg *msg)
{
    if (st->stale_since && st->drain_ts) {
        uint64_t t = msg->first_ts_ns ? msg->first_ts_ns : msg->ts_ns;
        if (t >= st->drain_ts + SS_SEM_DRAIN_QUIET_NS) {
            st->stale_since = 0;
            st->stale_catchup = false;
        }
        st->drain_ts = 0;
    }
    if (msg->stream_end_off > st->sent_off)
        st->sent_off = msg->stream_end_off;
    if (ss_sem_watched(m))
        m->watch_until = msg->ts_ns;
}

/* ---- message routing ---------------------------------------------------------------------- */

static bool is_dump_start(const struct ss_msg *msg)
{
    return msg->kind == SS_MSG_COMMAND &&
           (msg->u.cmd.cmd == COM_BINLOG_DUMP || msg->u.cmd.cmd == COM_BINLOG_DUMP_GTID);
}

static void on_dump_start(struct ss_sem_master *m, const struct ss_msg *msg)
{
    struct ss_sem_stream *st = stream_find(m, msg->conn->flow_id);
    if (!st)
        st = stream_new(m, msg, false);
    if (!st)
        return;
    st->server_id = msg->u.cmd.server_id ? (int64_t)msg->u.cmd.server_id
                                         : msg->conn->replica_server_id;
    st->replica = UINT32_MAX;
    st->start_ts = msg->ts_ns;
    /* A new dump first sends what the binlog holds past its start position, as fast as TCP
     * takes it: nothing it shows is live until its backlog has drained. */
    st->stale_since = msg->ts_ns;
    st->stale_catchup = true;
    /* Where the input carries TCP acks, a new stream's are simply still to come. */
    if (m->tcp_any)
        st->tcp_seen = true;
    if (m->all_gone_ts && !m->dump_after_close_ts)
        m->dump_after_close_ts = msg->ts_ns;
    st->drain_ts = 0;
    st->have_last_end = false;
    if (msg->conn->semisync_requested == 1)
        ss_sem_stream_semi(m, st, true, msg->ts_ns);
    /* The master takes a semisync dump's start position as acknowledged (protocol.md §4.6):
     * it can release waiters and switch semisync ON without any ack packet. File/position dumps
     * only; a GTID dump's position is not a coordinate. */
    if (st->semi && msg->u.cmd.cmd == COM_BINLOG_DUMP && msg->u.cmd.dump_file[0]) {
        struct ss_sem_pos a = {ss_sem_file_ord(m, msg->u.cmd.dump_file), msg->u.cmd.dump_pos};
        ss_sem_on_ack(m, st, &a, msg->ts_ns, false);
    }
}

static void on_end(struct ss_sem_master *m, const struct ss_msg *msg)
{
    struct ss_sem_stream *st = stream_find(m, msg->conn->flow_id);
    if (!st)
        return;
    enum ss_end_reason why = msg->u.end.why;
    if (st->tail_valid)
        ss_sem_confirm_tail(m, st, msg->ts_ns);
    if (ss_sem_watched(m))
        m->watch_until = msg->ts_ns;
    /* A flow still open when the capture (or the flow table) gave up is still connected as far
     * as the master knows: it stays in clients_end. */
    if (why == SS_END_CAPTURE || why == SS_END_EVICTED)
        return;
    /* The replica closed its dump (IO thread stopped) just after acking: the master removes the
     * connection from its ack thread when the dump thread notices, and an ack still unread in the
     * socket then is never counted (seen in the soak: one ack 1-11 ms before the close; on a
     * loaded machine the last 4 acks, 22-30 ms before it). */
    if (!msg->u.end.by_server && m->state != SS_SEMI_DISABLED)
        for (uint32_t k = 0; k < SS_SEM_ACK_RING; k++)
            if (st->ack_ts[k] && msg->ts_ns >= st->ack_ts[k] &&
                msg->ts_ns - st->ack_ts[k] < SS_SEM_ACK_LOST_NS)
                m->rng.get_ack_lo--;
    if (st->semi) {
        ss_sem_stream_semi(m, st, false, msg->ts_ns);
        /* The last semisync dump went away (a restart, the replicas stopped): what the master
         * did until the next one is unseen. */
        if (!m->semi_alive)
            m->dump_after_close_ts = 0;
    }
    stream_remove(m, st);
}

/* A flow's decoder learnt its stream is (not) semisync from content: headers, acks. */
static struct ss_sem_stream *stream_for(struct ss_sem_master *m, const struct ss_msg *msg)
{
    struct ss_sem_stream *st = stream_find(m, msg->conn->flow_id);
    if (st) {
        if (st->server_id < 0 && msg->conn->replica_server_id >= 0) {
            st->server_id = msg->conn->replica_server_id;
            st->replica = UINT32_MAX;
        }
        return st;
    }
    /* No dump command seen: the stream was already running when the capture began (or its
     * start fell in a gap, which the handshake flag tells apart). */
    return stream_new(m, msg, !msg->conn->handshake_seen);
}

void ss_semistate_msg(struct ss_semistate *s, const struct ss_msg *msg)
{
    if (!s || !msg || !msg->conn)
        return;
    const struct ss_conn_info *ci = msg->conn;
    uint64_t now = msg->ts_ns;
    if (!s->first_ts)
        s->first_ts = msg->first_ts_ns ? msg->first_ts_ns : now;
    if (now > s->last_ts)
        s->last_ts = now;
    if (s->n_upd)
        apply_due_params(s, now);
    bool dumpish = ci->is_dump || is_dump_start(msg) || msg->kind == SS_MSG_ACK ||
                   (msg->kind == SS_MSG_EVENT && msg->from_server);
    if (ci->is_kill_only)
        return;
    struct ss_sem_master *m = dumpish ? master_get(s, ci, now) : ss_sem_master_find(s, &ci->server);
    if (!m)
        return;
    if (now > m->last_ts)
        m->last_ts = now;
    if (m->flavor == SS_FLAVOR_UNKNOWN && ci->flavor != SS_FLAVOR_UNKNOWN)
        m->flavor = ci->flavor;
    /* Time moves on for this master: timeouts due before this message happened before it. */
    ss_sem_check_timeouts(m, now);
    if (!dumpish && msg->kind != SS_MSG_END)
        return;
    switch (msg->kind) {
    case SS_MSG_COMMAND:
        if (is_dump_start(msg))
            on_dump_start(m, msg);
        break;
    case SS_MSG_EVENT: {
        if (!msg->from_server)
            break;
        struct ss_sem_stream *st = stream_for(m, msg);
        if (st) {
            stream_before_event(m, st, msg);
            ss_sem_on_event(s, m, st, msg);
        }
        break;
    }
    case SS_MSG_TCP_ACK: {
        m->tcp_any = true;
        struct ss_sem_stream *st = stream_find(m, ci->flow_id);
        if (st)
            stream_tcp_ack(st, msg->u.tcp_ack.stream_off, now);
        break;
    }
    case SS_MSG_TCP_WINDOW: {
        m->tcp_any = true;
        struct ss_sem_stream *st = stream_find(m, ci->flow_id);
        if (st)
            stream_window(st, msg->u.tcp_window.zero, now);
        break;
    }
    case SS_MSG_ACK: {
        if (msg->from_server || !msg->u.ack.well_formed)
            break;
        struct ss_sem_stream *st = stream_for(m, msg);
        if (!st)
            break;
        ss_sem_stream_semi(m, st, true, now);
        st->ack_ts[st->ack_i++ % SS_SEM_ACK_RING] = now;
        struct ss_sem_pos a = {ss_sem_file_ord(m, msg->u.ack.file), msg->u.ack.pos};
        ss_sem_on_ack(m, st, &a, now, true);
        break;
    }
    case SS_MSG_END:
        on_end(m, msg);
        break;
    default:
        break;
    }
}

void ss_semistate_finish(struct ss_semistate *s, uint64_t ts_ns)
{
    if (!s)
        return;
    if (ts_ns < s->last_ts)
        ts_ns = s->last_ts;
    apply_due_params(s, ts_ns);
    for (uint32_t i = 0; i < s->n_masters; i++) {
        struct ss_sem_master *m = s->m[i];
        ss_sem_check_timeouts(m, ts_ns);
        for (uint32_t k = 0; k < m->n_streams; k++)
            if (m->streams[k].tail_valid && ts_ns >= m->streams[k].tail_ts &&
                ts_ns - m->streams[k].tail_ts >= SS_SEM_IDLE_NS)
                ss_sem_confirm_tail(m, &m->streams[k], ts_ns);
        m->c.clients_end = m->semi_alive;
        if (m->flavor == SS_FLAVOR_MYSQL)
            m->c.request_ack = -1; /* MySQL has no such counter */
    }
}

/* ---- queries ------------------------------------------------------------------------------ */

const struct ss_semi_counters *ss_semistate_counters(const struct ss_semistate *s,
                                                     const struct ss_endpoint *master)
{
    const struct ss_sem_master *m = ss_sem_master_find(s, master);
    return m ? &m->c : NULL;
}

const struct ss_semi_transition *ss_semistate_transitions(const struct ss_semistate *s,
                                                          const struct ss_endpoint *master,
                                                          size_t *n)
{
    const struct ss_sem_master *m = ss_sem_master_find(s, master);
    if (n)
        *n = m ? m->n_tr : 0;
    return m && m->n_tr ? m->tr : NULL;
}

bool ss_semistate_states(const struct ss_semistate *s, const struct ss_endpoint *master,
                         enum ss_semi_state *start, enum ss_semi_state *end)
{
    const struct ss_sem_master *m = ss_sem_master_find(s, master);
    if (!m)
        return false;
    if (start)
        *start = m->state_start;
    if (end)
        *end = m->state;
    return true;
}

const struct ss_semi_params *ss_semistate_params(const struct ss_semistate *s,
                                                 const struct ss_endpoint *master)
{
    const struct ss_sem_master *m = ss_sem_master_find(s, master);
    return m ? &m->p : NULL;
}

size_t ss_semistate_n_masters(const struct ss_semistate *s)
{
    return s ? s->n_masters : 0;
}

const struct ss_endpoint *ss_semistate_master_at(const struct ss_semistate *s, size_t i)
{
    return s && i < s->n_masters ? &s->m[i]->ep : NULL;
}
