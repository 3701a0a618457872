/* session_output.c: how the running SQL's results are shown.
 *
 * Results stream in chunks of FETCH_COUNT rows (1000 when unset, so that
 * memory stays bounded), printed as psql's FETCH_COUNT mode prints them;
 * an explicit FETCH_COUNT of 0 (or less) fetches everything first, as
 * plain psql does, and so does a \gset over several statements. A person
 * at a terminal gets the pager for output taller than the screen. \g FILE
 * and \g |COMMAND (sqlo.rows_out) take the rows of every result, opened at
 * the first result with rows as psql opens them, while command tags,
 * notices and errors go where they always go. \gset keeps only the first
 * row of its statement. */
#include "shell/session_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/query.h"
#include "core/sqlsplit.h"
#include "core/xalloc.h"
#include "shell/pager.h"
#include "shell/vars.h"

/* psql's ERROR, SQLSTATE, ROW_COUNT and LAST_ERROR_* variables, and the
 * error \errverbose shows. */
void sh_session_output_record(sh_session *s, int64_t rows,
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

/* The print settings of the running SQL (a shallow copy: strings
 * borrowed). */
static sh_print_opts sql_opts(const sh_session *s)
{
    sh_print_opts o = s->popts;

    if (s->sqlo.flags & SH_SQL_EXPANDED)
        o.expanded = 1;
    o.title = s->sqlo.title;
    return o;
}

/* \gset: the one row of res (nrows of them came) into variables; 0, or 1
 * with psql's error printed. */
static int gset_apply(sh_session *s, const pd_result *res, size_t nrows)
{
    const char *prefix = s->sqlo.gset_prefix ? s->sqlo.gset_prefix : "";
    int i, rc;

    if (nrows == 0) {
        sh_session_errorf(s, "no rows returned for \\gset");
        return 1;
    }
    if (nrows > 1) {
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
        else if (rc == -3)
            sh_session_errorf(s, "invalid value \"%s\" for \"%s\": "
                              "integer expected", v, name);
        free(name);
        if (rc != 0)
            return 1;
    }
    return 0;
}

/* The stream for the running SQL's rows: \g's file or pipe (asked for at
 * the first result with rows), else hold (the pager's) or the output.
 * NULL when \g's could not be opened (it said why): rows are dropped. */
static FILE *rows_stream(sh_session *s, FILE *hold)
{
    if (s->sqlo.rows_out == NULL)
        return hold != NULL ? hold : s->out;
    if (!s->rows_asked) {
        s->rows_asked = true;
        s->rows_f = s->sqlo.rows_out(s->sqlo.rows_ctx);
    }
    return s->rows_f;
}

/* One whole result. Rows that go to \g's stream leave their command tag
 * on the output, as psql's status output stays there. */
static void print_one(sh_session *s, FILE *hold, const pd_result *r,
                      const sh_print_opts *o)
{
    sh_print_opts q = *o;
    FILE *f;

    if (!pd_result_has_rows(r) || s->sqlo.rows_out == NULL) {
        sh_format_print(hold != NULL ? hold : s->out, r, o);
        return;
    }
    if ((f = rows_stream(s, hold)) == NULL)
        return;
    q.quiet = true;
    sh_format_print(f, r, &q);
    sh_format_print_tag(s->out, r, o);
}

/* Prints the results of the running SQL (to hold when not NULL); the
 * last is \gset's, not printed, when skip_last. */
static void print_results(sh_session *s, FILE *hold, const pd_result *res,
                          bool skip_last)
{
    sh_print_opts o = sql_opts(s);

    for (; res != NULL; res = pd_result_next(res)) {
        if (skip_last && pd_result_next(res) == NULL)
            break;
        print_one(s, hold, res, &o);
    }
}

static void on_paged(void *ctx)
{
    sh_session *s = ctx;

    s->paging = false;
    sh_exec_sql_finish(s, s->sql_failed ? 1 : 0);
}

/* The pager for this SQL's output, or NULL when its output goes straight
 * out (not a person at a terminal, \o, \g FILE, \gset, \pset pager
 * off). */
static const char *pager_for(sh_session *s)
{
    const char *cmd;

    if (s->pager_mode == 0 || !s->interactive || s->out != s->base_out ||
        s->sqlo.rows_out != NULL ||
        (s->sqlo.flags & (SH_SQL_GSET | SH_SQL_NO_PAGER)) ||
        (cmd = sh_pager_command(s->env)) == NULL ||
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
    if (sh_pager_run(pd_core_loop(s->core), cmd, sh_env_vector(s->env), buf,
                     len, on_paged, s) == 0)
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

/* The status of the running SQL once its results are in. */
static int end_status(const sh_session *s, const pd_error *err)
{
    return err != NULL || (s->rows_asked && s->rows_f == NULL) ? 1 : 0;
}

/* The whole result of the running SQL (FETCH_COUNT 0, \gset over several
 * statements). */
static void on_sql_done(pd_result *res, const pd_error *err, void *ctx)
{
    sh_session *s = ctx;
    sh_print_opts o = sql_opts(s);
    const pd_result *last = res;
    int status;

    while (last != NULL && pd_result_next(last) != NULL)
        last = pd_result_next(last);
    sh_session_output_record(s, last != NULL ? pd_result_rows_affected(last)
                                             : -1, err);
    if (s->conn != NULL && pd_conn_state_get(s->conn) == PD_CONN_BROKEN)
        sh_exec_drop_conn(s);
    status = end_status(s, err);
    if ((s->sqlo.flags & SH_SQL_GSET) && err == NULL && last != NULL &&
        pd_result_has_rows(last)) {
        print_results(s, NULL, res, true);
        if (gset_apply(s, last, pd_result_nrows(last)) != 0)
            status = 1;
        sh_format_print_tag(s->out, last, &o); /* psql's, even so */
    } else {
        switch (page(s, res)) {
        case 2:
            pd_result_free(res);
            return;
        case 0:
            print_results(s, NULL, res, false);
            break;
        default:
            break;
        }
    }
    pd_result_free(res);
    sh_exec_sql_finish(s, status);
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

/* A chunk of rows (or a statement without rows), printed at once. */
static void print_chunk(sh_session *s, const pd_result *c,
                        const sh_print_opts *o, bool set_end)
{
    sh_print_opts q = *o;
    FILE *f;

    if (!pd_result_has_rows(c) || s->sqlo.rows_out == NULL) {
        sh_format_print_chunk(s->st_page != NULL ? s->st_page : s->out, c, o,
                              s->st_cont, !set_end, s->st_prior);
        return;
    }
    if ((f = rows_stream(s, NULL)) == NULL)
        return;
    q.quiet = true;
    sh_format_print_chunk(f, c, &q, s->st_cont, !set_end, s->st_prior);
    if (set_end)
        sh_format_print_tag(s->out, c, o);
}

/* \gset streamed: the statement's first row is kept (a copy), its rows
 * counted; a statement without rows prints as usual. */
static void gset_chunk(sh_session *s, const pd_result *c,
                       const sh_print_opts *o, bool set_end)
{
    int i, n = pd_result_ncols(c);

    if (!pd_result_has_rows(c)) {
        if (set_end)
            sh_format_print(s->out, c, o);
        return;
    }
    if (s->gs_row == NULL) {
        const char **v = pd_xcalloc((size_t)n + 1, sizeof(char *));
        for (i = 0; i < n; i++)
            v[i] = pd_result_col_name(c, i);
        s->gs_row = pd_result_new(n, v, NULL);
        free(v);
    }
    if (s->gs_rows == 0 && pd_result_nrows(c) > 0) {
        const char **v = pd_xcalloc((size_t)n + 1, sizeof(char *));
        for (i = 0; i < n; i++)
            v[i] = pd_result_value(c, 0, i);
        pd_result_add_row(s->gs_row, v);
        free(v);
    }
    s->gs_rows += pd_result_nrows(c);
    if (set_end)
        pd_result_set_tag(s->gs_row, pd_result_tag(c));
}

/* The end of a streamed \gset: the variables, then psql's tag. */
static int gset_end(sh_session *s, const sh_print_opts *o)
{
    int status;

    if (s->gs_row == NULL)
        return 0;
    status = gset_apply(s, s->gs_row, s->gs_rows);
    sh_format_print_tag(s->out, s->gs_row, o);
    pd_result_free(s->gs_row);
    s->gs_row = NULL;
    s->gs_rows = 0;
    return status;
}

/* The stream is over: the outcome, the pager's hold, the end. */
static void stream_end(sh_session *s, const pd_error *err,
                       const sh_print_opts *o)
{
    int status = end_status(s, err);
    const char *cmd;

    sh_session_output_record(s, s->st_rows, err);
    s->st_cont = false;
    s->st_prior = 0;
    if (err == NULL && (s->sqlo.flags & SH_SQL_GSET) && gset_end(s, o) != 0)
        status = 1;
    pd_result_free(s->gs_row);
    s->gs_row = NULL;
    s->gs_rows = 0;
    if (s->conn != NULL && pd_conn_state_get(s->conn) == PD_CONN_BROKEN)
        sh_exec_drop_conn(s);
    if (s->st_page != NULL) {
        fclose(s->st_page);
        s->st_page = NULL;
        cmd = pager_for(s);
        if (cmd != NULL && page_buf(s, cmd, s->st_buf, s->st_len) == 2) {
            s->st_buf = NULL;
            s->st_len = 0;
            return;
        }
        if (cmd == NULL)
            free(s->st_buf);
        s->st_buf = NULL;
        s->st_len = 0;
    }
    sh_exec_sql_finish(s, status);
}

/* A chunk of the running SQL's rows: printed at once as psql's
 * FETCH_COUNT mode prints it, so memory stays bounded. On an error the
 * rows of the chunk in progress are dropped, as psql's failed FETCH
 * drops them; the chunks before stay printed. */
static void on_sql_chunk(const pd_result *chunk, const pd_chunk_info *info,
                         const pd_error *err, void *ctx)
{
    sh_session *s = ctx;
    sh_print_opts o = sql_opts(s);

    if (chunk != NULL && err == NULL) {
        if (s->sqlo.flags & SH_SQL_GSET)
            gset_chunk(s, chunk, &o, info->set_end);
        else
            print_chunk(s, chunk, &o, info->set_end);
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
    if (info->last)
        stream_end(s, err, &o);
}

/* Rows per chunk: FETCH_COUNT, 1000 when unset; 0 (or less): fetch
 * everything first, as psql does without FETCH_COUNT. */
static long chunk_rows(const sh_session *s)
{
    const char *fc = sh_vars_get(s->vars, "FETCH_COUNT");

    return fc != NULL ? strtol(fc, NULL, 0) : STREAM_CHUNK_ROWS;
}

/* True when sql holds more than one statement. */
static bool several(const char *sql)
{
    pd_sqlsplit *sp = pd_sqlsplit_new();
    char *u;
    int n = 0;

    pd_sqlsplit_feed(sp, sql, strlen(sql));
    while (n < 2 && ((u = pd_sqlsplit_next(sp, NULL, NULL)) != NULL ||
                     (u = pd_sqlsplit_finish(sp, NULL, NULL)) != NULL)) {
        free(u);
        n++;
    }
    pd_sqlsplit_free(sp);
    return n > 1;
}

/* COPY ... TO STDOUT: the rows are the output, as in psql (\g's file
 * or pipe when there is one). */
static void on_copy_data(const char *data, size_t len, void *ctx)
{
    sh_session *s = ctx;
    FILE *f = rows_stream(s, NULL);

    if (f != NULL)
        fwrite(data, 1, len, f);
}

/* Starts s->sql on s->conn; see session_internal.h. */
int sh_session_output_start(sh_session *s)
{
    /* As in psql, a statement typed by the user runs as long as it takes
     * (Ctrl-C cancels it); DB_COMMAND_TIMEOUT is for programmatic use. */
    pd_query_opts o = {.flags = PD_QUERY_SIMPLE,
                       .timeout_ms = PD_QUERY_NO_TIMEOUT,
                       .source = "shell",
                       .copy_out = on_copy_data,
                       .copy_ctx = s,
                       .copy_in = s->sqlo.copy_in,
                       .copy_in_len = s->sqlo.copy_in_len};
    const pd_query_opts *opts = &o;
    long chunk = chunk_rows(s);

    if (s->sqlo.copy_out != NULL) {
        o.copy_out = s->sqlo.copy_out;
        o.copy_ctx = s->sqlo.copy_ctx;
    }

    s->rows_asked = false;
    s->rows_f = NULL;
    s->st_cont = false;
    s->st_prior = 0;
    s->st_rows = -1;
    /* \gset over several statements needs to know which result is the
     * last: it waits for them all, as psql does for such a string. */
    if (chunk <= 0 || ((s->sqlo.flags & SH_SQL_GSET) && several(s->sql)))
        return pd_query_run(s->conn, s->sql, 0, NULL, opts, on_sql_done, s);
    if (pager_for(s) != NULL)
        s->st_page = open_memstream(&s->st_buf, &s->st_len);
    if (pd_query_stream(s->conn, s->sql, 0, NULL, opts, (size_t)chunk,
                        on_sql_chunk, s) == 0)
        return 0;
    if (s->st_page != NULL) {
        fclose(s->st_page);
        s->st_page = NULL;
        free(s->st_buf);
        s->st_buf = NULL;
        s->st_len = 0;
    }
    return PD_ESTATE;
}
