/* test_txn.c: transactions against a real server: commit, rollback on the
 * first error, isolation and access modes really applied, abort and
 * command timeouts rolling back, and pd_txn_run's whole-transaction
 * retries: a real deadlock, a real serialization failure, a connection
 * killed before COMMIT (retried) and one killed during COMMIT (outcome
 * unknown, never retried). Every choreography step waits for a state the
 * server reports (pg_stat_activity, a client-side barrier), never for a
 * guessed delay. */
#include "tests/integ/integ.h"

#include <stdio.h>

#include "core/query.h"
#include "core/result.h"
#include "core/retry.h"
#include "core/txn.h"

typedef struct world {
    uv_loop_t loop;
    pd_conninfo *ci;
    pd_pool *pool;
    pd_retry_stats stats;
} world;

static void world_up(world *w, int max)
{
    uv_loop_init(&w->loop);
    w->ci = env_conninfo();
    w->pool = make_pool(&w->loop, w->ci, 0, max, 5000);
    pd_retry_stats_reset(&w->stats);
}

/* Runs the loop until nothing is left in it (a cancel request that a
 * command timeout sent may still be on the thread pool), for at most
 * 10 s: drain_loop only takes what is ready now. */
static void settle(uv_loop_t *loop)
{
    uv_timer_t guard;
    int expired = 0;

    uv_timer_init(loop, &guard);
    guard.data = &expired;
    uv_timer_start(&guard, guard_fired, 10000, 0);
    uv_unref((uv_handle_t *)&guard);
    while (uv_loop_alive(loop) && !expired)
        uv_run(loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&guard, NULL);
    assert_false(expired);
}

static void world_down(world *w)
{
    pd_pool_free(w->pool);
    settle(&w->loop);
    drain_loop(&w->loop);
    pd_conninfo_free(w->ci);
}

/* One awaited call's outcome. */
typedef struct step {
    int done;
    pd_txn *t;
    pd_result *res;
    pd_error err;
} step;

static void on_step_begin(pd_txn *t, const pd_error *err, void *ctx)
{
    step *s = ctx;

    s->t = t;
    if (err != NULL)
        pd_error_copy(&s->err, err);
    s->done = 1;
}

static void on_step_rows(pd_result *res, const pd_error *err, void *ctx)
{
    step *s = ctx;

    s->res = res;
    if (err != NULL)
        pd_error_copy(&s->err, err);
    s->done = 1;
}

static void on_step_end(const pd_error *err, void *ctx)
{
    step *s = ctx;

    if (err != NULL)
        pd_error_copy(&s->err, err);
    s->done = 1;
}

/* The first value of res into buf ("" when none). */
static const char *first_value(const pd_result *res, char *buf, size_t n)
{
    buf[0] = '\0';
    if (res != NULL && pd_result_has_rows(res) && pd_result_nrows(res) > 0 &&
        pd_result_value(res, 0, 0) != NULL)
        snprintf(buf, n, "%s", pd_result_value(res, 0, 0));
    return buf;
}

/* Runs sql on the pool (autocommit); returns its first value (static). */
static const char *q1(world *w, const char *sql, int n,
                      const char *const *p)
{
    static char buf[256];
    step s = {0};
    pd_query_opts simple = {.flags = PD_QUERY_SIMPLE};

    assert_int_equal(pd_query_fetch(w->pool, sql, n, p,
                                    n == 0 ? &simple : NULL, on_step_rows,
                                    &s), 0);
    run_until(&w->loop, &s.done, 30);
    if (pd_error_isset(&s.err))
        fail_msg("%s: %s", sql, s.err.message);
    first_value(s.res, buf, sizeof(buf));
    pd_result_free(s.res);
    return buf;
}

static pd_txn *begin(world *w, const pd_txn_opts *o)
{
    step s = {0};

    assert_int_equal(pd_txn_begin(w->pool, o, on_step_begin, &s),
                     0);
    run_until(&w->loop, &s.done, 20);
    if (pd_error_isset(&s.err))
        fail_msg("begin: %s", s.err.message);
    assert_non_null(s.t);
    return s.t;
}

/* Runs sql in t and waits; returns the first value (static) and leaves
 * the error in err, or fails the test on an error when err is NULL. */
static const char *tq(world *w, pd_txn *t, const char *sql, pd_error *err)
{
    static char buf[256];
    step s = {0};

    assert_int_equal(pd_txn_query(t, sql, 0, NULL, on_step_rows, &s), 0);
    run_until(&w->loop, &s.done, 30);
    first_value(s.res, buf, sizeof(buf));
    pd_result_free(s.res);
    if (err != NULL)
        pd_error_copy(err, &s.err);
    else if (pd_error_isset(&s.err))
        fail_msg("%s: %s", sql, s.err.message);
    pd_error_clear(&s.err);
    return buf;
}

