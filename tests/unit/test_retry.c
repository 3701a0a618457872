/* test_retry.c: backoff bounds and jitter, every retry rule of DESIGN.md,
 * and the Retries panel's counters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/retry.h"

static const pd_retry_policy defpol = PD_RETRY_POLICY_DEFAULT;

static pd_error mkerr(pd_error_kind kind, const char *sqlstate)
{
    pd_error e = PD_ERROR_INIT;

    e.kind = kind;
    snprintf(e.sqlstate, sizeof(e.sqlstate), "%s", sqlstate);
    return e;
}

static pd_retry_input mkin(const pd_error *err, unsigned attempt,
                           bool whole_txn, bool sent, bool read_only)
{
    pd_retry_input in;

    memset(&in, 0, sizeof(in));
    in.err = err;
    in.policy = &defpol;
    in.attempt = attempt;
    in.whole_txn = whole_txn;
    in.sent = sent;
    in.read_only = read_only;
    return in;
}

static uint64_t rand_zero(void *ctx)
{
    (void)ctx;
    return 0;
}

static uint64_t rand_ones(void *ctx)
{
    (void)ctx;
    return UINT64_MAX;
}

/* ---- backoff ---- */

static void test_ceiling_doubles_then_caps(void **state)
{
    (void)state;
    assert_int_equal(pd_retry_backoff_ceiling_ms(&defpol, 0), 50);
    assert_int_equal(pd_retry_backoff_ceiling_ms(&defpol, 1), 100);
    assert_int_equal(pd_retry_backoff_ceiling_ms(&defpol, 5), 1600);
    assert_int_equal(pd_retry_backoff_ceiling_ms(&defpol, 6), 2000);
    assert_int_equal(pd_retry_backoff_ceiling_ms(&defpol, 31), 2000);
    assert_int_equal(pd_retry_backoff_ceiling_ms(&defpol, 32), 2000);
    assert_int_equal(pd_retry_backoff_ceiling_ms(&defpol, 60), 2000);
    assert_int_equal(pd_retry_backoff_ceiling_ms(&defpol, UINT32_MAX), 2000);
}

/* base * 2^attempt overflows 32 and 64 bits long before attempt 60. */
static void test_ceiling_no_overflow(void **state)
{
    pd_retry_policy big = {3, UINT32_MAX, UINT32_MAX};
    pd_retry_policy one = {3, 1, UINT32_MAX};
    pd_retry_policy zero = {3, 0, 2000};
    unsigned a;

    (void)state;
    for (a = 0; a <= 200; a++) {
        assert_int_equal(pd_retry_backoff_ceiling_ms(&big, a), UINT32_MAX);
        assert_int_equal(pd_retry_backoff_ceiling_ms(&zero, a), 0);
    }
    assert_int_equal(pd_retry_backoff_ceiling_ms(&one, 31), 1u << 31);
    assert_int_equal(pd_retry_backoff_ceiling_ms(&one, 32), UINT32_MAX);
    assert_int_equal(pd_retry_backoff_ceiling_ms(&one, 60), UINT32_MAX);
    assert_int_equal(pd_retry_backoff_ms(&big, 60, rand_ones, NULL),
                     UINT32_MAX);
    assert_int_equal(pd_retry_backoff_ms(&big, 60, rand_zero, NULL), 0);
}

/* The extremes of the random source reach both ends of the range. */
static void test_backoff_extremes(void **state)
{
    unsigned a;

    (void)state;
    for (a = 0; a <= 64; a++) {
        uint32_t c = pd_retry_backoff_ceiling_ms(&defpol, a);

        assert_int_equal(pd_retry_backoff_ms(&defpol, a, rand_zero, NULL),
                         0);
        assert_int_equal(pd_retry_backoff_ms(&defpol, a, rand_ones, NULL),
                         c);
    }
}

/* Many draws over many attempts: never above the ceiling, the whole range
 * used, mean near half the ceiling (full jitter, not "equal jitter"). */
