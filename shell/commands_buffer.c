/* commands_buffer.c: the query buffer (see commands_internal.h): \g, \gx
 * and \gset run it, or the last query when it is empty, as psql does; \p
 * shows it and \r clears it.
 *
 * "\g [(NAME=VALUE ...)] [FILE | |COMMAND]", as psql 15: the options are
 * \pset's, for this query only; the rows go to FILE or COMMAND, opened at
 * the first result with rows (a statement without rows creates no file
 * and starts no command), while command tags stay on the output. FILE is
 * probed on the thread pool before the query runs (created 0600, as files
 * pgdeck writes are, and removed again when no rows came); COMMAND runs
 * through shell/cmdpipe.c, and the query ends once it has exited, as
 * psql's pclose waits for it. */
#include "shell/commands.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "shell/cmdpipe.h"
#include "shell/commands_internal.h"

static void end_unit_cb(int status, void *ctx)
{
    sh_session_unit_done(ctx, status);
}

/* The buffer, else the last query; see commands_internal.h. */
char *sh_commands_query_to_run(sh_session *s)
{
    char *q = sh_session_take_query_buf(s);
    const char *last;

    if (q != NULL && q[strspn(q, " \t\r\n")] != '\0')
        return q;
    free(q);
    last = sh_session_last_sql(s);
    return *last ? pd_xstrdup(last) : NULL;
}

/* One \g, \gx: the settings it changed for its query, and where its rows
 * go. */
typedef struct gjob {
    sh_session *s;
    char *sql;              /* owned: the query */
    sh_sql_opts o;
    sh_print_opts saved;    /* owned strings: the settings before */
    int saved_pager;
    bool restore;           /* options were given: put saved back */
    char *path;             /* owned: \g FILE, or NULL */
    char *pipe_cmd;         /* owned: \g |COMMAND, or NULL */
    uv_work_t work;         /* FILE's probe */
    int fd;                 /* FILE, open, not truncated yet; or -1 */
    int open_err;           /* errno of FILE's open, or 0 */
    bool created;           /* the probe made FILE */
    FILE *f;                /* the rows' stream once opened, or NULL */
    sh_cmdpipe *pipe;       /* COMMAND once started, or NULL */
    int status;
} gjob;

static void copy_opts(sh_print_opts *dst, const sh_print_opts *src)
{
    *dst = *src;
    dst->null_str = pd_xstrdup(src->null_str ? src->null_str : "");
    dst->field_sep = pd_xstrdup(src->field_sep ? src->field_sep : "|");
    dst->record_sep = pd_xstrdup(src->record_sep ? src->record_sep : "\n");
}

/* Frees g, the settings put back as they were. */
static void gjob_free(gjob *g)
{
    sh_session *s = g->s;

    if (g->restore) {
        sh_print_opts *o = sh_session_print_opts(s);
        sh_print_opts_free(o);
        *o = g->saved; /* takes the strings */
        sh_session_set_pager_mode(s, g->saved_pager);
    }
    free(g->sql);
    free(g->path);
    free(g->pipe_cmd);
    free(g);
}

static void gjob_end(gjob *g, int status)
{
    sh_session *s = g->s;

    gjob_free(g);
    sh_session_unit_done(s, status);
}

/* ---- where the rows go ---- */

/* The stream for the rows, asked for at the first result with rows:
 * FILE emptied now (psql's fopen "w"; one ftruncate, as \o writes its
 * file from the loop too) or COMMAND started. NULL after the error. */
