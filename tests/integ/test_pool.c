/* test_pool.c: the pool and query path against a real server. */
#include "tests/integ/integ.h"

#include <stdio.h>

#include "core/gather.h"
#include "core/query.h"
#include "core/result.h"

typedef struct grab {
    int done;
    pd_conn *conn;
    pd_error err;
    int order;       /* completion order, from a shared counter */
    int *counter;
} grab;

static void on_grab(pd_conn *conn, const pd_error *err, void *ctx)
{
    grab *g = ctx;

    g->conn = conn;
    if (err != NULL)
        pd_error_copy(&g->err, err);
    if (g->counter != NULL)
        g->order = ++*g->counter;
    g->done = 1;
}


static void test_acquire_release_reuses(void **state)
{
    uv_loop_t loop;
    pd_conninfo *ci = env_conninfo();
    pd_pool *pool;
    grab a = {0}, b = {0};
    pd_pool_stats st;

    (void)state;
    uv_loop_init(&loop);
    pool = make_pool(&loop, ci, 0, 2, 5000);
    assert_int_equal(pd_pool_acquire(pool, 0, on_grab, &a), 0);
    assert_int_equal(a.done, 0); /* never called back synchronously */
    run_until(&loop, &a.done, 10);
    assert_non_null(a.conn);
    st = pd_pool_stats_get(pool);
    assert_int_equal(st.in_use, 1);
    assert_int_equal(st.opened, 1);
    pd_pool_release(pool, a.conn);
    st = pd_pool_stats_get(pool);
    assert_int_equal(st.idle, 1);
    assert_int_equal(st.in_use, 0);
    assert_int_equal(pd_pool_acquire(pool, 0, on_grab, &b), 0);
    run_until(&loop, &b.done, 10);
    assert_ptr_equal(b.conn, a.conn); /* the idle one, not a new one */
    st = pd_pool_stats_get(pool);
    assert_int_equal(st.opened, 1);
    assert_int_equal(st.acquires, 2);
    assert_int_equal((int)st.wait.count, 2);
    pd_pool_release(pool, b.conn);
    pd_pool_free(pool);
    drain_loop(&loop);
    pd_conninfo_free(ci);
}

static void test_acquire_timeout_when_exhausted(void **state)
{
    uv_loop_t loop;
    pd_conninfo *ci = env_conninfo();
    pd_pool *pool;
    grab a = {0}, b = {0};
    pd_pool_stats st;

    (void)state;
    uv_loop_init(&loop);
    pool = make_pool(&loop, ci, 0, 1, 5000);
    assert_int_equal(pd_pool_acquire(pool, 0, on_grab, &a), 0);
    run_until(&loop, &a.done, 10);
    assert_non_null(a.conn);
    assert_int_equal(pd_pool_acquire(pool, 150, on_grab, &b), 0);
    st = pd_pool_stats_get(pool);
    assert_int_equal(st.waiting, 1);
    run_until(&loop, &b.done, 10);
    assert_null(b.conn);
    assert_int_equal(b.err.kind, PD_ERR_POOL_TIMEOUT);
    assert_non_null(strstr(b.err.message, "150 ms"));
    st = pd_pool_stats_get(pool);
    assert_int_equal(st.timeouts, 1);
    assert_int_equal(st.waiting, 0);
    assert_int_equal(st.size, 1); /* max respected: no second connection */
    pd_pool_release(pool, a.conn);
    pd_error_clear(&b.err);
    pd_pool_free(pool);
    drain_loop(&loop);
    pd_conninfo_free(ci);
}

static void test_waiters_are_served_fifo(void **state)
{
    uv_loop_t loop;
    pd_conninfo *ci = env_conninfo();
    pd_pool *pool;
    grab a = {0}, w[3];
    int counter = 0, i;

    (void)state;
    memset(w, 0, sizeof(w));
    uv_loop_init(&loop);
    pool = make_pool(&loop, ci, 0, 1, 5000);
    assert_int_equal(pd_pool_acquire(pool, 0, on_grab, &a), 0);
    run_until(&loop, &a.done, 10);
    for (i = 0; i < 3; i++) {
        w[i].counter = &counter;
        assert_int_equal(pd_pool_acquire(pool, 0, on_grab, &w[i]), 0);
    }
    pd_pool_release(pool, a.conn);
    for (i = 0; i < 3; i++) {
        run_until(&loop, &w[i].done, 10);
        assert_non_null(w[i].conn);
        assert_int_equal(w[i].order, i + 1);
        pd_pool_release(pool, w[i].conn);
    }
    pd_pool_free(pool);
    drain_loop(&loop);
    pd_conninfo_free(ci);
}

