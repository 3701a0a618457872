/* test_batch.c: pipeline mode on a connection, executemany (pd_batch) and
 * the load generator (pd_bench) against a real server. No timing is
 * asserted: the bench is checked for counts and sane numbers only. */
#include "tests/integ/integ.h"

#include <stdio.h>

#include "core/batch.h"
#include "core/bench.h"
#include "core/conn.h"
#include "core/query.h"
#include "core/result.h"

typedef struct world {
    uv_loop_t loop;
    pd_conninfo *ci;
    pd_pool *pool;
} world;

static void world_up(world *w, int max)
{
    uv_loop_init(&w->loop);
    w->ci = env_conninfo();
    w->pool = make_pool(&w->loop, w->ci, 0, max, 5000);
}

static void world_down(world *w)
{
    pd_pool_free(w->pool);
    drain_loop(&w->loop);
    pd_conninfo_free(w->ci);
}

/* Runs sql on the pool and returns its first value (static buffer). */
static const char *q1(world *w, const char *sql)
{
    static char buf[256];
    fetched f = {0};
    pd_query_opts o = {.flags = PD_QUERY_SIMPLE};

    assert_int_equal(pd_query_fetch(w->pool, sql, 0, NULL, &o, on_fetch, &f),
                     0);
    run_until(&w->loop, &f.done, 20);
    if (pd_error_isset(&f.err))
        fail_msg("%s: %s", sql, f.err.message);
    buf[0] = '\0';
    if (f.res != NULL && pd_result_has_rows(f.res) &&
        pd_result_nrows(f.res) > 0 && pd_result_value(f.res, 0, 0) != NULL)
        snprintf(buf, sizeof(buf), "%s", pd_result_value(f.res, 0, 0));
    fetched_clear(&f);
    return buf;
}

typedef struct acquired {
    int done;
    pd_conn *conn;
} acquired;

static void on_acquire(pd_conn *conn, const pd_error *err, void *ctx)
{
    acquired *a = ctx;

    assert_null(err);
    a->conn = conn;
    a->done = 1;
}

static pd_conn *take_conn(world *w)
{
    acquired a = {0};

    assert_int_equal(pd_pool_acquire(w->pool, 0, on_acquire, &a), 0);
    run_until(&w->loop, &a.done, 20);
    return a.conn;
}

/* ---- pipeline mode ---- */

typedef struct piped {
    ExecStatusType st[8];   /* first result's status per command */
    int nres[8];            /* results per command */
    int cmd_done[8];        /* cmd_done calls per command */
    char val[8][16];        /* first value per command */
    int nsync;
    bool aborted[4];
    int done;
    bool failed;
} piped;

static void p_result(pd_conn *c, uint64_t seq, PGresult *res, void *ctx)
{
    piped *p = ctx;

    (void)c;
    assert_true(seq < 8);
    if (p->nres[seq]++ == 0) {
        p->st[seq] = PQresultStatus(res);
        if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0)
            snprintf(p->val[seq], sizeof(p->val[seq]), "%s",
                     PQgetvalue(res, 0, 0));
    }
    PQclear(res);
}

static void p_cmd_done(pd_conn *c, uint64_t seq, void *ctx)
{
    piped *p = ctx;

    (void)c;
    p->cmd_done[seq]++;
}

static void p_sync(pd_conn *c, bool aborted, void *ctx)
{
    piped *p = ctx;

    (void)c;
    p->aborted[p->nsync++] = aborted;
}

static void p_done(pd_conn *c, const pd_error *err, void *ctx)
{
    piped *p = ctx;

    (void)c;
    p->failed = err != NULL;
    p->done = 1;
}

static const pd_conn_pipe_ops p_ops = {
    .result = p_result,
    .cmd_done = p_cmd_done,
    .sync = p_sync,
    .done = p_done,
};

static void push(pd_conn *c, const char *sql, const char *param,
                 uint64_t want_seq)
{
    pd_conn_cmd cmd;
    pd_error err = PD_ERROR_INIT;
    const char *params[1] = {param};
    uint64_t seq = 99;

    memset(&cmd, 0, sizeof(cmd));
    cmd.kind = PD_CMD_PARAMS;
    cmd.sql = sql;
    cmd.nparams = param != NULL ? 1 : 0;
    cmd.params = params;
    assert_int_equal(pd_conn_pipeline_push(c, &cmd, &seq, &err), 0);
    assert_int_equal(seq, want_seq);
}

