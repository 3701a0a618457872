/* test_locks.c: the lock manager on a real uv loop: compatibility, FIFO,
 * timeouts, deadlocks, cancels, snapshots; no callback runs synchronously.
 * Runs are bounded: a few loop turns, or until a flag under a 5 s guard. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/locks.h"

typedef struct rec {
    int called;                      /* callbacks so far: must end at 1 */
    int order;                       /* global delivery number */
    pd_lock *lock;                   /* the grant, or NULL */
    pd_error err;                    /* copy of the failure */
    pd_locks_owner *free_on_error;   /* owner to free inside the callback */
} rec;

static uv_loop_t loop;
static uv_timer_t guard;
static bool guard_fired;
static pd_locks *L;
static int delivered;

static void on_lock(pd_lock *lock, const pd_error *err, void *ctx)
{
    rec *r = ctx;

    r->called++;
    r->order = ++delivered;
    r->lock = lock;
    if (err != NULL) {
        assert_null(lock);
        pd_error_copy(&r->err, err);
        if (r->free_on_error != NULL) {
            pd_locks_owner_free(r->free_on_error);
            r->free_on_error = NULL;
        }
    } else {
        assert_non_null(lock);
    }
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    uv_timer_init(&loop, &guard);
    guard_fired = false;
    L = pd_locks_new(&loop);
    delivered = 0;
    return 0;
}

