/* SPDX-License-Identifier: MIT */
/* test_decode.c: ss_decode_frame over every link type and IP version, with annotated fixtures;
 * truncation at every length, padding, fragments, checksums. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "capture/decode_priv.h"
#include "decode_fixtures.h"
#include "semiscope/packet.h"

/* ---- helpers ---- */

struct fb {
    uint8_t b[512];
    size_t len;
};

static void put(struct fb *f, const uint8_t *p, size_t n)
{
    assert_true(f->len + n <= sizeof f->b);
    memcpy(f->b + f->len, p, n);
    f->len += n;
}
#define PUT(f, a) put((f), (a), sizeof(a))

static void put_ip4_data(struct fb *f)
{
    PUT(f, IP4_DATA);
    PUT(f, TCP_DATA);
}

/* IPv6 header with `ext` extension bytes (whose first next-header is `first_nh`) + TCP_DATA. */
static void put_ip6(struct fb *f, const uint8_t *ext, size_t ext_len, uint8_t first_nh)
{
    size_t at = f->len;
    PUT(f, IP6_HDR);
    size_t plen = ext_len + sizeof TCP_DATA;
    f->b[at + IP6_PLEN_OFF] = (uint8_t)(plen >> 8);
    f->b[at + IP6_PLEN_OFF + 1] = (uint8_t)plen;
    if (ext_len) {
        f->b[at + IP6_NH_OFF] = first_nh;
        put(f, ext, ext_len);
    }
    size_t tcp = f->len;
    PUT(f, TCP_DATA);
    f->b[tcp + 16] = TCP_DATA_CSUM_V6_HI;
    f->b[tcp + 17] = TCP_DATA_CSUM_V6_LO;
}

/* Decode `len` bytes of `f` as captured (wire length `wirelen`) from an exact-size heap copy,
 * so that AddressSanitizer sees any read past the captured bytes. The payload is copied into
 * `pl` (when not NULL) before the copy is freed. */
static enum ss_decode_result dec(int dlt, const struct fb *f, size_t len, size_t wirelen,
                                 struct ss_tcp_pkt *pkt, struct ss_decode_stats *st, uint8_t *pl)
{
    uint8_t *buf = malloc(len ? len : 1);
    assert_non_null(buf);
    memcpy(buf, f->b, len);
    struct ss_frame fr = {.ts_ns = 1700000000123456789ull, .number = 7, .dlt = dlt,
                          .caplen = (uint32_t)len, .wirelen = (uint32_t)wirelen, .data = buf};
    memset(pkt, 0xA5, sizeof *pkt);
    enum ss_decode_result r = ss_decode_frame(&fr, pkt, st);
    if (r == SS_DEC_TCP) {
        assert_true(pkt->payload >= buf);
        assert_true(pkt->payload + pkt->payload_len <= buf + len);
        assert_true(pkt->payload_len <= pkt->wire_payload_len);
        if (pl)
            memcpy(pl, pkt->payload, pkt->payload_len < 512 ? pkt->payload_len : 512);
    }
    free(buf);
    pkt->payload = NULL;
    return r;
}

static enum ss_decode_result dec_full(int dlt, const struct fb *f, struct ss_tcp_pkt *pkt,
                                      struct ss_decode_stats *st)
{
    uint8_t pl[512];
    enum ss_decode_result r = dec(dlt, f, f->len, f->len, pkt, st, pl);
    if (r == SS_DEC_TCP && pkt->payload_len == 5)
        assert_memory_equal(pl, "hello", 5);
    return r;
}

static void assert_data_v4(const struct ss_tcp_pkt *p)
{
    char a[SS_ENDPOINT_STRLEN], b[SS_ENDPOINT_STRLEN];
    assert_string_equal(ss_endpoint_str(&p->src, a, sizeof a), "10.0.0.1:3306");
    assert_string_equal(ss_endpoint_str(&p->dst, b, sizeof b), "10.0.0.2:54321");
    assert_int_equal(p->seq, 1000);
    assert_int_equal(p->ack, 2000);
    assert_int_equal(p->flags, SS_TCP_PSH | SS_TCP_ACK);
    assert_int_equal(p->window, 501);
    assert_int_equal(p->wscale, -1);
    assert_int_equal(p->payload_len, 5);
    assert_int_equal(p->wire_payload_len, 5);
    assert_true(p->csum_checked);
    assert_false(p->csum_bad);
    assert_int_equal(p->ts_ns, 1700000000123456789ull);
    assert_int_equal(p->frame, 7);
}