/* Ends t and waits; the end's error goes to err (cleared when none). */
static void finish_txn(world *w, pd_txn *t, bool commit, pd_error *err)
{
    step s = {0};

    if (commit)
        assert_int_equal(pd_txn_commit(t, on_step_end, &s), 0);
    else
        assert_int_equal(pd_txn_rollback(t, on_step_end, &s), 0);
    run_until(&w->loop, &s.done, 30);
    pd_error_copy(err, &s.err);
    pd_error_clear(&s.err);
}

static void assert_pool_idle(world *w)
{
    assert_int_equal(pd_pool_stats_get(w->pool).in_use, 0);
}

/* Waits on the server for backend pid to be running a statement like pat,
 * for at most 10 s; returns pid, or NULL when it never did. */
static const char wait_fn[] =
    "CREATE OR REPLACE FUNCTION pd_test_wait(p int, pat text) RETURNS int "
    "LANGUAGE plpgsql AS $$ BEGIN "
    "FOR i IN 1..400 LOOP "
    "  IF EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = p "
    "             AND state = 'active' AND query LIKE pat) THEN "
    "    RETURN p; END IF; "
    "  PERFORM pg_sleep(0.025); "
    "END LOOP; RETURN NULL; END $$";

/* ---- the explicit API ---- */

static void test_commit_is_visible(void **state)
{
    world w;
    pd_txn *t;
    pd_error err = PD_ERROR_INIT;

    (void)state;
    world_up(&w, 3);
    q1(&w, "DROP TABLE IF EXISTS pd_tc; CREATE TABLE pd_tc (n int)", 0,
       NULL);
    t = begin(&w, NULL);
    assert_false(pd_txn_failed(t));
    assert_null(pd_txn_error(t));
    assert_int_equal(pd_txn_attempt(t), 0);
    tq(&w, t, "INSERT INTO pd_tc VALUES (1)", NULL);
    tq(&w, t, "INSERT INTO pd_tc VALUES (2)", NULL);
    /* Not visible outside before COMMIT... */
    assert_string_equal(q1(&w, "SELECT count(*) FROM pd_tc", 0, NULL), "0");
    assert_string_equal(tq(&w, t, "SELECT count(*) FROM pd_tc", NULL), "2");
    finish_txn(&w, t, true, &err);
    assert_false(pd_error_isset(&err));
    /* ... and visible after. */
    assert_string_equal(q1(&w, "SELECT count(*) FROM pd_tc", 0, NULL), "2");
    assert_pool_idle(&w);
    q1(&w, "DROP TABLE pd_tc", 0, NULL);
    world_down(&w);
}

static void test_error_rolls_back_everything(void **state)
{
    world w;
    pd_txn *t;
    pd_error err = PD_ERROR_INIT;

    (void)state;
    world_up(&w, 2);
    q1(&w, "DROP TABLE IF EXISTS pd_te; CREATE TABLE pd_te (n int)", 0,
       NULL);
    t = begin(&w, NULL);
    tq(&w, t, "INSERT INTO pd_te VALUES (1)", NULL);
    tq(&w, t, "SELECT 1 / 0", &err);
    assert_int_equal(err.kind, PD_ERR_SERVER);
    assert_string_equal(err.sqlstate, "22012");
    pd_error_clear(&err);
    assert_true(pd_txn_failed(t));
    assert_string_equal(pd_txn_error(t)->sqlstate, "22012");
    /* Later statements fail fast with the first error, unsent. */
    tq(&w, t, "INSERT INTO pd_te VALUES (2)", &err);
    assert_string_equal(err.sqlstate, "22012");
    assert_non_null(strstr(err.message, "not sent"));
    pd_error_clear(&err);
    /* COMMIT rolls back and reports the first error. */
    finish_txn(&w, t, true, &err);
    assert_string_equal(err.sqlstate, "22012");
    pd_error_clear(&err);
    assert_string_equal(q1(&w, "SELECT count(*) FROM pd_te", 0, NULL), "0");

    /* An explicit ROLLBACK with nothing failed: no error, nothing kept. */
    t = begin(&w, NULL);
    tq(&w, t, "INSERT INTO pd_te VALUES (3)", NULL);
    finish_txn(&w, t, false, &err);
    assert_false(pd_error_isset(&err));
    assert_string_equal(q1(&w, "SELECT count(*) FROM pd_te", 0, NULL), "0");

    /* A statement that ends the transaction behind our back fails it. */
    t = begin(&w, NULL);
    tq(&w, t, "COMMIT", &err);
    assert_int_equal(err.kind, PD_ERR_USAGE);
    pd_error_clear(&err);
    finish_txn(&w, t, true, &err);
    assert_int_equal(err.kind, PD_ERR_USAGE);
    pd_error_clear(&err);
    assert_pool_idle(&w);
    q1(&w, "DROP TABLE pd_te", 0, NULL);
    world_down(&w);
}