/* Results come back per command, an error skips the rest up to its sync
 * point only, and afterwards the connection is idle and usable. */
static void test_pipeline_results_and_reuse(void **state)
{
    world w;
    pd_conn *c;
    piped p;
    pd_error err = PD_ERROR_INIT;
    fetched f = {0};

    (void)state;
    memset(&p, 0, sizeof(p));
    world_up(&w, 1);
    c = take_conn(&w);
    assert_int_equal(pd_conn_pipeline_begin(c, 10000, &p_ops, &p, &err), 0);
    assert_int_equal(pd_conn_state_get(c), PD_CONN_PIPELINE);
    assert_false(pd_conn_is_idle(c));
    push(c, "SELECT 1", NULL, 0);
    push(c, "SELECT 1/0", NULL, 1);
    push(c, "SELECT 2", NULL, 2);
    assert_int_equal(pd_conn_pipeline_sync(c, &err), 0);
    push(c, "SELECT $1::int + 1", "41", 3);
    assert_int_equal(pd_conn_pipeline_pending(c), 4);
    assert_int_equal(pd_conn_pipeline_end(c), 0); /* adds the sync */
    assert_int_equal(p.done, 0);                  /* never synchronous */
    run_until(&w.loop, &p.done, 20);
    assert_false(p.failed);
    assert_int_equal(p.st[0], PGRES_TUPLES_OK);
    assert_string_equal(p.val[0], "1");
    assert_int_equal(p.st[1], PGRES_FATAL_ERROR);
    assert_int_equal(p.st[2], PGRES_PIPELINE_ABORTED);
    assert_int_equal(p.st[3], PGRES_TUPLES_OK);
    assert_string_equal(p.val[3], "42");
    for (int i = 0; i < 4; i++) {
        assert_int_equal(p.nres[i], 1);
        assert_int_equal(p.cmd_done[i], 1);
    }
    assert_int_equal(p.nsync, 2);
    assert_true(p.aborted[0]);
    assert_false(p.aborted[1]);
    assert_true(pd_conn_is_idle(c));
    assert_int_equal(pd_conn_txn_status(c), PQTRANS_IDLE);
    assert_int_equal(PQpipelineStatus(pd_conn_pg(c)), PQ_PIPELINE_OFF);

    /* The same connection, in normal mode, then in a pipeline again. */
    assert_int_equal(pd_query_run(c, "SELECT 'after'", 0, NULL, NULL,
                                  on_fetch, &f), 0);
    run_until(&w.loop, &f.done, 20);
    assert_false(pd_error_isset(&f.err));
    assert_string_equal(pd_result_value(f.res, 0, 0), "after");
    fetched_clear(&f);
    memset(&p, 0, sizeof(p));
    assert_int_equal(pd_conn_pipeline_begin(c, 0, &p_ops, &p, &err), 0);
    assert_int_equal(pd_conn_pipeline_end(c), 0); /* empty pipeline */
    run_until(&w.loop, &p.done, 20);
    assert_false(p.failed);
    assert_true(pd_conn_is_idle(c));
    pd_pool_release(w.pool, c);
    assert_string_equal(q1(&w, "SELECT 7"), "7");
    world_down(&w);
}

/* A backend killed in the middle of a pipeline ends it with an error; the
 * connection is broken, and the pool replaces it. */
static void test_pipeline_broken_cleanly(void **state)
{
    world w;
    pd_conn *c;
    piped p;
    pd_error err = PD_ERROR_INIT;
    char pid[32], sql[96];

    (void)state;
    memset(&p, 0, sizeof(p));
    world_up(&w, 2);
    c = take_conn(&w);
    snprintf(pid, sizeof(pid), "%d", PQbackendPID(pd_conn_pg(c)));
    assert_int_equal(pd_conn_pipeline_begin(c, 0, &p_ops, &p, &err), 0);
    push(c, "SELECT pg_sleep(30)", NULL, 0);
    assert_int_equal(pd_conn_pipeline_sync(c, &err), 0);
    snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%s)", pid);
    assert_string_equal(q1(&w, sql), "t");
    run_until(&w.loop, &p.done, 20);
    assert_true(p.failed);
    assert_int_equal(pd_conn_state_get(c), PD_CONN_BROKEN);
    pd_pool_release(w.pool, c); /* closed, not reused */
    assert_string_equal(q1(&w, "SELECT 8"), "8");
    world_down(&w);
}

