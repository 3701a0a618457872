/* test_histogram.c: quantiles within the bucket error, constant memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/histogram.h"

static void test_empty_is_zero(void **state)
{
    pd_histogram h;

    (void)state;
    pd_histogram_reset(&h);
    assert_int_equal(pd_histogram_quantile(&h, 0.5), 0);
    assert_int_equal(pd_histogram_quantile(&h, 1.0), 0);
}

static void test_small_values_are_exact(void **state)
{
    pd_histogram h;
    uint64_t v;

    (void)state;
    pd_histogram_reset(&h);
    for (v = 1; v <= 10; v++)
        pd_histogram_record(&h, v);
    assert_int_equal(pd_histogram_quantile(&h, 0.5), 5);
    assert_int_equal(pd_histogram_quantile(&h, 1.0), 10);
    assert_int_equal(h.count, 10);
    assert_int_equal(h.sum_us, 55);
}

/* Uniform 1..100000: every quantile within 1/16 of the true value. */
static void test_quantiles_within_bucket_error(void **state)
{
    static const double qs[] = {0.5, 0.9, 0.95, 0.99, 0.999};
    pd_histogram h;
    size_t i;
    uint64_t v;

    (void)state;
    pd_histogram_reset(&h);
    for (v = 1; v <= 100000; v++)
        pd_histogram_record(&h, v);
    for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
        double truth = qs[i] * 100000.0;
        double got = (double)pd_histogram_quantile(&h, qs[i]);
        assert_true(got >= truth * (1 - 1.0 / 16) - 1);
        assert_true(got <= truth * (1 + 1.0 / 16) + 1);
    }
    assert_int_equal(pd_histogram_quantile(&h, 1.0), 100000);
}

static void test_huge_values_and_merge(void **state)
{
    pd_histogram a, b;

    (void)state;
    pd_histogram_reset(&a);
    pd_histogram_reset(&b);
    pd_histogram_record(&a, UINT64_MAX / 2); /* clamps into the last bucket */
    pd_histogram_record(&b, 1000);
    pd_histogram_merge(&a, &b);
    assert_int_equal(a.count, 2);
    assert_int_equal(a.max_us, UINT64_MAX / 2);
    assert_true(pd_histogram_quantile(&a, 0.5) >= 1000);
    assert_true(pd_histogram_quantile(&a, 0.5) <= 1000 + 1000 / 16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_is_zero),
        cmocka_unit_test(test_small_values_are_exact),
        cmocka_unit_test(test_quantiles_within_bucket_error),
        cmocka_unit_test(test_huge_values_and_merge),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