static void test_backoff_bounds_and_spread(void **state)
{
    const pd_retry_policy pols[] = {
        {3, 50, 2000}, {3, 1, 100}, {3, 7, 7}, {3, 1000, UINT32_MAX},
    };
    pd_retry_rng rng;
    size_t p;
    unsigned a;
    int i;

    (void)state;
    pd_retry_rng_seed(&rng, 42);
    for (p = 0; p < sizeof(pols) / sizeof(pols[0]); p++) {
        for (a = 0; a <= 64; a++) {
            uint32_t c = pd_retry_backoff_ceiling_ms(&pols[p], a);
            uint32_t lo = UINT32_MAX, hi = 0;
            double sum = 0;
            const int n = 4000;

            for (i = 0; i < n; i++) {
                uint32_t d =
                    pd_retry_backoff_ms(&pols[p], a, pd_retry_rng_next, &rng);

                assert_true(d <= c);
                lo = d < lo ? d : lo;
                hi = d > hi ? d : hi;
                sum += d;
            }
            if (c <= 100) {
                /* 4000 draws over <= 101 values: both ends are hit. */
                assert_int_equal(lo, 0);
                assert_int_equal(hi, c);
            } else {
                assert_true(lo <= c / 50);
                assert_true(hi >= c - c / 50);
            }
            if (c >= 100) {
                double mean = sum / n;

                assert_true(mean > c * 0.45 && mean < c * 0.55);
            }
        }
    }
}

static void test_rng_deterministic(void **state)
{
    pd_retry_rng a, b, c;
    int i, same = 0;

    (void)state;
    pd_retry_rng_seed(&a, 7);
    pd_retry_rng_seed(&b, 7);
    pd_retry_rng_seed(&c, 8);
    for (i = 0; i < 100; i++) {
        uint64_t x = pd_retry_rng_next(&a);

        assert_true(x == pd_retry_rng_next(&b));
        same += x == pd_retry_rng_next(&c);
    }
    assert_int_equal(same, 0);
    /* Seed 0 is fine too: splitmix has no bad seeds. */
    pd_retry_rng_seed(&a, 0);
    assert_true(pd_retry_rng_next(&a) != 0);
}

static void test_policy_check(void **state)
{
    pd_retry_policy p = PD_RETRY_POLICY_DEFAULT;
    pd_error err = PD_ERROR_INIT;

    (void)state;
    assert_int_equal(pd_retry_policy_check(&p, &err), PD_OK);
    assert_false(pd_error_isset(&err));
    p.attempts = 0;
    assert_int_equal(pd_retry_policy_check(&p, &err), PD_EINVAL);
    assert_int_equal(err.kind, PD_ERR_USAGE);
    assert_non_null(strstr(err.message, "retry.attempts"));
    pd_error_clear(&err);
    p.attempts = 1;
    assert_int_equal(pd_retry_policy_check(&p, NULL), PD_OK);
    p.cap_ms = 10;
    assert_int_equal(pd_retry_policy_check(&p, &err), PD_EINVAL);
    assert_non_null(strstr(err.message, "retry.cap_ms"));
    pd_error_clear(&err);
}

/* ---- classification ---- */

static void test_classify(void **state)
{
    static const struct {
        pd_error_kind kind;
        const char *sqlstate;
        pd_retry_class want;
    } cases[] = {
        {PD_ERR_SERVER, "40001", PD_RETRY_CLASS_SERIALIZATION},
        {PD_ERR_SERVER, "40P01", PD_RETRY_CLASS_DEADLOCK},
        {PD_ERR_CONNECTION, "", PD_RETRY_CLASS_CONNECTION},
        {PD_ERR_SERVER, "08006", PD_RETRY_CLASS_CONNECTION},
        {PD_ERR_SERVER, "08000", PD_RETRY_CLASS_CONNECTION},
        {PD_ERR_SERVER, "08P01", PD_RETRY_CLASS_CONNECTION},
        {PD_ERR_SERVER, "57P01", PD_RETRY_CLASS_CONNECTION},
        {PD_ERR_SERVER, "57P02", PD_RETRY_CLASS_CONNECTION},
        {PD_ERR_SERVER, "57P03", PD_RETRY_CLASS_CONNECTION},
        {PD_ERR_CONNECTION, "57P01", PD_RETRY_CLASS_CONNECTION},
        {PD_ERR_SERVER, "57P04", PD_RETRY_CLASS_NONE},  /* db dropped */
        {PD_ERR_SERVER, "57014", PD_RETRY_CLASS_NONE},  /* canceled */
        {PD_ERR_SERVER, "40002", PD_RETRY_CLASS_NONE},
        {PD_ERR_SERVER, "23505", PD_RETRY_CLASS_NONE},  /* unique */
        {PD_ERR_SERVER, "42601", PD_RETRY_CLASS_NONE},  /* syntax */
        {PD_ERR_SERVER, "", PD_RETRY_CLASS_NONE},
        {PD_ERR_SERVER, "4000", PD_RETRY_CLASS_NONE},
        {PD_ERR_SERVER, "40p01", PD_RETRY_CLASS_NONE},
        {PD_ERR_TIMEOUT, "", PD_RETRY_CLASS_NONE},
        {PD_ERR_TIMEOUT, "57014", PD_RETRY_CLASS_NONE},
        {PD_ERR_POOL_TIMEOUT, "", PD_RETRY_CLASS_NONE},
        {PD_ERR_CIRCUIT_OPEN, "", PD_RETRY_CLASS_NONE},
        {PD_ERR_CANCELED, "", PD_RETRY_CLASS_NONE},
        {PD_ERR_OUTCOME_UNKNOWN, "08006", PD_RETRY_CLASS_NONE},
        {PD_ERR_USAGE, "", PD_RETRY_CLASS_NONE},
        {PD_ERR_NONE, "40001", PD_RETRY_CLASS_NONE},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pd_error e = mkerr(cases[i].kind, cases[i].sqlstate);

        assert_int_equal(pd_retry_classify(&e), cases[i].want);
    }
    assert_int_equal(pd_retry_classify(NULL), PD_RETRY_CLASS_NONE);
}

