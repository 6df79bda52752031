/* SPDX-License-Identifier: MIT */
/* decode_fixtures.h: annotated link, IP and TCP header fixtures for the decoder tests (one comment
 * per field). Included by test_decode.c only; each array is used there. */
#ifndef SEMISCOPE_TEST_DECODE_FIXTURES_H
#define SEMISCOPE_TEST_DECODE_FIXTURES_H

#include <stdint.h>

/* ---- fixtures: network and transport headers, reused behind every link type ---- */

/* IPv4 10.0.0.1 -> 10.0.0.2, TCP 3306 -> 54321, PSH|ACK, payload "hello" (45 bytes). */
static const uint8_t IP4_DATA[] = {
    0x45,                   /* version 4, IHL 5 (20 bytes) */
    0x00,                   /* DSCP/ECN */
    0x00, 0x2d,             /* total length 45 */
    0x12, 0x34,             /* identification */
    0x40, 0x00,             /* flags DF, fragment offset 0 */
    0x40,                   /* TTL 64 */
    0x06,                   /* protocol TCP */
    0x14, 0x95,             /* header checksum */
    0x0a, 0x00, 0x00, 0x01, /* source 10.0.0.1 */
    0x0a, 0x00, 0x00, 0x02, /* destination 10.0.0.2 */
};
static const uint8_t TCP_DATA[] = {
    0x0c, 0xea,             /* source port 3306 */
    0xd4, 0x31,             /* destination port 54321 */
    0x00, 0x00, 0x03, 0xe8, /* sequence 1000 */
    0x00, 0x00, 0x07, 0xd0, /* acknowledgment 2000 */
    0x50,                   /* data offset 5 (20 bytes) */
    0x18,                   /* flags PSH|ACK */
    0x01, 0xf5,             /* window 501 */
    0x69, 0x2a,             /* checksum (over the IPv4 pseudo-header) */
    0x00, 0x00,             /* urgent pointer */
    'h', 'e', 'l', 'l', 'o' /* payload */
};
#define TCP_DATA_CSUM_V6_HI 0x21 /* the same segment's checksum over the IPv6 pseudo-header */
#define TCP_DATA_CSUM_V6_LO 0xb8

/* IPv4 10.0.0.2 -> 10.0.0.1, SYN with options (52 bytes). */
static const uint8_t IP4_SYN[] = {
    0x45, 0x00, 0x00, 0x34, /* version 4, IHL 5, DSCP, total length 52 */
    0x12, 0x35, 0x40, 0x00, /* identification, DF */
    0x40, 0x06, 0x14, 0x8d, /* TTL 64, TCP, header checksum */
    0x0a, 0x00, 0x00, 0x02, /* source 10.0.0.2 */
    0x0a, 0x00, 0x00, 0x01, /* destination 10.0.0.1 */
    0xd4, 0x31,             /* source port 54321 */
    0x0c, 0xea,             /* destination port 3306 */
    0x11, 0x22, 0x33, 0x44, /* sequence */
    0x00, 0x00, 0x00, 0x00, /* acknowledgment */
    0x80,                   /* data offset 8 (32 bytes: 12 of options) */
    0x02,                   /* flags SYN */
    0xfa, 0xf0,             /* window 64240 */
    0x3a, 0x9c,             /* checksum */
    0x00, 0x00,             /* urgent pointer */
    0x02, 0x04, 0x05, 0xb4, /* MSS 1460 */
    0x04, 0x02,             /* SACK permitted */
    0x01,                   /* NOP */
    0x03, 0x03, 0x07,       /* window scale 7 */
    0x01, 0x01,             /* NOP NOP */
};
#define IP4_SYN_WSCALE_OFF 49 /* offset of the window-scale shift in IP4_SYN */
#define IP4_SYN_FLAGS_OFF 33