static void assert_data_v6(const struct ss_tcp_pkt *p)
{
    char a[SS_ENDPOINT_STRLEN], b[SS_ENDPOINT_STRLEN];
    assert_string_equal(ss_endpoint_str(&p->src, a, sizeof a), "[2001:db8::1]:3306");
    assert_string_equal(ss_endpoint_str(&p->dst, b, sizeof b), "[2001:db8::2]:54321");
    assert_int_equal(p->seq, 1000);
    assert_int_equal(p->payload_len, 5);
    assert_int_equal(p->wire_payload_len, 5);
    assert_true(p->csum_checked);
    assert_false(p->csum_bad);
}

/* ---- link layers ---- */

static void test_ether_ipv4(void **state)
{
    (void)state;
    struct fb f = {.len = 0};
    PUT(&f, ETH);
    PUT(&f, ET_IP4);
    put_ip4_data(&f);
    struct ss_tcp_pkt p;
    struct ss_decode_stats st = {0};
    assert_int_equal(dec_full(DLT_EN10MB, &f, &p, &st), SS_DEC_TCP);
    assert_data_v4(&p);
    assert_int_equal(st.frames, 1);
    assert_int_equal(st.tcp, 1);
    assert_int_equal(st.csum_bad, 0);
    assert_int_equal(st.vlan_tags, 0);
    assert_int_equal(st.ipv6, 0);
}

static void test_ether_vlan(void **state)
{
    (void)state;
    struct fb f = {.len = 0};
    PUT(&f, ETH);
    PUT(&f, VLAN_Q);
    PUT(&f, ET_IP4);
    put_ip4_data(&f);
    struct ss_tcp_pkt p;
    struct ss_decode_stats st = {0};
    assert_int_equal(dec_full(DLT_EN10MB, &f, &p, &st), SS_DEC_TCP);
    assert_data_v4(&p);
    assert_int_equal(st.vlan_tags, 1);
}

static void test_ether_qinq(void **state)
{
    (void)state;
    /* 802.1ad outer + 802.1Q inner, and the pre-standard 0x9100 outer tag, over IPv6. */
    const uint8_t *outer[] = {VLAN_AD, VLAN_91};
    for (size_t i = 0; i < 2; i++) {
        struct fb f = {.len = 0};
        PUT(&f, ETH);
        put(&f, outer[i], 4);
        PUT(&f, VLAN_Q);
        PUT(&f, ET_IP6);
        put_ip6(&f, NULL, 0, 0);
        struct ss_tcp_pkt p;
        struct ss_decode_stats st = {0};
        assert_int_equal(dec_full(DLT_EN10MB, &f, &p, &st), SS_DEC_TCP);
        assert_data_v6(&p);
        assert_int_equal(st.vlan_tags, 2);
        assert_int_equal(st.ipv6, 1);
    }
}

static void test_sll(void **state)
{
    (void)state;
    struct fb f = {.len = 0};
    PUT(&f, SLL_IP4);
    put_ip4_data(&f);
    struct ss_tcp_pkt p;
    struct ss_decode_stats st = {0};
    assert_int_equal(dec_full(DLT_LINUX_SLL, &f, &p, &st), SS_DEC_TCP);
    assert_data_v4(&p);
}

static void test_sll2(void **state)
{
    (void)state;
    struct fb f = {.len = 0};
    PUT(&f, SLL2_IP6);
    put_ip6(&f, NULL, 0, 0);
    struct ss_tcp_pkt p;
    struct ss_decode_stats st = {0};
    assert_int_equal(dec_full(DLT_LINUX_SLL2, &f, &p, &st), SS_DEC_TCP);
    assert_data_v6(&p);
}

