/* pool.c: the connection pool (see pool.h).
 *
 * Invariant: a waiter is queued only while no idle connection exists, so a
 * grant always goes to the head of the FIFO. Grants and failures are put on
 * a ready list and delivered from a uv_idle callback on the next turn: no
 * acquire callback ever runs inside pd_pool_acquire or pd_pool_release. */
#include "core/pool.h"

#include <stdlib.h>
#include <string.h>

#include "core/list.h"
#include "core/stmtcache.h"
#include "core/xalloc.h"

#define MAINT_INTERVAL_MS 1000

typedef struct waiter waiter;

typedef struct slot {
    pd_list node;     /* in pool->idle, pool->busy or pool->opening */
    pd_conn *conn;    /* owned */
    pd_pool *pool;    /* borrowed back pointer */
    bool discard;     /* a reset in progress still owes DISCARD ALL */
    waiter *ping_for; /* a pre-ping in progress, for this waiter */
} slot;

struct waiter {
    pd_list node;       /* in pool->waiters or pool->ready */
    pd_acquire_cb cb;
    void *ctx;
    uint64_t deadline;  /* uv_now() ms, 0 = none */
    uint32_t timeout_ms; /* the wait allowed, for messages */
    uint64_t start_ns;  /* uv_hrtime() at acquire */
    uint64_t waited_us; /* from acquire to grant, counted at delivery */
    pd_conn *conn;      /* granted connection, or NULL */
    pd_error err;       /* failure to deliver when conn is NULL */
    bool canceled;      /* withdrawn (pd_pool_cancel); err says so */
};

struct pd_pool {
    uv_loop_t *loop;        /* borrowed */
    pd_conninfo *ci;        /* owned */
    pd_pool_opts opts;
    pd_list idle;           /* slots, most recently used first */
    pd_list busy;           /* slots handed out */
    pd_list opening;        /* slots connecting */
    pd_list waiters;        /* FIFO of waiters */
    pd_list ready;          /* waiters with an outcome to deliver */
    int nidle, nbusy, nopening, nwaiting;
    uv_timer_t deadline;    /* earliest waiter deadline */
    uv_timer_t maint;       /* keeps min connections open */
    uv_idle_t dispatch;     /* delivers the ready list */
    int handles_open;       /* of the three above, not yet closed */
    bool closing;           /* pd_pool_free was called */
    pd_error last_error;    /* last connect failure, for waiters */
    int fail_streak;        /* connect failures in a row */
    uint64_t next_connect;  /* uv_now() before which top-ups wait */
    uint64_t rng;           /* xorshift state for the reconnect jitter */
    pd_retry_rng retry_rng; /* for query retry backoff */
    pd_pool_stats st;       /* counters (the live counts are derived) */
};

static void open_conn(pd_pool *pool);
static bool breaker_allows(pd_pool *pool);
static void fail_waiter(pd_pool *pool, waiter *w, const pd_error *err);
static void on_idle_broken(pd_conn *c, void *ctx);
static void arm_deadline(pd_pool *pool);

/* Returns-owned pool; see pool.h. */
pd_pool *pd_pool_new(uv_loop_t *loop, const pd_conninfo *ci,
                     const pd_pool_opts *opts)
{
    pd_pool *pool = pd_xcalloc(1, sizeof(*pool));

    pool->loop = loop;
    pool->ci = pd_conninfo_dup(ci);
    pool->opts = *opts;
    if (pool->opts.max < 1)
        pool->opts.max = 1;
    if (pool->opts.min < 0)
        pool->opts.min = 0;
    if (pool->opts.min > pool->opts.max)
        pool->opts.min = pool->opts.max;
    pd_list_init(&pool->idle);
    pd_list_init(&pool->busy);
    pd_list_init(&pool->opening);
    pd_list_init(&pool->waiters);
    pd_list_init(&pool->ready);
    uv_timer_init(loop, &pool->deadline);
    uv_timer_init(loop, &pool->maint);
    uv_idle_init(loop, &pool->dispatch);
    pool->deadline.data = pool->maint.data = pool->dispatch.data = pool;
    pool->handles_open = 3;
    /* Housekeeping alone must not keep a finished program's loop alive. */
    uv_unref((uv_handle_t *)&pool->maint);
    pool->st.min = pool->opts.min;
    pool->st.max = pool->opts.max;
    pool->rng = uv_hrtime() | 1;
    pd_retry_rng_seed(&pool->retry_rng, uv_hrtime());
    return pool;
}

