/* SPDX-License-Identifier: MIT */
/* progress.c: progress on stderr when it is a terminal. The wall clock is used only to throttle
 * redraws (never for anything in the report). */
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "run.h"

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A compressed capture's size says nothing of how far its decompressed records have got. */
static bool compressed(const char *path)
{
    unsigned char m[4] = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = fread(m, 1, sizeof m, f);
    fclose(f);
    return (n >= 2 && m[0] == 0x1f && m[1] == 0x8b) ||
           (n == 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd);
}

void progress_init(struct progress *pr, const struct cli_opts *o, const struct run *r)
{
    (void)r;
    pr->on = o->progress == 1 || (o->progress == -1 && !o->iface && isatty(STDERR_FILENO));
    pr->total_bytes = 0;
    for (size_t i = 0; pr->on && i < o->nfiles; i++) {
        struct stat st;
        if (stat(o->files[i], &st) == 0 && S_ISREG(st.st_mode) && !compressed(o->files[i])) {
            pr->total_bytes += (uint64_t)st.st_size;
        } else if (strcmp(o->files[i], "-")) {
            pr->total_bytes = 0; /* no percentage when one file's share is unknown */
            break;
        }
    }
    pr->next_check = 1u << 14;
    pr->start_wall = pr->last_wall = wall_now();
    pr->drawn = false;
}

void progress_tick(struct progress *pr, const struct pipeline *p)
{
    if (!pr->on || p->frames < pr->next_check)
        return;
    pr->next_check = p->frames + (1u << 14);
    double now = wall_now();
    if (now - pr->last_wall < 0.25)
        return;
    pr->last_wall = now;
    /* Bytes read ≈ captured bytes + 16-byte record headers: close enough for a percentage. */
    uint64_t done = p->dec.frames * 16 + p->read_bytes;
    double mb = (double)done / 1e6, secs = now - pr->start_wall;
    if (pr->total_bytes)
        fprintf(stderr, "\r%5.1f%%  %llu packets  %.0f MB  %.0f MB/s ",
                100.0 * (double)done / (double)pr->total_bytes, (unsigned long long)p->frames, mb,
                secs > 0 ? mb / secs : 0.0);
    else
        fprintf(stderr, "\r%llu packets  %.0f MB ", (unsigned long long)p->frames, mb);
    pr->drawn = true;
}

void progress_done(struct progress *pr)
{
    if (pr->drawn)
        fputs("\r\033[K", stderr);
}
