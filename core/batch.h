/* batch.h: executemany: one statement, many parameter rows.
 *
 * The statement is prepared once (or found in the connection's cache), and
 * every row is sent as an execution of it in libpq's pipeline mode, inside
 * BEGIN ... COMMIT (or SAVEPOINT ... RELEASE on a connection already in a
 * transaction), followed by a single sync point: the whole batch costs one
 * round trip, and it is atomic: all rows or none. An error names the row
 * that caused it ("row 17: ..."), rows counting from 1.
 *
 * A plain "INSERT INTO t [(cols)] VALUES (...)" (no ON CONFLICT, no
 * RETURNING) runs as multi-row INSERTs of up to 128 rows each: the same
 * rows and count, a fraction of the server's work; statement-level
 * triggers then fire once per chunk rather than once per row
 * (PD_BATCH_PLAIN keeps one statement per row). */
#ifndef PD_BATCH_H
#define PD_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/conn.h"
#include "core/error.h"
#include "core/pool.h"

enum {
    PD_BATCH_PLAIN = 1u << 0 /* one statement per row, even for a plain
                                INSERT ... VALUES (see below) */
};

typedef struct pd_batch_opts {
    uint32_t flags;              /* PD_BATCH_* */
    uint32_t acquire_timeout_ms; /* 0: the pool's default */
    uint32_t timeout_ms;         /* the whole batch; 0: the connection's
                                    default (DB_COMMAND_TIMEOUT);
                                    PD_BATCH_NO_TIMEOUT: none */
    const char *source;          /* for the slow log and the metrics;
                                    borrowed for the call; NULL: "batch" */
} pd_batch_opts;

#define PD_BATCH_NO_TIMEOUT UINT32_MAX

/* How a batch went; a plain value, valid during the callback. */
typedef struct pd_batch_result {
    size_t rows;          /* parameter rows executed (0 after a failure:
                             nothing was kept) */
    int64_t affected;     /* rows affected, summed over the command tags;
                             -1 when no tag carries a count */
    size_t failed_row;    /* 1-based row that failed, 0 when none did (or
                             the failure was not a row's) */
    unsigned round_trips; /* sync points waited for: 1 for a batch, one
                             more for a rollback after a failure */
    uint64_t duration_us; /* from the first send to the outcome */
} pd_batch_result;

/* res: borrowed, valid during the call; err: borrowed, NULL on success. */
typedef void (*pd_batch_cb)(const pd_batch_result *res, const pd_error *err,
                            void *ctx);

/* Runs sql once per row with a pool connection. values holds nrows rows of
 * ncols text values each, row after row (a NULL entry is SQL NULL); it is
 * copied, so it is borrowed for the call only. opts may be NULL. Returns 0
 * and calls cb exactly once, never synchronously; or returns PD_EINVAL /
 * PD_ESTATE (pool closing) and never calls it. */
PD_MUSTCHECK int pd_batch_run(pd_pool *pool, const char *sql, size_t nrows,
                              int ncols, const char *const *values,
                              const pd_batch_opts *opts, pd_batch_cb cb,
                              void *ctx);

/* As pd_batch_run, on a connection the caller holds (borrowed: idle, and
 * alive until cb). Inside a transaction the batch is a savepoint of it, so
 * a failure leaves the transaction as it was before the batch. Returns
 * PD_EINVAL, or PD_ESTATE when the connection cannot take it. */
PD_MUSTCHECK int pd_batch_run_on(pd_conn *conn, const char *sql,
                                 size_t nrows, int ncols,
                                 const char *const *values,
                                 const pd_batch_opts *opts, pd_batch_cb cb,
                                 void *ctx);

#endif
