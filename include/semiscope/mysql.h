/* SPDX-License-Identifier: MIT */
/* mysql.h: the connection decoder — one per TCP flow — and the typed messages it emits.
 *
 * The decoder owns two framers (mysql_frame.h), follows the connection state (greeting, TLS,
 * login, command phase, binlog dump), parses event headers and the bodies that matter without
 * buffering them, and parses semisync acks. Every message is a value type: consumers copy what
 * they keep. protocol.md §3–§7. */
#ifndef SEMISCOPE_MYSQL_H
#define SEMISCOPE_MYSQL_H

#include "semiscope/anomaly.h"
#include "semiscope/binlog.h"
#include "semiscope/common.h"
#include "semiscope/flow.h"
#include "semiscope/mysql_frame.h"
#include "semiscope/packet.h"

#define SS_FILE_MAX 256      /* binlog file names longer than this are truncated (and counted) */
#define SS_TEXT_MAX 160      /* query text prefix kept in messages */
#define SS_VERSION_MAX 64

enum ss_flavor { SS_FLAVOR_UNKNOWN = 0, SS_FLAVOR_MYSQL, SS_FLAVOR_MARIADB };

/* What the decoder has learnt about a connection so far; messages point at it (borrowed for the
 * duration of the callback). Unknown values are -1 / 0 / "" as noted. */
struct ss_conn_info {
    uint64_t flow_id;
    struct ss_endpoint client, server;   /* corrected by content when the port guess was wrong */
    enum ss_flavor flavor;
    char server_version[SS_VERSION_MAX]; /* "" until a greeting is seen */
    int64_t thread_id;                   /* server connection id from the greeting, -1 unknown */
    char user[64];
    uint32_t client_caps;
    bool handshake_seen;
    bool tls;                            /* encrypted: nothing more is decoded */
    enum ss_compress compress;
    bool is_dump;                        /* COM_BINLOG_DUMP(_GTID) seen, or resynced as a dump */
    bool is_kill_only;                   /* a short connection that ran KILL n */
    int semisync_requested;              /* SET @rpl_semi_sync_slave/replica=1 seen: 1; =0: 0;
                                          * -1 unknown */
    int semisync_header;                 /* events carry EF xx: 1, do not: 0, unknown: -1 */
    int64_t replica_server_id;           /* from COM_REGISTER_SLAVE / COM_BINLOG_DUMP, -1 unknown */
    char replica_host[64];               /* report_host */
    uint16_t replica_port;
    int checksum_alg;                    /* 0 none, 1 crc32, -1 unknown */
    char binlog_file[SS_FILE_MAX];       /* the dump's current binlog file, "" unknown */
};

enum ss_msg_kind {
    SS_MSG_GREETING = 0, /* server handshake */
    SS_MSG_LOGIN,        /* client handshake response (or SSL request: see info->tls) */
    SS_MSG_TLS,          /* the connection switched to TLS: undecodable from here */
    SS_MSG_COMMAND,      /* client command */
    SS_MSG_REPLY,        /* OK / ERR / EOF / result set, server side */
    SS_MSG_EVENT,        /* binlog event packet of a dump stream */
    SS_MSG_ACK,          /* semisync ack, client side of a dump */
    SS_MSG_GAP,          /* bytes lost in one direction */
    SS_MSG_RESYNC,       /* framing regained after a gap / mid-stream start */
    SS_MSG_TCP_ACK,      /* the client's TCP ack advanced over the server's stream (dumps only) */
    SS_MSG_END,          /* the connection ended */
    SS_MSG_OTHER,        /* a packet not otherwise classified */
    SS_MSG_TCP_WINDOW,   /* the client's TCP receive window for the server's stream closed (zero)
                          * or reopened (dumps only); last so the older kinds keep their values */
    SS_MSG_KIND_COUNT
};

enum ss_query_kind {
    SS_Q_OTHER = 0,
    SS_Q_SET_SEMISYNC,       /* SET @rpl_semi_sync_slave / @rpl_semi_sync_replica = v */
    SS_Q_SET_CHECKSUM,       /* SET @master_binlog_checksum / @source_binlog_checksum */
    SS_Q_SET_HEARTBEAT,      /* SET @master_heartbeat_period / @source_… */
    SS_Q_SET_CONNECT_STATE,  /* SET @slave_connect_state='…' */
    SS_Q_SET_CAPABILITY,     /* SET @mariadb_slave_capability */
    SS_Q_SET_UUID,           /* SET @slave_uuid / @replica_uuid */
    SS_Q_KILL,               /* KILL [CONNECTION] n */
    SS_Q_SELECT,
    SS_Q_SHOW,
};

