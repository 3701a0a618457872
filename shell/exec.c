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
#include "shell/pager.h"
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
         * in the query buffer. */
        free(s->back_pending);
        s->back_pending = s->qbuf;
    } else {
        free(s->qbuf);
    }
    s->qbuf = NULL;
    /* ON_ERROR_STOP ends a script, not a person's session; inside \i
     * the command stops its file itself. A file's failure exits 3 as
     * psql's; -c exits 1. */
    if (status == 1 && s->depth == 0 && !s->interactive &&
        sh_vars_get_bool(s->vars, "ON_ERROR_STOP")) {
        s->quit = true;
        if (s->err_prefix != NULL)
            status = 3;
    }
    fflush(s->out);
    fflush(s->err);
    cb(status, ctx);
}

void sh_exec_print_timing(sh_session *s)
{
    if (s->timing)
        fprintf(s->out, "Time: %.3f ms\n",
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
static void sql_finish(sh_session *s, int status)
{
    if (s->sql_failed) {
        fflush(s->out);
        sh_print_error(s->err, &s->last_err, s->err_prefix);
    }
    sh_exec_print_timing(s);
    sql_end(s, status);
}

/* psql's ERROR, SQLSTATE, ROW_COUNT and LAST_ERROR_* variables, and the
 * error \errverbose shows. */
static void record_outcome_rows(sh_session *s, int64_t rows,
                                const pd_error *err)
{
    char n[32];

    s->sql_failed = err != NULL;
    if (err != NULL) {
        pd_error_copy(&s->last_err, err);
        sh_vars_set(s->vars, "ERROR", "true");
        sh_vars_set(s->vars, "SQLSTATE", err->sqlstate);
        sh_vars_set(s->vars, "ROW_COUNT", "0");
        sh_vars_set(s->vars, "LAST_ERROR_MESSAGE",
                    err->message != NULL ? err->message : "");
        sh_vars_set(s->vars, "LAST_ERROR_SQLSTATE", err->sqlstate);
        return;
    }
    snprintf(n, sizeof(n), "%lld", (long long)(rows < 0 ? 0 : rows));
    sh_vars_set(s->vars, "ERROR", "false");
    sh_vars_set(s->vars, "SQLSTATE", "00000");
    sh_vars_set(s->vars, "ROW_COUNT", n);
}

static void record_outcome(sh_session *s, const pd_result *last,
                           const pd_error *err)
{
    record_outcome_rows(s, last != NULL ? pd_result_rows_affected(last) : -1,
                        err);
}

/* \gset: the one row of res into variables; 0, or 1 with the error
 * printed. A statement without rows prints as usual. */
static int gset(sh_session *s, const pd_result *res)
{
    const char *prefix = s->sqlo.gset_prefix ? s->sqlo.gset_prefix : "";
    int i, rc;

    if (!pd_result_has_rows(res)) {
        sh_format_print(s->out, res, &s->popts);
        return 0;
    }
    if (pd_result_nrows(res) == 0) {
        sh_session_errorf(s, "no rows returned for \\gset");
        return 1;
    }
    if (pd_result_nrows(res) > 1) {
        sh_session_errorf(s, "more than one row returned for \\gset");
        return 1;
    }
    for (i = 0; i < pd_result_ncols(res); i++) {
        char *name = pd_xasprintf("%s%s", prefix, pd_result_col_name(res, i));
        const char *v = pd_result_value(res, 0, i);

        rc = sh_vars_set(s->vars, name, v);
        if (rc == -1)
            sh_session_errorf(s, "invalid variable name: \"%s\"", name);
        else if (rc == -2)
            sh_session_errorf(s, "unrecognized value \"%s\" for \"%s\": "
                              "Boolean expected", v, name);
        free(name);
        if (rc != 0)
            return 1;
    }
    return 0;
}

/* Prints the results of the running SQL to f as its options say; the
 * last result is \gset's, not printed, when skip_last. */
static void print_results(sh_session *s, FILE *f, const pd_result *res,
                          bool skip_last)
{
    sh_print_opts o = s->popts; /* a shallow copy: strings borrowed */

    if (s->sqlo.flags & SH_SQL_EXPANDED)
        o.expanded = 1;
    for (; res != NULL; res = pd_result_next(res)) {
        if (skip_last && pd_result_next(res) == NULL)
            break;
        sh_format_print(f, res, &o);
    }
}

static void on_paged(void *ctx)
{
    sh_session *s = ctx;

    s->paging = false;
    sql_finish(s, s->sql_failed ? 1 : 0);
}

/* The pager for this SQL's output, or NULL when its output goes straight
 * out (not a person at a terminal, \o, \gset, \pset pager off). */
static const char *pager_for(sh_session *s)
{
    const char *cmd;

    if (s->pager_mode == 0 || !s->interactive || s->out != s->base_out ||
        (s->sqlo.flags & (SH_SQL_GSET | SH_SQL_NO_PAGER)) ||
        (cmd = sh_pager_command()) == NULL ||
        !sh_pager_wanted(s->pager_mode, SIZE_MAX)) /* terminals? */
        return NULL;
    return cmd;
}

/* Shows buf (taken) through the pager cmd when it is taller than the
 * screen, else writes it out. Returns 1 when it was written, 2 when the
 * pager took it (it ends the SQL when it exits). */
static int page_buf(sh_session *s, const char *cmd, char *buf, size_t len)
{
    size_t lines = 0, i;

    for (i = 0; i < len; i++)
        lines += buf[i] == '\n';
    if (!sh_pager_wanted(s->pager_mode, lines)) {
        fwrite(buf, 1, len, s->out);
        free(buf);
        return 1;
    }
    fflush(s->out);
    s->paging = true;
    if (sh_pager_run(pd_core_loop(s->core), cmd, buf, len, on_paged, s) == 0)
        return 2;
    s->paging = false;
    fwrite(buf, 1, len, s->out);
    free(buf);
    return 1;
}

/* Output for a person at a terminal goes through the pager when it is
 * taller than the screen. Returns 0 when it did nothing (the caller
 * prints), 1 when it printed, 2 when the pager took the output (it ends
 * the SQL when it exits). */
static int page(sh_session *s, const pd_result *res)
{
    char *buf = NULL;
    size_t len = 0;
    const char *cmd;
    FILE *m;

    if (res == NULL || (cmd = pager_for(s)) == NULL ||
        (m = open_memstream(&buf, &len)) == NULL)
        return 0;
    print_results(s, m, res, false);
    fclose(m);
    return page_buf(s, cmd, buf, len);
}

static void on_sql_done(pd_result *res, const pd_error *err, void *ctx)
{
    sh_session *s = ctx;
    const pd_result *last = res;
    int status = err != NULL ? 1 : 0;

    while (last != NULL && pd_result_next(last) != NULL)
        last = pd_result_next(last);
    record_outcome(s, last, err);
    if (s->conn != NULL && pd_conn_state_get(s->conn) == PD_CONN_BROKEN)
        sh_exec_drop_conn(s);
    if ((s->sqlo.flags & SH_SQL_GSET) && err == NULL && last != NULL) {
        print_results(s, s->out, res, true);
        status = gset(s, last);
    } else {
        switch (page(s, res)) {
        case 2:
            pd_result_free(res);
            return;
        case 0:
            print_results(s, s->out, res, false);
            break;
        default:
            break;
        }
    }
    pd_result_free(res);
    sql_finish(s, status);
}

/* Ends holding output for the pager: what was held goes out, and the
 * rest of the result streams unpaged (a result too big to hold). */
static void stream_unhold(sh_session *s)
{
    if (s->st_page == NULL)
        return;
    fclose(s->st_page);
    s->st_page = NULL;
    fwrite(s->st_buf, 1, s->st_len, s->out);
    free(s->st_buf);
    s->st_buf = NULL;
    s->st_len = 0;
}

/* A chunk of the running SQL's rows: printed at once as psql's
 * FETCH_COUNT mode prints it, so memory stays bounded. On an error the
 * rows of the chunk in progress are dropped, as psql's failed FETCH
 * drops them; the chunks before stay printed. */
static void on_sql_chunk(const pd_result *chunk, const pd_chunk_info *info,
                         const pd_error *err, void *ctx)
{
    sh_session *s = ctx;
    sh_print_opts o = s->popts; /* a shallow copy: strings borrowed */
    const char *cmd;
    int status = err != NULL ? 1 : 0;

    if (s->sqlo.flags & SH_SQL_EXPANDED)
        o.expanded = 1;
    if (chunk != NULL && err == NULL) {
        FILE *f = s->st_page != NULL ? s->st_page : s->out;

        sh_format_print_chunk(f, chunk, &o, s->st_cont, !info->set_end,
                              s->st_prior);
        if (info->set_end) {
            s->st_rows = pd_result_rows_affected(chunk);
            s->st_cont = false;
            s->st_prior = 0;
        } else {
            s->st_cont = true;
            s->st_prior += pd_result_nrows(chunk);
        }
        if (s->st_page != NULL) {
            fflush(s->st_page);
            if (s->st_len > STREAM_PAGE_CAP)
                stream_unhold(s);
        }
    }
    if (!info->last)
        return;
    record_outcome_rows(s, s->st_rows, err);
    s->st_cont = false;
    s->st_prior = 0;
    if (s->conn != NULL && pd_conn_state_get(s->conn) == PD_CONN_BROKEN)
        sh_exec_drop_conn(s);
    if (s->st_page != NULL) {
        fclose(s->st_page);
        s->st_page = NULL;
        cmd = pager_for(s);
        if (cmd != NULL &&
            page_buf(s, cmd, s->st_buf, s->st_len) == 2) {
            s->st_buf = NULL;
            s->st_len = 0;
            return;
        }
        if (cmd == NULL)
            free(s->st_buf);
        s->st_buf = NULL;
        s->st_len = 0;
    }
    sql_finish(s, status);
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

/* COPY ... TO STDOUT: the rows are the output, as in psql. */
static void on_copy_data(const char *data, size_t len, void *ctx)
{
    sh_session *s = ctx;

    fwrite(data, 1, len, s->out);
}

static void run_sql(sh_session *s)
{
    /* As in psql, a statement typed by the user runs as long as it takes
     * (Ctrl-C cancels it); DB_COMMAND_TIMEOUT is for programmatic use. */
    pd_query_opts opts = {.flags = PD_QUERY_SIMPLE,
                          .timeout_ms = PD_QUERY_NO_TIMEOUT,
                          .source = "shell",
                          .copy_out = on_copy_data,
                          .copy_ctx = s};

    pd_error err = PD_ERROR_INIT;

    if (s->sqlo.copy_out != NULL) {
        opts.copy_out = s->sqlo.copy_out;
        opts.copy_ctx = s->sqlo.copy_ctx;
    }
    opts.copy_in = s->sqlo.copy_in;
    opts.copy_in_len = s->sqlo.copy_in_len;

    /* \gset needs its one row whole, and JSON is one array: those
     * results are materialised. Everything else streams. */
    if ((s->sqlo.flags & SH_SQL_GSET) || s->popts.format == SH_FMT_JSON) {
        if (pd_query_run(s->conn, s->sql, 0, NULL, &opts, on_sql_done, s) ==
            0)
            return;
    } else {
        const char *fc = sh_vars_get(s->vars, "FETCH_COUNT");
        long n = fc != NULL ? strtol(fc, NULL, 10) : 0;
        size_t chunk = n > 0 ? (size_t)n : STREAM_CHUNK_ROWS;

        s->st_cont = false;
        s->st_prior = 0;
        s->st_rows = -1;
        if (pager_for(s) != NULL)
            s->st_page = open_memstream(&s->st_buf, &s->st_len);
        if (pd_query_stream(s->conn, s->sql, 0, NULL, &opts, chunk,
                            on_sql_chunk, s) == 0)
            return;
        if (s->st_page != NULL) {
            fclose(s->st_page);
            s->st_page = NULL;
            free(s->st_buf);
            s->st_buf = NULL;
            s->st_len = 0;
        }
    }
    /* The held connection broke while idle: give it back and say so. */
    sh_exec_drop_conn(s);
    pd_error_set(&err, PD_ERR_CONNECTION,
                 "the connection to the server was lost");
    record_outcome(s, NULL, &err);
    pd_error_clear(&err);
    sql_finish(s, 1);
}

/* NOTICE, WARNING and the like go to stderr as libpq formats them, which
 * is what psql prints. */
void sh_exec_on_notice(pd_conn *c, const PGresult *res, void *ctx)
{
    sh_session *s = ctx;

    (void)c;
    fflush(s->out);
    sh_print_notice(s->err, PQresultErrorMessage(res));
}

static void on_acquired(pd_conn *conn, const pd_error *err, void *ctx)
{
    sh_session *s = ctx;

    if (err != NULL) {
        if (s->own_ci != NULL)
            pd_conn_close(conn);
        sh_print_error(s->err, err, s->err_prefix);
        sql_end(s, 2);
        return;
    }
    s->conn = conn;
    pd_conn_set_notice_cb(conn, sh_exec_on_notice, s);
    run_sql(s);
}

/* Gets the session a connection: the pool's, or after \c a new one of
 * its own to that database. Calls cb as pd_pool_acquire does. */
int sh_exec_get_conn(sh_session *s, pd_conn_ready_cb cb, void *ctx)
{
    pd_conn *c;
    int rc;

    if (s->own_ci == NULL)
        return pd_pool_acquire(pd_core_pool(s->core), 0, cb, ctx);
    c = pd_conn_new(pd_core_loop(s->core), s->own_ci);
    rc = pd_conn_connect(c, 0, cb, ctx);
    if (rc != 0)
        pd_conn_close(c);
    return rc;
}

/* Starts s->sql on the session's connection, acquiring it first when
 * needed. Returns 0, or PD_ESTATE when the pool is closing. */
static int start_sql(sh_session *s)
{
    if (s->sql[strspn(s->sql, " \t\r\n")] != '\0') {
        free(s->last_sql);
        s->last_sql = pd_xstrdup(s->sql);
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
            char *sql = pd_xstrndup(p, at);
            s->qbuf = sh_vars_interpolate(s->vars, sql);
            free(sql);
        }
        rc = sh_dispatch_backslash(s, p + at);
        if (rc != SH_CMD_ASYNC)
            unit_done(s, rc);
        return 0;
    }
    s->sql = sh_vars_interpolate(s->vars, unit);
    if (start_sql(s) != 0) {
        free(s->sql);
        s->sql = NULL;
        s->busy = false;
        return PD_ESTATE;
    }
    return 0;
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

    if (err == NULL) {
        q->s->conn = conn;
        pd_conn_set_notice_cb(conn, sh_exec_on_notice, q->s);
        if (cmd_query_send(q) == 0) {
            cmd_query_free(q);
            return;
        }
        pd_error_set(&e, PD_ERR_CONNECTION, "the connection is not usable");
        err = &e;
    } else if (q->s->own_ci != NULL) {
        pd_conn_close(conn);
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
