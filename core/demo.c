/* demo.c: the embedded demo database.
 *
 * One operation (start, stop, status, destroy) is one `demo` object that
 * walks a chain of steps. Each step hands control to exactly one
 * asynchronous thing and names the step that follows it:
 *   offload()  a small synchronous function on libuv's thread pool (file
 *              and directory work, flock, user lookup, port probing);
 *   run()      a program through uv_spawn, argv without a shell, as the
 *              postgres user when we are root, its stderr (or stdout)
 *              captured;
 *   later()    a uv timer;
 *   probe()    one non-blocking connect with pd_conn;
 *   sql()      one pd_query_fetch through a private one-connection pool.
 * Steps run one at a time, so the thread pool functions may touch the
 * object freely: the loop thread is only waiting for them. The user's
 * callback runs from a timer, never from inside another module's
 * callback, and the object is freed once its timer handle has closed. */
#include "core/demo.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/conn.h"
#include "core/conninfo.h"
#include "core/pool.h"
#include "core/query.h"
#include "core/result.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

extern char **environ;

#define DEFAULT_TIMEOUT_MS 60000
#define SPAWN_TIMEOUT_MS 120000
#define PROBE_TIMEOUT_MS 2000
#define FIRST_PORT 54320 /* ports tried first, then any free one */
#define PORT_SPAN 100
#define OUT_MAX 65536    /* bytes of child output kept */
#define BASE_PREFIX "pgdeck-demo-"

enum op { OP_START, OP_STOP, OP_STATUS, OP_DESTROY };

/* Why the server went away while we waited for it. */
enum why { WHY_OTHER, WHY_PORT, WHY_SHM, WHY_DISK };

typedef struct demo demo;
typedef void (*step_fn)(demo *d);

/* The state file, one key=value a line. */
typedef struct state {
    bool exists;   /* the file was read */
    bool complete; /* schema and data are loaded */
    bool has_data; /* data/PG_VERSION is there */
    char *base;    /* cluster dir: data, run, server.log below it */
    char *data;    /* data directory */
    char *sock;    /* Unix socket directory */
    char *log;     /* server log */
    char *user;    /* database superuser */
    char *bindir;  /* the binaries that made the cluster */
    int port;      /* 0 until chosen */
} state;

struct demo {
    uv_loop_t *loop;        /* borrowed */
    enum op op;
    pd_demo_cb cb;
    void *ctx;
    pd_demo_progress_cb progress;
    void *progress_ctx;
    uint64_t timeout_ms;    /* bound on the waits */
    uint64_t deadline;      /* uv_now() limit of the current wait */

    char *state_dir;        /* NULL: derive in prep */
    char *bindir_opt;       /* explicit binaries, or NULL */
    const char *bindir_src; /* where bindir_opt came from */
    char *pgconfig_dir;     /* pg_config --bindir, or NULL */
    char *bindir;           /* binaries in use, or NULL */
    int port_opt;           /* explicit port, or 0 */
    const char *port_src;   /* where port_opt came from */

    bool as_root;           /* run the server as postgres */
    uv_uid_t uid;           /* owner of the cluster files */
    uv_gid_t gid;
    char *run_home;         /* that user's home, or NULL */
    char *user;             /* database superuser name */
    char **env;             /* children's environment, owned */

    state st;
    char *state_file;
    char *lock_file;
    int lock_fd;            /* -1 when not held */
    bool lock_busy;         /* another operation holds it */
    char **made;            /* state dirs this call created, outermost
                               first, for removal after a failure */
    int nmade;

    bool created;           /* this call made the cluster */
    bool started;           /* this call started the server */
    bool stopped;           /* this call stopped the server */
    long pid;               /* live postmaster, or 0 */
    bool new_port;          /* pick another port at the next start */
    int port_tries;         /* starts retried for a busy port */
    int shm_tries;          /* starts retried for a lingering old server */
    uint64_t started_at;    /* uv_now() of pg_ctl start */
    uint64_t last_check;    /* uv_now() of the last liveness check */
    enum why why;           /* from the server log */
    char *why_text;         /* the log line saying it, or NULL */

    step_fn next;           /* what follows the thing in progress */
    void (*work_fn)(demo *d);
    uv_work_t work;
    uv_timer_t timer;

    uv_process_t proc;      /* the child of run() */
    uv_pipe_t pipe;         /* its captured output */
    char rbuf[4096];
    pd_strbuf out;          /* captured output */
    int pending;            /* child handles not closed yet */
    bool exited;
    bool pipe_closing;
    bool timed_out;
    int spawn_err;          /* uv_spawn's error, or 0 */
    int64_t exit_status;
    int term_signal;

    pd_pool *pool;          /* for sql(), or NULL */
    char *pool_db;          /* its database */
    bool probe_ok;
    pd_error perr;          /* probe() or sql() failure */

    char *conninfo;         /* for info */
    pd_error err;           /* the operation's failure */
};

static void fail(demo *d);
static void deliver(demo *d);

/* ---------- small helpers ---------- */

static void progress(demo *d, const char *fmt, ...) PD_PRINTF(2, 3);
static void progress(demo *d, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    if (d->progress == NULL)
        return;
    va_start(ap, fmt);
    msg = pd_xvasprintf(fmt, ap);
    va_end(ap);
    d->progress(msg, d->progress_ctx);
    free(msg);
}

static void set_str(char **field, const char *value)
{
    free(*field);
    *field = value != NULL ? pd_xstrdup(value) : NULL;
}

static void state_clear(state *st)
{
    free(st->base);
    free(st->data);
    free(st->sock);
    free(st->log);
    free(st->user);
    free(st->bindir);
    memset(st, 0, sizeof(*st));
}

/* A system call on path failed with errnum: one line, disk full said as
 * such. */
static void sys_error(demo *d, const char *what, const char *path,
                      int errnum)
{
    if (errnum == ENOSPC || errnum == EDQUOT)
        pd_error_set(&d->err, PD_ERR_USAGE,
                     "disk full: cannot %s %s: no space left on device; "
                     "free some space and try again", what, path);
    else
        pd_error_set(&d->err, PD_ERR_USAGE, "cannot %s %s: %s", what, path,
                     strerror(errnum));
}