/* Frees the manager and checks that the loop ends with nothing open. */
static void done(void)
{
    int i;

    pd_locks_free(L);
    uv_close((uv_handle_t *)&guard, NULL);
    for (i = 0; i < 10; i++)
        uv_run(&loop, UV_RUN_NOWAIT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

/* A few loop turns: enough to deliver chains of callbacks. */
static void drain(void)
{
    int i;

    for (i = 0; i < 10; i++)
        uv_run(&loop, UV_RUN_NOWAIT);
}

static void on_guard(uv_timer_t *t)
{
    (void)t;
    guard_fired = true;
}

/* Runs until *flag or the 5 s guard; returns true if the flag came first. */
static bool run_until(const int *flag)
{
    guard_fired = false;
    uv_timer_start(&guard, on_guard, 5000, 0);
    while (!*flag && !guard_fired)
        uv_run(&loop, UV_RUN_ONCE);
    uv_timer_stop(&guard);
    return *flag != 0;
}

/* Acquires and checks that nothing was called back synchronously. */
static void acq(pd_locks_owner *o, const char *res, pd_lock_mode mode,
                uint32_t timeout_ms, rec *r)
{
    memset(r, 0, sizeof(*r));
    assert_int_equal(pd_locks_acquire(o, res, mode, timeout_ms, on_lock, r),
                     0);
    assert_int_equal(r->called, 0);
}

static void assert_granted(const rec *r)
{
    assert_int_equal(r->called, 1);
    assert_non_null(r->lock);
}

static void assert_waiting(const rec *r)
{
    assert_int_equal(r->called, 0);
}

static void clear(rec *r)
{
    pd_error_clear(&r->err);
}

static void test_compat_table(void **state)
{
    /* ok[want][held] */
    static const bool ok[3][3] = {
        {true, true, false}, {true, false, false}, {false, false, false}
    };
    int held, want;

    (void)state;
    for (held = 0; held < 3; held++) {
        for (want = 0; want < 3; want++) {
            pd_locks_owner *a = pd_locks_owner_new(L, "a");
            pd_locks_owner *b = pd_locks_owner_new(L, "b");
            rec ra, rb;

            acq(a, "res", (pd_lock_mode)held, 0, &ra);
            drain();
            assert_granted(&ra);
            acq(b, "res", (pd_lock_mode)want, 0, &rb);
            drain();
            if (ok[want][held]) {
                assert_granted(&rb);
            } else {
                assert_waiting(&rb);
                pd_locks_release(ra.lock);
                assert_int_equal(rb.called, 0);
                drain();
                assert_granted(&rb);
            }
            pd_locks_owner_free(a);
            pd_locks_owner_free(b);
        }
    }
    assert_int_equal(pd_locks_counters_get(L).held, 0);
    done();
}

static void test_same_owner_never_conflicts(void **state)
{
    pd_locks_owner *a = pd_locks_owner_new(L, "a");
    rec r1, r2;

    (void)state;
    acq(a, "res", PD_LOCK_EXCLUSIVE, 0, &r1);
    acq(a, "res", PD_LOCK_EXCLUSIVE, 0, &r2);
    drain();
    assert_granted(&r1);
    assert_granted(&r2);
    assert_int_equal(pd_locks_lock_mode(r2.lock), PD_LOCK_EXCLUSIVE);
    assert_string_equal(pd_locks_lock_resource(r2.lock), "res");
    done();
}

/* A READ compatible with the holders still queues behind an EXCLUSIVE. */
static void test_fifo_no_writer_starvation(void **state)
{
    pd_locks_owner *a = pd_locks_owner_new(L, "a");
    pd_locks_owner *b = pd_locks_owner_new(L, "b");
    pd_locks_owner *c = pd_locks_owner_new(L, "c");
    pd_locks_owner *d = pd_locks_owner_new(L, "d");
    rec ra, rb, rc, rd;

    (void)state;
    acq(a, "res", PD_LOCK_READ, 0, &ra);
    acq(b, "res", PD_LOCK_EXCLUSIVE, 0, &rb);
    acq(c, "res", PD_LOCK_READ, 0, &rc);
    drain();
    assert_granted(&ra);
    assert_waiting(&rb);
    assert_waiting(&rc);
    acq(d, "res", PD_LOCK_READ, 0, &rd);
    drain();
    assert_waiting(&rd);
    pd_locks_release(ra.lock);
    drain();
    assert_granted(&rb);
    assert_waiting(&rc);
    assert_waiting(&rd);
    pd_locks_release(rb.lock);
    drain();
    assert_granted(&rc);
    assert_granted(&rd);
    assert_true(rc.order < rd.order);
    done();
}

/* A WRITE waiter does not hold back a READ: they are compatible. */
static void test_read_passes_compatible_waiter(void **state)
{
    pd_locks_owner *a = pd_locks_owner_new(L, "a");
    pd_locks_owner *b = pd_locks_owner_new(L, "b");
    pd_locks_owner *c = pd_locks_owner_new(L, "c");
    rec ra, rb, rc;

    (void)state;
    acq(a, "res", PD_LOCK_WRITE, 0, &ra);
    acq(b, "res", PD_LOCK_WRITE, 0, &rb);
    acq(c, "res", PD_LOCK_READ, 0, &rc);
    drain();
    assert_granted(&ra);
    assert_waiting(&rb);
    assert_granted(&rc);
    done();
    assert_int_equal(rb.called, 1);
    assert_string_equal(rb.err.message, "lock request on resource res "
                        "canceled: the lock manager is closing");
    clear(&rb);
}

/* One release grants every compatible waiter, in FIFO order, in one turn. */
static void test_release_wakes_several(void **state)
{
    pd_locks_owner *o[6];
    rec r[6];
    static const pd_lock_mode modes[6] = {
        PD_LOCK_EXCLUSIVE, PD_LOCK_READ, PD_LOCK_READ, PD_LOCK_WRITE,
        PD_LOCK_READ, PD_LOCK_EXCLUSIVE
    };
    int i;

    (void)state;
    for (i = 0; i < 6; i++) {
        o[i] = pd_locks_owner_new(L, "o");
        acq(o[i], "res", modes[i], 0, &r[i]);
    }
    drain();
    assert_granted(&r[0]);
    for (i = 1; i < 6; i++)
        assert_waiting(&r[i]);
    assert_int_equal(pd_locks_counters_get(L).waiting, 5);
    pd_locks_release(r[0].lock);
    for (i = 1; i < 6; i++)
        assert_waiting(&r[i]);
    uv_run(&loop, UV_RUN_NOWAIT);
    for (i = 1; i < 5; i++) {
        assert_granted(&r[i]);
        if (i > 1)
            assert_true(r[i - 1].order < r[i].order);
    }
    assert_waiting(&r[5]);
    for (i = 1; i < 5; i++)
        pd_locks_release(r[i].lock);
    drain();
    assert_granted(&r[5]);
    done();
}

/* A 50 ms timeout fires before a 5 s guard; the waiter behind it moves. */
static void test_timeout(void **state)
{
    pd_locks_owner *a = pd_locks_owner_new(L, "a");
    pd_locks_owner *b = pd_locks_owner_new(L, "b");
    pd_locks_owner *c = pd_locks_owner_new(L, "c");
    rec ra, rb, rc;

    (void)state;
    acq(a, "res", PD_LOCK_READ, 0, &ra);
    acq(b, "res", PD_LOCK_EXCLUSIVE, 50, &rb);
    acq(c, "res", PD_LOCK_READ, 0, &rc);
    assert_true(run_until(&rb.called));
    assert_int_equal(rb.called, 1);
    assert_null(rb.lock);
    assert_int_equal(rb.err.kind, PD_ERR_TIMEOUT);
    assert_string_equal(rb.err.sqlstate, "55P03");
    assert_string_equal(rb.err.message,
                        "lock timeout on resource res after 50 ms");
    drain();
    assert_granted(&rc);
    assert_int_equal(pd_locks_counters_get(L).timeouts, 1);
    assert_int_equal(pd_locks_counters_get(L).waiting, 0);
    clear(&rb);
    done();
}

/* a holds x, b holds y; a waits for y, then b for x: b is the youngest. */
static void test_deadlock_two(void **state)
{
    pd_locks_owner *a = pd_locks_owner_new(L, "A");
    pd_locks_owner *b = pd_locks_owner_new(L, "B");
    rec ax, by, ay, bx;

    (void)state;
    acq(a, "x", PD_LOCK_WRITE, 0, &ax);
    acq(b, "y", PD_LOCK_WRITE, 0, &by);
    acq(a, "y", PD_LOCK_WRITE, 0, &ay);
    acq(b, "x", PD_LOCK_EXCLUSIVE, 0, &bx);
    bx.free_on_error = b; /* the victim gives up its locks */
    drain();
    assert_int_equal(bx.called, 1);
    assert_null(bx.lock);
    assert_int_equal(bx.err.kind, PD_ERR_CANCELED);
    assert_string_equal(bx.err.sqlstate, "40P01");
    assert_string_equal(bx.err.message,
                        "deadlock detected: B waits for A (x:exclusive); "
                        "A waits for B (y:write)");
    assert_non_null(bx.err.detail);
    assert_granted(&ay);
    assert_int_equal(pd_locks_counters_get(L).deadlocks, 1);
    clear(&bx);
    done();
}

/* a -> b -> c -> a: c, the youngest, fails; a and b then proceed. */
static void test_deadlock_three(void **state)
{
    pd_locks_owner *a = pd_locks_owner_new(L, "A");
    pd_locks_owner *b = pd_locks_owner_new(L, "B");
    pd_locks_owner *c = pd_locks_owner_new(L, "C");
    rec ax, by, cz, ay, bz, cx;

    (void)state;
    acq(a, "x", PD_LOCK_EXCLUSIVE, 0, &ax);
    acq(b, "y", PD_LOCK_EXCLUSIVE, 0, &by);
    acq(c, "z", PD_LOCK_EXCLUSIVE, 0, &cz);
    acq(a, "y", PD_LOCK_READ, 0, &ay);
    acq(b, "z", PD_LOCK_WRITE, 0, &bz);
    drain();
    assert_waiting(&ay);
    assert_waiting(&bz);
    acq(c, "x", PD_LOCK_READ, 0, &cx);
    drain();
    assert_int_equal(cx.called, 1);
    assert_string_equal(cx.err.sqlstate, "40P01");
    assert_string_equal(cx.err.message,
                        "deadlock detected: C waits for A (x:read); "
                        "A waits for B (y:read); B waits for C (z:write)");
    assert_waiting(&ay);
    assert_waiting(&bz);
    pd_locks_owner_free(c);
    drain();
    assert_granted(&bz);
    assert_waiting(&ay);
    pd_locks_release(by.lock);
    drain();
    assert_granted(&ay);
    clear(&cx);
    done();
}

/* Holders that upgrade go ahead of plain waiters; two upgraders deadlock. */
static void test_upgrade(void **state)
{
    pd_locks_owner *a = pd_locks_owner_new(L, "A");
    pd_locks_owner *b = pd_locks_owner_new(L, "B");
    pd_locks_owner *c = pd_locks_owner_new(L, "C");
    rec ra, rb, rc, ra2, rb2;

    (void)state;
    acq(a, "res", PD_LOCK_READ, 0, &ra);
    acq(b, "res", PD_LOCK_READ, 0, &rb);
    acq(c, "res", PD_LOCK_EXCLUSIVE, 0, &rc);
    acq(a, "res", PD_LOCK_READ, 0, &ra2); /* not behind c: granted */
    drain();
    assert_waiting(&rc);
    assert_granted(&ra2);
    pd_locks_release(ra2.lock);
    acq(a, "res", PD_LOCK_EXCLUSIVE, 0, &ra2); /* waits for b only */
    acq(b, "res", PD_LOCK_EXCLUSIVE, 0, &rb2); /* waits for a: deadlock */
    drain();
    assert_waiting(&ra2);
    assert_int_equal(rb2.called, 1);
    assert_string_equal(rb2.err.sqlstate, "40P01");
    pd_locks_owner_free(b);
    drain();
    assert_granted(&ra2);
    assert_waiting(&rc);
    pd_locks_owner_free(a);
    drain();
    assert_granted(&rc);
    clear(&rb2);
    done();
}

/* Freeing an owner cancels its wait and its undelivered grant, later. */
static void test_owner_free_cancels(void **state)
{
    pd_locks_owner *a = pd_locks_owner_new(L, "a");
    pd_locks_owner *b = pd_locks_owner_new(L, "b");
    pd_locks_owner *c = pd_locks_owner_new(L, "c");
    pd_locks_owner *d = pd_locks_owner_new(L, "d");
    rec ra, rb, rc, rd;

    (void)state;
    acq(a, "x", PD_LOCK_EXCLUSIVE, 0, &ra);
    acq(b, "x", PD_LOCK_READ, 0, &rb);
    acq(c, "y", PD_LOCK_READ, 0, &rc); /* granted, not yet delivered */
    drain();
    acq(d, "x", PD_LOCK_WRITE, 5000, &rd);
    pd_locks_owner_free(b);
    assert_int_equal(rb.called, 0);
    pd_locks_owner_free(c); /* rc was delivered: nothing more for it */
    drain();
    assert_int_equal(rb.called, 1);
    assert_int_equal(rb.err.kind, PD_ERR_CANCELED);
    assert_string_equal(rb.err.sqlstate, "");
    assert_int_equal(rc.called, 1);

    c = pd_locks_owner_new(L, "c");
    acq(c, "y", PD_LOCK_READ, 0, &rc);
    pd_locks_owner_free(c); /* before delivery: the grant becomes a cancel */
    pd_locks_owner_free(a);
    assert_int_equal(rc.called, 0);
    assert_int_equal(rd.called, 0);
    drain();
    assert_int_equal(rc.called, 1);
    assert_null(rc.lock);
    assert_int_equal(rc.err.kind, PD_ERR_CANCELED);
    assert_granted(&rd);

    assert_false(pd_locks_owner_cancel(d));
    a = pd_locks_owner_new(L, "a");
    acq(a, "x", PD_LOCK_EXCLUSIVE, 0, &ra);
    assert_true(pd_locks_owner_cancel(a));
    assert_int_equal(ra.called, 0);
    drain();
    assert_int_equal(ra.called, 1);
    assert_int_equal(ra.err.kind, PD_ERR_CANCELED);
    assert_int_equal(pd_locks_counters_get(L).canceled, 3);
    clear(&rb);
    clear(&rc);
    clear(&ra);
    done();
}

static void test_snapshot(void **state)
{
    pd_locks_owner *a = pd_locks_owner_new(L, "alice");
    pd_locks_owner *b = pd_locks_owner_new(L, "bob");
    pd_locks_owner *c = pd_locks_owner_new(L, "carol");
    pd_locks_owner *d = pd_locks_owner_new(L, "dave");
    pd_locks_snapshot *s;
    const pd_locks_resource *r;
    rec ra, rb, rc, rd;

    (void)state;
    acq(a, "b-res", PD_LOCK_READ, 0, &ra);
    acq(b, "b-res", PD_LOCK_WRITE, 0, &rb);
    acq(c, "b-res", PD_LOCK_EXCLUSIVE, 0, &rc);
    acq(d, "a-res", PD_LOCK_EXCLUSIVE, 0, &rd);
    drain();
    s = pd_locks_snapshot_get(L);
    assert_int_equal(s->nresources, 2);
    r = &s->resources[0];
    assert_string_equal(r->name, "a-res");
    assert_int_equal(r->held_mode, PD_LOCK_EXCLUSIVE);
    assert_int_equal(r->nholders, 1);
    assert_string_equal(r->holders[0].owner, "dave");
    assert_int_equal(r->nwaiters, 0);
    r = &s->resources[1];
    assert_string_equal(r->name, "b-res");
    assert_int_equal(r->held_mode, PD_LOCK_WRITE);
    assert_int_equal(r->nholders, 2);
    assert_string_equal(r->holders[0].owner, "alice");
    assert_int_equal(r->holders[0].mode, PD_LOCK_READ);
    assert_string_equal(r->holders[1].owner, "bob");
    assert_int_equal(r->holders[1].mode, PD_LOCK_WRITE);
    assert_int_equal(r->nwaiters, 1);
    assert_string_equal(r->waiters[0].owner, "carol");
    assert_int_equal(r->waiters[0].mode, PD_LOCK_EXCLUSIVE);
    assert_int_equal(r->waiters[0].held_ms, 0);
    assert_true(r->waiters[0].waited_ms <= s->now_ms);
    assert_int_equal(s->counters.acquired, 3);
    assert_int_equal(s->counters.waited, 1);
    assert_int_equal(s->counters.waiting, 1);
    assert_int_equal(s->counters.held, 3);
    pd_locks_snapshot_free(s);

    pd_locks_owner_free(a);
    pd_locks_owner_free(b);
    pd_locks_owner_free(d);
    drain();
    assert_granted(&rc);
    pd_locks_release(rc.lock);
    s = pd_locks_snapshot_get(L);
    assert_int_equal(s->nresources, 0); /* unused resources are freed */
    assert_int_equal(s->counters.held, 0);
    pd_locks_snapshot_free(s);
    pd_locks_snapshot_free(NULL);
    done();
}

static void test_bad_calls(void **state)
{
    pd_locks_owner *a = pd_locks_owner_new(L, "a");
    pd_locks_owner *b = pd_locks_owner_new(L, "b");
    pd_lock_mode m = PD_LOCK_READ;
    rec ra, rb;

    (void)state;
    assert_int_equal(pd_locks_acquire(a, "x", PD_LOCK_READ, 0, NULL, NULL),
                     PD_EINVAL);
    assert_int_equal(pd_locks_acquire(a, "", PD_LOCK_READ, 0, on_lock, &ra),
                     PD_EINVAL);
    assert_int_equal(pd_locks_acquire(a, "x", (pd_lock_mode)7, 0, on_lock,
                                      &ra), PD_EINVAL);
    acq(a, "x", PD_LOCK_EXCLUSIVE, 0, &ra);
    acq(b, "x", PD_LOCK_READ, 0, &rb);
    assert_int_equal(pd_locks_acquire(b, "y", PD_LOCK_READ, 0, on_lock, &ra),
                     PD_ESTATE);
    assert_int_equal(pd_locks_mode_parse("Exclusive", &m), 0);
    assert_int_equal(m, PD_LOCK_EXCLUSIVE);
    assert_int_equal(pd_locks_mode_parse("share", &m), PD_EINVAL);
    assert_string_equal(pd_locks_mode_name(PD_LOCK_WRITE), "write");
    pd_locks_release(NULL);
    pd_locks_owner_free(NULL);
    drain();
    assert_granted(&ra);
    assert_waiting(&rb);
    done();
    assert_int_equal(rb.called, 1); /* canceled by pd_locks_free */
    assert_int_equal(rb.err.kind, PD_ERR_CANCELED);
    clear(&rb);
}

/* Freeing the manager from a callback, with a grant still queued. */
static void on_lock_free_all(pd_lock *lock, const pd_error *err, void *ctx)
{
    on_lock(lock, err, ctx);
    pd_locks_free(L);
    assert_null(pd_locks_owner_new(L, "late"));
    L = NULL; /* freed once its handles close */
}

static void test_free_inside_callback(void **state)
{
    pd_locks_owner *a = pd_locks_owner_new(L, "a");
    pd_locks_owner *b = pd_locks_owner_new(L, "b");
    rec ra, rb;

    (void)state;
    memset(&ra, 0, sizeof(ra));
    assert_int_equal(pd_locks_acquire(a, "x", PD_LOCK_READ, 0,
                                      on_lock_free_all, &ra), 0);
    acq(b, "y", PD_LOCK_READ, 0, &rb);
    uv_run(&loop, UV_RUN_NOWAIT);
    assert_granted(&ra);
    assert_int_equal(rb.called, 1);
    assert_null(rb.lock);
    assert_int_equal(rb.err.kind, PD_ERR_CANCELED);
    clear(&rb);
    done();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_compat_table, setup),
        cmocka_unit_test_setup(test_same_owner_never_conflicts, setup),
        cmocka_unit_test_setup(test_fifo_no_writer_starvation, setup),
        cmocka_unit_test_setup(test_read_passes_compatible_waiter, setup),
        cmocka_unit_test_setup(test_release_wakes_several, setup),
        cmocka_unit_test_setup(test_timeout, setup),
        cmocka_unit_test_setup(test_deadlock_two, setup),
        cmocka_unit_test_setup(test_deadlock_three, setup),
        cmocka_unit_test_setup(test_upgrade, setup),
        cmocka_unit_test_setup(test_owner_free_cancels, setup),
        cmocka_unit_test_setup(test_snapshot, setup),
        cmocka_unit_test_setup(test_bad_calls, setup),
        cmocka_unit_test_setup(test_free_inside_callback, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