/* ---- executemany ---- */

typedef struct batched {
    int done;
    pd_batch_result res;
    pd_error err;
} batched;

static void on_batch(const pd_batch_result *res, const pd_error *err,
                     void *ctx)
{
    batched *b = ctx;

    b->res = *res;
    if (err != NULL)
        pd_error_copy(&b->err, err);
    b->done = 1;
}

/* rows x 2 values: (i, "name-i"), with key `dup_at`'s key repeating 1. */
static const char **make_rows(size_t n, size_t dup_at, char **store)
{
    const char **v = calloc(n * 2, sizeof(char *));
    size_t i;

    *store = calloc(n, 64);
    for (i = 0; i < n; i++) {
        char *a = *store + i * 64, *b = a + 24;
        snprintf(a, 24, "%zu", i + 1 == dup_at ? (size_t)1 : i + 1);
        snprintf(b, 40, "name-%zu", i + 1);
        v[2 * i] = a;
        v[2 * i + 1] = b;
    }
    return v;
}

static void run_batch(world *w, const char *sql, size_t n,
                      const char *const *vals, batched *b)
{
    memset(b, 0, sizeof(*b));
    assert_int_equal(pd_batch_run(w->pool, sql, n, 2, vals, NULL, on_batch,
                                  b), 0);
    assert_int_equal(b->done, 0);
    run_until(&w->loop, &b->done, 60);
}

static void test_batch_inserts_all_in_one_round_trip(void **state)
{
    world w;
    batched b;
    char *store;
    const char **v = make_rows(1000, 0, &store);

    (void)state;
    world_up(&w, 2);
    q1(&w, "DROP TABLE IF EXISTS pd_batch_t; "
           "CREATE TABLE pd_batch_t (id int PRIMARY KEY, name text)");
    run_batch(&w, "INSERT INTO pd_batch_t VALUES ($1, $2)", 1000, v, &b);
    if (pd_error_isset(&b.err))
        fail_msg("batch: %s", b.err.message);
    assert_int_equal(b.res.rows, 1000);
    assert_int_equal(b.res.affected, 1000);
    assert_int_equal(b.res.failed_row, 0);
    assert_int_equal(b.res.round_trips, 1);
    assert_string_equal(q1(&w, "SELECT count(*) FROM pd_batch_t"), "1000");
    assert_string_equal(q1(&w, "SELECT name FROM pd_batch_t WHERE id = 734"),
                        "name-734");
    /* Again on a connection that has the statement cached: still one. */
    q1(&w, "TRUNCATE pd_batch_t");
    run_batch(&w, "INSERT INTO pd_batch_t VALUES ($1, $2)", 1000, v, &b);
    assert_false(pd_error_isset(&b.err));
    assert_int_equal(b.res.round_trips, 1);
    assert_string_equal(q1(&w, "SELECT count(*) FROM pd_batch_t"), "1000");
    q1(&w, "DROP TABLE pd_batch_t");
    free(v);
    free(store);
    world_down(&w);
}

static void test_batch_bad_row_inserts_nothing(void **state)
{
    world w;
    batched b;
    char *store;
    const char **v = make_rows(100, 17, &store);

    (void)state;
    world_up(&w, 1);
    q1(&w, "DROP TABLE IF EXISTS pd_batch_t; "
           "CREATE TABLE pd_batch_t (id int PRIMARY KEY, name text)");
    run_batch(&w, "INSERT INTO pd_batch_t VALUES ($1, $2)", 100, v, &b);
    assert_true(pd_error_isset(&b.err));
    assert_int_equal(b.err.kind, PD_ERR_SERVER);
    assert_string_equal(b.err.sqlstate, "23505");
    assert_int_equal(b.res.failed_row, 17);
    assert_int_equal(b.res.rows, 0);
    assert_true(strncmp(b.err.message, "row 17: ", 8) == 0);
    assert_non_null(b.err.full);
    assert_true(strncmp(b.err.full, "row 17: ERROR:", 14) == 0);
    pd_error_clear(&b.err);
    assert_string_equal(q1(&w, "SELECT count(*) FROM pd_batch_t"), "0");

    /* A value the type rejects is named too, and the (one) connection of
     * the pool is fine afterwards. */
    v[2 * 4] = "five";
    run_batch(&w, "INSERT INTO pd_batch_t VALUES ($1, $2)", 10, v, &b);
    assert_int_equal(b.res.failed_row, 5);
    assert_string_equal(b.err.sqlstate, "22P02");
    pd_error_clear(&b.err);
    v[2 * 4] = "5";
    run_batch(&w, "INSERT INTO pd_batch_t VALUES ($1, $2)", 10, v, &b);
    assert_false(pd_error_isset(&b.err));
    assert_string_equal(q1(&w, "SELECT count(*) FROM pd_batch_t"), "10");

    /* A statement that does not parse is not a row's fault. */
    run_batch(&w, "INSERT INTO pd_no_such_table VALUES ($1, $2)", 10, v, &b);
    assert_string_equal(b.err.sqlstate, "42P01");
    assert_int_equal(b.res.failed_row, 0);
    pd_error_clear(&b.err);
    q1(&w, "DROP TABLE pd_batch_t");
    free(v);
    free(store);
    world_down(&w);
}