static bool is_dir(const char *path)
{
    struct stat sb;

    return lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

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

/* Appends value to sb as a conninfo value, quoted when it needs it. */
static void conninfo_value(pd_strbuf *sb, const char *value)
{
    const char *p;

    if (*value != '\0' && strpbrk(value, " \t\n'\\") == NULL) {
        pd_strbuf_puts(sb, value);
        return;
    }
    pd_strbuf_putc(sb, '\'');
    for (p = value; *p != '\0'; p++) {
        if (*p == '\'' || *p == '\\')
            pd_strbuf_putc(sb, '\\');
        pd_strbuf_putc(sb, *p);
    }
    pd_strbuf_putc(sb, '\'');
}

/* Returns-owned conninfo for dbname on the recorded socket and port. */
static char *make_conninfo(const demo *d, const char *dbname)
{
    pd_strbuf sb = PD_STRBUF_INIT;

    pd_strbuf_puts(&sb, "host=");
    conninfo_value(&sb, d->st.sock != NULL ? d->st.sock : "");
    pd_strbuf_printf(&sb, " port=%d dbname=", d->st.port);
    conninfo_value(&sb, dbname);
    pd_strbuf_puts(&sb, " user=");
    conninfo_value(&sb, d->st.user != NULL ? d->st.user : d->user);
    return pd_strbuf_steal(&sb);
}

/* Returns-owned parameters for dbname, or NULL with d->perr set. Settings
 * from the PG* environment that would send us elsewhere are dropped. */
static pd_conninfo *make_ci(demo *d, const char *dbname)
{
    char *s = make_conninfo(d, dbname);
    pd_conninfo *ci = pd_conninfo_new(s, &d->perr);

    free(s);
    if (ci == NULL)
        return NULL;
    pd_conninfo_set(ci, "hostaddr", NULL);
    pd_conninfo_set(ci, "service", NULL);
    pd_conninfo_set(ci, "options", NULL);
    pd_conninfo_set(ci, "target_session_attrs", NULL);
    pd_conninfo_set(ci, "application_name", "pgdeck-demo");
    return ci;
}

/* The children's environment: ours without PG* (PGPORT, PGDATA, PGHOST
 * and friends would change what initdb, pg_ctl and postgres do), with
 * HOME and USER of the user they run as. */
static void build_env(demo *d, const char *user)
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

/* ---------- steps: the four primitives ---------- */

static void on_timer(uv_timer_t *t)
{
    demo *d = t->data;
    step_fn f = d->next;

    d->next = NULL;
    f(d);
}

/* Runs next after ms milliseconds, on a later loop turn even for 0. */
static void later(demo *d, uint64_t ms, step_fn next)
{
    d->next = next;
    uv_timer_start(&d->timer, on_timer, ms, 0);
}

static void work_cb(uv_work_t *w)
{
    demo *d = w->data;

    d->work_fn(d);
}

static void after_work_cb(uv_work_t *w, int status)
{
    demo *d = w->data;
    step_fn f = d->next;

    (void)status; /* never canceled */
    d->next = NULL;
    f(d);
}

/* Runs fn on the thread pool, then next on the loop. */
static void offload(demo *d, void (*fn)(demo *d), step_fn next)
{
    int rc;

    d->work_fn = fn;
    d->next = next;
    d->work.data = d;
    rc = uv_queue_work(d->loop, &d->work, work_cb, after_work_cb);
    if (rc != 0) {
        pd_error_set(&d->err, PD_ERR_USAGE, "cannot queue work: %s",
                     uv_strerror(rc));
        later(d, 0, fail);
    }
}

static void child_closed(uv_handle_t *h)
{
    demo *d = h->data;
    step_fn f;

    if (--d->pending > 0)
        return;
    uv_timer_stop(&d->timer);
    f = d->next;
    d->next = NULL;
    f(d);
}

static void close_pipe(demo *d)
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
    demo *d = t->data;

    if (!d->exited) {
        d->timed_out = true;
        uv_process_kill(&d->proc, SIGKILL);
    } else {
        close_pipe(d);
    }
}

static void on_child_exit(uv_process_t *p, int64_t status, int sig)
{
    demo *d = p->data;

    d->exited = true;
    d->exit_status = status;
    d->term_signal = sig;
    uv_close((uv_handle_t *)p, child_closed);
    if (!d->pipe_closing)
        uv_timer_start(&d->timer, on_child_timer, 500, 0);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    demo *d = h->data;

    (void)hint;
    *buf = uv_buf_init(d->rbuf, sizeof(d->rbuf));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    demo *d = s->data;

    if (n > 0 && d->out.len < OUT_MAX)
        pd_strbuf_append(&d->out, buf->base, (size_t)n);
    else if (n < 0)
        close_pipe(d);
}

/* Runs argv[0] with argv (borrowed for the call), as the cluster's user
 * when as_pg, capturing stdout (capture_stdout) or stderr; then next with
 * spawn_err, timed_out, exit_status, term_signal and out filled. */
static void run(demo *d, const char *const *argv, bool as_pg,
                bool capture_stdout, bool detached, step_fn next)
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

static bool ran_ok(const demo *d)
{
    return d->spawn_err == 0 && !d->timed_out && d->term_signal == 0 &&
           d->exit_status == 0;
}

/* Returns-owned last non-empty line of the captured output, or "". */
static char *out_last_line(const demo *d)
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
static void run_error(demo *d, const char *prog, const char *doing)
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
        pd_error_set(&d->err, PD_ERR_USAGE,
                     "disk full while %s (no space left on device under "
                     "%s); free some space and try again", doing,
                     d->st.base != NULL ? d->st.base : d->state_dir);
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

static void on_probe(pd_conn *c, const pd_error *err, void *ctx)
{
    demo *d = ctx;

    d->probe_ok = err == NULL;
    if (err != NULL)
        pd_error_copy(&d->perr, err);
    pd_conn_close(c);
    later(d, 0, d->next);
}

/* One connect attempt to database postgres; then next with probe_ok (and
 * perr on failure). */
