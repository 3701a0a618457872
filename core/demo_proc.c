/* demo_proc.c: the demo server's programs and the user they run as.
 *
 * As root the server runs as the `postgres` system user; otherwise as the
 * invoking user. pg_config, initdb and pg_ctl run through uv_spawn, argv
 * without a shell, with an environment cleaned of PG* settings and their
 * stderr (or stdout) captured for the error message. The checks for a
 * live postmaster (and the removal of a dead one's lock files) are here
 * too: they ask who runs a pid. */
#include "core/demo_int.h"

#include <errno.h>
#include <glob.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xalloc.h"

extern char **environ;

#define SPAWN_TIMEOUT_MS 120000
#define OUT_MAX 65536    /* bytes of child output kept */

/* ---------- the user ---------- */

/* getpwnam_r/getpwuid_r (name NULL: by uid) into pw and buf (sized for
 * the job): this runs on the thread pool. Returns pw or NULL. */
struct passwd *pd_demo_user_lookup(const char *name, uid_t uid,
                                   struct passwd *pw, char *buf, size_t len)
{
    struct passwd *res = NULL;
    int rc;

    if (name != NULL)
        rc = getpwnam_r(name, pw, buf, len, &res);
    else
        rc = getpwuid_r(uid, pw, buf, len, &res);
    return rc == 0 ? res : NULL;
}

/* The children's environment: ours without PG* (PGPORT, PGDATA, PGHOST
 * and friends would change what initdb, pg_ctl and postgres do), with
 * HOME and USER of the user they run as. */
static void build_env(pd_demo *d, const char *user)
{
    size_t n = 0, i, j = 0;

    while (environ[n] != NULL)
        n++;
    d->env = pd_xcalloc(n + 4, sizeof(*d->env));
    for (i = 0; i < n; i++) {
        const char *e = environ[i];
        if (strncmp(e, "PG", 2) == 0)
            continue;
        if (d->as_root && (strncmp(e, "HOME=", 5) == 0 ||
                           strncmp(e, "USER=", 5) == 0 ||
                           strncmp(e, "LOGNAME=", 8) == 0))
            continue;
        d->env[j++] = pd_xstrdup(e);
    }
    if (d->as_root) {
        d->env[j++] = pd_xasprintf("HOME=%s",
                                   d->run_home != NULL ? d->run_home : "/");
        d->env[j++] = pd_xasprintf("USER=%s", user);
        d->env[j++] = pd_xasprintf("LOGNAME=%s", user);
    }
    d->env[j] = NULL;
}

bool pd_demo_find_user(pd_demo *d)
{
    struct passwd pwd, *pw;
    char pwbuf[4096];

    d->as_root = geteuid() == 0;
    if (d->as_root) {
        pw = pd_demo_user_lookup("postgres", 0, &pwd, pwbuf, sizeof(pwbuf));
        if (pw == NULL) {
            pd_error_set(&d->err, PD_ERR_USAGE,
                         "running as root needs the postgres system "
                         "user to run the server: install the "
                         "postgresql package, or run pgdeck as a "
                         "normal user");
            return false;
        }
        d->user = pd_xstrdup("postgres");
    } else {
        pw = pd_demo_user_lookup(NULL, geteuid(), &pwd, pwbuf,
                                 sizeof(pwbuf));
        d->user = pd_xstrdup(pw != NULL ? pw->pw_name :
                             getenv("USER") != NULL ? getenv("USER") :
                             "postgres");
    }
    d->uid = pw != NULL ? pw->pw_uid : geteuid();
    d->gid = pw != NULL ? pw->pw_gid : getegid();
    if (pw != NULL)
        d->run_home = pd_xstrdup(pw->pw_dir);
    build_env(d, d->user);
    return true;
}

/* ---------- the server binaries ---------- */

static bool is_exec(const char *dir, const char *name)
{
    char *p = pd_xasprintf("%s/%s", dir, name);
    bool ok = access(p, X_OK) == 0;

    free(p);
    return ok;
}

static bool bindir_ok(const char *dir)
{
    return dir != NULL && is_exec(dir, "initdb") && is_exec(dir, "pg_ctl") &&
           is_exec(dir, "postgres");
}

/* Picks the binaries: an explicit directory only; else the ones that made
 * the cluster, pg_config's, the newest /usr/lib/postgresql/N/bin, others
 * of the usual places, $PATH. */