/* Statements of every shape: multi-row INSERTs with expressions and a
 * column list in another order, one row per statement when asked or when
 * the INSERT has a RETURNING, an UPDATE; NULLs go through as NULLs. */
static void test_batch_shapes(void **state)
{
    world w;
    batched b;
    char *store;
    const char **v = make_rows(300, 0, &store);
    pd_batch_opts plain = {.flags = PD_BATCH_PLAIN};

    (void)state;
    world_up(&w, 1);
    v[2 * 9 + 1] = NULL; /* row 10's name */
    q1(&w, "DROP TABLE IF EXISTS pd_batch_t; "
           "CREATE TABLE pd_batch_t (id int PRIMARY KEY, name text, "
           "note text DEFAULT 'd')");
    run_batch(&w, "insert into public.pd_batch_t (name, id) "
                  "values (upper($2), $1 * 10) -- ten times\n;",
              300, v, &b);
    if (pd_error_isset(&b.err))
        fail_msg("batch: %s", b.err.message);
    assert_int_equal(b.res.affected, 300);
    assert_string_equal(q1(&w, "SELECT count(*) FROM pd_batch_t"), "300");
    assert_string_equal(q1(&w, "SELECT name || note FROM pd_batch_t "
                               "WHERE id = 2990"), "NAME-299d");
    assert_string_equal(q1(&w, "SELECT count(*) FROM pd_batch_t "
                               "WHERE name IS NULL AND id = 100"), "1");

    memset(&b, 0, sizeof(b));
    assert_int_equal(pd_batch_run(w.pool, "UPDATE pd_batch_t SET note = $2 "
                                          "WHERE id = $1 * 10", 300, 2,
                                  v, NULL, on_batch, &b), 0);
    run_until(&w.loop, &b.done, 60);
    assert_false(pd_error_isset(&b.err));
    assert_int_equal(b.res.affected, 300);
    assert_string_equal(q1(&w, "SELECT note FROM pd_batch_t WHERE id = 70"),
                        "name-7");

    q1(&w, "TRUNCATE pd_batch_t");
    memset(&b, 0, sizeof(b));
    assert_int_equal(pd_batch_run(w.pool, "INSERT INTO pd_batch_t VALUES "
                                          "($1, $2)", 300, 2, v, &plain,
                                  on_batch, &b), 0);
    run_until(&w.loop, &b.done, 60);
    assert_false(pd_error_isset(&b.err));
    assert_int_equal(b.res.round_trips, 1);
    assert_int_equal(b.res.affected, 300);
    run_batch(&w, "INSERT INTO pd_batch_t VALUES ($1 + 1000, $2) "
                  "RETURNING id", 300, v, &b);
    assert_false(pd_error_isset(&b.err));
    assert_int_equal(b.res.affected, 300);
    assert_string_equal(q1(&w, "SELECT count(*) FROM pd_batch_t"), "600");
    q1(&w, "DROP TABLE pd_batch_t");
    free(v);
    free(store);
    world_down(&w);
}

/* On a held connection inside a transaction, a failed batch undoes only
 * itself: the transaction goes on with what it did before. */
