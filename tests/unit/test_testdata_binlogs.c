/* SPDX-License-Identifier: MIT */
/* test_testdata_binlogs.c: every real binlog file under $SEMISCOPE_TESTDATA (MySQL 5.0 … 9.6,
 * Percona, MariaDB), wrapped into a replication conversation — handshake, checksum query, dump
 * command, the artificial ROTATE, then each event of the file as a dump packet, once without and
 * once with the semisync header (XIDs flagged and acked) — and fed through ss_conn_data in awkward
 * chunk sizes. Every event must come out delimited with the file's size, type and position, and
 * its checksum verdict must equal an independent CRC32 check done here (SS_CSUM_OK exactly where
 * the stored CRC verifies, SS_CSUM_NONE in files without checksums).
 *
 * Files that do not end on an event boundary (see SOURCE.md of rust_mysql_common:
 * binlog_truncated_event.000001 keeps 10 bytes of an event, binlog_truncated_prev_gtid_event keeps
 * 9) are deliberately truncated test inputs: their whole events are checked as above, and the
 * partial tail is sent as one last, short packet, which must be counted exactly once as
 * event_truncated (under 19 bytes) or event_size_mismatch.
 *
 * Files whose log_pos goes backwards, each counted as event_pos_backwards (and otherwise decoded
 * like any other): see known_backwards[] below. Everywhere else that counter must stay 0.
 * mysql-bin.aurora-padding holds Amazon Aurora's event type 100 flagged IGNORABLE (0x80): it is
 * delimited and named UNKNOWN, and not counted as an unknown type because the flag allows it. */
#include "test_conn_util.h"

#include <dirent.h>
#include <sys/stat.h>

#define MAX_FILES 512

/* Real files whose positions are not monotonic, with the number of steps backwards. */
static const struct {
    const char *suffix;
    uint64_t backwards;
    const char *why;
} known_backwards[] = {
    /* A MySQL 5.0.30 relay log from the corrupt-relay-log bug test: INTVAR and QUERY events
     * inside transactions carry log_pos values relative to the transaction (28, 312, …). */
    {"rust_mysql_common/corrupt-relay-bin.000624", 184, "5.0 relay log, relative log_pos"},
    /* A 5.2 (telco) test file: the second QUERY has log_pos 108 (its own end if the file began
     * at 0), after an event ending at 170. */
    {"rust_mysql_common/ver_5_1-wl2325_s.001", 1, "one event with a file-relative log_pos"},
};

static uint64_t expected_backwards(const char *path)
{
    size_t pl = strlen(path);
    for (size_t i = 0; i < sizeof(known_backwards) / sizeof(known_backwards[0]); i++) {
        size_t sl = strlen(known_backwards[i].suffix);
        if (pl >= sl && strcmp(path + pl - sl, known_backwards[i].suffix) == 0)
            return known_backwards[i].backwards;
    }
    return 0;
}

struct expect_ev {
    uint8_t type;
    uint32_t size, log_pos;
    bool crc_ok;       /* independent check: the last 4 bytes are the CRC32 of the rest */
    int flags;         /* semisync flag byte sent, -1 none */
};

struct checker {
    const struct expect_ev *ev;
    size_t nev;
    size_t next;       /* index of the next expected file event (after the fake ROTATE) */
    bool rotate_seen;
    bool allow_extra;  /* the file's partial tail is sent as one more (mismatching) event */
    size_t events, acks, bad;
    char first_bad[200];
    const char *file;
};

static void fail_once(struct checker *k, const char *what, size_t i)
{
    if (k->bad++ == 0)
        snprintf(k->first_bad, sizeof(k->first_bad), "event %zu: %s", i, what);
}