static void test_isolation_and_access_modes_are_applied(void **state)
{
    world w;
    pd_txn *t;
    pd_txn_opts o;
    pd_error err = PD_ERROR_INIT;

    (void)state;
    world_up(&w, 2);
    q1(&w, "DROP TABLE IF EXISTS pd_ti; CREATE TABLE pd_ti (n int)", 0,
       NULL);

    t = begin(&w, NULL);
    assert_string_equal(tq(&w, t, "SHOW transaction_isolation", NULL),
                        "read committed");
    assert_string_equal(tq(&w, t, "SHOW transaction_read_only", NULL),
                        "off");
    finish_txn(&w, t, true, &err);
    assert_false(pd_error_isset(&err));

    pd_txn_opts_init(&o);
    o.isolation = PD_TXN_REPEATABLE_READ;
    t = begin(&w, &o);
    assert_string_equal(tq(&w, t, "SHOW transaction_isolation", NULL),
                        "repeatable read");
    finish_txn(&w, t, true, &err);
    assert_false(pd_error_isset(&err));

    o.isolation = PD_TXN_SERIALIZABLE;
    o.read_only = true;
    o.deferrable = true;
    t = begin(&w, &o);
    assert_string_equal(tq(&w, t, "SHOW transaction_isolation", NULL),
                        "serializable");
    assert_string_equal(tq(&w, t, "SHOW transaction_read_only", NULL), "on");
    assert_string_equal(tq(&w, t, "SHOW transaction_deferrable", NULL),
                        "on");
    tq(&w, t, "INSERT INTO pd_ti VALUES (1)", &err);
    assert_string_equal(err.sqlstate, "25006");
    pd_error_clear(&err);
    finish_txn(&w, t, true, &err);
    assert_string_equal(err.sqlstate, "25006");
    pd_error_clear(&err);
    assert_string_equal(q1(&w, "SELECT count(*) FROM pd_ti", 0, NULL), "0");
    assert_pool_idle(&w);
    q1(&w, "DROP TABLE pd_ti", 0, NULL);
    world_down(&w);
}

typedef struct order {
    int n;
    char seen[4]; /* 'q' statement, 'e' end, in callback order */
    step q, e;
} order;

static void on_order_rows(pd_result *res, const pd_error *err, void *ctx)
{
    order *o = ctx;

    o->seen[o->n++] = 'q';
    on_step_rows(res, err, &o->q);
}

static void on_order_end(const pd_error *err, void *ctx)
{
    order *o = ctx;

    o->seen[o->n++] = 'e';
    on_step_end(err, &o->e);
}

static void never_body(pd_txn *t, void *ctx)
{
    (void)t;
    (void)ctx;
    fail_msg("a refused run ran its body");
}

static void on_never_done(const pd_error *err, unsigned attempts, void *ctx)
{
    (void)err;
    (void)attempts;
    (void)ctx;
    fail_msg("a refused run called back");
}

static void test_calls_out_of_turn(void **state)
{
    world w;
    pd_txn *t;
    pd_txn_opts o;
    order ord = {0};
    step s = {0};
    pd_retry_policy bad = {3, 100, 10};

    (void)state;
    world_up(&w, 2);
    pd_txn_opts_init(&o);
    o.isolation = (pd_txn_isolation)42;
    assert_int_equal(pd_txn_begin(w.pool, &o, on_step_begin, &s),
                     PD_EINVAL);
    pd_txn_opts_init(&o);
    o.retry = bad;
    assert_int_equal(pd_txn_run(w.pool, &o, never_body,
                                on_never_done, NULL, NULL), PD_EINVAL);
    assert_int_equal(pd_txn_run(w.pool, NULL, never_body, NULL,
                                NULL, NULL), PD_EINVAL);

    t = begin(&w, NULL);
    assert_int_equal(pd_txn_query(t, NULL, 0, NULL, on_step_rows, &s),
                     PD_EINVAL);
    assert_int_equal(pd_txn_query(t, "SELECT 1", 0, NULL, on_order_rows,
                                  &ord), 0);
    /* One statement at a time. */
    assert_int_equal(pd_txn_query(t, "SELECT 2", 0, NULL, on_step_rows, &s),
                     PD_ESTATE);
    /* COMMIT asked while a statement runs waits for it. */
    assert_int_equal(pd_txn_commit(t, on_order_end, &ord), 0);
    assert_int_equal(pd_txn_commit(t, on_order_end, &ord), PD_ESTATE);
    assert_int_equal(pd_txn_rollback(t, on_order_end, &ord), PD_ESTATE);
    assert_int_equal(ord.n, 0); /* nothing called back synchronously */
    run_until(&w.loop, &ord.e.done, 20);
    assert_int_equal(ord.n, 2);
    assert_memory_equal(ord.seen, "qe", 2);
    assert_false(pd_error_isset(&ord.q.err));
    assert_false(pd_error_isset(&ord.e.err));
    pd_result_free(ord.q.res);
    assert_pool_idle(&w);
    world_down(&w);
}