static void test_batch_in_transaction_is_a_savepoint(void **state)
{
    world w;
    pd_conn *c;
    batched b;
    fetched f = {0};
    char *store;
    const char **v = make_rows(20, 9, &store);
    pd_query_opts simple = {.flags = PD_QUERY_SIMPLE};

    (void)state;
    world_up(&w, 2);
    q1(&w, "DROP TABLE IF EXISTS pd_batch_s; "
           "CREATE TABLE pd_batch_s (id int PRIMARY KEY, name text)");
    c = take_conn(&w);
    assert_int_equal(pd_query_run(c, "BEGIN; INSERT INTO pd_batch_s VALUES "
                                     "(1000, 'before')", 0, NULL, &simple,
                                  on_fetch, &f), 0);
    run_until(&w.loop, &f.done, 20);
    fetched_clear(&f);
    memset(&b, 0, sizeof(b));
    assert_int_equal(pd_batch_run_on(c, "INSERT INTO pd_batch_s VALUES "
                                        "($1, $2)", 20, 2, v, NULL,
                                     on_batch, &b), 0);
    run_until(&w.loop, &b.done, 20);
    assert_int_equal(b.res.failed_row, 9);
    pd_error_clear(&b.err);
    assert_true(pd_conn_is_idle(c));
    assert_int_equal(pd_conn_txn_status(c), PQTRANS_INTRANS);
    v[2 * 8] = "9";
    memset(&b, 0, sizeof(b));
    assert_int_equal(pd_batch_run_on(c, "INSERT INTO pd_batch_s VALUES "
                                        "($1, $2)", 20, 2, v, NULL,
                                     on_batch, &b), 0);
    run_until(&w.loop, &b.done, 20);
    assert_false(pd_error_isset(&b.err));
    assert_int_equal(pd_conn_txn_status(c), PQTRANS_INTRANS);
    assert_int_equal(pd_query_run(c, "COMMIT", 0, NULL, &simple, on_fetch,
                                  &f), 0);
    run_until(&w.loop, &f.done, 20);
    fetched_clear(&f);
    pd_pool_release(w.pool, c);
    assert_string_equal(q1(&w, "SELECT count(*) FROM pd_batch_s"), "21");
    q1(&w, "DROP TABLE pd_batch_s");
    free(v);
    free(store);
    world_down(&w);
}

/* ---- the load generator ---- */

typedef struct benched {
    int done;
    pd_bench_result res;
    pd_error err;
} benched;

static void on_bench(const pd_bench_result *res, const pd_error *err,
                     void *ctx)
{
    benched *b = ctx;

    b->res = *res;
    if (err != NULL)
        pd_error_copy(&b->err, err);
    b->done = 1;
}

static void bench(world *w, pd_bench_opts *o, benched *b)
{
    pd_error err = PD_ERROR_INIT;

    memset(b, 0, sizeof(*b));
    if (pd_bench_run(&w->loop, w->pool, o, on_bench, b, &err) != 0)
        fail_msg("bench: %s", err.message);
    assert_int_equal(b->done, 0);
    run_until(&w->loop, &b->done, 60);
    if (pd_error_isset(&b->err))
        fail_msg("bench: %s", b->err.message);
}

/* Sane numbers: the exact count, positive rate, ordered quantiles. */
static void check_sane(const benched *b, uint64_t queries, uint64_t ops)
{
    const pd_histogram *h = &b->res.latency;

    assert_int_equal(b->res.queries, queries);
    assert_int_equal(b->res.ops, ops);
    assert_int_equal(b->res.errors, 0);
    assert_true(b->res.seconds > 0);
    assert_true(b->res.qps > 0);
    assert_int_equal(h->count, ops);
    assert_true(pd_histogram_quantile(h, 0.5) <= pd_histogram_quantile(h,
                                                                       0.99));
    assert_true(pd_histogram_quantile(h, 0.99) <= h->max_us);
    assert_true(h->max_us > 0);
}

