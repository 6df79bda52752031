/* SPDX-License-Identifier: MIT */
/* print_flows.c: `--flows` output — one line per TCP connection, printed when it ends, so memory
 * does not grow with the number of flows and the order is the (deterministic) order of ends. */
#include "print_flows.h"

#include <time.h>

#include "semiscope/packet.h"

char *print_ts(uint64_t ts_ns, char *buf, size_t bufsz)
{
    time_t secs = (time_t)(ts_ns / SS_NS_PER_SEC);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char day[32];
    strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, bufsz, "%s.%06uZ", day, (unsigned)(ts_ns % SS_NS_PER_SEC / 1000));
    return buf;
}

static const char *end_name(enum ss_end_reason why)
{
    switch (why) {
    case SS_END_FIN: return "fin";
    case SS_END_RST: return "rst";
    case SS_END_IDLE: return "idle";
    case SS_END_CAPTURE: return "open";
    case SS_END_EVICTED: return "evicted";
    }
    return "?";
}

static const char *side_name(enum ss_side_source s)
{
    switch (s) {
    case SS_SIDE_SYN: return "syn";
    case SS_SIDE_PORT: return "port";
    case SS_SIDE_GUESS: return "guess";
    }
    return "?";
}

void print_flow_header(FILE *out)
{
    fputs("# id client > server side first_time last_time | c2s: pkts bytes retrans gaps "
          "gap_bytes | s2c: pkts bytes retrans gaps gap_bytes | end\n",
          out);
}

void print_flow_line(FILE *out, const struct ss_flow *f, enum ss_end_reason why, enum ss_dir by)
{
    char c[SS_ENDPOINT_STRLEN], s[SS_ENDPOINT_STRLEN], t0[40], t1[40];
    const struct ss_dir_stats *a = &f->dir[SS_C2S], *b = &f->dir[SS_S2C];
    fprintf(out,
            "%llu %s > %s %s%s %s %s | c2s: %llu %llu %llu %llu %llu | s2c: %llu %llu %llu %llu "
            "%llu | %s",
            (unsigned long long)f->id, ss_endpoint_str(&f->client, c, sizeof(c)),
            ss_endpoint_str(&f->server, s, sizeof(s)), side_name(f->side_source),
            f->midstream ? ",midstream" : "", print_ts(f->first_ts_ns, t0, sizeof(t0)),
            print_ts(f->last_ts_ns, t1, sizeof(t1)), (unsigned long long)a->packets,
            (unsigned long long)a->bytes, (unsigned long long)a->retrans,
            (unsigned long long)a->gaps, (unsigned long long)a->gap_bytes,
            (unsigned long long)b->packets, (unsigned long long)b->bytes,
            (unsigned long long)b->retrans, (unsigned long long)b->gaps,
            (unsigned long long)b->gap_bytes, end_name(why));
    if (why == SS_END_FIN || why == SS_END_RST)
        fprintf(out, " by %s", by == SS_C2S ? "client" : "server");
    fputc('\n', out);
}

void print_flow_gap(FILE *out, const struct ss_flow *f, enum ss_dir dir, uint64_t stream_off,
                    uint64_t len, uint64_t ts_ns, uint64_t frame)
{
    char t[40];
    fprintf(out, "%llu gap %s offset %llu length %llu (declared at frame %llu, %s)\n",
            (unsigned long long)f->id, dir == SS_C2S ? "c2s" : "s2c",
            (unsigned long long)stream_off, (unsigned long long)len, (unsigned long long)frame,
            print_ts(ts_ns, t, sizeof(t)));
}
