/* SPDX-License-Identifier: MIT */
/* decode_tcp.c: ss_decode_frame — link, IP and TCP headers of one frame into an ss_tcp_pkt, with
 * the TCP checksum verified over the pseudo-header. Hot path: no allocation, no copy of payload. */
#include "decode_priv.h"

#include "semiscope/rd.h"

#include <string.h>

#define TCP_MIN_HDR 20
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_WSCALE 3
#define TCP_MAX_WSCALE 14 /* RFC 7323: larger shifts are treated as 14 */

uint64_t ss_csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
    /* The one's complement sum is independent of word size and byte order (RFC 1071 §2), so
     * add 32-bit halves of 64-bit loads into 64-bit accumulators: no carry to propagate until the
     * fold (each step adds < 2^33: 2^31 steps, 16 GiB, before 64 bits could overflow), and two
     * chains keep the CPU busy. */
    uint64_t s2 = 0;
    while (len >= 16) {
        uint64_t w, x;
        memcpy(&w, p, 8);
        memcpy(&x, p + 8, 8);
        sum += (w & 0xFFFFFFFFu) + (w >> 32);
        s2 += (x & 0xFFFFFFFFu) + (x >> 32);
        p += 16;
        len -= 16;
    }
    if (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        sum += (w & 0xFFFFFFFFu) + (w >> 32);
        p += 8;
        len -= 8;
    }
    sum = (sum & 0xFFFFFFFFu) + (sum >> 32) + (s2 & 0xFFFFFFFFu) + (s2 >> 32);
    /* The tail in fixed-size steps (a variable-length copy would be a libc call per packet);
     * an odd last byte is padded with a zero after it, in memory order. */
    if (len >= 4) {
        uint32_t v;
        memcpy(&v, p, 4);
        sum += v;
        p += 4;
        len -= 4;
    }
    if (len >= 2) {
        uint16_t v;
        memcpy(&v, p, 2);
        sum += v;
        p += 2;
        len -= 2;
    }
    if (len) {
        const uint8_t last[2] = {p[0], 0};
        uint16_t v;
        memcpy(&v, last, 2);
        sum += v;
    }
    return sum;
}

uint16_t ss_csum_fold(uint64_t sum)
{
    sum = (sum & 0xFFFFFFFFu) + (sum >> 32);
    sum = (sum & 0xFFFFFFFFu) + (sum >> 32);
    sum = (sum & 0xFFFF) + (sum >> 16);
    sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)sum;
}

bool ss_tcp_csum_ok(const struct ss_ip *ip, const uint8_t *seg, uint32_t len)
{
    /* Pseudo-header built in network byte order so it sums exactly like the segment does:
     * IPv4 (RFC 793): src, dst, zero, proto, TCP length (16 bits).
     * IPv6 (RFC 8200 §8.1): src, dst, upper-layer length (32 bits), 3 zero bytes, next header. */
    uint8_t ph[40] = {0};
    size_t n;
    if (ip->version == 4) {
        memcpy(ph, ip->src, 4);
        memcpy(ph + 4, ip->dst, 4);
        ph[9] = 6;
        ph[10] = (uint8_t)(len >> 8);
        ph[11] = (uint8_t)len;
        n = 12;
    } else {
        memcpy(ph, ip->src, 16);
        memcpy(ph + 16, ip->dst, 16);
        ph[32] = (uint8_t)(len >> 24);
        ph[33] = (uint8_t)(len >> 16);
        ph[34] = (uint8_t)(len >> 8);
        ph[35] = (uint8_t)len;
        ph[39] = 6;
        n = 40;
    }
    uint64_t sum = ss_csum_add(0, ph, n);
    sum = ss_csum_add(sum, seg, len);
    return ss_csum_fold(sum) == 0xFFFF;
}

/* Options: only window scale matters to us (it tells the reader how to interpret windows). */
static void tcp_options(struct rd o, struct ss_tcp_pkt *out)
{
    while (rd_left(&o) > 0) {
        uint8_t kind = rd_u8(&o);
        if (kind == TCPOPT_EOL)
            return;
        if (kind == TCPOPT_NOP)
            continue;
        uint8_t len = rd_u8(&o); /* includes kind and length bytes */
        if (o.err || len < 2)
            return;
        struct rd v = rd_sub(&o, (size_t)len - 2);
        if (o.err)
            return;
        if (kind == TCPOPT_WSCALE && len == 3 && (out->flags & SS_TCP_SYN)) {
            uint8_t shift = rd_u8(&v);
            out->wscale = (int8_t)(shift > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : shift);
        }
    }
}

