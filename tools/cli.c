/* SPDX-License-Identifier: MIT */
/* cli.c: option table, --help text and validation into struct cli_opts (tcpdump conventions). */
#include "cli.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "semiscope/status.h"
#include "version.h"

enum {
    OPT_JSON = 256, OPT_EVENTS, OPT_FLOWS, OPT_HTML, OPT_INTERVAL, OPT_TIMEOUT, OPT_WAIT_COUNT,
    OPT_WAIT_NO_SLAVE, OPT_WAIT_POINT, OPT_STATUS, OPT_ERROR_LOG, OPT_LOG_TZ, OPT_DSN,
    OPT_POLL_INTERVAL, OPT_RECORD_STATUS, OPT_STATUS_ANCHOR, OPT_PROGRESS, OPT_NO_PROGRESS,
    OPT_MAX_FLOWS, OPT_MEMCAP, OPT_ALL, OPT_VERSION, OPT_HELP, OPT_CSV, OPT_REPLICA, OPT_SINCE,
    OPT_UNTIL,
};

/* The leading ':' makes getopt return ':' for a missing argument, so that every message is ours
 * (getopt's own carry argv[0]'s path and would come on top of ours). */
#define SHORT_OPTS ":r:i:w:O:Z:F:c:s:B:P:npvh"

static const struct option long_opts[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"events", no_argument, NULL, OPT_EVENTS},
    {"flows", no_argument, NULL, OPT_FLOWS},
    {"all", no_argument, NULL, OPT_ALL},
    {"html", required_argument, NULL, OPT_HTML},
    {"csv", required_argument, NULL, OPT_CSV},
    {"replica", required_argument, NULL, OPT_REPLICA},
    {"since", required_argument, NULL, OPT_SINCE},
    {"until", required_argument, NULL, OPT_UNTIL},
    {"interval", required_argument, NULL, OPT_INTERVAL},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"wait-count", required_argument, NULL, OPT_WAIT_COUNT},
    {"wait-no-slave", required_argument, NULL, OPT_WAIT_NO_SLAVE},
    {"wait-point", required_argument, NULL, OPT_WAIT_POINT},
    {"status", required_argument, NULL, OPT_STATUS},
    {"error-log", required_argument, NULL, OPT_ERROR_LOG},
    {"log-tz", required_argument, NULL, OPT_LOG_TZ},
    {"dsn", required_argument, NULL, OPT_DSN},
    {"poll-interval", required_argument, NULL, OPT_POLL_INTERVAL},
    {"record-status", required_argument, NULL, OPT_RECORD_STATUS},
    {"status-anchor", required_argument, NULL, OPT_STATUS_ANCHOR},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
    {"memcap", required_argument, NULL, OPT_MEMCAP},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

