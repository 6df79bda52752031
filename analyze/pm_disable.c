/* SPDX-License-Identifier: MIT */
/* pm_disable.c: semisync disabled at runtime on the master (SET GLOBAL
 * rpl_semi_sync_master_enabled=OFF), and enabled again or not. Three sources say so:
 *
 *  - the wire: an OFF transition whose reason is the state machine's disable rule ("semisync was
 *    disabled on the master (rpl_semi_sync_master_enabled=OFF)"), the ON that follows ("semisync
 *    was enabled on the master", or an ack once enabled and OFF);
 *  - the error log: MySQL's "Semi-sync replication disabled on the source", MariaDB's bare
 *    "Semi-sync replication switched OFF." (no timeout line before it: disable_master() switches
 *    OFF) corroborated by the wire or followed by "Semi-sync replication enabled on the master."
 *    outside a startup;
 *  - the variables: rpl_semi_sync_master_enabled ON -> OFF (and OFF -> ON) between two samples.
 *
 * Such an episode is not a timeout and is never told as one: the switched-OFF rule leaves it to
 * this one, and the master-disabled rule (disabled throughout) stands back when it is found.
 * A master that came back disabled after a restart is the restart rule's (pm_restart.c). */
#include <string.h>
#include <strings.h>

#include "pm_priv.h"
#include "semiscope/status.h"

#define SEC 1000000000LL
#define LOG_SLACK_NS (2 * SEC) /* whole-second log times, written just after the switch */
#define EVID 2000
#define REM 900

const char *pm_timeout_var(const struct pm_ctx *c)
{
    return strstr(c->names.master_enabled, "source") ? "rpl_semi_sync_source_timeout"
                                                     : "rpl_semi_sync_master_timeout";
}

void pm_timeout_words(const struct pm_ctx *c, char *buf, size_t n)
{
    const char *s = c->timeout_src ? c->timeout_src : "";
    if (!strcmp(s, "default"))
        snprintf(buf, n, "the assumed default %lld ms timeout", (long long)c->timeout_ms);
    else if (!strcmp(s, "option"))
        snprintf(buf, n, "the full %lld ms timeout (given with --timeout)",
                 (long long)c->timeout_ms);
    else if (!strcmp(s, "wire"))
        snprintf(buf, n, "the full %lld ms timeout (as inferred from the wire)",
                 (long long)c->timeout_ms);
    else
        snprintf(buf, n, "the full %lld ms timeout", (long long)c->timeout_ms);
}

void pm_timeout_source(const struct pm_ctx *c, char *buf, size_t n)
{
    const char *s = c->timeout_src ? c->timeout_src : "";
    if (!strcmp(s, "file"))
        snprintf(buf, n, "%lld ms, %s from the server's variables", (long long)c->timeout_ms,
                 pm_timeout_var(c));
    else if (!strcmp(s, "option"))
        snprintf(buf, n, "%lld ms, given with --timeout", (long long)c->timeout_ms);
    else if (!strcmp(s, "default"))
        snprintf(buf, n, "%lld ms, only the default assumed: %s was not given (the server's "
                         "variables with --status, or --timeout)",
                 (long long)c->timeout_ms, pm_timeout_var(c));
    else if (!strcmp(s, "wire"))
        snprintf(buf, n, "%lld ms, inferred from the wire", (long long)c->timeout_ms);
    else
        snprintf(buf, n, "%lld ms", (long long)c->timeout_ms);
}

/* ---- finding the episodes -------------------------------------------------------------------- */

static bool restart_near(const struct pm_ctx *c, int64_t lo, int64_t hi)
{
    return c->restart_found && hi >= c->outage_from_ns && lo <= c->outage_to_ns;
}

static struct pm_dis *dis_new(struct pm_ctx *c, int64_t off_ns)
{
    if (c->n_dis >= PM_MAX_DIS)
        return NULL;
    struct pm_dis *d = &c->dis[c->n_dis++];
    memset(d, 0, sizeof(*d));
    d->off_ns = off_ns;
    d->tr_off = d->tr_on = -1;
    return d;
}

