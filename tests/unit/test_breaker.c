/* test_breaker.c: the circuit breaker's whole state machine, its single
 * half-open probe, its counters and its error text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/breaker.h"

/* Opens b with the configured number of failures at time t. */
static void fail_n(pd_breaker *b, int n, uint64_t t)
{
    int i;

    for (i = 0; i < n; i++) {
        assert_true(pd_breaker_allow(b, t));
        pd_breaker_failure(b, t);
    }
}

static void test_starts_closed(void **state)
{
    pd_breaker *b = pd_breaker_new(NULL);
    pd_breaker_stats st;
    int i;

    (void)state;
    assert_int_equal(pd_breaker_state_get(b), PD_BREAKER_CLOSED);
    for (i = 0; i < 1000; i++)
        assert_true(pd_breaker_allow(b, (uint64_t)i));
    st = pd_breaker_stats_get(b);
    assert_int_equal(st.failures_to_open, 5); /* the default */
    assert_int_equal(st.rejections, 0);
    assert_int_equal(st.opens, 0);
    assert_int_equal(st.since_ms, 0);
    pd_breaker_free(b);
    pd_breaker_free(NULL);
}

/* N consecutive failures open it; fewer do not. */
static void test_opens_after_n_consecutive(void **state)
{
    pd_breaker_opts o = {3, 1000};
    pd_breaker *b = pd_breaker_new(&o);
    pd_breaker_stats st;

    (void)state;
    fail_n(b, 2, 10);
    assert_int_equal(pd_breaker_state_get(b), PD_BREAKER_CLOSED);
    assert_int_equal(pd_breaker_stats_get(b).consecutive_failures, 2);
    fail_n(b, 1, 20);
    st = pd_breaker_stats_get(b);
    assert_int_equal(st.state, PD_BREAKER_OPEN);
    assert_int_equal(st.since_ms, 20);
    assert_int_equal(st.retry_at_ms, 1020);
    assert_int_equal(st.opens, 1);
    assert_int_equal(st.failures, 3);
    pd_breaker_free(b);
}

/* A success in between breaks the run. */
static void test_success_resets_run(void **state)
{
    pd_breaker_opts o = {3, 1000};
    pd_breaker *b = pd_breaker_new(&o);
    int i;

    (void)state;
    for (i = 0; i < 10; i++) {
        fail_n(b, 2, (uint64_t)i);
        assert_true(pd_breaker_allow(b, (uint64_t)i));
        pd_breaker_success(b, (uint64_t)i);
        assert_int_equal(pd_breaker_stats_get(b).consecutive_failures, 0);
    }
    assert_int_equal(pd_breaker_state_get(b), PD_BREAKER_CLOSED);
    assert_int_equal(pd_breaker_stats_get(b).failures, 20);
    pd_breaker_free(b);
}

/* Open: fail fast, counting rejections, until the cool-down ends. */
static void test_open_rejects_until_cooldown(void **state)
{
    pd_breaker_opts o = {2, 1000};
    pd_breaker *b = pd_breaker_new(&o);
    uint64_t t;

    (void)state;
    fail_n(b, 2, 5000);
    for (t = 5000; t < 6000; t += 100)
        assert_false(pd_breaker_allow(b, t));
    assert_false(pd_breaker_allow(b, 5999));
    assert_int_equal(pd_breaker_stats_get(b).rejections, 11);
    assert_int_equal(pd_breaker_state_get(b), PD_BREAKER_OPEN);
    /* Reading the state does not admit anything. */
    assert_int_equal(pd_breaker_state_get(b), PD_BREAKER_OPEN);
    pd_breaker_free(b);
}