/* ---- abort and timeouts ---- */

static void test_abort_and_timeout_roll_back(void **state)
{
    world w;
    pd_txn *t;
    pd_txn_opts o;
    pd_error err = PD_ERROR_INIT;
    step sleeper = {0};
    const char *p[2];
    char pid[32];

    (void)state;
    world_up(&w, 3);
    q1(&w, "DROP TABLE IF EXISTS pd_ta; CREATE TABLE pd_ta (n int)", 0,
       NULL);
    q1(&w, wait_fn, 0, NULL);

    /* Abort while a statement runs on the server. */
    t = begin(&w, NULL);
    tq(&w, t, "INSERT INTO pd_ta VALUES (1)", NULL);
    snprintf(pid, sizeof(pid), "%s", tq(&w, t, "SELECT pg_backend_pid()",
                                        NULL));
    assert_int_equal(pd_txn_query(t, "SELECT pg_sleep(30) /* pd-abort */",
                                  0, NULL, on_step_rows, &sleeper), 0);
    p[0] = pid;
    p[1] = "%pd-abort%";
    assert_string_equal(q1(&w, "SELECT pd_test_wait($1::int, $2)", 2, p),
                        pid);
    pd_txn_abort(t);
    assert_true(pd_txn_failed(t));
    assert_int_equal(pd_txn_error(t)->kind, PD_ERR_CANCELED);
    run_until(&w.loop, &sleeper.done, 20);
    assert_string_equal(sleeper.err.sqlstate, "57014");
    pd_error_clear(&sleeper.err);
    pd_result_free(sleeper.res);
    tq(&w, t, "SELECT 1", &err);
    assert_int_equal(err.kind, PD_ERR_CANCELED);
    pd_error_clear(&err);
    finish_txn(&w, t, true, &err);
    assert_int_equal(err.kind, PD_ERR_CANCELED);
    pd_error_clear(&err);
    assert_string_equal(q1(&w, "SELECT count(*) FROM pd_ta", 0, NULL), "0");

    /* A command timeout mid-transaction fails it; COMMIT rolls back. */
    pd_txn_opts_init(&o);
    o.timeout_ms = 200;
    t = begin(&w, &o);
    tq(&w, t, "INSERT INTO pd_ta VALUES (2)", NULL);
    tq(&w, t, "SELECT pg_sleep(30)", &err);
    assert_int_equal(err.kind, PD_ERR_TIMEOUT);
    pd_error_clear(&err);
    finish_txn(&w, t, true, &err);
    assert_int_equal(err.kind, PD_ERR_TIMEOUT);
    pd_error_clear(&err);
    assert_string_equal(q1(&w, "SELECT count(*) FROM pd_ta", 0, NULL), "0");
    assert_pool_idle(&w);
    /* The connections that were canceled work. */
    assert_string_equal(q1(&w, "SELECT 'fine'", 0, NULL), "fine");
    q1(&w, "DROP TABLE pd_ta", 0, NULL);
    world_down(&w);
}

/* ---- pd_txn_run ---- */

typedef struct outcome {
    int done;
    unsigned attempts;
    pd_error err;
} outcome;

/* ctx: a run context whose first member is its outcome. */
static void on_run_done(const pd_error *err, unsigned attempts, void *ctx)
{
    outcome *o = ctx;

    o->attempts = attempts;
    if (err != NULL)
        pd_error_copy(&o->err, err);
    o->done = 1;
}

/* Commits when the statement went well, rolls back when not (either way
 * the first error decides the try). */
static void end_on(pd_txn *t, const pd_error *err)
{
    int rc = err == NULL ? pd_txn_commit(t, NULL, NULL)
                         : pd_txn_rollback(t, NULL, NULL);

    assert_int_equal(rc, 0);
}

/* Two transactions update rows 1 and 2 in opposite orders. On their first
 * try each waits, client side, for the other's first update before its
 * second: both then wait for each other's row, which is a certain
 * deadlock. */
typedef struct dl_side {
    outcome out;   /* first: the run's ctx is the side */
    struct dl *dl;
    const char *sql_first, *sql_second;
    pd_txn *t;
    int first_done;
    int tries;
    int deadlocks; /* 40P01 seen by a statement */
} dl_side;

typedef struct dl {
    dl_side side[2];
} dl;

static void on_dl_second(pd_result *res, const pd_error *err, void *ctx)
{
    dl_side *s = ctx;

    pd_result_free(res);
    if (err != NULL && strcmp(err->sqlstate, "40P01") == 0)
        s->deadlocks++;
    /* COMMIT of a failed transaction rolls back and reports 40P01. */
    assert_int_equal(pd_txn_commit(s->t, NULL, NULL), 0);
}

