/* SPDX-License-Identifier: MIT */
/* csv_out.c: `--csv FILE`. Rows go interval by interval, and within one interval master by master
 * and replica by replica in the report's order, so a spreadsheet can pivot on any column. The
 * analysis stores only intervals with activity; the rows in between are written with zero counts
 * (and empty latencies), so that every replica has one row per interval of the span, unless the
 * span is too long for a spreadsheet (CSV_MAX_GRID intervals): then only active intervals. */
#include "csv_out.h"

#include <inttypes.h>
#include <stdlib.h>
#include <time.h>

#include "semiscope/packet.h"

#define CSV_MAX_GRID UINT64_C(1000000)

struct cursor {
    const struct ss_an_master *m;
    const struct ss_an_replica *r;
    size_t at;
};

static void ms(FILE *out, uint64_t ns, bool have)
{
    if (have)
        fprintf(out, ",%" PRIu64 ".%03" PRIu64, ns / 1000000, ns / 1000 % 1000);
    else
        fputs(",", out);
}

static void row(FILE *out, const struct cursor *c, uint64_t k, uint64_t iv_ns,
                const struct ss_interval *iv)
{
    uint64_t start = k * iv_ns;
    time_t secs = (time_t)(start / SS_NS_PER_SEC);
    struct tm tm;
    char day[32], master[SS_ENDPOINT_STRLEN], replica[SS_ENDPOINT_STRLEN];
    gmtime_r(&secs, &tm);
    strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
    ss_endpoint_str(&c->m->endpoint, master, sizeof master);
    ss_addr_str(&c->r->addr, replica, sizeof replica);
    fprintf(out, "%s.%03uZ,%" PRIu64 ".%03u,%" PRIu64 ".%03" PRIu64 ",%s,%s,", day,
            (unsigned)(start % SS_NS_PER_SEC / 1000000), start / SS_NS_PER_SEC,
            (unsigned)(start % SS_NS_PER_SEC / 1000000), iv_ns / SS_NS_PER_SEC,
            iv_ns % SS_NS_PER_SEC / 1000000, master, replica);
    if (c->r->server_id >= 0)
        fprintf(out, "%" PRId64, c->r->server_id);
    fprintf(out, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64, iv ? iv->requests : 0, iv ? iv->acks : 0,
            iv ? iv->samples : 0);
    bool have = iv && iv->samples > 0;
    ms(out, have ? iv->p50_ns : 0, have);
    ms(out, have ? iv->p99_ns : 0, have);
    ms(out, have ? iv->max_ns : 0, have);
    fputc('\n', out);
}

int csv_write(FILE *out, const struct ss_analysis *a)
{
    fputs("interval_start,interval_start_unix,interval_s,master,replica,server_id,requests,acks,"
          "samples,latency_p50_ms,latency_p99_ms,latency_max_ms\n",
          out);
    const struct ss_an_master *const *ms_;
    size_t nm = ss_analysis_masters(a, &ms_), nc = 0;
    for (size_t i = 0; i < nm; i++)
        nc += ms_[i]->nreplicas;
    struct cursor *cur = nc ? calloc(nc, sizeof *cur) : NULL;
    if (nc && !cur)
        return -1;
    uint64_t lo = UINT64_MAX, hi = 0;
    size_t n = 0;
    for (size_t i = 0; i < nm; i++)
        for (size_t j = 0; j < ms_[i]->nreplicas; j++) {
            const struct ss_an_replica *r = ms_[i]->replicas[j];
            cur[n++] = (struct cursor){ms_[i], r, 0};
            if (r->ntimeline && r->timeline[0].index < lo)
                lo = r->timeline[0].index;
            if (r->ntimeline && r->timeline[r->ntimeline - 1].index > hi)
                hi = r->timeline[r->ntimeline - 1].index;
        }
    uint64_t iv_ns = ss_analysis_totals(a)->interval_ns;
    bool grid = lo <= hi && hi - lo < CSV_MAX_GRID;
    for (uint64_t k = lo; lo <= hi && k <= hi; k++) {
        uint64_t next = UINT64_MAX;
        for (size_t i = 0; i < n; i++) {
            struct cursor *c = &cur[i];
            const struct ss_interval *iv =
                c->at < c->r->ntimeline && c->r->timeline[c->at].index == k ? &c->r->timeline[c->at]
                                                                            : NULL;
            if (iv || grid)
                row(out, c, k, iv_ns, iv);
            if (iv)
                c->at++;
            if (c->at < c->r->ntimeline && c->r->timeline[c->at].index < next)
                next = c->r->timeline[c->at].index;
        }
        if (!grid) {
            if (next == UINT64_MAX)
                break;
            k = next - 1; /* the loop's k++ lands on the next active interval */
        }
    }
    free(cur);
    return ferror(out) ? -1 : 0;
}
