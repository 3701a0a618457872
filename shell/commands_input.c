/* commands_input.c: input (see commands_internal.h): \i and \ir run a
 * file's statements and commands one after another, \e edits the query
 * buffer in an editor the loop waits for, \watch reruns a query on a
 * uv_timer until it fails or Ctrl-C. */
#include "shell/commands.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/sqlsplit.h"
#include "core/xalloc.h"
#include "shell/commands_internal.h"
#include "shell/vars.h"

/* ---- \i and \ir ---- */

typedef struct include {
    sh_session *s;
    char *path;      /* owned */
    char **units;    /* owned */
    int *lines;      /* the line each unit ends on */
    int n, next;
    int status;
    bool in_step, completed;
} include;

static void include_free(include *in)
{
    int i;

    for (i = 0; i < in->n; i++)
        free(in->units[i]);
    free(in->units);
    free(in->lines);
    free(in->path);
    free(in);
}

static void include_step(include *in);

static void on_include_unit(int status, void *ctx)
{
    include *in = ctx;

    /* Only ON_ERROR_STOP makes a failed line fail the \i, as in psql. */
    if (status != 0 && sh_vars_get_bool(sh_session_vars(in->s),
                                         "ON_ERROR_STOP")) {
        in->status = 1;
        in->next = in->n;
    }
    if (status == 2) {
        in->status = 1;
        in->next = in->n;
    }
    in->completed = true;
    if (!in->in_step)
        include_step(in);
}

/* Runs the file's units one after another; synchronous ones in this loop
 * rather than by recursion. */
static void include_step(include *in)
{
    sh_session *s = in->s;
    char prefix[4200];

    in->in_step = true;
    do {
        in->completed = false;
        if (in->next >= in->n || sh_session_quit_requested(s)) {
            int st = in->status;
            include_free(in);
            sh_session_unit_done(s, st);
            return;
        }
        snprintf(prefix, sizeof(prefix), "pgdeck:%s:%d: ", in->path,
                 in->lines[in->next]);
        if (sh_session_run_nested(s, in->units[in->next++], prefix,
                                  on_include_unit, in) != 0) {
            in->status = 1;
            in->next = in->n;
            in->completed = true;
        }
    } while (in->completed);
    in->in_step = false;
}

static void add_unit(include *in, char *u, int line)
{
    in->units = pd_xrealloc(in->units, (size_t)(in->n + 1) * sizeof(char *));
    in->lines = pd_xrealloc(in->lines, (size_t)(in->n + 1) * sizeof(int));
    in->units[in->n] = u;
    in->lines[in->n++] = line;
}

static void on_include_read(fileop *op)
{
    include *in = op->ctx;
    pd_sqlsplit *sp;
    char *u;
    int first, last;

    if (op->err != 0) {
        sh_session *s = in->s;
        sh_session_errorf(s, "%s: %s", in->path, strerror(op->err));
        sh_commands_fileop_free(op);
        include_free(in);
        sh_session_unit_done(s, 1);
        return;
    }
    sp = pd_sqlsplit_new();
    pd_sqlsplit_feed(sp, op->data, op->len);
    while ((u = pd_sqlsplit_next(sp, &first, &last)) != NULL)
        add_unit(in, u, last);
    while ((u = pd_sqlsplit_finish(sp, &first, &last)) != NULL)
        add_unit(in, u, last);
    pd_sqlsplit_free(sp);
    sh_commands_fileop_free(op);
    include_step(in);
}

/* The directory of the file running now, from the error prefix
 * "pgdeck:FILE:LINE: " ("" at the prompt). Returns-owned. */
static char *current_dir(sh_session *s)
{
    const char *pre = sh_session_err_prefix(s), *end, *slash;

    if (pre == NULL || strncmp(pre, "pgdeck:", 7) != 0)
        return pd_xstrdup("");
    pre += 7;
    end = pre + strlen(pre);
    /* back over ": ", the line number and ':' */
    while (end > pre && end[-1] != ':')
        end--;
    if (end > pre)
        end--;
    while (end > pre && end[-1] != ':')
        end--;
    if (end > pre)
        end--;
    for (slash = end; slash > pre && slash[-1] != '/'; slash--)
        ;
    return pd_xstrndup(pre, (size_t)(slash - pre));
}

static int include_file(sh_session *s, const char *args, bool relative)
{
    const char *p = args;
    char *file = sh_commands_next_arg(s, &p), *path, *dir;
    include *in;
    fileop *op;

    if (file == NULL) {
        sh_session_errorf(s, "\\%s: missing required argument",
                          relative ? "ir" : "i");
        return 1;
    }
    sh_commands_extra_args(s, relative ? "ir" : "i", p);
    path = sh_commands_expand_tilde(file);
    free(file);
    if (relative && path[0] != '/') {
        dir = current_dir(s);
        file = pd_xasprintf("%s%s", dir, path);
        free(dir);
        free(path);
        path = file;
    }
    in = pd_xcalloc(1, sizeof(*in));
    in->s = s;
    in->path = path;
    op = sh_commands_fileop_new(OP_READ, path, on_include_read, in);
    if (sh_commands_fileop_start(s, op) != 0) {
        include_free(in);
        return 1;
    }
    return SH_CMD_ASYNC;
}