/* The episode whose disable falls within [lo - slack, hi + slack] (capture clock). */
static struct pm_dis *dis_near(struct pm_ctx *c, int64_t lo, int64_t hi, int64_t slack)
{
    for (uint32_t i = 0; i < c->n_dis; i++) {
        struct pm_dis *d = &c->dis[i];
        int64_t a = (int64_t)(d->off_approx_s * 1e9);
        if (d->off_ns && d->off_ns + a >= lo - slack && d->off_ns - a <= hi + slack)
            return d;
    }
    return NULL;
}

/* The latest episode disabled by `t` (capture clock) that has no enable yet from this source
 * (the log's when `log`, the variables' when `var`); NULL when none. */
static struct pm_dis *dis_open_at(struct pm_ctx *c, int64_t t, bool log, bool var)
{
    struct pm_dis *best = NULL;
    for (uint32_t i = 0; i < c->n_dis; i++) {
        struct pm_dis *d = &c->dis[i];
        if (d->off_ns > t || (log && d->log_on) || (var && d->var_on))
            continue;
        if (!best || d->off_ns >= best->off_ns)
            best = d;
    }
    return best;
}

static void from_wire(struct pm_ctx *c)
{
    bool start_disabled = !strcasecmp(c->state_start, "disabled") && pm_wire_disabled(c);
    for (uint32_t i = 0; i < c->n_tr; i++) {
        const struct pm_tr *t = &c->tr[i];
        bool first_on = start_disabled && t->to_on && c->n_dis == 0;
        if (!first_on && (t->to_on || !t->disable || t->contradicted ||
                          restart_near(c, t->ts_ns, t->ts_ns)))
            continue;
        struct pm_dis *d = dis_new(c, first_on ? 0 : t->ts_ns);
        if (!d)
            return;
        if (first_on) { /* disabled when the capture began, enabled during it */
            d->tr_on = (int)i;
            d->on_ns = t->ts_ns;
            d->back_on = true;
            continue;
        }
        d->tr_off = (int)i;
        d->off_approx_s = t->approx_s;
        for (uint32_t j = i + 1; j < c->n_tr; j++)
            if (c->tr[j].to_on) {
                d->tr_on = (int)j;
                d->on_ns = c->tr[j].ts_ns;
                d->back_on = true;
                break;
            }
    }
}

/* Whether log record i is part of a startup (MariaDB writes "enabled on the master" when it
 * starts with semisync configured ON). */
static bool log_startup(const struct pm_ctx *c, uint32_t i)
{
    const struct ss_el_record *r = &c->el->recs[i];
    if (restart_near(c, pm_to_capture(c, r->ts_ns), pm_to_capture(c, r->ts_ns)))
        return true;
    for (uint32_t k = 0; k < c->el->n; k++) {
        const struct ss_el_record *o = &c->el->recs[k];
        int64_t d = r->ts_ns - o->ts_ns;
        if ((o->kind == SS_EL_STARTING || o->kind == SS_EL_READY) && d >= -LOG_SLACK_NS &&
            d <= 60 * SEC)
            return true;
    }
    return false;
}

/* A timeout (or a failed insert) logged at most LOG_SLACK_NS before record i: its switch OFF is
 * not a disable. */
static bool log_timeout_before(const struct pm_ctx *c, uint32_t i)
{
    const struct ss_el_record *r = &c->el->recs[i];
    for (uint32_t k = 0; k < c->el->n; k++) {
        const struct ss_el_record *o = &c->el->recs[k];
        int64_t d = r->ts_ns - o->ts_ns;
        if ((o->kind == SS_EL_TIMEOUT || o->kind == SS_EL_INSERT_FAILED) && d >= 0 &&
            d <= LOG_SLACK_NS)
            return true;
    }
    return false;
}

