/* SPDX-License-Identifier: MIT */
/* test_poller.c: DSN parsing, and the live poller against a real, throw-away mariadbd on a unix
 * socket in a temporary directory: samples arrive and are recorded, the server is restarted
 * mid-poll, the poller reconnects and the gap is recorded. Skipped, with a message, when no
 * mariadbd / mariadb-install-db is installed. */
#define _GNU_SOURCE /* mkdtemp, nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "semiscope/poller.h"
#include "semiscope/status.h"
#include "semiscope/status_samples.h"

static void test_dsn(void **state)
{
    (void)state;
    struct ss_dsn d;
    char err[SS_ERRBUF_SIZE];
    assert_true(ss_dsn_parse("mysql://repl@10.0.0.1:13306", &d, err));
    assert_string_equal(d.user, "repl");
    assert_string_equal(d.host, "10.0.0.1");
    assert_int_equal(d.port, 13306);
    assert_string_equal(d.socket, "");
    assert_true(ss_dsn_parse("mysql://monitor@db1.example.com", &d, err));
    assert_string_equal(d.host, "db1.example.com");
    assert_int_equal(d.port, 0);
    assert_true(ss_dsn_parse("mysql://u@[2001:db8::1]:3307", &d, err));
    assert_string_equal(d.host, "2001:db8::1");
    assert_int_equal(d.port, 3307);
    assert_true(ss_dsn_parse("mysql://root@localhost/?socket=/run/my%20sql/s.sock", &d, err));
    assert_string_equal(d.socket, "/run/my sql/s.sock");
    assert_true(ss_dsn_parse("mariadb://root@/tmp/x/mysqld.sock", &d, err));
    assert_string_equal(d.user, "root");
    assert_string_equal(d.socket, "/tmp/x/mysqld.sock");
    assert_true(ss_dsn_parse("mysql://db1:3306", &d, err)); /* user from the option files */
    assert_string_equal(d.user, "");
    assert_string_equal(d.host, "db1");

    /* refused: a password, never accepted on the command line, and never echoed */
    assert_false(ss_dsn_parse("mysql://repl:s3cret@db1:3306", &d, err));
    assert_non_null(strstr(err, "MYSQL_PWD"));
    assert_null(strstr(err, "s3cret"));
    assert_false(ss_dsn_parse("http://db1", &d, err));
    assert_false(ss_dsn_parse("mysql://u@db1:99999", &d, err));
    assert_false(ss_dsn_parse("mysql://u@db1:33x", &d, err));
    assert_false(ss_dsn_parse("mysql://u@db1/?user=x", &d, err));
    assert_false(ss_dsn_parse("mysql://u@db1/path", &d, err));
    assert_false(ss_dsn_parse("mysql://u%2@db1", &d, err));

    /* ss_poller_start refuses a bad DSN and an unwritable record file before any thread */
    struct ss_poller_cfg cfg;
    ss_poller_cfg_defaults(&cfg);
    cfg.dsn = "mysql://a:b@h";
    assert_null(ss_poller_start(&cfg, err));
    cfg.dsn = "mysql://a@h";
    cfg.record_path = "/nonexistent-dir/rec.tsv";
    assert_null(ss_poller_start(&cfg, err));
    assert_non_null(strstr(err, "--record-status"));
}

/* ---- a throw-away mariadbd ---------------------------------------------------------------------- */