struct ss_cmd {
    uint8_t cmd;                     /* COM_* byte */
    enum ss_query_kind qkind;        /* for COM_QUERY */
    char text[SS_TEXT_MAX];          /* COM_QUERY text prefix, printable */
    bool text_truncated;
    int64_t value;                   /* semisync 0/1, heartbeat ns, kill id; -1 none */
    /* COM_REGISTER_SLAVE (0x15) and COM_BINLOG_DUMP (0x12) / _GTID (0x1E) */
    uint32_t server_id;
    char host[64];
    uint16_t port;
    uint64_t dump_pos;
    uint16_t dump_flags;
    char dump_file[SS_FILE_MAX];
    uint32_t gtid_set_len;           /* COM_BINLOG_DUMP_GTID data size */
};

enum ss_reply_kind { SS_REPLY_OK = 0, SS_REPLY_ERR, SS_REPLY_EOF, SS_REPLY_RESULT, SS_REPLY_AUTH };

struct ss_reply {
    enum ss_reply_kind kind;
    uint16_t err_code;
    char sqlstate[6];
    char message[SS_TEXT_MAX];
    char first_value[SS_TEXT_MAX];   /* first column of the first row of a result set */
};

enum ss_csum { SS_CSUM_UNKNOWN = 0, SS_CSUM_NONE, SS_CSUM_OK, SS_CSUM_BAD };

enum ss_trx_role {
    SS_TRX_NONE = 0,
    SS_TRX_BEGIN,     /* GTID / ANONYMOUS_GTID / MariaDB GTID / QUERY BEGIN */
    SS_TRX_END,       /* XID, QUERY COMMIT/ROLLBACK, DDL QUERY, XA_PREPARE, XA COMMIT/ROLLBACK,
                       * TRANSACTION_PAYLOAD, MariaDB standalone GTID's single event */
};

enum ss_query_event_kind {
    SS_QE_OTHER = 0, SS_QE_BEGIN, SS_QE_COMMIT, SS_QE_ROLLBACK, SS_QE_XA_START, SS_QE_XA_END,
    SS_QE_XA_PREPARE, SS_QE_XA_COMMIT, SS_QE_XA_ROLLBACK, SS_QE_DDL,
};

struct ss_event {
    struct ss_binlog_header h;
    int semisync_flags;              /* -1: no semisync header; else the flag byte */
    bool ack_requested;              /* semisync flag bit 0x01 */
    bool artificial;                 /* log_pos 0 or LOG_EVENT_ARTIFICIAL_F: not a coordinate */
    char file[SS_FILE_MAX];          /* binlog file the event belongs to ("" unknown) */
    uint64_t end_pos;                /* end position in that file (64-bit; = log_pos < 4 GiB) */
    enum ss_csum csum;
    enum ss_trx_role trx;
    bool body_truncated;             /* a gap or the payload cap cut the body short */
    union {
        struct { uint64_t pos; char name[SS_FILE_MAX]; } rotate;
        struct { uint16_t binlog_version; char server_version[51]; int checksum_alg; } fde;
        struct {
            uint8_t flags; uint8_t sid[16]; int64_t gno; char tag[33];
            int64_t last_committed, sequence_number;  /* -1 absent */
            uint64_t orig_commit_us, immediate_commit_us; /* 0 absent */
        } gtid;                      /* GTID, ANONYMOUS_GTID, GTID_TAGGED */
        struct { uint64_t seq; uint32_t domain; uint8_t flags2; uint64_t commit_id; } mgtid;
        struct { uint32_t count; uint32_t domain, server; uint64_t seq; } gtid_list; /* first */
        struct { uint64_t xid; } xid;
        struct {
            uint32_t thread_id; uint32_t exec_time; uint16_t error_code;
            enum ss_query_event_kind kind; char text[SS_TEXT_MAX];
        } query;
        struct { bool one_phase; } xa_prepare;
        struct { uint64_t payload_size; uint32_t compression; uint64_t uncompressed_size; } payload;
        struct { uint64_t pos; char log_ident[SS_FILE_MAX]; } heartbeat;
    } u;
};

