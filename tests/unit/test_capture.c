/* SPDX-License-Identifier: MIT */
/* test_capture.c: file capture sources — pcap written with libpcap's pcap_dump and a hand-made
 * pcapng read back through ss_capture_open_files: nanosecond times, the timestamp merge of several
 * files and its numbering, filters, and the error statuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "semiscope/capture.h"

struct tmp {
    char dir[64];
    char path[16][128];
    int n;
};

static int setup(void **state)
{
    struct tmp *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    snprintf(t->dir, sizeof t->dir, "/tmp/ss_test_capture.XXXXXX");
    if (!mkdtemp(t->dir)) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct tmp *t = *state;
    DIR *d = opendir(t->dir);
    if (d) {
        struct dirent *e;
        char p[512];
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            snprintf(p, sizeof p, "%.64s/%.256s", t->dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(t->dir);
    free(t);
    return 0;
}

static const char *tpath(struct tmp *t, const char *name)
{
    assert_true(t->n < 16);
    char buf[128];
    snprintf(buf, sizeof buf, "%.63s/%.60s", t->dir, name);
    char *p = t->path[t->n++];
    memcpy(p, buf, sizeof buf);
    return p;
}

/* One record to write: time in ns, a tag byte (so the reader can tell frames apart), lengths. */
struct rec {
    uint64_t ts_ns;
    uint8_t tag;
    uint32_t caplen, wirelen;
};

/* A small Ethernet/IPv4/TCP or UDP frame; byte 0 (destination MAC) carries the tag. */
static void make_frame(uint8_t *b, size_t n, uint8_t tag, bool udp)
{
    memset(b, 0, n);
    static const uint8_t hdr[] = {
        0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /* destination MAC (first byte: tag) */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x02, /* source MAC */
        0x08, 0x00,                         /* ethertype IPv4 */
        0x45, 0x00, 0x00, 0x28,             /* version/IHL, DSCP, total length 40 */
        0x00, 0x01, 0x40, 0x00,             /* identification, DF */
        0x40, 0x06, 0x00, 0x00,             /* TTL, protocol TCP, checksum (unchecked) */
        0x0a, 0x00, 0x00, 0x01,             /* source 10.0.0.1 */
        0x0a, 0x00, 0x00, 0x02,             /* destination 10.0.0.2 */
        0x0c, 0xea, 0xd4, 0x31,             /* ports 3306 -> 54321 */
    };
    memcpy(b, hdr, n < sizeof hdr ? n : sizeof hdr);
    b[0] = tag;
    if (udp && n > 23)
        b[23] = 17;
}

/* Write records with pcap_dump in the given precision and link type. */
static void write_pcap(const char *path, int dlt, int precision, const struct rec *r, size_t n,
                       bool udp_odd_tags)
{
    pcap_t *dead = pcap_open_dead_with_tstamp_precision(dlt, 65535, precision);
    assert_non_null(dead);
    pcap_dumper_t *d = pcap_dump_open(dead, path);
    assert_non_null(d);
    for (size_t i = 0; i < n; i++) {
        uint8_t buf[256];
        assert_true(r[i].caplen <= sizeof buf);
        make_frame(buf, r[i].caplen, r[i].tag, udp_odd_tags && (r[i].tag & 1));
        struct pcap_pkthdr h;
        memset(&h, 0, sizeof h);
        uint64_t div = precision == PCAP_TSTAMP_PRECISION_NANO ? 1 : 1000;
        h.ts.tv_sec = (time_t)(r[i].ts_ns / 1000000000u);
        h.ts.tv_usec = (suseconds_t)(r[i].ts_ns % 1000000000u / div);
        h.caplen = r[i].caplen;
        h.len = r[i].wirelen;
        pcap_dump((u_char *)d, &h, buf);
    }
    pcap_dump_close(d);
    pcap_close(dead);
}

