/* SPDX-License-Identifier: MIT */
/* capture_file.c: pcap/pcapng files (or stdin) read as one capture, merged by timestamp.
 *
 * A tcpdump -C/-G rotation set can be hundreds of files, so files are not all held open: each is
 * checked up front (so a bad file or filter fails before any output) and its first timestamp
 * noted; a file is then opened only when the merge reaches that time. Only files that overlap in
 * time are open together; their current frames sit in a min-heap keyed by (time, argument
 * order). Packet bytes stay in libpcap's buffer: the file whose frame was returned is advanced at
 * the next call, which is what makes the data "borrowed until the next ss_capture_next".
 *
 * The BPF filter runs here (pcap_offline_filter) rather than inside libpcap, so that frames it
 * rejects still take their place in the merge and in the numbering: frame N is then frame N in
 * Wireshark, for one file or for a chronological mergecap of the set. */
#include "capture_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NO_SRC SIZE_MAX

struct src {
    char *path;
    bool is_stdin;
    struct pcap *p;       /* NULL until due, and again after its end */
    int dlt;
    bool has_prog;
    struct bpf_program prog; /* the filter compiled for this file's link type */
    bool has_first;       /* the file holds at least one record */
    uint64_t first_ts;    /* of its first record (before filtering): when to open it */
    uint64_t head_ts;     /* current frame, valid while in the heap */
    const struct pcap_pkthdr *head_h;
    const u_char *head_data;
    char *iobuf;          /* stdio buffer of the open file; freed after pcap_close's fclose */
    uint64_t records;     /* records read from this file since it was (re)opened */
    int64_t start_off;    /* where the file starts in its descriptor (0, or stdin's position) */
    int64_t header_end;   /* where libpcap's reading of the file header ended; -1 unknown (pipe) */
};

struct due {
    uint64_t ts;
    size_t idx;
};

struct files {
    struct src *src;
    size_t n;
    struct due *order;    /* files not yet opened, by first timestamp */
    size_t n_order, next_open;
    size_t *heap;         /* indices of open files with a current frame */
    size_t heap_n;
    size_t advance;       /* file whose frame was returned last, or NO_SRC */
    char *bpf;
    struct pcap *dead;    /* first file's link type and snaplen, for -w and ss_capture_pcap */
    uint64_t numbered;    /* frames returned or filtered so far: the merged frame number */
    uint64_t truncated;
    char warning[SS_ERRBUF_SIZE];
    struct ss_capture_read_error *errs; /* files not read to their end, in order */
    size_t n_errs, cap_errs;
};

/* Open one file with nanosecond timestamps. SS_ERR_IO when it cannot be read at all, SS_ERR_FORMAT
 * when libpcap does not recognise it. */
static struct pcap *open_one(struct src *s, bool big_buffer, enum ss_status *st, char *errbuf)
{
    char pe[PCAP_ERRBUF_SIZE] = "";
    FILE *fp = stdin;
    if (!s->is_stdin) {
        fp = fopen(s->path, "rb");
        if (!fp) {
            snprintf(errbuf, SS_ERRBUF_SIZE, "%s: %s", s->path, strerror(errno));
            *st = SS_ERR_IO;
            return NULL;
        }
        struct stat sb;
        if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
            fclose(fp);
            snprintf(errbuf, SS_ERRBUF_SIZE, "%s: is a directory", s->path);
            *st = SS_ERR_IO;
            return NULL;
        }
    }
    /* stdio's default 4 KiB buffer costs a read() syscall every few packets; 64 KiB cuts the
     * syscalls 16-fold and still fits in the CPU's cache. Larger buffers measured slower
     * (256 KiB: 2x, 1 MiB: 2.5x), the kernel's copy then missing the cache (tools/bench). glibc
     * ignores the size unless it is given the buffer, so we own it (s->iobuf) until fclose. */
    if (big_buffer && !s->iobuf) {
        s->iobuf = malloc((size_t)1 << 16);
        if (s->iobuf)
            setvbuf(fp, s->iobuf, _IOFBF, (size_t)1 << 16);
    }
    /* gzip or zstd: read through a decompressing stream (decompress.c). A pipe is read through
     * one even when plain, since its first bytes had to be read to tell. */
    FILE *raw = fp;
    bool compressed = false;
    fp = ss_decompress_open(raw, !s->is_stdin, &compressed, pe);
    if (!fp) {
        snprintf(errbuf, SS_ERRBUF_SIZE, "%s: %.200s", s->is_stdin ? "stdin" : s->path, pe);
        *st = SS_ERR_IO;
        if (!s->is_stdin)
            fclose(raw);
        free(s->iobuf);
        s->iobuf = NULL;
        return NULL;
    }
    /* Positions for a read error's offset (record_offset.c); a pipe or a decompressed stream
     * has none (-1). */
    s->start_off = fp != raw ? -1 : s->is_stdin ? (int64_t)ftello(fp) : 0;
    struct pcap *p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, pe);
    s->records = 0;
    s->header_end = p && s->start_off >= 0 ? (int64_t)ftello(fp) : -1;
    if (!p) {
        /* A read error while libpcap looked at the header is I/O, anything else is format. */
        *st = ferror(fp) && !compressed ? SS_ERR_IO : SS_ERR_FORMAT;
        snprintf(errbuf, SS_ERRBUF_SIZE, "%s: %.200s%s", s->is_stdin ? "stdin" : s->path, pe,
                 compressed ? " (after decompressing)" : "");
        if (fp != stdin)
            fclose(fp); /* a decompressing stream closes the file under it, never stdin */
        free(s->iobuf);
        s->iobuf = NULL;
        return NULL;
    }
    return p;
}