static void on_handle_closed(uv_handle_t *h)
{
    pd_pool *pool = h->data;

    if (--pool->handles_open == 0) {
        pd_error_clear(&pool->last_error);
        pd_conninfo_free(pool->ci);
        free(pool);
    }
}

/* Frees the pool once closing and nothing refers to it any more. */
static void maybe_finish(pd_pool *pool)
{
    if (!pool->closing || pool->nbusy > 0 || !pd_list_empty(&pool->ready) ||
        uv_is_closing((uv_handle_t *)&pool->dispatch))
        return;
    uv_close((uv_handle_t *)&pool->deadline, on_handle_closed);
    uv_close((uv_handle_t *)&pool->maint, on_handle_closed);
    uv_close((uv_handle_t *)&pool->dispatch, on_handle_closed);
}

static void on_dispatch(uv_idle_t *h)
{
    pd_pool *pool = h->data;
    pd_list batch, *n;

    /* Callbacks may acquire again: deliver only what is ready now. */
    pd_list_init(&batch);
    if (!pd_list_empty(&pool->ready)) {
        batch = pool->ready;
        batch.next->prev = &batch;
        batch.prev->next = &batch;
        pd_list_init(&pool->ready);
    }
    while ((n = pd_list_pop_front(&batch)) != NULL) {
        waiter *w = pd_list_entry(n, waiter, node);
        /* Counted here, not at grant: pd_pool_cancel can still take a
         * grant back before this turn, and that acquire was not served. */
        if (w->conn != NULL) {
            pool->st.acquires++;
            pd_histogram_record(&pool->st.wait, w->waited_us);
        }
        w->cb(w->conn, w->conn != NULL ? NULL : &w->err, w->ctx);
        pd_error_clear(&w->err);
        free(w);
    }
    if (pd_list_empty(&pool->ready))
        uv_idle_stop(&pool->dispatch);
    maybe_finish(pool);
}

static void make_ready(pd_pool *pool, waiter *w)
{
    pd_list_push_back(&pool->ready, &w->node);
    uv_idle_start(&pool->dispatch, on_dispatch);
}

/* Hands s to w (already unlinked from the waiters); on_dispatch counts it
 * when it is delivered. */
static void grant(pd_pool *pool, waiter *w, slot *s)
{
    pd_list_remove(&s->node);
    pd_list_push_back(&pool->busy, &s->node);
    pool->nbusy++;
    pd_conn_set_broken_cb(s->conn, NULL, NULL); /* the holder sees breaks */
    w->conn = s->conn;
    w->waited_us = (uv_hrtime() - w->start_ns) / 1000;
    make_ready(pool, w);
}

static void fail_waiter(pd_pool *pool, waiter *w, const pd_error *err)
{
    pd_list_remove(&w->node);
    pool->nwaiting--;
    pd_error_copy(&w->err, err);
    make_ready(pool, w);
}

static bool breaker_allows(pd_pool *pool)
{
    return pool->opts.breaker == NULL ||
           pd_breaker_allow(pool->opts.breaker, uv_now(pool->loop));
}

static void close_slot(pd_pool *pool, slot *s)
{
    pd_list_remove(&s->node);
    pool->st.closed++;
    pd_conn_close(s->conn);
    free(s);
}

