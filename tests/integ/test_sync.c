/* test_sync.c: refresh-all against a real server. */
#include "tests/integ/integ.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/locks.h"
#include "core/query.h"
#include "core/sync.h"

typedef struct world {
    uv_loop_t loop;
    pd_conninfo *ci;
    pd_pool *pool;
    pd_locks *locks;
    pd_retry_stats stats;
    char dir[64];
} world;

static void world_up(world *w)
{
    memset(w, 0, sizeof(*w));
    uv_loop_init(&w->loop);
    w->ci = env_conninfo();
    w->pool = make_pool(&w->loop, w->ci, 0, 6, 10000);
    w->locks = pd_locks_new(&w->loop);
    pd_retry_stats_reset(&w->stats);
    snprintf(w->dir, sizeof(w->dir), "/tmp/pd-sync-XXXXXX");
    assert_non_null(mkdtemp(w->dir));
}

static void world_down(world *w)
{
    char cmd[128];

    pd_locks_free(w->locks);
    pd_pool_free(w->pool);
    drain_loop(&w->loop);
    pd_conninfo_free(w->ci);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", w->dir);
    assert_int_equal(system(cmd), 0);
}

/* Runs sql and returns the first value (static buffer). */
static const char *q1(world *w, const char *sql)
{
    static char buf[256];
    fetched f = {0};
    pd_query_opts simple = {.flags = PD_QUERY_SIMPLE};

    assert_int_equal(pd_query_fetch(w->pool, sql, 0, NULL, &simple, on_fetch,
                                    &f), 0);
    run_until(&w->loop, &f.done, 30);
    if (pd_error_isset(&f.err))
        fail_msg("%s: %s", sql, f.err.message);
    buf[0] = '\0';
    for (pd_result *r = f.res; r != NULL; r = pd_result_next(r))
        if (pd_result_has_rows(r) && pd_result_nrows(r) > 0)
            snprintf(buf, sizeof(buf), "%s", pd_result_value(r, 0, 0) ?
                                             pd_result_value(r, 0, 0) : "");
    fetched_clear(&f);
    return buf;
}

static void write_file(world *w, const char *name, const char *text)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", w->dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

typedef struct outcome {
    int done;
    bool ok;
    char err[1024];
    int events;
} outcome;

static void on_event(pd_sync *s, int index, void *ctx)
{
    (void)s;
    (void)index;
    ((outcome *)ctx)->events++;
}

static void on_done(pd_sync *s, bool ok, const pd_error *err, void *ctx)
{
    outcome *o = ctx;

    (void)s;
    o->ok = ok;
    if (err != NULL)
        snprintf(o->err, sizeof(o->err), "%s", err->message);
    o->done = 1;
}

static pd_sync *make_sync(world *w, const pd_sync_spec *specs, int n)
{
    pd_error err = PD_ERROR_INIT;
    pd_sync *s = pd_sync_new(&w->loop, w->pool, w->locks, &w->stats, specs,
                             n, w->dir, 4, &err);

    if (s == NULL)
        fail_msg("pd_sync_new: %s", err.message);
    return s;
}

static void refresh(world *w, pd_sync *s, outcome *o)
{
    pd_error err = PD_ERROR_INIT;

    memset(o, 0, sizeof(*o));
    assert_int_equal(pd_sync_run_all(s, on_event, on_done, o, &err), 0);
    run_until(&w->loop, &o->done, 60);
}

static int find(const pd_sync *s, const char *name)
{
    int i;

    for (i = 0; i < pd_sync_count(s); i++)
        if (strcmp(pd_sync_status_get(s, i).name, name) == 0)
            return i;
    return -1;
}

static void setup_tables(world *w)
{
    q1(w, "DROP TABLE IF EXISTS pd_acct, pd_prices, pd_feed, pd_log;"
          "CREATE TABLE pd_acct (id int PRIMARY KEY, bal int, touched int);"
          "INSERT INTO pd_acct VALUES (1, 100, 0), (2, 100, 0);"
          "CREATE TABLE pd_prices (symbol text, day date, price numeric, "
          "meta jsonb, PRIMARY KEY (symbol, day));"
          "CREATE TABLE pd_feed (id int PRIMARY KEY, title text);"
          "CREATE TABLE pd_log (n int)");
}

static const char *const acct_ab[] = {
    "UPDATE pd_acct SET bal = bal - 1, touched = touched + 1 WHERE id = 1",
    "SELECT pg_sleep(0.3)",
    "UPDATE pd_acct SET bal = bal + 1, touched = touched + 1 WHERE id = 2"};
static const char *const acct_ba[] = {
    "UPDATE pd_acct SET bal = bal - 1, touched = touched + 1 WHERE id = 2",
    "SELECT pg_sleep(0.3)",
    "UPDATE pd_acct SET bal = bal + 1, touched = touched + 1 WHERE id = 1"};
static const char *const key_price[] = {"symbol", "day"};
static const char *const key_id[] = {"id"};

