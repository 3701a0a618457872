/* query_helpers.c: the asyncpg-style helpers over pd_query_fetch
 * (fetchrow, fetchval, execute) and the read-only judge of SQL text, apart
 * from the statement machinery in query.c. */
#include "core/query.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sqllex.h"
#include "core/xalloc.h"

typedef struct adapter {
    void *cb;   /* the caller's pd_fetchrow_cb / pd_fetchval_cb / ... */
    void *ctx;
} adapter;

static adapter *adapter_new(void *cb, void *ctx)
{
    adapter *a = pd_xmalloc(sizeof(*a));

    a->cb = cb;
    a->ctx = ctx;
    return a;
}

static bool has_row(const pd_result *res)
{
    return res != NULL && pd_result_has_rows(res) && pd_result_nrows(res) > 0;
}

static void on_fetchrow(pd_result *res, const pd_error *err, void *ctx)
{
    adapter a = *(adapter *)ctx;

    free(ctx);
    ((pd_fetchrow_cb)a.cb)(res, has_row(res), err, a.ctx);
    pd_result_free(res);
}

static void on_fetchval(pd_result *res, const pd_error *err, void *ctx)
{
    adapter a = *(adapter *)ctx;
    bool found = has_row(res) && pd_result_ncols(res) > 0;

    free(ctx);
    ((pd_fetchval_cb)a.cb)(found ? pd_result_value(res, 0, 0) : NULL, found,
                           err, a.ctx);
    pd_result_free(res);
}

static void on_execute(pd_result *res, const pd_error *err, void *ctx)
{
    adapter a = *(adapter *)ctx;

    free(ctx);
    ((pd_execute_cb)a.cb)(res != NULL ? pd_result_tag(res) : "",
                          res != NULL ? pd_result_rows_affected(res) : -1,
                          err, a.ctx);
    pd_result_free(res);
}

/* Runs fetch with an adapter in front of the caller's callback. */
static int fetch_adapted(pd_pool *pool, const char *sql, int nparams,
                         const char *const *params, const pd_query_opts *opts,
                         pd_fetch_cb via, void *cb, void *ctx)
{
    adapter *a;
    int rc;

    if (cb == NULL)
        return PD_EINVAL;
    a = adapter_new(cb, ctx);
    rc = pd_query_fetch(pool, sql, nparams, params, opts, via, a);
    if (rc != 0)
        free(a);
    return rc;
}

int pd_query_fetchrow(pd_pool *pool, const char *sql, int nparams,
                      const char *const *params, const pd_query_opts *opts,
                      pd_fetchrow_cb cb, void *ctx)
{
    return fetch_adapted(pool, sql, nparams, params, opts, on_fetchrow,
                         (void *)cb, ctx);
}

int pd_query_fetchval(pd_pool *pool, const char *sql, int nparams,
                      const char *const *params, const pd_query_opts *opts,
                      pd_fetchval_cb cb, void *ctx)
{
    return fetch_adapted(pool, sql, nparams, params, opts, on_fetchval,
                         (void *)cb, ctx);
}

int pd_query_execute(pd_pool *pool, const char *sql, int nparams,
                     const char *const *params, const pd_query_opts *opts,
                     pd_execute_cb cb, void *ctx)
{
    return fetch_adapted(pool, sql, nparams, params, opts, on_execute,
                         (void *)cb, ctx);
}

static bool word_is(const char *text, const pd_sqltok *t, const char *w)
{
    return t->len == strlen(w) && strncasecmp(text + t->start, w, t->len) == 0;
}

/* Read-only test on the statement's words; see query.h. Words that write,
 * lock or call out anywhere in the text make it "not read-only", which errs
 * on the safe side for the retry decision. */
bool pd_query_is_read_only(const char *sql)
{
    static const char *const first_ok[] = {"select", "show", "values",
                                           "table", "explain", "with"};
    static const char *const writers[] = {
        "insert", "update", "delete", "merge", "into", "for", "analyze",
        "nextval", "setval", "call", "copy", "lock", "create", "drop",
        "alter", "truncate", "grant", "revoke", "do", "vacuum", "refresh",
        "notify", "listen", "set_config", "pg_advisory_lock",
        "pg_terminate_backend", "pg_cancel_backend"};
    size_t pos = 0, len = strlen(sql), i;
    bool first = true, ended = false;
    pd_sqltok t;

    while (pos < len && pd_sqllex_next(sql, len, pos, &t)) {
        pos = t.start + t.len;
        if (t.kind == PD_SQLTOK_SPACE || t.kind == PD_SQLTOK_LINE_COMMENT ||
            t.kind == PD_SQLTOK_BLOCK_COMMENT)
            continue;
        if (ended || t.kind == PD_SQLTOK_BACKSLASH)
            return false; /* more than one statement: not judged */
        if (t.kind == PD_SQLTOK_SEMI) {
            ended = true;
            continue;
        }
        if (t.kind != PD_SQLTOK_IDENT)
            continue;
        if (first) {
            bool ok = false;
            for (i = 0; i < sizeof(first_ok) / sizeof(first_ok[0]); i++)
                ok = ok || word_is(sql, &t, first_ok[i]);
            if (!ok)
                return false;
            first = false;
            continue;
        }
        for (i = 0; i < sizeof(writers) / sizeof(writers[0]); i++)
            if (word_is(sql, &t, writers[i]))
                return false;
    }
    return !first;
}