static void dl_second(dl_side *s)
{
    assert_int_equal(pd_txn_query(s->t, s->sql_second, 0, NULL,
                                  on_dl_second, s), 0);
}

static void on_dl_first(pd_result *res, const pd_error *err, void *ctx)
{
    dl_side *s = ctx;
    dl *d = s->dl;

    pd_result_free(res);
    if (err != NULL) {
        end_on(s->t, err);
        return;
    }
    if (pd_txn_attempt(s->t) > 0) {
        dl_second(s);
        return;
    }
    s->first_done = 1;
    if (d->side[0].first_done && d->side[1].first_done) {
        dl_second(&d->side[0]);
        dl_second(&d->side[1]);
    }
}

static void dl_body(pd_txn *t, void *ctx)
{
    dl_side *s = ctx;

    s->t = t;
    s->tries++;
    assert_int_equal(pd_txn_query(t, s->sql_first, 0, NULL, on_dl_first, s),
                     0);
}

static void test_real_deadlock_is_retried(void **state)
{
    world w;
    dl d;
    pd_txn_opts o;
    pd_retry_policy pol = {5, 20, 200};
    int i;

    (void)state;
    world_up(&w, 4);
    q1(&w, "DROP TABLE IF EXISTS pd_dl; "
           "CREATE TABLE pd_dl (id int PRIMARY KEY, a int, b int); "
           "INSERT INTO pd_dl VALUES (1, 0, 0), (2, 0, 0)", 0, NULL);
    memset(&d, 0, sizeof(d));
    d.side[0].sql_first = "UPDATE pd_dl SET a = a + 1 WHERE id = 1";
    d.side[0].sql_second = "UPDATE pd_dl SET a = a + 1 WHERE id = 2";
    d.side[1].sql_first = "UPDATE pd_dl SET b = b + 1 WHERE id = 2";
    d.side[1].sql_second = "UPDATE pd_dl SET b = b + 1 WHERE id = 1";
    pd_txn_opts_init(&o);
    o.retry = pol;
    for (i = 0; i < 2; i++) {
        d.side[i].dl = &d;
        assert_int_equal(pd_txn_run(w.pool, &o, dl_body,
                                    on_run_done, &d.side[i], &w.stats),
                         0);
    }
    run_until(&w.loop, &d.side[0].out.done, 60);
    run_until(&w.loop, &d.side[1].out.done, 60);
    for (i = 0; i < 2; i++)
        if (pd_error_isset(&d.side[i].out.err))
            fail_msg("side %d: %s", i, d.side[i].out.err.message);
    /* Exactly one was chosen as the victim and ran twice. */
    assert_int_equal(d.side[0].deadlocks + d.side[1].deadlocks, 1);
    assert_int_equal(d.side[0].out.attempts + d.side[1].out.attempts, 3);
    assert_int_equal(d.side[0].tries + d.side[1].tries, 3);
    /* Each update applied exactly once. */
    assert_string_equal(q1(&w, "SELECT string_agg(a || '/' || b, ' ' "
                               "ORDER BY id) FROM pd_dl", 0, NULL),
                        "1/1 1/1");
    assert_int_equal(w.stats.retries[PD_RETRY_CLASS_DEADLOCK], 1);
    assert_int_equal(w.stats.failures, 1);
    assert_int_equal(w.stats.recovered, 1);
    assert_int_equal(pd_retry_stats_class_count(&w.stats, "40"), 1);
    assert_int_equal(w.stats.backoff.count, 1);
    assert_pool_idle(&w);
    q1(&w, "DROP TABLE pd_dl", 0, NULL);
    world_down(&w);
}

/* Two SERIALIZABLE read-then-write transactions on one row: both read,
 * then (barrier) both write what they read plus one. The second writer
 * waits for the first's row lock and, once it commits, fails with 40001;
 * its retry reads the new value, so the final value counts both. */
typedef struct ser_side {
    outcome out;  /* first: the run's ctx is the side */
    struct ser *ser;
    pd_txn *t;
    char read[32];
    int read_done;
    int tries;
    int failures; /* 40001 seen by a statement */
} ser_side;

typedef struct ser {
    ser_side side[2];
} ser;

static void on_ser_write(pd_result *res, const pd_error *err, void *ctx)
{
    ser_side *s = ctx;

    pd_result_free(res);
    if (err != NULL && strcmp(err->sqlstate, "40001") == 0)
        s->failures++;
    end_on(s->t, err);
}

static void ser_write(ser_side *s)
{
    const char *p[1];
    char v[32];

    snprintf(v, sizeof(v), "%d", atoi(s->read) + 1);
    p[0] = v;
    assert_int_equal(pd_txn_query(s->t, "UPDATE pd_ser SET v = $1::int "
                                        "WHERE id = 1", 1, p, on_ser_write,
                                  s), 0);
}