/* Half-open admits exactly one probe; the rest are refused. */
static void test_half_open_single_probe(void **state)
{
    pd_breaker_opts o = {2, 1000};
    pd_breaker *b = pd_breaker_new(&o);
    pd_breaker_stats st;
    int i;

    (void)state;
    fail_n(b, 2, 0);
    assert_true(pd_breaker_allow(b, 1000)); /* the probe */
    st = pd_breaker_stats_get(b);
    assert_int_equal(st.state, PD_BREAKER_HALF_OPEN);
    assert_int_equal(st.since_ms, 1000);
    assert_int_equal(st.probes, 1);
    for (i = 0; i < 50; i++)
        assert_false(pd_breaker_allow(b, 1000 + (uint64_t)i * 10));
    st = pd_breaker_stats_get(b);
    assert_int_equal(st.probes, 1);
    assert_int_equal(st.rejections, 50);
    assert_int_equal(st.state, PD_BREAKER_HALF_OPEN);
    pd_breaker_free(b);
}

/* The probe succeeds: closed, run reset, calls pass. */
static void test_probe_success_closes(void **state)
{
    pd_breaker_opts o = {2, 1000};
    pd_breaker *b = pd_breaker_new(&o);
    pd_breaker_stats st;

    (void)state;
    fail_n(b, 2, 0);
    assert_true(pd_breaker_allow(b, 1500));
    pd_breaker_success(b, 1700);
    st = pd_breaker_stats_get(b);
    assert_int_equal(st.state, PD_BREAKER_CLOSED);
    assert_int_equal(st.since_ms, 1700);
    assert_int_equal(st.consecutive_failures, 0);
    assert_true(pd_breaker_allow(b, 1701));
    assert_true(pd_breaker_allow(b, 1702));
    /* It takes a full run again to open. */
    fail_n(b, 1, 1800);
    assert_int_equal(pd_breaker_state_get(b), PD_BREAKER_CLOSED);
    fail_n(b, 1, 1900);
    assert_int_equal(pd_breaker_state_get(b), PD_BREAKER_OPEN);
    assert_int_equal(pd_breaker_stats_get(b).opens, 2);
    pd_breaker_free(b);
}

/* The probe fails: open again, with a fresh cool-down. */
static void test_probe_failure_reopens(void **state)
{
    pd_breaker_opts o = {2, 1000};
    pd_breaker *b = pd_breaker_new(&o);
    pd_breaker_stats st;

    (void)state;
    fail_n(b, 2, 0);
    assert_true(pd_breaker_allow(b, 1000));
    pd_breaker_failure(b, 1200);
    st = pd_breaker_stats_get(b);
    assert_int_equal(st.state, PD_BREAKER_OPEN);
    assert_int_equal(st.since_ms, 1200);
    assert_int_equal(st.retry_at_ms, 2200);
    assert_int_equal(st.opens, 2);
    assert_int_equal(st.consecutive_failures, 3);
    assert_false(pd_breaker_allow(b, 2199));
    assert_true(pd_breaker_allow(b, 2200)); /* the second probe */
    assert_false(pd_breaker_allow(b, 2201));
    pd_breaker_success(b, 2300);
    st = pd_breaker_stats_get(b);
    assert_int_equal(st.state, PD_BREAKER_CLOSED);
    assert_int_equal(st.probes, 2);
    assert_int_equal(st.opens, 2);
    assert_int_equal(st.rejections, 2);
    pd_breaker_free(b);
}

/* Reports from calls already in flight when it opened change nothing:
 * no stretched cool-down, no early close. */
static void test_reports_while_open_ignored(void **state)
{
    pd_breaker_opts o = {2, 1000};
    pd_breaker *b = pd_breaker_new(&o);
    pd_breaker_stats st;

    (void)state;
    fail_n(b, 2, 0);
    pd_breaker_failure(b, 500);
    pd_breaker_failure(b, 900);
    pd_breaker_success(b, 950);
    st = pd_breaker_stats_get(b);
    assert_int_equal(st.state, PD_BREAKER_OPEN);
    assert_int_equal(st.since_ms, 0);
    assert_int_equal(st.opens, 1);
    assert_int_equal(st.failures, 4);
    assert_true(pd_breaker_allow(b, 1000));
    pd_breaker_free(b);
}

