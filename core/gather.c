/* gather.c: N statements at once, one completion. */
#include "core/gather.h"

#include <stdlib.h>

#include <uv.h>

#include "core/xalloc.h"

typedef struct gather gather;

typedef struct part {
    gather *g;       /* back pointer */
    int index;       /* position in the items */
    uint64_t start;  /* uv_hrtime() at submission */
} part;

struct gather {
    int n;
    int remaining;        /* statements still in flight */
    pd_gather_item *items;
    part *parts;
    pd_gather_cb cb;
    void *ctx;
};

static void finish(gather *g)
{
    int i;

    g->cb(g->items, g->n, g->ctx);
    for (i = 0; i < g->n; i++) {
        pd_result_free(g->items[i].res);
        pd_error_clear(&g->items[i].err);
    }
    free(g->items);
    free(g->parts);
    free(g);
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
    if (--g->remaining == 0)
        finish(g);
}

/* Submits every statement before any can complete (completions come from
 * loop callbacks), so the callback runs once, after the last one. */
int pd_gather_run(pd_pool *pool, int n, const char *const *sqls,
                  const pd_query_opts *opts, pd_gather_cb cb, void *ctx)
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
    for (i = 0; i < n; i++) {
        part *p = &g->parts[i];
        p->g = g;
        p->index = i;
        p->start = uv_hrtime();
        rc = pd_query_fetch(pool, sqls[i], 0, NULL, opts, on_one, p);
        if (rc == 0)
            continue;
        if (i == 0) { /* nothing in flight: refuse the whole call */
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
