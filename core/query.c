/* query.c: one statement (or simple-query string) from acquire to result. */
#include "core/query.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

typedef struct query {
    pd_pool *pool;      /* borrowed; NULL when run on a held connection */
    pd_conn *conn;      /* borrowed from the pool or the caller */
    char *sql;          /* owned copy */
    int nparams;
    char **params;      /* owned copies; NULL entries are SQL NULL */
    uint32_t flags;
    pd_fetch_cb cb;
    void *ctx;
    pd_result *head;    /* owned results so far */
    pd_error err;       /* first error */
} query;

static query *query_new(const char *sql, int nparams,
                        const char *const *params, const pd_query_opts *opts,
                        pd_fetch_cb cb, void *ctx)
{
    query *q = pd_xcalloc(1, sizeof(*q));
    int i;

    q->sql = pd_xstrdup(sql);
    q->nparams = nparams;
    if (nparams > 0) {
        q->params = pd_xcalloc((size_t)nparams, sizeof(char *));
        for (i = 0; i < nparams; i++)
            q->params[i] = params[i] != NULL ? pd_xstrdup(params[i]) : NULL;
    }
    q->flags = opts != NULL ? opts->flags : 0;
    q->cb = cb;
    q->ctx = ctx;
    return q;
}

static void query_free(query *q)
{
    int i;

    for (i = 0; i < q->nparams; i++)
        free(q->params[i]);
    free(q->params);
    free(q->sql);
    pd_result_free(q->head);
    pd_error_clear(&q->err);
    free(q);
}

/* Gives the connection back first, so the callback can run the next
 * statement on it at once, then reports. */
static void finish(query *q)
{
    pd_result *res = q->head;

    q->head = NULL;
    if (q->pool != NULL && q->conn != NULL)
        pd_pool_release(q->pool, q->conn);
    q->conn = NULL;
    q->cb(res, pd_error_isset(&q->err) ? &q->err : NULL, q->ctx);
    query_free(q);
}

static void on_result(pd_conn *c, PGresult *pg, void *ctx)
{
    query *q = ctx;
    ExecStatusType st = PQresultStatus(pg);
    pd_result *r;

    (void)c;
    if (st == PGRES_FATAL_ERROR || st == PGRES_NONFATAL_ERROR ||
        st == PGRES_BAD_RESPONSE) {
        if (!pd_error_isset(&q->err))
            pd_error_from_result(&q->err, pg);
        PQclear(pg);
        return;
    }
    if (st == PGRES_EMPTY_QUERY) { /* psql prints nothing for these */
        PQclear(pg);
        return;
    }
    r = pd_result_from_pg(pg);
    if (q->head == NULL)
        q->head = r;
    else
        pd_result_append(q->head, r);
}

static void on_done(pd_conn *c, const pd_error *err, void *ctx)
{
    query *q = ctx;

    (void)c;
    if (err != NULL && !pd_error_isset(&q->err))
        pd_error_copy(&q->err, err);
    finish(q);
}

/* Sends q on q->conn; on failure fills err and returns non-zero. */
static int send_query(query *q, pd_error *err)
{
    pd_conn_cmd cmd;

    cmd.sql = q->sql;
    cmd.nparams = q->nparams;
    cmd.params = (const char *const *)q->params;
    cmd.simple = (q->flags & PD_QUERY_SIMPLE) != 0;
    return pd_conn_send(q->conn, &cmd, on_result, on_done, q, err);
}

static void on_acquired(pd_conn *conn, const pd_error *err, void *ctx)
{
    query *q = ctx;

    if (err != NULL) {
        pd_error_copy(&q->err, err);
        finish(q);
        return;
    }
    q->conn = conn;
    if (send_query(q, &q->err) != 0)
        finish(q); /* from the pool's dispatch: a later turn than fetch */
}

static bool bad_args(const char *sql, int nparams, const char *const *params,
                     const pd_query_opts *opts, pd_fetch_cb cb)
{
    if (sql == NULL || cb == NULL || nparams < 0 ||
        (nparams > 0 && params == NULL))
        return true;
    return opts != NULL && (opts->flags & PD_QUERY_SIMPLE) && nparams > 0;
}

/* Runs sql on a pool connection; see query.h. */
int pd_query_fetch(pd_pool *pool, const char *sql, int nparams,
                   const char *const *params, const pd_query_opts *opts,
                   pd_fetch_cb cb, void *ctx)
{
    query *q;
    int rc;

    if (pool == NULL || bad_args(sql, nparams, params, opts, cb))
        return PD_EINVAL;
    q = query_new(sql, nparams, params, opts, cb, ctx);
    q->pool = pool;
    rc = pd_pool_acquire(pool, opts != NULL ? opts->acquire_timeout_ms : 0,
                         on_acquired, q);
    if (rc != 0)
        query_free(q);
    return rc;
}

/* Runs sql on a held connection; see query.h. */
int pd_query_run(pd_conn *conn, const char *sql, int nparams,
                 const char *const *params, const pd_query_opts *opts,
                 pd_fetch_cb cb, void *ctx)
{
    pd_error err = PD_ERROR_INIT;
    query *q;

    if (conn == NULL || bad_args(sql, nparams, params, opts, cb))
        return PD_EINVAL;
    q = query_new(sql, nparams, params, opts, cb, ctx);
    q->conn = conn;
    if (send_query(q, &err) != 0) {
        pd_error_clear(&err);
        query_free(q);
        return PD_ESTATE;
    }
    return 0;
}