/* Opens connections while waiters outnumber the ones being opened. While
 * the breaker refuses connection attempts, waiters that nothing could serve
 * soon (no connection opening or busy) fail fast with its error. */
static void serve_waiters(pd_pool *pool)
{
    while (!pool->closing && pool->nwaiting > pool->nopening &&
           pool->nidle + pool->nbusy + pool->nopening < pool->opts.max) {
        if (!breaker_allows(pool)) {
            pd_error err = PD_ERROR_INIT;
            if (pool->nopening > 0 || pool->nbusy > 0)
                return;
            pd_breaker_error(pool->opts.breaker, uv_now(pool->loop), &err);
            while (!pd_list_empty(&pool->waiters))
                fail_waiter(pool,
                            pd_list_entry(pool->waiters.next, waiter, node),
                            &err);
            pd_error_clear(&err);
            arm_deadline(pool);
            return;
        }
        open_conn(pool);
    }
}

static void top_up(pd_pool *pool)
{
    bool failing = pool->fail_streak > 0;

    if (!failing ||
        (uv_now(pool->loop) >= pool->next_connect && pool->nopening == 0))
        while (!pool->closing &&
               pool->nidle + pool->nbusy + pool->nopening < pool->opts.min) {
            if (!breaker_allows(pool))
                break;
            open_conn(pool);
            if (failing)
                break; /* one probe at a time while the server is away */
        }
    serve_waiters(pool);
}

/* A connection is free: the head waiter gets it, else it goes idle. */
static void put_back(pd_pool *pool, slot *s)
{
    pd_list *n = pd_list_pop_front(&pool->waiters);

    if (n != NULL) {
        pool->nwaiting--;
        grant(pool, pd_list_entry(n, waiter, node), s);
        return;
    }
    pd_list_remove(&s->node);
    pd_list_push_front(&pool->idle, &s->node);
    pool->nidle++;
    pd_conn_set_broken_cb(s->conn, on_idle_broken, s);
}

static void on_idle_broken(pd_conn *c, void *ctx)
{
    slot *s = ctx;
    pd_pool *pool = s->pool;

    (void)c;
    pool->nidle--;
    close_slot(pool, s);
    top_up(pool);
}

static void on_connected(pd_conn *c, const pd_error *err, void *ctx)
{
    (void)c;
    slot *s = ctx;
    pd_pool *pool = s->pool;

    (void)c;
    pool->nopening--;
    if (err != NULL) {
        uint64_t ceiling, base = pool->opts.reconnect_base_ms;
        int shift = pool->fail_streak < 20 ? pool->fail_streak : 20;

        pool->st.errors++;
        pd_error_copy(&pool->last_error, err);
        if (pool->opts.breaker != NULL)
            pd_breaker_failure(pool->opts.breaker, uv_now(pool->loop));
        /* Full jitter: random(0, min(cap, base * 2^streak)). */
        ceiling = base << shift;
        if (ceiling > pool->opts.reconnect_cap_ms)
            ceiling = pool->opts.reconnect_cap_ms;
        pool->rng ^= pool->rng << 13;
        pool->rng ^= pool->rng >> 7;
        pool->rng ^= pool->rng << 17;
        pool->next_connect = uv_now(pool->loop) +
                             (ceiling > 0 ? pool->rng % (ceiling + 1) : 0);
        pool->fail_streak++;
        close_slot(pool, s);
        /* The head waiter learns why now, rather than at its deadline. */
        if (!pd_list_empty(&pool->waiters))
            fail_waiter(pool, pd_list_entry(pool->waiters.next, waiter, node),
                        err);
        serve_waiters(pool);
        return;
    }
    pool->st.opened++;
    pool->fail_streak = 0;
    if (pool->opts.breaker != NULL)
        pd_breaker_success(pool->opts.breaker, uv_now(pool->loop));
    pd_error_clear(&pool->last_error); /* the server is reachable again */
    put_back(pool, s);
}