void cli_usage(FILE *out)
{
    fputs(
        "Usage: semiscope [-r FILE]... | -i IFACE  [options] [BPF filter...]\n"
        "Semi-synchronous MySQL/MariaDB replication on the wire: per-replica ack latency,\n"
        "timeouts, the master's semisync ON/OFF timeline, and correlation with the servers'\n"
        "status variables and error logs.\n"
        "\n"
        "Input:\n"
        "  -r FILE          read a pcap/pcapng file ('-' = stdin), plain or compressed with\n"
        "                   gzip or zstd; repeat for a rotation set, read as one capture in\n"
        "                   timestamp order\n"
        "  -i IFACE         capture live (default filter: tcp port 3306, or the -P ports)\n"
        "  -w FILE          with -i: also write the raw packets to FILE (pcap)\n"
        "  -c COUNT         stop after COUNT packets\n"
        "  -s SNAPLEN       live snapshot length (default 262144)\n"
        "  -B KIB           live kernel buffer size in KiB\n"
        "  -F FILE          read the BPF filter from FILE\n"
        "  -P PORT[,PORT]   MySQL server ports (default 3306): a hint, never a gate\n"
        "  -Z USER          live: drop privileges to USER after opening the device\n"
        "  -p               live: do not put the interface into promiscuous mode\n"
        "  -n               numeric output (always on; accepted for tcpdump habits)\n"
        "\n"
        "Output:\n"
        "  (default)        text report: masters, replicas, ack latency, anomalies\n"
        "  --json           the report as one JSON document (schema_version 1,\n"
        "                   analyze/report.schema.json)\n"
        "  --events         one line per decoded message (with --json: JSON lines);\n"
        "                   --all adds TCP-ack and TCP-window lines\n"
        "  --flows          one line per TCP connection (diagnostic; text only)\n"
        "  -O FILE          write the report to FILE instead of stdout\n"
        "  --html FILE      also write a self-contained HTML report with plots\n"
        "                   ('-': the page on stdout, the report only with -O)\n"
        "  --csv FILE       also write the per-interval timeline, one row per interval\n"
        "                   per replica ('-': on stdout, the report only with -O)\n"
        "  -v               more detail (repeatable)\n"
        "  --interval MS    timeline bucket width (default 1000)\n"
        "  --replica IP     report only this replica (the masters' state and counters\n"
        "                   still come from all the traffic, unlike a BPF 'host' filter)\n"
        "  Modes: the report (default), --events or --flows, one at a time; --html, --csv\n"
        "  and --replica go with the report only.\n"
        "  --progress, --no-progress   progress on stderr (default: when it is a terminal)\n"
        "\n",
        out);
    /* Two strings: C11 promises no more than 4095 characters in one literal. */
    fputs(
        "Semisync parameters (else from --status, else defaults, corrected from the wire):\n"
        "  --timeout MS          rpl_semi_sync_master_timeout (default 10000)\n"
        "  --wait-count N        rpl_semi_sync_master_wait_for_slave_count (default 1)\n"
        "  --wait-no-slave on|off   (default on)\n"
        "  --wait-point after_sync|after_commit\n"
        "\n"
        "Postmortem:\n"
        "  --status FILE         (repeatable) status/variable samples: 'unix_ts<TAB>name<TAB>value' lines,\n"
        "                        or mysqladmin extended-status -i N output\n"
        "  --status-anchor TS[,S] unix time of the first mysqladmin table [, S seconds apart]\n"
        "  --error-log FILE      the master's error log (MySQL 5.7/8.x, MariaDB); of a long\n"
        "                        log the newest 100000 semisync records are used\n"
        "  --log-tz ±HH:MM|UTC   zone of local-time error-log stamps (default UTC)\n"
        "  --dsn mysql://USER@HOST:PORT   live: poll SHOW GLOBAL STATUS/VARIABLES\n"
        "                        (password from MYSQL_PWD or option files, never argv)\n"
        "  --poll-interval MS    milliseconds between polls (default 1000)\n"
        "  --record-status FILE  write the polled samples (for a later --status)\n"
        "\n"
        "Caps:\n"
        "  --max-flows N         flow-table size (default 65536)\n"
        "  --memcap MIB          out-of-order reassembly memory (default 64)\n"
        "\n"
        "  --version             the version, and those of the libraries in use\n"
        "  -h, --help            this text\n"
        "\n"
        "Exit codes:\n"
        "  0 input processed to its end (anomalies are reported, not failures)\n"
        "  1 internal error    2 usage error\n"
        "  3 input unreadable, not a capture, or not readable to its end (a warning on stderr;\n"
        "    the report covers what was read)\n"
        "  4 live capture could not be opened    5 output could not be written\n",
        out);
}

static bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static bool parse_ports(const char *s, struct cli_opts *o)
{
    char buf[256];
    if (strlen(s) >= sizeof(buf))
        return false;
    memcpy(buf, s, strlen(s) + 1);
    o->nports = 0;
    /* Split by hand: strtok_r would skip empty items, and "3306," is a typo worth reporting. */
    char *tok = buf;
    for (;;) {
        char *comma = strchr(tok, ',');
        if (comma)
            *comma = '\0';
        uint64_t v;
        if (o->nports >= CLI_MAX_PORTS || !parse_u64(tok, 1, 65535, &v))
            return false;
        o->ports[o->nports++] = (uint16_t)v;
        if (!comma)
            return true;
        tok = comma + 1;
    }
}