static void write_bytes(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

static struct ss_capture *open1(const char *path, const char *bpf)
{
    enum ss_status st = SS_ERR_ARG;
    char err[SS_ERRBUF_SIZE];
    struct ss_capture *c = ss_capture_open_files(&path, 1, bpf, &st, err);
    if (!c)
        print_error("open %s: %s\n", path, err);
    assert_non_null(c);
    assert_int_equal(st, SS_OK);
    return c;
}

static void test_pcap_nanoseconds(void **state)
{
    struct tmp *t = *state;
    const char *p = tpath(t, "nano.pcap");
    const struct rec r[] = {
        {1700000000000000001ull, 0x11, 54, 54},
        {1700000000500000000ull, 0x12, 60, 60},
        {1700000002999999999ull, 0x13, 40, 1514}, /* snaplen-truncated */
    };
    write_pcap(p, DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, r, 3, false);
    struct ss_capture *c = open1(p, NULL);
    struct ss_frame fr;
    char err[SS_ERRBUF_SIZE];
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(ss_capture_next(c, &fr, err), 1);
        assert_int_equal(fr.ts_ns, r[i].ts_ns);
        assert_int_equal(fr.number, i + 1);
        assert_int_equal(fr.dlt, DLT_EN10MB);
        assert_int_equal(fr.caplen, r[i].caplen);
        assert_int_equal(fr.wirelen, r[i].wirelen);
        assert_int_equal(fr.data[0], r[i].tag);
        assert_int_equal(fr.data[12], 0x08);
    }
    assert_int_equal(ss_capture_next(c, &fr, err), 0);
    assert_int_equal(ss_capture_next(c, &fr, err), 0);
    struct ss_capture_stats st;
    ss_capture_stats(c, &st);
    assert_int_equal(st.frames, 3);
    assert_int_equal(st.bytes, 54 + 60 + 1514);
    assert_int_equal(st.first_ts_ns, r[0].ts_ns);
    assert_int_equal(st.last_ts_ns, r[2].ts_ns);
    assert_int_equal(st.out_of_order_ts, 0);
    assert_int_equal(st.files, 1);
    assert_int_equal(st.files_truncated, 0);
    assert_false(st.live);
    assert_false(st.kernel_stats_valid);
    assert_null(ss_capture_warning(c));
    /* The pcap_t for -w carries the file's link type. */
    assert_non_null(ss_capture_pcap(c));
    assert_int_equal(pcap_datalink(ss_capture_pcap(c)), DLT_EN10MB);
    ss_capture_close(c);
}

static void test_pcap_microseconds(void **state)
{
    struct tmp *t = *state;
    const char *p = tpath(t, "micro.pcap");
    const struct rec r[] = {{1700000000123456000ull, 0x21, 54, 54}};
    write_pcap(p, DLT_RAW, PCAP_TSTAMP_PRECISION_MICRO, r, 1, false);
    struct ss_capture *c = open1(p, "");
    struct ss_frame fr;
    char err[SS_ERRBUF_SIZE];
    assert_int_equal(ss_capture_next(c, &fr, err), 1);
    assert_int_equal(fr.ts_ns, 1700000000123456000ull);
    assert_int_equal(fr.dlt, DLT_RAW);
    assert_int_equal(ss_capture_next(c, &fr, err), 0);
    ss_capture_close(c);
}

/* Minimal pcapng: SHB, IDB (Ethernet, if_tsresol 9 = nanoseconds), two EPBs. Little-endian. */
static const uint8_t PCAPNG[] = {
    /* Section Header Block */
    0x0a, 0x0d, 0x0d, 0x0a,                         /* block type SHB */
    0x1c, 0x00, 0x00, 0x00,                         /* block length 28 */
    0x4d, 0x3c, 0x2b, 0x1a,                         /* byte-order magic */
    0x01, 0x00, 0x00, 0x00,                         /* version 1.0 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* section length unknown */
    0x1c, 0x00, 0x00, 0x00,                         /* block length 28 */
    /* Interface Description Block */
    0x01, 0x00, 0x00, 0x00,                         /* block type IDB */
    0x20, 0x00, 0x00, 0x00,                         /* block length 32 */
    0x01, 0x00,                                     /* link type Ethernet */
    0x00, 0x00,                                     /* reserved */
    0x00, 0x00, 0x04, 0x00,                         /* snaplen 262144 */
    0x09, 0x00, 0x01, 0x00,                         /* option if_tsresol, length 1 */
    0x09, 0x00, 0x00, 0x00,                         /* 10^-9 s, padding */
    0x00, 0x00, 0x00, 0x00,                         /* opt_endofopt */
    0x20, 0x00, 0x00, 0x00,                         /* block length 32 */
    /* Enhanced Packet Block 1: 1700000000.123456789 s = 0x17979cfe_3d85cd15 ns */
    0x06, 0x00, 0x00, 0x00,                         /* block type EPB */
    0x30, 0x00, 0x00, 0x00,                         /* block length 48 */
    0x00, 0x00, 0x00, 0x00,                         /* interface 0 */
    0xfe, 0x9c, 0x97, 0x17,                         /* timestamp high */
    0x15, 0xcd, 0x85, 0x3d,                         /* timestamp low */
    0x0e, 0x00, 0x00, 0x00,                         /* captured length 14 */
    0x3c, 0x00, 0x00, 0x00,                         /* original length 60 */
    0xaa, 0x00, 0x00, 0x00, 0x00, 0x01,             /* destination MAC (tag 0xaa) */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x02,             /* source MAC */
    0x08, 0x00,                                     /* ethertype IPv4 */
    0x00, 0x00,                                     /* padding to 32 bits */
    0x30, 0x00, 0x00, 0x00,                         /* block length 48 */
    /* Enhanced Packet Block 2: one nanosecond later */
    0x06, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00, /* EPB, length 48 */
    0x00, 0x00, 0x00, 0x00,                         /* interface 0 */
    0xfe, 0x9c, 0x97, 0x17, 0x16, 0xcd, 0x85, 0x3d, /* timestamp + 1 ns */
    0x0e, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, /* captured 14, original 14 */
    0xbb, 0x00, 0x00, 0x00, 0x00, 0x01,             /* destination MAC (tag 0xbb) */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x02,             /* source MAC */
    0x86, 0xdd, 0x00, 0x00,                         /* ethertype IPv6, padding */
    0x30, 0x00, 0x00, 0x00,                         /* block length 48 */
};

