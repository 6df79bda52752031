/* SPDX-License-Identifier: MIT */
/* test_conn_util.h: helpers for the connection-decoder tests — build binlog events, MySQL packets
 * and dump streams, feed them to an ss_conn in awkward chunks, and record the messages. Header-only
 * (static functions) so each test binary stays one file. */
#ifndef SEMISCOPE_TEST_CONN_UTIL_H
#define SEMISCOPE_TEST_CONN_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "semiscope/mysql.h"

/* ---- growable byte buffer ---- */

struct tbuf {
    uint8_t *p;
    size_t n, cap;
};

static inline void tb_put(struct tbuf *b, const void *src, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        assert_non_null(b->p);
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->n, src, n);
    b->n += n;
}

static inline void tb_u8(struct tbuf *b, uint8_t v) { tb_put(b, &v, 1); }

static inline void tb_le(struct tbuf *b, uint64_t v, unsigned nbytes)
{
    for (unsigned i = 0; i < nbytes; i++)
        tb_u8(b, (uint8_t)(v >> (8 * i)));
}

static inline void tb_str(struct tbuf *b, const char *s) { tb_put(b, s, strlen(s)); }

static inline void tb_free(struct tbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

/* A whole binlog event: 19-byte header (event_size computed), body, optional CRC32 trailer. */
static inline void tb_event(struct tbuf *b, uint32_t ts, uint8_t type, uint32_t server_id, uint32_t log_pos,
                     uint16_t flags, const uint8_t *body, size_t body_len, bool crc)
{
    size_t start = b->n;
    uint32_t size = (uint32_t)(19 + body_len + (crc ? 4 : 0));
    tb_le(b, ts, 4);
    tb_u8(b, type);
    tb_le(b, server_id, 4);
    tb_le(b, size, 4);
    tb_le(b, log_pos, 4);
    tb_le(b, flags, 2);
    tb_put(b, body, body_len);
    if (crc)
        tb_le(b, crc32(0L, b->p + start, (uInt)(b->n - start)), 4);
}

/* MySQL packets of one logical payload: pieces of 0xFFFFFF with continuation, seq incremented per
 * piece. Returns the next sequence id. */
static inline uint8_t tb_packet(struct tbuf *b, uint8_t seq, const uint8_t *payload, size_t n)
{
    for (;;) {
        size_t piece = n >= 0xFFFFFF ? 0xFFFFFF : n;
        tb_le(b, piece, 3);
        tb_u8(b, seq++);
        tb_put(b, payload, piece);
        payload += piece;
        n -= piece;
        if (piece < 0xFFFFFF)
            return seq;
    }
}

/* An event packet of a dump: 00 [EF flags] event. */
static inline uint8_t tb_event_packet(struct tbuf *b, uint8_t seq, int semisync_flags, const uint8_t *ev,
                               size_t n)
{
    struct tbuf p = {0};
    tb_u8(&p, 0x00);
    if (semisync_flags >= 0) {
        tb_u8(&p, 0xEF);
        tb_u8(&p, (uint8_t)semisync_flags);
    }
    tb_put(&p, ev, n);
    seq = tb_packet(b, seq, p.p, p.n);
    tb_free(&p);
    return seq;
}

/* ---- recorded messages ---- */

struct rec {
    struct ss_msg *m;
    struct ss_conn_info *info;   /* snapshot of the connection info at each message */
    size_t n, cap;
};

static inline void rec_msg(void *ctx, const struct ss_msg *m)
{
    struct rec *r = ctx;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->m = realloc(r->m, r->cap * sizeof(*r->m));
        r->info = realloc(r->info, r->cap * sizeof(*r->info));
        assert_non_null(r->m);
        assert_non_null(r->info);
    }
    r->m[r->n] = *m;
    r->info[r->n] = *m->conn;
    r->n++;
}

static inline void rec_free(struct rec *r)
{
    free(r->m);
    free(r->info);
    memset(r, 0, sizeof(*r));
}

