/* demo_workload.c: the background load of `pgdeck --demo`.
 *
 * Two uv timers on the core's loop. The tick timer sends one statement
 * every tick_ms (point reads of markets, price ticks through the prices
 * table, position updates, a user's positions) and, when their time has
 * come, the occasional extras: a query slower than the slow log's
 * threshold, a statement that fails (a duplicate user), a refresh of the
 * open_positions materialized view. The lock timer runs the lock-holder
 * episodes: a pd_txn locks one accounts row (FOR UPDATE), two updates of
 * that row are sent and wait on it, and lock_hold_ms later the holder
 * rolls back and lets them through. Every ~20 s the tick timer also
 * starts two transfers between the same two accounts in opposite orders
 * (pd_txn_run, a pause between the updates): the server kills one with a
 * deadlock and the runner retries it, which the Retries panel counts.
 * Statements go through pd_query_fetch and pd_txn with source "bench",
 * so they show in the metrics, the slow log and the server's views like
 * any client's.
 *
 * Every statement and transaction step counts in w->out until its
 * callback; the object is freed only once nothing is out and both timers
 * have closed (pd_demo_workload_free runs the loop for that). While the
 * steady statements are slow to come back, ticks are skipped rather than
 * piled up. */
#include "core/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "core/query.h"
#include "core/result.h"
#include "core/txn.h"
#include "core/xalloc.h"

#define SOURCE "bench"
#define STEADY_MAX 4          /* steady statements out at once, at most */
#define STMT_TIMEOUT_MS 10000 /* per statement (waiters included) */
#define SLOW_EVERY_MS 7000
#define ERROR_EVERY_MS 11000
#define REFRESH_EVERY_MS 10000
#define XFER_EVERY_MS 20000
#define DRAIN_LIMIT_MS 20000  /* pd_demo_workload_free gives up after */
#define N_MARKETS 100000      /* the demo's row counts (demo_sql.c) */
#define N_TICKED 2000         /* markets whose prices move */
#define N_POSITIONS 30000
#define N_USERS 5000
#define N_ACCOUNTS 10000      /* 3..N/2: the lock holder's rows;
                                 N/2+1..N: the transfers' (rows 1 and 2
                                 are the demo config's syncs') */

enum hold_phase {
    HOLD_IDLE,     /* waiting for the next episode */
    HOLD_BEGIN,    /* BEGIN sent */
    HOLD_LOCK,     /* SELECT ... FOR UPDATE sent */
    HOLD_HOLDING,  /* the row is locked; the timer ends it */
    HOLD_END       /* ROLLBACK sent */
};

/* One of the two transfers of a pair; reused by its retries. */
typedef struct xfer {
    struct pd_demo_workload *w; /* borrowed */
    pd_txn *txn;                /* the try in progress, or NULL */
    char from[24], to[24];      /* account ids, in this transfer's order */
    int step;                   /* statements done in this try */
} xfer;

struct pd_demo_workload {
    pd_core *core;            /* borrowed */
    uv_loop_t *loop;          /* borrowed: the core's */
    pd_pool *pool;            /* borrowed: the core's */
    pd_demo_workload_opts o;  /* with the defaults filled in */
    uv_timer_t tick;          /* the steady statements and the extras */
    uv_timer_t lock;          /* the lock-holder episodes */
    int open_timers;          /* timers not closed yet */
    unsigned out;             /* callbacks still to come */
    unsigned steady;          /* of which steady statements */
    bool stopping;            /* free was called: send nothing new */
    uint64_t rng;             /* xorshift64* state */
    uint32_t slow_sleep_ms;   /* the slow query's pause */
    uint64_t next_slow;       /* uv_now() of the next extra of each kind */
    uint64_t next_error;
    uint64_t next_refresh;
    uint64_t next_xfer;
    xfer xf[2];               /* the transfer pair; busy while xfers > 0 */
    int xfers;                /* transfers of the pair not done */
    enum hold_phase phase;
    pd_txn *txn;              /* the holder's transaction, or NULL */
    char held[24];            /* the id of the row it locks */
};

static const char *const steady_sql[] = {
    /* point read */
    "SELECT id, symbol, name, price, volume, meta FROM markets "
    "WHERE id = $1",
    /* a price tick: the trigger on prices moves the market */
    "INSERT INTO prices (symbol, ts, price, source) "
    "SELECT symbol, clock_timestamp(), "
    "round(price * (1 + ($2::float8 - 0.5) / 25)::numeric, 4), 'tick' "
    "FROM markets WHERE id = $1 ON CONFLICT DO NOTHING",
    /* a trade changes a position */
    "UPDATE positions SET qty = greatest(1, qty + $2::numeric), "
    "updated_at = now() WHERE id = $1",
    /* a trader's book */
    "SELECT p.id, m.symbol, p.side, p.qty, p.price, m.price AS last "
    "FROM positions AS p JOIN markets AS m ON m.id = p.market_id "
    "WHERE p.user_id = $1",
};

