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

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "core/conn.h"
#include "core/conninfo.h"
#include "core/error.h"
#include "core/histogram.h"
#include "core/retry.h"
#include "core/breaker.h"

typedef struct pd_pool pd_pool;

typedef struct pd_pool_opts {
    int min;                     /* connections kept open */
    int max;                     /* connections at most (>= 1, >= min) */
    uint32_t acquire_timeout_ms; /* default waiter deadline; 0 = none */
    uint32_t connect_timeout_ms; /* per connection attempt; 0 = none */
    uint32_t command_timeout_ms; /* default per statement; 0 = none */
    bool prepare;                /* cache prepared statements per
                                    connection (off behind PgBouncer in
                                    transaction mode) */
    uint32_t max_lifetime_ms;    /* recycle older idle connections; 0 =
                                    never */
    uint32_t idle_timeout_ms;    /* close connections idle longer, down to
                                    min; 0 = never */
    uint32_t preping_ms;         /* check a connection idle longer than
                                    this before handing it out; 0 = off */
    uint32_t reconnect_base_ms;  /* backoff between failed attempts to keep
                                    min open: full jitter, doubling... */
    uint32_t reconnect_cap_ms;   /* ... up to this */
    const pd_query_observer *observer; /* told of every query on the
                                          pool's connections; borrowed,
                                          must outlive the pool; NULL */
    pd_breaker *breaker;         /* guards connection attempts: while it is
                                    open, a request no connection can serve
                                    fails fast (PD_ERR_CIRCUIT_OPEN);
                                    borrowed, NULL: none */
    pd_retry_policy retry;       /* for queries run through the pool;
                                    attempts 0 or 1: no retries */
    pd_retry_stats *retry_stats; /* where retry decisions are counted;
                                    borrowed, NULL: nowhere */
} pd_pool_opts;

/* A snapshot, copied out: safe to keep. */
typedef struct pd_pool_stats {
    int min, max;         /* configured bounds */
    int size;             /* open + opening connections */
    int idle;             /* open and free */
    int in_use;           /* handed out */
    int connecting;       /* being opened */
    int waiting;          /* acquire requests queued */
    uint64_t acquires;    /* connections delivered to acquirers so far
                             (a grant withdrawn by pd_pool_cancel before
                             delivery is not counted, nor is its wait) */
    uint64_t timeouts;    /* waiters that hit their deadline */
    uint64_t opened;      /* connections that reached idle */
    uint64_t closed;      /* connections closed for any reason */
    uint64_t recycled;    /* ... of which past their max lifetime */
    uint64_t idle_closed; /* ... of which idle past the idle timeout */
    uint64_t resets;      /* sessions reset on release (ROLLBACK,
                             DISCARD ALL) */
    uint64_t pings;       /* pre-pings sent */
    uint64_t errors;      /* failed connection attempts */
    pd_histogram wait;    /* acquire wait (acquire to grant) of the
                             delivered acquires, microseconds */
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
/* Withdraws the acquire request made with cb and ctx (the oldest, when
 * several match) as long as its cb has not run: queued, being pre-pinged,
 * or granted with the grant not yet delivered. It then never gets a
 * connection (a granted one goes back to the pool at once), and cb still
 * runs exactly once, on a later loop turn, with PD_ERR_CANCELED. Returns
 * true when it withdrew one; false when none is pending (its cb already
 * ran, or its failure is already on the way: cb runs as it would). Never
 * calls back synchronously. */
bool pd_pool_cancel(pd_pool *pool, pd_acquire_cb cb, void *ctx);
/* Gives conn back (takes it). A connection left inside a transaction is
 * rolled back, one whose session was changed (pd_conn_set_dirty) gets
 * DISCARD ALL, both before anyone else gets it; one that is broken, busy,
 * past its lifetime or fails its reset is closed instead. */
void pd_pool_release(pd_pool *pool, pd_conn *conn);

pd_pool_stats pd_pool_stats_get(const pd_pool *pool);
/* The last failed connection attempt's error, or NULL when no attempt has
 * failed since the last success. Borrowed, valid until the pool's next
 * connect attempt ends. */
const pd_error *pd_pool_last_error(const pd_pool *pool);
/* While connection attempts fail: the uv_now() before which the pool makes
 * no new attempt to keep min open (its backoff; the breaker may hold it
 * longer). 0 once an attempt has succeeded. For "reconnecting in 3s". */
uint64_t pd_pool_next_connect_ms(const pd_pool *pool);

/* The retry policy and statistics of queries through the pool (borrowed;
 * stats may be NULL), and a backoff delay drawn with full jitter for the
 * given 0-based attempt. */
const pd_retry_policy *pd_pool_retry_policy(const pd_pool *pool);
pd_retry_stats *pd_pool_retry_stats(pd_pool *pool);
uint32_t pd_pool_backoff_ms(pd_pool *pool, unsigned attempt);

/* The loop the pool runs on. Borrowed. */
uv_loop_t *pd_pool_loop(const pd_pool *pool);

/* The connection parameters the pool uses. Borrowed. */
const pd_conninfo *pd_pool_conninfo(const pd_pool *pool);

/* Fails every waiter with PD_ERR_CANCELED (on a later turn), closes the
 * idle connections, and closes the others as they are released; the pool
 * itself is freed once the last connection is back. Accepts NULL. */
void pd_pool_free(pd_pool *pool);

#endif
