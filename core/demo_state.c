/* demo_state.c: where the demo database's state lives, and its lock.
 *
 * The state dir holds "state" (key=value lines, mode 0600: where the
 * cluster is, its port, user and binaries, whether the data is loaded)
 * and "lock" (flock, one operation at a time). Everything here runs on
 * libuv's thread pool, except pd_demo_set_state_dir and
 * pd_demo_state_clear. */
#include "core/demo_int.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xalloc.h"

/* The state file's string keys, in the order they are written. */
static const struct {
    const char *key;
    size_t off; /* of the char * in pd_demo_statefile */
} str_keys[] = {
    {"base", offsetof(pd_demo_statefile, base)},
    {"data", offsetof(pd_demo_statefile, data)},
    {"socket", offsetof(pd_demo_statefile, sock)},
    {"log", offsetof(pd_demo_statefile, log)},
    {"user", offsetof(pd_demo_statefile, user)},
    {"bindir", offsetof(pd_demo_statefile, bindir)},
};
#define NKEYS (sizeof(str_keys) / sizeof(str_keys[0]))

static char **str_field(pd_demo_statefile *st, size_t i)
{
    return (char **)(void *)((char *)st + str_keys[i].off);
}

void pd_demo_set_state_dir(pd_demo *d, const char *path)
{
    free(d->state_dir);
    free(d->state_file);
    free(d->lock_file);
    free(d->config_path);
    d->state_dir = pd_xstrdup(path);
    d->state_file = pd_xasprintf("%s/state", path);
    d->lock_file = pd_xasprintf("%s/lock", path);
    d->config_path = pd_xasprintf("%s/" PD_DEMO_CONFIG_NAME, path);
}

void pd_demo_state_clear(pd_demo_statefile *st)
{
    size_t i;

    for (i = 0; i < NKEYS; i++)
        free(*str_field(st, i));
    memset(st, 0, sizeof(*st));
}

/* Sets the field of key to val in st; unknown keys are ignored. */
static void set_key(pd_demo_statefile *st, const char *key, const char *val)
{
    size_t i;

    if (strcmp(key, "complete") == 0) {
        st->complete = strcmp(val, "1") == 0;
        return;
    }
    if (strcmp(key, "port") == 0) {
        st->port = atoi(val);
        return;
    }
    for (i = 0; i < NKEYS; i++)
        if (strcmp(key, str_keys[i].key) == 0)
            pd_demo_set_str(str_field(st, i), val);
}

void pd_demo_read_state(pd_demo *d)
{
    FILE *f;
    char line[4096];
    char *pv;

    pd_demo_state_clear(&d->st);
    f = fopen(d->state_file, "re");
    if (f == NULL) {
        if (errno != ENOENT)
            pd_demo_sys_error(d, "read", d->state_file, errno);
        return;
    }
    d->st.exists = true;
    while (fgets(line, sizeof(line), f) != NULL) {
        char *eq = strchr(line, '=');
        size_t n = strcspn(line, "\n");
        line[n] = '\0';
        if (line[0] == '#' || eq == NULL)
            continue;
        *eq = '\0';
        set_key(&d->st, line, eq + 1);
    }
    fclose(f);
    if (d->st.data != NULL) {
        pv = pd_xasprintf("%s/PG_VERSION", d->st.data);
        d->st.has_data = access(pv, F_OK) == 0;
        free(pv);
    }
}

void pd_demo_write_state(pd_demo *d)
{
    char *tmp = pd_xasprintf("%s.tmp", d->state_file);
    FILE *f = NULL;
    int fd, e;
    bool ok;
    size_t i;

    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || fchmod(fd, 0600) != 0)
        goto fail;
    f = fdopen(fd, "w");
    if (f == NULL)
        goto fail;
    fd = -1;
    ok = fprintf(f, "# pgdeck demo cluster, written by pgdeck\n"
                 "complete=%d\nport=%d\n", d->st.complete ? 1 : 0,
                 d->st.port) >= 0;
    for (i = 0; ok && i < NKEYS; i++) {
        const char *val = *str_field(&d->st, i);
        ok = val == NULL || fprintf(f, "%s=%s\n", str_keys[i].key, val) >= 0;
    }
    if (!ok || fflush(f) != 0)
        goto fail;
    if (fclose(f) != 0) {
        f = NULL;
        goto fail;
    }
    f = NULL;
    if (rename(tmp, d->state_file) != 0)
        goto fail;
    free(tmp);
    return;

fail:
    e = errno;
    if (f != NULL)
        fclose(f);
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    pd_demo_sys_error(d, "write", d->state_file, e);
    free(tmp);
}