static const char *const slow_sql =
    "SELECT m.meta ->> 'sector' AS sector, count(*) AS markets, "
    "round(avg(m.price), 2) AS avg_price "
    "FROM markets AS m, pg_sleep($1::float8 / 1000) "
    "GROUP BY 1 ORDER BY 2 DESC";
/* A sign-up with a name that is taken: 23505, unique_violation. */
static const char *const error_sql =
    "INSERT INTO users (username, email, full_name, country) "
    "SELECT username, email, full_name, country FROM users WHERE id = $1";
static const char *const refresh_sql =
    "REFRESH MATERIALIZED VIEW CONCURRENTLY open_positions";
static const char *const lock_sql =
    "SELECT id, balance FROM accounts WHERE id = $1 FOR UPDATE";
static const char *const wait_sql =
    "UPDATE accounts SET balance = balance + 0.01, version = version + 1, "
    "updated_at = now() WHERE id = $1";
/* A transfer: out of one account, a pause, into the other. */
static const char *const xfer_sql[] = {
    "UPDATE accounts SET balance = balance - 1, version = version + 1, "
    "updated_at = now() WHERE id = $1",
    "SELECT pg_sleep(0.3)",
    "UPDATE accounts SET balance = balance + 1, version = version + 1, "
    "updated_at = now() WHERE id = $1",
};

static uint64_t next_rand(pd_demo_workload *w)
{
    w->rng ^= w->rng >> 12;
    w->rng ^= w->rng << 25;
    w->rng ^= w->rng >> 27;
    return w->rng * 2685821657736338717ULL;
}

/* A uniform integer in [lo, hi]. */
static long rand_in(pd_demo_workload *w, long lo, long hi)
{
    return lo + (long)(next_rand(w) % (uint64_t)(hi - lo + 1));
}

/* ---------- sending ---------- */

static void on_steady(pd_result *res, const pd_error *err, void *ctx)
{
    pd_demo_workload *w = ctx;

    (void)err; /* errors are the point of some; the core counts them */
    pd_result_free(res);
    w->steady--;
    w->out--;
}

static void on_other(pd_result *res, const pd_error *err, void *ctx)
{
    pd_demo_workload *w = ctx;

    (void)err;
    pd_result_free(res);
    w->out--;
}

/* Sends sql with up to two parameters; steady ones count as such. */
static void fire(pd_demo_workload *w, const char *sql, int nparams,
                 const char *p1, const char *p2, uint32_t flags,
                 bool steady)
{
    const char *params[2] = {p1, p2};
    pd_query_opts qo = {.flags = flags, .timeout_ms = STMT_TIMEOUT_MS,
                        .source = SOURCE};

    if (pd_query_fetch(w->pool, sql, nparams, params, &qo,
                       steady ? on_steady : on_other, w) != 0)
        return; /* the pool is closing: no callback */
    w->out++;
    if (steady)
        w->steady++;
}

static void send_steady(pd_demo_workload *w)
{
    char a[24], b[24];
    uint64_t r = next_rand(w) % 100;

    if (r < 40) {
        snprintf(a, sizeof(a), "%ld", rand_in(w, 1, N_MARKETS));
        fire(w, steady_sql[0], 1, a, NULL, 0, true);
    } else if (r < 65) {
        snprintf(a, sizeof(a), "%ld", rand_in(w, 1, N_TICKED));
        snprintf(b, sizeof(b), "%.4f",
                 (double)(next_rand(w) % 10000) / 10000.0);
        fire(w, steady_sql[1], 2, a, b, 0, true);
    } else if (r < 85) {
        snprintf(a, sizeof(a), "%ld", rand_in(w, 1, N_POSITIONS));
        snprintf(b, sizeof(b), "%ld", rand_in(w, -50, 50));
        fire(w, steady_sql[2], 2, a, b, 0, true);
    } else {
        snprintf(a, sizeof(a), "%ld", rand_in(w, 1, N_USERS));
        fire(w, steady_sql[3], 1, a, NULL, 0, true);
    }
}

/* ---------- the deadlocking transfers ---------- */

static void xfer_next(xfer *x);

/* Ends a try: COMMIT (ROLLBACK when it failed), or ROLLBACK. The run's
 * callback tells how it ended. Neither fails on a try that is not ending
 * already, and only this file ends them. */
static void end_try(pd_txn *txn, bool commit)
{
    int rc = commit ? pd_txn_commit(txn, NULL, NULL)
                    : pd_txn_rollback(txn, NULL, NULL);

    (void)rc;
}