/* ---- decision rules ---- */

/* Rule 1: a whole transaction is retried on 40001 and 40P01. */
static void test_txn_serialization_and_deadlock(void **state)
{
    static const char *const states[] = {"40001", "40P01"};
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++) {
        pd_error e = mkerr(PD_ERR_SERVER, states[i]);
        pd_retry_input in;

        in = mkin(&e, 0, true, true, false);
        assert_int_equal(pd_retry_decide(&in), PD_RETRY_YES);
        in = mkin(&e, 1, true, true, false);
        assert_int_equal(pd_retry_decide(&in), PD_RETRY_YES);
        /* attempts 3: tries 0, 1, 2; after try 2 nothing is left. */
        in = mkin(&e, 2, true, true, false);
        assert_int_equal(pd_retry_decide(&in), PD_RETRY_NO);
        /* One statement inside someone's transaction: the rest is gone
         * on the server, so re-running the statement alone is wrong. */
        in = mkin(&e, 0, false, true, false);
        assert_int_equal(pd_retry_decide(&in), PD_RETRY_NO);
        in = mkin(&e, 0, false, true, true);
        assert_int_equal(pd_retry_decide(&in), PD_RETRY_NO);
    }
}

/* Rule 2: a connection failure before sending is retried. */
static void test_connection_not_sent(void **state)
{
    pd_error e = mkerr(PD_ERR_CONNECTION, "");
    pd_retry_input in;

    (void)state;
    in = mkin(&e, 0, false, false, false);
    assert_int_equal(pd_retry_decide(&in), PD_RETRY_YES);
    in = mkin(&e, 1, false, false, true);
    assert_int_equal(pd_retry_decide(&in), PD_RETRY_YES);
    in = mkin(&e, 2, false, false, false);
    assert_int_equal(pd_retry_decide(&in), PD_RETRY_NO);
}

/* Rule 2: after sending, only a read-only statement is retried. */
static void test_connection_sent_read_only(void **state)
{
    pd_error e = mkerr(PD_ERR_CONNECTION, "");
    pd_retry_input in;

    (void)state;
    in = mkin(&e, 0, false, true, true);
    assert_int_equal(pd_retry_decide(&in), PD_RETRY_YES);
    in = mkin(&e, 2, false, true, true);
    assert_int_equal(pd_retry_decide(&in), PD_RETRY_NO);
}

/* Rule 3: a sent write whose connection died is outcome-unknown, never
 * retried, and stays outcome-unknown with no attempts left. */
static void test_connection_sent_write_outcome_unknown(void **state)
{
    static const struct {
        pd_error_kind kind;
        const char *sqlstate;
    } errs[] = {
        {PD_ERR_CONNECTION, ""},      {PD_ERR_SERVER, "08006"},
        {PD_ERR_SERVER, "57P01"},     {PD_ERR_SERVER, "57P02"},
        {PD_ERR_CONNECTION, "08003"},
    };
    size_t i;
    unsigned a;

    (void)state;
    for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
        pd_error e = mkerr(errs[i].kind, errs[i].sqlstate);

        for (a = 0; a < 5; a++) {
            pd_retry_input in = mkin(&e, a, false, true, false);

            assert_int_equal(pd_retry_decide(&in),
                             PD_RETRY_OUTCOME_UNKNOWN);
        }
    }
}

