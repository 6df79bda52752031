/* SPDX-License-Identifier: MIT */
/* semisync.c: the semisync pieces of a dump connection — the EF xx header in front of each event
 * packet (where the event starts) and the replica's ack (EF + u64 position + file name).
 * Reference: protocol.md §5.1, §6.1, §6.4. */
#include "mysql_conn_priv.h"

#include "semiscope/rd.h"

/* The file-name limit the source enforces (FN_REFLEN). */
#define SS_ACK_NAME_MAX 511

bool ss_ack_parse(const uint8_t *p, size_t n, uint64_t total, struct ss_ack *a,
                  struct ss_anomalies *an)
{
    memset(a, 0, sizeof(*a));
    a->len = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
    struct rd r = rd_init(p, n);
    uint8_t magic = rd_u8(&r);
    a->pos = rd_le64(&r);
    if (r.err || magic != SS_SEMISYNC_MAGIC) {
        /* Shorter than EF + position, or not an ack at all: the source rejects it too. */
        ss_anomaly_add(an, SS_AN_ACK_MALFORMED, 1);
        return false;
    }
    uint64_t name_len = total - 9;
    size_t have = rd_left(&r);
    bool printable = have > 0 && have == name_len;
    for (size_t i = 0; i < have; i++)
        if (rd_ptr(&r)[i] < 0x21 || rd_ptr(&r)[i] > 0x7e)
            printable = false;
    /* Unprintable bytes are shown as '.'. */
    if (!ss_text_copy(a->file, sizeof(a->file), rd_ptr(&r), have))
        ss_anomaly_add(an, SS_AN_FILENAME_TRUNCATED, 1);
    /* An empty or unprintable name, or one longer than the source accepts, is some other variant
     * (e.g. MariaDB's development GTID ack): keep it, but do not claim it is a position ack. */
    if (!printable || name_len > SS_ACK_NAME_MAX) {
        ss_anomaly_add(an, SS_AN_ACK_UNKNOWN_VARIANT, 1);
        return false;
    }
    a->well_formed = true;
    return true;
}

/* Does the event header at `off` announce a size that fills the rest of a `total`-byte payload? */
static bool size_fits(const uint8_t *p, size_t n, uint64_t total, unsigned off)
{
    if (total == 0 || n < off + 13 || total < (uint64_t)off + SS_BINLOG_HEADER_LEN)
        return false;
    struct rd r = rd_init(p + off + 9, 4);
    return rd_le32(&r) == total - off;
}

unsigned ss_semisync_event_offset(const uint8_t *p, size_t n, uint64_t total, int mode,
                                  bool *size_ok)
{
    bool magic = n >= 3 && p[1] == SS_SEMISYNC_MAGIC;
    bool fit3 = magic && size_fits(p, n, total, 3);
    bool fit1 = size_fits(p, n, total, 1);
    *size_ok = true;
    /* Both readings agree with the length only when 0xEF is also a timestamp's low byte and the
     * sizes happen to line up: trust what the stream showed so far. */
    if (fit3 && fit1)
        return mode == 0 ? 1 : 3;
    if (fit3)
        return 3;
    if (fit1)
        return 1;
    /* Nothing fits (a size mismatch, or the length is not known yet because the packet is
     * continued past 16 MiB): fall back on the stream's mode, then on the magic byte. */
    *size_ok = false;
    if (mode == 1 && magic)
        return 3;
    if (mode == 0)
        return 1;
    return magic && n >= 3 && (p[2] & ~0x03) == 0 ? 3 : 1;
}
