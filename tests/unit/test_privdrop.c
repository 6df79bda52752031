/* SPDX-License-Identifier: MIT */
/* test_privdrop.c: -Z USER (capture/privdrop.c). The real drop runs in a forked child, so the test
 * process keeps its identity; as non-root only the refusal paths can be exercised. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "semiscope/privdrop.h"

static void test_unknown_user(void **state)
{
    (void)state;
    char err[SS_ERRBUF_SIZE];
    assert_int_equal(ss_privdrop("no-such-user-semiscope", err), SS_ERR_ARG);
    assert_non_null(strstr(err, "no-such-user-semiscope"));
    assert_int_equal(ss_privdrop("", err), SS_ERR_ARG);
    assert_int_equal(ss_privdrop(NULL, err), SS_ERR_ARG);
}

/* Child exit codes: 0 ok, 10+ which check failed. */
static int child_drop(const char *user)
{
    char err[SS_ERRBUF_SIZE];
    struct passwd *pw = getpwnam(user);
    if (!pw)
        return 10;
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    if (ss_privdrop(user, err) != SS_OK)
        return 11;
    if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid)
        return 12;
    if (setuid(0) == 0 || seteuid(0) == 0)
        return 13; /* root came back */
    /* Supplementary groups are the user's, not root's group 0. */
    gid_t groups[64];
    int n = getgroups(64, groups);
    for (int i = 0; i < n; i++)
        if (groups[i] == 0 && gid != 0)
            return 14;
    return 0;
}

static void test_drop_in_child(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        /* Not root: changing to another user must fail loudly, never half-succeed. */
        struct passwd *pw = getpwnam("nobody");
        if (pw && pw->pw_uid != getuid()) {
            char err[SS_ERRBUF_SIZE];
            assert_int_equal(ss_privdrop("nobody", err), SS_ERR_LIVE);
            assert_true(err[0] != '\0');
        }
        skip();
    }
    if (!getpwnam("nobody"))
        skip();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(child_drop("nobody"));
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_same_user_is_noop(void **state)
{
    (void)state;
    if (geteuid() == 0)
        skip(); /* as root this would really switch; covered by the child test */
    struct passwd *pw = getpwuid(getuid());
    if (!pw)
        skip();
    char name[256];
    snprintf(name, sizeof name, "%s", pw->pw_name);
    char err[SS_ERRBUF_SIZE];
    assert_int_equal(ss_privdrop(name, err), SS_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_user),
        cmocka_unit_test(test_drop_in_child),
        cmocka_unit_test(test_same_user_is_noop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
