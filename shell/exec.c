/* exec.c: running one unit of shell input (see exec.h).
 *
 * SQL runs on the session's own connection, acquired from the pool on first
 * use and kept, so the session behaves like one psql connection. A broken
 * connection is given back (the pool closes it) and the next unit gets a
 * fresh one. Backslash commands are looked up in a table. */
#include "shell/exec.h"
#include "shell/session_internal.h"

#include "shell/commands.h"
#include "shell/bench_cmd.h"
#include "shell/refresh_cmd.h"
#include "shell/describe.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/cancel.h"
#include "core/conninfo.h"
#include "core/gather.h"
#include "core/query.h"
#include "core/sqllex.h"
#include "core/sqlsplit.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "shell/vars.h"



/* Asks the server to cancel the running statement (Ctrl-C). The statement
 * then ends with psql's "canceling statement due to user request" error
 * through the normal path; a failed request is said on stderr. */
static void on_cancel_sent(bool sent, const pd_error *err, void *ctx)
{
    FILE *errf = ctx; /* not the session: it may be gone by now */

    if (!sent && err != NULL)
        fprintf(errf, "%s\n", err->message);
}

void sh_session_cancel(sh_session *s)
{
    if (!s->busy || s->conn == NULL || s->sql == NULL || s->paging)
        return;
    if (pd_cancel_request(pd_core_loop(s->core), s->conn, on_cancel_sent,
                          s->err) == 0)
        fputs("Cancel request sent\n", s->err);
}

/* Ends the running unit: reports and clears the busy state first, so the
 * callback may start the next unit. */
static void unit_done(sh_session *s, int status)
{
    sh_exec_done_cb cb = s->cb;
    void *ctx = s->ctx;

    s->busy = false;
    s->cb = NULL;
    free(s->sql);
    s->sql = NULL;
    if (s->qbuf != NULL && s->depth == 0) {
        /* The command did not run the SQL in front of it: psql keeps it
         * in the query buffer, and puts a newline before the next line
         * it adds there. */
        free(s->back_pending);
        s->back_pending = pd_xasprintf("%s\n", s->qbuf);
    }
    free(s->qbuf);
    s->qbuf = NULL;
    if (s->depth == 0) { /* the reader frees the data after cb */
        s->copy_data = NULL;
        s->sqlo.copy_in = NULL;
    }
    /* ON_ERROR_STOP ends a script, not a person's session; inside \i
     * the command stops its file itself. A file's failure exits 3 as
     * psql's; -c exits 1. */
    if (status == 1 && s->depth == 0 && !s->interactive &&
        sh_vars_get_bool(s->vars, "ON_ERROR_STOP")) {
        s->quit = true;
        if (s->err_prefix != NULL)
            status = 3;
    } else if (status == 1 && s->no_conn &&
               (s->err_prefix != NULL || s->stdin_script)) {
        /* psql's main loop ends a script (a file, or standard input that
         * is no terminal) once it has no connection: exit status 2. -c
         * goes on without one. */
        status = 2;
    }
    fflush(s->out);
    fflush(s->err);
    cb(status, ctx);
}

/* "Time: N ms" on standard output, not \o's stream: psql's printf. */
void sh_exec_print_timing(sh_session *s)
{
    if (!s->timing)
        return;
    fflush(s->out);
    fprintf(s->base_out, "Time: %.3f ms\n",
            (double)(uv_hrtime() - s->start_ns) / 1e6);
}

void sh_exec_print_chain(sh_session *s, const pd_result *r)
{
    for (; r != NULL; r = pd_result_next(r))
        sh_format_print(s->out, r, &s->popts);
}

/* Ends the running SQL: the unit, or the command that ran it. */
static void sql_end(sh_session *s, int status)
{
    sh_exec_done_cb cb = s->sql_cb;
    void *ctx = s->sql_ctx;

    free(s->sql);
    s->sql = NULL;
    free((char *)s->sqlo.gset_prefix);
    memset(&s->sqlo, 0, sizeof(s->sqlo));
    s->sql_cb = NULL;
    s->sql_ctx = NULL;
    if (cb == NULL) {
        unit_done(s, status);
        return;
    }
    fflush(s->out);
    fflush(s->err);
    cb(status, ctx);
}

/* The tail of a SQL unit, once its output is shown. */
void sh_exec_sql_finish(sh_session *s, int status)
{
    if (s->sql_failed) {
        fflush(s->out);
        sh_print_error(s->err, &s->last_err, s->err_prefix);
    }
    sh_exec_print_timing(s);
    sql_end(s, status);
}

