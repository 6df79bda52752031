/* SPDX-License-Identifier: MIT */
/* pm_verdict.c: the verdict as a whole, beyond the single rules (issue 15): commits that went
 * unprotected or an OFF state that no other row tells, capture loss that may distort the verdict,
 * whether the closing "after the fix, verify" applies, and whether the server's files confirm or
 * correct what the wire alone concluded (`diagnosis_basis`). */
#include <stdlib.h>
#include <string.h>

#include "pm_priv.h"
#include "semiscope/status.h"

#define EVID 1200
#define REM 900

static bool is_alarm(const json_t *d)
{
    const char *s = pm_jstr(d, "severity", "");
    return !strcmp(s, "critical") || !strcmp(s, "warning");
}

/* An alarm row of one of these rules is already there. */
static bool told_by(const struct pm_ctx *c, const char *const *rules, size_t n)
{
    size_t i;
    json_t *d;
    json_array_foreach(c->diagnosis, i, d)
    {
        if (!is_alarm(d))
            continue;
        for (size_t k = 0; k < n; k++)
            if (!strcmp(pm_jstr(d, "rule", ""), rules[k]))
                return true;
    }
    return false;
}

/* "2 timed_out, 10 committed_while_off" from the master's list (complete or not). */
static void why_counts(const struct pm_ctx *c, char *buf, size_t n)
{
    const char *names[8];
    int64_t counts[8];
    size_t nn = 0, i;
    json_t *u;
    json_array_foreach(json_object_get(json_object_get(c->m, "unprotected_transactions"), "list"),
                       i, u)
    {
        const char *w = pm_jstr(u, "why", "unknown");
        size_t k = 0;
        while (k < nn && strcmp(names[k], w))
            k++;
        if (k == nn) {
            if (nn == SS_ARRAY_LEN(names))
                continue;
            names[nn] = w;
            counts[nn++] = 0;
        }
        counts[k]++;
    }
    buf[0] = '\0';
    for (size_t k = 0; k < nn; k++)
        pm_appendf(buf, n, "%s%lld %s", k ? ", " : "", (long long)counts[k], names[k]);
}

int pm_rule_unprotected(struct pm_ctx *c)
{
    static const char *const covering[] = {"switched_off", "disabled_at_runtime",
                                           "master_disabled", "restart"};
    /* the server's samples contradict the wire's OFF or disabled state: that row tells it */
    if (told_by(c, covering, SS_ARRAY_LEN(covering)) || c->n_contradicted ||
        c->disabled_contradicted)
        return SS_OK;
    bool off_end = !strcmp(c->state_end, "off"), off_start = !strcmp(c->state_start, "off");
    if (c->unprotected <= 0 && !off_end && !off_start)
        return SS_OK;
    char cause[300], ev[EVID] = "", rem[REM], by[200];
    if (off_start || off_end)
        snprintf(cause, sizeof(cause), "semisync was OFF %s%s", off_start ? "when the capture began" : "",
                 off_end ? off_start ? " and still OFF at its end" : "at the end of the capture" : "");
    else
        snprintf(cause, sizeof(cause), "%lld commit(s) returned without a replica's ack",
                 (long long)c->unprotected);
    pm_appendf(ev, sizeof(ev), "wire: semisync %s at the capture's start, %s at its end",
               c->state_start[0] ? c->state_start : "unknown",
               c->state_end[0] ? c->state_end : "unknown");
    if (c->unprotected > 0) {
        why_counts(c, by, sizeof(by));
        pm_appendf(ev, sizeof(ev), " | %lld transaction(s) committed without a replica's ack%s%s%s",
                   (long long)c->unprotected, by[0] ? " (" : "", by, by[0] ? ")" : "");
    }
    pm_off_remedy(c, 0, true, rem, sizeof(rem));
    return pm_add_diag(c, off_end ? "critical" : "warning", cause, ev, rem);
}

int pm_rule_capture_loss(struct pm_ctx *c)
{
    const struct ss_postmortem_cfg *g = c->cfg;
    if (!g->capture_gaps && !g->capture_drops && !g->capture_files_unread)
        return SS_OK;
    char ev[EVID] = "";
    if (g->capture_gaps)
        pm_appendf(ev, sizeof(ev), "%llu hole(s) in the reassembled TCP streams (%llu bytes never "
                   "captured)", (unsigned long long)g->capture_gaps,
                   (unsigned long long)g->capture_gap_bytes);
    if (g->capture_drops)
        pm_appendf(ev, sizeof(ev), "%s%llu packet(s) dropped by the kernel or the interface",
                   ev[0] ? " | " : "", (unsigned long long)g->capture_drops);
    if (g->capture_files_unread)
        pm_appendf(ev, sizeof(ev), "%s%llu input file(s) not read to their end",
                   ev[0] ? " | " : "", (unsigned long long)g->capture_files_unread);
    return pm_add_diag(c, "info",
                       "the capture lost data, which may distort this verdict: an ack, an event or "
                       "a connection's end that was not captured can look like a slow or silent "
                       "replica, an OFF switch or an unprotected commit",
                       ev,
                       "capture again on the master's host with a larger buffer (-B) and the full "
                       "snaplen (-s 0), filtered to the MySQL port; the server's own records "
                       "(--status, --error-log) settle what the wire cannot");
}