static void on_ser_read(pd_result *res, const pd_error *err, void *ctx)
{
    ser_side *s = ctx;
    ser *g = s->ser;

    first_value(res, s->read, sizeof(s->read));
    pd_result_free(res);
    if (err != NULL) {
        end_on(s->t, err);
        return;
    }
    if (pd_txn_attempt(s->t) > 0) {
        ser_write(s);
        return;
    }
    s->read_done = 1;
    if (g->side[0].read_done && g->side[1].read_done) {
        ser_write(&g->side[0]);
        ser_write(&g->side[1]);
    }
}

static void ser_body(pd_txn *t, void *ctx)
{
    ser_side *s = ctx;

    s->t = t;
    s->tries++;
    assert_int_equal(pd_txn_query(t, "SELECT v FROM pd_ser WHERE id = 1", 0,
                                  NULL, on_ser_read, s), 0);
}

static void test_real_serialization_failure_is_retried(void **state)
{
    world w;
    ser g;
    pd_txn_opts o;
    pd_retry_policy pol = {5, 20, 200};
    int i;

    (void)state;
    world_up(&w, 4);
    q1(&w, "DROP TABLE IF EXISTS pd_ser; "
           "CREATE TABLE pd_ser (id int PRIMARY KEY, v int); "
           "INSERT INTO pd_ser VALUES (1, 0)", 0, NULL);
    memset(&g, 0, sizeof(g));
    pd_txn_opts_init(&o);
    o.isolation = PD_TXN_SERIALIZABLE;
    o.retry = pol;
    for (i = 0; i < 2; i++) {
        g.side[i].ser = &g;
        assert_int_equal(pd_txn_run(w.pool, &o, ser_body,
                                    on_run_done, &g.side[i], &w.stats),
                         0);
    }
    run_until(&w.loop, &g.side[0].out.done, 60);
    run_until(&w.loop, &g.side[1].out.done, 60);
    for (i = 0; i < 2; i++)
        if (pd_error_isset(&g.side[i].out.err))
            fail_msg("side %d: %s", i, g.side[i].out.err.message);
    assert_int_equal(g.side[0].failures + g.side[1].failures, 1);
    assert_int_equal(g.side[0].out.attempts + g.side[1].out.attempts, 3);
    /* Both increments landed: no lost update, none applied twice. */
    assert_string_equal(q1(&w, "SELECT v FROM pd_ser WHERE id = 1", 0, NULL),
                        "2");
    assert_int_equal(w.stats.retries[PD_RETRY_CLASS_SERIALIZATION], 1);
    assert_int_equal(w.stats.recovered, 1);
    assert_int_equal(w.stats.failures, 1);
    assert_pool_idle(&w);
    q1(&w, "DROP TABLE pd_ser", 0, NULL);
    world_down(&w);
}

/* The body inserts, reports its backend's pid and stops; the test kills
 * that backend, then resumes the body with its next statement. */
typedef struct kill_run {
    outcome out;  /* first: on_run_done's view of the ctx */
    world *w;
    pd_txn *t;
    char pid[32];
    int paused;   /* first try: waiting for the test to kill */
    int tries;
} kill_run;

static void on_kill_last(pd_result *res, const pd_error *err, void *ctx)
{
    kill_run *k = ctx;

    pd_result_free(res);
    end_on(k->t, err);
}

static void kill_resume(kill_run *k)
{
    assert_int_equal(pd_txn_query(k->t, "INSERT INTO pd_kill VALUES (2)", 0,
                                  NULL, on_kill_last, k), 0);
}

static void on_kill_pid(pd_result *res, const pd_error *err, void *ctx)
{
    kill_run *k = ctx;

    first_value(res, k->pid, sizeof(k->pid));
    pd_result_free(res);
    if (err != NULL) {
        end_on(k->t, err);
        return;
    }
    if (pd_txn_attempt(k->t) == 0)
        k->paused = 1;
    else
        kill_resume(k);
}

static void on_kill_first(pd_result *res, const pd_error *err, void *ctx)
{
    kill_run *k = ctx;

    pd_result_free(res);
    if (err != NULL) {
        end_on(k->t, err);
        return;
    }
    assert_int_equal(pd_txn_query(k->t, "SELECT pg_backend_pid()", 0, NULL,
                                  on_kill_pid, k), 0);
}

static void kill_body(pd_txn *t, void *ctx)
{
    kill_run *k = ctx;

    k->t = t;
    k->tries++;
    assert_int_equal(pd_txn_query(t, "INSERT INTO pd_kill VALUES (1)", 0,
                                  NULL, on_kill_first, k), 0);
}

