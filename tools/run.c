/* SPDX-License-Identifier: MIT */
/* run.c: opening inputs and outputs in tcpdump's order (device → filter → drop privileges →
 * outputs), feeding the -w dumper, and writing the final report. */
#include "run.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pm_inputs.h"
#include "report_out.h"
#include "semiscope/privdrop.h"

static char *default_live_filter(const struct cli_opts *o)
{
    /* "tcp port 3306 or tcp port 3307": only the hinted ports live, to keep the kernel's copy
     * cost down on a busy master; offline there is no default filter (ports are hints). */
    size_t cap = 32 + o->nports * 24;
    char *f = calloc(1, cap);
    if (!f)
        return NULL;
    for (size_t i = 0; i < o->nports; i++) {
        size_t len = strlen(f);
        snprintf(f + len, cap - len, "%stcp port %u", i ? " or " : "", (unsigned)o->ports[i]);
    }
    return f;
}

static enum ss_exit open_capture(struct run *r, const struct cli_opts *o)
{
    char errbuf[SS_ERRBUF_SIZE] = "";
    enum ss_status st = SS_OK;
    if (o->iface) {
        r->live_filter = o->filter ? NULL : default_live_filter(o);
        struct ss_live_opts lo = {
            .iface = o->iface, .snaplen = o->snaplen, .buffer_kib = o->buffer_kib,
            .immediate = true, .bpf = o->filter ? o->filter : r->live_filter,
            .no_promisc = o->no_promisc,
        };
        r->cap = ss_capture_open_live(&lo, &st, errbuf);
    } else {
        r->cap = ss_capture_open_files(o->files, o->nfiles, o->filter, &st, errbuf);
    }
    if (!r->cap) {
        fprintf(stderr, "semiscope: %s\n", errbuf[0] ? errbuf : ss_status_str(st));
        return ss_status_exit_code(st);
    }
    return SS_EXIT_OK;
}

static enum ss_exit open_outputs(struct run *r, const struct cli_opts *o)
{
    r->out = o->mode != CLI_MODE_REPORT || cli_report_to_stdout(o) ? stdout : NULL;
    if (o->report_file) {
        r->out = fopen(o->report_file, "w");
        if (!r->out) {
            fprintf(stderr, "semiscope: %s: %s\n", o->report_file, strerror(errno));
            return SS_EXIT_OUTPUT;
        }
        r->out_is_file = true;
    }
    if (o->write_file) {
        /* The dump file takes the handle's precision: nanoseconds, or microseconds where the
         * interface could not give nanoseconds; tv_usec must hold the matching unit. */
        r->dump_ts_div =
            pcap_get_tstamp_precision(ss_capture_pcap(r->cap)) == PCAP_TSTAMP_PRECISION_NANO
                ? 1
                : 1000;
        r->dumper = pcap_dump_open(ss_capture_pcap(r->cap), o->write_file);
        if (!r->dumper) {
            /* libpcap's message names the file already ("x.pcap: Permission denied") */
            fprintf(stderr, "semiscope: -w %s\n", pcap_geterr(ss_capture_pcap(r->cap)));
            return SS_EXIT_OUTPUT;
        }
    }
    return SS_EXIT_OK;
}

/* Undo a partly done run_open: everything it may have opened, in reverse order. */
static enum ss_exit run_abort(struct run *r, enum ss_exit ex)
{
    if (r->dumper)
        pcap_dump_close(r->dumper);
    pm_inputs_free(r->pm);
    if (r->out_is_file)
        fclose(r->out);
    ss_capture_close(r->cap);
    free(r->live_filter);
    memset(r, 0, sizeof(*r));
    return ex;
}

enum ss_exit run_open(struct run *r, const struct cli_opts *o)
{
    memset(r, 0, sizeof(*r));
    r->o = o;
    enum ss_exit ex = open_capture(r, o);
    if (ex != SS_EXIT_OK)
        return run_abort(r, ex);
    if (o->iface) {
        char errbuf[SS_ERRBUF_SIZE] = "";
        if (o->user) {
            if (ss_privdrop(o->user, errbuf) != 0) {
                fprintf(stderr, "semiscope: -Z %s: %s\n", o->user, errbuf);
                return run_abort(r, SS_EXIT_LIVE);
            }
        } else if (geteuid() == 0) {
            fputs("semiscope: warning: running as root; consider -Z USER\n", stderr);
        }
    }
    ex = open_outputs(r, o);
    if (ex == SS_EXIT_OK)
        ex = pm_inputs_open(&r->pm, o);
    if (ex != SS_EXIT_OK)
        return run_abort(r, ex);
    if (r->pm)
        ss_capture_set_idle(r->cap, pm_inputs_idle, r->pm);
    struct ss_semi_params sp;
    pm_inputs_params(r->pm, o, &sp);
    if (pipeline_init(&r->pipe, o, &sp, r->out) != 0) {
        fputs("semiscope: out of memory\n", stderr);
        pipeline_free(&r->pipe);
        return run_abort(r, SS_EXIT_INTERNAL);
    }
    pipeline_params_from(&r->pipe, pm_inputs_samples(r->pm));
    return SS_EXIT_OK;
}

