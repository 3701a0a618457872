/* query.h: running statements.
 *
 * pd_query_fetch takes a connection from the pool, runs one statement (or,
 * with PD_QUERY_SIMPLE, a string of statements), gives the connection back
 * and calls back with the result. pd_query_run does the same on a
 * connection the caller holds (a shell session, a transaction).
 *
 * On the way: statements with the extended protocol are prepared once per
 * connection and cached by SQL text (unless the pool says not to, as behind
 * PgBouncer); each statement has a command timeout after which the server
 * is asked to cancel it (PD_ERR_TIMEOUT); a statement that may have written
 * and whose connection died after it was sent is reported as
 * PD_ERR_OUTCOME_UNKNOWN, never as a plain connection error.
 *
 * pd_query_stream delivers large results in chunks of rows, so memory stays
 * bounded whatever the row count. */
#ifndef PD_QUERY_H
#define PD_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/conn.h"
#include "core/error.h"
#include "core/pool.h"
#include "core/result.h"

enum {
    PD_QUERY_SIMPLE = 1u << 0,     /* simple protocol: many statements, no $n */
    PD_QUERY_NO_PREPARE = 1u << 1, /* do not prepare/cache this statement */
    PD_QUERY_READ_ONLY = 1u << 2   /* the caller vouches it writes nothing */
};

#define PD_QUERY_NO_TIMEOUT UINT32_MAX

