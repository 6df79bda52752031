/* SPDX-License-Identifier: MIT */
/* privdrop.c: -Z USER — drop root for good once the capture handle is open. Order matters:
 * supplementary groups and gid first, uid last (after setuid we could not change groups). */
#include "semiscope/privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PW_BUF_START 1024
#define PW_BUF_MAX (1024 * 1024)

/* getpwnam_r with a growing buffer (no static state, unlike getpwnam). Returns 0, ENOENT for an
 * unknown user, or an errno. */
static int lookup_user(const char *user, uid_t *uid, gid_t *gid)
{
    for (size_t sz = PW_BUF_START; sz <= PW_BUF_MAX; sz *= 2) {
        char *buf = malloc(sz);
        if (!buf)
            return ENOMEM;
        struct passwd pw, *res = NULL;
        int rc = getpwnam_r(user, &pw, buf, sz, &res);
        if (rc == 0 && res) {
            *uid = pw.pw_uid;
            *gid = pw.pw_gid;
        }
        free(buf);
        if (rc == ERANGE)
            continue;
        if (rc != 0)
            return rc;
        return res ? 0 : ENOENT;
    }
    return ERANGE;
}

static enum ss_status verify(const char *user, uid_t uid, gid_t gid, char *errbuf)
{
    if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid) {
        snprintf(errbuf, SS_ERRBUF_SIZE, "privilege drop to %s did not take effect", user);
        return SS_ERR_LIVE;
    }
    /* The saved set-user-id must be gone too: regaining root has to fail. */
    if (uid != 0 && setuid(0) == 0) {
        snprintf(errbuf, SS_ERRBUF_SIZE, "privilege drop to %s is reversible", user);
        return SS_ERR_LIVE;
    }
    return SS_OK;
}

enum ss_status ss_privdrop(const char *user, char *errbuf)
{
    errbuf[0] = '\0';
    if (!user || !*user) {
        snprintf(errbuf, SS_ERRBUF_SIZE, "no user given");
        return SS_ERR_ARG;
    }
    uid_t uid;
    gid_t gid;
    int rc = lookup_user(user, &uid, &gid);
    if (rc == ENOENT) {
        snprintf(errbuf, SS_ERRBUF_SIZE, "unknown user \"%s\"", user);
        return SS_ERR_ARG;
    }
    if (rc != 0) {
        snprintf(errbuf, SS_ERRBUF_SIZE, "cannot look up user \"%s\": %s", user, strerror(rc));
        return SS_ERR_ARG;
    }
    if (geteuid() != 0 && getuid() == uid && geteuid() == uid)
        return SS_OK; /* already that user: nothing to give up */
    const char *step = "initgroups";
    if (initgroups(user, gid) == 0) {
        step = "setgid";
        if (setgid(gid) == 0) {
            step = "setuid";
            if (setuid(uid) == 0)
                return verify(user, uid, gid, errbuf);
        }
    }
    snprintf(errbuf, SS_ERRBUF_SIZE, "cannot switch to user \"%s\": %s: %s", user, step,
             strerror(errno));
    return SS_ERR_LIVE;
}