/* A whole transaction: losing the connection before COMMIT was sent rolls
 * it back (retry); after COMMIT was sent, a writing one is unknown. */
static void test_txn_connection_loss(void **state)
{
    pd_error e = mkerr(PD_ERR_CONNECTION, "");
    pd_retry_input in;

    (void)state;
    in = mkin(&e, 0, true, false, false);
    assert_int_equal(pd_retry_decide(&in), PD_RETRY_YES);
    in = mkin(&e, 0, true, true, false);
    assert_int_equal(pd_retry_decide(&in), PD_RETRY_OUTCOME_UNKNOWN);
    in = mkin(&e, 0, true, true, true);
    assert_int_equal(pd_retry_decide(&in), PD_RETRY_YES);
}

/* 57P03 cannot_connect_now comes at connect time: nothing was sent. */
static void test_server_connection_states(void **state)
{
    pd_error e = mkerr(PD_ERR_SERVER, "57P03");
    pd_retry_input in;

    (void)state;
    in = mkin(&e, 0, false, false, false);
    assert_int_equal(pd_retry_decide(&in), PD_RETRY_YES);
    e = mkerr(PD_ERR_SERVER, "08001");
    in = mkin(&e, 0, false, false, false);
    assert_int_equal(pd_retry_decide(&in), PD_RETRY_YES);
}

/* Never retried, whatever the flags: other server errors and verdicts. */
static void test_never_retried(void **state)
{
    static const struct {
        pd_error_kind kind;
        const char *sqlstate;
    } errs[] = {
        {PD_ERR_SERVER, "42601"},   {PD_ERR_SERVER, "23505"},
        {PD_ERR_SERVER, "23503"},   {PD_ERR_SERVER, "22012"},
        {PD_ERR_SERVER, "57014"},   {PD_ERR_SERVER, "25P02"},
        {PD_ERR_TIMEOUT, ""},       {PD_ERR_POOL_TIMEOUT, ""},
        {PD_ERR_CIRCUIT_OPEN, ""},  {PD_ERR_CANCELED, ""},
        {PD_ERR_OUTCOME_UNKNOWN, ""}, {PD_ERR_USAGE, ""},
        {PD_ERR_NONE, ""},
    };
    size_t i;
    unsigned flags;

    (void)state;
    for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
        pd_error e = mkerr(errs[i].kind, errs[i].sqlstate);

        for (flags = 0; flags < 8; flags++) {
            pd_retry_input in =
                mkin(&e, 0, flags & 1, (flags & 2) != 0, (flags & 4) != 0);

            assert_int_equal(pd_retry_decide(&in), PD_RETRY_NO);
        }
    }
    {
        pd_retry_input in = mkin(NULL, 0, true, false, true);

        assert_int_equal(pd_retry_decide(&in), PD_RETRY_NO);
    }
}

/* attempts 1 (or a missing policy) never retries; outcome-unknown is
 * still reported. */
static void test_single_attempt(void **state)
{
    pd_retry_policy once = {1, 50, 2000};
    pd_retry_policy broken = {0, 50, 2000};
    pd_error conn = mkerr(PD_ERR_CONNECTION, "");
    pd_error ser = mkerr(PD_ERR_SERVER, "40001");
    pd_retry_input in;

    (void)state;
    in = mkin(&conn, 0, false, false, false);
    in.policy = &once;
    assert_int_equal(pd_retry_decide(&in), PD_RETRY_NO);
    in.policy = &broken;
    assert_int_equal(pd_retry_decide(&in), PD_RETRY_NO);
    in.policy = NULL;
    assert_int_equal(pd_retry_decide(&in), PD_RETRY_NO);
    in = mkin(&ser, 0, true, true, false);
    in.policy = &once;
    assert_int_equal(pd_retry_decide(&in), PD_RETRY_NO);
    in = mkin(&conn, 0, false, true, false);
    in.policy = NULL;
    assert_int_equal(pd_retry_decide(&in), PD_RETRY_OUTCOME_UNKNOWN);
}

/* Exhaustive: no input ever retries a sent write after a connection
 * failure, and YES always leaves a try. */