static void open_conn(pd_pool *pool)
{
    slot *s = pd_xcalloc(1, sizeof(*s));

    s->pool = pool;
    s->conn = pd_conn_new(pool->loop, pool->ci);
    pd_conn_set_owner_data(s->conn, s);
    pd_conn_set_query_defaults(s->conn, pool->opts.command_timeout_ms,
                               pool->opts.prepare);
    pd_conn_set_observer(s->conn, pool->opts.observer);
    pd_list_push_back(&pool->opening, &s->node);
    pool->nopening++;
    if (pd_conn_connect(s->conn, pool->opts.connect_timeout_ms, on_connected,
                        s) != 0) {
        pool->nopening--;
        close_slot(pool, s);
    }
}

static void on_deadline(uv_timer_t *t);

/* Sets the timer for the earliest deadline among the waiters. */
static void arm_deadline(pd_pool *pool)
{
    uint64_t next = 0, now = uv_now(pool->loop);
    pd_list *n;

    for (n = pool->waiters.next; n != &pool->waiters; n = n->next) {
        waiter *w = pd_list_entry(n, waiter, node);
        if (w->deadline != 0 && (next == 0 || w->deadline < next))
            next = w->deadline;
    }
    if (next == 0)
        uv_timer_stop(&pool->deadline);
    else
        uv_timer_start(&pool->deadline, on_deadline,
                       next > now ? next - now : 0, 0);
}

static void on_deadline(uv_timer_t *t)
{
    pd_pool *pool = t->data;
    uint64_t now = uv_now(pool->loop);
    pd_list *n, *tmp;

    pd_list_each_safe(n, tmp, &pool->waiters) {
        waiter *w = pd_list_entry(n, waiter, node);
        pd_error err = PD_ERROR_INIT;

        if (w->deadline == 0 || w->deadline > now)
            continue;
        if (pd_error_isset(&pool->last_error) &&
            pool->nidle + pool->nbusy == 0)
            /* Nothing ever connected: the cause is the connect failure. */
            pd_error_set(&err, PD_ERR_POOL_TIMEOUT,
                         "no connection within %u ms: %s", w->timeout_ms,
                         pool->last_error.message);
        else
            pd_error_set(&err, PD_ERR_POOL_TIMEOUT,
                         "pool timeout: no connection free within %u ms "
                         "(%d of %d in use, %d waiting)",
                         w->timeout_ms, pool->nbusy, pool->opts.max,
                         pool->nwaiting);
        pool->st.timeouts++;
        fail_waiter(pool, w, &err);
        pd_error_clear(&err);
    }
    arm_deadline(pool);
}

static bool past_lifetime(const pd_pool *pool, const pd_conn *c)
{
    return pool->opts.max_lifetime_ms > 0 &&
           uv_now(pool->loop) - pd_conn_born_ms(c) >= pool->opts.max_lifetime_ms;
}

/* Housekeeping, on idle connections only, never under a running query:
 * recycle those past their lifetime, close those idle too long (down to
 * min), then open what min asks for. */
static void on_maint(uv_timer_t *t)
{
    pd_pool *pool = t->data;
    uint64_t now = uv_now(pool->loop);
    pd_list *n, *tmp;

    pd_list_each_safe(n, tmp, &pool->idle) {
        slot *s = pd_list_entry(n, slot, node);
        int size = pool->nidle + pool->nbusy + pool->nopening;

        if (past_lifetime(pool, s->conn)) {
            pool->st.recycled++;
        } else if (pool->opts.idle_timeout_ms > 0 && size > pool->opts.min &&
                   now - pd_conn_last_used_ms(s->conn) >=
                       pool->opts.idle_timeout_ms) {
            pool->st.idle_closed++;
        } else {
            continue;
        }
        pool->nidle--;
        close_slot(pool, s);
    }
    top_up(pool);
}