static void test_pcapng(void **state)
{
    struct tmp *t = *state;
    const char *p = tpath(t, "x.pcapng");
    write_bytes(p, PCAPNG, sizeof PCAPNG);
    struct ss_capture *c = open1(p, NULL);
    struct ss_frame fr;
    char err[SS_ERRBUF_SIZE];
    assert_int_equal(ss_capture_next(c, &fr, err), 1);
    assert_int_equal(fr.ts_ns, 1700000000123456789ull);
    assert_int_equal(fr.number, 1);
    assert_int_equal(fr.dlt, DLT_EN10MB);
    assert_int_equal(fr.caplen, 14);
    assert_int_equal(fr.wirelen, 60);
    assert_int_equal(fr.data[0], 0xaa);
    assert_int_equal(ss_capture_next(c, &fr, err), 1);
    assert_int_equal(fr.ts_ns, 1700000000123456790ull);
    assert_int_equal(fr.number, 2);
    assert_int_equal(fr.data[0], 0xbb);
    assert_int_equal(ss_capture_next(c, &fr, err), 0);
    ss_capture_close(c);
}

static void test_merge_two_files(void **state)
{
    struct tmp *t = *state;
    const char *a = tpath(t, "a.pcap");
    const char *b = tpath(t, "b.pcap");
    const char *e = tpath(t, "empty.pcap");
    const uint64_t s = 1700000000000000000ull;
    const struct rec ra[] = {{s + 1, 0xa1, 54, 54}, {s + 3, 0xa3, 54, 54}, {s + 5, 0xa5, 54, 54}};
    const struct rec rb[] = {{s + 2, 0xb2, 40, 40}, {s + 5, 0xb5, 40, 40}, {s + 9, 0xb9, 40, 40}};
    write_pcap(a, DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, ra, 3, false);
    write_pcap(b, DLT_RAW, PCAP_TSTAMP_PRECISION_NANO, rb, 3, false);
    write_pcap(e, DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, NULL, 0, false);
    /* Given out of time order: the merge is by timestamp; the tie at s+5 keeps argument order
     * (b before a). */
    const char *paths[] = {b, e, a};
    enum ss_status st;
    char err[SS_ERRBUF_SIZE];
    struct ss_capture *c = ss_capture_open_files(paths, 3, NULL, &st, err);
    assert_non_null(c);
    const uint8_t want_tag[] = {0xa1, 0xb2, 0xa3, 0xb5, 0xa5, 0xb9};
    const uint64_t want_ts[] = {s + 1, s + 2, s + 3, s + 5, s + 5, s + 9};
    struct ss_frame fr;
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(ss_capture_next(c, &fr, err), 1);
        assert_int_equal(fr.number, i + 1);
        assert_int_equal(fr.data[0], want_tag[i]);
        assert_int_equal(fr.ts_ns, want_ts[i]);
        /* Each frame carries its own file's link type. */
        assert_int_equal(fr.dlt, (want_tag[i] >> 4) == 0xa ? DLT_EN10MB : DLT_RAW);
    }
    assert_int_equal(ss_capture_next(c, &fr, err), 0);
    struct ss_capture_stats cs;
    ss_capture_stats(c, &cs);
    assert_int_equal(cs.frames, 6);
    assert_int_equal(cs.files, 3);
    assert_int_equal(cs.out_of_order_ts, 0);
    assert_int_equal(cs.first_ts_ns, s + 1);
    assert_int_equal(cs.last_ts_ns, s + 9);
    /* -w gets the first file's link type. */
    assert_int_equal(pcap_datalink(ss_capture_pcap(c)), DLT_RAW);
    ss_capture_close(c);
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int n = 0;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static void test_rotation_set_opens_lazily(void **state)
{
    struct tmp *t = *state;
    /* 12 consecutive files of 3 frames (a -G rotation), given in reverse order. Only the file
     * being read needs to be open: a day of rotation files must not exhaust descriptors. */
    enum { NF = 12, PER = 3 };
    const char *paths[NF];
    const uint64_t s = 1700000000000000000ull;
    for (int i = 0; i < NF; i++) {
        char name[32];
        snprintf(name, sizeof name, "rot%02d.pcap", i);
        paths[NF - 1 - i] = tpath(t, name);
        struct rec r[PER];
        for (int k = 0; k < PER; k++)
            r[k] = (struct rec){s + (uint64_t)(i * PER + k) * 1000, (uint8_t)(i * PER + k), 54, 54};
        write_pcap(paths[NF - 1 - i], DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, r, PER, false);
    }
    int base = count_fds();
    enum ss_status st;
    char err[SS_ERRBUF_SIZE];
    struct ss_capture *c = ss_capture_open_files(paths, NF, NULL, &st, err);
    assert_non_null(c);
    struct ss_frame fr;
    int max_open = 0;
    for (int i = 0; i < NF * PER; i++) {
        assert_int_equal(ss_capture_next(c, &fr, err), 1);
        assert_int_equal(fr.data[0], i);
        assert_int_equal(fr.number, (uint64_t)i + 1);
        int now = count_fds() - base;
        max_open = now > max_open ? now : max_open;
    }
    assert_int_equal(ss_capture_next(c, &fr, err), 0);
    assert_true(max_open <= 2);
    ss_capture_close(c);
    assert_int_equal(count_fds(), base);
}