static inline size_t rec_count(const struct rec *r, enum ss_msg_kind k)
{
    size_t c = 0;
    for (size_t i = 0; i < r->n; i++)
        c += r->m[i].kind == k;
    return c;
}

/* ---- a flow and a connection under test ---- */

struct tconn {
    struct ss_flow flow;
    struct rec rec;
    struct ss_msg_sink sink;
    struct ss_anomalies an;
    struct ss_conn *c;
    uint64_t off[2];
    uint64_t frame;
};

static inline void tconn_init(struct tconn *t, bool midstream, enum ss_side_source side)
{
    memset(t, 0, sizeof(*t));
    t->flow.id = 1;
    t->flow.client.addr.family = 4;
    t->flow.client.addr.b[0] = 10;
    t->flow.client.addr.b[3] = 2;
    t->flow.client.port = 40000;
    t->flow.server.addr.family = 4;
    t->flow.server.addr.b[0] = 10;
    t->flow.server.addr.b[3] = 1;
    t->flow.server.port = 3306;
    t->flow.midstream = midstream;
    t->flow.side_source = side;
    t->sink.msg = rec_msg;
    t->sink.ctx = &t->rec;
    struct ss_conn_cfg cfg = {.emit_tcp_acks = true};
    t->c = ss_conn_new(&cfg, &t->flow, &t->sink, &t->an);
    assert_non_null(t->c);
}

/* Chunk sizes cycled through while feeding: 1 byte, odd primes, a TCP MSS, big pieces. */
static const size_t chunk_pattern[] = {1, 7, 1448, 13, 2, 31, 4093, 3, 65521, 1, 1447, 97};

/* Feed bytes of one direction in awkward chunks; one frame number per chunk, ts = frame µs. */
static inline void tconn_feed(struct tconn *t, enum ss_dir dir, const uint8_t *p, size_t n,
                       size_t *pattern_pos)
{
    size_t i = 0;
    while (i < n) {
        size_t k = chunk_pattern[(*pattern_pos)++ % (sizeof(chunk_pattern) / sizeof(chunk_pattern[0]))];
        if (k > n - i)
            k = n - i;
        t->frame++;
        ss_conn_data(t->c, dir, p + i, k, t->off[dir], t->frame * 1000, t->frame);
        t->off[dir] += k;
        i += k;
    }
}

/* Feed a whole buffer in one call. */
static inline void tconn_send(struct tconn *t, enum ss_dir dir, const struct tbuf *b)
{
    t->frame++;
    ss_conn_data(t->c, dir, b->p, b->n, t->off[dir], t->frame * 1000, t->frame);
    t->off[dir] += b->n;
}

static inline void tconn_free(struct tconn *t)
{
    ss_conn_free(t->c);
    rec_free(&t->rec);
}

/* ---- the connection phase of a replica, as bytes ---- */

/* Initial Handshake v10 (seq 0). */
static inline void tb_greeting(struct tbuf *b, const char *version, uint32_t thread_id, uint32_t caps)
{
    struct tbuf p = {0};
    tb_u8(&p, 0x0A);                          /* protocol 10 */
    tb_put(&p, version, strlen(version) + 1); /* server version, NUL-terminated */
    tb_le(&p, thread_id, 4);                  /* connection id */
    tb_str(&p, "abcdefgh");                   /* auth data part 1 */
    tb_u8(&p, 0);                             /* filler */
    tb_le(&p, caps & 0xFFFF, 2);              /* capabilities, low */
    tb_u8(&p, 0x2d);                          /* charset */
    tb_le(&p, 0x0002, 2);                     /* status: autocommit */
    tb_le(&p, caps >> 16, 2);                 /* capabilities, high */
    tb_u8(&p, 21);                            /* auth data length */
    for (int i = 0; i < 10; i++)              /* reserved */
        tb_u8(&p, 0);
    tb_put(&p, "ijklmnopqrst", 13);           /* auth data part 2 + NUL */
    tb_put(&p, "mysql_native_password", 22);  /* auth plugin + NUL */
    tb_packet(b, 0, p.p, p.n);
    tb_free(&p);
}

