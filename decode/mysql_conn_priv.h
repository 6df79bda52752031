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

/* ---- the connection decoder's state (mysql_conn.c: connection phase, routing, framer
 * callbacks; mysql_dump.c: the dump stream) ---- */

enum conn_state {
    CST_INIT = 0,     /* SYN seen: the server's greeting comes first */
    CST_LOGIN,        /* greeting seen: the client's login (or SSLRequest) */
    CST_AUTH,         /* login sent: auth switch / more data until OK or ERR */
    CST_COMMAND,      /* command phase */
    CST_DUMP,         /* after COM_BINLOG_DUMP(_GTID): events one way, acks the other */
    CST_UNKNOWN,      /* picked up mid-stream: learn the state from the bytes */
    CST_TLS,          /* encrypted: nothing more is decoded */
    CST_DONE,         /* login refused or the like: later packets are only counted */
};

enum rs_phase { RS_NONE = 0, RS_COLS, RS_COLS_EOF, RS_ROWS };

struct ss_conn;

/* One direction of the flow: its framer and the packet in progress. */
struct conn_dir {
    struct ss_conn *c;
    enum ss_dir dir;              /* flow direction */
    struct ss_framer *fr;
    bool in_packet;
    uint8_t seq;
    uint32_t first_len;
    uint64_t first_ts_ns, first_frame;
    bool started;                 /* first payload byte seen */
    bool to_events;               /* payload feeds the binlog stream parser */
    bool keep;                    /* payload is copied into buf */
    bool header_checked;          /* a resynced dump packet's event header was validated */
    bool resynced;                /* framing here was found by a resync, not from the SYN */
    bool verified;                /* ...and the last event confirmed it (CRC or position) */
    uint8_t buf[SS_PKT_CAP];
    size_t len;
    uint64_t total;
};

/* A text result set being read: only its first value is kept. */
struct resultset {
    enum rs_phase phase;
    uint64_t cols_left;
    bool got_row;
    char first_value[SS_TEXT_MAX];
    uint64_t first_ts_ns, first_frame;
    uint8_t seq;
};

struct ss_conn {
    struct ss_conn_cfg cfg;
    const struct ss_flow *flow;
    struct ss_msg_sink sink;
    struct ss_anomalies *an;
    struct ss_conn_info info;
    struct conn_dir d[2];         /* indexed by flow direction */
    bool swapped;                 /* the flow's "client" is the MySQL server */
    bool roles_fixed;             /* content confirmed who is who */
    enum conn_state st;
    uint32_t server_caps;
    uint32_t server_mariadb_caps;
    bool server_caps_known;
    struct ss_login login;
    bool checksum_select;         /* the pending result answers SELECT @…binlog_checksum */
    unsigned kills, other_cmds;
    struct resultset rs;
    uint64_t gap_off, gap_len;      /* the TCP gap being reported to the framer */
    bool gap_pending;
    struct ss_binlog_stream bs;
    uint32_t max_event;           /* largest event size seen on the dump stream */
    uint64_t delivered_end[2];    /* [flow dir]: stream offset past the last byte delivered (data
                                   * or gap): SS_MSG_TCP_WINDOW's sent_off */
};

static inline enum ss_dir ss_conn_server_dir(const struct ss_conn *c)
{
    return c->swapped ? SS_C2S : SS_S2C;
}

static inline bool ss_conn_is_server(const struct conn_dir *d)
{
    return d->dir == ss_conn_server_dir(d->c);
}


/* mysql_conn.c */
void ss_conn_emit(struct ss_conn *c, struct ss_msg *m);
/* A message about the packet that just ended in direction d. */
void ss_conn_msg_init(struct ss_msg *m, const struct conn_dir *d, enum ss_msg_kind kind,
                      uint64_t end_off, uint64_t ts_ns, uint64_t frame);
void ss_conn_on_command(struct ss_conn *c, const struct conn_dir *d, uint64_t end_off, uint64_t ts,
                        uint64_t frame);

/* mysql_dump.c */
/* The end of an event packet; `probe` while the connection's state is unknown. Returns false
 * when the packet is not an event after all (probe mode). */
bool ss_dump_event(struct ss_conn *c, struct conn_dir *d, bool probe, uint64_t end_off,
                   uint64_t ts, uint64_t frame);
/* A packet from the source of a dump: an event, or a reply (EOF / ERR). */
void ss_dump_server_packet(struct ss_conn *c, struct conn_dir *d, uint64_t end_off, uint64_t ts,
                           uint64_t frame);
void ss_dump_ack(struct ss_conn *c, const struct conn_dir *d, uint64_t end_off, uint64_t ts,
                 uint64_t frame);
/* A packet from the replica of a dump: an ack, or COM_QUIT. */
void ss_dump_client_packet(struct ss_conn *c, const struct conn_dir *d, uint64_t end_off,
                           uint64_t ts, uint64_t frame);
/* Payload arrived for a packet in direction d: on a dump stream whose framing came from a
 * resync, judge it as early as its bytes allow (ss_framer_resync when it cannot be what the
 * stream carries). Returns false after forcing a resync. */
bool ss_dump_packet_plausible(struct ss_conn *c, struct conn_dir *d);

#endif
