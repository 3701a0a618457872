/* session.c: a shell session's settings and streams (see exec.h and
 * commands.h); running units is exec.c's job. */
#include "shell/session_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "shell/cmdpipe.h"
#include "shell/env.h"
#include "shell/exec.h"
#include "shell/jobs.h"

/* Returns-owned session; see exec.h. */
sh_session *sh_session_new(pd_core *core, FILE *out, FILE *err)
{
    sh_session *s = pd_xcalloc(1, sizeof(*s));

    s->core = core;
    s->out = out;
    s->err = err;
    s->name_tail = "";
    sh_print_opts_init(&s->popts);
    s->vars = sh_vars_new();
    s->base_out = out;
    s->pager_mode = 1;
    return s;
}

/* Frees the session, giving its connection back. Must not be called while
 * a unit runs. Accepts NULL. */
void sh_session_free(sh_session *s)
{
    if (s == NULL)
        return;
    sh_jobs_free(s->jobs); /* jobs still running end on their own */
    sh_exec_drop_conn(s);
    sh_session_set_out(s, NULL);
    sh_print_opts_free(&s->popts);
    free(s->err_prefix);
    free(s->sql);
    sh_vars_free(s->vars);
    sh_env_free(s->env);
    pd_conninfo_free(s->own_ci);
    pd_error_clear(&s->last_err);
    free(s->last_sql);
    free(s->restrict_key);
    free(s->lost_msg);
    free(s->qbuf);
    free(s->back_pending);
    free(s->back_feed);
    free(s);
}

sh_print_opts *sh_session_print_opts(sh_session *s)
{
    return &s->popts;
}

void sh_session_set_err_prefix(sh_session *s, const char *prefix)
{
    free(s->err_prefix);
    s->err_prefix = prefix != NULL ? pd_xstrdup(prefix) : NULL;
}

void sh_session_set_interactive(sh_session *s, bool interactive)
{
    s->interactive = interactive;
    s->stdin_script = !interactive;
}

bool sh_session_quit_requested(const sh_session *s)
{
    return s->quit;
}

int sh_session_txn_status(const sh_session *s)
{
    return s->conn != NULL ? (int)pd_conn_txn_status(s->conn) : PQTRANS_IDLE;
}

/* "15.18", from the session's connection; NULL while it holds none.
 * Borrowed from libpq, valid while the connection is. */
const char *sh_session_server_version(const sh_session *s)
{
    PGconn *pg = s->conn != NULL ? pd_conn_pg(s->conn) : NULL;

    return pg != NULL ? PQparameterStatus(pg, "server_version") : NULL;
}

/* The server reports is_superuser at connection start and again after
 * SET ROLE / SET SESSION AUTHORIZATION, so this follows them as psql's
 * prompt does. */
bool sh_session_is_superuser(const sh_session *s)
{
    PGconn *pg = s->conn != NULL ? pd_conn_pg(s->conn) : NULL;
    const char *v = pg != NULL ? PQparameterStatus(pg, "is_superuser") : NULL;

    return v != NULL && strcmp(v, "on") == 0;
}

const char *sh_session_dbname(const sh_session *s)
{
    if (s->own_ci != NULL)
        return pd_conninfo_dbname(s->own_ci);
    return pd_conninfo_dbname(pd_core_conninfo(s->core));
}

pd_core *sh_session_core(sh_session *s)
{
    return s->core;
}

FILE *sh_session_out(sh_session *s)
{
    return s->out;
}

FILE *sh_session_err(sh_session *s)
{
    return s->err;
}

const char *sh_session_name_tail(const sh_session *s)
{
    return s->name_tail;
}

void sh_session_print(sh_session *s, const pd_result *res)
{
    sh_format_print(s->out, res, &s->popts);
}

void sh_session_print_error(sh_session *s, const pd_error *err)
{
    fflush(s->out);
    sh_print_error(s->err, err, s->err_prefix);
}

sh_vars *sh_session_vars(sh_session *s)
{
    return s->vars;
}

