/* SPDX-License-Identifier: MIT */
/* mysql_conn_priv.h: the pieces of the connection decoder shared between its files (handshake,
 * commands and replies, the streaming binlog event parser, event bodies, semisync) and their
 * white-box tests. Nothing here is API: tools/ and analyze/ only see include/semiscope/mysql.h. */
#ifndef SEMISCOPE_MYSQL_CONN_PRIV_H
#define SEMISCOPE_MYSQL_CONN_PRIV_H

#include "semiscope/mysql.h"

/* Capability bits (include/mysql_com.h), protocol.md §3.1. */
#define SS_CLIENT_LONG_PASSWORD 0x00000001u   /* MariaDB: clear ⇒ extended caps in the greeting */
#define SS_CLIENT_CONNECT_WITH_DB 0x00000008u
#define SS_CLIENT_COMPRESS 0x00000020u
#define SS_CLIENT_PROTOCOL_41 0x00000200u
#define SS_CLIENT_SSL 0x00000800u
#define SS_CLIENT_SECURE_CONNECTION 0x00008000u
#define SS_CLIENT_PLUGIN_AUTH 0x00080000u
#define SS_CLIENT_CONNECT_ATTRS 0x00100000u
#define SS_CLIENT_PLUGIN_AUTH_LENENC 0x00200000u
#define SS_CLIENT_DEPRECATE_EOF 0x01000000u
#define SS_CLIENT_ZSTD 0x04000000u
#define SS_CLIENT_QUERY_ATTRIBUTES 0x08000000u

/* Command bytes (include/my_command.h). */
#define SS_COM_QUIT 0x01
#define SS_COM_QUERY 0x03
#define SS_COM_BINLOG_DUMP 0x12
#define SS_COM_REGISTER_SLAVE 0x15
#define SS_COM_BINLOG_DUMP_GTID 0x1E

/* Bytes of a non-event packet kept for parsing: greetings, logins, commands and replies are far
 * shorter; longer ones are parsed from this prefix (query text is cut to SS_TEXT_MAX anyway). */
#define SS_PKT_CAP 2048
/* Bytes of a binlog event kept for its body: enough for every body we decode (a FORMAT_DESCRIPTION
 * is < 300 bytes, a ROTATE is 8 + a file name); a 1 GB row event still costs only this. */
#define SS_EV_PREFIX_CAP 2048
/* Payload bytes looked at before deciding whether an event packet carries the semisync header:
 * 0x00, EF, flags, and the 19-byte event header. */
#define SS_EV_LEAD 22

/* ---- handshake (mysql_handshake.c) ---- */

struct ss_greeting {
    uint8_t protocol;
    char version[SS_VERSION_MAX];     /* as sent, e.g. "5.5.5-10.11.6-MariaDB-log" */
    uint32_t thread_id;
    uint32_t caps;                    /* 32-bit capability flags */
    uint32_t mariadb_caps;            /* MariaDB extended capabilities (0 when absent) */
    uint8_t charset;
    uint16_t status;
    char auth_plugin[32];
};

struct ss_login {
    uint32_t caps;
    uint32_t max_packet;
    uint8_t charset;
    uint32_t mariadb_caps;
    char user[64];
    char db[64];
    char auth_plugin[32];
    int zstd_level;                   /* -1 absent */
    bool ssl_request;                 /* the 32-byte SSLRequest: TLS follows */
};

/* A server greeting (Initial Handshake v10)? Fills *g. */
bool ss_greeting_parse(const uint8_t *p, size_t n, struct ss_greeting *g);
/* HandshakeResponse41 / 320, or SSLRequest. `n` bytes held of a `total`-byte payload. */
bool ss_login_parse(const uint8_t *p, size_t n, uint64_t total, struct ss_login *l);
/* Strip MariaDB's "5.5.5-" compatibility prefix and tell the flavour. */
enum ss_flavor ss_version_flavor(const char *version, const char **shown);

/* ---- commands and replies (mysql_command.c) ---- */

/* Parse a client command of `total` bytes of which `n` are held. `query_attrs`: the connection
 * negotiated CLIENT_QUERY_ATTRIBUTES (COM_QUERY then starts with parameter counts). */
bool ss_command_parse(const uint8_t *p, size_t n, uint64_t total, bool query_attrs,
                      struct ss_cmd *c, struct ss_anomalies *an);
/* Classify COM_QUERY text (sets qkind and value). */
void ss_query_classify(const char *text, size_t len, struct ss_cmd *c);
/* OK / ERR / EOF packets. Returns false if the packet is none of them. */
bool ss_reply_parse(const uint8_t *p, size_t n, uint64_t total, struct ss_reply *r);
/* First column of a text result row (lenenc string, 0xFB = NULL shown as "NULL"). */
bool ss_row_first_value(const uint8_t *p, size_t n, char *dst, size_t dstsz);
/* Copy `n` bytes as printable text (others shown as '.'); returns true if all fitted. */
bool ss_text_copy(char *dst, size_t dstsz, const uint8_t *p, size_t n);

/* ---- semisync (semisync.c) ---- */

/* The replica's ack: EF + u64 pos + file name. Always fills *a (raw variants included); returns
 * a->well_formed and counts the variants that do not fit. */
bool ss_ack_parse(const uint8_t *p, size_t n, uint64_t total, struct ss_ack *a,
                  struct ss_anomalies *an);