static FILE *rows_out(void *ctx)
{
    gjob *g = ctx;
    sh_session *s = g->s;
    int uverr = 0;

    if (g->pipe_cmd != NULL) {
        fflush(sh_session_out(s));
        g->pipe = sh_cmdpipe_open_write(pd_core_loop(sh_session_core(s)),
                                        g->pipe_cmd,
                                        sh_env_vector(sh_session_env(s)),
                                        &uverr);
        if (g->pipe == NULL) {
            sh_session_errorf(s, "%s: %s", g->pipe_cmd, uv_strerror(uverr));
            return NULL;
        }
        return g->f = sh_cmdpipe_file(g->pipe);
    }
    if (g->open_err == 0 && !g->created && ftruncate(g->fd, 0) != 0)
        g->open_err = errno;
    if (g->open_err == 0 && (g->f = fdopen(g->fd, "w")) == NULL)
        g->open_err = errno;
    if (g->open_err != 0) {
        sh_session_errorf(s, "%s: %s", g->path, strerror(g->open_err));
        return NULL;
    }
    g->fd = -1; /* the stream has it */
    return g->f;
}

static void on_pipe_done(int code, int sig, char *data, size_t len,
                         void *ctx)
{
    gjob *g = ctx;

    (void)code; /* psql does not look at how \g's command ended */
    (void)sig;
    (void)len;
    free(data);
    gjob_end(g, g->status);
}

static void on_unlinked(uv_fs_t *req)
{
    gjob *g = req->data;

    uv_fs_req_cleanup(req);
    free(req);
    gjob_end(g, g->status);
}

/* The query is over: FILE closed (removed when the probe made it and no
 * rows came: psql would not have made it), COMMAND waited for. */
static void on_query_done(int status, void *ctx)
{
    gjob *g = ctx;
    uv_fs_t *req;

    g->status = status;
    if (g->pipe != NULL) {
        sh_cmdpipe_close(g->pipe, on_pipe_done, g);
        return;
    }
    if (g->f != NULL)
        fclose(g->f); /* its last buffer, written from the loop as \o's */
    if (g->fd >= 0) { /* no rows came */
        close(g->fd);
        req = pd_xcalloc(1, sizeof(*req));
        req->data = g;
        if (g->created &&
            uv_fs_unlink(pd_core_loop(sh_session_core(g->s)), req, g->path,
                         on_unlinked) == 0)
            return;
        free(req);
    }
    gjob_end(g, status);
}

static void run_query(gjob *g)
{
    if (sh_session_run_sql(g->s, g->sql, &g->o, on_query_done, g) != 0)
        gjob_end(g, 1);
}

/* On the thread pool: opens FILE without emptying it (psql empties it
 * only when rows come), making it 0600 when it is new. */