/* HandshakeResponse41 (seq 1). */
static inline void tb_login(struct tbuf *b, uint32_t caps, const char *user)
{
    struct tbuf p = {0};
    tb_le(&p, caps, 4);                       /* client capabilities */
    tb_le(&p, 16777216, 4);                   /* max packet */
    tb_u8(&p, 0x21);                          /* charset */
    for (int i = 0; i < 23; i++)              /* filler */
        tb_u8(&p, 0);
    tb_put(&p, user, strlen(user) + 1);       /* user */
    tb_u8(&p, 20);                            /* auth response length (SECURE_CONNECTION) */
    tb_put(&p, "0123456789abcdefghij", 20);
    tb_put(&p, "mysql_native_password", 22);  /* plugin (PLUGIN_AUTH) */
    tb_packet(b, 1, p.p, p.n);
    tb_free(&p);
}

/* OK packet with the given sequence id. */
static inline void tb_ok(struct tbuf *b, uint8_t seq)
{
    static const uint8_t ok[] = {0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00};
    tb_packet(b, seq, ok, sizeof(ok));
}

static inline void tb_query(struct tbuf *b, const char *q)
{
    struct tbuf p = {0};
    tb_u8(&p, 0x03);
    tb_str(&p, q);
    tb_packet(b, 0, p.p, p.n);
    tb_free(&p);
}

/* A one-column, one-row text result set (seq 1..5), with the EOF after the column definitions. */
static inline void tb_result1(struct tbuf *b, const char *value)
{
    static const uint8_t colcount[] = {0x01};
    static const uint8_t coldef[] = {0x03, 'd', 'e', 'f', 0x00, 0x00, 0x00, 0x01, 'x', 0x00,
                                     0x0c, 0x21, 0x00, 0x10, 0x00, 0x00, 0x00, 0xfd, 0x00,
                                     0x00, 0x1f, 0x00, 0x00};
    static const uint8_t eof[] = {0xfe, 0x00, 0x00, 0x02, 0x00};
    struct tbuf row = {0};
    tb_u8(&row, (uint8_t)strlen(value));
    tb_str(&row, value);
    tb_packet(b, 1, colcount, sizeof(colcount));
    tb_packet(b, 2, coldef, sizeof(coldef));
    tb_packet(b, 3, eof, sizeof(eof));
    tb_packet(b, 4, row.p, row.n);
    tb_packet(b, 5, eof, sizeof(eof));
    tb_free(&row);
}

static inline void tb_register(struct tbuf *b, uint32_t server_id)
{
    struct tbuf p = {0};
    tb_u8(&p, 0x15);            /* COM_REGISTER_SLAVE */
    tb_le(&p, server_id, 4);    /* server_id */
    tb_u8(&p, 2);               /* report_host */
    tb_str(&p, "r1");
    tb_u8(&p, 0);               /* report_user */
    tb_u8(&p, 0);               /* report_password */
    tb_le(&p, 3307, 2);         /* report_port */
    tb_le(&p, 0, 4);            /* rank */
    tb_le(&p, 0, 4);            /* master_id */
    tb_packet(b, 0, p.p, p.n);
    tb_free(&p);
}

static inline void tb_dump(struct tbuf *b, uint32_t pos, uint32_t server_id, const char *file)
{
    struct tbuf p = {0};
    tb_u8(&p, 0x12);            /* COM_BINLOG_DUMP */
    tb_le(&p, pos, 4);          /* binlog_pos */
    tb_le(&p, 0, 2);            /* flags */
    tb_le(&p, server_id, 4);    /* server_id */
    tb_str(&p, file);           /* file name, to the end */
    tb_packet(b, 0, p.p, p.n);
    tb_free(&p);
}

/* The semisync ack: EF + u64 position + file name, seq 0. */
static inline void tb_ack(struct tbuf *b, uint64_t pos, const char *file)
{
    struct tbuf p = {0};
    tb_u8(&p, 0xEF);
    tb_le(&p, pos, 8);
    tb_str(&p, file);
    tb_packet(b, 0, p.p, p.n);
    tb_free(&p);
}

#endif