/* Gives the session's connection back to the pool (which closes it if it
 * is broken or inside a transaction). */
void sh_exec_drop_conn(sh_session *s)
{
    if (s->conn == NULL)
        return;
    pd_conn_set_notice_cb(s->conn, NULL, NULL);
    if (s->own_ci != NULL) {
        /* \c's own connection: not the pool's; the next unit opens a
         * new one to the same database. */
        pd_conn_close(s->conn);
        s->conn = NULL;
        return;
    }
    pd_conn_set_dirty(s->conn, true); /* a session: reset before reuse */
    pd_pool_release(pd_core_pool(s->core), s->conn);
    s->conn = NULL;
}

/* psql's reset after a lost connection, done: it says how it went. A
 * failure leaves the session without a connection (psql's "!>" prompt)
 * until a \c succeeds. */
static void on_reset(pd_conn *conn, const pd_error *err, void *ctx)
{
    sh_session *s = ctx;

    if (!sh_exec_adopt_conn(s, conn, err)) {
        fputs("Failed.\n", s->err);
        s->no_conn = true;
    } else {
        fputs("Succeeded.\n", s->err);
    }
    sql_end(s, 1);
}

/* The held connection broke while idle (the server restarted): psql's
 * error for the statement, libpq's "server closed the connection" after
 * the server's last words; then, as psql's CheckConnection, a script ends
 * (status 2) and a person's session reconnects at once, through the pool
 * and without blocking the loop. */
static void conn_lost(sh_session *s)
{
    pd_error err = PD_ERROR_INIT;

    sh_exec_drop_conn(s);
    pd_error_set(&err, PD_ERR_SERVER, "server closed the connection "
                 "unexpectedly");
    err.full = pd_xasprintf("%sserver closed the connection unexpectedly\n"
                            "\tThis probably means the server terminated "
                            "abnormally\n\tbefore or while processing the "
                            "request.\n", s->lost_msg ? s->lost_msg : "");
    free(s->lost_msg);
    s->lost_msg = NULL;
    sh_session_output_record(s, -1, &err);
    pd_error_clear(&err);
    fflush(s->out);
    sh_print_error(s->err, &s->last_err, s->err_prefix);
    s->sql_failed = false;
    if (!s->interactive) {
        sh_session_errorf(s, "connection to server was lost");
        sh_exec_sql_finish(s, 2);
        return;
    }
    fputs("The connection to the server was lost. Attempting reset: ",
          s->err);
    fflush(s->err);
    if (sh_exec_get_conn(s, on_reset, s) != 0) {
        fputs("Failed.\n", s->err);
        s->no_conn = true;
        sql_end(s, 1);
    }
}

static void run_sql(sh_session *s)
{
    if (sh_session_output_start(s) == 0)
        return;
    conn_lost(s);
}

/* NOTICE, WARNING and the like go to stderr as libpq formats them, which
 * is what psql prints. */
void sh_exec_on_notice(pd_conn *c, const PGresult *res, void *ctx)
{
    sh_session *s = ctx;

    const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);

    (void)c;
    if (s->sql == NULL && sev != NULL && strcmp(sev, "FATAL") == 0) {
        /* The server's goodbye to an idle connection: psql reads it only
         * with the next statement, and prints it with that one's error. */
        free(s->lost_msg);
        s->lost_msg = pd_xstrdup(PQresultErrorMessage(res));
        return;
    }
    fflush(s->out);
    sh_print_notice(s->err, PQresultErrorMessage(res));
}

/* What every answer to sh_exec_get_conn does first; see
 * session_internal.h. */
bool sh_exec_adopt_conn(sh_session *s, pd_conn *conn, const pd_error *err)
{
    if (err != NULL) {
        if (s->own_ci != NULL && conn != NULL)
            pd_conn_close(conn); /* \c's own: a failed one is ours to close */
        return false;
    }
    s->conn = conn;
    pd_conn_set_notice_cb(conn, sh_exec_on_notice, s);
    return true;
}

static void on_acquired(pd_conn *conn, const pd_error *err, void *ctx)
{
    sh_session *s = ctx;

    if (!sh_exec_adopt_conn(s, conn, err)) {
        sh_print_error(s->err, err, s->err_prefix);
        sql_end(s, 2);
        return;
    }
    run_sql(s);
}

/* Gets the session a connection: the pool's, or after \c a new one of
 * its own to that database. Calls cb as pd_pool_acquire does. */
