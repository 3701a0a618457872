/* gather.h: N statements in flight at once, one completion.
 *
 * Each statement runs on its own pool connection (so the pool bounds the
 * concurrency); a failure does not stop the others. The callback sees every
 * outcome, in the order the statements were given. */
#ifndef PD_GATHER_H
#define PD_GATHER_H

#include <stdint.h>

#include "core/error.h"
#include "core/pool.h"
#include "core/query.h"
#include "core/result.h"

typedef struct pd_gather_item {
    pd_result *res;  /* the result, or NULL; the callback may take it by
                        setting this to NULL, else it is freed after */
    pd_error err;    /* kind PD_ERR_NONE on success */
    uint64_t ns;     /* wall time of this statement, nanoseconds */
} pd_gather_item;

/* items: borrowed, n entries, valid until the callback returns. */
typedef void (*pd_gather_cb)(pd_gather_item *items, int n, void *ctx);

enum {
    /* The first failure cancels the others on the server (each then
     * reports PD_ERR_CANCELED, "canceled because statement K failed");
     * without it a failure stops nothing. Statements then run on held
     * connections, without the pool path's retries. */
    PD_GATHER_CANCEL_ON_ERROR = 1u << 0
};

/* Runs n statements (sqls borrowed for the call) concurrently. opts may be
 * NULL. Returns 0 and calls cb exactly once, never synchronously; or
 * returns PD_EINVAL (n < 1) and never calls it. */
PD_MUSTCHECK int pd_gather_run(pd_pool *pool, int n, const char *const *sqls,
                               const pd_query_opts *opts, pd_gather_cb cb,
                               void *ctx);
/* As pd_gather_run, with PD_GATHER_* flags. */
PD_MUSTCHECK int pd_gather_run_flags(pd_pool *pool, int n,
                                     const char *const *sqls,
                                     const pd_query_opts *opts,
                                     unsigned flags, pd_gather_cb cb,
                                     void *ctx);

#endif