/* The next record after i among the switch lines: an "enabled on the master" (outside a
 * startup) right after a bare "switched OFF" makes that OFF a disable. */
static bool log_enabled_next(const struct pm_ctx *c, uint32_t i)
{
    for (uint32_t k = i + 1; k < c->el->n; k++) {
        enum ss_el_kind kd = c->el->recs[k].kind;
        if (kd == SS_EL_ENABLED)
            return !log_startup(c, k);
        if (kd == SS_EL_SWITCHED_OFF || kd == SS_EL_SWITCHED_ON || kd == SS_EL_TIMEOUT ||
            kd == SS_EL_DISABLED || kd == SS_EL_SHUTDOWN || kd == SS_EL_STARTING)
            return false;
    }
    return false;
}

static bool in_window(const struct pm_ctx *c, int64_t t, int64_t slack)
{
    return t >= c->w0 - slack && t <= c->w1 + slack;
}

static void from_log(struct pm_ctx *c)
{
    bool wire_on_start = !strcasecmp(c->state_start, "on") || !strcasecmp(c->state_start, "off");
    for (uint32_t i = 0; c->el && i < c->el->n; i++) {
        const struct ss_el_record *r = &c->el->recs[i];
        int64_t t = pm_to_capture(c, r->ts_ns), hi = t + r->ts_res_ns;
        if (!in_window(c, t, LOG_SLACK_NS) || restart_near(c, t, hi))
            continue;
        if (r->kind == SS_EL_DISABLED ||
            (r->kind == SS_EL_SWITCHED_OFF && !log_timeout_before(c, i))) {
            bool bare = r->kind == SS_EL_SWITCHED_OFF;
            struct pm_dis *d = dis_near(c, t, hi, LOG_SLACK_NS);
            /* a bare "switched OFF" alone may be a replica gone with wait_no_slave=OFF: it
             * takes the wire's disable, or the log's own "enabled" after it */
            if (!d && (!bare || log_enabled_next(c, i)))
                d = dis_new(c, t);
            if (d && !d->log_off) {
                d->log_off = r;
                d->log_off_bare = bare;
            }
        } else if (r->kind == SS_EL_ENABLED && !log_startup(c, i)) {
            struct pm_dis *d = dis_open_at(c, hi, true, false);
            /* enabled with no disable before it in the window: it was disabled when the
             * capture began (unless the wire saw it ON or OFF, i.e. enabled, from the start) */
            if (!d && !wire_on_start)
                d = dis_new(c, 0);
            if (!d)
                continue;
            d->log_on = r;
            if (!d->back_on) {
                d->back_on = true;
                d->on_ns = t;
            }
        }
    }
}

static void from_vars(struct pm_ctx *c)
{
    if (!c->st || !ss_status_samples_has(c->st, SS_SV_VAR_ENABLED))
        return;
    const struct ss_sv_series *se = &c->st->series[SS_SV_VAR_ENABLED];
    for (uint32_t k = 1; k < se->n_points; k++) {
        const struct ss_sv_point *p = &se->points[k];
        if (p->restart || (p->value != 0) == (se->points[k - 1].value != 0))
            continue;
        int64_t lo = pm_to_capture(c, p->prev_ts_ns), hi = pm_to_capture(c, p->ts_ns);
        if (hi < c->w0 - SEC || lo > c->w1 + SEC || restart_near(c, lo, hi))
            continue;
        if (p->value == 0) {
            struct pm_dis *d = dis_near(c, lo, hi, SEC);
            if (!d) {
                d = dis_new(c, lo / 2 + hi / 2);
                if (d)
                    d->off_approx_s = (double)(hi - lo) / 2e9;
            }
            if (d && !d->var_off)
                d->var_off = p;
        } else {
            struct pm_dis *d = dis_open_at(c, hi, false, true);
            if (!d && se->points[k - 1].ts_ns <= pm_to_server(c, c->w0))
                d = dis_new(c, 0); /* OFF at the capture's start, ON during it */
            if (!d)
                continue;
            d->var_on = p;
            if (!d->back_on) {
                d->back_on = true;
                d->on_ns = lo / 2 + hi / 2;
            }
        }
    }
}