static void test_fetch_params_types_nulls(void **state)
{
    uv_loop_t loop;
    pd_conninfo *ci = env_conninfo();
    pd_pool *pool;
    fetched f = {0};
    const char *params[2] = {"41", NULL};

    (void)state;
    uv_loop_init(&loop);
    pool = make_pool(&loop, ci, 0, 2, 5000);
    assert_int_equal(pd_query_fetch(pool,
                                    "SELECT $1::int + 1 AS answer, "
                                    "$2::text AS missing, 'x'::text AS t",
                                    2, params, NULL, on_fetch, &f), 0);
    run_until(&loop, &f.done, 10);
    assert_false(pd_error_isset(&f.err));
    assert_non_null(f.res);
    assert_int_equal(pd_result_ncols(f.res), 3);
    assert_int_equal((int)pd_result_nrows(f.res), 1);
    assert_string_equal(pd_result_col_name(f.res, 0), "answer");
    assert_int_equal(pd_result_col_type(f.res, 0), PD_OID_INT4);
    assert_int_equal(pd_result_col_type(f.res, 2), PD_OID_TEXT);
    assert_string_equal(pd_result_value(f.res, 0, 0), "42");
    assert_true(pd_result_is_null(f.res, 0, 1));
    assert_null(pd_result_value(f.res, 0, 1));
    assert_string_equal(pd_result_tag(f.res), "SELECT 1");
    pd_result_free(f.res);
    pd_pool_free(pool);
    drain_loop(&loop);
    pd_conninfo_free(ci);
}

static void test_bad_sql_is_a_structured_error(void **state)
{
    uv_loop_t loop;
    pd_conninfo *ci = env_conninfo();
    pd_pool *pool;
    fetched f = {0}, g = {0};
    pd_pool_stats st;

    (void)state;
    uv_loop_init(&loop);
    pool = make_pool(&loop, ci, 0, 1, 5000);
    assert_int_equal(pd_query_fetch(pool, "SELECT 1 FRO x", 0, NULL, NULL,
                                    on_fetch, &f), 0);
    run_until(&loop, &f.done, 10);
    assert_null(f.res);
    assert_int_equal(f.err.kind, PD_ERR_SERVER);
    assert_string_equal(f.err.sqlstate, "42601");
    assert_string_equal(f.err.severity, "ERROR");
    assert_int_equal(f.err.position, 14);
    assert_non_null(strstr(f.err.full, "LINE 1: SELECT 1 FRO x"));
    assert_non_null(strstr(f.err.message, "syntax error"));
    /* The connection survives a server error and is reused. */
    assert_int_equal(pd_query_fetch(pool, "SELECT 2", 0, NULL, NULL, on_fetch,
                                    &g), 0);
    run_until(&loop, &g.done, 10);
    assert_false(pd_error_isset(&g.err));
    assert_string_equal(pd_result_value(g.res, 0, 0), "2");
    st = pd_pool_stats_get(pool);
    assert_int_equal(st.opened, 1);
    pd_result_free(g.res);
    pd_error_clear(&f.err);
    pd_pool_free(pool);
    drain_loop(&loop);
    pd_conninfo_free(ci);
}