static void test_connection_killed_before_commit_is_retried(void **state)
{
    world w;
    kill_run k;
    const char *p[1];

    (void)state;
    world_up(&w, 3);
    q1(&w, "DROP TABLE IF EXISTS pd_kill; CREATE TABLE pd_kill (n int)", 0,
       NULL);
    memset(&k, 0, sizeof(k));
    k.w = &w;
    assert_int_equal(pd_txn_run(w.pool, NULL, kill_body,
                                on_run_done, &k, &w.stats), 0);
    run_until(&w.loop, &k.paused, 20);
    p[0] = k.pid;
    /* Waits (up to 5 s) until the backend is gone. */
    assert_string_equal(q1(&w, "SELECT pg_terminate_backend($1::int, 5000)",
                           1, p), "t");
    kill_resume(&k);
    run_until(&w.loop, &k.out.done, 30);
    if (pd_error_isset(&k.out.err))
        fail_msg("run: %s", k.out.err.message);
    assert_int_equal(k.out.attempts, 2);
    assert_int_equal(k.tries, 2);
    /* The dead try left nothing; the retry's rows are there once. */
    assert_string_equal(q1(&w, "SELECT string_agg(n::text, ',' ORDER BY n) "
                               "FROM pd_kill", 0, NULL), "1,2");
    assert_int_equal(w.stats.retries[PD_RETRY_CLASS_CONNECTION], 1);
    assert_int_equal(w.stats.recovered, 1);
    assert_pool_idle(&w);
    q1(&w, "DROP TABLE pd_kill", 0, NULL);
    world_down(&w);
}

/* COMMIT is held inside a deferred constraint trigger that waits for an
 * advisory lock the test holds (in a transaction of its own); the test
 * kills the backend while pg_stat_activity shows it in COMMIT. The client
 * cannot know whether that COMMIT took effect: outcome unknown, no retry. */
typedef struct cu_run {
    outcome out;  /* first: on_run_done's view of the ctx */
    pd_txn *t;
    char pid[32];
    int committing;
    int tries;
} cu_run;

static void on_cu_pid(pd_result *res, const pd_error *err, void *ctx)
{
    cu_run *c = ctx;

    first_value(res, c->pid, sizeof(c->pid));
    pd_result_free(res);
    if (err == NULL)
        c->committing = 1;
    end_on(c->t, err);
}

static void on_cu_insert(pd_result *res, const pd_error *err, void *ctx)
{
    cu_run *c = ctx;

    pd_result_free(res);
    if (err != NULL) {
        end_on(c->t, err);
        return;
    }
    assert_int_equal(pd_txn_query(c->t, "SELECT pg_backend_pid()", 0, NULL,
                                  on_cu_pid, c), 0);
}

static void cu_body(pd_txn *t, void *ctx)
{
    cu_run *c = ctx;

    c->t = t;
    c->tries++;
    assert_int_equal(pd_txn_query(t, "INSERT INTO pd_cu VALUES (1)", 0,
                                  NULL, on_cu_insert, c), 0);
}

static void test_commit_lost_is_outcome_unknown(void **state)
{
    world w;
    cu_run c;
    pd_txn *holder;
    pd_error err = PD_ERROR_INIT;
    const char *p[2];
    pd_retry_policy pol = PD_RETRY_POLICY_DEFAULT;
    pd_retry_input in;

    (void)state;
    world_up(&w, 4);
    q1(&w, "DROP TABLE IF EXISTS pd_cu; CREATE TABLE pd_cu (n int); "
           "CREATE OR REPLACE FUNCTION pd_cu_hold() RETURNS trigger "
           "LANGUAGE plpgsql AS $$ BEGIN "
           "PERFORM pg_advisory_xact_lock(4242); RETURN NULL; END $$; "
           "CREATE CONSTRAINT TRIGGER pd_cu_t AFTER INSERT ON pd_cu "
           "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
           "EXECUTE FUNCTION pd_cu_hold()", 0, NULL);
    q1(&w, wait_fn, 0, NULL);
    holder = begin(&w, NULL);
    tq(&w, holder, "SELECT pg_advisory_xact_lock(4242)", NULL);

    memset(&c, 0, sizeof(c));
    assert_int_equal(pd_txn_run(w.pool, NULL, cu_body, on_run_done,
                                &c, &w.stats), 0);
    run_until(&w.loop, &c.committing, 20);
    p[0] = c.pid;
    p[1] = "COMMIT";
    assert_string_equal(q1(&w, "SELECT pg_terminate_backend("
                               "pd_test_wait($1::int, $2), 5000)", 2, p),
                        "t");
    run_until(&w.loop, &c.out.done, 30);
    assert_int_equal(c.out.err.kind, PD_ERR_OUTCOME_UNKNOWN);
    assert_non_null(strstr(c.out.err.message, "unknown"));
    assert_int_equal(c.out.attempts, 1);
    assert_int_equal(c.tries, 1);
    assert_int_equal(w.stats.outcome_unknown, 1);
    assert_int_equal(w.stats.retries[PD_RETRY_CLASS_CONNECTION], 0);
    pd_error_clear(&c.out.err);
    finish_txn(&w, holder, false, &err);
    assert_false(pd_error_isset(&err));
    /* Not retried behind our back (here the server had not committed). */
    assert_string_equal(q1(&w, "SELECT count(*) FROM pd_cu", 0, NULL), "0");
    assert_pool_idle(&w);

    /* The decision the run made, and its read-only counterpart, which a
     * read-only transaction may retry since running it twice is
     * harmless. */
    pd_error_set(&err, PD_ERR_CONNECTION, "server closed the connection");
    memset(&in, 0, sizeof(in));
    in.err = &err;
    in.policy = &pol;
    in.whole_txn = true;
    in.sent = true;
    assert_int_equal(pd_retry_decide(&in), PD_RETRY_OUTCOME_UNKNOWN);
    in.read_only = true;
    assert_int_equal(pd_retry_decide(&in), PD_RETRY_YES);
    in.read_only = false;
    in.sent = false;
    assert_int_equal(pd_retry_decide(&in), PD_RETRY_YES);
    pd_error_clear(&err);
    q1(&w, "DROP TABLE pd_cu; DROP FUNCTION pd_cu_hold()", 0, NULL);
    world_down(&w);
}

