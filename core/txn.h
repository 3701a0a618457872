/* txn.h: transactions on one held connection.
 *
 * A pd_txn holds one pool connection from BEGIN to COMMIT or ROLLBACK.
 * Statements run one at a time on that connection. The first statement
 * that fails marks the transaction failed: later statements fail fast
 * without reaching the server, and COMMIT becomes ROLLBACK and reports the
 * first error. Whatever happens, the connection goes back to the pool
 * rolled back unless it committed; the ROLLBACK is sent here, explicitly,
 * so its own errors are known.
 *
 * pd_txn_run runs a transaction given as a callback (the body) and runs it
 * again, whole, when the server rolled it back on a serialization failure
 * (40001) or a deadlock (40P01), or when the connection was lost before
 * COMMIT was sent (or at any point for a read-only transaction), with
 * full-jitter backoff between tries (DESIGN.md, "Retry rules"). A COMMIT
 * whose connection died is PD_ERR_OUTCOME_UNKNOWN and is never retried.
 *
 * Everything runs on the loop; no callback is ever made from inside the
 * call that registered it. */
#ifndef PD_TXN_H
#define PD_TXN_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "core/error.h"
#include "core/pool.h"
#include "core/query.h"
#include "core/retry.h"

typedef struct pd_txn pd_txn;

typedef enum pd_txn_isolation {
    PD_TXN_ISOLATION_DEFAULT = 0, /* the session's default_transaction_
                                     isolation (READ COMMITTED unless set) */
    PD_TXN_READ_COMMITTED,
    PD_TXN_REPEATABLE_READ,
    PD_TXN_SERIALIZABLE
} pd_txn_isolation;

typedef struct pd_txn_opts {
    pd_txn_isolation isolation;
    bool read_only;              /* BEGIN ... READ ONLY; also lets a run
                                    retry after losing its connection even
                                    during COMMIT */
    bool deferrable;             /* BEGIN ... DEFERRABLE (takes effect with
                                    SERIALIZABLE READ ONLY, as in
                                    PostgreSQL) */
    pd_retry_policy retry;       /* pd_txn_run only; attempts 0: the
                                    default PD_RETRY_POLICY_DEFAULT */
    uint32_t acquire_timeout_ms; /* 0: the pool's default */
    uint32_t timeout_ms;         /* per statement, BEGIN and COMMIT
                                    included; 0: the connection's default;
                                    PD_QUERY_NO_TIMEOUT: none */
    const char *source;          /* for the slow log and metrics; borrowed
                                    for the call (copied); NULL: "txn" */
} pd_txn_opts;

/* txn: on success, the caller's until it calls pd_txn_commit or
 * pd_txn_rollback; NULL on failure, with err (borrowed, valid during the
 * call) saying why (the pool's error, or BEGIN's). */
typedef void (*pd_txn_begin_cb)(pd_txn *txn, const pd_error *err,
                                void *ctx);
/* The transaction is over and its connection is back in the pool. err:
 * borrowed, valid during the call; NULL when it committed (after
 * pd_txn_commit) or was rolled back with nothing failing (after
 * pd_txn_rollback); otherwise the first error of the transaction, which
 * then did not commit, except that PD_ERR_OUTCOME_UNKNOWN means COMMIT was
 * sent and the connection died before the answer. */
typedef void (*pd_txn_end_cb)(const pd_error *err, void *ctx);
/* One try of a pd_txn_run transaction: txn is open (BEGIN done) and is the
 * body's until it calls pd_txn_commit or pd_txn_rollback, which it must do
 * exactly once, now or from a later callback. A retry calls the body again
 * with a new txn and the same ctx: it must not rely on state from an
 * earlier try (pd_txn_attempt tells which try this is). */
typedef void (*pd_txn_body)(pd_txn *txn, void *ctx);
/* A pd_txn_run is over. err: borrowed, valid during the call; NULL when
 * the last try committed, or the body rolled it back with nothing failing;
 * otherwise as pd_txn_end_cb, from the last try. attempts: tries made, 1
 * or more (a try that got no connection counts). */
typedef void (*pd_txn_run_cb)(const pd_error *err, unsigned attempts,
                              void *ctx);