struct srv {
    char dir[64], data[96], sock[96], log[96];
    pid_t pid;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static pid_t spawn(char *const argv[], const char *logpath)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* Wait for a child at most `secs`; kill it when late. Exit status, or -1. */
static int wait_bounded(pid_t pid, double secs)
{
    double end = now_s() + secs;
    int st;
    while (now_s() < end) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        usleep(20000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}

static bool srv_start(struct srv *s)
{
    char a_datadir[128], a_socket[128], a_log[128], a_pid[160];
    snprintf(a_datadir, sizeof(a_datadir), "--datadir=%s", s->data);
    snprintf(a_socket, sizeof(a_socket), "--socket=%s", s->sock);
    snprintf(a_log, sizeof(a_log), "--log-error=%s", s->log);
    snprintf(a_pid, sizeof(a_pid), "--pid-file=%s/pid", s->dir);
    /* An empty datadir with --skip-grant-tables starts in a fraction of a second, where
     * mariadb-install-db takes seconds: no grant tables, so no password anywhere. Small InnoDB
     * buffers keep it light; nothing listens on TCP. */
    char *argv[] = {"/usr/sbin/mariadbd",         "--no-defaults",
                    "--user=root",                a_datadir,
                    a_socket,                     "--skip-networking",
                    "--skip-grant-tables",        "--innodb-buffer-pool-size=8M",
                    "--innodb-log-file-size=4M",  a_log,
                    a_pid,                        NULL};
    s->pid = spawn(argv, s->log);
    double end = now_s() + 15;
    struct stat sb;
    while (now_s() < end) {
        if (stat(s->sock, &sb) == 0 && S_ISSOCK(sb.st_mode))
            return true;
        if (waitpid(s->pid, NULL, WNOHANG) == s->pid)
            return false;
        usleep(20000);
    }
    return false;
}

/* SIGKILL: the poller must survive the server vanishing mid-query (a crash, or a restart whose
 * clean shutdown would only make the test slower); the datadir is thrown away anyway. */
static void srv_stop(struct srv *s)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, SIGKILL);
    if (wait_bounded(s->pid, 15) < 0)
        print_message("mariadbd did not stop in time: killed\n");
    s->pid = 0;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

struct collect {
    int samples, connected, disconnected;
    long uptime;         /* the last Uptime polled, -1 none yet */
};

static void on_item(void *ctx, const struct ss_poll_item *it)
{
    struct collect *c = ctx;
    if (it->kind == SS_POLL_SAMPLE && !strcmp(it->name, "Uptime"))
        c->uptime = atol(it->value);
    if (it->kind == SS_POLL_SAMPLE)
        c->samples++;
    else if (it->kind == SS_POLL_CONNECTED)
        c->connected++;
    else
        c->disconnected++;
}

/* Drain until cond holds or the time is up. */
static bool drain_until(struct ss_poller *p, struct collect *c, int want_samples, int want_conn,
                        int want_disc, double secs)
{
    double end = now_s() + secs;
    while (now_s() < end) {
        ss_poller_drain(p, on_item, c);
        if (c->samples >= want_samples && c->connected >= want_conn &&
            c->disconnected >= want_disc)
            return true;
        usleep(20000);
    }
    return false;
}

static void test_live_restart(void **state)
{
    (void)state;
    if (access("/usr/sbin/mariadbd", X_OK) != 0) {
        print_message("SKIPPED: no /usr/sbin/mariadbd on this machine "
                      "(apt-get install mariadb-server)\n");
        skip();
    }
    struct srv s;
    memset(&s, 0, sizeof(s));
    snprintf(s.dir, sizeof(s.dir), "/tmp/semiscope-poller-XXXXXX");
    assert_non_null(mkdtemp(s.dir));
    snprintf(s.data, sizeof(s.data), "%s/data", s.dir);
    snprintf(s.sock, sizeof(s.sock), "%s/s", s.dir);
    snprintf(s.log, sizeof(s.log), "%s/server.log", s.dir);
    assert_int_equal(mkdir(s.data, 0700), 0);
    if (!srv_start(&s)) {
        print_message("SKIPPED: could not set up a mariadbd (see %s)\n", s.log);
        srv_stop(&s);
        skip();
    }

    char rec[128], dsn[160], err[SS_ERRBUF_SIZE];
    snprintf(rec, sizeof(rec), "%s/status.tsv", s.dir);
    snprintf(dsn, sizeof(dsn), "mysql://root@%s", s.sock);
    struct ss_poller_cfg cfg;
    ss_poller_cfg_defaults(&cfg);
    cfg.dsn = dsn;
    cfg.interval_s = 0.1;
    cfg.record_path = rec;
    cfg.backoff_min_s = 0.05;
    cfg.backoff_max_s = 0.4;
    cfg.timeout_s = 2;
    struct ss_poller *p = ss_poller_start(&cfg, err);
    assert_non_null(p);
    struct collect c = {.uptime = -1};

    /* samples flow: MariaDB has 18 Rpl_semi_sync status rows per poll, and Uptime */
    assert_true(drain_until(p, &c, 38, 1, 0, 10));
    /* an Uptime of 3 s before the restart, so that the new server's is lower (it starts from 0)
     * and the record shows the restart */
    double until = now_s() + 6;
    while (c.uptime < 3 && now_s() < until)
        drain_until(p, &c, 0, 0, 0, 0.1);
    assert_true(c.uptime >= 3);
    /* restart the server under the poller */
    srv_stop(&s);
    assert_true(drain_until(p, &c, 0, 1, 1, 10));
    int before = c.samples;
    assert_true(srv_start(&s));
    assert_true(drain_until(p, &c, before + 36, 2, 1, 10));
    struct ss_poller_stats st;
    ss_poller_stats(p, &st);
    assert_true(st.connects >= 2);
    assert_true(st.polls >= 4);
    assert_int_equal(st.queue_dropped, 0);
    assert_int_equal(ss_poller_stop(p, on_item, &c), SS_OK);
    srv_stop(&s);

    /* the record reads back as a status file: samples, variables and the gap */
    struct ss_status_samples *back = ss_status_samples_new(NULL);
    assert_int_equal(ss_status_samples_load_file(back, rec, err), SS_OK);
    assert_int_equal(back->bad_lines, 0);
    assert_true(back->samples >= 4);
    assert_true(ss_status_samples_has(back, SS_SV_STATUS));
    assert_true(ss_status_samples_has(back, SS_SV_GET_ACK));
    assert_true(ss_status_samples_has(back, SS_SV_VAR_TIMEOUT));
    assert_int_equal(back->series[SS_SV_VAR_TIMEOUT].first.value, 10000);
    /* variables are recorded once per connection: two connections, two samples */
    assert_int_equal(back->series[SS_SV_VAR_TIMEOUT].samples, 2);
    assert_int_equal(back->n_gaps, 1);
    assert_true(back->gaps[0].end_ns > back->gaps[0].start_ns);
    assert_true(back->gaps[0].reason[0] != '\0');
    /* no sample inside the gap */
    const struct ss_sv_series *se = &back->series[SS_SV_STATUS];
    assert_true(se->first.ts_ns < back->gaps[0].start_ns);
    assert_true(se->last.ts_ns > back->gaps[0].end_ns);
    /* the `# connected` line names the server found back, and Uptime going down says it was
     * restarted: one restart, after the gap began, before its first sample after the gap */
    assert_non_null(strstr(back->gaps[0].version, "MariaDB"));
    assert_true(ss_status_samples_has(back, SS_SV_UPTIME));
    assert_int_equal(back->n_restarts, 1);
    const struct ss_sv_restart *r = &back->restarts[0];
    assert_int_equal(r->source, SS_RESTART_UPTIME);
    assert_true(r->uptime_s < r->prev_uptime_s);
    assert_true(r->seen_ns > back->gaps[0].end_ns);
    assert_true(r->after_ns < back->gaps[0].end_ns);
    assert_true(r->start_ns >= r->prev_seen_ns - 1000000000LL);
    ss_status_samples_free(back);
    nftw(s.dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dsn),
        cmocka_unit_test(test_live_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