static void probe(demo *d, step_fn next)
{
    pd_conninfo *ci;
    pd_conn *c;

    pd_error_clear(&d->perr);
    d->probe_ok = false;
    d->next = next;
    ci = make_ci(d, "postgres");
    if (ci == NULL) {
        later(d, 0, next);
        return;
    }
    c = pd_conn_new(d->loop, ci);
    pd_conninfo_free(ci);
    if (pd_conn_connect(c, PROBE_TIMEOUT_MS, on_probe, d) != 0) {
        pd_error_set(&d->perr, PD_ERR_CONNECTION, "cannot connect");
        pd_conn_close(c);
        later(d, 0, next);
    }
}

static void on_sql(pd_result *res, const pd_error *err, void *ctx)
{
    demo *d = ctx;

    pd_result_free(res);
    if (err != NULL)
        pd_error_copy(&d->perr, err);
    later(d, 0, d->next); /* leave the pool's callback first */
}

/* Runs sql (borrowed until next runs) in dbname with the simple protocol
 * on a one-connection pool; then next with perr set on failure. */
static void sql(demo *d, const char *dbname, const char *text,
                step_fn next)
{
    /* The data load takes seconds: no command timeout. */
    pd_query_opts qo = {.flags = PD_QUERY_SIMPLE,
                        .timeout_ms = PD_QUERY_NO_TIMEOUT};

    pd_error_clear(&d->perr);
    d->next = next;
    if (d->pool == NULL || strcmp(d->pool_db, dbname) != 0) {
        pd_pool_opts po = {.min = 0, .max = 1, .acquire_timeout_ms = 30000,
                           .connect_timeout_ms = 10000, .prepare = true,
                           .reconnect_base_ms = 100,
                           .reconnect_cap_ms = 10000};
        pd_conninfo *ci = make_ci(d, dbname);
        if (ci == NULL) {
            later(d, 0, next);
            return;
        }
        pd_pool_free(d->pool);
        d->pool = pd_pool_new(d->loop, ci, &po);
        pd_conninfo_free(ci);
        set_str(&d->pool_db, dbname);
        pd_pool_start(d->pool);
    }
    if (pd_query_fetch(d->pool, text, 0, NULL, &qo, on_sql, d) != 0) {
        pd_error_set(&d->perr, PD_ERR_CONNECTION, "cannot run a query");
        later(d, 0, next);
    }
}

/* ---------- thread pool work: files, users, ports ---------- */

/* Reads the state file into d->st. */
static void read_state(demo *d)
{
    FILE *f;
    char line[4096];
    char *pv;

    state_clear(&d->st);
    f = fopen(d->state_file, "re");
    if (f == NULL) {
        if (errno != ENOENT)
            sys_error(d, "read", d->state_file, errno);
        return;
    }
    d->st.exists = true;
    while (fgets(line, sizeof(line), f) != NULL) {
        char *eq = strchr(line, '='), *val;
        size_t n = strcspn(line, "\n");
        line[n] = '\0';
        if (line[0] == '#' || eq == NULL)
            continue;
        *eq = '\0';
        val = eq + 1;
        if (strcmp(line, "complete") == 0)
            d->st.complete = strcmp(val, "1") == 0;
        else if (strcmp(line, "port") == 0)
            d->st.port = atoi(val);
        else if (strcmp(line, "base") == 0)
            set_str(&d->st.base, val);
        else if (strcmp(line, "data") == 0)
            set_str(&d->st.data, val);
        else if (strcmp(line, "socket") == 0)
            set_str(&d->st.sock, val);
        else if (strcmp(line, "log") == 0)
            set_str(&d->st.log, val);
        else if (strcmp(line, "user") == 0)
            set_str(&d->st.user, val);
        else if (strcmp(line, "bindir") == 0)
            set_str(&d->st.bindir, val);
    }
    fclose(f);
    if (d->st.data != NULL) {
        pv = pd_xasprintf("%s/PG_VERSION", d->st.data);
        d->st.has_data = access(pv, F_OK) == 0;
        free(pv);
    }
}

static bool put_kv(FILE *f, const char *key, const char *val)
{
    return val == NULL || fprintf(f, "%s=%s\n", key, val) >= 0;
}

/* Writes d->st to the state file (mode 0600), atomically. */
static void write_state(demo *d)
{
    char *tmp = pd_xasprintf("%s.tmp", d->state_file);
    FILE *f = NULL;
    int fd, e;
    bool ok;

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
    ok = ok && put_kv(f, "base", d->st.base) &&
         put_kv(f, "data", d->st.data) && put_kv(f, "socket", d->st.sock) &&
         put_kv(f, "log", d->st.log) && put_kv(f, "user", d->st.user) &&
         put_kv(f, "bindir", d->st.bindir);
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
    sys_error(d, "write", d->state_file, e);
    free(tmp);
}

/* mkdir -p with mode 0700, remembering the directories it made. */
static int make_dirs(demo *d, const char *path)
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
        } else if (errno != EEXIST || !is_dir(p)) {
            rc = errno != EEXIST ? errno : ENOTDIR;
            sys_error(d, "create directory", p, rc);
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
static bool is_our_base(const demo *d, const char *path)
{
    char *own = pd_xasprintf("%s/cluster", d->state_dir);
    const char *slash = strrchr(path, '/');
    bool ok = strcmp(path, own) == 0 ||
              (slash != NULL && strncmp(slash + 1, BASE_PREFIX,
                                        strlen(BASE_PREFIX)) == 0);

    free(own);
    return ok;
}

static void remove_tree(const demo *d, const char *path)
{
    if (path != NULL && is_our_base(d, path) && is_dir(path))
        nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* The pid on the first line of a postgres lock file, or 0. */
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
static bool pid_alive(const demo *d, long pid)
{
    char *path, buf[512] = "", *rp;
    struct stat sb;
    bool alive = true;
    FILE *f;

    if (pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno != EPERM))
        return false;
    path = pd_xasprintf("/proc/%ld", pid);
    if (stat(path, &sb) != 0) {
        alive = !(errno == ENOENT && is_dir("/proc/self"));
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
static void remove_stale_sockets(const demo *d)
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
static void check_pid(demo *d, bool remove_stale)
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

static void w_check(demo *d)
{
    check_pid(d, d->op != OP_STATUS);
}

static bool port_free(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    bool ok;

    if (fd < 0)
        return true; /* cannot tell; the server will */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}

/* A free loopback port other than avoid: one of ours first, else any. */
static int pick_port(int avoid)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int p, fd;

    for (p = FIRST_PORT; p < FIRST_PORT + PORT_SPAN; p++)
        if (p != avoid && port_free(p))
            return p;
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    p = 0;
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        p = ntohs(a.sin_port);
    close(fd);
    return p;
}

/* Picks the binaries: an explicit directory only; else the ones that made
 * the cluster, pg_config's, the newest /usr/lib/postgresql/N/bin, others
 * of the usual places, $PATH. */
static void find_bindir(demo *d)
{
    static const char *const globs[] = {"/usr/lib/postgresql/*/bin",
                                        "/usr/pgsql-*/bin",
                                        "/usr/local/pgsql/bin"};
    size_t i, j;
    const char *path;
    long best = -1;

    set_str(&d->bindir, NULL);
    if (d->bindir_opt != NULL) {
        if (bindir_ok(d->bindir_opt))
            set_str(&d->bindir, d->bindir_opt);
        return;
    }
    if (bindir_ok(d->st.bindir)) {
        set_str(&d->bindir, d->st.bindir);
        return;
    }
    if (bindir_ok(d->pgconfig_dir)) {
        set_str(&d->bindir, d->pgconfig_dir);
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
                set_str(&d->bindir, g.gl_pathv[j]);
            }
        }
        globfree(&g);
    }
    path = getenv("PATH");
    while (d->bindir == NULL && path != NULL && *path != '\0') {
        size_t n = strcspn(path, ":");
        char *dir = pd_xstrndup(path, n);
        if (n > 0 && bindir_ok(dir))
            set_str(&d->bindir, dir);
        free(dir);
        path += n + (path[n] == ':');
    }
}