static void test_null_loop(void **state)
{
    (void)state;
    /* DLT_NULL in either host byte order, DLT_LOOP in network order. */
    struct {
        int dlt;
        const uint8_t *hdr;
    } cases[] = {{DLT_NULL, NULL_INET_LE}, {DLT_NULL, NULL_INET_BE}, {DLT_LOOP, NULL_INET_BE}};
    for (size_t i = 0; i < SS_ARRAY_LEN(cases); i++) {
        struct fb f = {.len = 0};
        put(&f, cases[i].hdr, 4);
        put_ip4_data(&f);
        struct ss_tcp_pkt p;
        struct ss_decode_stats st = {0};
        assert_int_equal(dec_full(cases[i].dlt, &f, &p, &st), SS_DEC_TCP);
        assert_data_v4(&p);
    }
    /* AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD) or 30 (macOS). */
    const uint8_t fams[] = {24, 28, 30};
    for (size_t i = 0; i < SS_ARRAY_LEN(fams); i++) {
        for (int be = 0; be < 2; be++) {
            struct fb f = {.len = 0};
            uint8_t hdr[4] = {0};
            hdr[be ? 3 : 0] = fams[i];
            PUT(&f, hdr);
            put_ip6(&f, NULL, 0, 0);
            struct ss_tcp_pkt p;
            struct ss_decode_stats st = {0};
            assert_int_equal(dec_full(DLT_NULL, &f, &p, &st), SS_DEC_TCP);
            assert_data_v6(&p);
        }
    }
    /* AF 7 (OSI): not IP. */
    struct fb f = {.len = 0};
    const uint8_t osi[] = {0x07, 0x00, 0x00, 0x00};
    PUT(&f, osi);
    put_ip4_data(&f);
    struct ss_tcp_pkt p;
    struct ss_decode_stats st = {0};
    assert_int_equal(dec_full(DLT_NULL, &f, &p, &st), SS_DEC_NOT_IP);
    assert_int_equal(st.not_ip, 1);
}

static void test_raw(void **state)
{
    (void)state;
    const int dlts4[] = {DLT_RAW, SS_LINKTYPE_RAW, DLT_IPV4};
    for (size_t i = 0; i < SS_ARRAY_LEN(dlts4); i++) {
        struct fb f = {.len = 0};
        put_ip4_data(&f);
        struct ss_tcp_pkt p;
        struct ss_decode_stats st = {0};
        assert_int_equal(dec_full(dlts4[i], &f, &p, &st), SS_DEC_TCP);
        assert_data_v4(&p);
    }
    const int dlts6[] = {DLT_RAW, SS_LINKTYPE_RAW, DLT_IPV6};
    for (size_t i = 0; i < SS_ARRAY_LEN(dlts6); i++) {
        struct fb f = {.len = 0};
        put_ip6(&f, NULL, 0, 0);
        struct ss_tcp_pkt p;
        struct ss_decode_stats st = {0};
        assert_int_equal(dec_full(dlts6[i], &f, &p, &st), SS_DEC_TCP);
        assert_data_v6(&p);
    }
    /* Raw IP with version 5: not IP we know. DLT_IPV4 carrying IPv6: malformed. */
    struct fb f = {.len = 0};
    put_ip4_data(&f);
    f.b[0] = 0x55;
    struct ss_tcp_pkt p;
    struct ss_decode_stats st = {0};
    assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_NOT_IP);
    f.len = 0;
    put_ip6(&f, NULL, 0, 0);
    assert_int_equal(dec_full(DLT_IPV4, &f, &p, &st), SS_DEC_MALFORMED);
}

static void test_unsupported_link(void **state)
{
    (void)state;
    struct fb f = {.len = 0};
    put_ip4_data(&f);
    struct ss_tcp_pkt p;
    struct ss_decode_stats st = {0};
    assert_int_equal(dec_full(DLT_PPP, &f, &p, &st), SS_DEC_UNSUPPORTED_LINK);
    assert_int_equal(dec_full(DLT_IEEE802_11, &f, &p, &st), SS_DEC_UNSUPPORTED_LINK);
    assert_int_equal(st.unsupported_link, 2);
    assert_int_equal(st.frames, 2);
}

/* ---- IP ---- */

static void test_ipv4_options(void **state)
{
    (void)state;
    struct fb f = {.len = 0};
    const uint8_t ip[] = {
        0x46,                   /* version 4, IHL 6 (24 bytes) */
        0x00, 0x00, 0x31,       /* DSCP, total length 49 */
        0x12, 0x36, 0x40, 0x00, /* identification, DF */
        0x40, 0x06, 0x11, 0x8e, /* TTL, TCP, header checksum */
        0x0a, 0x00, 0x00, 0x01, /* source */
        0x0a, 0x00, 0x00, 0x02, /* destination */
        0x01, 0x01, 0x01, 0x00, /* options: NOP NOP NOP EOL */
    };
    PUT(&f, ip);
    PUT(&f, TCP_DATA);
    struct ss_tcp_pkt p;
    struct ss_decode_stats st = {0};
    assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_TCP);
    assert_data_v4(&p);
}

