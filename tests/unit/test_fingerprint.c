/* test_fingerprint.c: core/fingerprint.c, literal masking and the hash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/fingerprint.h"

/* Normalizes sql and compares with want, printing both on a mismatch. */
static void check(const char *sql, const char *want)
{
    char *got = pd_fingerprint_normalize(sql, strlen(sql));

    if (strcmp(got, want) != 0)
        print_error("sql:  %s\nwant: %s\ngot:  %s\n", sql, want, got);
    assert_string_equal(got, want);
    free(got);
}

static uint64_t hash_of(const char *sql)
{
    char *n = pd_fingerprint_normalize(sql, strlen(sql));
    uint64_t h = pd_fingerprint_hash(n);

    free(n);
    return h;
}

static void test_strings(void **state)
{
    (void)state;
    check("SELECT 'it''s'", "SELECT $1");
    check("SELECT E'a\\'b' || 'c'", "SELECT $1 || $2");
    check("SELECT E'\\\\', 'x'", "SELECT $1, $2");
    check("SELECT B'101', X'ff', N'n', U&'d\\0061t'", "SELECT $1, $2, $3, $4");
    check("SELECT 'a'\n'b'", "SELECT $1 $2");
}

static void test_dollar_quotes(void **state)
{
    (void)state;
    check("SELECT $$it's a 'secret'$$", "SELECT $1");
    check("SELECT $fn$ body $$ inner $$ $fn$, 2", "SELECT $1, $2");
    check("DO $x$BEGIN RAISE 'pw'; END$x$", "DO $1");
}

static void test_comments_and_blanks(void **state)
{
    (void)state;
    check("  SELECT\t\t1 -- the 'one'\n  FROM\n\n t ;  ",
          "SELECT $1 FROM t");
    check("SELECT /* a /* nested 'x' */ still */ a/**/b",
          "SELECT a b");
    check("/* only */ -- comments", "");
    check("", "");
    check("SELECT 1;;", "SELECT $1");
}

static void test_numbers(void **state)
{
    (void)state;
    check("SELECT t1.col_2, x3 FROM t1 WHERE c9 = 42",
          "SELECT t1.col_2, x3 FROM t1 WHERE c9 = $1");
    check("SELECT -5, 3.14, .5, 1e5, 2.5E-3, 0x",
          "SELECT $1, $2, $3, $4, $5, $6");
    check("SELECT a - 5, a-5, a - -5", "SELECT a - $1, a-$2, a - $3");
    check("SELECT * FROM t WHERE x = -1 AND y > - 2.5",
          "SELECT * FROM t WHERE x = $1 AND y > $2");
    check("SELECT f(-1), arr[1] - 1", "SELECT f($1), arr[$2] - $3");
    check("SELECT 1 LIMIT -1", "SELECT $1 LIMIT $2");
}

static void test_in_lists(void **state)
{
    (void)state;
    check("SELECT * FROM t WHERE id IN (1, 2, 3)",
          "SELECT * FROM t WHERE id IN ($1 /*, ... */)");
    check("SELECT * FROM t WHERE id in ('a','b')",
          "SELECT * FROM t WHERE id in ($1 /*, ... */)");
    check("SELECT * FROM t WHERE id IN (-1, 2::int, '3'::bigint)",
          "SELECT * FROM t WHERE id IN ($1 /*, ... */)");
    /* One element, or anything but constants, is not squashed. */
    check("SELECT 1 WHERE a IN (7)", "SELECT $1 WHERE a IN ($2)");
    check("SELECT 1 WHERE a IN (b, 2)", "SELECT $1 WHERE a IN (b, $2)");
    check("SELECT 1 WHERE a IN (SELECT 2)",
          "SELECT $1 WHERE a IN (SELECT $2)");
    check("SELECT ARRAY[1,2,3], ARRAY[x]",
          "SELECT ARRAY[$1 /*, ... */], ARRAY[x]");
    assert_true(hash_of("SELECT * FROM t WHERE id IN (1, 2)") ==
                hash_of("SELECT * FROM t WHERE id IN (5, 6, 7, 8, 9)"));
}