/* IPv6 2001:db8::1 -> 2001:db8::2, next header TCP, payload length 25. */
static const uint8_t IP6_HDR[] = {
    0x60, 0x00, 0x00, 0x00, /* version 6, traffic class 0, flow label 0 */
    0x00, 0x19,             /* payload length 25 */
    0x06,                   /* next header TCP */
    0x40,                   /* hop limit 64 */
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, /* source 2001:db8::1 */
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, /* dest 2001:db8::2 */
};
#define IP6_PLEN_OFF 4
#define IP6_NH_OFF 6

/* IPv6 extension header chain: hop-by-hop -> destination options -> routing -> AH -> TCP. */
static const uint8_t IP6_EXT[] = {
    /* hop-by-hop options (8 bytes) */
    0x3c,                               /* next header: destination options (60) */
    0x00,                               /* length 0: 8 bytes */
    0x01, 0x04, 0x00, 0x00, 0x00, 0x00, /* PadN, 4 bytes */
    /* destination options (8 bytes) */
    0x2b,                               /* next header: routing (43) */
    0x00,                               /* length 0: 8 bytes */
    0x01, 0x04, 0x00, 0x00, 0x00, 0x00, /* PadN */
    /* routing header (8 bytes) */
    0x33,                               /* next header: AH (51) */
    0x00,                               /* length 0: 8 bytes */
    0xfd,                               /* routing type 253 (experimental) */
    0x00,                               /* segments left 0: destination is final */
    0x00, 0x00, 0x00, 0x00,             /* type-specific data */
    /* authentication header (24 bytes) */
    0x06,                               /* next header TCP */
    0x04,                               /* payload length 4: (4+2)*4 = 24 bytes */
    0x00, 0x00,                         /* reserved */
    0x00, 0x00, 0x10, 0x00,             /* SPI */
    0x00, 0x00, 0x00, 0x01,             /* sequence number */
    0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, /* ICV (96 bits) */
};
#define IP6_EXT_ROUTING_SEGLEFT_OFF 19

/* IPv6 fragment header (8 bytes) before TCP. */
static const uint8_t IP6_FRAG[] = {
    0x06,                   /* next header TCP */
    0x00,                   /* reserved */
    0x00, 0x01,             /* fragment offset 0, M = 1 */
    0xde, 0xad, 0xbe, 0xef, /* identification */
};

/* ---- link headers ---- */

static const uint8_t ETH[] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* destination MAC */
    0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* source MAC */
};
static const uint8_t ET_IP4[] = {0x08, 0x00}; /* ethertype IPv4 */
static const uint8_t ET_IP6[] = {0x86, 0xdd}; /* ethertype IPv6 */
static const uint8_t VLAN_Q[] = {0x81, 0x00, 0x20, 0x64}; /* TPID 802.1Q, PCP 1, VID 100 */
static const uint8_t VLAN_AD[] = {0x88, 0xa8, 0x00, 0x0a}; /* TPID 802.1ad (S-tag), VID 10 */
static const uint8_t VLAN_91[] = {0x91, 0x00, 0x00, 0x0b}; /* TPID 0x9100 (old QinQ), VID 11 */

static const uint8_t SLL_IP4[] = {
    0x00, 0x00,                                     /* packet type: to us */
    0x00, 0x01,                                     /* ARPHRD_ETHER */
    0x00, 0x06,                                     /* address length 6 */
    0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x00, /* address, padded to 8 */
    0x08, 0x00,                                     /* protocol IPv4 */
};
static const uint8_t SLL2_IP6[] = {
    0x86, 0xdd,                                     /* protocol IPv6 */
    0x00, 0x00,                                     /* reserved */
    0x00, 0x00, 0x00, 0x02,                         /* interface index 2 */
    0x00, 0x01,                                     /* ARPHRD_ETHER */
    0x04,                                           /* packet type: outgoing */
    0x06,                                           /* address length 6 */
    0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x00, /* address, padded to 8 */
};
static const uint8_t NULL_INET_LE[] = {0x02, 0x00, 0x00, 0x00};  /* AF_INET, little-endian host */
static const uint8_t NULL_INET_BE[] = {0x00, 0x00, 0x00, 0x02};  /* AF_INET, big-endian host */

#endif