/* Starts the background connections and the housekeeping timer. */
void pd_pool_start(pd_pool *pool)
{
    top_up(pool);
    uv_timer_start(&pool->maint, on_maint, MAINT_INTERVAL_MS,
                   MAINT_INTERVAL_MS);
}

static void place(pd_pool *pool, waiter *w, bool front);

static void on_ping_result(pd_conn *c, PGresult *res, void *ctx)
{
    (void)c;
    (void)ctx;
    PQclear(res);
}

static void on_ping_done(pd_conn *c, const pd_error *err, void *ctx)
{
    slot *s = ctx;
    pd_pool *pool = s->pool;
    waiter *w = s->ping_for;

    s->ping_for = NULL;
    pool->nbusy--;
    if (err == NULL && pd_conn_is_idle(c) && !pool->closing) {
        if (w->canceled) {
            put_back(pool, s);
            make_ready(pool, w); /* its error is set already */
            return;
        }
        grant(pool, w, s);
        return;
    }
    close_slot(pool, s);
    if (w->canceled) {
        make_ready(pool, w);
        top_up(pool);
        maybe_finish(pool);
        return;
    }
    if (pool->closing) {
        pd_error e = PD_ERROR_INIT;
        pd_error_set(&e, PD_ERR_CANCELED, "the pool is closing");
        pd_error_copy(&w->err, &e);
        pd_error_clear(&e);
        make_ready(pool, w);
        maybe_finish(pool);
        return;
    }
    place(pool, w, true); /* it was first in line: it stays first */
}

/* Checks s (an idle connection unused for a while) with an empty query
 * before w gets it; a dead one is closed and w is served again. */
static void preping(pd_pool *pool, waiter *w, slot *s)
{
    pd_conn_cmd cmd;
    pd_error err = PD_ERROR_INIT;

    memset(&cmd, 0, sizeof(cmd));
    cmd.kind = PD_CMD_SIMPLE;
    cmd.sql = "";
    cmd.timeout_ms = pool->opts.connect_timeout_ms;
    pd_list_remove(&s->node);
    pd_list_push_back(&pool->busy, &s->node);
    pool->nbusy++;
    pool->st.pings++;
    s->ping_for = w;
    pd_conn_set_broken_cb(s->conn, NULL, NULL);
    if (pd_conn_send(s->conn, &cmd, on_ping_result, on_ping_done, s,
                     &err) != 0) {
        pd_error_clear(&err);
        s->ping_for = NULL;
        pool->nbusy--;
        close_slot(pool, s);
        place(pool, w, true);
    }
}

/* Gives w an idle connection (after recycling stale ones and pre-pinging
 * one idle too long), or queues it, first or last. */
static void place(pd_pool *pool, waiter *w, bool front)
{
    uint64_t now = uv_now(pool->loop);
    pd_list *n;

    while ((n = pd_list_pop_front(&pool->idle)) != NULL) {
        slot *s = pd_list_entry(n, slot, node);

        pool->nidle--;
        if (past_lifetime(pool, s->conn)) {
            pool->st.recycled++;
            close_slot(pool, s);
            continue;
        }
        if (pool->opts.preping_ms > 0 &&
            now - pd_conn_last_used_ms(s->conn) >= pool->opts.preping_ms) {
            preping(pool, w, s);
            return;
        }
        grant(pool, w, s);
        return;
    }
    if (front)
        pd_list_push_front(&pool->waiters, &w->node);
    else
        pd_list_push_back(&pool->waiters, &w->node);
    pool->nwaiting++;
    serve_waiters(pool);
    arm_deadline(pool);
}

/* Queues an acquire; see pool.h. */
int pd_pool_acquire(pd_pool *pool, uint32_t timeout_ms, pd_acquire_cb cb,
                    void *ctx)
{
    waiter *w;

    if (pool->closing || cb == NULL)
        return PD_ESTATE;
    w = pd_xcalloc(1, sizeof(*w));
    w->cb = cb;
    w->ctx = ctx;
    w->start_ns = uv_hrtime();
    pd_list_init(&w->node);
    if (timeout_ms == 0)
        timeout_ms = pool->opts.acquire_timeout_ms;
    w->timeout_ms = timeout_ms;
    if (timeout_ms > 0)
        w->deadline = uv_now(pool->loop) + timeout_ms;
    place(pool, w, false);
    return 0;
}