static void find_disables(struct pm_ctx *c)
{
    c->n_dis = 0;
    from_wire(c);
    from_log(c);
    from_vars(c);
    /* time order (0, disabled at the start, first) */
    for (uint32_t i = 1; i < c->n_dis; i++)
        for (uint32_t j = i; j > 0 && c->dis[j].off_ns < c->dis[j - 1].off_ns; j--) {
            struct pm_dis tmp = c->dis[j];
            c->dis[j] = c->dis[j - 1];
            c->dis[j - 1] = tmp;
        }
}

bool pm_disable_explains(const struct pm_ctx *c, int64_t lo, int64_t hi)
{
    for (uint32_t i = 0; i < c->n_dis; i++) {
        const struct pm_dis *d = &c->dis[i];
        int64_t a = (int64_t)(d->off_approx_s * 1e9);
        if (d->off_ns && d->off_ns + a >= lo - LOG_SLACK_NS && d->off_ns - a <= hi + LOG_SLACK_NS)
            return true;
    }
    return false;
}

/* ---- the row --------------------------------------------------------------------------------- */

static void when_off(const struct pm_ctx *c, const struct pm_dis *d, char *buf, size_t n)
{
    char a[24], b[24];
    if (d->tr_off >= 0)
        snprintf(buf, n, "at %s", pm_fmt_time(d->off_ns, false, a, sizeof(a)));
    else if (d->log_off)
        snprintf(buf, n, "at %s", pm_log_time(c, d->log_off, a, sizeof(a)));
    else if (d->var_off)
        snprintf(buf, n, "between %s and %s",
                 pm_fmt_time(pm_to_capture(c, d->var_off->prev_ts_ns), false, a, sizeof(a)),
                 pm_fmt_time(pm_to_capture(c, d->var_off->ts_ns), false, b, sizeof(b)));
    else
        snprintf(buf, n, "at %s", pm_fmt_time(d->off_ns, false, a, sizeof(a)));
}

static void when_on(const struct pm_ctx *c, const struct pm_dis *d, char *buf, size_t n)
{
    char a[24], b[24];
    if (d->tr_on >= 0)
        snprintf(buf, n, "at %s", pm_fmt_time(d->on_ns, false, a, sizeof(a)));
    else if (d->log_on)
        snprintf(buf, n, "at %s", pm_log_time(c, d->log_on, a, sizeof(a)));
    else if (d->var_on)
        snprintf(buf, n, "between %s and %s",
                 pm_fmt_time(pm_to_capture(c, d->var_on->prev_ts_ns), false, a, sizeof(a)),
                 pm_fmt_time(pm_to_capture(c, d->var_on->ts_ns), false, b, sizeof(b)));
    else
        snprintf(buf, n, "at %s", pm_fmt_time(d->on_ns, false, a, sizeof(a)));
}

static void log_line(const struct pm_ctx *c, const struct ss_el_record *r, const char *what,
                     char *ev, size_t n)
{
    char t[24];
    pm_appendf(ev, n, "; log %s: %s", pm_log_time(c, r, t, sizeof(t)), what);
    if (r->thread_id >= 0)
        pm_appendf(ev, n, " [thread %lld, the session that changed it]",
                   (long long)r->thread_id);
}

