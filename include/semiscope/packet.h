/* SPDX-License-Identifier: MIT */
/* packet.h: a captured frame, and the decoded link/IP/TCP view of it.
 * Reference: tcpdump print-ether.c / print-ip.c / print-tcp.c for the layouts. */
#ifndef SEMISCOPE_PACKET_H
#define SEMISCOPE_PACKET_H

#include "semiscope/common.h"

/* A frame as the capture source yields it. `data` is borrowed until the next ss_capture_next. */
struct ss_frame {
    uint64_t ts_ns;   /* capture time, ns since the epoch */
    uint64_t number;  /* 1-based frame number over the whole (merged) capture, as in Wireshark */
    int dlt;          /* libpcap link type (DLT_*) of this frame's file or interface */
    uint32_t caplen;  /* bytes captured */
    uint32_t wirelen; /* bytes on the wire */
    const uint8_t *data;
};

/* An IPv4 or IPv6 address; IPv4 uses the first 4 bytes of `b`, the rest zero. */
struct ss_addr {
    uint8_t family; /* 4 or 6 */
    uint8_t b[16];
};

struct ss_endpoint {
    struct ss_addr addr;
    uint16_t port;
};

#define SS_ENDPOINT_STRLEN 56 /* "[v6]:port" with NUL */
/* "10.0.0.1:3306" or "[2001:db8::1]:3306"; returns buf. */
char *ss_endpoint_str(const struct ss_endpoint *e, char *buf, size_t bufsz);
/* "10.0.0.1" or "2001:db8::1"; returns buf. */
char *ss_addr_str(const struct ss_addr *a, char *buf, size_t bufsz);
bool ss_addr_eq(const struct ss_addr *a, const struct ss_addr *b);
bool ss_endpoint_eq(const struct ss_endpoint *a, const struct ss_endpoint *b);

/* TCP flag bits, as in the header. */
#define SS_TCP_FIN 0x01
#define SS_TCP_SYN 0x02
#define SS_TCP_RST 0x04
#define SS_TCP_PSH 0x08
#define SS_TCP_ACK 0x10
#define SS_TCP_URG 0x20

/* A decoded TCP segment. Pointers borrow from the frame. */
struct ss_tcp_pkt {
    uint64_t ts_ns;
    uint64_t frame;
    struct ss_endpoint src, dst;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t window;        /* raw, unscaled */
    int8_t wscale;          /* window-scale option on a SYN, -1 if absent */
    const uint8_t *payload; /* captured payload bytes */
    uint32_t payload_len;   /* captured payload length (may be < wire_payload_len: snaplen) */
    uint32_t wire_payload_len; /* payload length per the IP header */
    bool csum_bad;          /* TCP checksum verified and wrong (offload on the capturing host) */
    bool csum_checked;      /* false when the segment was truncated and could not be verified */
};

/* Why a frame did not yield a TCP segment: each has a counter in ss_decode_stats. */
enum ss_decode_result {
    SS_DEC_TCP = 0,
    SS_DEC_NOT_IP,          /* ARP, LLDP, …: counted and skipped */
    SS_DEC_NOT_TCP,         /* UDP, ICMP, …: counted and skipped */
    SS_DEC_FRAGMENT,        /* IP fragment: counted and skipped */
    SS_DEC_MALFORMED,       /* truncated or inconsistent header */
    SS_DEC_UNSUPPORTED_LINK,
};

struct ss_decode_stats {
    uint64_t frames;
    uint64_t tcp;
    uint64_t not_ip;
    uint64_t not_tcp;
    uint64_t fragments;
    uint64_t malformed;
    uint64_t unsupported_link;
    uint64_t truncated_payload; /* caplen shorter than the IP length said */
    uint64_t csum_bad;
    uint64_t ipv6;
    uint64_t vlan_tags;
};

/* Decode link, IP and TCP headers of one frame into `out`. Never fails hard: the result says what
 * the frame was and the matching counter in `st` is bumped. `out` borrows from `fr->data`. */
enum ss_decode_result ss_decode_frame(const struct ss_frame *fr, struct ss_tcp_pkt *out,
                                      struct ss_decode_stats *st);

#endif