static void on_xfer_stmt(pd_result *res, const pd_error *err, void *ctx)
{
    xfer *x = ctx;

    pd_result_free(res);
    x->step++;
    if (err != NULL || x->w->stopping || x->step == 3) {
        pd_txn *txn = x->txn;
        x->txn = NULL;
        end_try(txn, true);
        return;
    }
    xfer_next(x);
}

static void xfer_next(xfer *x)
{
    const char *params[1] = {x->step == 0 ? x->from : x->to};
    pd_txn *txn = x->txn;

    if (pd_txn_query(txn, xfer_sql[x->step], x->step == 1 ? 0 : 1, params,
                     on_xfer_stmt, x) != 0) {
        x->txn = NULL;
        end_try(txn, false);
    }
}

/* One try; a retry starts here again with a fresh transaction. */
static void xfer_body(pd_txn *txn, void *ctx)
{
    xfer *x = ctx;

    x->step = 0;
    if (x->w->stopping) {
        end_try(txn, false);
        return;
    }
    x->txn = txn;
    xfer_next(x);
}

static void on_xfer_done(const pd_error *err, unsigned attempts, void *ctx)
{
    xfer *x = ctx;

    (void)err;
    (void)attempts; /* the retry stats have counted them */
    x->w->xfers--;
    x->w->out--;
}

static void start_xfers(pd_demo_workload *w)
{
    long a = rand_in(w, N_ACCOUNTS / 2 + 1, N_ACCOUNTS), b;
    pd_txn_opts to;
    int i;

    do
        b = rand_in(w, N_ACCOUNTS / 2 + 1, N_ACCOUNTS);
    while (b == a);
    pd_txn_opts_init(&to);
    to.timeout_ms = STMT_TIMEOUT_MS;
    to.source = SOURCE;
    to.retry.attempts = 5;
    to.retry.base_ms = 20;
    to.retry.cap_ms = 500;
    for (i = 0; i < 2; i++) {
        xfer *x = &w->xf[i];
        memset(x, 0, sizeof(*x));
        x->w = w;
        snprintf(x->from, sizeof(x->from), "%ld", i == 0 ? a : b);
        snprintf(x->to, sizeof(x->to), "%ld", i == 0 ? b : a);
        if (pd_txn_run(w->pool, &to, xfer_body, on_xfer_done, x,
                       pd_core_retry_stats(w->core)) != 0)
            continue;
        w->xfers++;
        w->out++;
    }
}

static void on_tick(uv_timer_t *t)
{
    pd_demo_workload *w = t->data;
    uint64_t now = uv_now(w->loop);
    char a[24];

    if (w->stopping)
        return;
    if (now >= w->next_slow) {
        w->next_slow = now + SLOW_EVERY_MS;
        snprintf(a, sizeof(a), "%u", w->slow_sleep_ms);
        fire(w, slow_sql, 1, a, NULL, 0, false);
    }
    if (now >= w->next_error) {
        w->next_error = now + ERROR_EVERY_MS;
        snprintf(a, sizeof(a), "%ld", rand_in(w, 1, N_USERS));
        fire(w, error_sql, 1, a, NULL, 0, false);
    }
    if (now >= w->next_refresh) {
        w->next_refresh = now + REFRESH_EVERY_MS;
        fire(w, refresh_sql, 0, NULL, NULL, PD_QUERY_NO_PREPARE, false);
    }
    if (now >= w->next_xfer && w->xfers == 0) {
        w->next_xfer = now + XFER_EVERY_MS;
        start_xfers(w);
    }
    if (w->steady < STEADY_MAX)
        send_steady(w);
}

/* ---------- the lock holder ---------- */

static void hold_begin(uv_timer_t *t);

/* The next episode, lock_every_ms after the start of this one. */
static void hold_again(pd_demo_workload *w)
{
    uint64_t gap = w->o.lock_every_ms > w->o.lock_hold_ms
                       ? w->o.lock_every_ms - w->o.lock_hold_ms
                       : 1000;

    w->phase = HOLD_IDLE;
    if (!w->stopping)
        uv_timer_start(&w->lock, hold_begin, gap, 0);
}

static void on_hold_end(const pd_error *err, void *ctx)
{
    pd_demo_workload *w = ctx;

    (void)err;
    w->out--;
    w->txn = NULL;
    hold_again(w);
}

/* Ends the holder's transaction (rolled back: it only held the row). */
static void hold_release(pd_demo_workload *w)
{
    pd_txn *txn = w->txn;

    w->phase = HOLD_END;
    if (pd_txn_rollback(txn, on_hold_end, w) != 0) {
        /* already ending: cannot happen, as only we end it */
        w->txn = NULL;
        hold_again(w);
        return;
    }
    w->out++;
}

static void on_hold_timer(uv_timer_t *t)
{
    hold_release(t->data);
}