void pd_demo_find_bindir(pd_demo *d)
{
    static const char *const globs[] = {"/usr/lib/postgresql/*/bin",
                                        "/usr/pgsql-*/bin",
                                        "/usr/local/pgsql/bin"};
    size_t i, j;
    const char *path;
    long best = -1;

    pd_demo_set_str(&d->bindir, NULL);
    if (d->bindir_opt != NULL) {
        if (bindir_ok(d->bindir_opt))
            pd_demo_set_str(&d->bindir, d->bindir_opt);
        return;
    }
    if (bindir_ok(d->st.bindir)) {
        pd_demo_set_str(&d->bindir, d->st.bindir);
        return;
    }
    if (bindir_ok(d->pgconfig_dir)) {
        pd_demo_set_str(&d->bindir, d->pgconfig_dir);
        return;
    }
    for (i = 0; i < sizeof(globs) / sizeof(globs[0]) && !d->bindir; i++) {
        glob_t g;
        if (glob(globs[i], 0, NULL, &g) != 0)
            continue;
        for (j = 0; j < g.gl_pathc; j++) {
            const char *v = strpbrk(g.gl_pathv[j], "0123456789");
            long ver = v != NULL ? strtol(v, NULL, 10) : 0;
            if (ver > best && bindir_ok(g.gl_pathv[j])) {
                best = ver;
                pd_demo_set_str(&d->bindir, g.gl_pathv[j]);
            }
        }
        globfree(&g);
    }
    path = getenv("PATH");
    while (d->bindir == NULL && path != NULL && *path != '\0') {
        size_t n = strcspn(path, ":");
        char *dir = pd_xstrndup(path, n);
        if (n > 0 && bindir_ok(dir))
            pd_demo_set_str(&d->bindir, dir);
        free(dir);
        path += n + (path[n] == ':');
    }
}

void pd_demo_bindir_error(pd_demo *d)
{
    if (d->bindir_opt != NULL)
        pd_error_set(&d->err, PD_ERR_USAGE,
                     "no PostgreSQL server binaries in %s (from %s): point "
                     "it at the directory holding initdb, pg_ctl and "
                     "postgres", d->bindir_opt, d->bindir_src);
    else
        pd_error_set(&d->err, PD_ERR_USAGE,
                     "no PostgreSQL server binaries found (initdb, pg_ctl, "
                     "postgres): install the server (apt-get install "
                     "postgresql) or set PGDECK_PG_BINDIR");
}

/* ---------- running a program ---------- */

static void child_closed(uv_handle_t *h)
{
    pd_demo *d = h->data;
    pd_demo_step f;

    if (--d->pending > 0)
        return;
    uv_timer_stop(&d->timer);
    f = d->next;
    d->next = NULL;
    f(d);
}

static void close_pipe(pd_demo *d)
{
    if (d->pipe_closing)
        return;
    d->pipe_closing = true;
    uv_close((uv_handle_t *)&d->pipe, child_closed);
}

/* The child ran too long (kill it), or exited and its output pipe is still
 * open, held by a grandchild (stop reading). */
static void on_child_timer(uv_timer_t *t)
{
    pd_demo *d = t->data;

    if (!d->exited) {
        d->timed_out = true;
        uv_process_kill(&d->proc, SIGKILL);
    } else {
        close_pipe(d);
    }
}

static void on_child_exit(uv_process_t *p, int64_t status, int sig)
{
    pd_demo *d = p->data;

    d->exited = true;
    d->exit_status = status;
    d->term_signal = sig;
    uv_close((uv_handle_t *)p, child_closed);
    if (!d->pipe_closing)
        uv_timer_start(&d->timer, on_child_timer, 500, 0);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    pd_demo *d = h->data;

    (void)hint;
    *buf = uv_buf_init(d->rbuf, sizeof(d->rbuf));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    pd_demo *d = s->data;

    if (n > 0 && d->out.len < OUT_MAX)
        pd_strbuf_append(&d->out, buf->base, (size_t)n);
    else if (n < 0)
        close_pipe(d);
}

/* Runs argv[0] with argv (borrowed for the call), as the cluster's user
 * when as_pg, capturing stdout (capture_stdout) or stderr; then next with
 * spawn_err, timed_out, exit_status, term_signal and out filled. */