/* Leaves the busy list for good: closed, counted, min kept. */
static void retire_busy(pd_pool *pool, slot *s)
{
    pool->nbusy--;
    close_slot(pool, s);
    top_up(pool);
    maybe_finish(pool);
}

static void set_canceled(waiter *w)
{
    w->canceled = true;
    pd_error_clear(&w->err);
    pd_error_set(&w->err, PD_ERR_CANCELED,
                 "canceled while waiting for a connection");
}

/* A grant not yet delivered: the connection goes back (to the next
 * waiter, or idle) and w gets the cancel instead. */
static void ungrant(pd_pool *pool, waiter *w)
{
    slot *s = pd_conn_owner_data(w->conn);

    w->conn = NULL;
    set_canceled(w);
    if (pool->closing) {
        retire_busy(pool, s);
        return;
    }
    pool->nbusy--;
    put_back(pool, s);
}

/* Withdraws an acquire request; see pool.h. A request is in exactly one
 * place: the waiters, a slot's pre-ping, or the ready list. */
bool pd_pool_cancel(pd_pool *pool, pd_acquire_cb cb, void *ctx)
{
    pd_list *n;

    for (n = pool->waiters.next; n != &pool->waiters; n = n->next) {
        waiter *w = pd_list_entry(n, waiter, node);

        if (w->cb != cb || w->ctx != ctx)
            continue;
        pd_list_remove(&w->node);
        pool->nwaiting--;
        set_canceled(w);
        make_ready(pool, w);
        arm_deadline(pool);
        return true;
    }
    for (n = pool->busy.next; n != &pool->busy; n = n->next) {
        waiter *w = pd_list_entry(n, slot, node)->ping_for;

        /* Its ping is on the wire: on_ping_done delivers the cancel. */
        if (w != NULL && w->cb == cb && w->ctx == ctx && !w->canceled) {
            set_canceled(w);
            return true;
        }
    }
    for (n = pool->ready.next; n != &pool->ready; n = n->next) {
        waiter *w = pd_list_entry(n, waiter, node);

        if (w->cb != cb || w->ctx != ctx || w->canceled)
            continue;
        if (w->conn == NULL)
            return false; /* its failure is on the way already */
        ungrant(pool, w);
        return true;
    }
    return false;
}

static void reset_step(pd_pool *pool, slot *s);

static void on_reset_done(pd_conn *c, const pd_error *err, void *ctx)
{
    slot *s = ctx;
    pd_pool *pool = s->pool;

    if (err != NULL || pool->closing || !pd_conn_is_idle(c) ||
        pd_conn_txn_status(c) != PQTRANS_IDLE) {
        retire_busy(pool, s);
        return;
    }
    reset_step(pool, s);
}

static void on_reset_result(pd_conn *c, PGresult *res, void *ctx)
{
    (void)c;
    (void)ctx;
    PQclear(res); /* a failure shows in the transaction status */
}

/* Runs what the session still needs before reuse: ROLLBACK when inside a
 * transaction, then DISCARD ALL when its state was changed; when nothing
 * is left, the connection goes back to work. */