static void test_filter_keeps_numbers(void **state)
{
    struct tmp *t = *state;
    const char *p = tpath(t, "mixed.pcap");
    const uint64_t s = 1700000000000000000ull;
    /* Odd tags are UDP, even tags TCP. */
    const struct rec r[] = {{s + 1, 0x01, 54, 54}, {s + 2, 0x02, 54, 54},
                            {s + 3, 0x03, 54, 54}, {s + 4, 0x04, 54, 54}};
    write_pcap(p, DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, r, 4, true);
    struct ss_capture *c = open1(p, "tcp");
    struct ss_frame fr;
    char err[SS_ERRBUF_SIZE];
    assert_int_equal(ss_capture_next(c, &fr, err), 1);
    assert_int_equal(fr.data[0], 0x02);
    assert_int_equal(fr.number, 2); /* Wireshark's number for this frame */
    assert_int_equal(ss_capture_next(c, &fr, err), 1);
    assert_int_equal(fr.data[0], 0x04);
    assert_int_equal(fr.number, 4);
    assert_int_equal(ss_capture_next(c, &fr, err), 0);
    struct ss_capture_stats cs;
    ss_capture_stats(c, &cs);
    assert_int_equal(cs.frames, 2);
    assert_int_equal(cs.filtered, 2);
    assert_int_equal(cs.bytes, 108);
    ss_capture_close(c);

    c = open1(p, "udp and src port 3306");
    assert_int_equal(ss_capture_next(c, &fr, err), 1);
    assert_int_equal(fr.data[0], 0x01);
    assert_int_equal(ss_capture_next(c, &fr, err), 1);
    assert_int_equal(fr.data[0], 0x03);
    assert_int_equal(fr.number, 3);
    assert_int_equal(ss_capture_next(c, &fr, err), 0);
    ss_capture_close(c);
}

