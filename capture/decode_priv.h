/* SPDX-License-Identifier: MIT */
/* decode_priv.h: the stages of ss_decode_frame (link → IP → TCP) and the checksum helper, shared by
 * decode_link.c, decode_ip.c, decode_tcp.c and their white-box tests. Not part of the public API. */
#ifndef SEMISCOPE_DECODE_PRIV_H
#define SEMISCOPE_DECODE_PRIV_H

#include "semiscope/common.h"
#include "semiscope/packet.h"

/* LINKTYPE_RAW as written in pcap files. libpcap maps it to DLT_RAW when reading, but a frame built
 * from the file header by hand (a fuzzer, another reader) may still carry 101. */
#define SS_LINKTYPE_RAW 101

/* What the link layer carries. */
enum ss_netproto {
    SS_NET_OTHER = 0, /* not IP (ARP, LLDP, 802.3 LLC, …) */
    SS_NET_IPV4,
    SS_NET_IPV6,
    SS_NET_IP_ANY,    /* raw IP without a type field: the version nibble decides */
};

/* Result of the link-layer stage: where the network header starts. */
struct ss_link {
    enum ss_netproto proto;
    size_t off;         /* offset of the network header in the frame */
    unsigned vlan_tags; /* 802.1Q/802.1ad tags skipped */
};

/* Returns SS_DEC_TCP to mean "continue with the network layer", or the final result. */
enum ss_decode_result ss_decode_link(int dlt, const uint8_t *p, size_t caplen, struct ss_link *out);

/* Result of the IP stage: the layer-4 window inside the captured bytes. */
struct ss_ip {
    uint8_t version;      /* 4 or 6 */
    uint8_t proto;        /* next protocol after all IPv6 extension headers */
    const uint8_t *src, *dst; /* address bytes inside the frame (4 or 16 by version) */
    const uint8_t *l4;    /* first byte of the layer-4 header */
    uint32_t l4_caplen;   /* captured layer-4 bytes, link padding excluded */
    uint32_t l4_wirelen;  /* layer-4 length according to the IP header */
    bool len_from_frame;  /* IP length was 0 (TSO / BIG TCP): length taken from the frame */
    bool final_dst_unknown; /* IPv6 routing header with segments left: no checksum verdict */
};

/* `p`/`caplen` start at the network header; `wire_left` is how many bytes the frame had on the
 * wire from there (to tell snaplen truncation from a lying length field). Returns SS_DEC_TCP to
 * continue with TCP, or the final result. */
enum ss_decode_result ss_decode_ip(enum ss_netproto proto, const uint8_t *p, size_t caplen,
                                   size_t wire_left, struct ss_ip *out);

/* One's complement sum (RFC 1071) of `len` bytes, accumulated onto `sum` in host byte order;
 * `p` may be unaligned. Chunks must start at even offsets of the summed stream. Fold with
 * ss_csum_fold. */
uint64_t ss_csum_add(uint64_t sum, const uint8_t *p, size_t len);
uint16_t ss_csum_fold(uint64_t sum);

/* True when the TCP segment `seg` (the full segment, header included) sums to zero together with
 * the IPv4/IPv6 pseudo-header of `ip`. */
bool ss_tcp_csum_ok(const struct ss_ip *ip, const uint8_t *seg, uint32_t len);

#endif