static void test_invariants(void **state)
{
    static const pd_error_kind kinds[] = {
        PD_ERR_NONE, PD_ERR_SERVER, PD_ERR_CONNECTION, PD_ERR_TIMEOUT,
        PD_ERR_CANCELED, PD_ERR_OUTCOME_UNKNOWN,
    };
    static const char *const states[] = {
        "", "40001", "40P01", "08006", "57P01", "57P03", "23505",
    };
    size_t k, s;
    unsigned flags, a;
    int att;

    (void)state;
    for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
    for (s = 0; s < sizeof(states) / sizeof(states[0]); s++)
    for (flags = 0; flags < 8; flags++)
    for (att = 1; att <= 4; att++)
    for (a = 0; a < 6; a++) {
        pd_retry_policy pol = {att, 50, 2000};
        pd_error e = mkerr(kinds[k], states[s]);
        pd_retry_input in =
            mkin(&e, a, flags & 1, (flags & 2) != 0, (flags & 4) != 0);
        pd_retry_decision d;

        in.policy = &pol;
        d = pd_retry_decide(&in);
        if (pd_retry_classify(&e) == PD_RETRY_CLASS_CONNECTION &&
            in.sent && !in.read_only)
            assert_int_equal(d, PD_RETRY_OUTCOME_UNKNOWN);
        else
            assert_int_not_equal(d, PD_RETRY_OUTCOME_UNKNOWN);
        if (d == PD_RETRY_YES)
            assert_true(a + 1 < (unsigned)att);
        if (pd_retry_classify(&e) == PD_RETRY_CLASS_NONE)
            assert_int_equal(d, PD_RETRY_NO);
    }
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(pd_retry_decision_name(PD_RETRY_OUTCOME_UNKNOWN),
                        "outcome unknown");
    assert_string_equal(pd_retry_class_name(PD_RETRY_CLASS_DEADLOCK),
                        "deadlock");
    assert_string_equal(pd_retry_class_name(PD_RETRY_CLASS_CONNECTION),
                        "connection");
}

/* ---- stats ---- */

static void test_stats_outcomes(void **state)
{
    pd_retry_stats st;
    pd_error ser = mkerr(PD_ERR_SERVER, "40001");
    pd_error dl = mkerr(PD_ERR_SERVER, "40P01");
    pd_error conn = mkerr(PD_ERR_CONNECTION, "");
    pd_error shut = mkerr(PD_ERR_SERVER, "57P01");
    pd_error syn = mkerr(PD_ERR_SERVER, "42601");
    pd_error uniq = mkerr(PD_ERR_SERVER, "23505");
    pd_retry_input in;

    (void)state;
    pd_retry_stats_reset(&st);

    in = mkin(&ser, 0, true, true, false);
    assert_int_equal(pd_retry_stats_record(&st, &in), PD_RETRY_YES);
    in = mkin(&ser, 1, true, true, false);
    assert_int_equal(pd_retry_stats_record(&st, &in), PD_RETRY_YES);
    in = mkin(&ser, 2, true, true, false); /* out of attempts */
    assert_int_equal(pd_retry_stats_record(&st, &in), PD_RETRY_NO);
    in = mkin(&dl, 0, true, true, false);
    assert_int_equal(pd_retry_stats_record(&st, &in), PD_RETRY_YES);
    in = mkin(&dl, 0, false, true, false); /* not a whole txn */
    assert_int_equal(pd_retry_stats_record(&st, &in), PD_RETRY_NO);
    in = mkin(&conn, 0, false, false, false);
    assert_int_equal(pd_retry_stats_record(&st, &in), PD_RETRY_YES);
    in = mkin(&conn, 0, false, true, false);
    assert_int_equal(pd_retry_stats_record(&st, &in),
                     PD_RETRY_OUTCOME_UNKNOWN);
    in = mkin(&shut, 2, false, true, false);
    assert_int_equal(pd_retry_stats_record(&st, &in),
                     PD_RETRY_OUTCOME_UNKNOWN);
    in = mkin(&syn, 0, false, false, true);
    assert_int_equal(pd_retry_stats_record(&st, &in), PD_RETRY_NO);
    in = mkin(&uniq, 0, true, true, false);
    assert_int_equal(pd_retry_stats_record(&st, &in), PD_RETRY_NO);

    assert_int_equal(st.retries[PD_RETRY_CLASS_NONE], 0);
    assert_int_equal(st.retries[PD_RETRY_CLASS_SERIALIZATION], 2);
    assert_int_equal(st.retries[PD_RETRY_CLASS_DEADLOCK], 1);
    assert_int_equal(st.retries[PD_RETRY_CLASS_CONNECTION], 1);
    assert_int_equal(st.gave_up, 1);
    assert_int_equal(st.outcome_unknown, 2);
    assert_int_equal(st.not_retryable, 3);
    assert_int_equal(st.failures, 10);
    assert_int_equal(st.no_sqlstate, 2);

    /* By SQLSTATE class, in first-seen order. */
    assert_int_equal(st.nclasses, 4);
    assert_string_equal(st.sqlclass[0].code, "40");
    assert_int_equal(st.sqlclass[0].count, 5);
    assert_string_equal(st.sqlclass[1].code, "57");
    assert_string_equal(st.sqlclass[2].code, "42");
    assert_string_equal(st.sqlclass[3].code, "23");
    assert_int_equal(pd_retry_stats_class_count(&st, "40"), 5);
    assert_int_equal(pd_retry_stats_class_count(&st, "40P01"), 5);
    assert_int_equal(pd_retry_stats_class_count(&st, "57"), 1);
    assert_int_equal(pd_retry_stats_class_count(&st, "08"), 0);

    pd_retry_stats_record_success(&st, 0);
    assert_int_equal(st.recovered, 0);
    pd_retry_stats_record_success(&st, 2);
    assert_int_equal(st.recovered, 1);
}