static void bindir_error(demo *d)
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

/* getpwnam_r/getpwuid_r (name NULL: by uid) into pw and buf (sized for
 * the job): this runs on the thread pool. Returns pw or NULL. */
static struct passwd *user_lookup(const char *name, uid_t uid,
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

/* Who the cluster belongs to, where the state is; with the lock taken for
 * the operations that change things, the state file read. Nothing is
 * created before the binaries are known to be there. */
static void w_prep(demo *d)
{
    struct passwd pwd, *pw;
    char pwbuf[4096];
    bool need_bin = d->op == OP_START;
    int e;

    d->lock_busy = false;
    if (d->state_dir == NULL) {
        const char *x = getenv("XDG_STATE_HOME"), *h = getenv("HOME");
        if (x != NULL && x[0] == '/') {
            d->state_dir = pd_xasprintf("%s/pgdeck/demo", x);
        } else {
            if (h == NULL || h[0] != '/') {
                pw = user_lookup(NULL, geteuid(), &pwd, pwbuf,
                                 sizeof(pwbuf));
                h = pw != NULL ? pw->pw_dir : NULL;
            }
            if (h == NULL) {
                pd_error_set(&d->err, PD_ERR_USAGE, "cannot tell where to "
                             "keep the demo database: set HOME or "
                             "XDG_STATE_HOME");
                return;
            }
            d->state_dir = pd_xasprintf("%s/.local/state/pgdeck/demo", h);
        }
        d->state_file = pd_xasprintf("%s/state", d->state_dir);
        d->lock_file = pd_xasprintf("%s/lock", d->state_dir);
    }
    if (d->user == NULL) {
        d->as_root = geteuid() == 0;
        if (d->as_root) {
            pw = user_lookup("postgres", 0, &pwd, pwbuf, sizeof(pwbuf));
            if (pw == NULL) {
                pd_error_set(&d->err, PD_ERR_USAGE,
                             "running as root needs the postgres system "
                             "user to run the server: install the "
                             "postgresql package, or run pgdeck as a "
                             "normal user");
                return;
            }
            d->user = pd_xstrdup("postgres");
        } else {
            pw = user_lookup(NULL, geteuid(), &pwd, pwbuf, sizeof(pwbuf));
            d->user = pd_xstrdup(pw != NULL ? pw->pw_name :
                                 getenv("USER") != NULL ? getenv("USER") :
                                 "postgres");
        }
        d->uid = pw != NULL ? pw->pw_uid : geteuid();
        d->gid = pw != NULL ? pw->pw_gid : getegid();
        if (pw != NULL)
            d->run_home = pd_xstrdup(pw->pw_dir);
        build_env(d, d->user);
    }
    if (need_bin && d->bindir == NULL) {
        read_state(d); /* prefer the binaries that made the cluster */
        if (pd_error_isset(&d->err))
            return;
        find_bindir(d);
        if (d->bindir == NULL) {
            bindir_error(d);
            return;
        }
    }
    if (d->op == OP_STATUS || (d->op != OP_START && !is_dir(d->state_dir))) {
        read_state(d);
        return;
    }
    if (make_dirs(d, d->state_dir) != 0)
        return;
    if (d->lock_fd < 0) {
        d->lock_fd = open(d->lock_file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (d->lock_fd < 0) {
            sys_error(d, "open", d->lock_file, errno);
            return;
        }
    }
    if (flock(d->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        e = errno;
        if (e == EWOULDBLOCK)
            d->lock_busy = true;
        else
            sys_error(d, "lock", d->lock_file, e);
        return;
    }
    read_state(d);
    if (d->op != OP_START && d->bindir == NULL) {
        find_bindir(d); /* stopping needs pg_ctl only if it runs */
    }
}

/* Makes the cluster dir: below the state dir, or as root a fresh
 * postgres-owned dir in postgres's home (/root is closed to it). */
static void w_create(demo *d)
{
    char *base = NULL;
    struct stat sb;

    state_clear(&d->st);
    if (d->as_root) {
        const char *parent = "/tmp";
        if (d->run_home != NULL && stat(d->run_home, &sb) == 0 &&
            S_ISDIR(sb.st_mode) && sb.st_uid == d->uid)
            parent = d->run_home;
        base = pd_xasprintf("%s/" BASE_PREFIX "XXXXXX", parent);
        if (mkdtemp(base) == NULL) {
            sys_error(d, "create directory in", parent, errno);
            goto fail;
        }
        if (chown(base, d->uid, d->gid) != 0) {
            sys_error(d, "give to postgres", base, errno);
            rmdir(base);
            goto fail;
        }
    } else {
        base = pd_xasprintf("%s/cluster", d->state_dir);
        remove_tree(d, base); /* a leftover without state */
        if (mkdir(base, 0700) != 0) {
            sys_error(d, "create directory", base, errno);
            goto fail;
        }
    }
    d->st.base = base;
    d->st.data = pd_xasprintf("%s/data", base);
    d->st.log = pd_xasprintf("%s/server.log", base);
    d->st.user = pd_xstrdup(d->user);
    d->st.bindir = pd_xstrdup(d->bindir);
    d->created = true;
    write_state(d);
    return;

fail:
    free(base);
}

static void w_conf(demo *d)
{
    char *path = pd_xasprintf("%s/postgresql.conf", d->st.data);
    FILE *f = fopen(path, "ae");

    if (f == NULL || fputs("\n# pgdeck demo: port and sockets in "
                           "pgdeck.conf, rewritten at each start\n"
                           "include_if_exists = 'pgdeck.conf'\n", f) < 0) {
        sys_error(d, "write", path, errno);
    }
    if (f != NULL && fclose(f) != 0 && !pd_error_isset(&d->err))
        sys_error(d, "write", path, errno);
    free(path);
}

/* A private socket dir owned by the cluster user: base/run, or under /tmp
 * when that path is too long for a Unix socket address. */
static int ensure_sock_dir(demo *d)
{
    struct sockaddr_un sa;
    struct stat sb;
    char *dir;

    if (d->st.sock != NULL && lstat(d->st.sock, &sb) == 0 &&
        S_ISDIR(sb.st_mode) && sb.st_uid == d->uid &&
        (sb.st_mode & 077) == 0)
        return 0;
    dir = pd_xasprintf("%s/run", d->st.base);
    if (strlen(dir) + sizeof("/.s.PGSQL.65535") > sizeof(sa.sun_path)) {
        free(dir);
        dir = pd_xstrdup("/tmp/" BASE_PREFIX "run-XXXXXX");
        if (mkdtemp(dir) == NULL) {
            sys_error(d, "create directory in", "/tmp", errno);
            free(dir);
            return -1;
        }
    } else if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        sys_error(d, "create directory", dir, errno);
        free(dir);
        return -1;
    }
    if (lstat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode) ||
        (sb.st_uid != d->uid && lchown(dir, d->uid, d->gid) != 0) ||
        chmod(dir, 0700) != 0) {
        sys_error(d, "prepare socket directory", dir, errno);
        free(dir);
        return -1;
    }
    free(d->st.sock);
    d->st.sock = dir;
    return 0;
}

/* Writes the settings that change between starts. */
static void write_conf(demo *d)
{
    char *path = pd_xasprintf("%s/pgdeck.conf", d->st.data);
    pd_strbuf sb = PD_STRBUF_INIT;
    const char *p;
    int fd;
    ssize_t n;

    pd_strbuf_printf(&sb, "# written by pgdeck at each start of the demo "
                     "server\nlisten_addresses = '127.0.0.1'\nport = %d\n"
                     "unix_socket_directories = '", d->st.port);
    for (p = d->st.sock; *p != '\0'; p++) {
        if (*p == '\'')
            pd_strbuf_putc(&sb, '\'');
        pd_strbuf_putc(&sb, *p);
    }
    pd_strbuf_puts(&sb, "'\nsynchronous_commit = off\n");
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        sys_error(d, "write", path, errno);
        goto out;
    }
    if (fchown(fd, d->uid, d->gid) != 0 && geteuid() == 0) {
        sys_error(d, "give to postgres", path, errno);
        close(fd);
        goto out;
    }
    n = write(fd, sb.buf, sb.len);
    if (n != (ssize_t)sb.len) {
        sys_error(d, "write", path, n < 0 ? errno : ENOSPC);
        close(fd);
        goto out;
    }
    if (close(fd) != 0)
        sys_error(d, "write", path, errno);
out:
    pd_strbuf_free(&sb);
    free(path);
}