static void test_params_kept(void **state)
{
    (void)state;
    check("SELECT $1, 5, $3 FROM t WHERE a = 'x'",
          "SELECT $1, $4, $3 FROM t WHERE a = $5");
    check("SELECT a$b, 1", "SELECT a$b, $1");
}

static void test_casts(void **state)
{
    (void)state;
    check("SELECT '1'::int, 2::text", "SELECT $1::int, $2::text");
    check("SELECT '1.5'::numeric(10,2), x::varchar(20)[]",
          "SELECT $1::numeric(10,2), x::varchar(20)[]");
    check("SELECT '1' :: double precision", "SELECT $1 :: double precision");
    check("SELECT DATE '2024-01-01', interval '1 day'",
          "SELECT DATE $1, interval $2");
}

static void test_keyword_case_and_quotes(void **state)
{
    (void)state;
    check("select \"Weird Name\", 'V' from \"T\"",
          "select \"Weird Name\", $1 from \"T\"");
}

/* Nothing of a literal survives, even when the text ends inside it. */
static void test_no_literal_leaks(void **state)
{
    static const char *const sqls[] = {
        "SELECT 'hunter2",
        "SELECT E'hunter2\\'",
        "SELECT $q$hunter2",
        "SELECT 1 \\set pw hunter2",
        "SELECT x'hunter2'",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(sqls) / sizeof(sqls[0]); i++) {
        char *n = pd_fingerprint_normalize(sqls[i], strlen(sqls[i]));

        assert_null(strstr(n, "hunter2"));
        free(n);
    }
}

static void test_length_is_respected(void **state)
{
    char *n;

    (void)state;
    n = pd_fingerprint_normalize("SELECT 1; garbage 'x", 9);
    assert_string_equal(n, "SELECT $1");
    free(n);
    n = pd_fingerprint_normalize(NULL, 0);
    assert_string_equal(n, "");
    free(n);
}

static void test_hash(void **state)
{
    char hex[17];

    (void)state;
    /* Stable across runs: FNV-1a of known strings. */
    assert_true(pd_fingerprint_hash("") == 0xcbf29ce484222325ULL);
    assert_true(pd_fingerprint_hash("a") == 0xaf63dc4c8601ec8cULL);
    pd_fingerprint_hex(pd_fingerprint_hash("a"), hex);
    assert_string_equal(hex, "af63dc4c8601ec8c");
    pd_fingerprint_hex(1, hex);
    assert_string_equal(hex, "0000000000000001");

    /* Literals, blanks, comments and keyword case do not matter. */
    assert_true(hash_of("SELECT * FROM t WHERE a = 1") ==
                hash_of("select *\n  from T where a=2 -- hi"));
    assert_true(hash_of("SELECT 'x'") == hash_of("SELECT 5"));
    assert_true(hash_of("SELECT a = -1") == hash_of("SELECT a = 7"));
    /* Quoted names and word boundaries still do. */
    assert_true(hash_of("SELECT \"A\"") != hash_of("SELECT \"a\""));
    assert_true(hash_of("SELECT a b") != hash_of("SELECT ab"));
    assert_true(hash_of("SELECT a FROM t") != hash_of("SELECT a FROM u"));
    assert_true(hash_of("SELECT $1") != hash_of("SELECT $2"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_dollar_quotes),
        cmocka_unit_test(test_comments_and_blanks),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_in_lists),
        cmocka_unit_test(test_params_kept),
        cmocka_unit_test(test_casts),
        cmocka_unit_test(test_keyword_case_and_quotes),
        cmocka_unit_test(test_no_literal_leaks),
        cmocka_unit_test(test_length_is_respected),
        cmocka_unit_test(test_hash),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