/* \i FILE: runs the file. */
int sh_commands_i(sh_session *s, const char *args)
{
    return include_file(s, args, false);
}

/* \ir FILE: as \i, a relative FILE from the running file's directory. */
int sh_commands_ir(sh_session *s, const char *args)
{
    return include_file(s, args, true);
}

/* ---- \e ---- */

typedef struct edit {
    sh_session *s;
    char *path;            /* owned: the temporary file */
    uv_process_t proc;
    int64_t exit_status;
} edit;

static void edit_free(edit *e)
{
    free(e->path);
    free(e);
}

static void on_edit_read(fileop *op)
{
    edit *e = op->ctx;
    sh_session *s = e->s;
    int status = 0;

    if (op->err != 0) {
        sh_session_errorf(s, "%s: %s", e->path, strerror(op->err));
        status = 1;
    } else if (op->len > 0) {
        /* psql reads the buffer back as typed: complete statements run,
         * the rest waits for more input. */
        char *t = op->data[op->len - 1] == '\n'
                      ? pd_xstrdup(op->data)
                      : pd_xasprintf("%s\n", op->data);
        sh_session_feed_input(s, t);
        free(t);
    }
    sh_commands_fileop_free(op);
    edit_free(e);
    sh_session_unit_done(s, status);
}

static void on_editor_closed(uv_handle_t *h)
{
    edit *e = h->data;
    sh_session *s = e->s;
    fileop *op;

    if (e->exit_status != 0) {
        sh_session_errorf(s, "could not start editor");
    }
    op = sh_commands_fileop_new(OP_READ, e->path, on_edit_read, e);
    op->unlink = true;
    if (sh_commands_fileop_start(s, op) != 0) {
        edit_free(e);
        sh_session_unit_done(s, 1);
    }
}

static void on_editor_exit(uv_process_t *p, int64_t status, int sig)
{
    edit *e = p->data;

    e->exit_status = sig != 0 ? 128 + sig : status;
    uv_close((uv_handle_t *)p, on_editor_closed);
}

/* psql's choice: PSQL_EDITOR, EDITOR, VISUAL, else vi, as \setenv left
 * them. */
static const char *editor(sh_session *s)
{
    const char *names[] = {"PSQL_EDITOR", "EDITOR", "VISUAL"};
    const char *v;
    size_t i;

    for (i = 0; i < 3; i++)
        if ((v = sh_env_get(sh_session_env(s), names[i])) != NULL && *v)
            return v;
    return "vi";
}

static void on_edit_written(fileop *op)
{
    edit *e = op->ctx;
    sh_session *s = e->s;
    char *cmd;
    int rc;

    e->path = op->path;
    op->path = NULL;
    if (op->err != 0) {
        sh_session_errorf(s, "could not open temporary file: %s",
                          strerror(op->err));
        sh_commands_fileop_free(op);
        edit_free(e);
        sh_session_unit_done(s, 1);
        return;
    }
    sh_commands_fileop_free(op);
    /* As psql: the editor string runs through the shell, the file name
     * quoted. */
    cmd = pd_xasprintf("%s '%s'", editor(s), e->path);
    e->proc.data = e;
    rc = sh_commands_spawn_sh(s, &e->proc, cmd, on_editor_exit);
    free(cmd);
    if (rc < 0) {
        sh_session_errorf(s, "could not start editor \"%s\"", editor(s));
        e->exit_status = 0;
        uv_close((uv_handle_t *)&e->proc, on_editor_closed);
    }
}

/* \e: the query buffer (else the last query) through the editor, then
 * read back as if typed. */
int sh_commands_e(sh_session *s, const char *args)
{
    char *q, *tmpl;
    const char *tmp = sh_env_get(sh_session_env(s), "TMPDIR");
    edit *e;
    fileop *op;

    if (*args != '\0') {
        sh_session_errorf(s, "\\e: editing a file is not supported yet; "
                          "\\e edits the query buffer");
        return 1;
    }
    if ((q = sh_commands_query_to_run(s)) == NULL)
        q = pd_xstrdup("");
    tmpl = pd_xasprintf("%s/pgdeck.edit.%d.XXXXXX.sql",
                        tmp && *tmp ? tmp : "/tmp", (int)getpid());
    e = pd_xcalloc(1, sizeof(*e));
    e->s = s;
    op = sh_commands_fileop_new(OP_WRITE_TEMP, tmpl, on_edit_written, e);
    free(tmpl);
    op->len = strlen(q);
    if (op->len > 0 && q[op->len - 1] != '\n') {
        op->data = pd_xasprintf("%s\n", q);
        op->len++;
        free(q);
    } else {
        op->data = q;
    }
    if (sh_commands_fileop_start(s, op) != 0) {
        edit_free(e);
        return 1;
    }
    return SH_CMD_ASYNC;
}