static char *read_filter_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = calloc(1, 65536);
    if (buf) {
        size_t n = fread(buf, 1, 65535, f);
        buf[n] = '\0';
        for (size_t i = 0; i < n; i++)
            if (buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t')
                buf[i] = ' ';
        /* Trimmed, so that -F FILE and the same expression as arguments report the same. */
        while (n > 0 && buf[n - 1] == ' ')
            buf[--n] = '\0';
        size_t lead = 0;
        while (buf[lead] == ' ')
            lead++;
        memmove(buf, buf + lead, n - lead + 1);
    }
    fclose(f);
    return buf;
}

static char *join_args(int argc, char **argv)
{
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *s = calloc(1, len);
    if (!s)
        return NULL;
    size_t at = 0;
    for (int i = 0; i < argc; i++)
        at += (size_t)snprintf(s + at, len - at, "%s%s", i ? " " : "", argv[i]);
    return s;
}

/* One line on stderr, prefixed with the program's name (never argv[0]'s path), then the hint. */
__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("semiscope: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'semiscope --help'.\n", stderr);
    return 2;
}

static void defaults(struct cli_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->ports[0] = 3306;
    o->nports = 1;
    o->progress = -1;
    o->interval_ms = 1000;
    o->timeout_ms = -1;
    o->wait_count = -1;
    o->wait_no_slave = -1;
    o->wait_point_after_sync = -1;
    o->poll_interval_ms = 1000;
    o->status_anchor = -1;
    o->status_interval = 1;
}

static int parse_long(int c, const char *arg, struct cli_opts *o)
{
    uint64_t v;
    switch (c) {
    case OPT_JSON: o->json = true; break;
    case OPT_EVENTS: o->mode = CLI_MODE_EVENTS; break;
    case OPT_FLOWS: o->mode = CLI_MODE_FLOWS; break;
    case OPT_ALL: o->all_events = true; break;
    case OPT_HTML: o->html_file = arg; break;
    case OPT_CSV: o->csv_file = arg; break;
    case OPT_REPLICA:
        o->replica = arg;
        if (inet_pton(AF_INET, arg, o->replica_addr.b) == 1)
            o->replica_addr.family = 4;
        else if (inet_pton(AF_INET6, arg, o->replica_addr.b) == 1)
            o->replica_addr.family = 6;
        else
            return usage_error("bad --replica '%s' (an IPv4 or IPv6 address)", arg);
        break;
    case OPT_SINCE:
    case OPT_UNTIL:
        if (!cli_parse_time(arg, c == OPT_SINCE ? &o->since_ns : &o->until_ns))
            return usage_error("bad --%s '%s' (ISO 8601 such as 2026-11-22T10:01:52Z, or unix "
                               "seconds)", c == OPT_SINCE ? "since" : "until", arg);
        *(c == OPT_SINCE ? &o->has_since : &o->has_until) = true;
        break;
    case OPT_INTERVAL:
        if (!parse_u64(arg, 1, UINT64_C(86400000), &o->interval_ms))
            return usage_error("bad --interval '%s' (milliseconds)", arg);
        break;
    case OPT_TIMEOUT:
        if (!parse_u64(arg, 0, UINT64_C(1) << 40, &v))
            return usage_error("bad --timeout '%s' (milliseconds)", arg);
        o->timeout_ms = (int64_t)v;
        break;
    case OPT_WAIT_COUNT:
        if (!parse_u64(arg, 1, 65535, &v))
            return usage_error("bad --wait-count '%s'", arg);
        o->wait_count = (int64_t)v;
        break;
    case OPT_WAIT_NO_SLAVE:
        if (strcmp(arg, "on") && strcmp(arg, "off"))
            return usage_error("--wait-no-slave takes on or off, not '%s'", arg);
        o->wait_no_slave = strcmp(arg, "on") == 0;
        break;
    case OPT_WAIT_POINT:
        if (strcasecmp(arg, "after_sync") && strcasecmp(arg, "after_commit"))
            return usage_error("--wait-point takes after_sync or after_commit, not '%s'", arg);
        o->wait_point_after_sync = strcasecmp(arg, "after_sync") == 0;
        break;
    case OPT_STATUS:
        if (o->nstatus >= SS_ARRAY_LEN(o->status_files))
            return usage_error("too many --status files (max %s)", "16");
        o->status_files[o->nstatus++] = arg;
        break;
    case OPT_ERROR_LOG: o->error_log = arg; break;
    case OPT_LOG_TZ: o->log_tz = arg; break;
    case OPT_DSN: o->dsn = arg; break;
    case OPT_POLL_INTERVAL:
        if (!parse_u64(arg, 10, UINT64_C(3600000), &o->poll_interval_ms))
            return usage_error("bad --poll-interval '%s' (milliseconds)", arg);
        break;
    case OPT_RECORD_STATUS: o->record_status = arg; break;
    case OPT_STATUS_ANCHOR: {
        char *end;
        o->status_anchor = strtod(arg, &end);
        if (end != arg && *end == ',') {
            char *iv = end + 1;
            o->status_interval = strtod(iv, &end);
            if (end == iv || o->status_interval <= 0)
                end = iv; /* forces the error below */
        }
        if (end == arg || *end || o->status_anchor < 0)
            return usage_error("bad --status-anchor '%s' (UNIX_TS[,INTERVAL_S])", arg);
        break;
    }
    case OPT_PROGRESS: o->progress = 1; break;
    case OPT_NO_PROGRESS: o->progress = 0; break;
    case OPT_MAX_FLOWS:
        if (!parse_u64(arg, 16, UINT64_C(16777216), &v))
            return usage_error("bad --max-flows '%s'", arg);
        o->max_flows = (uint32_t)v;
        break;
    case OPT_MEMCAP:
        if (!parse_u64(arg, 1, UINT64_C(65536), &o->memcap_mib))
            return usage_error("bad --memcap '%s' (MiB)", arg);
        break;
    default: return usage_error("unknown option");
    }
    return 0;
}

