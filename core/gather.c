/* gather.c: N statements at once, one completion. */
#include "core/gather.h"

#include <stdlib.h>

#include <uv.h>

#include "core/cancel.h"
#include "core/xalloc.h"

typedef struct gather gather;

typedef struct part {
    gather *g;       /* back pointer */
    int index;       /* position in the items */
    uint64_t start;  /* uv_hrtime() at submission */
    pd_conn *conn;   /* cancel mode: the held connection while running */
    char *sql;       /* cancel mode: owned copy until it runs */
} part;

struct gather {
    int n;
    int remaining;        /* statements still in flight */
    pd_gather_item *items;
    part *parts;
    pd_gather_cb cb;
    void *ctx;
    /* cancel mode (PD_GATHER_CANCEL_ON_ERROR) */
    pd_pool *pool;        /* borrowed */
    pd_query_opts opts;   /* copied */
    bool cancel_mode;
    int failed;           /* 1-based index of the first failure, or 0 */
    uv_timer_t *recancel; /* owned: repeats the cancels until all end */
};

static void free_handle(uv_handle_t *h)
{
    free(h);
}

static void finish(gather *g)
{
    int i;

    if (g->recancel != NULL) {
        uv_close((uv_handle_t *)g->recancel, free_handle);
        g->recancel = NULL;
    }

    g->cb(g->items, g->n, g->ctx);
    for (i = 0; i < g->n; i++) {
        pd_result_free(g->items[i].res);
        pd_error_clear(&g->items[i].err);
        free(g->parts[i].sql);
    }
    free(g->items);
    free(g->parts);
    free(g);
}

static void send_cancels(gather *g);

static void on_recancel(uv_timer_t *t)
{
    send_cancels(t->data);
}

/* A cancel request that reaches a backend before its statement starts
 * does nothing, so the requests are repeated until every statement that
 * was running has ended. */
static void cancel_others(gather *g, int failed)
{
    g->failed = failed + 1;
    send_cancels(g);
    g->recancel = pd_xmalloc(sizeof(*g->recancel));
    uv_timer_init(pd_pool_loop(g->pool), g->recancel);
    g->recancel->data = g;
    uv_timer_start(g->recancel, on_recancel, 250, 250);
}

static void send_cancels(gather *g)
{
    int i, failed = g->failed - 1;

    for (i = 0; i < g->n; i++) {
        if (i == failed || g->parts[i].conn == NULL)
            continue;
        if (pd_cancel_request(pd_pool_loop(g->pool), g->parts[i].conn, NULL,
                              NULL) != 0)
            continue; /* not connected any more: it is ending anyway */
    }
}

static void on_one(pd_result *res, const pd_error *err, void *ctx)
{
    part *p = ctx;
    gather *g = p->g;
    pd_gather_item *it = &g->items[p->index];

    it->res = res;
    if (err != NULL)
        pd_error_copy(&it->err, err);
    it->ns = uv_hrtime() - p->start;
    if (p->conn != NULL) {
        pd_pool_release(g->pool, p->conn);
        p->conn = NULL;
    }
    if (g->cancel_mode && err != NULL) {
        if (g->failed == 0) {
            cancel_others(g, p->index);
        } else if (g->failed != p->index + 1) {
            /* Stopped because another statement failed: say so. */
            pd_error_set(&it->err, PD_ERR_CANCELED,
                         "canceled because statement %d failed", g->failed);
        }
    }
    if (--g->remaining == 0)
        finish(g);
}

/* Cancel mode: the statement runs on a connection held here, so that a
 * failure elsewhere can cancel it on the server. */
static void on_part_conn(pd_conn *conn, const pd_error *err, void *ctx)
{
    part *p = ctx;
    gather *g = p->g;

    if (err != NULL) {
        on_one(NULL, err, p);
        return;
    }
    if (g->failed != 0) { /* too late to start */
        pd_error e = PD_ERROR_INIT;
        pd_pool_release(g->pool, conn);
        pd_error_set(&e, PD_ERR_CANCELED, "not started");
        on_one(NULL, &e, p); /* may free g: nothing after it */
        pd_error_clear(&e);
        return;
    }
    p->conn = conn;
    if (pd_query_run(conn, p->sql, 0, NULL, &g->opts, on_one, p) != 0) {
        pd_error e = PD_ERROR_INIT;
        pd_error_set(&e, PD_ERR_CONNECTION, "the connection is not usable");
        on_one(NULL, &e, p);
        pd_error_clear(&e);
    }
}

static int submit(gather *g, part *p, const char *sql, pd_pool *pool,
                  const pd_query_opts *opts)
{
    if (!g->cancel_mode)
        return pd_query_fetch(pool, sql, 0, NULL, opts, on_one, p);
    p->sql = pd_xstrdup(sql);
    return pd_pool_acquire(pool, opts != NULL ? opts->acquire_timeout_ms : 0,
                           on_part_conn, p);
}

/* Submits every statement before any can complete (completions come from
 * loop callbacks), so the callback runs once, after the last one. */
int pd_gather_run_flags(pd_pool *pool, int n, const char *const *sqls,
                        const pd_query_opts *opts, unsigned flags,
                        pd_gather_cb cb, void *ctx)
{
    gather *g;
    int i, rc;

    if (n < 1 || sqls == NULL || cb == NULL)
        return PD_EINVAL;
    for (i = 0; i < n; i++)
        if (sqls[i] == NULL)
            return PD_EINVAL;
    g = pd_xcalloc(1, sizeof(*g));
    g->n = g->remaining = n;
    g->items = pd_xcalloc((size_t)n, sizeof(*g->items));
    g->parts = pd_xcalloc((size_t)n, sizeof(*g->parts));
    g->cb = cb;
    g->ctx = ctx;
    g->pool = pool;
    g->cancel_mode = (flags & PD_GATHER_CANCEL_ON_ERROR) != 0;
    if (opts != NULL)
        g->opts = *opts;
    for (i = 0; i < n; i++) {
        part *p = &g->parts[i];
        p->g = g;
        p->index = i;
        p->start = uv_hrtime();
        rc = submit(g, p, sqls[i], pool, opts);
        if (rc == 0)
            continue;
        if (i == 0) { /* nothing in flight: refuse the whole call */
            free(g->parts[0].sql);
            free(g->items);
            free(g->parts);
            free(g);
            return rc;
        }
        pd_error_set(&g->items[i].err, PD_ERR_USAGE,
                     "could not submit statement %d", i + 1);
        g->remaining--; /* statement 0 is in flight, so never reaches 0 */
    }
    return 0;
}

int pd_gather_run(pd_pool *pool, int n, const char *const *sqls,
                  const pd_query_opts *opts, pd_gather_cb cb, void *ctx)
{
    return pd_gather_run_flags(pool, n, sqls, opts, 0, cb, ctx);
}
