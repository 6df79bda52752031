/* SPDX-License-Identifier: MIT */
/* pm_contradict.c: the server's own samples against what the wire inferred (issue 10). The wire
 * reconstructs the master's semisync state and some of its parameters; the server's status and
 * variables samples are its own word. When they disagree, the samples win, and the report says
 * so: a wire OFF span during which every Rpl_semi_sync_master_status sample says ON (allowing
 * PM_SAMPLE_SLACK_S of sampling slack at each edge, plus the transition's own uncertainty) is not
 * taken as an OFF episode; a wire "disabled" while the samples say ON is not taken as disabled;
 * a parameter inferred from the wire (source "wire") that the variables contradict takes the
 * variables' value. docs/postmortem.md "The samples win". */
#include <string.h>
#include <strings.h>

#include "pm_priv.h"
#include "semiscope/status.h"

#define SLACK_NS ((int64_t)(PM_SAMPLE_SLACK_S * 1e9))

/* Whether the server has at least one status sample in [x, y] (server clock) and every one of
 * them says ON. */
static bool on_throughout(const struct ss_status_samples *st, int64_t x, int64_t y)
{
    int64_t v, ts;
    if (x > y || !ss_status_samples_first_after(st, SS_SV_STATUS, x, &v, &ts) || ts > y || !v)
        return false;
    const struct ss_sv_series *se = &st->series[SS_SV_STATUS];
    for (uint32_t k = 0; k < se->n_points; k++)
        if (se->points[k].ts_ns > x && se->points[k].ts_ns <= y && se->points[k].value == 0)
            return false;
    /* change points beyond the cap were not kept: only the exact last sample can still tell */
    return !(se->dropped_points > 0 && se->last.ts_ns >= x && se->last.ts_ns <= y &&
             se->last.value == 0);
}

static void mark_off_transitions(struct pm_ctx *c)
{
    for (uint32_t i = 0; i < c->n_tr; i++) {
        struct pm_tr *t = &c->tr[i];
        if (t->to_on)
            continue;
        int64_t back = c->w1, edge = 0;
        for (uint32_t j = i + 1; j < c->n_tr; j++)
            if (c->tr[j].to_on) {
                back = c->tr[j].ts_ns;
                edge = SLACK_NS; /* a second edge, with the same slack */
                break;
            }
        int64_t x = pm_to_server(c, t->ts_ns) + SLACK_NS + (int64_t)(t->approx_s * 1e9);
        int64_t y = pm_to_server(c, back) - edge;
        if (!on_throughout(c->st, x, y))
            continue;
        t->contradicted = true;
        t->on_from = x;
        t->on_to = y;
        c->n_contradicted++;
    }
}

/* The wire's "disabled" against the samples: status ON throughout the window (and the slack),
 * or rpl_semi_sync_master_enabled=ON at both edges with no OFF in between. */
static void mark_disabled(struct pm_ctx *c)
{
    if (strcasecmp(c->state_start, "disabled") && strcasecmp(c->state_end, "disabled"))
        return;
    int64_t s0 = pm_to_server(c, c->w0), s1 = pm_to_server(c, c->w1);
    char a[24], b[24];
    /* the wire says disabled over the whole capture, which may be shorter than the sampling
     * interval: the samples within the slack around it count (disabled then enabled again in
     * between would take two SET GLOBALs within that time) */
    if (on_throughout(c->st, s0 - SLACK_NS, s1 + SLACK_NS)) {
        c->disabled_contradicted = true;
        snprintf(c->disabled_samples, sizeof(c->disabled_samples),
                 "every %sstatus sample from %s to %s (the capture and %.0f s around it) says ON",
                 c->names.st_master, pm_fmt_time(c->w0 - SLACK_NS, false, a, sizeof(a)),
                 pm_fmt_time(c->w1 + SLACK_NS, false, b, sizeof(b)), PM_SAMPLE_SLACK_S);
        return;
    }
    struct ss_sv_span sp;
    if (!ss_status_samples_span(c->st, SS_SV_VAR_ENABLED, s0, s1, &sp) || !sp.from_value ||
        !sp.to_value)
        return;
    const struct ss_sv_series *se = &c->st->series[SS_SV_VAR_ENABLED];
    for (uint32_t k = 0; k < se->n_points; k++)
        if (se->points[k].ts_ns >= sp.from_ts && se->points[k].ts_ns <= sp.to_ts &&
            se->points[k].value == 0)
            return;
    c->disabled_contradicted = true;
    snprintf(c->disabled_samples, sizeof(c->disabled_samples), "%s=ON throughout the capture",
             se->spelling);
}

/* A parameter inferred from the wire that the variables in force at the window's end (the
 * sample nearest it) contradict: the variables' value is used, and said. */