static void test_timestamps_backwards(void **state)
{
    struct tmp *t = *state;
    const char *p = tpath(t, "back.pcap");
    const uint64_t s = 1700000000000000000ull;
    const struct rec r[] = {{s + 10, 1, 54, 54}, {s + 5, 2, 54, 54}, {s + 20, 3, 54, 54}};
    write_pcap(p, DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, r, 3, false);
    struct ss_capture *c = open1(p, NULL);
    struct ss_frame fr;
    char err[SS_ERRBUF_SIZE];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ss_capture_next(c, &fr, err), 1);
        assert_int_equal(fr.data[0], i + 1); /* one file: its order is kept */
    }
    struct ss_capture_stats cs;
    ss_capture_stats(c, &cs);
    assert_int_equal(cs.out_of_order_ts, 1);
    ss_capture_close(c);
}

static void test_truncated_file(void **state)
{
    struct tmp *t = *state;
    const char *p = tpath(t, "cut.pcap");
    const uint64_t s = 1700000000000000000ull;
    const struct rec r[] = {{s + 1, 1, 54, 54}, {s + 2, 2, 54, 54}};
    write_pcap(p, DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, r, 2, false);
    /* Chop the last record in half, as a killed tcpdump leaves it. */
    assert_int_equal(truncate(p, 24 + (16 + 54) + 16 + 20), 0);
    struct ss_capture *c = open1(p, NULL);
    struct ss_frame fr;
    char err[SS_ERRBUF_SIZE];
    assert_int_equal(ss_capture_next(c, &fr, err), 1);
    assert_int_equal(ss_capture_next(c, &fr, err), 0);
    struct ss_capture_stats cs;
    ss_capture_stats(c, &cs);
    assert_int_equal(cs.frames, 1);
    assert_int_equal(cs.files_truncated, 1);
    assert_non_null(ss_capture_warning(c));
    assert_non_null(strstr(ss_capture_warning(c), "cut.pcap"));
    /* Described for the report: the second record, which starts after the 24-byte file header
     * and the first record (16-byte header + 54 bytes). */
    size_t n = 0;
    const struct ss_capture_read_error *e = ss_capture_read_errors(c, &n);
    assert_int_equal(n, 1);
    assert_non_null(e);
    assert_string_equal(e[0].file, p);
    assert_int_equal(e[0].frame, 2);
    assert_int_equal(e[0].offset, 24 + 16 + 54);
    assert_int_equal(e[0].numbered, 1);
    assert_non_null(strstr(e[0].message, "truncated dump file"));
    assert_non_null(strstr(e[0].message, "tcpdump was killed"));
    ss_capture_close(c);
}

/* Patch a little-endian 32-bit field of a file in place. */
static void poke_le32(const char *path, long off, uint32_t v)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    const uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    assert_int_equal(fseek(f, off, SEEK_SET), 0);
    assert_int_equal(fwrite(b, 1, 4, f), 4);
    fclose(f);
}

/* A damaged record header mid-file (issue 14: one bad header in an 870-packet capture gave a
 * silent report of 50 packets): reading stops there, and the failure names the record and the
 * byte where it starts. In a merge the other file goes on to its end. */
static void test_corrupt_record_header(void **state)
{
    struct tmp *t = *state;
    const char *bad = tpath(t, "bad.pcap");
    const char *good = tpath(t, "good.pcap");
    const uint64_t s = 1700000000000000000ull;
    const struct rec rb[] = {{s + 1, 1, 54, 54}, {s + 3, 3, 54, 54}, {s + 5, 5, 54, 54}};
    const struct rec rg[] = {{s + 2, 2, 54, 54}, {s + 4, 4, 54, 54}, {s + 6, 6, 54, 54}};
    write_pcap(bad, DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, rb, 3, false);
    write_pcap(good, DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, rg, 3, false);
    /* Record 2 starts at 24 + 70 = 94; its caplen field (offset 8 in the record header) becomes
     * absurd, as a bit flip in the length's high byte makes it. */
    poke_le32(bad, 94 + 8, 0x7f000036);
    const char *paths[] = {bad, good};
    enum ss_status st;
    char err[SS_ERRBUF_SIZE];
    struct ss_capture *c = ss_capture_open_files(paths, 2, NULL, &st, err);
    assert_non_null(c);
    struct ss_frame fr;
    const uint8_t want[] = {1, 2, 4, 6}; /* bad.pcap ends after its first record */
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(ss_capture_next(c, &fr, err), 1);
        assert_int_equal(fr.data[0], want[i]);
    }
    assert_int_equal(ss_capture_next(c, &fr, err), 0);
    size_t n = 0;
    const struct ss_capture_read_error *e = ss_capture_read_errors(c, &n);
    assert_int_equal(n, 1);
    assert_string_equal(e[0].file, bad);
    assert_int_equal(e[0].frame, 2);
    assert_int_equal(e[0].offset, 94);
    /* Frame 1 of bad.pcap was returned, then advancing it failed: one frame numbered. */
    assert_int_equal(e[0].numbered, 1);
    assert_non_null(strstr(e[0].message, "damaged record header"));
    struct ss_capture_stats cs;
    ss_capture_stats(c, &cs);
    assert_int_equal(cs.files_truncated, 1);
    ss_capture_close(c);

    /* A clean file has none. */
    c = open1(good, NULL);
    while (ss_capture_next(c, &fr, err) == 1)
        ;
    assert_null(ss_capture_read_errors(c, &n));
    assert_int_equal(n, 0);
    ss_capture_close(c);
}