static void reset_step(pd_pool *pool, slot *s)
{
    pd_conn_cmd cmd;
    pd_error err = PD_ERROR_INIT;

    memset(&cmd, 0, sizeof(cmd));
    cmd.kind = PD_CMD_SIMPLE;
    cmd.timeout_ms = 5000;
    if (pd_conn_txn_status(s->conn) != PQTRANS_IDLE) {
        cmd.sql = "ROLLBACK";
    } else if (s->discard) {
        cmd.sql = "DISCARD ALL";
        s->discard = false;
        /* DISCARD ALL deallocates every prepared statement. */
        pd_stmtcache_clear(pd_conn_stmtcache(s->conn));
        pd_conn_set_dirty(s->conn, false);
    } else {
        pool->nbusy--;
        put_back(pool, s);
        return;
    }
    if (pd_conn_send(s->conn, &cmd, on_reset_result, on_reset_done, s,
                     &err) != 0) {
        pd_error_clear(&err);
        retire_busy(pool, s);
    }
}

/* Takes conn back; see pool.h. */
void pd_pool_release(pd_pool *pool, pd_conn *conn)
{
    slot *s = pd_conn_owner_data(conn);
    PGTransactionStatusType ts = pd_conn_txn_status(conn);

    if (pool->closing || !pd_conn_is_idle(conn) || ts == PQTRANS_UNKNOWN ||
        ts == PQTRANS_ACTIVE) {
        retire_busy(pool, s);
        return;
    }
    if (past_lifetime(pool, conn)) {
        pool->st.recycled++;
        retire_busy(pool, s);
        return;
    }
    if (ts != PQTRANS_IDLE || pd_conn_is_dirty(conn)) {
        pool->st.resets++;
        s->discard = pd_conn_is_dirty(conn);
        reset_step(pool, s); /* stays counted in use until done */
        return;
    }
    pool->nbusy--;
    put_back(pool, s);
}

pd_pool_stats pd_pool_stats_get(const pd_pool *pool)
{
    pd_pool_stats st = pool->st;

    st.idle = pool->nidle;
    st.in_use = pool->nbusy;
    st.connecting = pool->nopening;
    st.waiting = pool->nwaiting;
    st.size = pool->nidle + pool->nbusy + pool->nopening;
    return st;
}

uv_loop_t *pd_pool_loop(const pd_pool *pool)
{
    return pool->loop;
}

const pd_retry_policy *pd_pool_retry_policy(const pd_pool *pool)
{
    return &pool->opts.retry;
}

pd_retry_stats *pd_pool_retry_stats(pd_pool *pool)
{
    return pool->opts.retry_stats;
}

uint32_t pd_pool_backoff_ms(pd_pool *pool, unsigned attempt)
{
    return pd_retry_backoff_ms(&pool->opts.retry, attempt, pd_retry_rng_next,
                               &pool->retry_rng);
}

const pd_error *pd_pool_last_error(const pd_pool *pool)
{
    return pd_error_isset(&pool->last_error) ? &pool->last_error : NULL;
}

uint64_t pd_pool_next_connect_ms(const pd_pool *pool)
{
    return pool->fail_streak > 0 ? pool->next_connect : 0;
}

const pd_conninfo *pd_pool_conninfo(const pd_pool *pool)
{
    return pool->ci;
}

/* Starts closing; see pool.h. */
void pd_pool_free(pd_pool *pool)
{
    pd_error err = PD_ERROR_INIT;
    pd_list *n;

    if (pool == NULL || pool->closing)
        return;
    pool->closing = true;
    pd_error_set(&err, PD_ERR_CANCELED, "the pool is closing");
    while (!pd_list_empty(&pool->waiters))
        fail_waiter(pool, pd_list_entry(pool->waiters.next, waiter, node),
                    &err);
    pd_error_clear(&err);
    while ((n = pd_list_pop_front(&pool->idle)) != NULL) {
        pd_list_init(n);
        pool->nidle--;
        close_slot(pool, pd_list_entry(n, slot, node));
    }
    while ((n = pd_list_pop_front(&pool->opening)) != NULL) {
        pd_list_init(n);
        pool->nopening--;
        close_slot(pool, pd_list_entry(n, slot, node));
    }
    uv_timer_stop(&pool->deadline);
    uv_timer_stop(&pool->maint);
    maybe_finish(pool);
}