/* ---- \watch ---- */

typedef struct watch {
    sh_session *s;
    char *sql;          /* owned */
    double secs;
    char title[160];    /* this run's header, borrowed by its SQL */
    uint64_t sent_ms;   /* loop time this run was sent */
    uv_timer_t timer;
    uv_signal_t sigint; /* Ctrl-C ends the watch */
    int open;           /* handles not yet closed */
    bool running;       /* the query is in flight */
    bool stop_asked;    /* Ctrl-C while the query ran */
    bool closing;
    int status;
} watch;

static void watch_closed(uv_handle_t *h)
{
    watch *w = h->data;
    sh_session *s = w->s;
    int status = w->status;

    if (--w->open > 0)
        return;
    /* As psql: the terminal echoed "^C" where the cursor was; the
     * prompt goes on the next line. */
    fputc('\n', sh_session_stdout(s));
    fflush(sh_session_stdout(s));
    free(w->sql);
    free(w);
    sh_session_unit_done(s, status);
}

/* Ends the watch once its handles have closed (and so the unit). */
static void watch_stop(watch *w, int status)
{
    if (w->closing)
        return;
    w->closing = true;
    w->status = status;
    uv_close((uv_handle_t *)&w->timer, watch_closed);
    uv_close((uv_handle_t *)&w->sigint, watch_closed);
}

static void watch_run(watch *w);

static void on_watch_timer(uv_timer_t *t)
{
    watch_run(t->data);
}

static void on_watch_done(int status, void *ctx)
{
    watch *w = ctx;

    w->running = false;
    if (w->stop_asked)
        watch_stop(w, 0); /* Ctrl-C: the canceled query is no failure */
    else if (status != 0)
        watch_stop(w, status);
    else {
        /* psql 15 runs on a fixed period from each send, not a pause
         * after each result. */
        uint64_t period = (uint64_t)(w->secs * 1000.0);
        uint64_t spent = uv_now(pd_core_loop(sh_session_core(w->s))) -
                         w->sent_ms;

        uv_timer_start(&w->timer, on_watch_timer,
                       spent < period ? period - spent : 0, 0);
    }
}

static void watch_run(watch *w)
{
    sh_sql_opts o = {.flags = SH_SQL_NO_PAGER, .title = w->title};
    uv_loop_t *loop = pd_core_loop(sh_session_core(w->s));
    char when[128];
    time_t now;

    /* psql's title: the time of sending in the locale's "%c", centred
     * over the rows (its "\n" makes the blank line under it); errors and
     * command tags print without it. uv_update_time: the cached loop
     * time may be a whole timer period old by now. */

    uv_update_time(loop);
    w->sent_ms = uv_now(loop);
    now = time(NULL);
    /* psql's own "%c", which gcc's y2k check flags. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-y2k"
#endif
    strftime(when, sizeof(when), "%c", localtime(&now));
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
    snprintf(w->title, sizeof(w->title), "%s (every %gs)\n", when, w->secs);
    w->running = true;
    if (sh_session_run_sql(w->s, w->sql, &o, on_watch_done, w) != 0) {
        w->running = false;
        watch_stop(w, 1);
    }
}

static void on_watch_sigint(uv_signal_t *h, int signum)
{
    watch *w = h->data;

    (void)signum;
    /* A query in flight is canceled by the shell's own Ctrl-C handler;
     * its end stops the watch. Between runs, stop now. */
    if (w->running)
        w->stop_asked = true;
    else
        watch_stop(w, 0);
}

/* \watch [SEC]: runs the query every SEC seconds (2 by default). */
int sh_commands_watch(sh_session *s, const char *args)
{
    const char *p = args;
    char *a = sh_commands_next_arg(s, &p), *q;
    uv_loop_t *loop = pd_core_loop(sh_session_core(s));
    watch *w;
    double secs = 2;

    if (a != NULL) {
        secs = strtod(a, NULL);
        if (secs <= 0)
            secs = 1;
        free(a);
    }
    sh_commands_extra_args(s, "watch", p);
    q = sh_commands_query_to_run(s);
    if (q == NULL) {
        sh_session_errorf(s, "\\watch cannot be used with an empty query");
        return 1;
    }
    w = pd_xcalloc(1, sizeof(*w));
    w->s = s;
    w->sql = q;
    w->secs = secs;
    uv_timer_init(loop, &w->timer);
    w->timer.data = w;
    uv_signal_init(loop, &w->sigint);
    w->sigint.data = w;
    w->open = 2;
    uv_signal_start(&w->sigint, on_watch_sigint, SIGINT);
    watch_run(w);
    return SH_CMD_ASYNC;
}

