/* SPDX-License-Identifier: MIT */
/* main.c: entry point — parse options, open the capture, drop privileges, run the pipeline, write
 * the report, map the outcome to the documented exit code. The only mutable static state of the
 * program lives here: what the signal handler needs. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "pipeline.h"
#include "progress.h"
#include "run.h"
#include "semiscope/capture.h"
#include "semiscope/status.h"

static struct ss_capture *volatile g_capture;
static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
    if (g_capture)
        ss_capture_break(g_capture);
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
    struct cli_opts o;
    int rc = cli_parse(argc, argv, &o);
    if (rc == 1)
        return SS_EXIT_OK;
    if (rc)
        return SS_EXIT_USAGE;

    struct run r;
    enum ss_exit ex = run_open(&r, &o);
    if (ex != SS_EXIT_OK) {
        cli_free(&o);
        return ex;
    }
    g_capture = r.cap;
    install_signals();

    struct progress pr;
    progress_init(&pr, &o, &r);
    struct ss_frame fr;
    char errbuf[SS_ERRBUF_SIZE];
    int got = 0;
    while (!g_stop && (got = ss_capture_next(r.cap, &fr, errbuf)) == 1) {
        pipeline_frame(&r.pipe, &fr);
        if (run_after_frame(&r, &fr))
            break;
        progress_tick(&pr, &r.pipe);
        if (o.count && r.pipe.frames >= o.count)
            break;
    }
    if (!g_stop && got < 0) {
        fprintf(stderr, "semiscope: read error: %s\n", errbuf);
        r.read_error = true;
    }
    progress_done(&pr);
    r.interrupted = g_stop != 0;
    r.ended = got == 0 && !g_stop;
    g_capture = NULL;
    ex = run_finish(&r);
    cli_free(&o);
    return ex;
}