/* ---- min-heap of open files by (head_ts, argument order) ---- */

static bool before(const struct files *f, size_t a, size_t b)
{
    const struct src *x = &f->src[a], *y = &f->src[b];
    return x->head_ts < y->head_ts || (x->head_ts == y->head_ts && a < b);
}

static void sift_down(struct files *f, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < f->heap_n && before(f, f->heap[l], f->heap[m]))
            m = l;
        if (r < f->heap_n && before(f, f->heap[r], f->heap[m]))
            m = r;
        if (m == i)
            return;
        size_t t = f->heap[i];
        f->heap[i] = f->heap[m];
        f->heap[m] = t;
        i = m;
    }
}

static void heap_push(struct files *f, size_t idx)
{
    size_t i = f->heap_n++;
    f->heap[i] = idx;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(f, f->heap[i], f->heap[parent]))
            return;
        size_t t = f->heap[i];
        f->heap[i] = f->heap[parent];
        f->heap[parent] = t;
        i = parent;
    }
}

static void heap_pop(struct files *f)
{
    f->heap[0] = f->heap[--f->heap_n];
    sift_down(f, 0);
}

/* ---- reading ---- */

static void src_close(struct src *s)
{
    if (s->p)
        pcap_close(s->p); /* libpcap leaves stdin itself open */
    s->p = NULL;
    free(s->iobuf);
    s->iobuf = NULL;
}

/* What to do about libpcap's refusals that its message alone does not explain. */
static const char *read_error_hint(const char *msg)
{
    if (strstr(msg, "different from the type of the first interface") ||
        strstr(msg, "different from the snapshot length of the first interface"))
        return "libpcap reads a pcapng file only when all its interfaces share the first one's "
               "link type and snapshot length, which a capture of several interfaces at once "
               "may not; when the packets are all Ethernet, `editcap -F pcap -T ether FILE "
               "OUT.pcap` writes a file it reads";
    if (strstr(msg, "truncated dump file"))
        return "the file ends inside a record: tcpdump was killed, the disk filled, or the file "
               "was copied while still being written";
    if (strstr(msg, strerror(EBADMSG)))
        return "the gzip or zstd data is corrupt or cut short there";
    if (strstr(msg, "invalid packet capture length") || strstr(msg, "bigger than"))
        return "a damaged record header: libpcap cannot find the records after it";
    return NULL;
}

/* A file that ends in a read error (on handle p): counted, described (ss_capture_read_errors),
 * and the last one kept as the warning. `frame` is the record that could not be read, in that
 * file; `offset` where the records read end. */
static void note_read_error(struct files *f, const struct src *s, struct pcap *p)
{
    const char *msg = pcap_geterr(p);
    f->truncated++;
    snprintf(f->warning, sizeof f->warning, "%s: %s", s->is_stdin ? "stdin" : s->path, msg);
    if (f->n_errs == f->cap_errs) {
        size_t ncap = f->cap_errs ? f->cap_errs * 2 : 4;
        struct ss_capture_read_error *ne = realloc(f->errs, ncap * sizeof(*ne));
        if (!ne)
            return; /* still counted in files_truncated, and in the warning */
        f->errs = ne;
        f->cap_errs = ncap;
    }
    struct ss_capture_read_error *e = &f->errs[f->n_errs++];
    e->file = s->path;
    e->frame = s->records + 1;
    e->offset = s->header_end < 0 ? -1
                                  : ss_record_offset(fileno(pcap_file(p)), s->start_off,
                                                     s->header_end, s->records);
    e->numbered = f->numbered;
    const char *hint = read_error_hint(msg);
    if (hint)
        snprintf(e->message, sizeof e->message, "%.200s (%s)", msg, hint); /* hints < 300 */
    else
        snprintf(e->message, sizeof e->message, "%.*s", SS_ERRBUF_SIZE - 1, msg);
}