bool pm_after_fix_applies(const struct pm_ctx *c)
{
    /* episodes that ended by themselves before the capture's end: the remedy is to find out why,
     * there is nothing to verify on the servers afterwards */
    static const char *const over[] = {"switched_off", "disabled_at_runtime", "reconnected"};
    size_t i;
    json_t *d;
    json_array_foreach(c->diagnosis, i, d)
    {
        if (!is_alarm(d))
            continue;
        if (!strcmp(pm_jstr(d, "severity", ""), "critical"))
            return true;
        bool ended = false;
        for (size_t k = 0; k < SS_ARRAY_LEN(over); k++)
            ended = ended || !strcmp(pm_jstr(d, "rule", ""), over[k]);
        if (!ended)
            return true;
    }
    return false;
}

/* One alarm row as compared between the two verdicts: severity, rule and the cause's first clause
 * (up to its first ": "), so a switch OFF told as a timeout by one and not by the other differs. */
struct vkey {
    char key[64];   /* "warning switched_off" */
    char head[200]; /* "semisync switched OFF twice after commits waited the full 1500 ms timeout" */
};

static int vkey_cmp(const void *pa, const void *pb)
{
    const struct vkey *a = pa, *b = pb;
    int d = strcmp(a->key, b->key);
    return d ? d : strcmp(a->head, b->head);
}

static size_t alarm_keys(const json_t *diag, struct vkey *k, size_t max)
{
    size_t n = 0, i;
    json_t *d;
    json_array_foreach(diag, i, d)
    {
        if (!is_alarm(d) || n == max)
            continue;
        snprintf(k[n].key, sizeof(k[n].key), "%s %s", pm_jstr(d, "severity", ""),
                 pm_jstr(d, "rule", ""));
        const char *cause = pm_jstr(d, "cause", "");
        const char *colon = strstr(cause, ": ");
        size_t len = colon ? (size_t)(colon - cause) : strlen(cause);
        if (len >= sizeof(k[n].head))
            len = sizeof(k[n].head) - 1;
        memcpy(k[n].head, cause, len);
        k[n].head[len] = '\0';
        n++;
    }
    qsort(k, n, sizeof(*k), vkey_cmp);
    return n;
}

/* "CRITICAL master disabled, WARNING slow replica" (rules), or with each cause's first clause
 * ("WARNING semisync switched OFF twice after …"); "no problem found" when none. */
static void describe(const struct vkey *k, size_t n, bool heads, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        char w[64];
        snprintf(w, sizeof(w), "%s", k[i].key);
        char *sp = strchr(w, ' ');
        for (char *p = w; *p && p != sp; p++)
            *p = (char)(*p - 'a' + 'A');
        for (char *p = sp; p && *p; p++)
            if (*p == '_')
                *p = ' ';
        if (heads && sp)
            *sp = '\0';
        pm_appendf(buf, size, "%s%s%s%s", i ? "; " : "", w, heads ? " " : "",
                   heads ? k[i].head : "");
    }
    if (!n)
        snprintf(buf, size, "no problem found");
}

json_t *pm_basis_json(const struct pm_ctx *c, const json_t *wire_diag, bool status, bool errlog)
{
    json_t *o = json_object(), *src = json_array();
    if (!o || !src) {
        json_decref(o);
        json_decref(src);
        return NULL;
    }
    json_array_append_new(src, json_string("wire"));
    if (status)
        json_array_append_new(src, json_string("status_samples"));
    if (errlog)
        json_array_append_new(src, json_string("error_log"));
    json_object_set_new(o, "sources", src);
    char note[1600];
    if (!status && !errlog) {
        json_object_set_new(o, "wire_verdict", json_null());
        snprintf(note, sizeof(note), "from the wire alone: the master's status samples "
                                     "(--status) and error log (--error-log) would confirm or "
                                     "correct it");
    } else {
        struct vkey a[12], b[12];
        char wa[700], fb[700];
        size_t na = alarm_keys(wire_diag, a, 12), nb = alarm_keys(c->diagnosis, b, 12);
        bool same = na == nb;
        for (size_t i = 0; same && i < na; i++)
            same = !vkey_cmp(&a[i], &b[i]);
        describe(a, na, !same, wa, sizeof(wa));
        describe(b, nb, !same, fb, sizeof(fb));
        json_object_set_new(o, "wire_verdict", json_string(same ? "confirmed" : "corrected"));
        if (same)
            snprintf(note, sizeof(note), "the server's %s confirm%s the wire's verdict (%s)",
                     status && errlog ? "status samples and error log" : status ? "status samples"
                                                                                 : "error log",
                     status ? "" : "s", wa);
        else
            snprintf(note, sizeof(note), "the server's %s correct%s the wire's verdict: from the "
                                         "wire alone %s; with them %s",
                     status && errlog ? "status samples and error log" : status ? "status samples"
                                                                                 : "error log",
                     status ? "" : "s", wa, fb);
    }
    json_object_set_new(o, "note", json_string(note));
    return o;
}