/* A probe released without a verdict frees the slot for the next call. */
static void test_release_frees_probe(void **state)
{
    pd_breaker_opts o = {1, 1000};
    pd_breaker *b = pd_breaker_new(&o);

    (void)state;
    pd_breaker_release(b); /* closed: no effect */
    fail_n(b, 1, 0);
    pd_breaker_release(b); /* open: no effect */
    assert_false(pd_breaker_allow(b, 10));
    assert_true(pd_breaker_allow(b, 1000));
    assert_false(pd_breaker_allow(b, 1001));
    pd_breaker_release(b);
    assert_int_equal(pd_breaker_state_get(b), PD_BREAKER_HALF_OPEN);
    assert_true(pd_breaker_allow(b, 1002));
    assert_false(pd_breaker_allow(b, 1003));
    assert_int_equal(pd_breaker_stats_get(b).probes, 2);
    pd_breaker_free(b);
}

/* A probe that never reports is given up after another open_ms. */
static void test_lost_probe_expires(void **state)
{
    pd_breaker_opts o = {1, 1000};
    pd_breaker *b = pd_breaker_new(&o);

    (void)state;
    fail_n(b, 1, 0);
    assert_true(pd_breaker_allow(b, 1000));
    assert_false(pd_breaker_allow(b, 1999));
    assert_true(pd_breaker_allow(b, 2000));
    assert_false(pd_breaker_allow(b, 2001));
    assert_int_equal(pd_breaker_stats_get(b).probes, 2);
    pd_breaker_free(b);
}

/* A clock stepping back never admits early nor underflows. */
static void test_clock_step_back(void **state)
{
    pd_breaker_opts o = {1, 1000};
    pd_breaker *b = pd_breaker_new(&o);
    pd_error err = PD_ERROR_INIT;

    (void)state;
    fail_n(b, 1, 5000);
    assert_false(pd_breaker_allow(b, 100));
    pd_breaker_error(b, 100, &err);
    assert_non_null(strstr(err.message, "next probe in 1.0 s"));
    pd_error_clear(&err);
    assert_true(pd_breaker_allow(b, 6000));
    pd_breaker_free(b);
}

/* failures < 1 would never open or always be open: clamped, and the
 * config check names the key. */
static void test_opts(void **state)
{
    pd_breaker_opts o = {0, 1000};
    pd_breaker_opts ok = PD_BREAKER_OPTS_DEFAULT;
    pd_error err = PD_ERROR_INIT;
    pd_breaker *b;

    (void)state;
    assert_int_equal(pd_breaker_opts_check(&ok, &err), PD_OK);
    assert_int_equal(pd_breaker_opts_check(&o, &err), PD_EINVAL);
    assert_int_equal(err.kind, PD_ERR_USAGE);
    assert_non_null(strstr(err.message, "breaker.failures"));
    pd_error_clear(&err);
    b = pd_breaker_new(&o);
    assert_int_equal(pd_breaker_stats_get(b).failures_to_open, 1);
    fail_n(b, 1, 0);
    assert_int_equal(pd_breaker_state_get(b), PD_BREAKER_OPEN);
    pd_breaker_free(b);
}

/* open_ms 0: the very next call after opening is the probe. */
static void test_zero_cooldown(void **state)
{
    pd_breaker_opts o = {1, 0};
    pd_breaker *b = pd_breaker_new(&o);

    (void)state;
    fail_n(b, 1, 0);
    assert_int_equal(pd_breaker_state_get(b), PD_BREAKER_OPEN);
    assert_true(pd_breaker_allow(b, 0));
    assert_int_equal(pd_breaker_state_get(b), PD_BREAKER_HALF_OPEN);
    /* Still one probe at a time, for at least a second. */
    assert_false(pd_breaker_allow(b, 0));
    assert_false(pd_breaker_allow(b, 999));
    pd_breaker_success(b, 0);
    assert_int_equal(pd_breaker_state_get(b), PD_BREAKER_CLOSED);
    pd_breaker_free(b);
}