static void check_msg(void *ctx, const struct ss_msg *m)
{
    struct checker *k = ctx;
    if (m->kind == SS_MSG_ACK) {
        k->acks++;
        if (!m->u.ack.well_formed || strcmp(m->u.ack.file, k->file) != 0)
            fail_once(k, "ack malformed", k->acks);
        return;
    }
    if (m->kind != SS_MSG_EVENT)
        return;
    k->events++;
    const struct ss_event *e = &m->u.ev;
    if (!k->rotate_seen) {
        k->rotate_seen = true;
        if (e->h.type != SS_EV_ROTATE || !e->artificial || strcmp(e->file, k->file) != 0 ||
            e->end_pos != 4)
            fail_once(k, "fake rotate", 0);
        return;
    }
    size_t i = k->next++;
    if (i >= k->nev) {
        if (!k->allow_extra || i > k->nev)
            fail_once(k, "extra event", i);
        return;
    }
    const struct expect_ev *x = &k->ev[i];
    if (e->h.type != x->type)
        fail_once(k, "type", i);
    if (e->h.event_size != x->size)
        fail_once(k, "size", i);
    if (e->h.log_pos != x->log_pos)
        fail_once(k, "log_pos", i);
    if (e->csum != (x->crc_ok ? SS_CSUM_OK : SS_CSUM_NONE))
        fail_once(k, x->crc_ok ? "csum not OK" : "csum not NONE", i);
    if (e->semisync_flags != x->flags || e->ack_requested != (x->flags > 0))
        fail_once(k, "semisync flags", i);
    if (!e->artificial && e->end_pos != x->log_pos)
        fail_once(k, "end_pos", i);
}

/* Walk the file's event headers independently of the decoder. Returns the number of complete
 * events; *tail gets the offset of trailing partial bytes (== len when none). */
static size_t walk(const uint8_t *d, size_t len, struct expect_ev *out, size_t cap, size_t *tail)
{
    size_t off = 4, n = 0;
    while (off + 19 <= len) {
        uint32_t size = (uint32_t)d[off + 9] | (uint32_t)d[off + 10] << 8 |
                        (uint32_t)d[off + 11] << 16 | (uint32_t)d[off + 12] << 24;
        if (size < 19 || size > len - off)
            break;
        assert_true(n < cap);
        struct expect_ev *x = &out[n++];
        x->type = d[off + 4];
        x->size = size;
        x->log_pos = (uint32_t)d[off + 13] | (uint32_t)d[off + 14] << 8 |
                     (uint32_t)d[off + 15] << 16 | (uint32_t)d[off + 16] << 24;
        x->crc_ok = false;
        if (size >= 23) {
            /* A FORMAT_DESCRIPTION's CRC is over its header with the in-use flag (0x1) clear. */
            uint8_t hdr[19];
            memcpy(hdr, d + off, 19);
            if (x->type == 15)
                hdr[17] &= (uint8_t)~1u;
            uLong c = crc32(0L, hdr, 19);
            c = crc32(c, d + off + 19, size - 23);
            uint32_t stored = (uint32_t)d[off + size - 4] | (uint32_t)d[off + size - 3] << 8 |
                              (uint32_t)d[off + size - 2] << 16 |
                              (uint32_t)d[off + size - 1] << 24;
            x->crc_ok = c == stored;
        }
        off += size;
    }
    *tail = off;
    return n;
}

static bool read_file(const char *path, struct tbuf *b)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    uint8_t buf[65536];
    size_t k;
    while ((k = fread(buf, 1, sizeof(buf), f)) > 0)
        tb_put(b, buf, k);
    fclose(f);
    return true;
}

/* One run over one file: the whole conversation in one variant. */
static void run_file(const char *path, const uint8_t *d, size_t len, bool semisync, size_t pat0,
                     struct expect_ev *ev, size_t nev, size_t tail)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    /* The replica's declared algorithm is the file's: CRC32 if its events (other than the FDE,
     * whose spare CRC bytes MariaDB fills even without checksums) verify. */
    bool file_crc = false;
    for (size_t i = 0; i < nev; i++)
        file_crc |= ev[i].type != SS_EV_FORMAT_DESCRIPTION && ev[i].crc_ok;
    for (size_t i = 0; i < nev; i++)
        ev[i].flags = semisync ? (ev[i].type == SS_EV_XID ? 1 : 0) : -1;

    struct tconn t;
    tconn_init(&t, false, SS_SIDE_SYN);
    struct checker k = {.ev = ev, .nev = nev, .file = base,
                        .allow_extra = tail < len && len - tail >= 19};
    /* Re-point the sink at the checker; the recorder is not needed for megabytes of events. */
    ss_conn_free(t.c);
    t.sink.msg = check_msg;
    t.sink.ctx = &k;
    struct ss_conn_cfg cfg = {0};
    t.c = ss_conn_new(&cfg, &t.flow, &t.sink, &t.an);
    assert_non_null(t.c);
    size_t pat = pat0;
    struct tbuf x = {0}, b = {0};