static void test_ipv6_ext_headers(void **state)
{
    (void)state;
    struct fb f = {.len = 0};
    PUT(&f, ETH);
    PUT(&f, ET_IP6);
    put_ip6(&f, IP6_EXT, sizeof IP6_EXT, 0 /* hop-by-hop */);
    struct ss_tcp_pkt p;
    struct ss_decode_stats st = {0};
    assert_int_equal(dec_full(DLT_EN10MB, &f, &p, &st), SS_DEC_TCP);
    assert_data_v6(&p);

    /* Segments left in the routing header: the pseudo-header would need the final destination,
     * which is not in the IPv6 header, so the checksum is not judged. */
    struct fb g = {.len = 0};
    put_ip6(&g, IP6_EXT, sizeof IP6_EXT, 0);
    g.b[sizeof IP6_HDR + IP6_EXT_ROUTING_SEGLEFT_OFF] = 1;
    assert_int_equal(dec_full(DLT_RAW, &g, &p, &st), SS_DEC_TCP);
    assert_false(p.csum_checked);
    assert_false(p.csum_bad);
    assert_int_equal(p.payload_len, 5);
    assert_int_equal(st.csum_bad, 0);
}

static void test_fragments(void **state)
{
    (void)state;
    struct ss_tcp_pkt p;
    struct ss_decode_stats st = {0};
    /* IPv4 with MF set, then with a non-zero offset. */
    const uint8_t frag_fields[][2] = {{0x20, 0x00} /* MF */, {0x00, 0xb9} /* offset 185*8 */};
    for (size_t i = 0; i < 2; i++) {
        struct fb f = {.len = 0};
        put_ip4_data(&f);
        f.b[6] = frag_fields[i][0];
        f.b[7] = frag_fields[i][1];
        assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_FRAGMENT);
    }
    /* IPv6 fragment header with M set; then an atomic fragment (offset 0, M clear; RFC 6946),
     * which is a whole datagram. */
    struct fb f = {.len = 0};
    put_ip6(&f, IP6_FRAG, sizeof IP6_FRAG, 44);
    assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_FRAGMENT);
    assert_int_equal(st.fragments, 3);
    f.b[sizeof IP6_HDR + 3] = 0x00;
    assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_TCP);
    assert_data_v6(&p);
    /* Non-zero offset, M clear: the last fragment. */
    f.b[sizeof IP6_HDR + 2] = 0x05;
    f.b[sizeof IP6_HDR + 3] = 0x28;
    assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_FRAGMENT);
    assert_int_equal(st.fragments, 4);
}

static void test_not_tcp(void **state)
{
    (void)state;
    struct ss_tcp_pkt p;
    struct ss_decode_stats st = {0};
    struct fb f = {.len = 0};
    put_ip4_data(&f);
    f.b[9] = 17; /* protocol UDP */
    assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_NOT_TCP);

    f.len = 0;
    put_ip6(&f, NULL, 0, 0);
    f.b[IP6_NH_OFF] = 59; /* no next header */
    assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_NOT_TCP);
    assert_int_equal(st.not_tcp, 2);

    /* ARP ethertype, and an 802.3 length field (LLC follows): not IP. */
    const uint8_t types[][2] = {{0x08, 0x06}, {0x00, 0x2d}};
    for (size_t i = 0; i < 2; i++) {
        f.len = 0;
        PUT(&f, ETH);
        put(&f, types[i], 2);
        put_ip4_data(&f);
        assert_int_equal(dec_full(DLT_EN10MB, &f, &p, &st), SS_DEC_NOT_IP);
    }
    assert_int_equal(st.not_ip, 2);
    assert_int_equal(st.tcp, 0);
}

/* ---- TCP ---- */