static void episode_evidence(const struct pm_ctx *c, const struct pm_dis *d, uint32_t k,
                             char *ev, size_t n)
{
    char t[24], a[24];
    size_t start = strnlen(ev, n);
    pm_appendf(ev, n, "%s#%u ", start ? " | " : "", k);
    if (d->off_ns == 0)
        pm_appendf(ev, n, "disabled when the capture began");
    if (d->tr_off >= 0) {
        const struct pm_tr *tr = &c->tr[d->tr_off];
        pm_appendf(ev, n, "wire: OFF at %s", pm_fmt_time(tr->ts_ns, false, t, sizeof(t)));
        if (tr->approx_s >= 0.0005)
            pm_appendf(ev, n, " (+/-%.3f s)", tr->approx_s);
        pm_appendf(ev, n, ": %s", tr->reason);
    }
    if (d->log_off)
        log_line(c, d->log_off,
                 d->log_off_bare ? "'Semi-sync replication switched OFF' with no timeout line "
                                   "before it (how MariaDB logs a disable)"
                                 : "semisync disabled on the master",
                 ev, n);
    if (d->var_off)
        pm_appendf(ev, n, "; variables: %s ON -> OFF between %s and %s",
                   c->st->series[SS_SV_VAR_ENABLED].spelling,
                   pm_fmt_time(pm_to_capture(c, d->var_off->prev_ts_ns), false, a, sizeof(a)),
                   pm_fmt_time(pm_to_capture(c, d->var_off->ts_ns), false, t, sizeof(t)));
    if (d->tr_on >= 0) {
        const struct pm_tr *tr = &c->tr[d->tr_on];
        pm_appendf(ev, n, "; wire: ON at %s: %s", pm_fmt_time(tr->ts_ns, false, t, sizeof(t)),
                   tr->reason);
    }
    if (d->log_on)
        log_line(c, d->log_on, "semisync enabled on the master", ev, n);
    if (d->var_on)
        pm_appendf(ev, n, "; variables: %s OFF -> ON between %s and %s",
                   c->st->series[SS_SV_VAR_ENABLED].spelling,
                   pm_fmt_time(pm_to_capture(c, d->var_on->prev_ts_ns), false, a, sizeof(a)),
                   pm_fmt_time(pm_to_capture(c, d->var_on->ts_ns), false, t, sizeof(t)));
    if (!d->back_on)
        pm_appendf(ev, n, "; still disabled at the end of the capture (wire state %s)",
                   c->state_end[0] ? c->state_end : "not reported");
}

/* No timeout line in the log near a disable: it was not a timeout. */
static bool log_timeout_near(const struct pm_ctx *c, const struct pm_dis *d)
{
    for (uint32_t i = 0; c->el && d->off_ns && i < c->el->n; i++) {
        const struct ss_el_record *r = &c->el->recs[i];
        int64_t x = pm_to_capture(c, r->ts_ns) - d->off_ns;
        if (r->kind == SS_EL_TIMEOUT && x >= -LOG_SLACK_NS - SEC && x <= LOG_SLACK_NS)
            return true;
    }
    return false;
}