/* Send what was built in x from one side, in awkward chunks, and start afresh. */
#define SEND(dir)                                                                                  \
    do {                                                                                           \
        tconn_feed(&t, dir, x.p, x.n, &pat);                                                       \
        x.n = 0;                                                                                   \
    } while (0)
    tb_greeting(&x, "8.0.36", 77, 0x81bff7ffu & ~0x20u);
    SEND(SS_S2C);
    tb_login(&x, 0x000ea285u, "repl");
    SEND(SS_C2S);
    tb_ok(&x, 2);
    SEND(SS_S2C);
    tb_query(&x, "SET @master_binlog_checksum= @@global.binlog_checksum");
    SEND(SS_C2S);
    tb_ok(&x, 1);
    SEND(SS_S2C);
    tb_query(&x, "SELECT @master_binlog_checksum");
    SEND(SS_C2S);
    tb_result1(&x, file_crc ? "CRC32" : "NONE");
    SEND(SS_S2C);
    if (semisync) {
        tb_query(&x, "SET @rpl_semi_sync_slave= 1");
        SEND(SS_C2S);
        tb_ok(&x, 1);
        SEND(SS_S2C);
    }
    tb_register(&x, 2);
    SEND(SS_C2S);
    tb_ok(&x, 1);
    SEND(SS_S2C);
    tb_dump(&x, 4, 2, base);
    SEND(SS_C2S);

    /* The dump: fake ROTATE (checksummed with the replica's algorithm), then the file; each ack
     * goes out right after its flagged event, as a replica sends it. */
    struct tbuf rot = {0};
    tb_le(&rot, 4, 8);
    tb_str(&rot, base);
    tb_event(&b, 0, SS_EV_ROTATE, 1, 0, 0x20, rot.p, rot.n, file_crc);
    uint8_t seq = tb_event_packet(&x, 1, semisync ? 0 : -1, b.p, b.n);
    size_t off = 4;
    for (size_t i = 0; i < nev; i++) {
        seq = tb_event_packet(&x, seq, ev[i].flags, d + off, ev[i].size);
        if (ev[i].flags == 1) {
            seq = 1;                     /* the source clears its counter after a flagged event */
            SEND(SS_S2C);
            tb_ack(&x, ev[i].log_pos, base);
            SEND(SS_C2S);
        }
        off += ev[i].size;
    }
    bool partial = tail < len;
    if (partial)
        tb_event_packet(&x, seq, semisync ? 0 : -1, d + tail, len - tail);
    SEND(SS_S2C);