typedef struct pd_query_opts {
    uint32_t flags;              /* PD_QUERY_* */
    uint32_t acquire_timeout_ms; /* 0: the pool's default */
    uint32_t timeout_ms;         /* command timeout; 0: the connection's
                                    default (DB_COMMAND_TIMEOUT);
                                    PD_QUERY_NO_TIMEOUT: none */
    const char *source;          /* who asks, for the slow log and the
                                    metrics: "shell", "panel:Pool",
                                    "bench", ...; borrowed for the call;
                                    NULL: "app" */
    const char *copy_in;         /* COPY ... FROM STDIN reads this data
                                    (borrowed until the callback); NULL:
                                    such a COPY fails */
    size_t copy_in_len;
    pd_copy_out_cb copy_out;     /* COPY ... TO STDOUT data goes here (and
                                    that COPY's tag is not in the results,
                                    as psql shows none); NULL: dropped */
    void *copy_ctx;
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

/* A pooled query started by pd_query_fetch_h, for pd_query_cancel. */
typedef struct pd_query pd_query;

/* What pd_query_cancel did. */
typedef enum pd_query_cancel_how {
    PD_QUERY_CANCEL_NONE = 0, /* nothing: NULL, or canceled already */
    PD_QUERY_CANCEL_UNSENT,   /* it had not reached the server, and now
                                 never will */
    PD_QUERY_CANCEL_SERVER,   /* it was on the server: asked to stop */
    PD_QUERY_CANCEL_FAILED    /* it was on the server, but no cancel
                                 request could be started (its connection
                                 is broken or going): nothing was sent, it
                                 ends however it ends, and is still never
                                 retried */
} pd_query_cancel_how;

/* As pd_query_fetch, and on success stores a handle to the query in
 * *handle for pd_query_cancel; on failure stores NULL. The handle is owned
 * by the core (never freed by the caller). handle itself is caller's
 * memory, borrowed until cb runs: the core sets *handle to NULL just
 * before it calls cb, so a non-NULL *handle always names a live query and
 * a cancel after completion cannot happen (keep the handle only there, not
 * in copies). */
PD_MUSTCHECK int pd_query_fetch_h(pd_pool *pool, const char *sql,
                                  int nparams, const char *const *params,
                                  const pd_query_opts *opts, pd_fetch_cb cb,
                                  void *ctx, pd_query **handle);

/* Cancels q (a handle from pd_query_fetch_h; NULL accepted). cb still runs
 * exactly once, never inside this call:
 * - if q has not reached the server yet (waiting in the pool's queue,
 *   being granted a connection, or backing off before a retry), it is
 *   withdrawn and never sent: cb gets res NULL and PD_ERR_CANCELED;
 * - if it is on the server, the server is asked to cancel it (core/
 *   cancel.c, off the loop thread): cb gets what the server ends it with,
 *   normally SQLSTATE 57014 as PD_ERR_CANCELED, or its result when it
 *   finished first. The request can reach the server before the
 *   statement does, and the server then ignores it; so while the
 *   statement runs on, the request is sent again about 250 ms after the
 *   previous one came back (one at a time), until its result arrives.
 *   Its connection goes back to the pool only once the last cancel
 *   request is over, so no request can hit the connection's next
 *   statement.
 * A canceled query is never retried. A second call does nothing. Returns
 * what it did. */
pd_query_cancel_how pd_query_cancel(pd_query *q);

/* As pd_query_fetch, on a connection the caller holds (borrowed; it must be
 * idle and stay alive until cb). Returns PD_ESTATE when it cannot send. */
PD_MUSTCHECK int pd_query_run(pd_conn *conn, const char *sql, int nparams,
                              const char *const *params,
                              const pd_query_opts *opts, pd_fetch_cb cb,
                              void *ctx);

/* The asyncpg-style helpers, same contract as pd_query_fetch (err
 * borrowed). fetchrow: row is borrowed, valid during the call, and its row 0
 * is the first row (found false when the statement returned none).
 * fetchval: the first column of the first row, borrowed; NULL for SQL NULL
 * or when there was no row (found tells which). execute: the command tag
 * (borrowed) and the rows affected (-1 when the tag has no count). */
typedef void (*pd_fetchrow_cb)(const pd_result *row, bool found,
                               const pd_error *err, void *ctx);
typedef void (*pd_fetchval_cb)(const char *val, bool found,
                               const pd_error *err, void *ctx);
typedef void (*pd_execute_cb)(const char *tag, int64_t rows,
                              const pd_error *err, void *ctx);
PD_MUSTCHECK int pd_query_fetchrow(pd_pool *pool, const char *sql,
                                   int nparams, const char *const *params,
                                   const pd_query_opts *opts,
                                   pd_fetchrow_cb cb, void *ctx);
PD_MUSTCHECK int pd_query_fetchval(pd_pool *pool, const char *sql,
                                   int nparams, const char *const *params,
                                   const pd_query_opts *opts,
                                   pd_fetchval_cb cb, void *ctx);
PD_MUSTCHECK int pd_query_execute(pd_pool *pool, const char *sql,
                                  int nparams, const char *const *params,
                                  const pd_query_opts *opts,
                                  pd_execute_cb cb, void *ctx);

/* Where a streamed chunk stands. */
typedef struct pd_chunk_info {
    bool set_end;  /* this chunk ends one statement's rows (its tag is in
                      the chunk: pd_result_tag) */
    bool last;     /* nothing follows: the stream is over */
} pd_chunk_info;

/* chunk: borrowed, valid during the call (NULL on the last call when
 * nothing is left); err: set only on the last call. */
typedef void (*pd_chunk_cb)(const pd_result *chunk, const pd_chunk_info *info,
                            const pd_error *err, void *ctx);

/* Streams sql's rows in chunks of at most chunk_rows rows (libpq single-
 * row mode), on a held connection (conn borrowed, idle). With
 * PD_QUERY_SIMPLE, statements follow one another, each ending with a
 * set_end chunk. Returns 0 and calls cb one or more times, never
 * synchronously, the last time with info->last; or returns PD_EINVAL /
 * PD_ESTATE and never calls it. */
PD_MUSTCHECK int pd_query_stream(pd_conn *conn, const char *sql, int nparams,
                                 const char *const *params,
                                 const pd_query_opts *opts, size_t chunk_rows,
                                 pd_chunk_cb cb, void *ctx);

/* True when sql certainly writes nothing (SELECT, SHOW, VALUES, TABLE,
 * EXPLAIN without ANALYZE, with no data-modifying or locking word).
 * Conservative: when unsure, false. */
bool pd_query_is_read_only(const char *sql);

#endif