/* Before pg_ctl start: a stale pid file removed, the socket dir there, a
 * free port chosen, pgdeck.conf and the state written. */
static void w_prestart(demo *d)
{
    check_pid(d, true);
    if (d->pid != 0)
        return; /* it runs after all: just wait for it */
    if (ensure_sock_dir(d) != 0)
        return;
    if (d->port_opt != 0) {
        if (!port_free(d->port_opt)) {
            pd_error_set(&d->err, PD_ERR_USAGE,
                         "port %d is in use (from %s): choose another "
                         "port, or leave it unset to let pgdeck pick "
                         "one", d->port_opt, d->port_src);
            return;
        }
        d->st.port = d->port_opt;
    } else if (d->st.port <= 0 || d->new_port || !port_free(d->st.port)) {
        d->st.port = pick_port(d->st.port);
        if (d->st.port == 0) {
            pd_error_set(&d->err, PD_ERR_USAGE, "no free loopback port "
                         "for the demo server: free one, or set "
                         "PGDECK_DEMO_PORT");
            return;
        }
    }
    d->new_port = false;
    write_conf(d);
    if (!pd_error_isset(&d->err))
        write_state(d);
}

/* Why did the server stop while starting? The end of its log says. */
static void w_logtail(demo *d)
{
    char buf[8192], *line, *best = NULL, *s;
    FILE *f = d->st.log != NULL ? fopen(d->st.log, "re") : NULL;
    size_t n;

    d->why = WHY_OTHER;
    set_str(&d->why_text, NULL);
    if (f == NULL)
        return;
    if (fseek(f, -(long)(sizeof(buf) - 1), SEEK_END) != 0)
        rewind(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    for (line = strtok_r(buf, "\n", &s); line != NULL;
         line = strtok_r(NULL, "\n", &s)) {
        char *m;
        if ((m = strstr(line, "FATAL:")) != NULL ||
            (m = strstr(line, "PANIC:")) != NULL ||
            (m = strstr(line, "No space left")) != NULL)
            best = m;
        if (strstr(line, "Address already in use") != NULL)
            d->why = WHY_PORT;
        else if (strstr(line, "No space left on device") != NULL)
            d->why = WHY_DISK;
        else if (strstr(line, "shared memory block") != NULL ||
                 strstr(line, "lock file \"") != NULL)
            d->why = WHY_SHM;
    }
    if (best != NULL) {
        if (strncmp(best, "FATAL:", 6) == 0 || strncmp(best, "PANIC:", 6) == 0)
            best += 6;
        while (*best == ' ')
            best++;
        set_str(&d->why_text, best);
    }
}

static void w_complete(demo *d)
{
    d->st.complete = true;
    write_state(d);
}

enum rm { RM_DISCARD, RM_UNDO, RM_DESTROY };

/* Removes the cluster and the state file; for RM_UNDO also the lock and
 * the state dirs this call made; for RM_DESTROY the state dir (and its
 * parent when empty). */
static void remove_all(demo *d, enum rm how)
{
    int i;

    remove_tree(d, d->st.base);
    if (d->st.sock != NULL && strncmp(d->st.sock, "/tmp/" BASE_PREFIX,
                                      5 + strlen(BASE_PREFIX)) == 0)
        rmdir(d->st.sock);
    if (d->state_file == NULL)
        return;
    unlink(d->state_file);
    if (how == RM_DISCARD)
        return;
    unlink(d->lock_file);
    if (how == RM_DESTROY) {
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

static void w_discard(demo *d)
{
    remove_all(d, RM_DISCARD);
}

static void w_undo(demo *d)
{
    remove_all(d, RM_UNDO);
}

static void w_destroy(demo *d)
{
    remove_all(d, RM_DESTROY);
}

/* ---------- the operations ---------- */

static void op_prep(demo *d);

static void done_absent(demo *d)
{
    deliver(d);
}

/* The end of a failed operation. A cluster this call made goes away
 * again, server first. */
static void undo_removed(demo *d)
{
    deliver(d);
}

static void undo_stopped(demo *d)
{
    offload(d, w_undo, undo_removed);
}

static void run_pg_ctl(demo *d, const char *action, const char *mode,
                       step_fn next)
{
    char *prog = pd_xasprintf("%s/pg_ctl", d->bindir);
    const char *argv[] = {prog, action, "-D", d->st.data, "-s", "-m", mode,
                          "-w", "-t", "60", NULL};

    run(d, argv, true, false, false, next);
    free(prog);
}

static void fail(demo *d)
{
    if (!d->created) {
        deliver(d);
        return;
    }
    if (d->started && d->bindir != NULL) {
        run_pg_ctl(d, "stop", "immediate", undo_stopped);
        return;
    }
    undo_stopped(d);
}

static void after_pid(demo *d)
{
    later(d, 0, deliver);
}

static void running(demo *d)
{
    offload(d, w_check, after_pid);
}

static void after_complete(demo *d)
{
    if (pd_error_isset(&d->err)) {
        fail(d);
        return;
    }
    running(d);
}

static void load_error(demo *d, const char *doing)
{
    if (strcmp(d->perr.sqlstate, "53100") == 0 ||
        (d->perr.message != NULL &&
         strstr(d->perr.message, "No space left on device") != NULL))
        pd_error_set(&d->err, PD_ERR_USAGE,
                     "disk full while %s (no space left on device under "
                     "%s); free some space and try again", doing,
                     d->st.base);
    else
        pd_error_set(&d->err, d->perr.kind, "%s failed: %s", doing,
                     d->perr.message != NULL ? d->perr.message : "error");
}

static void after_load(demo *d)
{
    if (pd_error_isset(&d->perr)) {
        load_error(d, "loading the demo data");
        fail(d);
        return;
    }
    offload(d, w_complete, after_complete);
}

static void after_createdb(demo *d)
{
    if (pd_error_isset(&d->perr) &&
        strcmp(d->perr.sqlstate, "42P04") != 0) { /* duplicate_database */
        load_error(d, "creating database " PD_DEMO_DBNAME);
        fail(d);
        return;
    }
    progress(d, "loading the demo data (markets: 100000 rows)");
    sql(d, PD_DEMO_DBNAME, pd_demo_sql, after_load);
}

static void ready(demo *d)
{
    if (d->st.complete) {
        running(d);
        return;
    }
    sql(d, "postgres", "CREATE DATABASE " PD_DEMO_DBNAME, after_createdb);
}

static void prestart(demo *d);
static void wait_ready(demo *d);

static void after_logtail(demo *d)
{
    const char *log = d->st.log != NULL ? d->st.log : "the server log";

    if (d->why == WHY_PORT && d->port_opt == 0 && d->port_tries++ < 3) {
        d->new_port = true;
        prestart(d);
        return;
    }
    if (d->why == WHY_SHM && d->shm_tries++ < 40) {
        later(d, 250, prestart); /* the old server's children are exiting */
        return;
    }
    if (d->why == WHY_PORT)
        pd_error_set(&d->err, PD_ERR_USAGE, "port %d is in use: choose "
                     "another port, or leave PGDECK_DEMO_PORT unset to "
                     "let pgdeck pick one", d->st.port);
    else if (d->why == WHY_DISK)
        pd_error_set(&d->err, PD_ERR_USAGE, "disk full: the demo server "
                     "cannot start (no space left on device under %s); "
                     "free some space and try again", d->st.base);
    else if (d->why_text != NULL)
        pd_error_set(&d->err, PD_ERR_CONNECTION, "the demo server did not "
                     "start: %s (see %s)", d->why_text, log);
    else
        pd_error_set(&d->err, PD_ERR_CONNECTION, "the demo server did not "
                     "start (see %s)", log);
    fail(d);
}

static void after_alive(demo *d)
{
    if (d->pid != 0) {
        later(d, 100, wait_ready);
        return;
    }
    offload(d, w_logtail, after_logtail);
}

static void after_probe(demo *d)
{
    uint64_t now = uv_now(d->loop);

    if (d->probe_ok) {
        ready(d);
        return;
    }
    if (now >= d->deadline) {
        pd_error_set(&d->err, PD_ERR_TIMEOUT, "the demo server did not "
                     "accept connections within %u s: %s (see %s)",
                     (unsigned)(d->timeout_ms / 1000),
                     d->perr.message != NULL ? d->perr.message : "",
                     d->st.log);
        fail(d);
        return;
    }
    /* pg_ctl -W returns before the postmaster writes its pid file: look
     * for a dead server only after a second, then twice a second. */
    if (now - d->started_at >= 1000 && now - d->last_check >= 500) {
        d->last_check = now;
        offload(d, w_check, after_alive);
        return;
    }
    later(d, 100, wait_ready);
}

static void wait_ready(demo *d)
{
    probe(d, after_probe);
}

static void after_pg_start(demo *d)
{
    if (!ran_ok(d)) {
        run_error(d, "pg_ctl", "starting the demo server");
        fail(d);
        return;
    }
    d->started = true;
    d->started_at = d->last_check = uv_now(d->loop);
    d->deadline = d->started_at + d->timeout_ms;
    wait_ready(d);
}

static void after_prestart(demo *d)
{
    char *prog;
    const char *argv[9];

    if (pd_error_isset(&d->err)) {
        fail(d);
        return;
    }
    if (d->pid != 0) { /* already up (another start raced us) */
        d->deadline = uv_now(d->loop) + d->timeout_ms;
        wait_ready(d);
        return;
    }
    prog = pd_xasprintf("%s/pg_ctl", d->bindir);
    argv[0] = prog;
    argv[1] = "start";
    argv[2] = "-W"; /* we wait ourselves, with a connect */
    argv[3] = "-s";
    argv[4] = "-D";
    argv[5] = d->st.data;
    argv[6] = "-l";
    argv[7] = d->st.log;
    argv[8] = NULL;
    run(d, argv, true, false, true, after_pg_start);
    free(prog);
}

static void prestart(demo *d)
{
    offload(d, w_prestart, after_prestart);
}

static void after_conf(demo *d)
{
    if (pd_error_isset(&d->err)) {
        fail(d);
        return;
    }
    progress(d, "starting the demo server");
    prestart(d);
}

static void after_initdb(demo *d)
{
    if (!ran_ok(d)) {
        run_error(d, "initdb", "creating the demo cluster");
        fail(d);
        return;
    }
    offload(d, w_conf, after_conf);
}

static void after_create(demo *d)
{
    char *prog, *user_arg;

    if (pd_error_isset(&d->err)) {
        fail(d);
        return;
    }
    progress(d, "creating the demo cluster in %s", d->st.base);
    prog = pd_xasprintf("%s/initdb", d->bindir);
    user_arg = pd_xasprintf("--username=%s", d->st.user);
    {
        const char *argv[] = {prog, "-D", d->st.data, user_arg,
                              "--encoding=UTF8", "--no-locale",
                              "--auth-local=trust",
                              "--auth-host=scram-sha-256", "--no-sync",
                              NULL};
        run(d, argv, true, false, false, after_initdb);
    }
    free(user_arg);
    free(prog);
}

static void create(demo *d)
{
    offload(d, w_create, after_create);
}

/* An unfinished cluster (a start that was interrupted) is thrown away. */
static void discard_removed(demo *d)
{
    state_clear(&d->st);
    create(d);
}

static void discard_stopped(demo *d)
{
    offload(d, w_discard, discard_removed);
}

static void after_discard_check(demo *d)
{
    if (d->pid != 0 && d->bindir != NULL) {
        run_pg_ctl(d, "stop", "immediate", discard_stopped);
        return;
    }
    discard_stopped(d);
}

static void after_start_check(demo *d)
{
    if (d->pid != 0) { /* running: a no-op, once it answers */
        d->started_at = d->last_check = uv_now(d->loop);
        d->deadline = d->started_at + d->timeout_ms;
        wait_ready(d);
        return;
    }
    progress(d, "starting the demo server");
    prestart(d);
}

static void start_prepped(demo *d)
{
    if (d->st.exists && d->st.complete && d->st.has_data)
        offload(d, w_check, after_start_check);
    else if (d->st.exists)
        offload(d, w_check, after_discard_check);
    else
        create(d);
}

static void after_stop(demo *d)
{
    if (!ran_ok(d)) {
        run_error(d, "pg_ctl", "stopping the demo server");
        deliver(d);
        return;
    }
    d->stopped = true;
    d->pid = 0;
    if (d->op == OP_DESTROY) {
        offload(d, w_destroy, deliver);
        return;
    }
    deliver(d);
}

static void after_stop_check(demo *d)
{
    if (d->pid == 0) {
        if (d->op == OP_DESTROY)
            offload(d, w_destroy, deliver);
        else
            deliver(d);
        return;
    }
    if (d->bindir == NULL) {
        bindir_error(d);
        deliver(d);
        return;
    }
    run_pg_ctl(d, "stop", "fast", after_stop);
}

static void after_status_probe(demo *d)
{
    if (!d->probe_ok)
        pd_error_set(&d->err, PD_ERR_CONNECTION,
                     "the demo server (pid %ld) does not accept "
                     "connections: %s", d->pid,
                     d->perr.message != NULL ? d->perr.message : "");
    deliver(d);
}

static void after_status_check(demo *d)
{
    if (d->pid == 0) {
        deliver(d);
        return;
    }
    probe(d, after_status_probe);
}

static void after_prep(demo *d)
{
    if (pd_error_isset(&d->err)) {
        fail(d);
        return;
    }
    if (d->lock_busy) {
        if (uv_now(d->loop) >= d->deadline) {
            pd_error_set(&d->err, PD_ERR_USAGE, "another pgdeck demo "
                         "command holds %s: wait for it to finish",
                         d->lock_file);
            deliver(d);
            return;
        }
        later(d, 200, op_prep);
        return;
    }
    switch (d->op) {
    case OP_START:
        start_prepped(d);
        break;
    case OP_STOP:
    case OP_DESTROY:
        if (!d->st.exists) {
            if (d->op == OP_DESTROY)
                offload(d, w_destroy, done_absent);
            else
                deliver(d);
            break;
        }
        offload(d, w_check, after_stop_check);
        break;
    case OP_STATUS:
        if (!d->st.exists)
            deliver(d);
        else
            offload(d, w_check, after_status_check);
        break;
    }
}

static void op_prep(demo *d)
{
    offload(d, w_prep, after_prep);
}

static void after_pg_config(demo *d)
{
    char *line = NULL;
    size_t n;

    if (ran_ok(d)) {
        const char *s = pd_strbuf_cstr(&d->out);
        n = strcspn(s, "\r\n");
        line = pd_xstrndup(s, n);
        if (*line == '/')
            d->pgconfig_dir = line;
        else
            free(line);
    }
    d->deadline = uv_now(d->loop) + d->timeout_ms;
    op_prep(d);
}

/* ---------- life cycle ---------- */

static void on_timer_closed(uv_handle_t *h)
{
    demo *d = h->data;
    int i;

    state_clear(&d->st);
    free(d->state_dir);
    free(d->state_file);
    free(d->lock_file);
    free(d->bindir_opt);
    free(d->pgconfig_dir);
    free(d->bindir);
    free(d->run_home);
    free(d->user);
    free(d->why_text);
    free(d->pool_db);
    free(d->conninfo);
    for (i = 0; d->env != NULL && d->env[i] != NULL; i++)
        free(d->env[i]);
    free(d->env);
    for (i = 0; i < d->nmade; i++)
        free(d->made[i]);
    free(d->made);
    pd_strbuf_free(&d->out);
    pd_error_clear(&d->perr);
    pd_error_clear(&d->err);
    free(d);
}

/* Calls the user back once, then lets go of everything. */
static void deliver(demo *d)
{
    pd_demo_info info;
    bool ok = !pd_error_isset(&d->err);

    memset(&info, 0, sizeof(info));
    info.created = d->created && ok;
    info.started = d->started && ok;
    info.stopped = d->stopped;
    info.state_dir = d->state_dir;
    if (d->st.exists || (d->created && ok)) {
        info.state = d->pid != 0 ? PD_DEMO_RUNNING : PD_DEMO_STOPPED;
        if (info.state == PD_DEMO_RUNNING && d->op == OP_STATUS &&
            !d->probe_ok)
            info.state = PD_DEMO_STOPPED;
        info.pid = d->pid;
        info.port = d->st.port;
        info.data_dir = d->st.data;
        info.socket_dir = d->st.sock;
        info.log_file = d->st.log;
        if (d->st.sock != NULL && d->st.port > 0) {
            d->conninfo = make_conninfo(d, PD_DEMO_DBNAME);
            info.conninfo = d->conninfo;
        }
    }
    if (d->op == OP_DESTROY && ok)
        info.state = PD_DEMO_ABSENT;
    pd_pool_free(d->pool);
    d->pool = NULL;
    if (d->lock_fd >= 0) {
        close(d->lock_fd); /* releases the flock */
        d->lock_fd = -1;
    }
    d->cb(&info, ok ? NULL : &d->err, d->ctx);
    uv_close((uv_handle_t *)&d->timer, on_timer_closed);
}

static int begin(uv_loop_t *loop, enum op op, const pd_demo_opts *opts,
                 pd_demo_cb cb, void *ctx)
{
    demo *d;
    const char *env;

    if (loop == NULL || cb == NULL)
        return PD_EINVAL;
    d = pd_xcalloc(1, sizeof(*d));
    d->loop = loop;
    d->op = op;
    d->cb = cb;
    d->ctx = ctx;
    d->lock_fd = -1;
    d->timeout_ms = DEFAULT_TIMEOUT_MS;
    if (opts != NULL) {
        if (opts->timeout_ms != 0)
            d->timeout_ms = opts->timeout_ms;
        if (opts->state_dir != NULL) {
            d->state_dir = pd_xstrdup(opts->state_dir);
            d->state_file = pd_xasprintf("%s/state", d->state_dir);
            d->lock_file = pd_xasprintf("%s/lock", d->state_dir);
        }
        if (opts->bindir != NULL) {
            d->bindir_opt = pd_xstrdup(opts->bindir);
            d->bindir_src = "the bindir option";
        }
        d->port_opt = opts->port;
        d->port_src = "the port option";
        d->progress = opts->progress;
        d->progress_ctx = opts->progress_ctx;
    }
    env = getenv("PGDECK_PG_BINDIR");
    if (d->bindir_opt == NULL && env != NULL && *env != '\0') {
        d->bindir_opt = pd_xstrdup(env);
        d->bindir_src = "PGDECK_PG_BINDIR";
    }
    env = getenv("PGDECK_DEMO_PORT");
    if (d->port_opt == 0 && env != NULL && *env != '\0') {
        d->port_opt = atoi(env);
        d->port_src = "PGDECK_DEMO_PORT";
    }
    if (d->port_opt < 0 || d->port_opt > 65535) {
        pd_error_set(&d->err, PD_ERR_USAGE, "bad port %d (from %s)",
                     d->port_opt, d->port_src);
        d->port_opt = 0;
    }
    uv_timer_init(loop, &d->timer);
    d->timer.data = d;
    d->deadline = uv_now(loop) + d->timeout_ms;
    if (pd_error_isset(&d->err)) {
        later(d, 0, deliver);
    } else if (op != OP_STATUS && d->bindir_opt == NULL) {
        const char *argv[] = {"pg_config", "--bindir", NULL};
        run(d, argv, false, true, false, after_pg_config);
    } else {
        op_prep(d);
    }
    return 0;
}

/* Makes the demo cluster if needed, starts its server if needed and waits
 * for it. Returns 0 and calls cb exactly once, never synchronously, or
 * PD_EINVAL (loop or cb NULL) without calling it. opts may be NULL and is
 * borrowed for the call only. */
int pd_demo_start(uv_loop_t *loop, const pd_demo_opts *opts, pd_demo_cb cb,
                  void *ctx)
{
    return begin(loop, OP_START, opts, cb, ctx);
}

/* Stops the demo server if it runs. Returns 0 and calls cb exactly once,
 * never synchronously, or PD_EINVAL without calling it. */
int pd_demo_stop(uv_loop_t *loop, const pd_demo_opts *opts, pd_demo_cb cb,
                 void *ctx)
{
    return begin(loop, OP_STOP, opts, cb, ctx);
}

/* Reports whether the demo cluster exists and its server answers. Returns
 * 0 and calls cb exactly once, never synchronously, or PD_EINVAL without
 * calling it. */
int pd_demo_status(uv_loop_t *loop, const pd_demo_opts *opts, pd_demo_cb cb,
                   void *ctx)
{
    return begin(loop, OP_STATUS, opts, cb, ctx);
}

/* Stops the demo server and removes the cluster and its state. Returns 0
 * and calls cb exactly once, never synchronously, or PD_EINVAL without
 * calling it. */
int pd_demo_destroy(uv_loop_t *loop, const pd_demo_opts *opts,
                    pd_demo_cb cb, void *ctx)
{
    return begin(loop, OP_DESTROY, opts, cb, ctx);
}