static void test_every_kind_and_a_real_deadlock(void **state)
{
    world w;
    pd_sync *s;
    outcome o;
    const char *feed_argv[] = {"sh", "-c", "printf '[{\"id\": 1, \"title\": "
                                           "\"one\"}, {\"id\": 2, \"title\": "
                                           "\"two\"}]'", NULL};
    pd_sync_spec specs[4];
    pd_sync_status st;

    (void)state;
    world_up(&w);
    setup_tables(&w);
    write_file(&w, "prices.json",
               "[{\"symbol\": \"A\", \"day\": \"2026-01-02\", \"price\": 1.5,"
               " \"meta\": {\"src\": [\"x\"]}},\n {\"symbol\": \"B\", \"day\":"
               " \"2026-01-02\", \"price\": 2}]");
    memset(specs, 0, sizeof(specs));
    specs[0] = (pd_sync_spec){.name = "ab", .kind = PD_SYNC_SQL,
                              .sql = acct_ab, .nsql = 3};
    specs[1] = (pd_sync_spec){.name = "ba", .kind = PD_SYNC_SQL,
                              .sql = acct_ba, .nsql = 3};
    specs[2] = (pd_sync_spec){.name = "prices", .kind = PD_SYNC_LOAD,
                              .file = "prices.json", .table = "pd_prices",
                              .key = key_price, .nkey = 2};
    specs[3] = (pd_sync_spec){.name = "feed", .kind = PD_SYNC_COMMAND,
                              .argv = feed_argv, .table = "pd_feed",
                              .key = key_id, .nkey = 1};
    s = make_sync(&w, specs, 4);
    refresh(&w, s, &o);
    assert_true(o.ok);
    /* The pair met a real deadlock: one of them was retried, and each
     * update happened exactly once. */
    assert_int_equal(w.stats.retries[PD_RETRY_CLASS_DEADLOCK], 1);
    assert_int_equal(pd_sync_status_get(s, 0).attempts +
                         pd_sync_status_get(s, 1).attempts, 3);
    assert_string_equal(q1(&w, "SELECT string_agg(bal || ':' || touched, "
                               "',' ORDER BY id) FROM pd_acct"),
                        "100:2,100:2");
    assert_string_equal(q1(&w, "SELECT count(*) || ' ' || sum(price) || ' ' "
                               "|| (SELECT meta->'src'->>0 FROM pd_prices "
                               "WHERE symbol = 'A') FROM pd_prices"),
                        "2 3.5 x");
    assert_string_equal(q1(&w, "SELECT string_agg(title, ',' ORDER BY id) "
                               "FROM pd_feed"), "one,two");
    st = pd_sync_status_get(s, find(s, "prices"));
    assert_int_equal(st.state, PD_SYNC_OK);
    assert_int_equal(st.rows, 2);
    /* A second refresh upserts: the same rows, no duplicates. */
    refresh(&w, s, &o);
    assert_true(o.ok);
    assert_string_equal(q1(&w, "SELECT count(*) FROM pd_prices"), "2");
    pd_sync_free(s);
    q1(&w, "DROP TABLE pd_acct, pd_prices, pd_feed, pd_log");
    world_down(&w);
}

