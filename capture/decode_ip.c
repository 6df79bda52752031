/* SPDX-License-Identifier: MIT */
/* decode_ip.c: IPv4 and IPv6 headers (IPv6 extension headers skipped) down to the layer-4 window.
 * Layouts per RFC 791 and RFC 8200; length handling as in tcpdump print-ip.c / print-ip6.c. */
#include "decode_priv.h"

#include "semiscope/rd.h"

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_TCP_ 6
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_ 51
#define IPPROTO_NONE_ 59
#define IPPROTO_DSTOPTS_ 60

#define IPV4_MIN_HDR 20
#define IPV6_HDR 40
/* More extension headers than this is an attack or garbage, not traffic we analyse. */
#define IPV6_MAX_EXT_HDRS 16

/* Clip the layer-4 window to what the IP header says and what was captured. `l4_wire` is the
 * length the IP header claims (or, with len_from_frame, what the frame had). */
static enum ss_decode_result set_l4(struct rd *r, size_t l4_wire, size_t wire_left,
                                    struct ss_ip *out)
{
    size_t hdr_end = r->off;
    size_t cap_left = r->len - hdr_end;
    /* On the wire the frame had wire_left bytes from the IP header on; the IP datagram cannot be
     * longer than that unless the header lies. (Shorter is link padding: dropped below.) */
    if (wire_left < hdr_end || l4_wire > wire_left - hdr_end)
        return SS_DEC_MALFORMED;
    if (l4_wire > UINT32_MAX)
        return SS_DEC_MALFORMED;
    out->l4 = rd_ptr(r);
    out->l4_wirelen = (uint32_t)l4_wire;
    out->l4_caplen = (uint32_t)(cap_left < l4_wire ? cap_left : l4_wire);
    return SS_DEC_TCP;
}

static enum ss_decode_result decode_ipv4(struct rd *r, size_t wire_left, struct ss_ip *out)
{
    uint8_t vihl = rd_u8(r);              /* version (4 bits), IHL in 32-bit words (4 bits) */
    rd_skip(r, 1);                        /* DSCP/ECN */
    uint16_t total = rd_be16(r);          /* total length, header included */
    rd_skip(r, 2);                        /* identification */
    uint16_t frag = rd_be16(r);           /* flags (3 bits) + fragment offset (13 bits) */
    rd_skip(r, 1);                        /* TTL */
    out->proto = rd_u8(r);                /* protocol */
    rd_skip(r, 2);                        /* header checksum (not verified: routers fix it) */
    const uint8_t *src = rd_ptr(r);
    rd_skip(r, 4);
    const uint8_t *dst = rd_ptr(r);
    rd_skip(r, 4);
    if (r->err || (vihl >> 4) != 4)
        return SS_DEC_MALFORMED;
    size_t ihl = (size_t)(vihl & 0x0F) * 4;
    if (ihl < IPV4_MIN_HDR)
        return SS_DEC_MALFORMED;
    rd_skip(r, ihl - IPV4_MIN_HDR); /* options */
    if (r->err)
        return SS_DEC_MALFORMED;
    out->version = 4;
    out->src = src;
    out->dst = dst;

    size_t l4_wire;
    if (total == 0) {
        /* A capture on the sending host of a TSO/GSO super-segment (or IPv4 BIG TCP) has total
         * length 0: the NIC fills it in. The frame itself is the only length there is. */
        if (wire_left < ihl)
            return SS_DEC_MALFORMED;
        l4_wire = wire_left - ihl;
        out->len_from_frame = true;
    } else {
        if (total < ihl)
            return SS_DEC_MALFORMED;
        l4_wire = total - ihl;
    }
    /* MF set or a non-zero offset: a piece of a datagram we do not reassemble. */
    if ((frag & 0x3FFF) != 0)
        return SS_DEC_FRAGMENT;
    enum ss_decode_result res = set_l4(r, l4_wire, wire_left, out);
    if (res != SS_DEC_TCP)
        return res;
    return out->proto == IPPROTO_TCP_ ? SS_DEC_TCP : SS_DEC_NOT_TCP;
}

/* Walk the extension header chain starting with next-header `nh`; leaves `r` at the layer-4
 * header and the protocol in out->proto. */
