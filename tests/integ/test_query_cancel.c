/* test_query_cancel.c: pd_query_fetch_h and pd_query_cancel against a real
 * server: a query canceled while it waits for a pool connection never
 * runs, and its callback comes exactly once with PD_ERR_CANCELED; one
 * canceled on the server ends with 57014, even when the cancel comes in the
 * same loop turn as the send; the handle is cleared before the callback; a
 * withdrawn acquire is not counted in the pool's stats. */
#include "tests/integ/integ.h"

#include <signal.h>
#include <unistd.h>

/* One canceled query's outcome: how many callbacks, and the handle as the
 * callback saw it. */
typedef struct outcome {
    int calls;
    pd_result *res;
    pd_error err;
    pd_query *handle;       /* the handle slot given to pd_query_fetch_h */
    bool handle_cleared;    /* *handle was NULL when the callback ran */
} outcome;

static void on_outcome(pd_result *res, const pd_error *err, void *ctx)
{
    outcome *o = ctx;

    o->calls++;
    o->handle_cleared = o->handle == NULL;
    pd_result_free(o->res);
    o->res = res;
    if (err != NULL)
        pd_error_copy(&o->err, err);
}

static void outcome_clear(outcome *o)
{
    pd_result_free(o->res);
    pd_error_clear(&o->err);
    memset(o, 0, sizeof(*o));
}

typedef struct held {
    int done;
    pd_conn *conn;
} held;

static void on_held(pd_conn *conn, const pd_error *err, void *ctx)
{
    held *h = ctx;

    assert_null(err);
    h->conn = conn;
    h->done = 1;
}

typedef struct world {
    uv_loop_t loop;
    pd_conninfo *ci;
    pd_pool *pool;
    char table[64];
} world;

/* Runs sql on the pool and returns its first value (static copy), failing
 * the test on an error. */
static const char *q1(world *w, const char *sql)
{
    static char val[64];
    pd_query_opts o = {.flags = PD_QUERY_SIMPLE};
    fetched f = {0};

    assert_int_equal(pd_query_fetch(w->pool, sql, 0, NULL, &o, on_fetch, &f),
                     0);
    run_until(&w->loop, &f.done, 20);
    if (pd_error_isset(&f.err))
        fail_msg("%s: %s", sql, f.err.message);
    val[0] = '\0';
    if (f.res != NULL && pd_result_has_rows(f.res) &&
        pd_result_nrows(f.res) > 0)
        snprintf(val, sizeof(val), "%s", pd_result_value(f.res, 0, 0));
    fetched_clear(&f);
    return val;
}

/* A pool of opts, or of max connections (opts NULL), and the table. */
static void world_up(world *w, const pd_pool_opts *opts, int max)
{
    char sql[256];

    memset(w, 0, sizeof(*w));
    uv_loop_init(&w->loop);
    w->ci = env_conninfo();
    w->pool = opts != NULL ? pd_pool_new(&w->loop, w->ci, opts)
                           : make_pool(&w->loop, w->ci, 0, max, 10000);
    pd_pool_start(w->pool);
    snprintf(w->table, sizeof(w->table), "pd_cancel_t_%ld", (long)getpid());
    snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS %s; CREATE TABLE %s "
             "(i int)", w->table, w->table);
    q1(w, sql);
}

static void world_down(world *w)
{
    char sql[160];

    snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS %s", w->table);
    q1(w, sql);
    pd_pool_free(w->pool);
    drain_loop(&w->loop);
    pd_conninfo_free(w->ci);
}

/* Holds the pool's one connection. */
static pd_conn *hold(world *w)
{
    held h = {0};

    assert_int_equal(pd_pool_acquire(w->pool, 0, on_held, &h), 0);
    run_until(&w->loop, &h.done, 20);
    return h.conn;
}

/* Starts an INSERT into the table with a handle. */
static void start_insert(world *w, outcome *o)
{
    char sql[160];

    snprintf(sql, sizeof(sql), "INSERT INTO %s VALUES (1)", w->table);
    assert_int_equal(pd_query_fetch_h(w->pool, sql, 0, NULL, NULL, on_outcome,
                                      o, &o->handle), 0);
    assert_non_null(o->handle);
}

static const char *rows_in(world *w)
{
    char sql[160];

    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", w->table);
    return q1(w, sql);
}

/* The brief's case: max 1, the connection held, the INSERT queued behind
 * it and canceled; once the connection is free and the loop has run
 * everything queued, the row is not there and the callback came once. */
