/* demo.c: the embedded demo database's operations.
 *
 * One operation (start, stop, status, destroy) is one pd_demo object that
 * walks a chain of steps. Each step hands control to exactly one
 * asynchronous thing and names the step that follows it:
 *   pd_demo_offload()  a small synchronous function on libuv's thread
 *                      pool (file and directory work, flock, user lookup,
 *                      port probing);
 *   pd_demo_initdb() and the other programs of demo_proc.c, through
 *                      uv_spawn, argv without a shell, as the postgres
 *                      user when we are root, their output captured;
 *   pd_demo_later()    a uv timer;
 *   pd_demo_probe()    one non-blocking connect with pd_conn;
 *   pd_demo_load()     queries through a private one-connection pool.
 * Steps run one at a time, so the thread pool functions may touch the
 * object freely: the loop thread is only waiting for them. The user's
 * callback runs from a timer, never from inside another module's
 * callback, and the object is freed once its timer handle has closed.
 * demo_int.h says which file does what. */
#include "core/demo.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/demo_int.h"
#include "core/xalloc.h"

#define DEFAULT_TIMEOUT_MS 60000

static void fail(pd_demo *d);
static void deliver(pd_demo *d);

/* ---------- small helpers ---------- */

void pd_demo_progress(pd_demo *d, const char *fmt, ...)
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

void pd_demo_set_str(char **field, const char *value)
{
    free(*field);
    *field = value != NULL ? pd_xstrdup(value) : NULL;
}