static int parse_short(int c, const char *arg, struct cli_opts *o)
{
    uint64_t v;
    switch (c) {
    case 'r':
        if (o->nfiles >= CLI_MAX_FILES)
            return usage_error("too many -r files (max %s)", "1024");
        o->files[o->nfiles++] = arg;
        break;
    case 'i': o->iface = arg; break;
    case 'w': o->write_file = arg; break;
    case 'O': o->report_file = arg; break;
    case 'Z': o->user = arg; break;
    case 'F': o->filter_file = arg; break;
    case 'n': break;
    case 'p': o->no_promisc = true; break;
    case 'v': o->verbosity++; break;
    case 'c':
        if (!parse_u64(arg, 1, UINT64_MAX, &o->count))
            return usage_error("bad -c '%s'", arg);
        break;
    case 's':
        if (!parse_u64(arg, 64, 262144, &v))
            return usage_error("bad -s '%s' (64..262144)", arg);
        o->snaplen = (int)v;
        break;
    case 'B':
        if (!parse_u64(arg, 1, UINT64_C(4194304), &v))
            return usage_error("bad -B '%s' (KiB)", arg);
        o->buffer_kib = (int)v;
        break;
    case 'P':
        if (!parse_ports(arg, o))
            return usage_error("bad -P '%s' (PORT[,PORT...])", arg);
        break;
    default: return 2;
    }
    return 0;
}

/* getopt's '?' or ':': name the option as the user wrote it. */
static int bad_option(int c, char **argv)
{
    const char *word = optind > 0 ? argv[optind - 1] : "";
    bool is_long = word[0] == '-' && word[1] == '-';
    if (c == ':')
        return is_long ? usage_error("option '%s' needs an argument", word)
                       : usage_error("option '-%c' needs an argument", optopt);
    if (is_long)
        return usage_error("unknown option, or an argument it does not take: '%s'", word);
    return usage_error("unknown option '-%c'", optopt);
}