static void test_cancel_while_queued_never_runs(void **state)
{
    world w;
    outcome o = {0};
    pd_conn *c;
    pd_pool_stats st;

    (void)state;
    world_up(&w, NULL, 1);
    c = hold(&w);
    start_insert(&w, &o);
    st = pd_pool_stats_get(w.pool);
    assert_int_equal(st.waiting, 1);
    assert_int_equal(pd_query_cancel(o.handle), PD_QUERY_CANCEL_UNSENT);
    assert_int_equal(o.calls, 0); /* never inside pd_query_cancel */
    assert_non_null(o.handle);    /* live until the callback */
    st = pd_pool_stats_get(w.pool);
    assert_int_equal(st.waiting, 0); /* out of the queue at once */
    assert_int_equal(pd_query_cancel(o.handle), PD_QUERY_CANCEL_NONE);
    pd_pool_release(w.pool, c);
    run_until(&w.loop, &o.calls, 20);
    spin(&w.loop, 50);
    /* The pool is FIFO: this runs after anything still queued. */
    assert_string_equal(rows_in(&w), "0");
    assert_int_equal(o.calls, 1);
    assert_true(o.handle_cleared);
    assert_null(o.handle);
    assert_null(o.res);
    assert_int_equal(o.err.kind, PD_ERR_CANCELED);
    assert_int_equal(pd_query_cancel(NULL), PD_QUERY_CANCEL_NONE);
    outcome_clear(&o);
    world_down(&w);
}

/* Two queued behind the held connection: canceling the first leaves the
 * second first in line, and it runs. */
static void test_cancel_keeps_fifo_for_the_rest(void **state)
{
    world w;
    outcome a = {0}, b = {0};
    pd_conn *c;

    (void)state;
    world_up(&w, NULL, 1);
    c = hold(&w);
    start_insert(&w, &a);
    start_insert(&w, &b);
    assert_int_equal(pd_query_cancel(a.handle), PD_QUERY_CANCEL_UNSENT);
    pd_pool_release(w.pool, c);
    run_until(&w.loop, &b.calls, 20);
    run_until(&w.loop, &a.calls, 20);
    assert_int_equal(a.err.kind, PD_ERR_CANCELED);
    assert_false(pd_error_isset(&b.err));
    assert_string_equal(rows_in(&w), "1");
    assert_int_equal(a.calls, 1);
    assert_int_equal(b.calls, 1);
    assert_true(b.handle_cleared);
    outcome_clear(&a);
    outcome_clear(&b);
    world_down(&w);
}

/* An idle connection is granted at once but delivered on a later turn:
 * a cancel in between takes the grant back, and the statement is never
 * sent. */
static void test_cancel_of_an_undelivered_grant(void **state)
{
    world w;
    outcome o = {0};
    pd_pool_stats st;
    uint64_t acquires, waits;

    (void)state;
    world_up(&w, NULL, 1);
    st = pd_pool_stats_get(w.pool);
    acquires = st.acquires;
    waits = st.wait.count;
    start_insert(&w, &o);
    st = pd_pool_stats_get(w.pool);
    assert_int_equal(st.in_use, 1); /* granted, not yet delivered */
    assert_int_equal(pd_query_cancel(o.handle), PD_QUERY_CANCEL_UNSENT);
    st = pd_pool_stats_get(w.pool);
    assert_int_equal(st.in_use, 0);
    assert_int_equal(st.idle, 1);
    run_until(&w.loop, &o.calls, 20);
    assert_int_equal(o.err.kind, PD_ERR_CANCELED);
    /* The withdrawn grant was never served: neither counted nor timed. */
    st = pd_pool_stats_get(w.pool);
    assert_int_equal(st.acquires, acquires);
    assert_int_equal(st.wait.count, waits);
    assert_string_equal(rows_in(&w), "0");
    assert_int_equal(o.calls, 1);
    outcome_clear(&o);
    world_down(&w);
}

/* With pre-ping on, the idle connection is pinged before it is granted:
 * a cancel during the ping ends the request, and the connection stays in
 * the pool. */
static void test_cancel_during_preping(void **state)
{
    pd_pool_opts opts;
    world w;
    outcome o = {0};
    pd_pool_stats st;

    (void)state;
    memset(&opts, 0, sizeof(opts));
    opts.min = 0;
    opts.max = 1;
    opts.acquire_timeout_ms = 10000;
    opts.connect_timeout_ms = 5000;
    opts.command_timeout_ms = 60000;
    opts.reconnect_base_ms = 100;
    opts.reconnect_cap_ms = 10000;
    opts.preping_ms = 1;
    world_up(&w, &opts, 1);
    spin(&w.loop, 20); /* idle past preping_ms */
    start_insert(&w, &o);
    st = pd_pool_stats_get(w.pool);
    assert_int_equal(st.pings, 1);
    assert_int_equal(pd_query_cancel(o.handle), PD_QUERY_CANCEL_UNSENT);
    run_until(&w.loop, &o.calls, 20);
    assert_int_equal(o.err.kind, PD_ERR_CANCELED);
    spin(&w.loop, 20);
    assert_string_equal(rows_in(&w), "0");
    st = pd_pool_stats_get(w.pool);
    assert_int_equal(st.size, 1); /* the pinged connection was kept */
    assert_int_equal(o.calls, 1);
    outcome_clear(&o);
    world_down(&w);
}

/* On the server: the cancel request stops it (57014, as PD_ERR_CANCELED),
 * and the connection is back in the pool once the request is over. */
