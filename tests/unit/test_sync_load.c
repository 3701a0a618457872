/* test_sync_load.c: JSON to rows to upsert SQL, and every bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/sync_load.h"

static const char *const key2[] = {"symbol", "day"};

static pd_sync_rows *parse_ok(const char *json, const char *const *key,
                              int nkey)
{
    pd_error err = PD_ERROR_INIT;
    pd_sync_rows *r = NULL;

    if (pd_sync_load_parse(json, strlen(json), "t.json", key, nkey, &r,
                           &err) != 0)
        fail_msg("unexpected error: %s", err.message);
    return r;
}

static char *parse_err(const char *json, const char *const *key, int nkey)
{
    pd_error err = PD_ERROR_INIT;
    pd_sync_rows *r = NULL;
    char *msg;

    assert_int_not_equal(pd_sync_load_parse(json, strlen(json), "t.json",
                                            key, nkey, &r, &err), 0);
    assert_null(r);
    msg = strdup(err.message);
    pd_error_clear(&err);
    return msg;
}

static void test_values_and_columns(void **state)
{
    pd_sync_rows *r;

    (void)state;
    r = parse_ok("[{\"symbol\": \"AAPL\", \"day\": \"2026-01-02\", "
                 "\"price\": 123.4500000000000000001, \"meta\": {\"a\": [1, "
                 "\"x\"]}, \"ok\": true},\n {\"day\": \"2026-01-03\", "
                 "\"symbol\": \"MSFT\", \"price\": null, \"extra\": 9}]",
                 key2, 2);
    assert_int_equal(r->nrows, 2);
    assert_int_equal(r->ncols, 6); /* union, first-seen order */
    assert_string_equal(r->cols[0], "symbol");
    assert_string_equal(r->cols[5], "extra");
    /* Numbers as written, not through a double. */
    assert_string_equal(r->values[2], "123.4500000000000000001");
    assert_string_equal(r->values[3], "{\"a\":[1,\"x\"]}");
    assert_string_equal(r->values[4], "true");
    assert_null(r->values[5]);          /* absent in row 1 */
    assert_string_equal(r->values[6], "MSFT");
    assert_null(r->values[8]);          /* JSON null */
    assert_string_equal(r->values[11], "9");
    pd_sync_load_free(r);
}

static void test_sql(void **state)
{
    pd_sync_rows *r;
    char *sql;
    static const char *const key1[] = {"id"};

    (void)state;
    r = parse_ok("[{\"symbol\": \"A\", \"day\": \"d\", \"price\": 1}]", key2,
                 2);
    sql = pd_sync_load_sql(r, "public.prices", key2, 2, 2);
    assert_string_equal(sql,
                        "INSERT INTO \"public\".\"prices\" (\"symbol\", \"day\", "
                        "\"price\") VALUES ($1, $2, $3), ($4, $5, $6) ON "
                        "CONFLICT (\"symbol\", \"day\") DO UPDATE SET "
                        "\"price\" = EXCLUDED.\"price\"");
    free(sql);
    pd_sync_load_free(r);
    r = parse_ok("[{\"id\": 1}]", key1, 1);
    sql = pd_sync_load_sql(r, "t", key1, 1, 1);
    assert_string_equal(sql, "INSERT INTO \"t\" (\"id\") VALUES ($1) ON "
                             "CONFLICT (\"id\") DO NOTHING");
    assert_int_equal(pd_sync_load_batch_rows(r), 1000);
    free(sql);
    pd_sync_load_free(r);
}

static void test_bad_inputs_name_the_place(void **state)
{
    char *m;

    (void)state;
    m = parse_err("{\"a\": 1}", key2, 2);
    assert_string_equal(m, "t.json:1:1: expected an array of objects, found "
                           "an object");
    free(m);
    m = parse_err("[{\"symbol\": \"A\", \"day\": \"d\"},\n 7]", key2, 2);
    assert_string_equal(m, "t.json:2:2: element 2 is a number, not an "
                           "object");
    free(m);
    m = parse_err("[{\"symbol\": \"A\", \"day\": \"d\"},\n  {\"symbol\": \"B\"}]",
                  key2, 2);
    assert_string_equal(m, "t.json:2:3: element 2: missing key column "
                           "\"day\"");
    free(m);
    m = parse_err("[{\"symbol\": \"A\", \"day\": \"d\"}, {\"symbol\": \"A\", "
                  "\"day\": \"d\"}]", key2, 2);
    assert_non_null(strstr(m, "element 2 repeats the key of element 1"));
    free(m);
    m = parse_err("[{\"symbol\": \"A\",", key2, 2);
    assert_non_null(strstr(m, "t.json:1:"));
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_and_columns),
        cmocka_unit_test(test_sql),
        cmocka_unit_test(test_bad_inputs_name_the_place),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
