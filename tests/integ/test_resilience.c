/* test_resilience.c: retry and circuit breaker on a real server: a read
 * whose backend is killed is retried and succeeds, a write is reported
 * outcome-unknown and not retried, the breaker fails fast while the
 * server is away, and after a real restart the pool heals and the breaker
 * closes again. */
#include "tests/integ/integ.h"

#include <stdio.h>

#include "core/breaker.h"
#include "core/query.h"
#include "core/retry.h"



typedef struct world {
    uv_loop_t loop;
    pd_conninfo *ci;
    pd_pool *pool;
    pd_breaker *breaker;
    pd_retry_stats stats;
} world;

static void world_up(world *w, const char *port, int failures,
                     uint32_t open_ms)
{
    pd_pool_opts o;
    pd_breaker_opts bo = {failures, open_ms};

    memset(w, 0, sizeof(*w));
    uv_loop_init(&w->loop);
    w->ci = env_conninfo();
    if (port != NULL)
        pd_conninfo_set(w->ci, "port", port);
    w->breaker = pd_breaker_new(&bo);
    pd_retry_stats_reset(&w->stats);
    memset(&o, 0, sizeof(o));
    o.max = 4;
    o.acquire_timeout_ms = 10000;
    o.connect_timeout_ms = 5000;
    o.prepare = true;
    o.reconnect_base_ms = 50;
    o.reconnect_cap_ms = 200;
    o.breaker = w->breaker;
    o.retry.attempts = 3;
    o.retry.base_ms = 10;
    o.retry.cap_ms = 100;
    o.retry_stats = &w->stats;
    w->pool = pd_pool_new(&w->loop, w->ci, &o);
}

static void world_down(world *w)
{
    pd_pool_free(w->pool);
    drain_loop(&w->loop);
    pd_breaker_free(w->breaker);
    pd_conninfo_free(w->ci);
}

static void fetch(world *w, const char *sql, fetched *f)
{
    assert_int_equal(pd_query_fetch(w->pool, sql, 0, NULL, NULL, on_fetch,
                                    f), 0);
}

static void kill_matching(world *w, const char *pattern)
{
    fetched k = {0};
    char sql[256];

    wait_active(&w->loop, w->pool, pattern, 1);
    snprintf(sql, sizeof(sql),
             "SELECT count(pg_terminate_backend(pid))::text FROM "
             "pg_stat_activity, pg_sleep(0.3) WHERE query LIKE '%%%s%%' "
             "AND pid <> pg_backend_pid()", pattern);
    fetch(w, sql, &k);
    run_until(&w->loop, &k.done, 20);
    assert_false(pd_error_isset(&k.err));
    assert_string_equal(pd_result_value(k.res, 0, 0), "1");
    fetched_clear(&k);
}

static void test_killed_read_is_retried(void **state)
{
    world w;
    fetched f = {0};

    (void)state;
    world_up(&w, NULL, 5, 10000);
    /* The first try is killed while it sleeps; the retry sleeps again,
     * unharmed, and answers. */
    fetch(&w, "SELECT 'read-ok' FROM pg_sleep(2) /* pd-victim-read */", &f);
    kill_matching(&w, "pd-victim-" "read");
    run_until(&w.loop, &f.done, 30);
    assert_false(pd_error_isset(&f.err));
    assert_string_equal(pd_result_value(f.res, 0, 0), "read-ok");
    assert_int_equal(w.stats.retries[PD_RETRY_CLASS_CONNECTION], 1);
    assert_int_equal(w.stats.recovered, 1);
    fetched_clear(&f);
    world_down(&w);
}

static void test_killed_write_is_not_retried(void **state)
{
    world w;
    fetched f = {0}, c = {0};
    pd_query_opts simple = {.flags = PD_QUERY_SIMPLE};

    (void)state;
    world_up(&w, NULL, 5, 10000);
    assert_int_equal(pd_query_fetch(w.pool, "DROP TABLE IF EXISTS pd_res; "
                                            "CREATE TABLE pd_res (n int)",
                                    0, NULL, &simple, on_fetch, &c), 0);
    run_until(&w.loop, &c.done, 10);
    fetched_clear(&c);
    fetch(&w, "INSERT INTO pd_res SELECT 1 FROM pg_sleep(5) "
              "/* pd-victim-write */", &f);
    kill_matching(&w, "pd-victim-" "write");
    run_until(&w.loop, &f.done, 30);
    assert_int_equal(f.err.kind, PD_ERR_OUTCOME_UNKNOWN);
    assert_int_equal(w.stats.outcome_unknown, 1);
    assert_int_equal(w.stats.retries[PD_RETRY_CLASS_CONNECTION], 0);
    fetched_clear(&f);
    fetch(&w, "SELECT count(*)::text FROM pd_res", &c);
    run_until(&w.loop, &c.done, 10);
    assert_string_equal(pd_result_value(c.res, 0, 0), "0"); /* not run twice */
    fetched_clear(&c);
    fetch(&w, "DROP TABLE pd_res", &c);
    run_until(&w.loop, &c.done, 10);
    fetched_clear(&c);
    world_down(&w);
}

