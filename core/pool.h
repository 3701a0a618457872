/* pool.h: the connection pool.
 *
 * min/max connections, an idle list and a FIFO of waiters, each with a
 * deadline. Acquire hands out an idle connection, opens a new one while the
 * pool is below max, or queues; a waiter whose deadline passes gets a
 * pool-timeout error. Release returns a connection whose session can be
 * trusted to the idle list and closes any other. Everything runs on the
 * loop; grants are delivered on a later loop turn, never synchronously. */
#ifndef PD_POOL_H
#define PD_POOL_H

#include <stdint.h>

#include <uv.h>

#include "core/conn.h"
#include "core/conninfo.h"
#include "core/error.h"
#include "core/histogram.h"

typedef struct pd_pool pd_pool;

typedef struct pd_pool_opts {
    int min;                     /* connections kept open */
    int max;                     /* connections at most (>= 1, >= min) */
    uint32_t acquire_timeout_ms; /* default waiter deadline; 0 = none */
    uint32_t connect_timeout_ms; /* per connection attempt; 0 = none */
} pd_pool_opts;

/* A snapshot, copied out: safe to keep. */
typedef struct pd_pool_stats {
    int min, max;         /* configured bounds */
    int size;             /* open + opening connections */
    int idle;             /* open and free */
    int in_use;           /* handed out */
    int connecting;       /* being opened */
    int waiting;          /* acquire requests queued */
    uint64_t acquires;    /* grants so far */
    uint64_t timeouts;    /* waiters that hit their deadline */
    uint64_t opened;      /* connections that reached idle */
    uint64_t closed;      /* connections closed for any reason */
    uint64_t errors;      /* failed connection attempts */
    pd_histogram wait;    /* acquire wait, microseconds */
} pd_pool_stats;

/* conn: on success, owned by the caller until pd_pool_release; NULL with
 * err (borrowed, valid during the call) on failure. */
typedef void (*pd_acquire_cb)(pd_conn *conn, const pd_error *err, void *ctx);

/* Returns-owned pool. ci is copied. Opens nothing until pd_pool_start. */
pd_pool *pd_pool_new(uv_loop_t *loop, const pd_conninfo *ci,
                     const pd_pool_opts *opts);
/* Opens min connections in the background. */
void pd_pool_start(pd_pool *pool);

/* Asks for a connection. timeout_ms 0 uses the pool's default. Returns 0
 * and calls cb exactly once, on a later loop turn; returns PD_ESTATE (pool
 * closing) and never calls it. */
PD_MUSTCHECK int pd_pool_acquire(pd_pool *pool, uint32_t timeout_ms,
                                 pd_acquire_cb cb, void *ctx);
/* Gives conn back (takes it). A connection that is broken, busy or inside a
 * transaction is closed instead of reused. */
void pd_pool_release(pd_pool *pool, pd_conn *conn);

pd_pool_stats pd_pool_stats_get(const pd_pool *pool);
/* The last failed connection attempt's error, or NULL when no attempt has
 * failed since the last success. Borrowed, valid until the pool's next
 * connect attempt ends. */
const pd_error *pd_pool_last_error(const pd_pool *pool);

/* The connection parameters the pool uses. Borrowed. */
const pd_conninfo *pd_pool_conninfo(const pd_pool *pool);

/* Fails every waiter with PD_ERR_CANCELED (on a later turn), closes the
 * idle connections, and closes the others as they are released; the pool
 * itself is freed once the last connection is back. Accepts NULL. */
void pd_pool_free(pd_pool *pool);

#endif