/* A pcapng whose second interface has another link type, as dumpcap writes for `-i eth0 -i any`:
 * libpcap refuses it at the first block after the first IDB. Nothing is read, and the reason is
 * named with what to do about it (issue 14: it used to give an empty report and exit 0). */
static void test_pcapng_refused(void **state)
{
    struct tmp *t = *state;
    const char *p = tpath(t, "two_links.pcapng");
    static const uint8_t IDB_SLL[] = {
        0x01, 0x00, 0x00, 0x00, /* block type IDB */
        0x14, 0x00, 0x00, 0x00, /* block length 20 */
        0x71, 0x00,             /* link type 113, Linux cooked (SLL) */
        0x00, 0x00,             /* reserved */
        0x00, 0x00, 0x04, 0x00, /* snaplen 262144 */
        0x14, 0x00, 0x00, 0x00, /* block length 20 */
    };
    uint8_t buf[sizeof PCAPNG + sizeof IDB_SLL];
    const size_t head = 28 + 32; /* SHB + the first IDB */
    memcpy(buf, PCAPNG, head);
    memcpy(buf + head, IDB_SLL, sizeof IDB_SLL);
    memcpy(buf + head + sizeof IDB_SLL, PCAPNG + head, sizeof PCAPNG - head);
    write_bytes(p, buf, sizeof buf);
    struct ss_capture *c = open1(p, NULL);
    struct ss_frame fr;
    char err[SS_ERRBUF_SIZE];
    assert_int_equal(ss_capture_next(c, &fr, err), 0);
    size_t n = 0;
    const struct ss_capture_read_error *e = ss_capture_read_errors(c, &n);
    assert_int_equal(n, 1);
    assert_int_equal(e[0].frame, 1);
    assert_int_equal(e[0].offset, (int64_t)head);
    assert_int_equal(e[0].numbered, 0);
    assert_non_null(strstr(e[0].message, "different from the type of the first interface"));
    assert_non_null(strstr(e[0].message, "editcap"));
    ss_capture_close(c);
}

static void test_stdin_merged(void **state)
{
    struct tmp *t = *state;
    const char *a = tpath(t, "in.pcap");
    const char *b = tpath(t, "other.pcap");
    const uint64_t s = 1700000000000000000ull;
    const struct rec ra[] = {{s + 2, 0x02, 54, 54}, {s + 4, 0x04, 54, 54}};
    const struct rec rb[] = {{s + 1, 0x01, 54, 54}, {s + 3, 0x03, 54, 54}};
    write_pcap(a, DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, ra, 2, false);
    write_pcap(b, DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, rb, 2, false);
    /* Put the file on descriptor 0, as "semiscope -r - < in.pcap" would. */
    int saved = dup(0);
    FILE *in = fopen(a, "rb");
    assert_non_null(in);
    assert_int_equal(dup2(fileno(in), 0), 0);
    fclose(in);
    clearerr(stdin);
    const char *paths[] = {"-", b};
    enum ss_status st;
    char err[SS_ERRBUF_SIZE];
    struct ss_capture *c = ss_capture_open_files(paths, 2, NULL, &st, err);
    assert_non_null(c);
    struct ss_frame fr;
    for (int i = 1; i <= 4; i++) {
        assert_int_equal(ss_capture_next(c, &fr, err), 1);
        assert_int_equal(fr.data[0], i);
        assert_int_equal(fr.number, (uint64_t)i);
    }
    assert_int_equal(ss_capture_next(c, &fr, err), 0);
    ss_capture_close(c);
    dup2(saved, 0);
    close(saved);
    clearerr(stdin);
}

