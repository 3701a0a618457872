/* query.h: running statements.
 *
 * pd_query_fetch takes a connection from the pool, runs one statement (or,
 * with PD_QUERY_SIMPLE, a string of statements), returns the connection and
 * calls back with the result. pd_query_run does the same on a connection
 * the caller already holds (a shell session, a transaction). */
#ifndef PD_QUERY_H
#define PD_QUERY_H

#include <stdint.h>

#include "core/conn.h"
#include "core/error.h"
#include "core/pool.h"
#include "core/result.h"

enum {
    PD_QUERY_SIMPLE = 1u << 0 /* simple protocol: many statements, no $n */
};

typedef struct pd_query_opts {
    uint32_t flags;              /* PD_QUERY_* */
    uint32_t acquire_timeout_ms; /* 0: the pool's default */
} pd_query_opts;

/* res: owned by the callback (pd_result_free), may be NULL; with a simple
 * query that failed part-way, it holds the results before the error.
 * err: borrowed, NULL on success. */
typedef void (*pd_fetch_cb)(pd_result *res, const pd_error *err, void *ctx);

/* Runs sql with nparams text parameters ($1...; a NULL entry is SQL NULL;
 * params borrowed for the call). opts may be NULL. Returns 0 and calls cb
 * exactly once, never synchronously; or returns PD_EINVAL/PD_ESTATE and
 * never calls it. */
PD_MUSTCHECK int pd_query_fetch(pd_pool *pool, const char *sql, int nparams,
                                const char *const *params,
                                const pd_query_opts *opts, pd_fetch_cb cb,
                                void *ctx);

/* As pd_query_fetch, on a connection the caller holds (borrowed; it must be
 * idle and stay alive until cb). */
PD_MUSTCHECK int pd_query_run(pd_conn *conn, const char *sql, int nparams,
                              const char *const *params,
                              const pd_query_opts *opts, pd_fetch_cb cb,
                              void *ctx);

#endif
