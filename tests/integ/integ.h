/* integ.h: helpers for integration tests against the harness's cluster.
 *
 * The cluster comes from libpq's PG* environment set by tests/run.sh. Each
 * wait runs the loop until a condition holds, bounded by a guard timer so a
 * bug fails the test instead of hanging it (the bound is a hang guard, not a
 * timing assertion). */
#ifndef PD_TEST_INTEG_H
#define PD_TEST_INTEG_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "core/conninfo.h"
#include "core/error.h"
#include "core/pool.h"
#include "core/query.h"
#include "core/result.h"

static void guard_fired(uv_timer_t *t)
{
    *(int *)t->data = 1;
}

/* Runs loop until *flag becomes non-zero or secs pass; asserts the flag. */
static inline void run_until(uv_loop_t *loop, const int *flag, int secs)
{
    uv_timer_t guard;
    int expired = 0;

    uv_timer_init(loop, &guard);
    guard.data = &expired;
    uv_timer_start(&guard, guard_fired, (uint64_t)secs * 1000, 0);
    while (!*flag && !expired)
        uv_run(loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&guard, NULL);
    uv_run(loop, UV_RUN_NOWAIT);
    assert_false(expired);
}

/* Runs the loop for ms milliseconds (a wait on the loop, not a sleep). */
static inline void spin(uv_loop_t *loop, uint64_t ms)
{
    uv_timer_t t;
    int fired = 0;

    uv_timer_init(loop, &t);
    t.data = &fired;
    uv_timer_start(&t, guard_fired, ms, 0);
    while (!fired)
        uv_run(loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&t, NULL);
    uv_run(loop, UV_RUN_NOWAIT); /* t lives on this stack */
}

/* One query's outcome, filled by on_fetch (a pd_fetch_cb). */
typedef struct fetched {
    int done;
    pd_result *res;
    pd_error err;
} fetched;

static inline void on_fetch(pd_result *res, const pd_error *err, void *ctx)
{
    fetched *f = ctx;

    f->res = res;
    if (err != NULL)
        pd_error_copy(&f->err, err);
    f->done = 1;
}

static inline void fetched_clear(fetched *f)
{
    pd_result_free(f->res);
    pd_error_clear(&f->err);
    memset(f, 0, sizeof(*f));
}

/* Waits (on the loop, bounded) until n backends run a statement whose text
 * contains pattern, so a test can act on them knowing they have started:
 * under the sanitizers connections open late. */
static inline void wait_active(uv_loop_t *loop, pd_pool *pool,
                               const char *pattern, int n)
{
    char sql[512], want[16];
    const char *params[1];
    int i;

    snprintf(sql, sizeof(sql),
             "SELECT count(*)::text FROM pg_stat_activity WHERE state = "
             "'active' AND pid <> pg_backend_pid() AND query LIKE '%%' || "
             "$1 || '%%'");
    snprintf(want, sizeof(want), "%d", n);
    params[0] = pattern;
    for (i = 0; i < 200; i++) {
        fetched f = {0};
        bool enough;
        assert_int_equal(pd_query_fetch(pool, sql, 1, params, NULL, on_fetch,
                                        &f), 0);
        run_until(loop, &f.done, 10);
        enough = f.res != NULL &&
                 atoi(pd_result_value(f.res, 0, 0)) >= n;
        fetched_clear(&f);
        if (enough)
            return;
        spin(loop, 50);
    }
    fail_msg("fewer than %s backends ever ran \"%s\"", want, pattern);
}

/* Closes the loop after a pool was freed, running it until nothing is
 * left: close callbacks, and requests still on the thread pool (a cancel
 * sent by a command timeout can still be travelling). Bounded. */
static inline void drain_loop(uv_loop_t *loop)
{
    int i;

    for (i = 0; i < 1000; i++) {
        if (uv_loop_close(loop) == 0)
            return;
        uv_run(loop, uv_loop_alive(loop) ? UV_RUN_ONCE : UV_RUN_NOWAIT);
    }
    fail_msg("the loop still has handles or requests after draining");
}

static inline pd_conninfo *env_conninfo(void)
{
    pd_error err = PD_ERROR_INIT;
    pd_conninfo *ci = pd_conninfo_new(NULL, &err);

    assert_non_null(ci);
    return ci;
}

static inline pd_pool *make_pool(uv_loop_t *loop, const pd_conninfo *ci,
                                 int min, int max, uint32_t acquire_ms)
{
    pd_pool_opts o;

    memset(&o, 0, sizeof(o));
    o.prepare = true;
    o.command_timeout_ms = 60000;
    o.reconnect_base_ms = 100;
    o.reconnect_cap_ms = 10000;
    o.min = min;
    o.max = max;
    o.acquire_timeout_ms = acquire_ms;
    o.connect_timeout_ms = 5000;
    return pd_pool_new(loop, ci, &o);
}

#endif