static void test_breaker_fails_fast_on_dead_server(void **state)
{
    world w;
    fetched f = {0};
    pd_pool_stats st;
    int i;

    (void)state;
    world_up(&w, "1", 2, 60000); /* nothing listens on port 1 */
    /* One query: its try and its retry fail to connect, which opens the
     * breaker (2 failures), so its last retry is refused at once. */
    fetch(&w, "SELECT 1", &f);
    run_until(&w.loop, &f.done, 20);
    assert_true(f.err.kind == PD_ERR_CIRCUIT_OPEN ||
                f.err.kind == PD_ERR_CONNECTION);
    fetched_clear(&f);
    assert_int_equal(pd_breaker_state_get(w.breaker), PD_BREAKER_OPEN);
    st = pd_pool_stats_get(w.pool);
    assert_int_equal(st.errors, 2);
    for (i = 0; i < 3; i++) {
        fetch(&w, "SELECT 1", &f);
        run_until(&w.loop, &f.done, 20);
        assert_int_equal(f.err.kind, PD_ERR_CIRCUIT_OPEN);
        assert_non_null(strstr(f.err.message, "circuit breaker open"));
        if (i < 2)
            fetched_clear(&f);
    }
    /* Failing fast means no new connection attempt. */
    assert_int_equal(pd_pool_stats_get(w.pool).errors, st.errors);
    assert_true(pd_breaker_stats_get(w.breaker).rejections >= 3);
    fetched_clear(&f);
    world_down(&w);
}

/* Stops or starts the harness's server (the test thread may block: this
 * is the test, not the loop of the product). */
static int pg_ctl(const char *action)
{
    const char *dir = getenv("PD_CLUSTER_DIR"), *bin = getenv("PD_PG_BINDIR");
    char cmd[1024];

    if (dir == NULL || bin == NULL)
        return -1;
    snprintf(cmd, sizeof(cmd),
             "%s %s/pg_ctl -D %s/data -l %s/server.log -w -t 30 %s %s "
             ">/dev/null 2>&1",
             getuid() == 0 ? "runuser -u postgres --" : "", bin, dir, dir,
             strcmp(action, "stop") == 0 ? "-m fast" : "", action);
    return system(cmd);
}

static void test_server_restart_heals_pool_and_breaker(void **state)
{
    world w;
    fetched f = {0};
    int i, fast = 0;

    (void)state;
    if (getenv("PD_CLUSTER_DIR") == NULL)
        fail_msg("PD_CLUSTER_DIR is not set: run through tests/run.sh");
    world_up(&w, NULL, 3, 300);
    fetch(&w, "SELECT 'up'", &f);
    run_until(&w.loop, &f.done, 20);
    assert_false(pd_error_isset(&f.err));
    fetched_clear(&f);
    assert_int_equal(pg_ctl("stop"), 0);
    /* Load while the server is away: connection failures, then the
     * breaker opens and calls fail fast. */
    for (i = 0; i < 8; i++) {
        fetch(&w, "SELECT 1", &f);
        run_until(&w.loop, &f.done, 30);
        assert_true(pd_error_isset(&f.err));
        if (f.err.kind == PD_ERR_CIRCUIT_OPEN)
            fast++;
        fetched_clear(&f);
    }
    assert_true(fast >= 1);
    assert_true(pd_breaker_stats_get(w.breaker).opens >= 1);
    assert_int_equal(pg_ctl("start"), 0);
    /* After the cool-down a probe gets through and closes the breaker. */
    for (i = 0; i < 100; i++) {
        fetch(&w, "SELECT 'back'", &f);
        run_until(&w.loop, &f.done, 30);
        if (!pd_error_isset(&f.err))
            break;
        fetched_clear(&f);
        spin(&w.loop, 100);
    }
    assert_false(pd_error_isset(&f.err));
    assert_string_equal(pd_result_value(f.res, 0, 0), "back");
    assert_int_equal(pd_breaker_state_get(w.breaker), PD_BREAKER_CLOSED);
    fetched_clear(&f);
    world_down(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_killed_read_is_retried),
        cmocka_unit_test(test_killed_write_is_not_retried),
        cmocka_unit_test(test_breaker_fails_fast_on_dead_server),
        cmocka_unit_test(test_server_restart_heals_pool_and_breaker),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