/* Which options go together (documented in --help, README and the man page). */
static int check_modes(const struct cli_opts *o)
{
    if (o->mode == CLI_MODE_FLOWS && o->json)
        return usage_error("--flows has no JSON form: drop --json, or use --events --json");
    if (o->all_events && o->mode != CLI_MODE_EVENTS)
        return usage_error("--all goes with --events");
    if (o->mode != CLI_MODE_REPORT) {
        const char *what = o->html_file ? "--html" : o->csv_file ? "--csv" : o->replica ? "--replica"
                           : o->has_since ? "--since" : o->has_until ? "--until" : NULL;
        if (what)
            return usage_error("%s goes with the report, not with --%s", what,
                               o->mode == CLI_MODE_EVENTS ? "events" : "flows");
    }
    bool html_out = o->html_file && !strcmp(o->html_file, "-");
    bool csv_out = o->csv_file && !strcmp(o->csv_file, "-");
    if (html_out && csv_out)
        return usage_error("--html - and --csv - both want standard output: give one a FILE");
    if ((html_out || csv_out) && o->json && !o->report_file)
        return usage_error("--json and %s - both want standard output: give -O FILE for the JSON",
                           html_out ? "--html" : "--csv");
    /* Parsed (cli_time.c) but not yet wired: a window needs the state machine to count from
     * its start while its state is built from before it. Refused rather than ignored. */
    if (o->has_since || o->has_until)
        return usage_error("--since/--until are not implemented yet (issue 15)");
    return 0;
}

static int check_inputs(struct cli_opts *o, int nargs)
{
    if (o->nfiles == 0 && !o->iface)
        return usage_error("nothing to read: give -r FILE or -i IFACE");
    if (o->nfiles && o->iface)
        return usage_error("-r and -i are exclusive");
    if (o->write_file && !o->iface)
        return usage_error("-w needs -i (a live capture)");
    if ((o->dsn || o->record_status) && !o->iface)
        return usage_error("--dsn/--record-status need -i (a live capture)");
    if (o->record_status && !o->dsn)
        return usage_error("--record-status needs --dsn");
    if (o->user && !o->iface)
        return usage_error("-Z needs -i");
    if (o->filter_file && nargs > 0)
        return usage_error("give the filter with -F or as arguments, not both");
    return check_modes(o);
}

int cli_parse(int argc, char **argv, struct cli_opts *o)
{
    defaults(o);
    opterr = 0;
    int c, modes = 0;
    while ((c = getopt_long(argc, argv, SHORT_OPTS, long_opts, NULL)) != -1) {
        int rc;
        if (c == 'h' || c == OPT_HELP) {
            cli_usage(stdout);
            return 1;
        }
        if (c == OPT_VERSION) {
            version_print(stdout);
            return 1;
        }
        if (c == '?' || c == ':')
            return bad_option(c, argv);
        if ((c == OPT_EVENTS && o->mode != CLI_MODE_EVENTS) ||
            (c == OPT_FLOWS && o->mode != CLI_MODE_FLOWS))
            modes++;
        rc = c >= 256 ? parse_long(c, optarg, o) : parse_short(c, optarg, o);
        if (rc)
            return 2;
        if (modes > 1)
            return usage_error("--events and --flows are exclusive: one mode at a time");
    }
    if (check_inputs(o, argc - optind))
        return 2;
    if (o->filter_file) {
        o->filter = read_filter_file(o->filter_file);
        if (!o->filter)
            return usage_error("cannot read filter file '%s'", o->filter_file);
    } else if (optind < argc) {
        o->filter = join_args(argc - optind, argv + optind);
    }
    return 0;
}

bool cli_report_to_stdout(const struct cli_opts *o)
{
    if (o->report_file)
        return false;
    return !(o->html_file && !strcmp(o->html_file, "-")) && !(o->csv_file && !strcmp(o->csv_file, "-"));
}

void cli_free(struct cli_opts *o)
{
    free(o->filter);
    o->filter = NULL;
}