static void test_syn_wscale(void **state)
{
    (void)state;
    struct fb f = {.len = 0};
    PUT(&f, IP4_SYN);
    struct ss_tcp_pkt p;
    struct ss_decode_stats st = {0};
    assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_TCP);
    assert_int_equal(p.flags, SS_TCP_SYN);
    assert_int_equal(p.wscale, 7);
    assert_int_equal(p.window, 64240);
    assert_int_equal(p.seq, 0x11223344);
    assert_int_equal(p.src.port, 54321);
    assert_int_equal(p.payload_len, 0);
    assert_int_equal(p.wire_payload_len, 0);
    assert_true(p.csum_checked);
    assert_false(p.csum_bad);

    /* A shift above 14 is read as 14 (RFC 7323 §2.3); checksum now wrong but still decoded. */
    f.b[IP4_SYN_WSCALE_OFF] = 20;
    assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_TCP);
    assert_int_equal(p.wscale, 14);
    assert_true(p.csum_bad);

    /* Window scale only means something on a SYN. */
    f.b[IP4_SYN_FLAGS_OFF] = SS_TCP_ACK;
    assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_TCP);
    assert_int_equal(p.wscale, -1);
}

static void test_tcp_bad_offset(void **state)
{
    (void)state;
    struct ss_tcp_pkt p;
    struct ss_decode_stats st = {0};
    struct fb f = {.len = 0};
    put_ip4_data(&f);
    f.b[20 + 12] = 0x40; /* data offset 4: shorter than the fixed header */
    assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_MALFORMED);
    f.b[20 + 12] = 0x60; /* data offset 6 (24 bytes) with only 25 bytes of segment: fits */
    assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_TCP);
    assert_int_equal(p.payload_len, 1);
    f.b[20 + 12] = 0x70; /* data offset 7 (28 bytes) > 25-byte segment */
    assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_MALFORMED);
    assert_int_equal(st.malformed, 2);
}

static void test_ip_bad_lengths(void **state)
{
    (void)state;
    struct ss_tcp_pkt p;
    struct ss_decode_stats st = {0};
    struct fb f = {.len = 0};
    put_ip4_data(&f);
    f.b[0] = 0x44; /* IHL 4 */
    assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_MALFORMED);
    f.b[0] = 0x45;
    f.b[3] = 19; /* total length shorter than the header */
    assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_MALFORMED);
    f.b[3] = 46; /* total length one more than the whole frame had on the wire */
    assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_MALFORMED);
    /* Ethertype IPv4 but an IPv6 header. */
    f.len = 0;
    PUT(&f, ETH);
    PUT(&f, ET_IP4);
    put_ip6(&f, NULL, 0, 0);
    assert_int_equal(dec_full(DLT_EN10MB, &f, &p, &st), SS_DEC_MALFORMED);
    /* IPv6 payload length beyond the frame. */
    f.len = 0;
    put_ip6(&f, NULL, 0, 0);
    f.b[IP6_PLEN_OFF + 1] = 26;
    assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_MALFORMED);
    /* IPv6 extension header claiming more than the payload. */
    f.len = 0;
    put_ip6(&f, IP6_EXT, sizeof IP6_EXT, 0);
    f.b[sizeof IP6_HDR + 1] = 200;
    assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_MALFORMED);
    assert_int_equal(st.malformed, 6);
    assert_int_equal(st.tcp, 0);
}

static void test_ether_padding(void **state)
{
    (void)state;
    /* 14 + 45 = 59 bytes: the NIC pads to the 60-byte minimum (plus maybe FCS). The padding must
     * not become payload, and the checksum must still be computed over the datagram only. */
    struct fb f = {.len = 0};
    PUT(&f, ETH);
    PUT(&f, ET_IP4);
    put_ip4_data(&f);
    const uint8_t pad[] = {0x00, 0xde, 0xad, 0xbe, 0xef}; /* 1 pad byte + a 4-byte FCS */
    PUT(&f, pad);
    struct ss_tcp_pkt p;
    struct ss_decode_stats st = {0};
    assert_int_equal(dec_full(DLT_EN10MB, &f, &p, &st), SS_DEC_TCP);
    assert_data_v4(&p);
    assert_int_equal(st.truncated_payload, 0);
}