void pd_demo_sys_error(pd_demo *d, const char *what, const char *path,
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

void pd_demo_disk_full(pd_demo *d, const char *doing)
{
    pd_error_set(&d->err, PD_ERR_USAGE,
                 "disk full while %s (no space left on device under %s); "
                 "free some space and try again", doing,
                 d->st.base != NULL ? d->st.base : d->state_dir);
}

bool pd_demo_is_dir(const char *path)
{
    struct stat sb;

    return lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* ---------- the step engine ---------- */

static void on_timer(uv_timer_t *t)
{
    pd_demo *d = t->data;
    pd_demo_step f = d->next;

    d->next = NULL;
    f(d);
}

void pd_demo_later(pd_demo *d, uint64_t ms, pd_demo_step next)
{
    d->next = next;
    uv_timer_start(&d->timer, on_timer, ms, 0);
}

static void work_cb(uv_work_t *w)
{
    pd_demo *d = w->data;

    d->work_fn(d);
}

static void after_work_cb(uv_work_t *w, int status)
{
    pd_demo *d = w->data;
    pd_demo_step f = d->next;

    (void)status; /* never canceled */
    d->next = NULL;
    f(d);
}

void pd_demo_offload(pd_demo *d, void (*fn)(pd_demo *d), pd_demo_step next)
{
    int rc;

    d->work_fn = fn;
    d->next = next;
    d->work.data = d;
    rc = uv_queue_work(d->loop, &d->work, work_cb, after_work_cb);
    if (rc != 0) {
        pd_error_set(&d->err, PD_ERR_USAGE, "cannot queue work: %s",
                     uv_strerror(rc));
        pd_demo_later(d, 0, fail);
    }
}

/* ---------- the operations ---------- */

static void w_check(pd_demo *d)
{
    pd_demo_check_pid(d, d->op != PD_DEMO_OP_STATUS);
}

static void w_discard(pd_demo *d)
{
    pd_demo_remove(d, PD_DEMO_RM_DISCARD);
}

static void w_undo(pd_demo *d)
{
    pd_demo_remove(d, PD_DEMO_RM_UNDO);
}

static void w_destroy(pd_demo *d)
{
    pd_demo_remove(d, PD_DEMO_RM_DESTROY);
}

static void op_prep(pd_demo *d);

static void undo_stopped(pd_demo *d)
{
    pd_demo_offload(d, w_undo, deliver);
}

/* The end of a failed operation. A cluster this call made goes away
 * again, server first. */
static void fail(pd_demo *d)
{
    if (!d->created) {
        deliver(d);
        return;
    }
    if (d->started && d->bindir != NULL) {
        pd_demo_pg_ctl_stop(d, "immediate", undo_stopped);
        return;
    }
    undo_stopped(d);
}

static void after_pid(pd_demo *d)
{
    pd_demo_later(d, 0, deliver);
}

static void running(pd_demo *d)
{
    pd_demo_offload(d, w_check, after_pid);
}

static void after_config(pd_demo *d)
{
    if (pd_error_isset(&d->err)) {
        fail(d);
        return;
    }
    running(d);
}

static void upgraded(pd_demo *d)
{
    if (pd_error_isset(&d->err)) {
        fail(d);
        return;
    }
    pd_demo_offload(d, pd_demo_write_config, after_config);
}

static void loaded(pd_demo *d)
{
    if (pd_error_isset(&d->err)) {
        fail(d);
        return;
    }
    pd_demo_upgrade(d, upgraded);
}

/* The server answers: the data (first start only), the schema additions
 * (every start: clusters made by older versions get them too), the
 * config. */
static void ready(pd_demo *d)
{
    if (d->st.complete) {
        pd_demo_upgrade(d, upgraded);
        return;
    }
    pd_demo_load(d, loaded);
}

static void prestart(pd_demo *d);
static void wait_ready(pd_demo *d);

static void after_logtail(pd_demo *d)
{
    const char *log = d->st.log != NULL ? d->st.log : "the server log";

    if (d->why == PD_DEMO_WHY_PORT && d->port_opt == 0 &&
        d->port_tries++ < 3) {
        d->new_port = true;
        prestart(d);
        return;
    }
    if (d->why == PD_DEMO_WHY_SHM && d->shm_tries++ < 40) {
        /* the old server's children are exiting */
        pd_demo_later(d, 250, prestart);
        return;
    }
    if (d->why == PD_DEMO_WHY_PORT)
        pd_error_set(&d->err, PD_ERR_USAGE, "port %d is in use: choose "
                     "another port, or leave PGDECK_DEMO_PORT unset to "
                     "let pgdeck pick one", d->st.port);
    else if (d->why == PD_DEMO_WHY_DISK)
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

static void after_alive(pd_demo *d)
{
    if (d->pid != 0) {
        pd_demo_later(d, 100, wait_ready);
        return;
    }
    pd_demo_offload(d, pd_demo_read_log, after_logtail);
}

static void after_probe(pd_demo *d)
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
        pd_demo_offload(d, w_check, after_alive);
        return;
    }
    pd_demo_later(d, 100, wait_ready);
}

static void wait_ready(pd_demo *d)
{
    pd_demo_probe(d, after_probe);
}

/* Waits for a server that starts now. */
static void wait_from_now(pd_demo *d)
{
    d->started_at = d->last_check = uv_now(d->loop);
    d->deadline = d->started_at + d->timeout_ms;
    wait_ready(d);
}

static void after_pg_start(pd_demo *d)
{
    if (pd_demo_run_failed(d, "pg_ctl", "starting the demo server")) {
        fail(d);
        return;
    }
    d->started = true;
    wait_from_now(d);
}

static void after_prestart(pd_demo *d)
{
    if (pd_error_isset(&d->err)) {
        fail(d);
        return;
    }
    if (d->pid != 0) { /* already up (another start raced us) */
        d->deadline = uv_now(d->loop) + d->timeout_ms;
        wait_ready(d);
        return;
    }
    pd_demo_pg_ctl_start(d, after_pg_start);
}

static void prestart(pd_demo *d)
{
    pd_demo_offload(d, pd_demo_prepare_start, after_prestart);
}

static void after_conf(pd_demo *d)
{
    if (pd_error_isset(&d->err)) {
        fail(d);
        return;
    }
    pd_demo_progress(d, "starting the demo server");
    prestart(d);
}

static void after_initdb(pd_demo *d)
{
    if (pd_demo_run_failed(d, "initdb", "creating the demo cluster")) {
        fail(d);
        return;
    }
    pd_demo_offload(d, pd_demo_include_conf, after_conf);
}

static void after_create(pd_demo *d)
{
    if (pd_error_isset(&d->err)) {
        fail(d);
        return;
    }
    pd_demo_progress(d, "creating the demo cluster in %s", d->st.base);
    pd_demo_initdb(d, after_initdb);
}

static void create(pd_demo *d)
{
    pd_demo_offload(d, pd_demo_create_cluster, after_create);
}

/* An unfinished cluster (a start that was interrupted) is thrown away. */
static void discard_removed(pd_demo *d)
{
    pd_demo_state_clear(&d->st);
    create(d);
}

static void discard_stopped(pd_demo *d)
{
    pd_demo_offload(d, w_discard, discard_removed);
}

static void after_discard_check(pd_demo *d)
{
    if (d->pid != 0 && d->bindir != NULL) {
        pd_demo_pg_ctl_stop(d, "immediate", discard_stopped);
        return;
    }
    discard_stopped(d);
}

static void after_start_check(pd_demo *d)
{
    if (d->pid != 0) { /* running: a no-op, once it answers */
        wait_from_now(d);
        return;
    }
    pd_demo_progress(d, "starting the demo server");
    prestart(d);
}

static void start_prepped(pd_demo *d)
{
    if (d->st.exists && d->st.complete && d->st.has_data)
        pd_demo_offload(d, w_check, after_start_check);
    else if (d->st.exists)
        pd_demo_offload(d, w_check, after_discard_check);
    else
        create(d);
}

/* The end of stop and destroy, with no server running. */
static void finish_stop(pd_demo *d)
{
    if (d->op == PD_DEMO_OP_DESTROY)
        pd_demo_offload(d, w_destroy, deliver);
    else
        deliver(d);
}

static void after_stop(pd_demo *d)
{
    if (pd_demo_run_failed(d, "pg_ctl", "stopping the demo server")) {
        deliver(d);
        return;
    }
    d->stopped = true;
    d->pid = 0;
    finish_stop(d);
}

static void after_stop_check(pd_demo *d)
{
    if (d->pid == 0) {
        finish_stop(d);
        return;
    }
    if (d->bindir == NULL) {
        pd_demo_bindir_error(d);
        deliver(d);
        return;
    }
    pd_demo_pg_ctl_stop(d, "fast", after_stop);
}

static void after_status_probe(pd_demo *d)
{
    if (!d->probe_ok)
        pd_error_set(&d->err, PD_ERR_CONNECTION,
                     "the demo server (pid %ld) does not accept "
                     "connections: %s", d->pid,
                     d->perr.message != NULL ? d->perr.message : "");
    deliver(d);
}

static void after_status_check(pd_demo *d)
{
    if (d->pid == 0) {
        deliver(d);
        return;
    }
    pd_demo_probe(d, after_status_probe);
}

static void after_prep(pd_demo *d)
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
        pd_demo_later(d, 200, op_prep);
        return;
    }
    switch (d->op) {
    case PD_DEMO_OP_START:
        start_prepped(d);
        break;
    case PD_DEMO_OP_STOP:
    case PD_DEMO_OP_DESTROY:
        if (!d->st.exists)
            finish_stop(d);
        else
            pd_demo_offload(d, w_check, after_stop_check);
        break;
    case PD_DEMO_OP_STATUS:
        if (!d->st.exists)
            deliver(d);
        else
            pd_demo_offload(d, w_check, after_status_check);
        break;
    }
}