static void set_addr(struct ss_addr *a, uint8_t version, const uint8_t *b)
{
    /* Copy straight from the frame; IPv4 keeps the documented zero tail for ss_addr_eq/hashing. */
    a->family = version;
    if (version == 4) {
        memcpy(a->b, b, 4);
        memset(a->b + 4, 0, 12);
    } else {
        memcpy(a->b, b, 16);
    }
}

static enum ss_decode_result decode_tcp(const struct ss_ip *ip, struct ss_tcp_pkt *out,
                                        struct ss_decode_stats *st)
{
    struct rd r = rd_init(ip->l4, ip->l4_caplen);
    set_addr(&out->src.addr, ip->version, ip->src);
    set_addr(&out->dst.addr, ip->version, ip->dst);
    out->src.port = rd_be16(&r);      /* source port */
    out->dst.port = rd_be16(&r);      /* destination port */
    out->seq = rd_be32(&r);           /* sequence number */
    out->ack = rd_be32(&r);           /* acknowledgment number */
    uint8_t doff = rd_u8(&r) >> 4;    /* data offset in 32-bit words (4 bits), reserved */
    out->flags = rd_u8(&r) & 0x3F;    /* CWR/ECE (dropped), URG ACK PSH RST SYN FIN */
    out->window = rd_be16(&r);        /* window, unscaled */
    rd_skip(&r, 4);                   /* checksum (verified over the whole segment), urgent ptr */
    size_t hlen = (size_t)doff * 4;
    if (r.err || hlen < TCP_MIN_HDR || hlen > ip->l4_wirelen)
        return SS_DEC_MALFORMED;
    struct rd opts = rd_sub(&r, hlen - TCP_MIN_HDR);
    if (r.err)
        return SS_DEC_MALFORMED; /* options cut off by the snaplen */
    out->wscale = -1;
    tcp_options(opts, out);

    out->payload = rd_ptr(&r);
    out->payload_len = (uint32_t)rd_left(&r);
    out->wire_payload_len = ip->l4_wirelen - (uint32_t)hlen;
    out->csum_bad = false;
    bool whole = ip->l4_caplen == ip->l4_wirelen;
    if (!whole)
        st->truncated_payload++;
    out->csum_checked = whole && !ip->final_dst_unknown;
    if (out->csum_checked) {
        out->csum_bad = !ss_tcp_csum_ok(ip, ip->l4, ip->l4_caplen);
        st->csum_bad += out->csum_bad;
    }
    return SS_DEC_TCP;
}

static void count(struct ss_decode_stats *st, enum ss_decode_result res)
{
    switch (res) {
    case SS_DEC_TCP: st->tcp++; break;
    case SS_DEC_NOT_IP: st->not_ip++; break;
    case SS_DEC_NOT_TCP: st->not_tcp++; break;
    case SS_DEC_FRAGMENT: st->fragments++; break;
    case SS_DEC_MALFORMED: st->malformed++; break;
    case SS_DEC_UNSUPPORTED_LINK: st->unsupported_link++; break;
    }
}

static enum ss_decode_result decode(const struct ss_frame *fr, struct ss_tcp_pkt *out,
                                    struct ss_decode_stats *st)
{
    struct ss_link link;
    enum ss_decode_result res = ss_decode_link(fr->dlt, fr->data, fr->caplen, &link);
    if (res != SS_DEC_TCP)
        return res;
    st->vlan_tags += link.vlan_tags;
    /* Some writers record wirelen < caplen; the captured bytes were on the wire regardless. */
    size_t wire = fr->wirelen > fr->caplen ? fr->wirelen : fr->caplen;
    struct ss_ip ip;
    res = ss_decode_ip(link.proto, fr->data + link.off, fr->caplen - link.off, wire - link.off,
                       &ip);
    if (ip.version == 6 && res != SS_DEC_MALFORMED)
        st->ipv6++;
    if (res != SS_DEC_TCP)
        return res;
    return decode_tcp(&ip, out, st);
}

enum ss_decode_result ss_decode_frame(const struct ss_frame *fr, struct ss_tcp_pkt *out,
                                      struct ss_decode_stats *st)
{
    out->ts_ns = fr->ts_ns;
    out->frame = fr->number;
    enum ss_decode_result res = decode(fr, out, st);
    st->frames++;
    count(st, res);
    return res;
}