static void on_locked(pd_result *res, const pd_error *err, void *ctx)
{
    pd_demo_workload *w = ctx;

    pd_result_free(res);
    w->out--;
    if (err != NULL || w->stopping) {
        hold_release(w);
        return;
    }
    w->phase = HOLD_HOLDING;
    /* Two writers queue behind the holder: a blocking tree. */
    fire(w, wait_sql, 1, w->held, NULL, 0, false);
    fire(w, wait_sql, 1, w->held, NULL, 0, false);
    uv_timer_start(&w->lock, on_hold_timer, w->o.lock_hold_ms, 0);
}

static void on_hold_begin(pd_txn *txn, const pd_error *err, void *ctx)
{
    pd_demo_workload *w = ctx;
    const char *params[1] = {w->held};

    w->out--;
    if (txn == NULL) {
        (void)err; /* no connection now; try at the next episode */
        hold_again(w);
        return;
    }
    w->txn = txn;
    if (w->stopping) {
        hold_release(w);
        return;
    }
    w->phase = HOLD_LOCK;
    if (pd_txn_query(txn, lock_sql, 1, params, on_locked, w) != 0) {
        hold_release(w);
        return;
    }
    w->out++;
}

static void hold_begin(uv_timer_t *t)
{
    pd_demo_workload *w = t->data;
    pd_txn_opts to;

    if (w->stopping)
        return;
    pd_txn_opts_init(&to);
    to.timeout_ms = STMT_TIMEOUT_MS;
    to.source = SOURCE;
    /* Rows 1 and 2 are the transfer syncs', the upper half the
     * workload's transfers': keep out of their way. */
    snprintf(w->held, sizeof(w->held), "%ld",
             rand_in(w, 3, N_ACCOUNTS / 2));
    if (pd_txn_begin(w->pool, &to, on_hold_begin, w) != 0) {
        hold_again(w);
        return;
    }
    w->phase = HOLD_BEGIN;
    w->out++;
}

/* ---------- life cycle ---------- */

pd_demo_workload *pd_demo_workload_start(pd_core *core,
                                         const pd_demo_workload_opts *opts)
{
    pd_demo_workload *w = pd_xcalloc(1, sizeof(*w));
    uint32_t threshold = pd_core_config(core)->slow_ms;
    uint64_t now;

    w->core = core;
    w->loop = pd_core_loop(core);
    w->pool = pd_core_pool(core);
    if (opts != NULL)
        w->o = *opts;
    if (w->o.tick_ms == 0)
        w->o.tick_ms = 250;
    if (w->o.lock_every_ms == 0)
        w->o.lock_every_ms = 10000;
    if (w->o.lock_hold_ms == 0)
        w->o.lock_hold_ms = 3000;
    /* Slower than the threshold, whatever it is, within reason. */
    w->slow_sleep_ms = threshold + 100 < 2000 ? threshold + 100 : 2000;
    w->rng = uv_hrtime() ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15;
    if (w->rng == 0)
        w->rng = 1;
    /* The first of each soon, so that every panel has something within
     * seconds of start-up. */
    now = uv_now(w->loop);
    w->next_slow = now + 1500;
    w->next_refresh = now + 3000;
    w->next_error = now + 5000;
    w->next_xfer = now + 4000;
    uv_timer_init(w->loop, &w->tick);
    uv_timer_init(w->loop, &w->lock);
    w->tick.data = w->lock.data = w;
    w->open_timers = 2;
    uv_timer_start(&w->tick, on_tick, w->o.tick_ms, w->o.tick_ms);
    uv_timer_start(&w->lock, hold_begin, 2000, 0);
    return w;
}

static void on_timer_closed(uv_handle_t *h)
{
    pd_demo_workload *w = h->data;

    w->open_timers--;
}

void pd_demo_workload_free(pd_demo_workload *w)
{
    uint64_t limit;

    if (w == NULL)
        return;
    w->stopping = true;
    uv_close((uv_handle_t *)&w->tick, on_timer_closed);
    if (w->phase == HOLD_HOLDING) {
        uv_timer_stop(&w->lock);
        hold_release(w); /* the waiters go through at once */
    }
    uv_close((uv_handle_t *)&w->lock, on_timer_closed);
    /* The transfers stop at their next step, and are not retried. */
    pd_txn_abort(w->xf[0].txn);
    pd_txn_abort(w->xf[1].txn);
    /* Later phases see stopping in their callbacks and roll back. */
    uv_update_time(w->loop);
    limit = uv_now(w->loop) + DRAIN_LIMIT_MS;
    while ((w->out > 0 || w->open_timers > 0) &&
           uv_now(w->loop) < limit)
        uv_run(w->loop, UV_RUN_ONCE);
    if (w->out > 0 || w->open_timers > 0)
        return; /* a callback may still come: leak, never free under it */
    free(w);
}