/* Live capture on loopback: needs CAP_NET_RAW, so it is skipped where it cannot open. */
static void test_live_loopback(void **state)
{
    (void)state;
    char err[SS_ERRBUF_SIZE];
    enum ss_status st;
    struct ss_live_opts o = {.iface = "lo", .immediate = true, .buffer_kib = 1024,
                             .bpf = "udp port 47999"};
    struct ss_capture *c = ss_capture_open_live(&o, &st, err);
    if (!c) {
        assert_int_equal(st, SS_ERR_LIVE);
        print_message("live capture unavailable here: %s\n", err);
        skip();
    }
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(s >= 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(47999)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(sendto(s, "ping", 4, 0, (struct sockaddr *)&to, sizeof to), 4);
    close(s);
    struct ss_frame fr;
    assert_int_equal(ss_capture_next(c, &fr, err), 1);
    assert_int_equal(fr.number, 1);
    assert_true(fr.ts_ns > 1600000000ull * 1000000000ull);
    assert_true(fr.caplen >= 4 && fr.caplen == fr.wirelen);
    assert_memory_equal(fr.data + fr.caplen - 4, "ping", 4);
    assert_int_equal(pcap_datalink(ss_capture_pcap(c)), fr.dlt);
    ss_capture_break(c);
    assert_int_equal(ss_capture_next(c, &fr, err), 0);
    struct ss_capture_stats cs;
    ss_capture_stats(c, &cs);
    assert_true(cs.live);
    assert_int_equal(cs.frames, 1);
    assert_true(cs.kernel_stats_valid);
    assert_true(cs.kernel_received >= 1);
    ss_capture_close(c);

    o.bpf = "udp port banana";
    assert_null(ss_capture_open_live(&o, &st, err));
    assert_int_equal(st, SS_ERR_FILTER);
    o.bpf = NULL;
    o.iface = "no-such-if0";
    assert_null(ss_capture_open_live(&o, &st, err));
    assert_int_equal(st, SS_ERR_LIVE);
    assert_non_null(strstr(err, "no-such-if0"));
}

static void expect_open_error(const char *const *paths, size_t n, const char *bpf,
                              enum ss_status want, const char *needle)
{
    enum ss_status st = SS_OK;
    char err[SS_ERRBUF_SIZE] = "";
    struct ss_capture *c = ss_capture_open_files(paths, n, bpf, &st, err);
    assert_null(c);
    assert_int_equal(st, want);
    assert_true(err[0] != '\0');
    if (needle && !strstr(err, needle))
        fail_msg("error \"%s\" lacks \"%s\"", err, needle);
}

static void test_errors(void **state)
{
    struct tmp *t = *state;
    const char *good = tpath(t, "good.pcap");
    const struct rec r[] = {{1700000000000000000ull, 1, 54, 54}};
    write_pcap(good, DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, r, 1, false);

    const char *text = tpath(t, "notes.txt");
    write_bytes(text, "this is not a capture file, just some text\n", 44);
    const char *p1[] = {text};
    expect_open_error(p1, 1, NULL, SS_ERR_FORMAT, "notes.txt");
    /* A bad file among good ones fails the whole open. */
    const char *p2[] = {good, text};
    expect_open_error(p2, 2, NULL, SS_ERR_FORMAT, "notes.txt");

    const char *missing = tpath(t, "missing.pcap");
    const char *p3[] = {good, missing};
    expect_open_error(p3, 2, NULL, SS_ERR_IO, "missing.pcap");
    const char *p4[] = {t->dir};
    expect_open_error(p4, 1, NULL, SS_ERR_IO, "directory");

    const char *p5[] = {good};
    expect_open_error(p5, 1, "tcp port nonsense", SS_ERR_FILTER, "nonsense");
    expect_open_error(p5, 1, "tcp and and", SS_ERR_FILTER, NULL);
    const char *p6[] = {"-", "-"};
    expect_open_error(p6, 2, NULL, SS_ERR_ARG, NULL);
    expect_open_error(p5, 0, NULL, SS_ERR_ARG, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pcap_nanoseconds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pcap_microseconds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pcapng, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge_two_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotation_set_opens_lazily, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filter_keeps_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timestamps_backwards, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_record_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pcapng_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stdin_merged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test(test_live_loopback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