/* Read the next frame of an open file into its head. false at its end. A read error
 * mid-file — most often a last record cut short because tcpdump was killed or the disk filled,
 * sometimes a damaged record header or a pcapng block libpcap refuses — ends that file only:
 * everything before it is still evidence. It is counted and described. */
static bool read_head(struct files *f, size_t idx)
{
    struct src *s = &f->src[idx];
    struct pcap_pkthdr *h;
    const u_char *d;
    int rc = pcap_next_ex(s->p, &h, &d);
    if (rc == 1) {
        s->head_h = h;
        s->head_data = d;
        s->head_ts = ss_capture_ts_ns(h, true);
        s->records++;
        return true;
    }
    if (rc == PCAP_ERROR)
        note_read_error(f, s, s->p);
    src_close(s);
    return false;
}

/* Open a due file and push its first frame. */
static int open_due_file(struct files *f, size_t idx, char *errbuf)
{
    struct src *s = &f->src[idx];
    enum ss_status st = SS_OK;
    s->p = open_one(s, true, &st, errbuf);
    if (!s->p)
        return -1; /* vanished since it was checked (a ring buffer rotating over it) */
    s->dlt = pcap_datalink(s->p);
    if (read_head(f, idx))
        heap_push(f, idx);
    return 0;
}

/* Open every file whose first record is not later than the earliest frame at hand. */
static int open_due(struct files *f, char *errbuf)
{
    while (f->next_open < f->n_order) {
        const struct due *d = &f->order[f->next_open];
        if (f->heap_n > 0 && d->ts > f->src[f->heap[0]].head_ts)
            return 0;
        f->next_open++;
        if (open_due_file(f, d->idx, errbuf) < 0)
            return -1;
    }
    return 0;
}

static int files_next(struct ss_capture *c, struct ss_frame *fr, char *errbuf)
{
    struct files *f = c->priv;
    if (f->advance != NO_SRC) {
        /* The returned file is the heap's root: advance it and restore the order. */
        if (read_head(f, f->advance))
            sift_down(f, 0);
        else
            heap_pop(f);
        f->advance = NO_SRC;
    }
    size_t idx;
    const struct src *s;
    for (;;) {
        if (open_due(f, errbuf) < 0)
            return -1;
        if (f->heap_n == 0)
            return 0;
        idx = f->heap[0];
        s = &f->src[idx];
        if (!s->has_prog || pcap_offline_filter(&s->prog, s->head_h, s->head_data))
            break;
        c->filtered++; /* keeps its number; see the top of the file */
        f->numbered++;
        if (read_head(f, idx))
            sift_down(f, 0);
        else
            heap_pop(f);
    }
    fr->ts_ns = s->head_ts;
    fr->dlt = s->dlt;
    fr->caplen = s->head_h->caplen;
    fr->wirelen = s->head_h->len;
    fr->data = s->head_data;
    f->advance = idx;
    f->numbered++;
    return 1;
}

static void files_stats(struct ss_capture *c, struct ss_capture_stats *out)
{
    struct files *f = c->priv;
    out->live = false;
    out->files = f->n;
    out->files_truncated = f->truncated;
}

static struct pcap *files_pcap(struct ss_capture *c)
{
    struct files *f = c->priv;
    return f->dead;
}

static void files_free(struct files *f)
{
    if (!f)
        return;
    for (size_t i = 0; f->src && i < f->n; i++) {
        src_close(&f->src[i]);
        if (f->src[i].has_prog)
            pcap_freecode(&f->src[i].prog);
        free(f->src[i].path);
    }
    if (f->dead)
        pcap_close(f->dead);
    free(f->src);
    free(f->order);
    free(f->heap);
    free(f->bpf);
    free(f->errs);
    free(f);
}

static void files_close(struct ss_capture *c)
{
    files_free(c->priv);
}

static const char *files_warning(struct ss_capture *c)
{
    struct files *f = c->priv;
    return f->warning[0] ? f->warning : NULL;
}

static const struct ss_capture_read_error *files_read_errors(struct ss_capture *c, size_t *n)
{
    struct files *f = c->priv;
    *n = f->n_errs;
    return f->n_errs ? f->errs : NULL;
}

static const struct ss_capture_ops files_ops = {
    .next = files_next,
    .brk = NULL,
    .stats = files_stats,
    .pcap = files_pcap,
    .close = files_close,
    .warning = files_warning,
    .read_errors = files_read_errors,
};