int sh_exec_get_conn(sh_session *s, pd_conn_ready_cb cb, void *ctx)
{
    pd_conn *c;
    int rc;

    if (s->no_conn) /* a failed \c left the session without one */
        return PD_ESTATE;
    if (s->own_ci == NULL)
        return pd_pool_acquire(pd_core_pool(s->core), 0, cb, ctx);
    c = pd_conn_new(pd_core_loop(s->core), s->own_ci);
    rc = pd_conn_connect(c, 0, cb, ctx);
    if (rc != 0)
        pd_conn_close(c);
    return rc;
}

/* Starts s->sql on the session's connection, acquiring it first when
 * needed. Returns 0, or PD_ESTATE when the pool is closing or a failed
 * \c left the session without a connection (psql's message said). */
static int start_sql(sh_session *s)
{
    if (s->sql[strspn(s->sql, " \t\r\n")] != '\0') {
        free(s->last_sql);
        s->last_sql = pd_xstrdup(s->sql);
    }
    if (s->no_conn) {
        sh_session_errorf(s, "You are currently not connected to a "
                          "database.");
        return PD_ESTATE;
    }
    if (s->conn != NULL) {
        run_sql(s);
        return 0;
    }
    return sh_exec_get_conn(s, on_acquired, s);
}

/* Runs one unit; see exec.h. Variables are interpolated in SQL here; a
 * command's arguments are its own business (sh_vars_next_arg). */
int sh_exec_unit(sh_session *s, const char *unit, sh_exec_done_cb cb,
                 void *ctx)
{
    const char *p = unit;
    size_t len, at;
    int rc;

    if (s->busy)
        return PD_ESTATE;
    s->busy = true;
    s->cb = cb;
    s->ctx = ctx;
    s->start_ns = uv_hrtime();
    while (isspace((unsigned char)*p))
        p++;
    len = strlen(p);
    at = pd_sqllex_command_start(p, len);
    if (at < len) {
        /* "SELECT 1 \gset": the SQL is the command's query buffer. */
        if (at > 0) {
            /* A command alone on its line adds nothing to the buffer:
             * psql takes back the newline it put before that line. */
            char *sql = pd_xstrndup(p, at - (p[at - 1] == '\n'));
            s->qbuf = sh_vars_interpolate(s->vars, sql);
            free(sql);
        }
        if (sh_session_restricted(s, p + at)) {
            sh_session_errorf(s, "backslash commands are restricted; only "
                                 "\\unrestrict is allowed");
            rc = 1;
        } else {
            rc = sh_session_backtick_dispatch(s, p + at);
        }
        if (rc != SH_CMD_ASYNC)
            unit_done(s, rc);
        return 0;
    }
    s->sql = sh_vars_interpolate(s->vars, unit);
    if (s->copy_data != NULL && s->depth == 0) {
        s->sqlo.copy_in = s->copy_data;
        s->sqlo.copy_in_len = s->copy_len;
    }
    if (start_sql(s) != 0) {
        if (s->no_conn) { /* said why; the unit failed */
            unit_done(s, 1);
            return 0;
        }
        free(s->sql);
        s->sql = NULL;
        s->busy = false;
        return PD_ESTATE;
    }
    return 0;
}

bool sh_session_has_conn(const sh_session *s)
{
    return !s->no_conn;
}

void sh_session_set_copy_data(sh_session *s, const char *data, size_t len)
{
    s->copy_data = data;
    s->copy_len = len;
}

const char *sh_session_copy_data(const sh_session *s, size_t *len)
{
    *len = s->copy_len;
    return s->copy_data;
}

/* ---- what commands see of the session (commands.h) ---- */

void sh_session_unit_done(sh_session *s, int status)
{
    unit_done(s, status);
}

/* A query a command runs on the session's connection, waiting for that
 * connection first when the session has none yet. */
typedef struct cmd_query {
    sh_session *s;
    char *sql;
    int nparams;
    char **params;
    pd_fetch_cb cb;
    void *ctx;
} cmd_query;

static void cmd_query_free(cmd_query *q)
{
    int i;

    for (i = 0; i < q->nparams; i++)
        free(q->params[i]);
    free(q->params);
    free(q->sql);
    free(q);
}

static int cmd_query_send(cmd_query *q)
{
    pd_query_opts o = {.source = "shell", .timeout_ms = PD_QUERY_NO_TIMEOUT};

    return pd_query_run(q->s->conn, q->sql, q->nparams,
                        (const char *const *)q->params, &o, q->cb, q->ctx);
}

