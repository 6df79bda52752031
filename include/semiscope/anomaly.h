/* SPDX-License-Identifier: MIT */
/* anomaly.h: every kind of malformed or surprising traffic semiscope counts. Malformed traffic is
 * data, never an error: each stage bumps a counter here and keeps going; the report lists them all.
 * Names (ss_anomaly_name) are the keys of the JSON report's `anomalies` object: keep them stable. */
#ifndef SEMISCOPE_ANOMALY_H
#define SEMISCOPE_ANOMALY_H

#include "semiscope/common.h"

#define SS_ANOMALY_LIST(X)                                                                         \
    /* framing (decode/mysql_frame*.c) */                                                          \
    X(FRAME_SEQ_JUMP, "frame_seq_jump")                                                            \
    X(FRAME_TOO_LARGE, "frame_too_large")                                                          \
    X(FRAME_RESYNC, "frame_resync")                                                                \
    X(FRAME_RESYNC_SKIPPED_BYTES, "frame_resync_skipped_bytes")                                    \
    X(FRAME_RESYNC_FORCED, "frame_resync_forced")                                                  \
    X(FRAME_GAP_IN_PACKET, "frame_gap_in_packet")                                                  \
    X(FRAME_UNSYNCED_DATA, "frame_unsynced_bytes")                                                 \
    X(COMPRESS_BAD_HEADER, "compress_bad_header")                                                  \
    X(COMPRESS_INFLATE_ERROR, "compress_inflate_error")                                            \
    X(COMPRESS_LENGTH_MISMATCH, "compress_length_mismatch")                                        \
    /* connection state (decode/mysql_conn*.c) */                                                  \
    X(CONN_TLS, "conn_tls")                                                                        \
    X(CONN_BAD_GREETING, "conn_bad_greeting")                                                      \
    X(CONN_BAD_LOGIN, "conn_bad_login")                                                            \
    X(CONN_BAD_COMMAND, "conn_bad_command")                                                        \
    X(CONN_UNEXPECTED_PACKET, "conn_unexpected_packet")                                            \
    X(CONN_ERR_IN_DUMP, "conn_err_in_dump")                                                        \
    /* binlog events (decode/binlog_*.c) */                                                        \
    X(EVENT_SIZE_MISMATCH, "event_size_mismatch")                                                  \
    X(EVENT_UNKNOWN_TYPE, "event_unknown_type")                                                    \
    X(EVENT_BAD_BODY, "event_bad_body")                                                            \
    X(EVENT_CRC_MISMATCH, "event_crc_mismatch")                                                    \
    X(EVENT_POS_BACKWARDS, "event_pos_backwards")                                                  \
    X(EVENT_TRUNCATED, "event_truncated")                                                          \
    X(SEMISYNC_BAD_MAGIC, "semisync_bad_magic")                                                    \
    X(SEMISYNC_UNKNOWN_FLAGS, "semisync_unknown_flags")                                            \
    X(ACK_MALFORMED, "ack_malformed")                                                              \
    X(ACK_UNKNOWN_VARIANT, "ack_unknown_variant")                                                  \
    X(FILENAME_TRUNCATED, "filename_truncated")                                                    \
    /* analysis (analyze/) */                                                                      \
    X(ACK_UNMATCHED, "ack_unmatched")                                                              \
    X(ACK_DUPLICATE, "ack_duplicate")                                                              \
    X(ACK_BACKWARDS, "ack_backwards")                                                              \
    X(REQUEST_UNANSWERED, "request_unanswered")                                                    \
    X(PENDING_CAP_HIT, "pending_cap_hit")                                                          \
    X(REPLICA_CAP_HIT, "replica_cap_hit")

enum ss_anomaly {
#define SS_ANOMALY_ENUM(id, name) SS_AN_##id,
    SS_ANOMALY_LIST(SS_ANOMALY_ENUM)
#undef SS_ANOMALY_ENUM
    SS_AN_COUNT
};

/* Counters owned by the caller (one per run), shared by every connection decoder and analyzer. */
struct ss_anomalies {
    uint64_t n[SS_AN_COUNT];
};

static inline void ss_anomaly_add(struct ss_anomalies *a, enum ss_anomaly id, uint64_t by)
{
    if (a)
        a->n[id] += by;
}

const char *ss_anomaly_name(enum ss_anomaly id);

#endif