static enum ss_decode_result ipv6_ext_headers(struct rd *r, uint8_t nh, struct ss_ip *out)
{
    for (unsigned i = 0; i <= IPV6_MAX_EXT_HDRS; i++) {
        size_t len;
        switch (nh) {
        case IPPROTO_ROUTING_: {
            uint8_t next = rd_u8(r);          /* next header */
            len = ((size_t)rd_u8(r) + 1) * 8; /* length in 8-octet units, not counting the first */
            rd_skip(r, 1);                    /* routing type */
            /* With segments left, the TCP pseudo-header uses the final destination, which is not
             * the header's: the checksum cannot be judged from here. */
            if (rd_u8(r) != 0)
                out->final_dst_unknown = true;
            rd_skip(r, len - 4);
            nh = next;
            break;
        }
        case IPPROTO_HOPOPTS_:
        case IPPROTO_DSTOPTS_: {
            uint8_t next = rd_u8(r);          /* next header */
            len = ((size_t)rd_u8(r) + 1) * 8; /* length in 8-octet units, not counting the first */
            rd_skip(r, len - 2);
            nh = next;
            break;
        }
        case IPPROTO_AH_: {
            uint8_t next = rd_u8(r);          /* next header */
            len = ((size_t)rd_u8(r) + 2) * 4; /* payload length in 4-octet units, minus 2 */
            rd_skip(r, len - 2);
            nh = next;
            break;
        }
        case IPPROTO_FRAGMENT_: {
            uint8_t next = rd_u8(r);          /* next header */
            rd_skip(r, 1);                    /* reserved */
            uint16_t off_m = rd_be16(r);      /* offset (13 bits), reserved (2), M flag (1) */
            rd_skip(r, 4);                    /* identification */
            if (r->err)
                return SS_DEC_MALFORMED;
            /* An "atomic fragment" (offset 0, M clear; RFC 6946) is a whole datagram. */
            if ((off_m & 0xFFF9) != 0)
                return SS_DEC_FRAGMENT;
            nh = next;
            break;
        }
        default:
            if (r->err)
                return SS_DEC_MALFORMED;
            out->proto = nh;
            return SS_DEC_TCP;
        }
        if (r->err)
            return SS_DEC_MALFORMED;
    }
    return SS_DEC_MALFORMED;
}

static enum ss_decode_result decode_ipv6(struct rd *r, size_t wire_left, struct ss_ip *out)
{
    uint8_t v = rd_u8(r);         /* version (4 bits), traffic class high bits */
    rd_skip(r, 3);                /* traffic class low bits, flow label */
    uint16_t plen = rd_be16(r);   /* payload length: everything after the fixed header */
    uint8_t nh = rd_u8(r);        /* next header */
    rd_skip(r, 1);                /* hop limit */
    const uint8_t *src = rd_ptr(r);
    rd_skip(r, 16);
    const uint8_t *dst = rd_ptr(r);
    rd_skip(r, 16);
    if (r->err || (v >> 4) != 6)
        return SS_DEC_MALFORMED;
    out->version = 6;
    out->src = src;
    out->dst = dst;

    size_t payload_wire;
    if (plen == 0 && nh != IPPROTO_NONE_) {
        /* Jumbogram or an IPv6 BIG TCP / GSO segment seen on the sending host: the kernel strips
         * the jumbo option before the tap, so the frame is the only length there is. */
        if (wire_left < IPV6_HDR)
            return SS_DEC_MALFORMED;
        payload_wire = wire_left - IPV6_HDR;
        out->len_from_frame = true;
    } else {
        payload_wire = plen;
    }
    /* Extension headers count towards the payload length; parse them inside that window (or the
     * captured bytes, whichever is shorter) so a lying header cannot walk into link padding. */
    size_t cap_left = r->len - r->off;
    struct rd ext = rd_init(rd_ptr(r), cap_left < payload_wire ? cap_left : payload_wire);
    enum ss_decode_result res = ipv6_ext_headers(&ext, nh, out);
    if (res != SS_DEC_TCP)
        return res;
    rd_skip(r, ext.off);
    res = set_l4(r, payload_wire - ext.off, wire_left, out);
    if (res != SS_DEC_TCP)
        return res;
    return out->proto == IPPROTO_TCP_ ? SS_DEC_TCP : SS_DEC_NOT_TCP;
}

enum ss_decode_result ss_decode_ip(enum ss_netproto proto, const uint8_t *p, size_t caplen,
                                   size_t wire_left, struct ss_ip *out)
{
    struct rd r = rd_init(p, caplen);
    out->version = 0;
    out->proto = 0;
    out->len_from_frame = false;
    out->final_dst_unknown = false;
    out->l4 = NULL;
    out->l4_caplen = out->l4_wirelen = 0;
    if (proto == SS_NET_IP_ANY) {
        struct rd peek = r;
        uint8_t ver = rd_u8(&peek) >> 4; /* version nibble, common to both headers */
        if (peek.err)
            return SS_DEC_MALFORMED;
        proto = ver == 4 ? SS_NET_IPV4 : ver == 6 ? SS_NET_IPV6 : SS_NET_OTHER;
    }
    switch (proto) {
    case SS_NET_IPV4:
        return decode_ipv4(&r, wire_left, out);
    case SS_NET_IPV6:
        return decode_ipv6(&r, wire_left, out);
    case SS_NET_IP_ANY:
    case SS_NET_OTHER:
        break;
    }
    return SS_DEC_NOT_IP;
}