static void test_cancel_on_the_server(void **state)
{
    world w;
    outcome o = {0};
    int back = 0, i;

    (void)state;
    world_up(&w, NULL, 2); /* the second for wait_active */
    assert_int_equal(pd_query_fetch_h(w.pool, "SELECT pg_sleep(60) AS "
                                      "pd_cancel_probe", 0, NULL, NULL,
                                      on_outcome, &o, &o.handle), 0);
    wait_active(&w.loop, w.pool, "pd_cancel_probe", 1);
    assert_int_equal(pd_query_cancel(o.handle), PD_QUERY_CANCEL_SERVER);
    assert_int_equal(o.calls, 0);
    run_until(&w.loop, &o.calls, 30);
    assert_int_equal(o.err.kind, PD_ERR_CANCELED);
    assert_string_equal(o.err.sqlstate, "57014");
    assert_true(o.handle_cleared);
    for (i = 0; i < 200 && !back; i++) {
        back = pd_pool_stats_get(w.pool).in_use == 0;
        if (!back)
            spin(&w.loop, 10);
    }
    assert_true(back);
    assert_string_equal(q1(&w, "SELECT 1"), "1");
    assert_int_equal(o.calls, 1);
    outcome_clear(&o);
    world_down(&w);
}

/* Waits, on the loop, until the pool has nothing handed out. */
static void wait_all_back(world *w)
{
    int i;

    for (i = 0; i < 200; i++) {
        if (pd_pool_stats_get(w->pool).in_use == 0)
            return;
        spin(&w->loop, 10);
    }
    fail_msg("a connection was never given back");
}

/* An acquirer delivered in the same dispatch batch as the query, just
 * after it: it cancels the query in the loop turn that sent it. */
typedef struct racer {
    pd_query **handle;
    pd_query_cancel_how how;
    pd_conn *conn;
    int done;
} racer;

static void on_racer(pd_conn *conn, const pd_error *err, void *ctx)
{
    racer *r = ctx;

    assert_null(err);
    r->conn = conn;
    assert_non_null(*r->handle); /* sent, not finished */
    r->how = pd_query_cancel(*r->handle);
    r->done = 1;
}

/* Sends sig to the backends of both connections; false when it cannot
 * (a server on another host): the race then is left to chance. */
static bool signal_backends(pd_conn *a, pd_conn *b, int sig)
{
    return kill(PQbackendPID(pd_conn_pg(a)), sig) == 0 &&
           kill(PQbackendPID(pd_conn_pg(b)), sig) == 0;
}

/* The cancel leaves in the same turn as the statement. To make it reach
 * the backend first every time, both backends are stopped (SIGSTOP)
 * meanwhile: the statement waits in the socket, the cancel's SIGINT stays
 * pending, and on SIGCONT the backend handles it while still idle and
 * drops it (as a server does with a cancel that beats its statement);
 * only a request sent again stops the pg_sleep(30). Without one it runs
 * its 30 s, and the 10 s guard on the loop fails the test. */
static void test_cancel_in_the_turn_it_is_sent(void **state)
{
    pd_query_opts opts = {.flags = PD_QUERY_SIMPLE}; /* no PREPARE first */
    world w;
    outcome o = {0};
    racer r = {0};
    pd_conn *a, *b;
    uint64_t acquires;
    bool stopped;

    (void)state;
    world_up(&w, NULL, 2);
    a = hold(&w); /* two idle connections, so both grants come at once */
    b = hold(&w);
    stopped = signal_backends(a, b, SIGSTOP);
    pd_pool_release(w.pool, a);
    pd_pool_release(w.pool, b);
    acquires = pd_pool_stats_get(w.pool).acquires;
    assert_int_equal(pd_query_fetch_h(w.pool, "SELECT pg_sleep(30)", 0, NULL,
                                      &opts, on_outcome, &o, &o.handle), 0);
    r.handle = &o.handle;
    assert_int_equal(pd_pool_acquire(w.pool, 0, on_racer, &r), 0);
    run_until(&w.loop, &r.done, 10);
    assert_int_equal(r.how, PD_QUERY_CANCEL_SERVER);
    if (stopped) {
        spin(&w.loop, 100); /* the first request is through by now */
        assert_true(signal_backends(a, b, SIGCONT));
    }
    run_until(&w.loop, &o.calls, 10);
    assert_int_equal(o.calls, 1);
    assert_true(o.handle_cleared);
    assert_null(o.res);
    assert_int_equal(o.err.kind, PD_ERR_CANCELED);
    assert_string_equal(o.err.sqlstate, "57014");
    pd_pool_release(w.pool, r.conn);
    wait_all_back(&w); /* once the last cancel request is back */
    assert_int_equal(pd_pool_stats_get(w.pool).acquires, acquires + 2);
    assert_string_equal(q1(&w, "SELECT 1"), "1");
    assert_int_equal(o.calls, 1);
    outcome_clear(&o);
    world_down(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cancel_while_queued_never_runs),
        cmocka_unit_test(test_cancel_keeps_fifo_for_the_rest),
        cmocka_unit_test(test_cancel_of_an_undelivered_grant),
        cmocka_unit_test(test_cancel_during_preping),
        cmocka_unit_test(test_cancel_on_the_server),
        cmocka_unit_test(test_cancel_in_the_turn_it_is_sent),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