static void op_prep(pd_demo *d)
{
    pd_demo_offload(d, pd_demo_prep, after_prep);
}

static void after_pg_config(pd_demo *d)
{
    d->pgconfig_dir = pd_demo_pg_config_dir(d);
    d->deadline = uv_now(d->loop) + d->timeout_ms;
    op_prep(d);
}

/* ---------- life cycle ---------- */

static void on_timer_closed(uv_handle_t *h)
{
    pd_demo *d = h->data;
    int i;

    pd_demo_state_clear(&d->st);
    free(d->state_dir);
    free(d->state_file);
    free(d->lock_file);
    free(d->config_path);
    free(d->config_file);
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
static void deliver(pd_demo *d)
{
    pd_demo_info info;
    bool ok = !pd_error_isset(&d->err);

    memset(&info, 0, sizeof(info));
    info.created = d->created && ok;
    info.started = d->started && ok;
    info.stopped = d->stopped;
    info.state_dir = d->state_dir;
    info.config_file = d->config_file;
    if (d->st.exists || (d->created && ok)) {
        info.state = d->pid != 0 ? PD_DEMO_RUNNING : PD_DEMO_STOPPED;
        if (info.state == PD_DEMO_RUNNING && d->op == PD_DEMO_OP_STATUS &&
            !d->probe_ok)
            info.state = PD_DEMO_STOPPED;
        info.pid = d->pid;
        info.port = d->st.port;
        info.data_dir = d->st.data;
        info.socket_dir = d->st.sock;
        info.log_file = d->st.log;
        if (d->st.sock != NULL && d->st.port > 0) {
            d->conninfo = pd_demo_conninfo(d, PD_DEMO_DBNAME);
            info.conninfo = d->conninfo;
        }
    }
    if (d->op == PD_DEMO_OP_DESTROY && ok)
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

/* The options (opts may be NULL), then the environment; d->err set for a
 * bad port. */
static void take_opts(pd_demo *d, const pd_demo_opts *opts)
{
    const char *env;

    d->timeout_ms = DEFAULT_TIMEOUT_MS;
    if (opts != NULL) {
        if (opts->timeout_ms != 0)
            d->timeout_ms = opts->timeout_ms;
        if (opts->state_dir != NULL)
            pd_demo_set_state_dir(d, opts->state_dir);
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
}

static int begin(uv_loop_t *loop, enum pd_demo_op op,
                 const pd_demo_opts *opts, pd_demo_cb cb, void *ctx)
{
    pd_demo *d;

    if (loop == NULL || cb == NULL)
        return PD_EINVAL;
    d = pd_xcalloc(1, sizeof(*d));
    d->loop = loop;
    d->op = op;
    d->cb = cb;
    d->ctx = ctx;
    d->lock_fd = -1;
    take_opts(d, opts);
    uv_timer_init(loop, &d->timer);
    d->timer.data = d;
    d->deadline = uv_now(loop) + d->timeout_ms;
    if (pd_error_isset(&d->err)) {
        pd_demo_later(d, 0, deliver);
    } else if (op != PD_DEMO_OP_STATUS && d->bindir_opt == NULL) {
        pd_demo_pg_config(d, after_pg_config);
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
    return begin(loop, PD_DEMO_OP_START, opts, cb, ctx);
}

/* Stops the demo server if it runs. Returns 0 and calls cb exactly once,
 * never synchronously, or PD_EINVAL without calling it. */
int pd_demo_stop(uv_loop_t *loop, const pd_demo_opts *opts, pd_demo_cb cb,
                 void *ctx)
{
    return begin(loop, PD_DEMO_OP_STOP, opts, cb, ctx);
}

/* Reports whether the demo cluster exists and its server answers. Returns
 * 0 and calls cb exactly once, never synchronously, or PD_EINVAL without
 * calling it. */
int pd_demo_status(uv_loop_t *loop, const pd_demo_opts *opts, pd_demo_cb cb,
                   void *ctx)
{
    return begin(loop, PD_DEMO_OP_STATUS, opts, cb, ctx);
}

/* Stops the demo server and removes the cluster and its state. Returns 0
 * and calls cb exactly once, never synchronously, or PD_EINVAL without
 * calling it. */
int pd_demo_destroy(uv_loop_t *loop, const pd_demo_opts *opts,
                    pd_demo_cb cb, void *ctx)
{
    return begin(loop, PD_DEMO_OP_DESTROY, opts, cb, ctx);
}