#undef SEND
    const struct ss_conn_info *info = ss_conn_info(t.c);

    size_t flagged = 0;
    for (size_t i = 0; i < nev; i++)
        flagged += ev[i].flags == 1;
    printf("  %-16s %-64s events=%-6zu %s tail=%zu %s\n", semisync ? "semisync" : "async", path,
           nev, file_crc ? "crc32" : "none ", len - tail, k.bad ? k.first_bad : "ok");
    for (int a = 0; a < SS_AN_COUNT; a++)
        if (t.an.n[a])
            printf("    anomaly %s = %llu\n", ss_anomaly_name((enum ss_anomaly)a),
                   (unsigned long long)t.an.n[a]);
    if (k.bad)
        fail_msg("%s (%s): %zu mismatches, first: %s", path, semisync ? "semisync" : "async",
                 k.bad, k.first_bad);
    assert_int_equal(k.events, 1 + nev + (partial && len - tail >= 19 ? 1 : 0));
    assert_int_equal(k.next, nev + (partial && len - tail >= 19 ? 1 : 0));
    assert_int_equal(k.acks, flagged);
    assert_true(info->is_dump);
    assert_int_equal(info->semisync_header, semisync ? 1 : 0);
    assert_int_equal(info->semisync_requested, semisync ? 1 : -1);
    assert_int_equal(info->replica_server_id, 2);
    assert_int_equal(t.an.n[SS_AN_EVENT_CRC_MISMATCH], 0);
    assert_int_equal(t.an.n[SS_AN_EVENT_UNKNOWN_TYPE], 0);
    /* Sequence ids as the servers send them (reset to 1 after each flagged event). */
    assert_int_equal(t.an.n[SS_AN_FRAME_SEQ_JUMP], 0);
    assert_int_equal(t.an.n[SS_AN_EVENT_BAD_BODY], 0);
    assert_int_equal(t.an.n[SS_AN_CONN_UNEXPECTED_PACKET], 0);
    assert_int_equal(t.an.n[SS_AN_EVENT_POS_BACKWARDS], expected_backwards(path));
    assert_int_equal(t.an.n[SS_AN_EVENT_TRUNCATED], partial && len - tail < 19 ? 1 : 0);
    assert_int_equal(t.an.n[SS_AN_EVENT_SIZE_MISMATCH], partial && len - tail >= 19 ? 1 : 0);
    ss_conn_free(t.c);
    rec_free(&t.rec);
    tb_free(&x);
    tb_free(&b);
    tb_free(&rot);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void find_binlogs(const char *dir, char **out, size_t *n)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            find_binlogs(path, out, n);
            continue;
        }
        if (!S_ISREG(st.st_mode) || st.st_size < 4)
            continue;
        FILE *f = fopen(path, "rb");
        uint8_t magic[4] = {0};
        if (f) {
            size_t got = fread(magic, 1, 4, f);
            fclose(f);
            if (got == 4 && memcmp(magic, "\xfe" "bin", 4) == 0 && *n < MAX_FILES)
                out[(*n)++] = strdup(path);
        }
    }
    closedir(dp);
}

static void test_every_testdata_binlog(void **state)
{
    (void)state;
    const char *root = getenv("SEMISCOPE_TESTDATA");
    if (!root) {
        print_message("SEMISCOPE_TESTDATA not set\n");
        fail();
    }
    char *files[MAX_FILES];
    size_t n = 0;
    find_binlogs(root, files, &n);
    qsort(files, n, sizeof(files[0]), cmp_str);
    printf("%zu binlog files under %s\n", n, root);
    assert_true(n >= 100); /* the collection has 120: a broken walk must not pass silently */
    size_t total_events = 0, with_crc = 0, truncated = 0;
    for (size_t i = 0; i < n; i++) {
        struct tbuf d = {0};
        assert_true(read_file(files[i], &d));
        size_t cap = d.n / 19 + 1;
        struct expect_ev *ev = calloc(cap, sizeof(*ev));
        assert_non_null(ev);
        size_t tail;
        size_t nev = walk(d.p, d.n, ev, cap, &tail);
        run_file(files[i], d.p, d.n, false, i, ev, nev, tail);
        run_file(files[i], d.p, d.n, true, i * 5 + 3, ev, nev, tail);
        total_events += nev;
        for (size_t j = 0; j < nev; j++)
            if (ev[j].type != SS_EV_FORMAT_DESCRIPTION && ev[j].crc_ok) {
                with_crc++;
                break;
            }
        truncated += tail < d.n;
        free(ev);
        tb_free(&d);
        free(files[i]);
    }
    printf("%zu files, %zu events, %zu with CRC32, %zu with a partial tail\n", n, total_events,
           with_crc, truncated);
    /* The known deliberately truncated inputs, and no others. */
    assert_int_equal(truncated, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_testdata_binlog),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