/* Fills o with the defaults: isolation DEFAULT, read-write, not
 * deferrable, PD_RETRY_POLICY_DEFAULT, pool and connection timeouts. */
void pd_txn_opts_init(pd_txn_opts *o);

/* Takes a connection from pool (borrowed, must outlive the transaction)
 * and sends BEGIN with opts' isolation level and access modes. opts (may
 * be NULL for the defaults) is copied.
 * Returns 0 and calls cb exactly once, never synchronously; or returns
 * PD_EINVAL (bad argument or options) / PD_ESTATE (pool closing) and never
 * calls it. */
PD_MUSTCHECK int pd_txn_begin(pd_pool *pool, const pd_txn_opts *opts,
                              pd_txn_begin_cb cb, void *ctx);

/* Runs sql (nparams text parameters, params borrowed for the call) in the
 * transaction. One statement at a time: call the next one from the
 * previous one's callback. cb gets what pd_query_run gives (res owned by
 * the callback, err borrowed). A failing statement marks the transaction
 * failed; after that, statements are not sent and cb gets a copy of the
 * first error (same kind and SQLSTATE, message prefixed). A statement that
 * ends the transaction itself (COMMIT, ROLLBACK) marks it failed too: use
 * pd_txn_commit and pd_txn_rollback. Returns 0 and calls cb exactly once,
 * never synchronously; or returns PD_EINVAL, or PD_ESTATE (a statement
 * still running, or the transaction ending) and never calls it. */
PD_MUSTCHECK int pd_txn_query(pd_txn *txn, const char *sql, int nparams,
                              const char *const *params, pd_fetch_cb cb,
                              void *ctx);

/* Ends the transaction: COMMIT, or ROLLBACK when it has failed (cb then
 * gets the first error). Called while a statement runs, it waits for that
 * statement (whose callback comes first). Takes txn: it is freed after cb
 * returns. cb may be NULL. Returns 0 and calls cb exactly once, never
 * synchronously; or returns PD_EINVAL / PD_ESTATE (already ending) and
 * never calls it. */
PD_MUSTCHECK int pd_txn_commit(pd_txn *txn, pd_txn_end_cb cb, void *ctx);
/* As pd_txn_commit, with ROLLBACK whatever the state. */
PD_MUSTCHECK int pd_txn_rollback(pd_txn *txn, pd_txn_end_cb cb, void *ctx);

/* Cancels the transaction: marks it failed with PD_ERR_CANCELED and asks
 * the server to cancel the statement running, if any (its callback then
 * gets the server's error, usually 57014). Calls nothing back itself: the
 * holder still ends txn with pd_txn_commit or pd_txn_rollback, which roll
 * back; a canceled pd_txn_run is not retried. Once COMMIT or ROLLBACK has
 * been sent it is too late, and this does nothing. Accepts NULL. */
void pd_txn_abort(pd_txn *txn);

/* True once a statement failed or the transaction was aborted. */
bool pd_txn_failed(const pd_txn *txn);
/* The first error, borrowed (valid while txn is), or NULL. */
const pd_error *pd_txn_error(const pd_txn *txn);
/* Under pd_txn_run, the 0-based try this transaction is; otherwise 0. */
unsigned pd_txn_attempt(const pd_txn *txn);

/* Runs body in a transaction on pool (borrowed: it must outlive the run,
 * until done has returned, backoff waits included), retried as a whole per
 * the rules above, up to opts->retry.attempts tries (opts may be NULL for
 * the defaults; copied). Every failed try's decision,
 * every backoff and a final success are recorded in stats (borrowed, must
 * outlive the run: the core's pd_core_retry_stats, or NULL for none).
 * Backoff waits on a timer of the pool's loop, never sleeping. Returns 0
 * and calls done exactly once, never synchronously, after the last try;
 * or returns PD_EINVAL / PD_ESTATE and calls neither body nor done. */
PD_MUSTCHECK int pd_txn_run(pd_pool *pool, const pd_txn_opts *opts,
                            pd_txn_body body,
                            pd_txn_run_cb done, void *ctx,
                            pd_retry_stats *stats);

#endif
