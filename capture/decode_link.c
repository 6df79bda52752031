/* SPDX-License-Identifier: MIT */
/* decode_link.c: link-layer headers (Ethernet + VLAN/QinQ, Linux SLL/SLL2, BSD NULL/LOOP, raw IP)
 * down to the start of the network header. Layouts as in tcpdump print-ether.c / print-sll.c /
 * print-null.c. */
#include "decode_priv.h"

#include "semiscope/rd.h"

#include <pcap/dlt.h>

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD
#define ETHERTYPE_8021Q 0x8100  /* C-tag */
#define ETHERTYPE_8021AD 0x88A8 /* S-tag (QinQ outer) */
#define ETHERTYPE_QINQ_OLD 0x9100 /* pre-standard QinQ outer tag */
#define ETHER_MAX_LEN_FIELD 1500 /* values up to this are an 802.3 length, not a type */

static enum ss_netproto ethertype_proto(uint16_t et)
{
    if (et == ETHERTYPE_IPV4)
        return SS_NET_IPV4;
    if (et == ETHERTYPE_IPV6)
        return SS_NET_IPV6;
    return SS_NET_OTHER;
}

static bool is_vlan_tpid(uint16_t et)
{
    return et == ETHERTYPE_8021Q || et == ETHERTYPE_8021AD || et == ETHERTYPE_QINQ_OLD;
}

static enum ss_decode_result link_ether(struct rd *r, struct ss_link *out)
{
    rd_skip(r, 12); /* destination MAC (6), source MAC (6) */
    uint16_t et = rd_be16(r);
    /* Each tag is TPID (already read as `et`) + 2 bytes TCI, then the next type. Stacks deeper
     * than two occur (provider bridging), so loop; the frame length bounds the loop. */
    while (!r->err && is_vlan_tpid(et)) {
        rd_skip(r, 2); /* TCI: PCP, DEI, VLAN id */
        et = rd_be16(r);
        out->vlan_tags++;
    }
    if (r->err)
        return SS_DEC_MALFORMED;
    out->proto = et <= ETHER_MAX_LEN_FIELD ? SS_NET_OTHER : ethertype_proto(et);
    return SS_DEC_TCP;
}

static enum ss_decode_result link_sll(struct rd *r, struct ss_link *out)
{
    /* packet type (2), ARPHRD type (2), address length (2), address (8), protocol (2) */
    rd_skip(r, 14);
    uint16_t proto = rd_be16(r);
    if (r->err)
        return SS_DEC_MALFORMED;
    out->proto = ethertype_proto(proto);
    return SS_DEC_TCP;
}

static enum ss_decode_result link_sll2(struct rd *r, struct ss_link *out)
{
    /* protocol (2), reserved (2), ifindex (4), ARPHRD type (2), packet type (1), addr len (1),
     * address (8) */
    uint16_t proto = rd_be16(r);
    rd_skip(r, 18);
    if (r->err)
        return SS_DEC_MALFORMED;
    out->proto = ethertype_proto(proto);
    return SS_DEC_TCP;
}

static enum ss_decode_result link_null(struct rd *r, struct ss_link *out)
{
    /* A 4-byte address family: host byte order of the capturing machine for DLT_NULL, network
     * order for DLT_LOOP — and files move between machines, so accept either: the family is
     * small, so a value with high bytes set was read in the wrong order. */
    uint32_t fam = rd_le32(r);
    if (r->err)
        return SS_DEC_MALFORMED;
    if (fam > 0xFFFF)
        fam = ((fam & 0xFF) << 24) | ((fam & 0xFF00) << 8) | ((fam >> 8) & 0xFF00) | (fam >> 24);
    switch (fam) {
    case 2: /* AF_INET everywhere */
        out->proto = SS_NET_IPV4;
        break;
    case 24: /* AF_INET6: NetBSD/OpenBSD */
    case 28: /* FreeBSD */
    case 30: /* macOS */
        out->proto = SS_NET_IPV6;
        break;
    default:
        out->proto = SS_NET_OTHER;
        break;
    }
    return SS_DEC_TCP;
}

enum ss_decode_result ss_decode_link(int dlt, const uint8_t *p, size_t caplen, struct ss_link *out)
{
    struct rd r = rd_init(p, caplen);
    enum ss_decode_result res;
    out->proto = SS_NET_OTHER;
    out->vlan_tags = 0;
    out->off = 0;
    switch (dlt) {
    case DLT_EN10MB:
        res = link_ether(&r, out);
        break;
    case DLT_LINUX_SLL:
        res = link_sll(&r, out);
        break;
    case DLT_LINUX_SLL2:
        res = link_sll2(&r, out);
        break;
    case DLT_NULL:
    case DLT_LOOP:
        res = link_null(&r, out);
        break;
    case DLT_RAW: /* 12, or 14 on OpenBSD */
    case SS_LINKTYPE_RAW:
        out->proto = SS_NET_IP_ANY;
        res = SS_DEC_TCP;
        break;
    case DLT_IPV4:
        out->proto = SS_NET_IPV4;
        res = SS_DEC_TCP;
        break;
    case DLT_IPV6:
        out->proto = SS_NET_IPV6;
        res = SS_DEC_TCP;
        break;
    default:
        return SS_DEC_UNSUPPORTED_LINK;
    }
    out->off = r.off;
    if (res == SS_DEC_TCP && out->proto == SS_NET_OTHER)
        return SS_DEC_NOT_IP;
    return res;
}
