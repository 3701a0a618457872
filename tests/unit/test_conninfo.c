/* test_conninfo.c: parsing and password masking, no server needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/config.h"
#include "core/conninfo.h"

static void test_uri_and_plain_dbname(void **state)
{
    pd_error err = PD_ERROR_INIT;
    pd_conninfo *ci;
    char *d;

    (void)state;
    ci = pd_conninfo_new("postgresql://alice:pw@db.example.com:6543/app", &err);
    assert_non_null(ci);
    assert_string_equal(pd_conninfo_get(ci, "host"), "db.example.com");
    assert_string_equal(pd_conninfo_get(ci, "port"), "6543");
    assert_string_equal(pd_conninfo_dbname(ci), "app");
    d = pd_conninfo_describe(ci);
    assert_null(strstr(d, "pw"));
    assert_non_null(strstr(d, "user=alice"));
    free(d);
    pd_conninfo_free(ci);
    ci = pd_conninfo_new("shop", &err);
    assert_non_null(ci);
    assert_string_equal(pd_conninfo_dbname(ci), "shop");
    pd_conninfo_free(ci);
}

static void test_malformed_is_an_error_without_secret(void **state)
{
    pd_error err = PD_ERROR_INIT;

    (void)state;
    assert_null(pd_conninfo_new("postgresql://u:hunter2@[bad", &err));
    assert_int_equal(err.kind, PD_ERR_USAGE);
    assert_null(strstr(err.message, "hunter2"));
    pd_error_clear(&err);
    assert_null(pd_conninfo_new("host=x nosuchkey=1", &err));
    assert_non_null(strstr(err.message, "nosuchkey"));
    pd_error_clear(&err);
}

static void test_mask(void **state)
{
    char *m;

    (void)state;
    m = pd_conninfo_mask("postgresql://bob:s3cret@h/db?sslmode=require");
    assert_string_equal(m, "postgresql://bob:********@h/db?sslmode=require");
    free(m);
    m = pd_conninfo_mask("host=h password='a b\\'c' user=u");
    assert_string_equal(m, "host=h password=******** user=u");
    free(m);
    m = pd_conninfo_mask("postgresql://h/db?password=xyz&user=u");
    assert_string_equal(m, "postgresql://h/db?password=********&user=u");
    free(m);
    m = pd_conninfo_mask("postgresql://nopass@h/db");
    assert_string_equal(m, "postgresql://nopass@h/db");
    free(m);
}

static void test_env_config(void **state)
{
    pd_config cfg;
    pd_error err = PD_ERROR_INIT;

    (void)state;
    pd_config_init(&cfg);
    setenv("DB_MIN_POOL_SIZE", "3", 1);
    setenv("DB_MAX_POOL_SIZE", "7", 1);
    setenv("DB_POOL_TIMEOUT", "2.5", 1);
    assert_int_equal(pd_config_apply_env(&cfg, &err), 0);
    assert_int_equal(cfg.pool_min, 3);
    assert_int_equal(cfg.pool_max, 7);
    assert_int_equal(cfg.acquire_timeout_ms, 2500);
    setenv("DB_MAX_POOL_SIZE", "0", 1);
    assert_int_not_equal(pd_config_apply_env(&cfg, &err), 0);
    assert_non_null(strstr(err.message, "DB_MAX_POOL_SIZE"));
    pd_error_clear(&err);
    setenv("DB_MAX_POOL_SIZE", "2", 1);
    assert_int_not_equal(pd_config_apply_env(&cfg, &err), 0);
    assert_non_null(strstr(err.message, "larger than"));
    pd_error_clear(&err);
    unsetenv("DB_MIN_POOL_SIZE");
    unsetenv("DB_MAX_POOL_SIZE");
    unsetenv("DB_POOL_TIMEOUT");
    pd_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uri_and_plain_dbname),
        cmocka_unit_test(test_malformed_is_an_error_without_secret),
        cmocka_unit_test(test_mask),
        cmocka_unit_test(test_env_config),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