static void on_cmd_conn(pd_conn *conn, const pd_error *err, void *ctx)
{
    cmd_query *q = ctx;
    pd_error e = PD_ERROR_INIT;

    if (sh_exec_adopt_conn(q->s, conn, err)) {
        if (cmd_query_send(q) == 0) {
            cmd_query_free(q);
            return;
        }
        pd_error_set(&e, PD_ERR_CONNECTION, "the connection is not usable");
        err = &e;
    }
    q->cb(NULL, err, q->ctx);
    pd_error_clear(&e);
    cmd_query_free(q);
}

int sh_session_query(sh_session *s, const char *sql, int nparams,
                     const char *const *params, pd_fetch_cb cb, void *ctx)
{
    cmd_query *q = pd_xcalloc(1, sizeof(*q));
    int i, rc;

    q->s = s;
    q->sql = pd_xstrdup(sql);
    q->nparams = nparams;
    if (nparams > 0) {
        q->params = pd_xcalloc((size_t)nparams, sizeof(char *));
        for (i = 0; i < nparams; i++)
            q->params[i] = params[i] ? pd_xstrdup(params[i]) : NULL;
    }
    q->cb = cb;
    q->ctx = ctx;
    if (s->conn != NULL) {
        rc = cmd_query_send(q);
        cmd_query_free(q);
        return rc;
    }
    rc = sh_exec_get_conn(s, on_cmd_conn, q);
    if (rc != 0)
        cmd_query_free(q);
    return rc;
}

/* ---- what psql's own commands need (commands.c) ---- */

/* Runs sql for the running command as a SQL unit would run it, ending
 * with cb instead of the unit. See commands.h. */
int sh_session_run_sql(sh_session *s, const char *sql, const sh_sql_opts *o,
                       sh_exec_done_cb cb, void *ctx)
{
    if (!s->busy || s->sql != NULL)
        return PD_ESTATE;
    s->sql = pd_xstrdup(sql);
    if (o != NULL) {
        s->sqlo = *o;
        s->sqlo.gset_prefix = o->gset_prefix ? pd_xstrdup(o->gset_prefix)
                                             : NULL;
    }
    s->sql_cb = cb;
    s->sql_ctx = ctx;
    s->start_ns = uv_hrtime(); /* \timing: this query's own time (\watch) */
    if (start_sql(s) == 0)
        return 0;
    free(s->sql);
    s->sql = NULL;
    free((char *)s->sqlo.gset_prefix);
    memset(&s->sqlo, 0, sizeof(s->sqlo));
    s->sql_cb = NULL;
    return PD_ESTATE;
}

/* The running command's state, kept while a nested unit runs. */
typedef struct nest {
    sh_session *s;
    sh_exec_done_cb cb, outer_cb;
    void *ctx, *outer_ctx;
    char *outer_prefix;      /* owned */
    char *outer_qbuf;        /* owned */
    const char *outer_tail;
    uint64_t outer_start;
} nest;

static void on_nested_done(int status, void *ctx)
{
    nest *n = ctx;
    sh_session *s = n->s;
    sh_exec_done_cb cb = n->cb;
    void *cctx = n->ctx;

    s->depth--;
    s->busy = true;
    s->cb = n->outer_cb;
    s->ctx = n->outer_ctx;
    free(s->err_prefix);
    s->err_prefix = n->outer_prefix;
    s->qbuf = n->outer_qbuf;
    s->name_tail = n->outer_tail;
    s->start_ns = n->outer_start;
    free(n);
    cb(status, cctx);
}

/* Runs unit inside the running command (\i); see commands.h. */
int sh_session_run_nested(sh_session *s, const char *unit,
                          const char *err_prefix, sh_exec_done_cb cb,
                          void *ctx)
{
    nest *n;
    int rc;

    if (!s->busy || s->sql != NULL)
        return PD_ESTATE;
    n = pd_xcalloc(1, sizeof(*n));
    n->s = s;
    n->cb = cb;
    n->ctx = ctx;
    n->outer_cb = s->cb;
    n->outer_ctx = s->ctx;
    n->outer_prefix = s->err_prefix;
    n->outer_qbuf = s->qbuf;
    n->outer_tail = s->name_tail;
    n->outer_start = s->start_ns;
    s->err_prefix = err_prefix != NULL ? pd_xstrdup(err_prefix) : NULL;
    s->qbuf = NULL;
    s->name_tail = "";
    s->busy = false;
    s->depth++;
    rc = sh_exec_unit(s, unit, on_nested_done, n);
    if (rc != 0) {
        s->depth--;
        free(s->err_prefix);
        s->err_prefix = n->outer_prefix;
        s->qbuf = n->outer_qbuf;
        s->name_tail = n->outer_tail;
        s->cb = n->outer_cb;
        s->ctx = n->outer_ctx;
        s->busy = true;
        free(n);
    }
    return rc;
}