static void probe_work(uv_work_t *w)
{
    gjob *g = w->data;

    g->fd = open(g->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    g->created = g->fd >= 0;
    if (g->fd < 0 && errno == EEXIST)
        g->fd = open(g->path, O_WRONLY | O_CLOEXEC);
    if (g->fd < 0)
        g->open_err = errno;
}

/* FILE probed: the query runs whatever came of it; an open error is said
 * when rows come, as psql says it. */
static void probe_done(uv_work_t *w, int status)
{
    gjob *g = w->data;

    if (status != 0 && g->open_err == 0)
        g->open_err = ECANCELED;
    run_query(g);
}

/* ---- \g's arguments ---- */

/* \g's options after its "(": NAME[=VALUE] up to the word that ends with
 * ")", each applied as \pset would (psql's process_command_g_options).
 * first (taken) is the first word without its "("; *p moves past the
 * rest. Returns 0, or 1 after the message. */
static int g_options(sh_session *s, const char *cmd, char *first,
                     const char **p)
{
    char *opt = first, *eq;
    bool closed = false;
    size_t n;
    int rc = 0;

    while (!closed) {
        if (opt == NULL && (opt = sh_commands_next_arg(s, p)) == NULL) {
            sh_session_errorf(s, "\\%s: missing right parenthesis", cmd);
            return 1;
        }
        n = strlen(opt);
        if (n > 0 && opt[n - 1] == ')') {
            opt[--n] = '\0';
            closed = true;
        }
        if (n > 0) {
            if ((eq = strchr(opt, '=')) != NULL)
                *eq++ = '\0';
            rc |= sh_commands_pset_set(s, opt, eq, true);
        }
        free(opt);
        opt = NULL;
    }
    return rc;
}

/* Reads "[(OPTIONS)] [FILE | |COMMAND]" into g; 0, or 1 after the
 * message. */
static int g_args(sh_session *s, const char *cmd, const char *args, gjob *g)
{
    const char *p = args + strspn(args, " \t");
    char *a = NULL;
    int rc;

    if (*p != '|' && (a = sh_commands_next_arg(s, &p)) != NULL &&
        a[0] == '(') {
        copy_opts(&g->saved, sh_session_print_opts(s));
        g->saved_pager = sh_session_pager_mode(s);
        g->restore = true;
        rc = g_options(s, cmd, pd_xstrdup(a + 1), &p);
        free(a);
        a = NULL;
        if (rc != 0)
            return 1;
        p += strspn(p, " \t");
        if (*p != '|')
            a = sh_commands_next_arg(s, &p);
    }
    if (*p == '|') {
        g->pipe_cmd = pd_xstrdup(p + 1); /* the rest of the line */
        free(a);
        return 0;
    }
    sh_commands_extra_args(s, cmd, p);
    if (a != NULL)
        g->path = sh_commands_expand_tilde(a);
    free(a);
    return 0;
}

/* \g, \gx (named cmd): see the top of the file. */
static int run_g(sh_session *s, const char *cmd, const char *args,
                 bool expanded)
{
    gjob *g = pd_xcalloc(1, sizeof(*g));

    g->s = s;
    g->fd = -1;
    if (g_args(s, cmd, args, g) != 0) {
        gjob_free(g); /* the settings back; the query stays in the buffer */
        return 1;
    }
    if (expanded) /* after the options: \gx (expanded=off) is expanded */
        g->o.flags = SH_SQL_EXPANDED;
    g->sql = sh_commands_query_to_run(s);
    if (g->sql == NULL) {
        gjob_free(g);
        return 0;
    }
    if (g->path != NULL || g->pipe_cmd != NULL) {
        g->o.rows_out = rows_out;
        g->o.rows_ctx = g;
    }
    if (g->path == NULL) {
        run_query(g);
        return SH_CMD_ASYNC;
    }
    fflush(sh_session_out(s));
    g->work.data = g;
    if (uv_queue_work(pd_core_loop(sh_session_core(s)), &g->work, probe_work,
                      probe_done) != 0) {
        g->open_err = EAGAIN;
        run_query(g);
    }
    return SH_CMD_ASYNC;
}

/* \g: runs the buffer. */
int sh_commands_g(sh_session *s, const char *args)
{
    return run_g(s, "g", args, false);
}

/* \gx: runs the buffer with expanded output, this once. */
int sh_commands_gx(sh_session *s, const char *args)
{
    return run_g(s, "gx", args, true);
}

/* \gset [PREFIX]: runs the buffer, its one row into variables. */
int sh_commands_gset(sh_session *s, const char *args)
{
    const char *p = args;
    char *prefix = sh_commands_next_arg(s, &p), *q;
    sh_sql_opts o = {.flags = SH_SQL_GSET, .gset_prefix = prefix};
    int rc;

    sh_commands_extra_args(s, "gset", p);
    q = sh_commands_query_to_run(s);
    if (q == NULL) {
        free(prefix);
        return 0;
    }
    rc = sh_session_run_sql(s, q, &o, end_unit_cb, s);
    free(q);
    free(prefix);
    return rc == 0 ? SH_CMD_ASYNC : 1;
}

/* \p: shows the buffer, else the last query. */
int sh_commands_p(sh_session *s, const char *args)
{
    const char *show = sh_session_query_buf(s);

    (void)args;
    if (*show == '\0')
        show = sh_session_last_sql(s);
    if (*show == '\0')
        fputs("Query buffer is empty.\n", sh_session_stdout(s));
    else
        fprintf(sh_session_stdout(s), "%s\n", show);
    return 0;
}

/* \r: clears the buffer. */
int sh_commands_r(sh_session *s, const char *args)
{
    (void)args;
    free(sh_session_take_query_buf(s));
    fputs("Query buffer reset (cleared).\n", sh_session_stdout(s));
    return 0;
}