static void test_error_text(void **state)
{
    pd_breaker *b = pd_breaker_new(NULL); /* 5 failures, 10000 ms */
    pd_error err = PD_ERROR_INIT;

    (void)state;
    fail_n(b, 5, 1000);
    assert_false(pd_breaker_allow(b, 3800));
    pd_breaker_error(b, 3800, &err);
    assert_int_equal(err.kind, PD_ERR_CIRCUIT_OPEN);
    assert_string_equal(err.message,
                        "circuit breaker open after 5 consecutive "
                        "connection failures; next probe in 7.2 s");
    /* Rounded up: never "0.0 s" while still refusing. */
    pd_breaker_error(b, 10999, &err);
    assert_non_null(strstr(err.message, "next probe in 0.1 s"));
    pd_breaker_error(b, 1000, &err);
    assert_non_null(strstr(err.message, "next probe in 10.0 s"));

    assert_true(pd_breaker_allow(b, 11000));
    assert_false(pd_breaker_allow(b, 11001));
    pd_breaker_error(b, 11001, &err);
    assert_int_equal(err.kind, PD_ERR_CIRCUIT_OPEN);
    assert_string_equal(err.message,
                        "circuit breaker half-open after 5 consecutive "
                        "connection failures; a probe is in progress");
    pd_error_clear(&err);
    pd_breaker_free(b);

    b = pd_breaker_new(&(pd_breaker_opts){1, 1500});
    fail_n(b, 1, 0);
    pd_breaker_error(b, 0, &err);
    assert_string_equal(err.message,
                        "circuit breaker open after 1 consecutive "
                        "connection failure; next probe in 1.5 s");
    pd_error_clear(&err);
    pd_breaker_free(b);
}

static void test_state_names(void **state)
{
    (void)state;
    assert_string_equal(pd_breaker_state_name(PD_BREAKER_CLOSED), "closed");
    assert_string_equal(pd_breaker_state_name(PD_BREAKER_OPEN), "open");
    assert_string_equal(pd_breaker_state_name(PD_BREAKER_HALF_OPEN),
                        "half-open");
}

/* A long run: the counters add up across many cycles. */
static void test_cycles_counters(void **state)
{
    pd_breaker_opts o = {3, 100};
    pd_breaker *b = pd_breaker_new(&o);
    pd_breaker_stats st;
    uint64_t t = 0;
    int cycle;

    (void)state;
    for (cycle = 0; cycle < 10; cycle++) {
        fail_n(b, 3, t);                      /* open */
        assert_false(pd_breaker_allow(b, t + 50));
        assert_true(pd_breaker_allow(b, t + 100)); /* probe 1: fails */
        pd_breaker_failure(b, t + 110);
        assert_false(pd_breaker_allow(b, t + 150));
        assert_true(pd_breaker_allow(b, t + 210)); /* probe 2: succeeds */
        pd_breaker_success(b, t + 220);
        assert_int_equal(pd_breaker_state_get(b), PD_BREAKER_CLOSED);
        t += 1000;
    }
    st = pd_breaker_stats_get(b);
    assert_int_equal(st.opens, 20);
    assert_int_equal(st.probes, 20);
    assert_int_equal(st.rejections, 20);
    assert_int_equal(st.failures, 40);
    pd_breaker_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_starts_closed),
        cmocka_unit_test(test_opens_after_n_consecutive),
        cmocka_unit_test(test_success_resets_run),
        cmocka_unit_test(test_open_rejects_until_cooldown),
        cmocka_unit_test(test_half_open_single_probe),
        cmocka_unit_test(test_probe_success_closes),
        cmocka_unit_test(test_probe_failure_reopens),
        cmocka_unit_test(test_reports_while_open_ignored),
        cmocka_unit_test(test_release_frees_probe),
        cmocka_unit_test(test_lost_probe_expires),
        cmocka_unit_test(test_clock_step_back),
        cmocka_unit_test(test_opts),
        cmocka_unit_test(test_zero_cooldown),
        cmocka_unit_test(test_error_text),
        cmocka_unit_test(test_state_names),
        cmocka_unit_test(test_cycles_counters),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