static void test_checksum_bad_accepted(void **state)
{
    (void)state;
    struct fb f = {.len = 0};
    PUT(&f, ETH);
    PUT(&f, ET_IP4);
    put_ip4_data(&f);
    f.b[f.len - 1] ^= 0x20; /* "hellO": as if the capturing host's NIC computes checksums */
    struct ss_tcp_pkt p;
    struct ss_decode_stats st = {0};
    uint8_t pl[512];
    assert_int_equal(dec(DLT_EN10MB, &f, f.len, f.len, &p, &st, pl), SS_DEC_TCP);
    assert_true(p.csum_checked);
    assert_true(p.csum_bad);
    assert_int_equal(p.payload_len, 5);
    assert_memory_equal(pl, "hellO", 5);
    assert_int_equal(st.csum_bad, 1);
    assert_int_equal(st.tcp, 1);

    /* Same for IPv6: a wrong byte in the source address breaks the pseudo-header sum. */
    f.len = 0;
    put_ip6(&f, NULL, 0, 0);
    f.b[8 + 15] = 0x09;
    assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_TCP);
    assert_true(p.csum_bad);
    assert_int_equal(st.csum_bad, 2);
}

static void test_snaplen_truncation(void **state)
{
    (void)state;
    /* Captured up to 2 payload bytes of 5: the segment is still TCP, its payload short. */
    struct fb f = {.len = 0};
    PUT(&f, ETH);
    PUT(&f, ET_IP4);
    put_ip4_data(&f);
    struct ss_tcp_pkt p;
    struct ss_decode_stats st = {0};
    uint8_t pl[512];
    assert_int_equal(dec(DLT_EN10MB, &f, f.len - 3, f.len, &p, &st, pl), SS_DEC_TCP);
    assert_int_equal(p.payload_len, 2);
    assert_int_equal(p.wire_payload_len, 5);
    assert_memory_equal(pl, "he", 2);
    assert_false(p.csum_checked);
    assert_false(p.csum_bad);
    assert_int_equal(st.truncated_payload, 1);
    assert_int_equal(st.csum_bad, 0);
}

static void test_tso_zero_length(void **state)
{
    (void)state;
    /* A TSO super-segment captured on the sender: IPv4 total length 0, the frame is the length. */
    struct fb f = {.len = 0};
    PUT(&f, ETH);
    PUT(&f, ET_IP4);
    put_ip4_data(&f);
    f.b[14 + 2] = 0;
    f.b[14 + 3] = 0;
    struct ss_tcp_pkt p;
    struct ss_decode_stats st = {0};
    assert_int_equal(dec_full(DLT_EN10MB, &f, &p, &st), SS_DEC_TCP);
    assert_int_equal(p.payload_len, 5);
    assert_int_equal(p.wire_payload_len, 5);
    assert_false(p.csum_bad); /* the checksum in the fixture is right for these bytes */
    /* IPv6 payload length 0 (BIG TCP, jumbo option stripped) likewise. */
    f.len = 0;
    put_ip6(&f, NULL, 0, 0);
    f.b[IP6_PLEN_OFF] = f.b[IP6_PLEN_OFF + 1] = 0;
    assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_TCP);
    assert_data_v6(&p);
}

/* Every prefix of a good frame: with the true wire length it is snaplen truncation (MALFORMED
 * while headers are cut, then TCP with a short payload); with wire length = captured length the
 * IP length lies, which is MALFORMED. Never a read past the captured bytes (ASan). */
static void check_prefixes(int dlt, const struct fb *f, size_t hdr_len)
{
    for (size_t len = 0; len < f->len; len++) {
        struct ss_tcp_pkt p;
        struct ss_decode_stats st = {0};
        enum ss_decode_result r = dec(dlt, f, len, f->len, &p, &st, NULL);
        if (len < hdr_len) {
            assert_int_equal(r, SS_DEC_MALFORMED);
            assert_int_equal(st.malformed, 1);
        } else {
            assert_int_equal(r, SS_DEC_TCP);
            assert_int_equal(p.payload_len, len - hdr_len);
            assert_int_equal(p.wire_payload_len, f->len - hdr_len);
            assert_false(p.csum_checked);
            assert_int_equal(st.truncated_payload, 1);
        }
        r = dec(dlt, f, len, len, &p, &st, NULL);
        assert_int_equal(r, SS_DEC_MALFORMED);
    }
    struct ss_tcp_pkt p;
    struct ss_decode_stats st = {0};
    assert_int_equal(dec_full(dlt, f, &p, &st), SS_DEC_TCP);
    assert_int_equal(p.payload_len, f->len - hdr_len);
    assert_false(p.csum_bad);
}