static void test_failures_are_contained(void **state)
{
    world w;
    pd_sync *s;
    outcome o;
    const char *hang[] = {"sleep", "30", NULL};
    const char *badjson[] = {"sh", "-c", "echo '[{\"id\": 1'", NULL};
    static const char *const good[] = {"INSERT INTO pd_log VALUES (1)"};
    static const char *const failing[] = {
        "INSERT INTO pd_log VALUES (2)", "SELECT 1/0"};
    static const char *const after_a[] = {
        "INSERT INTO pd_log SELECT count(*) * 10 FROM pd_log"};
    static const char *const deps_a[] = {"good"};
    static const char *const deps_fail[] = {"failing"};
    pd_sync_spec specs[6];
    pd_error err = PD_ERROR_INIT;

    (void)state;
    world_up(&w);
    setup_tables(&w);
    memset(specs, 0, sizeof(specs));
    specs[0] = (pd_sync_spec){.name = "good", .kind = PD_SYNC_SQL,
                              .sql = good, .nsql = 1};
    specs[1] = (pd_sync_spec){.name = "failing", .kind = PD_SYNC_SQL,
                              .sql = failing, .nsql = 2};
    specs[2] = (pd_sync_spec){.name = "after", .kind = PD_SYNC_SQL,
                              .sql = after_a, .nsql = 1,
                              .depends_on = deps_a, .ndeps = 1};
    specs[3] = (pd_sync_spec){.name = "hang", .kind = PD_SYNC_COMMAND,
                              .argv = hang, .table = "pd_feed", .key = key_id,
                              .nkey = 1, .timeout_ms = 300};
    specs[4] = (pd_sync_spec){.name = "badjson", .kind = PD_SYNC_COMMAND,
                              .argv = badjson, .table = "pd_feed",
                              .key = key_id, .nkey = 1};
    specs[5] = (pd_sync_spec){.name = "skipped", .kind = PD_SYNC_SQL,
                              .sql = good, .nsql = 1,
                              .depends_on = deps_fail, .ndeps = 1};
    s = make_sync(&w, specs, 6);
    refresh(&w, s, &o);
    assert_false(o.ok);
    /* good ran, after ran after it (it saw 1 row), failing wrote nothing. */
    assert_string_equal(q1(&w, "SELECT string_agg(n::text, ',' ORDER BY n) "
                               "FROM pd_log"), "1,10");
    assert_int_equal(pd_sync_status_get(s, 1).state, PD_SYNC_FAILED);
    assert_non_null(strstr(pd_sync_status_get(s, 1).error, "division by zero"));
    assert_int_equal(pd_sync_status_get(s, 3).state, PD_SYNC_FAILED);
    assert_non_null(strstr(pd_sync_status_get(s, 3).error, "timeout of 300"));
    assert_int_equal(pd_sync_status_get(s, 4).state, PD_SYNC_FAILED);
    assert_non_null(strstr(pd_sync_status_get(s, 4).error, "job badjson: "));
    assert_int_equal(pd_sync_status_get(s, 5).state, PD_SYNC_SKIPPED);
    assert_string_equal(q1(&w, "SELECT count(*) FROM pd_feed"), "0");
    /* Only one refresh-all at a time. */
    memset(&o, 0, sizeof(o));
    assert_int_equal(pd_sync_run_all(s, NULL, on_done, &o, &err), 0);
    assert_int_not_equal(pd_sync_run_all(s, NULL, on_done, &o, &err), 0);
    assert_non_null(strstr(err.message, "already running"));
    pd_error_clear(&err);
    run_until(&w.loop, &o.done, 60);
    pd_sync_free(s);
    q1(&w, "DROP TABLE pd_acct, pd_prices, pd_feed, pd_log");
    world_down(&w);
}

static void expect_bad(world *w, const char *file_text, const char *table,
                       const char *want)
{
    pd_sync *s;
    outcome o;
    static const char *const good[] = {"INSERT INTO pd_log VALUES (7)"};
    pd_sync_spec specs[2];

    if (file_text != NULL)
        write_file(w, "in.json", file_text);
    else
        unlink("in.json");
    memset(specs, 0, sizeof(specs));
    specs[0] = (pd_sync_spec){.name = "fine", .kind = PD_SYNC_SQL,
                              .sql = good, .nsql = 1};
    specs[1] = (pd_sync_spec){.name = "prices", .kind = PD_SYNC_LOAD,
                              .file = file_text ? "in.json" : "missing.json",
                              .table = table, .key = key_price, .nkey = 2};
    s = make_sync(w, specs, 2);
    refresh(w, s, &o);
    assert_false(o.ok);
    if (strstr(o.err, want) == NULL)
        fail_msg("expected \"%s\" in \"%s\"", want, o.err);
    /* Nothing ran: not even the job with nothing wrong. */
    assert_string_equal(q1(w, "SELECT count(*) FROM pd_log"), "0");
    pd_sync_free(s);
}

static void test_bad_input_stops_everything_first(void **state)
{
    world w;
    pd_error err = PD_ERROR_INIT;
    static const char *const deps_x[] = {"nope"};
    static const char *const one[] = {"SELECT 1"};
    pd_sync_spec spec = {.name = "x", .kind = PD_SYNC_SQL, .sql = one,
                         .nsql = 1, .depends_on = deps_x, .ndeps = 1};

    (void)state;
    world_up(&w);
    setup_tables(&w);
    expect_bad(&w, NULL, "pd_prices", "job prices: missing.json: No such file");
    expect_bad(&w, "{\"a\": 1}", "pd_prices",
               "job prices: in.json:1:1: expected an array of objects");
    expect_bad(&w, "[{\"symbol\": \"A\", \"day\": \"2026-01-01\"},\n"
                   " {\"symbol\": \"B\"}]", "pd_prices",
               "job prices: in.json:2:2: element 2: missing key column "
               "\"day\"");
    expect_bad(&w, "[{\"symbol\": \"A\", \"day\": \"2026-01-01\"}]",
               "pd_nosuch", "job prices: unknown table \"pd_nosuch\"");
    expect_bad(&w, "[{\"symbol\": \"A\", \"day\": \"2026-01-01\", "
                   "\"colour\": 1}]", "pd_prices",
               "job prices: column \"colour\" is not in table pd_prices");
    assert_null(pd_sync_new(&w.loop, w.pool, w.locks, NULL, &spec, 1, NULL, 0,
                            &err));
    assert_non_null(strstr(err.message, "depends on \"nope\""));
    pd_error_clear(&err);
    q1(&w, "DROP TABLE pd_acct, pd_prices, pd_feed, pd_log");
    world_down(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind_and_a_real_deadlock),
        cmocka_unit_test(test_failures_are_contained),
        cmocka_unit_test(test_bad_input_stops_everything_first),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