FILE *sh_session_stdout(sh_session *s)
{
    return s->base_out;
}

/* \o: takes f (NULL: back to the original stream); see commands.h. */
void sh_session_set_out(sh_session *s, FILE *f)
{
    (void)sh_session_replace_out(s, f, NULL, NULL, NULL);
}

typedef struct out_wait {
    sh_exec_done_cb cb;
    void *ctx;
} out_wait;

static void on_out_pipe_closed(int code, int sig, char *data, size_t len,
                               void *ctx)
{
    out_wait *w = ctx;

    (void)code; /* psql ignores how its \o command ended */
    (void)sig;
    (void)len;
    free(data);
    w->cb(0, w->ctx);
    free(w);
}

/* \o's new stream; the old one closed (a file's data was written through
 * stdio as it came: the close only flushes the last buffer; a pipe's
 * command is waited for when cb is given). See commands.h. */
bool sh_session_replace_out(sh_session *s, FILE *f, struct sh_cmdpipe *pipe,
                            sh_exec_done_cb cb, void *ctx)
{
    sh_cmdpipe *old = s->out_pipe;
    out_wait *w;

    if (old == NULL && s->out != s->base_out)
        fclose(s->out);
    s->out_pipe = pipe;
    s->out = pipe != NULL ? sh_cmdpipe_file(pipe)
             : f != NULL  ? f
                          : s->base_out;
    if (s->out == NULL) /* no stdio stream for the pipe: nowhere to go */
        s->out = s->base_out;
    if (old == NULL)
        return false;
    if (cb == NULL) {
        sh_cmdpipe_close(old, NULL, NULL);
        return false;
    }
    w = pd_xcalloc(1, sizeof(*w));
    w->cb = cb;
    w->ctx = ctx;
    sh_cmdpipe_close(old, on_out_pipe_closed, w);
    return true;
}

bool sh_session_is_interactive(const sh_session *s)
{
    return s->interactive;
}

const char *sh_session_err_prefix(const sh_session *s)
{
    return s->err_prefix;
}

/* Says msg as psql says a command's error: "PREFIXerror: msg" in a file,
 * the bare message at a prompt or from -c. */
void sh_session_errorf(sh_session *s, const char *fmt, ...)
{
    va_list ap;

    fflush(s->out);
    if (s->err_prefix != NULL)
        fprintf(s->err, "%serror: ", s->err_prefix);
    va_start(ap, fmt);
    vfprintf(s->err, fmt, ap);
    va_end(ap);
    fputc('\n', s->err);
}

const pd_error *sh_session_last_error(const sh_session *s)
{
    return pd_error_isset(&s->last_err) ? &s->last_err : NULL;
}

char *sh_session_take_query_buf(sh_session *s)
{
    char *q = s->qbuf;

    s->qbuf = NULL;
    return q;
}

const char *sh_session_query_buf(const sh_session *s)
{
    return s->qbuf != NULL ? s->qbuf : "";
}

const char *sh_session_last_sql(const sh_session *s)
{
    return s->last_sql != NULL ? s->last_sql : "";
}

void sh_session_feed_input(sh_session *s, const char *text)
{
    free(s->back_feed);
    s->back_feed = pd_xstrdup(text);
}

char *sh_session_take_pending(sh_session *s)
{
    char *t = s->back_pending;

    s->back_pending = NULL;
    return t;
}

char *sh_session_take_feed(sh_session *s)
{
    char *t = s->back_feed;

    s->back_feed = NULL;
    return t;
}

/* The children's environment; see commands.h. */
sh_env *sh_session_env(const sh_session *s)
{
    return s->env;
}

/* The same, made from environ on first use, for \setenv; see
 * commands.h. */
sh_env *sh_session_env_edit(sh_session *s)
{
    if (s->env == NULL)
        s->env = sh_env_new();
    return s->env;
}

int sh_session_pager_mode(const sh_session *s)
{
    return s->pager_mode;
}

void sh_session_set_pager_mode(sh_session *s, int mode)
{
    s->pager_mode = mode;
}