static void test_dead_server_fails_fast(void **state)
{
    uv_loop_t loop;
    pd_conninfo *ci = env_conninfo();
    pd_pool *pool;
    fetched f = {0};
    pd_pool_stats st;

    (void)state;
    pd_conninfo_set(ci, "port", "1"); /* nothing listens there */
    uv_loop_init(&loop);
    pool = make_pool(&loop, ci, 0, 2, 30000);
    assert_int_equal(pd_query_fetch(pool, "SELECT 1", 0, NULL, NULL, on_fetch,
                                    &f), 0);
    /* Well inside the 30 s acquire deadline: the connect error itself is
     * delivered, not a pool timeout. */
    run_until(&loop, &f.done, 10);
    assert_int_equal(f.err.kind, PD_ERR_CONNECTION);
    assert_non_null(strstr(f.err.message, "failed"));
    st = pd_pool_stats_get(pool);
    assert_true(st.errors >= 1);
    assert_int_equal(st.in_use, 0);
    pd_error_clear(&f.err);
    pd_pool_free(pool);
    drain_loop(&loop);
    pd_conninfo_free(ci);
}

static void test_host_name_is_resolved_off_loop(void **state)
{
    uv_loop_t loop;
    pd_conninfo *ci = env_conninfo();
    pd_pool *pool;
    fetched f = {0};

    (void)state;
    pd_conninfo_set(ci, "host", "localhost"); /* TCP, via uv_getaddrinfo */
    uv_loop_init(&loop);
    pool = make_pool(&loop, ci, 0, 1, 5000);
    assert_int_equal(pd_query_fetch(pool, "SELECT inet_client_addr() IS NOT "
                                          "NULL", 0, NULL, NULL, on_fetch,
                                    &f), 0);
    run_until(&loop, &f.done, 10);
    assert_false(pd_error_isset(&f.err));
    assert_string_equal(pd_result_value(f.res, 0, 0), "t");
    pd_result_free(f.res);
    pd_pool_free(pool);
    drain_loop(&loop);
    pd_conninfo_free(ci);
}

typedef struct gathered {
    int done;
    int n;
    char vals[3][16];
    pd_error_kind kinds[3];
} gathered;

static void on_gather(pd_gather_item *items, int n, void *ctx)
{
    gathered *g = ctx;
    int i;

    g->n = n;
    for (i = 0; i < n && i < 3; i++) {
        g->kinds[i] = items[i].err.kind;
        if (items[i].res != NULL)
            snprintf(g->vals[i], sizeof(g->vals[i]), "%s",
                     pd_result_value(items[i].res, 0, 0));
    }
    g->done = 1;
}

static void test_gather_runs_concurrently_in_order(void **state)
{
    uv_loop_t loop;
    pd_conninfo *ci = env_conninfo();
    pd_pool *pool;
    gathered g;
    const char *sqls[3] = {"SELECT 'a' FROM pg_sleep(0.3)",
                           "SELECT nosuchcolumn",
                           "SELECT count(*)::text FROM pg_stat_activity "
                           "WHERE query = 'SELECT ''a'' FROM pg_sleep(0.3)'"
                           " AND state = 'active'"};
    pd_pool_stats st;

    (void)state;
    memset(&g, 0, sizeof(g));
    uv_loop_init(&loop);
    pool = make_pool(&loop, ci, 0, 3, 5000);
    assert_int_equal(pd_gather_run(pool, 3, sqls, NULL, on_gather, &g), 0);
    run_until(&loop, &g.done, 10);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.vals[0], "a");
    assert_int_equal(g.kinds[1], PD_ERR_SERVER); /* its own error only */
    /* The third statement saw the first one running on another backend. */
    assert_int_equal(g.kinds[2], PD_ERR_NONE);
    assert_string_equal(g.vals[2], "1");
    st = pd_pool_stats_get(pool);
    assert_int_equal(st.opened, 3);
    pd_pool_free(pool);
    drain_loop(&loop);
    pd_conninfo_free(ci);
}

typedef struct gathered_err {
    int done;
    pd_error_kind kinds[3];
    char msg[3][128];
} gathered_err;

static void on_gather_err(pd_gather_item *items, int n, void *ctx)
{
    gathered_err *g = ctx;
    int i;

    for (i = 0; i < n && i < 3; i++) {
        g->kinds[i] = items[i].err.kind;
        snprintf(g->msg[i], sizeof(g->msg[i]), "%s",
                 items[i].err.message ? items[i].err.message : "");
    }
    g->done = 1;
}