static void run(pd_demo *d, const char *const *argv, bool as_pg,
                bool capture_stdout, bool detached, pd_demo_step next)
{
    uv_process_options_t o;
    uv_stdio_container_t io[3];
    int rc;

    memset(&o, 0, sizeof(o));
    memset(io, 0, sizeof(io));
    pd_strbuf_reset(&d->out);
    d->next = next;
    d->pending = 2;
    d->exited = d->pipe_closing = d->timed_out = false;
    d->spawn_err = 0;
    d->exit_status = 0;
    d->term_signal = 0;
    uv_pipe_init(d->loop, &d->pipe, 0);
    d->pipe.data = d;
    d->proc.data = d;
    io[0].flags = UV_IGNORE;
    io[1].flags = UV_IGNORE;
    io[2].flags = UV_IGNORE;
    io[capture_stdout ? 1 : 2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    io[capture_stdout ? 1 : 2].data.stream = (uv_stream_t *)&d->pipe;
    o.exit_cb = on_child_exit;
    o.file = argv[0];
    o.args = (char **)(uintptr_t)argv; /* libuv does not write it */
    o.env = d->env;
    o.stdio = io;
    o.stdio_count = 3;
    if (as_pg) {
        o.cwd = d->st.base;
        if (d->as_root) {
            o.flags |= UV_PROCESS_SETUID | UV_PROCESS_SETGID;
            o.uid = d->uid;
            o.gid = d->gid;
        }
    }
    if (detached)
        o.flags |= UV_PROCESS_DETACHED; /* the server leaves our session */
    rc = uv_spawn(d->loop, &d->proc, &o);
    if (rc != 0) {
        d->spawn_err = rc;
        d->exited = true;
        uv_close((uv_handle_t *)&d->proc, child_closed);
        close_pipe(d);
        return;
    }
    uv_timer_start(&d->timer, on_child_timer, SPAWN_TIMEOUT_MS, 0);
    rc = uv_read_start((uv_stream_t *)&d->pipe, on_alloc, on_read);
    if (rc != 0)
        close_pipe(d);
}

static bool ran_ok(const pd_demo *d)
{
    return d->spawn_err == 0 && !d->timed_out && d->term_signal == 0 &&
           d->exit_status == 0;
}

/* Returns-owned last non-empty line of the captured output, or "". */
static char *out_last_line(const pd_demo *d)
{
    const char *s = pd_strbuf_cstr(&d->out);
    size_t end = strlen(s), start;

    while (end > 0 && (s[end - 1] == '\n' || s[end - 1] == ' ' ||
                       s[end - 1] == '\r'))
        end--;
    start = end;
    while (start > 0 && s[start - 1] != '\n')
        start--;
    return pd_xstrndup(s + start, end - start);
}

/* Fills d->err after a failed run of prog. */
static void run_error(pd_demo *d, const char *prog, const char *doing)
{
    char *line;

    if (d->spawn_err != 0) {
        pd_error_set(&d->err, PD_ERR_USAGE, "cannot run %s: %s", prog,
                     uv_strerror(d->spawn_err));
        return;
    }
    if (d->timed_out) {
        pd_error_set(&d->err, PD_ERR_TIMEOUT,
                     "%s did not finish within %d s while %s", prog,
                     SPAWN_TIMEOUT_MS / 1000, doing);
        return;
    }
    if (strstr(pd_strbuf_cstr(&d->out), "No space left on device")) {
        pd_demo_disk_full(d, doing);
        return;
    }
    line = out_last_line(d);
    if (*line != '\0')
        pd_error_set(&d->err, PD_ERR_USAGE, "%s failed while %s: %s", prog,
                     doing, line);
    else if (d->term_signal != 0)
        pd_error_set(&d->err, PD_ERR_USAGE, "%s failed while %s: killed "
                     "by signal %d", prog, doing, d->term_signal);
    else
        pd_error_set(&d->err, PD_ERR_USAGE, "%s failed while %s: exit "
                     "status %d", prog, doing, (int)d->exit_status);
    free(line);
}

bool pd_demo_run_failed(pd_demo *d, const char *prog, const char *doing)
{
    if (ran_ok(d))
        return false;
    run_error(d, prog, doing);
    return true;
}

/* ---------- the programs ---------- */

void pd_demo_pg_config(pd_demo *d, pd_demo_step next)
{
    const char *argv[] = {"pg_config", "--bindir", NULL};

    run(d, argv, false, true, false, next);
}

char *pd_demo_pg_config_dir(const pd_demo *d)
{
    const char *s = pd_strbuf_cstr(&d->out);
    char *line;

    if (!ran_ok(d))
        return NULL;
    line = pd_xstrndup(s, strcspn(s, "\r\n"));
    if (*line == '/')
        return line;
    free(line);
    return NULL;
}

void pd_demo_initdb(pd_demo *d, pd_demo_step next)
{
    char *prog = pd_xasprintf("%s/initdb", d->bindir);
    char *user_arg = pd_xasprintf("--username=%s", d->st.user);
    const char *argv[] = {prog, "-D", d->st.data, user_arg,
                          "--encoding=UTF8", "--no-locale",
                          "--auth-local=trust", "--auth-host=scram-sha-256",
                          "--no-sync", NULL};

    run(d, argv, true, false, false, next);
    free(user_arg);
    free(prog);
}

/* The server leaves our session (detached); we wait for it ourselves,
 * with a connect (-W). */
void pd_demo_pg_ctl_start(pd_demo *d, pd_demo_step next)
{
    char *prog = pd_xasprintf("%s/pg_ctl", d->bindir);
    const char *argv[] = {prog, "start", "-W", "-s", "-D", d->st.data,
                          "-l", d->st.log, NULL};

    run(d, argv, true, false, true, next);
    free(prog);
}

void pd_demo_pg_ctl_stop(pd_demo *d, const char *mode, pd_demo_step next)
{
    char *prog = pd_xasprintf("%s/pg_ctl", d->bindir);
    const char *argv[] = {prog, "stop", "-D", d->st.data, "-s", "-m", mode,
                          "-w", "-t", "60", NULL};

    run(d, argv, true, false, false, next);
    free(prog);
}

/* ---------- the postmaster's pid ---------- */

static long read_pid(const char *path)
{
    FILE *f = fopen(path, "re");
    long pid = 0;

    if (f == NULL)
        return 0;
    if (fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    fclose(f);
    return pid;
}

/* True when pid is a live postgres of the cluster user: a process that
 * exists, is no zombie, runs as that user and is named postgres. Postgres
 * itself only asks kill(pid, 0), which takes a zombie (a server killed
 * hard, not reaped yet) or a reused pid for a running server. */
static bool pid_alive(const pd_demo *d, long pid)
{
    char *path, buf[512] = "", *rp;
    struct stat sb;
    bool alive = true;
    FILE *f;

    if (pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno != EPERM))
        return false;
    path = pd_xasprintf("/proc/%ld", pid);
    if (stat(path, &sb) != 0) {
        alive = !(errno == ENOENT && pd_demo_is_dir("/proc/self"));
        free(path);
        return alive;
    }
    if (sb.st_uid != d->uid)
        alive = false;
    free(path);
    path = pd_xasprintf("/proc/%ld/stat", pid);
    f = fopen(path, "re");
    if (f != NULL) {
        if (fgets(buf, sizeof(buf), f) != NULL &&
            (rp = strrchr(buf, ')')) != NULL && rp[1] == ' ' &&
            (rp[2] == 'Z' || rp[2] == 'X'))
            alive = false;
        if (strstr(buf, "postgres") == NULL &&
            strstr(buf, "postmaster") == NULL)
            alive = false;
        fclose(f);
    }
    free(path);
    return alive;
}

/* Removes the socket lock files (and sockets) in our private socket dir
 * whose server is gone. */
static void remove_stale_sockets(const pd_demo *d)
{
    char *path;
    int port = d->st.port;

    if (d->st.sock == NULL || port <= 0)
        return;
    path = pd_xasprintf("%s/.s.PGSQL.%d.lock", d->st.sock, port);
    if (access(path, F_OK) == 0 && !pid_alive(d, read_pid(path))) {
        unlink(path);
        path[strlen(path) - 5] = '\0'; /* the socket itself */
        unlink(path);
    }
    free(path);
}

/* Sets d->pid to the live postmaster of the data dir, or 0. When
 * remove_stale, the lock files of a dead one (a server killed hard) are
 * removed: postgres would take them for a running server. */
void pd_demo_check_pid(pd_demo *d, bool remove_stale)
{
    char *pidfile;
    long pid;

    d->pid = 0;
    if (d->st.data == NULL)
        return;
    pidfile = pd_xasprintf("%s/postmaster.pid", d->st.data);
    pid = read_pid(pidfile);
    if (pid_alive(d, pid)) {
        d->pid = pid;
    } else if (remove_stale) {
        unlink(pidfile);
        remove_stale_sockets(d);
    }
    free(pidfile);
}