static void fix_param(struct pm_ctx *c, const char *src, enum ss_sv_id id, int64_t *val,
                      const char *unit)
{
    if (!src || strcmp(src, "wire") != 0)
        return;
    struct ss_semi_params p;
    ss_semi_params_defaults(&p);
    p.src_timeout = p.src_wait_count = p.src_enabled = SS_PARAM_DEFAULT;
    ss_status_samples_params_at(c->st, pm_to_server(c, c->w1), &p);
    int64_t fv = id == SS_SV_VAR_TIMEOUT      ? (p.src_timeout == SS_PARAM_FILE ? p.timeout_ms : -1)
                 : id == SS_SV_VAR_WAIT_COUNT ? (p.src_wait_count == SS_PARAM_FILE ? p.wait_count
                                                                                  : -1)
                 : (p.src_enabled == SS_PARAM_FILE ? p.enabled : -1);
    if (fv < 0 || fv == *val)
        return;
    const char *name = c->st->series[id].spelling;
    if (id == SS_SV_VAR_ENABLED)
        pm_appendf(c->param_fixes, sizeof(c->param_fixes),
                   "%sthe wire inferred %s=%s, the server's variables say %s: the file value wins",
                   c->param_fixes[0] ? "; " : "", name, *val ? "ON" : "OFF", fv ? "ON" : "OFF");
    else
        pm_appendf(c->param_fixes, sizeof(c->param_fixes),
                   "%sthe wire inferred %s=%lld%s, the server's variables say %lld%s: the file "
                   "value wins",
                   c->param_fixes[0] ? "; " : "", name, (long long)*val, unit, (long long)fv,
                   unit);
    *val = fv;
}

void pm_samples_vs_wire(struct pm_ctx *c)
{
    if (!c->st)
        return;
    if (ss_status_samples_has(c->st, SS_SV_STATUS)) {
        mark_off_transitions(c);
        mark_disabled(c);
    }
    int64_t was = c->timeout_ms;
    fix_param(c, c->timeout_src, SS_SV_VAR_TIMEOUT, &c->timeout_ms, " ms");
    if (c->timeout_ms != was)
        c->timeout_src = "file";
    was = c->wait_count;
    fix_param(c, c->wait_count_src, SS_SV_VAR_WAIT_COUNT, &c->wait_count, "");
    if (c->wait_count != was)
        c->wait_count_src = "file";
    int64_t en = c->enabled;
    if (en >= 0) {
        fix_param(c, c->enabled_src, SS_SV_VAR_ENABLED, &en, "");
        if (en != c->enabled) {
            c->enabled = (int)en;
            c->enabled_src = "file";
        }
    }
}

bool pm_wire_disabled(const struct pm_ctx *c)
{
    return (!strcasecmp(c->state_start, "disabled") || !strcasecmp(c->state_end, "disabled")) &&
           !c->disabled_contradicted;
}

void pm_contradiction_text(const struct pm_ctx *c, char *v, size_t n)
{
    char a[24], b[24], d[24];
    for (uint32_t i = 0; i < c->n_tr; i++) {
        const struct pm_tr *t = &c->tr[i];
        if (!t->contradicted)
            continue;
        pm_appendf(v, n, "; the wire inferred OFF at %s, the server's samples show ON throughout "
                         "(every %sstatus sample from %s to %s): the samples win",
                   pm_fmt_time(t->ts_ns, false, a, sizeof(a)), c->names.st_master,
                   pm_fmt_time(pm_to_capture(c, t->on_from), false, b, sizeof(b)),
                   pm_fmt_time(pm_to_capture(c, t->on_to), false, d, sizeof(d)));
    }
    if (c->disabled_contradicted)
        pm_appendf(v, n, "; the wire inferred semisync disabled, the server's samples say "
                         "otherwise (%s): the samples win",
                   c->disabled_samples);
}

int pm_rule_contradictions(struct pm_ctx *c)
{
    if (!c->n_contradicted && !c->disabled_contradicted && !c->param_fixes[0])
        return SS_OK;
    char cause[600] = "", ev[2000] = "", t[24];
    if (c->n_contradicted || c->disabled_contradicted)
        snprintf(cause, sizeof(cause), "the server's own samples contradict the wire's %s: the "
                                       "samples win, semisync was %s",
                 c->n_contradicted ? "inferred OFF" : "inferred disabled state",
                 c->n_contradicted ? "ON" : "enabled");
    else
        snprintf(cause, sizeof(cause), "the server's variables contradict parameters inferred "
                                       "from the wire: the file values win");
    pm_contradiction_text(c, ev, sizeof(ev));
    for (uint32_t i = 0; i < c->n_tr; i++)
        if (c->tr[i].contradicted && c->tr[i].reason[0]) {
            pm_appendf(ev, sizeof(ev), "; the wire's reason for the OFF at %s: %s",
                       pm_fmt_time(c->tr[i].ts_ns, false, t, sizeof(t)), c->tr[i].reason);
            break;
        }
    if (c->param_fixes[0])
        pm_appendf(ev, sizeof(ev), "; %s", c->param_fixes);
    /* drop the leading "; " */
    const char *evs = ev[0] == ';' ? ev + 2 : ev;
    return pm_add_diag(c, "info", cause, evs,
                       "nothing to fix on the master for this; the wire's inference was wrong, "
                       "most often because packets are missing from the capture (kernel drops, "
                       "a link or replica not captured, acks on another interface): check the "
                       "capture's drops and that every replica's traffic is in it");
}