/* A try that fails for a reason the rules never retry ends the run at once
 * with that error; so does a canceled one. */
typedef struct once {
    outcome out;  /* first: on_run_done's view of the ctx */
    pd_txn *t;
    char pid[32];
    int tries;
    int running;
} once;

static void on_once_stmt(pd_result *res, const pd_error *err, void *ctx)
{
    once *o = ctx;

    pd_result_free(res);
    end_on(o->t, err);
}

static void on_once_pid(pd_result *res, const pd_error *err, void *ctx)
{
    once *o = ctx;

    first_value(res, o->pid, sizeof(o->pid));
    pd_result_free(res);
    if (err != NULL) {
        end_on(o->t, err);
        return;
    }
    assert_int_equal(pd_txn_query(o->t, "SELECT pg_sleep(30) /* pd-once */",
                                  0, NULL, on_once_stmt, o), 0);
    o->running = 1;
}

static void once_body(pd_txn *t, void *ctx)
{
    once *o = ctx;

    o->t = t;
    o->tries++;
    assert_int_equal(pd_txn_query(t, "SELECT pg_backend_pid()", 0, NULL,
                                  on_once_pid, o), 0);
}

static void test_run_timeout_and_abort_are_not_retried(void **state)
{
    world w;
    once o;
    pd_txn_opts opts;
    const char *p[2];

    (void)state;
    world_up(&w, 3);
    q1(&w, wait_fn, 0, NULL);
    pd_txn_opts_init(&opts);
    opts.timeout_ms = 200;
    memset(&o, 0, sizeof(o));
    assert_int_equal(pd_txn_run(w.pool, &opts, once_body,
                                on_run_done, &o, &w.stats), 0);
    run_until(&w.loop, &o.out.done, 30);
    assert_int_equal(o.out.err.kind, PD_ERR_TIMEOUT);
    assert_int_equal(o.out.attempts, 1);
    assert_int_equal(o.tries, 1);
    assert_int_equal(w.stats.not_retryable, 1);
    pd_error_clear(&o.out.err);

    /* Canceled from outside while the statement runs. */
    memset(&o, 0, sizeof(o));
    assert_int_equal(pd_txn_run(w.pool, NULL, once_body,
                                on_run_done, &o, &w.stats), 0);
    run_until(&w.loop, &o.running, 20);
    p[0] = o.pid;
    p[1] = "%pd-once%";
    assert_string_equal(q1(&w, "SELECT pd_test_wait($1::int, $2)", 2, p),
                        o.pid);
    pd_txn_abort(o.t);
    run_until(&w.loop, &o.out.done, 30);
    assert_int_equal(o.out.err.kind, PD_ERR_CANCELED);
    assert_int_equal(o.out.attempts, 1);
    assert_int_equal(o.tries, 1);
    assert_int_equal(w.stats.not_retryable, 2);
    pd_error_clear(&o.out.err);
    assert_pool_idle(&w);
    world_down(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit_is_visible),
        cmocka_unit_test(test_error_rolls_back_everything),
        cmocka_unit_test(test_isolation_and_access_modes_are_applied),
        cmocka_unit_test(test_calls_out_of_turn),
        cmocka_unit_test(test_abort_and_timeout_roll_back),
        cmocka_unit_test(test_real_deadlock_is_retried),
        cmocka_unit_test(test_real_serialization_failure_is_retried),
        cmocka_unit_test(test_connection_killed_before_commit_is_retried),
        cmocka_unit_test(test_commit_lost_is_outcome_unknown),
        cmocka_unit_test(test_run_timeout_and_abort_are_not_retried),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