int pm_rule_runtime_disable(struct pm_ctx *c)
{
    find_disables(c);
    if (c->n_dis == 0)
        return SS_OK;
    const char *var = c->names.master_enabled;
    const struct pm_dis *last = &c->dis[c->n_dis - 1];
    bool still = !last->back_on;
    bool off_end = still && !strcasecmp(c->state_end, "off"); /* enabled again, still OFF */
    char cause[700], ev[EVID] = "", rem[REM], w0[64], w1[64], times[24];
    if (c->n_dis == 1) {
        const struct pm_dis *d = &c->dis[0];
        when_off(c, d, w0, sizeof(w0));
        when_on(c, d, w1, sizeof(w1));
        if (d->off_ns == 0)
            snprintf(cause, sizeof(cause), "semisync was disabled (%s=OFF) when the capture "
                                           "began and was enabled at runtime %s",
                     var, w1);
        else if (d->back_on)
            snprintf(cause, sizeof(cause), "semisync was disabled at runtime (%s=OFF) %s and "
                                           "enabled again %s",
                     var, w0, w1);
        else
            snprintf(cause, sizeof(cause), "semisync was disabled at runtime (%s=OFF) %s and "
                                           "is still disabled at the end of the capture",
                     var, w0);
    } else {
        snprintf(cause, sizeof(cause), "semisync was disabled at runtime (%s=OFF) %s", var,
                 pm_times(c->n_dis, times, sizeof(times)));
        for (uint32_t i = 0; i < c->n_dis; i++) {
            when_off(c, &c->dis[i], w0, sizeof(w0));
            when_on(c, &c->dis[i], w1, sizeof(w1));
            if (c->dis[i].off_ns == 0)
                pm_appendf(cause, sizeof(cause), "%s from the capture's start to %s",
                           i ? "," : ":", w1 + (strncmp(w1, "at ", 3) ? 0 : 3));
            else if (c->dis[i].back_on)
                pm_appendf(cause, sizeof(cause), "%s %s, enabled again %s", i ? ";" : ":", w0,
                           w1);
            else
                pm_appendf(cause, sizeof(cause), "%s %s", i ? ";" : ":", w0);
        }
        if (still)
            pm_appendf(cause, sizeof(cause), "; it is still disabled at the end of the capture");
    }
    if (off_end)
        pm_appendf(cause, sizeof(cause), " (enabled again, but still OFF: no replica has caught "
                                         "up)");
    else if (still)
        pm_appendf(cause, sizeof(cause), ": commits no longer wait for any replica");
    pm_appendf(cause, sizeof(cause), "; not a timeout");
    for (uint32_t i = 0; i < c->n_dis; i++)
        episode_evidence(c, &c->dis[i], i + 1, ev, sizeof(ev));
    bool timeout_line = false;
    for (uint32_t i = 0; i < c->n_dis; i++)
        timeout_line = timeout_line || log_timeout_near(c, &c->dis[i]);
    if (c->el && !timeout_line)
        pm_appendf(ev, sizeof(ev), " | no 'Timeout waiting for reply' line in the log around "
                                   "it: no commit timed out");
    if (c->while_disabled > 0)
        pm_appendf(ev, sizeof(ev), " | %lld transaction(s) were committed while it was disabled, "
                                   "without waiting for any replica "
                                   "(semisync.transactions.while_disabled)",
                   (long long)c->while_disabled);
    else if (c->while_disabled == 0)
        pm_appendf(ev, sizeof(ev), " | no transaction was committed while it was disabled");
    rem[0] = '\0';
    if (still && !off_end)
        pm_appendf(rem, sizeof(rem), "turn it back on: on the master SET GLOBAL %s=1. Then ", var);
    pm_appendf(rem, sizeof(rem),
               "%sind who ran SET GLOBAL %s=OFF%s: the master's general or audit log%s, the "
               "DBAs' history; check automation and configuration management (orchestration and "
               "failover tools, configuration runs, maintenance scripts) for a step that turns "
               "it off, and keep %s=ON in the [mysqld] section of the configuration",
               rem[0] ? "f" : "F", var, c->n_dis > 1 || last->back_on ? " (and =ON again)" : "",
               last->log_off || last->log_on ? " (the error log names the session's thread)" : "",
               var);
    if (c->names.both)
        pm_appendf(rem, sizeof(rem), " (MySQL before 8.0.26 or with the old plugin: "
                                     "rpl_semi_sync_master_enabled)");
    if (c->while_disabled > 0)
        pm_appendf(rem, sizeof(rem), ". While it was disabled commits did not wait for any "
                                     "replica: the %lld transaction(s) committed then were not "
                                     "protected; before any failover, check that they reached "
                                     "the replica you promote",
                   (long long)c->while_disabled);
    else
        pm_appendf(rem, sizeof(rem), ". While it is disabled commits do not wait for any "
                                     "replica: they are not protected");
    return pm_add_diag(c, still ? "critical" : "warning", cause, ev, rem);
}