/* The class table is fixed; classes past its room are still counted. */
static void test_stats_class_overflow(void **state)
{
    pd_retry_stats st;
    int i;

    (void)state;
    pd_retry_stats_reset(&st);
    for (i = 0; i < PD_RETRY_STATS_CLASSES + 5; i++) {
        char code[6];
        pd_error e;
        pd_retry_input in;

        snprintf(code, sizeof(code), "%c%c000", 'A' + i / 10,
                 '0' + i % 10);
        e = mkerr(PD_ERR_SERVER, code);
        in = mkin(&e, 0, false, false, false);
        (void)pd_retry_stats_record(&st, &in);
        (void)pd_retry_stats_record(&st, &in);
    }
    assert_int_equal(st.nclasses, PD_RETRY_STATS_CLASSES);
    assert_int_equal(st.other_classes, 10);
    assert_int_equal(pd_retry_stats_class_count(&st, "A0"), 2);
    assert_int_equal(st.failures, 2 * (PD_RETRY_STATS_CLASSES + 5));
    /* A copy is a snapshot: later records do not change it. */
    {
        pd_retry_stats snap = st;
        pd_error e = mkerr(PD_ERR_SERVER, "A0000");
        pd_retry_input in = mkin(&e, 0, false, false, false);

        (void)pd_retry_stats_record(&st, &in);
        assert_int_equal(pd_retry_stats_class_count(&snap, "A0"), 2);
        assert_int_equal(pd_retry_stats_class_count(&st, "A0"), 3);
    }
}

static void test_stats_backoff_histogram(void **state)
{
    pd_retry_stats st;
    pd_retry_rng rng;
    int i;

    (void)state;
    pd_retry_stats_reset(&st);
    pd_retry_rng_seed(&rng, 1);
    for (i = 0; i < 1000; i++)
        pd_retry_stats_record_backoff(
            &st, pd_retry_backoff_ms(&defpol, 6, pd_retry_rng_next, &rng));
    pd_retry_stats_record_backoff(&st, 2000);
    assert_int_equal(st.backoff.count, 1001);
    assert_int_equal(st.backoff.max_us, 2000 * 1000);
    assert_true(pd_histogram_quantile(&st.backoff, 0.5) > 800 * 1000);
    assert_true(pd_histogram_quantile(&st.backoff, 0.5) < 1200 * 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ceiling_doubles_then_caps),
        cmocka_unit_test(test_ceiling_no_overflow),
        cmocka_unit_test(test_backoff_extremes),
        cmocka_unit_test(test_backoff_bounds_and_spread),
        cmocka_unit_test(test_rng_deterministic),
        cmocka_unit_test(test_policy_check),
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_txn_serialization_and_deadlock),
        cmocka_unit_test(test_connection_not_sent),
        cmocka_unit_test(test_connection_sent_read_only),
        cmocka_unit_test(test_connection_sent_write_outcome_unknown),
        cmocka_unit_test(test_txn_connection_loss),
        cmocka_unit_test(test_server_connection_states),
        cmocka_unit_test(test_never_retried),
        cmocka_unit_test(test_single_attempt),
        cmocka_unit_test(test_invariants),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_stats_outcomes),
        cmocka_unit_test(test_stats_class_overflow),
        cmocka_unit_test(test_stats_backoff_histogram),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