static void test_bench_counts(void **state)
{
    world w;
    benched b;
    pd_bench_param p = {1, 100};
    pd_bench_opts o;

    (void)state;
    world_up(&w, 4);
    memset(&o, 0, sizeof(o));
    o.clients = 3;
    o.ops = 300;
    o.sql = "SELECT $1::int";
    o.nparams = 1;
    o.params = &p;
    bench(&w, &o, &b);
    check_sane(&b, 300, 300);

    o.pipeline = 7; /* 300 is not a multiple: the last round is short */
    bench(&w, &o, &b);
    check_sane(&b, 300, 300);

    o.pipeline = 1;
    o.mode = PD_BENCH_POOL;
    o.ops = 50;
    o.warmup = 1;
    bench(&w, &o, &b);
    check_sane(&b, 50, 50);

    q1(&w, "DROP TABLE IF EXISTS pd_bench_b; "
           "CREATE TABLE pd_bench_b (a int, b text)");
    o.mode = PD_BENCH_BATCH;
    o.sql = "INSERT INTO pd_bench_b VALUES ($1, $2)";
    {
        pd_bench_param two[2] = {{1, 1000}, {5, 5}};
        o.params = two;
        o.nparams = 2;
        o.clients = 2;
        o.ops = 4;
        o.batch_rows = 50;
        bench(&w, &o, &b);
    }
    check_sane(&b, 200, 4);
    /* 4 timed batches plus one warm-up batch per client. */
    assert_string_equal(q1(&w, "SELECT count(*) FROM pd_bench_b"), "300");
    assert_string_equal(q1(&w, "SELECT min(b) FROM pd_bench_b"), "5");
    q1(&w, "DROP TABLE pd_bench_b");

    o.mode = PD_BENCH_GATHER;
    o.sql = "SELECT pg_sleep(0.001)";
    o.nparams = 0;
    o.params = NULL;
    o.clients = 3;
    o.ops = 5;
    bench(&w, &o, &b);
    check_sane(&b, 15, 5);

    /* A duration instead of a count. */
    memset(&o, 0, sizeof(o));
    o.clients = 2;
    o.duration_ms = 300;
    bench(&w, &o, &b);
    assert_true(b.res.queries > 0);
    assert_int_equal(b.res.errors, 0);
    assert_true(b.res.seconds >= 0.29);
    world_down(&w);
}

static void test_bench_refuses_and_reports(void **state)
{
    world w;
    benched b;
    pd_bench_opts o;
    pd_error err = PD_ERROR_INIT;
    pd_bench_param p;

    (void)state;
    world_up(&w, 2);
    memset(&o, 0, sizeof(o));
    o.clients = 3; /* more than the pool allows */
    o.ops = 10;
    assert_int_equal(pd_bench_run(&w.loop, w.pool, &o, on_bench, &b, &err),
                     PD_EINVAL);
    pd_error_clear(&err);
    o.clients = 2;
    o.duration_ms = 100; /* both a duration and a count */
    assert_int_equal(pd_bench_run(&w.loop, w.pool, &o, on_bench, &b, &err),
                     PD_EINVAL);
    pd_error_clear(&err);
    /* A statement that fails to prepare ends the run with its error. */
    o.duration_ms = 0;
    o.sql = "SELECT * FROM pd_no_such_table";
    memset(&b, 0, sizeof(b));
    assert_int_equal(pd_bench_run(&w.loop, w.pool, &o, on_bench, &b, &err),
                     0);
    run_until(&w.loop, &b.done, 20);
    assert_string_equal(b.err.sqlstate, "42P01");
    assert_int_equal(b.res.queries, 0);
    pd_error_clear(&b.err);
    assert_string_equal(q1(&w, "SELECT 9"), "9");

    assert_int_equal(pd_bench_param_parse("random:1:100000", &p), 0);
    assert_int_equal(p.lo, 1);
    assert_int_equal(p.hi, 100000);
    assert_int_equal(pd_bench_param_parse("random:-5:-1", &p), 0);
    assert_int_equal(p.lo, -5);
    assert_int_equal(pd_bench_param_parse("random:5:1", &p), PD_EINVAL);
    assert_int_equal(pd_bench_param_parse("seq:1:2", &p), PD_EINVAL);
    assert_int_equal(pd_bench_param_parse("random:1", &p), PD_EINVAL);
    world_down(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pipeline_results_and_reuse),
        cmocka_unit_test(test_pipeline_broken_cleanly),
        cmocka_unit_test(test_batch_inserts_all_in_one_round_trip),
        cmocka_unit_test(test_batch_bad_row_inserts_nothing),
        cmocka_unit_test(test_batch_shapes),
        cmocka_unit_test(test_batch_in_transaction_is_a_savepoint),
        cmocka_unit_test(test_bench_counts),
        cmocka_unit_test(test_bench_refuses_and_reports),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