/* Where the binlog event starts in an event packet (1, or 3 after EF xx), decided from the first
 * `n` (≤ SS_EV_LEAD) payload bytes. `total` is the payload length or 0 when not yet known (a
 * packet continued past 16 MiB); `mode` the stream's known header presence (-1 unknown).
 * *size_ok tells whether the event size agrees with `total` at that offset. */
unsigned ss_semisync_event_offset(const uint8_t *p, size_t n, uint64_t total, int mode,
                                  bool *size_ok);

/* ---- event bodies (binlog_body.c) ---- */

/* Parse the body of `ev` (header already in ev->h): `body` holds the first `n` bytes of the body
 * proper (checksum trailer excluded); `complete` says whether that is the whole body. Returns
 * false when a body that matters does not parse (counted by the caller as EVENT_BAD_BODY). */
bool ss_binlog_body_parse(struct ss_event *ev, const uint8_t *body, size_t n, bool complete,
                          unsigned query_post_len, struct ss_anomalies *an);
/* FORMAT_DESCRIPTION: fills ev->u.fde from the whole event body *including* its trailer (`n`
 * bytes); the checksum algorithm byte (5th from last) exists only for servers that know checksums
 * (MySQL ≥ 5.6.1, MariaDB ≥ 5.3). ev->u.fde.checksum_alg: -1 no such byte, else its value.
 * *query_post_len receives the QUERY post-header length (13 if not given). */
bool ss_fde_parse(struct ss_event *ev, const uint8_t *body, size_t n, unsigned *query_post_len);
/* Does a server of this version write the checksum-algorithm byte in its FDE? */
bool ss_version_has_checksum_alg(const char *version);
/* Classify QUERY event text: BEGIN, COMMIT, ROLLBACK (not ROLLBACK TO), XA …, else OTHER. */
enum ss_query_event_kind ss_query_event_kind(const char *text, size_t len);

/* ---- the streaming event parser (binlog_event.c) ---- */

/* State of one dump stream (the server side of a dump connection), and of the event packet in
 * progress. Bounded: SS_EV_PREFIX_CAP bytes of an event, whatever its size. */
struct ss_binlog_stream {
    /* stream */
    int semisync;                /* events carry EF xx: 1, do not: 0, unknown: -1 */
    int file_alg;                /* current file's FDE: 0 none, 1 crc32, -1 unknown */
    int replica_alg;             /* the replica's @master_binlog_checksum answer, -1 unknown */
    int inferred_alg;            /* inferred from CRC tests mid-stream, -1 undecided */
    unsigned crc_hits, crc_misses; /* consecutive agreeing CRC tests while undecided */
    char file[SS_FILE_MAX];
    uint64_t pos;                /* end of the last real event (64-bit) */
    bool pos_known;
    bool in_trx;                 /* inside BEGIN…COMMIT / a MariaDB non-standalone GTID group */
    bool standalone;             /* after a MariaDB FL_STANDALONE GTID: next QUERY ends the group */
    unsigned query_post_len;
    uint64_t events;

    /* packet in progress */
    bool active;
    uint32_t first_len;
    uint64_t got;                /* payload bytes seen */
    uint8_t lead[SS_EV_LEAD];
    size_t lead_len;
    bool decided;
    unsigned hdr_off;            /* 1 or 3 */
    bool size_ok;
    uint64_t ev_got;             /* event bytes seen (payload minus hdr_off) */
    uint8_t pre[SS_EV_PREFIX_CAP];
    size_t pre_len;
    uint8_t hold[4];             /* the last 4 bytes, held back from the CRC */
    size_t held;
    uint32_t crc;                /* over the event minus the held bytes, FDE in-use flag cleared */
    uint32_t crc_raw;            /* the same with the header exactly as sent (FDE only) */
    uint64_t crc_off;
};

enum ss_ev_result {
    SS_EVR_EVENT = 0,            /* *ev filled: an event packet */
    SS_EVR_NOT_EVENT,            /* probe mode: not a plausible event packet; nothing counted */
    SS_EVR_TRUNCATED,            /* too short for an event header (counted) */
};

void ss_binlog_stream_init(struct ss_binlog_stream *s);
/* A packet starts whose first byte is 0x00. */
void ss_binlog_stream_begin(struct ss_binlog_stream *s, uint32_t first_len);
void ss_binlog_stream_data(struct ss_binlog_stream *s, const uint8_t *p, size_t n);
/* The packet ended with `total` payload bytes. `probe`: the connection does not know yet that
 * this is a dump; return SS_EVR_NOT_EVENT without side effects unless the packet is a plausible
 * event (size agreeing, known type). */
enum ss_ev_result ss_binlog_stream_end(struct ss_binlog_stream *s, uint64_t total, bool probe,
                                       struct ss_event *ev, struct ss_anomalies *an);
/* The packet in progress was lost. */
void ss_binlog_stream_abort(struct ss_binlog_stream *s);
/* Bytes were lost between packets: positions and transaction state are no longer continuous. */
void ss_binlog_stream_discontinuity(struct ss_binlog_stream *s);
/* The algorithm the stream currently expects for ordinary events (-1 unknown). */
int ss_binlog_stream_alg(const struct ss_binlog_stream *s);

#endif