bool run_reader_gone(FILE *f)
{
    int fd = f ? fileno(f) : -1;
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
        return false;
    /* A pipe without a reader polls POLLERR on its write end; a socket shut down, POLLHUP. */
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP)) != 0;
}

bool run_after_frame(struct run *r, const struct ss_frame *fr)
{
    if (r->dumper) {
        struct pcap_pkthdr h;
        /* The live handle delivers ns stamps; the dump file is a ns-precision pcap too. */
        h.ts.tv_sec = (time_t)(fr->ts_ns / SS_NS_PER_SEC);
        h.ts.tv_usec = (suseconds_t)(fr->ts_ns % SS_NS_PER_SEC / r->dump_ts_div);
        h.caplen = fr->caplen;
        h.len = fr->wirelen;
        pcap_dump((u_char *)r->dumper, &h, fr->data);
    }
    if (r->pm)
        pm_inputs_poll(r->pm);
    return r->o->mode != CLI_MODE_REPORT && ferror(r->out);
}

/* Files libpcap could not read to their end (a damaged record header, a last record cut short,
 * a pcapng block it refuses): one warning line each on stderr, the report says so, and the exit
 * code is 3. Only failures the analysis reached count: the reader runs ahead of it, and -c N or a
 * signal may stop the analysis before a failure further on. */
static void read_errors(struct run *r)
{
    size_t n = 0;
    const struct ss_capture_read_error *e = ss_capture_read_errors(r->cap, &n);
    struct ss_capture_stats cs;
    ss_capture_stats(r->cap, &cs);
    uint64_t consumed = cs.frames + cs.filtered; /* the number of the last frame analysed */
    size_t reached = 0;
    while (reached < n && (r->ended || e[reached].numbered < consumed))
        reached++;
    for (size_t i = 0; i < reached; i++) {
        const char *name = strcmp(e[i].file, "-") ? e[i].file : "standard input";
        char where[96] = "byte offset unknown";
        if (e[i].offset >= 0 && e[i].frame > 1)
            snprintf(where, sizeof where, "at or after byte %" PRId64 ", where frame %" PRIu64
                     " ends", e[i].offset, e[i].frame - 1);
        else if (e[i].offset >= 0)
            snprintf(where, sizeof where,
                     "at or after byte %" PRId64 ", where the file header ends", e[i].offset);
        fprintf(stderr,
                "semiscope: warning: %s: not read to its end: frame %" PRIu64
                " could not be read (%s): %s; the report covers ",
                name, e[i].frame, where, e[i].message);
        if (e[i].frame > 1)
            fprintf(stderr, "its first %" PRIu64 " frame%s\n", e[i].frame - 1,
                    e[i].frame == 2 ? "" : "s");
        else
            fputs("nothing of it\n", stderr);
    }
    r->read_errs = reached ? e : NULL;
    r->n_read_errs = reached;
    if (reached)
        r->read_error = true;
}

enum ss_exit run_finish(struct run *r)
{
    read_errors(r);
    if (r->pm) /* live: the samples polled up to the last packet reach the state machine too */
        pm_inputs_poll(r->pm);
    pipeline_finish(&r->pipe);
    enum ss_exit ex = SS_EXIT_OK;
    if (r->dumper) {
        if (pcap_dump_flush(r->dumper) != 0) {
            fprintf(stderr, "semiscope: -w %s: write failed\n", r->o->write_file);
            ex = SS_EXIT_OUTPUT;
        }
        pcap_dump_close(r->dumper);
    }
    if (r->pm)
        pm_inputs_stop(r->pm);
    if (r->o->mode == CLI_MODE_REPORT && report_write(r) != 0)
        ex = SS_EXIT_OUTPUT;
    bool write_failed = r->out_error || r->pipe.out_error;
    if (r->out && (fflush(r->out) != 0 || ferror(r->out)))
        write_failed = true;
    if (r->out_is_file && fclose(r->out) != 0)
        write_failed = true;
    if (write_failed && !r->out_is_file && run_reader_gone(r->out))
        write_failed = false; /* `| head` has read all it wanted: tcpdump's behaviour */
    if (write_failed)
        fprintf(stderr, "semiscope: could not write the %s%s%s\n",
                r->o->mode == CLI_MODE_REPORT ? "report" : "output",
                r->o->report_file ? " to " : "", r->o->report_file ? r->o->report_file : "");
    if (write_failed)
        ex = SS_EXIT_OUTPUT;
    if (ex == SS_EXIT_OK && r->read_error)
        ex = SS_EXIT_INPUT;
    pipeline_free(&r->pipe);
    pm_inputs_free(r->pm);
    ss_capture_close(r->cap);
    free(r->live_filter);
    return ex;
}