struct ss_ack {
    uint64_t pos;
    char file[SS_FILE_MAX];
    bool well_formed;                /* false: kept as an unknown variant (see anomaly counters) */
    uint32_t len;                    /* payload length */
};

struct ss_msg {
    enum ss_msg_kind kind;
    const struct ss_conn_info *conn;
    bool from_server;                /* direction: server → client */
    uint64_t ts_ns;                  /* capture time of the message's last byte */
    uint64_t frame;                  /* frame carrying the message's last byte */
    uint64_t first_ts_ns, first_frame; /* frame carrying the message's first byte */
    uint64_t stream_end_off;         /* TCP stream offset past the last byte (its direction) */
    uint64_t payload_len;            /* logical MySQL payload length */
    uint8_t seq;                     /* MySQL sequence id of the first piece */
    union {
        struct { uint32_t caps; } greeting;   /* details in conn */
        struct ss_cmd cmd;
        struct ss_reply reply;
        struct ss_event ev;
        struct ss_ack ack;
        struct { uint64_t len; bool in_packet; } gap;
        struct { uint64_t skipped; } resync;
        struct { uint64_t stream_off; } tcp_ack;   /* client acked server bytes below this */
        /* zero: the client now advertises a zero window (the server's data waits in the server's
         * send buffer until it reopens); false: a non-zero one again. sent_off: the server's
         * stream offset past the last byte delivered to the decoder (data or gap) when the
         * advertisement was captured: server messages emitted before this one end at or below
         * it (bytes below it may still be held by the framer, e.g. while it resyncs). */
        struct { bool zero; uint64_t sent_off; } tcp_window;
        struct { enum ss_end_reason why; bool by_server; const struct ss_flow *flow; } end;
    } u;
};

struct ss_msg_sink {
    void (*msg)(void *ctx, const struct ss_msg *m);
    void *ctx;
};

struct ss_conn_cfg {
    const uint16_t *ports;           /* MySQL port hints, as for the flow table */
    size_t nports;
    uint64_t max_packet;             /* framer cap; 0 = default */
    bool emit_tcp_acks;              /* emit SS_MSG_TCP_ACK and SS_MSG_TCP_WINDOW for dump
                                      * streams */
};

struct ss_conn;

/* One decoder per flow. `f` must outlive the decoder (the flow table calls end before freeing);
 * sink/an are borrowed. NULL on out-of-memory. */
struct ss_conn *ss_conn_new(const struct ss_conn_cfg *cfg, const struct ss_flow *f,
                            const struct ss_msg_sink *sink, struct ss_anomalies *an);
void ss_conn_data(struct ss_conn *c, enum ss_dir dir, const uint8_t *p, size_t n,
                  uint64_t stream_off, uint64_t ts_ns, uint64_t frame);
void ss_conn_gap(struct ss_conn *c, enum ss_dir dir, uint64_t stream_off, uint64_t len,
                 uint64_t ts_ns, uint64_t frame);
void ss_conn_acked(struct ss_conn *c, enum ss_dir dir, uint64_t stream_off, uint64_t ts_ns,
                   uint64_t frame);
/* ss_stream_ops.window: emits SS_MSG_TCP_WINDOW when `dir` is the server's direction of a dump and
 * cfg.emit_tcp_acks is set. Changes are passed on as they come: a stream recognised as a dump
 * while its window was closed may see zero = false first. */
void ss_conn_window(struct ss_conn *c, enum ss_dir dir, bool zero, uint64_t ts_ns,
                    uint64_t frame);
/* Emits SS_MSG_END. */
void ss_conn_end(struct ss_conn *c, const struct ss_flow *f, enum ss_end_reason why,
                 enum ss_dir by, uint64_t ts_ns, uint64_t frame);
const struct ss_conn_info *ss_conn_info(const struct ss_conn *c);
void ss_conn_free(struct ss_conn *c);

const char *ss_msg_kind_name(enum ss_msg_kind k);   /* "command", "reply", "event", "ack", … */
const char *ss_command_name(uint8_t cmd);           /* "COM_QUERY", … "COM_UNKNOWN" */

#endif