/* mkdir -p with mode 0700, remembering the directories it made. */
static int make_dirs(pd_demo *d, const char *path)
{
    char *p = pd_xstrdup(path), *s;
    int rc = 0;

    for (s = p + 1;; s++) {
        char c = *s;
        if (c != '/' && c != '\0')
            continue;
        *s = '\0';
        if (mkdir(p, 0700) == 0) {
            d->made = pd_xrealloc(d->made, (size_t)(d->nmade + 1) *
                                               sizeof(*d->made));
            d->made[d->nmade++] = pd_xstrdup(p);
        } else if (errno != EEXIST || !pd_demo_is_dir(p)) {
            rc = errno != EEXIST ? errno : ENOTDIR;
            pd_demo_sys_error(d, "create directory", p, rc);
            break;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    free(p);
    return rc;
}

static int rm_one(const char *path, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

/* True when path is a cluster dir this module made: never let a damaged
 * state file point the removal somewhere else. */
static bool is_our_base(const pd_demo *d, const char *path)
{
    char *own = pd_xasprintf("%s/cluster", d->state_dir);
    const char *slash = strrchr(path, '/');
    bool ok = strcmp(path, own) == 0 ||
              (slash != NULL && strncmp(slash + 1, PD_DEMO_BASE_PREFIX,
                                        strlen(PD_DEMO_BASE_PREFIX)) == 0);

    free(own);
    return ok;
}

void pd_demo_remove_tree(const pd_demo *d, const char *path)
{
    if (path != NULL && is_our_base(d, path) && pd_demo_is_dir(path))
        nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* Removes the cluster and the state file; for PD_DEMO_RM_UNDO also the
 * lock and the state dirs this call made; for PD_DEMO_RM_DESTROY the state
 * dir (and its parent when empty). */
void pd_demo_remove(pd_demo *d, enum pd_demo_rm how)
{
    int i;

    pd_demo_remove_tree(d, d->st.base);
    if (d->st.sock != NULL &&
        strncmp(d->st.sock, "/tmp/" PD_DEMO_BASE_PREFIX,
                5 + strlen(PD_DEMO_BASE_PREFIX)) == 0)
        rmdir(d->st.sock);
    if (d->state_file == NULL)
        return;
    unlink(d->state_file);
    unlink(d->config_path); /* it names this cluster's tables */
    pd_demo_set_str(&d->config_file, NULL);
    if (how == PD_DEMO_RM_DISCARD)
        return;
    unlink(d->lock_file);
    if (how == PD_DEMO_RM_DESTROY) {
        char *parent = pd_xstrdup(d->state_dir), *slash;
        rmdir(d->state_dir);
        slash = strrchr(parent, '/');
        if (slash != NULL && slash != parent) {
            *slash = '\0';
            rmdir(parent); /* $XDG_STATE_HOME/pgdeck, when empty */
        }
        free(parent);
    }
    for (i = d->nmade - 1; i >= 0; i--)
        rmdir(d->made[i]);
}

/* Sets the state dir from $XDG_STATE_HOME or the home directory; false
 * with d->err set when there is neither. */
static bool locate_state_dir(pd_demo *d)
{
    struct passwd pwd, *pw;
    char pwbuf[4096], *dir;
    const char *x = getenv("XDG_STATE_HOME"), *h = getenv("HOME");

    if (x != NULL && x[0] == '/') {
        dir = pd_xasprintf("%s/pgdeck/demo", x);
    } else {
        if (h == NULL || h[0] != '/') {
            pw = pd_demo_user_lookup(NULL, geteuid(), &pwd, pwbuf,
                                     sizeof(pwbuf));
            h = pw != NULL ? pw->pw_dir : NULL;
        }
        if (h == NULL) {
            pd_error_set(&d->err, PD_ERR_USAGE, "cannot tell where to "
                         "keep the demo database: set HOME or "
                         "XDG_STATE_HOME");
            return false;
        }
        dir = pd_xasprintf("%s/.local/state/pgdeck/demo", h);
    }
    pd_demo_set_state_dir(d, dir);
    free(dir);
    return true;
}

/* Takes the lock without waiting; false when another operation holds it
 * (d->lock_busy) or on an error (d->err). */
static bool take_lock(pd_demo *d)
{
    int e;

    if (d->lock_fd < 0) {
        d->lock_fd = open(d->lock_file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (d->lock_fd < 0) {
            pd_demo_sys_error(d, "open", d->lock_file, errno);
            return false;
        }
    }
    if (flock(d->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        e = errno;
        if (e == EWOULDBLOCK)
            d->lock_busy = true;
        else
            pd_demo_sys_error(d, "lock", d->lock_file, e);
        return false;
    }
    return true;
}

/* Nothing is created before the binaries are known to be there. */
static void prep(pd_demo *d)
{
    d->lock_busy = false;
    if (d->state_dir == NULL && !locate_state_dir(d))
        return;
    if (d->user == NULL && !pd_demo_find_user(d))
        return;
    if (d->op == PD_DEMO_OP_START && d->bindir == NULL) {
        pd_demo_read_state(d); /* prefer the binaries that made the cluster */
        if (pd_error_isset(&d->err))
            return;
        pd_demo_find_bindir(d);
        if (d->bindir == NULL) {
            pd_demo_bindir_error(d);
            return;
        }
    }
    if (d->op == PD_DEMO_OP_STATUS ||
        (d->op != PD_DEMO_OP_START && !pd_demo_is_dir(d->state_dir))) {
        pd_demo_read_state(d);
        return;
    }
    if (make_dirs(d, d->state_dir) != 0 || !take_lock(d))
        return;
    pd_demo_read_state(d);
    if (d->op != PD_DEMO_OP_START && d->bindir == NULL)
        pd_demo_find_bindir(d); /* stopping needs pg_ctl only if it runs */
}

void pd_demo_prep(pd_demo *d)
{
    prep(d);
    if (!pd_error_isset(&d->err) && d->config_path != NULL &&
        access(d->config_path, R_OK) == 0)
        pd_demo_set_str(&d->config_file, d->config_path);
}