static void test_truncated_every_length(void **state)
{
    (void)state;
    struct fb f = {.len = 0};
    PUT(&f, ETH);
    PUT(&f, VLAN_AD);
    PUT(&f, VLAN_Q);
    PUT(&f, ET_IP4);
    put_ip4_data(&f);
    check_prefixes(DLT_EN10MB, &f, 14 + 8 + 20 + 20);

    f.len = 0;
    PUT(&f, ETH);
    PUT(&f, ET_IP6);
    put_ip6(&f, IP6_EXT, sizeof IP6_EXT, 0);
    check_prefixes(DLT_EN10MB, &f, 14 + 40 + sizeof IP6_EXT + 20);

    f.len = 0;
    PUT(&f, SLL2_IP6);
    put_ip6(&f, NULL, 0, 0);
    check_prefixes(DLT_LINUX_SLL2, &f, 20 + 40 + 20);

    f.len = 0;
    PUT(&f, SLL_IP4);
    PUT(&f, IP4_SYN);
    check_prefixes(DLT_LINUX_SLL, &f, sizeof SLL_IP4 + sizeof IP4_SYN);

    f.len = 0;
    PUT(&f, NULL_INET_BE);
    put_ip4_data(&f);
    check_prefixes(DLT_NULL, &f, 4 + 40);
}

/* ---- checksum arithmetic ---- */

/* RFC 1071 the slow way: 16-bit big-endian words. */
static uint16_t ref_sum(const uint8_t *p, size_t len)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        s += (uint32_t)p[len - 1] << 8;
    while (s >> 16)
        s = (s & 0xFFFF) + (s >> 16);
    return (uint16_t)s;
}

static void test_csum_matches_reference(void **state)
{
    (void)state;
    uint8_t buf[300];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    for (size_t off = 0; off < 8; off++) {
        for (size_t len = 0; len + off <= sizeof buf; len += 7) {
            uint16_t got = ss_csum_fold(ss_csum_add(0, buf + off, len));
            /* Host-order sum: compare after putting the reference in memory order. */
            uint16_t ref = ref_sum(buf + off, len);
            uint8_t refb[2] = {(uint8_t)(ref >> 8), (uint8_t)ref};
            uint16_t ref_host;
            memcpy(&ref_host, refb, 2);
            /* 0x0000 and 0xFFFF are the same number in one's complement. */
            if (!((got == 0xFFFF || got == 0) && (ref_host == 0xFFFF || ref_host == 0)))
                assert_int_equal(got, ref_host);
        }
    }
    /* All-ones words make the end-around carry matter. */
    memset(buf, 0xFF, sizeof buf);
    assert_int_equal(ss_csum_fold(ss_csum_add(0, buf, 64)), 0xFFFF);
}

static void test_stats_accumulate(void **state)
{
    (void)state;
    struct ss_decode_stats st = {0};
    struct ss_tcp_pkt p;
    struct fb f = {.len = 0};
    put_ip4_data(&f);
    for (int i = 0; i < 3; i++)
        assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_TCP);
    f.len = 0;
    put_ip6(&f, NULL, 0, 0);
    assert_int_equal(dec_full(DLT_RAW, &f, &p, &st), SS_DEC_TCP);
    assert_int_equal(dec_full(DLT_PPP, &f, &p, &st), SS_DEC_UNSUPPORTED_LINK);
    assert_int_equal(st.frames, 5);
    assert_int_equal(st.tcp, 4);
    assert_int_equal(st.ipv6, 1);
    assert_int_equal(st.unsupported_link, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ether_ipv4),
        cmocka_unit_test(test_ether_vlan),
        cmocka_unit_test(test_ether_qinq),
        cmocka_unit_test(test_sll),
        cmocka_unit_test(test_sll2),
        cmocka_unit_test(test_null_loop),
        cmocka_unit_test(test_raw),
        cmocka_unit_test(test_unsupported_link),
        cmocka_unit_test(test_ipv4_options),
        cmocka_unit_test(test_ipv6_ext_headers),
        cmocka_unit_test(test_fragments),
        cmocka_unit_test(test_not_tcp),
        cmocka_unit_test(test_syn_wscale),
        cmocka_unit_test(test_tcp_bad_offset),
        cmocka_unit_test(test_ip_bad_lengths),
        cmocka_unit_test(test_ether_padding),
        cmocka_unit_test(test_checksum_bad_accepted),
        cmocka_unit_test(test_snaplen_truncation),
        cmocka_unit_test(test_tso_zero_length),
        cmocka_unit_test(test_truncated_every_length),
        cmocka_unit_test(test_csum_matches_reference),
        cmocka_unit_test(test_stats_accumulate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