/* ---- opening ---- */

static int cmp_due(const void *a, const void *b)
{
    const struct due *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Check one file: it opens, the filter compiles for its link type, and note its first time.
 * Standard input cannot be reopened, so it stays open with its first frame in the heap. */
static enum ss_status check_file(struct files *f, size_t idx, char *errbuf)
{
    struct src *s = &f->src[idx];
    enum ss_status st = SS_OK;
    /* Only standard input stays open after this check; a file is reopened when it is due. */
    struct pcap *p = open_one(s, s->is_stdin, &st, errbuf);
    if (!p)
        return st;
    s->dlt = pcap_datalink(p);
    if (!f->dead)
        f->dead = pcap_open_dead_with_tstamp_precision(s->dlt, pcap_snapshot(p),
                                                       PCAP_TSTAMP_PRECISION_NANO);
    if (f->bpf) {
        /* Compiled per file: what "tcp port 3306" means depends on the link type. */
        if (pcap_compile(p, &s->prog, f->bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            snprintf(errbuf, SS_ERRBUF_SIZE, "bad filter \"%s\" for %s: %s", f->bpf,
                     s->is_stdin ? "stdin" : s->path, pcap_geterr(p));
            pcap_close(p);
            return SS_ERR_FILTER;
        }
        s->has_prog = true;
    }
    if (s->is_stdin) {
        s->p = p;
        if (read_head(f, idx))
            heap_push(f, idx);
        return SS_OK;
    }
    struct pcap_pkthdr *h;
    const u_char *d;
    int rc = pcap_next_ex(p, &h, &d);
    if (rc == 1) {
        s->has_first = true;
        s->first_ts = ss_capture_ts_ns(h, true);
        f->order[f->n_order++] = (struct due){s->first_ts, idx};
    }
    /* An empty file, or one whose first record libpcap cannot read (cut short, or a pcapng
     * layout it refuses), has nothing to merge; the latter is reported as a read error. */
    else if (rc == PCAP_ERROR) {
        note_read_error(f, s, p);
    }
    pcap_close(p);
    return SS_OK;
}

static enum ss_status files_init(struct files *f, const char *const *paths, size_t n,
                                 const char *bpf, char *errbuf)
{
    f->n = n;
    f->advance = NO_SRC;
    f->src = calloc(n, sizeof *f->src);
    f->order = calloc(n, sizeof *f->order);
    f->heap = calloc(n, sizeof *f->heap);
    f->bpf = bpf && *bpf ? strdup(bpf) : NULL;
    if (!f->src || !f->order || !f->heap || (bpf && *bpf && !f->bpf)) {
        snprintf(errbuf, SS_ERRBUF_SIZE, "out of memory");
        return SS_ERR_NOMEM;
    }
    size_t n_stdin = 0;
    for (size_t i = 0; i < n; i++) {
        struct src *s = &f->src[i];
        s->is_stdin = strcmp(paths[i], "-") == 0;
        n_stdin += s->is_stdin;
        s->path = strdup(paths[i]);
        if (!s->path) {
            snprintf(errbuf, SS_ERRBUF_SIZE, "out of memory");
            return SS_ERR_NOMEM;
        }
    }
    if (n_stdin > 1) {
        snprintf(errbuf, SS_ERRBUF_SIZE, "standard input (\"-\") given more than once");
        return SS_ERR_ARG;
    }
    for (size_t i = 0; i < n; i++) {
        enum ss_status st = check_file(f, i, errbuf);
        if (st != SS_OK)
            return st;
    }
    qsort(f->order, f->n_order, sizeof *f->order, cmp_due);
    return SS_OK;
}

struct ss_capture *ss_capture_open_files(const char *const *paths, size_t n, const char *bpf,
                                         enum ss_status *st, char *errbuf)
{
    errbuf[0] = '\0';
    if (n == 0) {
        snprintf(errbuf, SS_ERRBUF_SIZE, "no capture file given");
        *st = SS_ERR_ARG;
        return NULL;
    }
    struct files *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(errbuf, SS_ERRBUF_SIZE, "out of memory");
        *st = SS_ERR_NOMEM;
        return NULL;
    }
    *st = files_init(f, paths, n, bpf, errbuf);
    struct ss_capture *c = *st == SS_OK ? ss_capture_new(&files_ops, f) : NULL;
    if (!c) {
        if (*st == SS_OK) {
            snprintf(errbuf, SS_ERRBUF_SIZE, "out of memory");
            *st = SS_ERR_NOMEM;
        }
        files_free(f);
        return NULL;
    }
    return ss_readahead_wrap(c);
}