static void test_gather_cancels_others_only_when_asked(void **state)
{
    uv_loop_t loop;
    pd_conninfo *ci = env_conninfo();
    pd_pool *pool;
    gathered_err g;
    const char *sqls[3] = {"SELECT pg_sleep(20)", "SELECT 1/0",
                           "SELECT pg_sleep(20)"};

    (void)state;
    memset(&g, 0, sizeof(g));
    uv_loop_init(&loop);
    pool = make_pool(&loop, ci, 0, 3, 5000);
    /* The sleepers are cancelled on the server, well before 20 s. */
    assert_int_equal(pd_gather_run_flags(pool, 3, sqls, NULL,
                                         PD_GATHER_CANCEL_ON_ERROR,
                                         on_gather_err, &g), 0);
    run_until(&loop, &g.done, 15);
    assert_int_equal(g.kinds[1], PD_ERR_SERVER);
    assert_int_equal(g.kinds[0], PD_ERR_CANCELED);
    assert_int_equal(g.kinds[2], PD_ERR_CANCELED);
    assert_non_null(strstr(g.msg[0], "statement 2 failed"));
    pd_pool_free(pool);
    drain_loop(&loop);
    pd_conninfo_free(ci);
}

static void test_broken_idle_connection_is_replaced(void **state)
{
    uv_loop_t loop;
    pd_conninfo *ci = env_conninfo();
    pd_pool *pool;
    grab a = {0}, b = {0};
    fetched pid = {0}, kill = {0}, after = {0};
    pd_pool_stats st;
    const char *params[1];
    int i;

    (void)state;
    uv_loop_init(&loop);
    pool = make_pool(&loop, ci, 0, 2, 5000);
    /* Hold two connections, learn A's backend pid, put A back idle, then
     * terminate A's backend from B. */
    assert_int_equal(pd_pool_acquire(pool, 0, on_grab, &a), 0);
    assert_int_equal(pd_pool_acquire(pool, 0, on_grab, &b), 0);
    run_until(&loop, &a.done, 10);
    run_until(&loop, &b.done, 10);
    assert_int_equal(pd_query_run(a.conn, "SELECT pg_backend_pid()::text", 0,
                                  NULL, NULL, on_fetch, &pid), 0);
    run_until(&loop, &pid.done, 10);
    pd_pool_release(pool, a.conn);
    params[0] = pd_result_value(pid.res, 0, 0);
    assert_int_equal(pd_query_run(b.conn, "SELECT pg_terminate_backend($1)",
                                  1, params, NULL, on_fetch, &kill), 0);
    run_until(&loop, &kill.done, 10);
    assert_false(pd_error_isset(&kill.err));
    assert_string_equal(pd_result_value(kill.res, 0, 0), "t");
    pd_pool_release(pool, b.conn);
    /* The pool notices the dead idle connection by itself. */
    for (i = 0; i < 100; i++) {
        st = pd_pool_stats_get(pool);
        if (st.closed >= 1)
            break;
        uv_run(&loop, UV_RUN_ONCE);
    }
    st = pd_pool_stats_get(pool);
    assert_int_equal(st.closed, 1);
    assert_int_equal(st.idle, 1);
    assert_int_equal(pd_query_fetch(pool, "SELECT 'alive'", 0, NULL, NULL,
                                    on_fetch, &after), 0);
    run_until(&loop, &after.done, 10);
    assert_false(pd_error_isset(&after.err));
    assert_string_equal(pd_result_value(after.res, 0, 0), "alive");
    pd_result_free(pid.res);
    pd_result_free(kill.res);
    pd_result_free(after.res);
    pd_pool_free(pool);
    drain_loop(&loop);
    pd_conninfo_free(ci);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_acquire_release_reuses),
        cmocka_unit_test(test_acquire_timeout_when_exhausted),
        cmocka_unit_test(test_waiters_are_served_fifo),
        cmocka_unit_test(test_fetch_params_types_nulls),
        cmocka_unit_test(test_bad_sql_is_a_structured_error),
        cmocka_unit_test(test_dead_server_fails_fast),
        cmocka_unit_test(test_host_name_is_resolved_off_loop),
        cmocka_unit_test(test_gather_runs_concurrently_in_order),
        cmocka_unit_test(test_gather_cancels_others_only_when_asked),
        cmocka_unit_test(test_broken_idle_connection_is_replaced),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
