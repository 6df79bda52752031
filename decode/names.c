/* SPDX-License-Identifier: MIT */
/* names.c: stable names of message kinds and MySQL commands, used by the --events output and the
 * reports (keep them stable: they are JSON values). */
#include "semiscope/mysql.h"

const char *ss_msg_kind_name(enum ss_msg_kind k)
{
    static const char *const names[SS_MSG_KIND_COUNT] = {
        [SS_MSG_GREETING] = "greeting", [SS_MSG_LOGIN] = "login",   [SS_MSG_TLS] = "tls",
        [SS_MSG_COMMAND] = "command",   [SS_MSG_REPLY] = "reply",   [SS_MSG_EVENT] = "event",
        [SS_MSG_ACK] = "ack",           [SS_MSG_GAP] = "gap",       [SS_MSG_RESYNC] = "resync",
        [SS_MSG_TCP_ACK] = "tcp_ack",   [SS_MSG_END] = "end",       [SS_MSG_OTHER] = "other",
        [SS_MSG_TCP_WINDOW] = "tcp_window",
    };
    if ((unsigned)k < SS_MSG_KIND_COUNT && names[k])
        return names[k];
    return "unknown";
}

const char *ss_command_name(uint8_t cmd)
{
    /* include/my_command.h (enum_server_command); MariaDB adds nothing a replica uses. */
    static const char *const names[] = {
        "COM_SLEEP", "COM_QUIT", "COM_INIT_DB", "COM_QUERY", "COM_FIELD_LIST",
        "COM_CREATE_DB", "COM_DROP_DB", "COM_REFRESH", "COM_SHUTDOWN", "COM_STATISTICS",
        "COM_PROCESS_INFO", "COM_CONNECT", "COM_PROCESS_KILL", "COM_DEBUG", "COM_PING",
        "COM_TIME", "COM_DELAYED_INSERT", "COM_CHANGE_USER", "COM_BINLOG_DUMP",
        "COM_TABLE_DUMP", "COM_CONNECT_OUT", "COM_REGISTER_SLAVE", "COM_STMT_PREPARE",
        "COM_STMT_EXECUTE", "COM_STMT_SEND_LONG_DATA", "COM_STMT_CLOSE", "COM_STMT_RESET",
        "COM_SET_OPTION", "COM_STMT_FETCH", "COM_DAEMON", "COM_BINLOG_DUMP_GTID",
        "COM_RESET_CONNECTION", "COM_CLONE", "COM_SUBSCRIBE_GROUP_REPLICATION_STREAM",
    };
    if (cmd < SS_ARRAY_LEN(names))
        return names[cmd];
    if (cmd == 0xEF)
        return "SEMISYNC_ACK";
    return "COM_UNKNOWN";
}
