/* test_vars.c: psql variables: names, booleans, FETCH_COUNT and
 * defaults, quoting as libpq quotes, interpolation in SQL (never inside
 * quotes, comments or dollar bodies; casts and unknown names untouched)
 * and psql's rules for backslash-command arguments: \connect's dequoting,
 * where backquoted commands are and what psql substitutes inside them,
 * and their outputs read back verbatim. Expected strings come from psql
 * 15. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shell/vars.h"

static sh_vars *fixture(void)
{
    sh_vars *v = sh_vars_new();

    assert_int_equal(sh_vars_set(v, "foo", "bar"), 0);
    assert_int_equal(sh_vars_set(v, "q", "it's a \\ x"), 0);
    assert_int_equal(sh_vars_set(v, "n", "a'b\"c"), 0);
    return v;
}

static void expect_sql(const sh_vars *v, const char *in, const char *want)
{
    char *got = sh_vars_interpolate(v, in);

    assert_string_equal(got, want);
    free(got);
}

static void test_set_get_unset(void **state)
{
    sh_vars *v = fixture();

    (void)state;
    assert_string_equal(sh_vars_get(v, "foo"), "bar");
    assert_null(sh_vars_get(v, "nosuch"));
    assert_int_equal(sh_vars_set(v, "foo", NULL), 0);
    assert_null(sh_vars_get(v, "foo"));
    assert_int_equal(sh_vars_set(v, "x:y", "1"), -1);
    assert_int_equal(sh_vars_set(v, "", "1"), -1);
    assert_int_equal(sh_vars_set(v, "1ok", "1"), 0);
    assert_true(sh_vars_valid_name("caf\xc3\xa9"));
    assert_false(sh_vars_valid_name("?column?"));
    sh_vars_free(v);
    sh_vars_free(NULL);
}

static void test_booleans(void **state)
{
    sh_vars *v = sh_vars_new();

    (void)state;
    assert_string_equal(sh_vars_get(v, "ON_ERROR_STOP"), "off");
    assert_false(sh_vars_get_bool(v, "ON_ERROR_STOP"));
    assert_int_equal(sh_vars_set(v, "ON_ERROR_STOP", "maybe"), -2);
    assert_string_equal(sh_vars_get(v, "ON_ERROR_STOP"), "off");
    assert_int_equal(sh_vars_set(v, "ON_ERROR_STOP", ""), 0);
    assert_string_equal(sh_vars_get(v, "ON_ERROR_STOP"), "on");
    assert_true(sh_vars_get_bool(v, "ON_ERROR_STOP"));
    assert_int_equal(sh_vars_set(v, "ON_ERROR_STOP", NULL), 0);
    assert_string_equal(sh_vars_get(v, "ON_ERROR_STOP"), "off");
    assert_int_equal(sh_vars_parse_bool("t"), 1);
    assert_int_equal(sh_vars_parse_bool("YES"), 1);
    assert_int_equal(sh_vars_parse_bool("of"), 0);
    assert_int_equal(sh_vars_parse_bool("o"), -1);
    assert_int_equal(sh_vars_parse_bool("0"), 0);
    assert_int_equal(sh_vars_parse_bool(""), -1);
    /* FETCH_COUNT takes integers only (psql's ParseVariableNum). */
    assert_int_equal(sh_vars_set(v, "FETCH_COUNT", "0"), 0);
    assert_int_equal(sh_vars_set(v, "FETCH_COUNT", "0x10"), 0);
    assert_int_equal(sh_vars_set(v, "FETCH_COUNT", "abc"), -3);
    assert_int_equal(sh_vars_set(v, "FETCH_COUNT", ""), -3);
    assert_int_equal(sh_vars_set(v, "FETCH_COUNT", "99999999999"), -3);
    assert_string_equal(sh_vars_get(v, "FETCH_COUNT"), "0x10");
    sh_vars_free(v);
}

static void test_sorted_listing(void **state)
{
    sh_vars *v = fixture();
    size_t i;

    (void)state;
    for (i = 1; i < sh_vars_count(v); i++)
        assert_true(strcmp(sh_vars_name_at(v, i - 1),
                           sh_vars_name_at(v, i)) < 0);
    sh_vars_free(v);
}

static void test_quoting(void **state)
{
    char *s;

    (void)state;
    s = sh_vars_quote_literal("it's");
    assert_string_equal(s, "'it''s'");
    free(s);
    s = sh_vars_quote_literal("a\\b");
    assert_string_equal(s, " E'a\\\\b'");
    free(s);
    s = sh_vars_quote_ident("a\"b");
    assert_string_equal(s, "\"a\"\"b\"");
    free(s);
}

static void test_interpolate_sql(void **state)
{
    sh_vars *v = fixture();

    (void)state;
    expect_sql(v, "SELECT :foo", "SELECT bar");
    expect_sql(v, "SELECT :'foo', :\"foo\"", "SELECT 'bar', \"bar\"");
    expect_sql(v, "SELECT :'q'", "SELECT  E'it''s a \\\\ x'");
    expect_sql(v, "SELECT :\"n\"", "SELECT \"a'b\"\"c\"");
    expect_sql(v, "SELECT 1::int, :nosuch, :'nosuch'",
               "SELECT 1::int, :nosuch, :'nosuch'");
    expect_sql(v, "SELECT ':foo', $$:foo$$, \":foo\" -- :foo\n",
               "SELECT ':foo', $$:foo$$, \":foo\" -- :foo\n");
    expect_sql(v, "/* :foo /* :foo */ */ :foo", "/* :foo /* :foo */ */ bar");
    expect_sql(v, "SELECT :{?foo}, :{?zz}", "SELECT TRUE, FALSE");
    expect_sql(v, "SELECT x:foo", "SELECT xbar");
    expect_sql(v, "SELECT E'\\':foo'", "SELECT E'\\':foo'");
    sh_vars_free(v);
}

/* Collects every argument of s joined by '|'. */
static char *args(const sh_vars *v, const char *s)
{
    char *buf = calloc(1, 4096), *a;
    const char *p = s;

    while ((a = sh_vars_next_arg(v, &p)) != NULL) {
        if (buf[0] != '\0')
            strcat(buf, "|");
        strcat(buf, a);
        free(a);
    }
    return buf;
}

static void test_command_args(void **state)
{
    sh_vars *v = fixture();
    char *got;

    (void)state;
    assert_int_equal(sh_vars_set(v, "a", "xy\"z\"ww"), 0);
    got = args(v, "'a b'  c \"q x\" 'it''s' 'tab\\tx' x'y'z \"a\"\"b\"");
    assert_string_equal(got, "a b|c|\"q x\"|it's|tab\tx|xyz|\"a\"\"b\"");
    free(got);
    got = args(v, "'oct\\101' 'hex\\x41' E'no' 'nl\\nx'");
    assert_string_equal(got, "octA|hexA|Eno|nl\nx");
    free(got);
    got = args(v,
               ":a :'a':\"a\" a:a :{?a} :{?zz} :nosuch :'nosuch' ':foo'");
    assert_string_equal(got, "xy\"z\"ww|'xy\"z\"ww'\"xy\"\"z\"\"ww\"|axy\"z\"ww|"
                             "TRUE|FALSE|:nosuch|:'nosuch'|:foo");
    free(got);
    got = args(NULL, "  ");
    assert_string_equal(got, "");
    free(got);
    sh_vars_free(v);
}

/* psql's \connect arguments (OT_SQLIDHACK): double quotes go, case
 * stays, and a quoted piece is reported (a quoted "-" is a name). */
static void test_connect_args(void **state)
{
    sh_vars *v = fixture();
    const char *p = "\"My\"\"Db\" '-' - a\"b\"c :foo";
    char *a;
    bool q;

    (void)state;
    a = sh_vars_next_arg_ex(v, &p, SH_ARG_DEQUOTE, &q);
    assert_string_equal(a, "My\"Db");
    assert_true(q);
    free(a);
    a = sh_vars_next_arg_ex(v, &p, SH_ARG_DEQUOTE, &q);
    assert_string_equal(a, "-");
    assert_true(q);
    free(a);
    a = sh_vars_next_arg_ex(v, &p, SH_ARG_DEQUOTE, &q);
    assert_string_equal(a, "-");
    assert_false(q);
    free(a);
    a = sh_vars_next_arg_ex(v, &p, SH_ARG_DEQUOTE, &q);
    assert_string_equal(a, "abc");
    free(a);
    a = sh_vars_next_arg_ex(v, &p, SH_ARG_DEQUOTE, &q);
    assert_string_equal(a, "bar");
    assert_false(q);
    free(a);
    assert_null(sh_vars_next_arg_ex(v, &p, SH_ARG_DEQUOTE, &q));
    sh_vars_free(v);
}

/* The span and command of each `command`, as psql 15 scans them. */
static void expect_tick(const sh_vars *v, const char *args, unsigned flags,
                        const char *cmd, size_t start, size_t end)
{
    size_t s = 99, e = 99;
    char *err = NULL;
    char *got = sh_vars_backtick_find(v, args, 0, flags, &s, &e, &err);

    if (cmd == NULL)
        assert_null(got);
    else
        assert_string_equal(got, cmd);
    assert_int_equal(s, start);
    assert_int_equal(e, end);
    free(got);
    free(err);
}

static void test_backticks(void **state)
{
    sh_vars *v = fixture();
    char *err = NULL, *got;
    size_t s, e;

    (void)state;
    assert_int_equal(sh_vars_set(v, "nl", "a\nb"), 0);
    expect_tick(v, "x `echo hi` y", 0, "echo hi", 2, 11);
    expect_tick(v, "'`no`' \"`no`\" a`date`", 0, "date", 15, 21);
    expect_tick(v, "`echo :foo :'q' :'n' :nosuch :'nosuch' :\"foo\" ::foo`",
                0,
                "echo bar 'it'\"'\"'s a \\ x' 'a'\"'\"'b\"c' :nosuch "
                ":'nosuch' :\"foo\" :bar", 0, 52);
    expect_tick(v, "`echo :'foo :'foo`", 0, "echo :'foo :'foo", 0, 18);
    expect_tick(v, "a b`echo x", 0, NULL, 2, SIZE_MAX);
    expect_tick(v, "(x) |cat `date`", SH_TICK_PIPE_ENDS, NULL, 0, 0);
    expect_tick(v, "`pwd` |cat", SH_TICK_PIPE_ENDS, "pwd", 0, 5);
    expect_tick(v, "none here", 0, NULL, 0, 0);
    got = sh_vars_backtick_find(v, "`echo :'nl'`", 0, 0, &s, &e, &err);
    assert_string_equal(got, "echo :'nl'");
    assert_string_equal(err, "shell command argument contains a newline or "
                             "carriage return: \"a\nb\"");
    free(got);
    free(err);
    got = sh_vars_quote_shell("plain-1.2/x:y_z");
    assert_string_equal(got, "plain-1.2/x:y_z");
    free(got);
    got = sh_vars_quote_shell("");
    assert_string_equal(got, "''");
    free(got);
    assert_null(sh_vars_quote_shell("a\rb"));
    sh_vars_free(v);
}

/* A command's output goes back into its argument verbatim. */
static void test_quote_arg_round_trip(void **state)
{
    const char *outs[] = {"", "a b", "it's", "back\\slash \\n", ":foo",
                          "\"q\"", "`x`"};
    sh_vars *v = fixture();
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
        char *q = sh_vars_quote_arg(outs[i]);
        char *line = malloc(strlen(q) + 3), *want, *a;
        const char *p = line;

        sprintf(line, "x%sy", q);
        want = malloc(strlen(outs[i]) + 3);
        sprintf(want, "x%sy", outs[i]);
        a = sh_vars_next_arg(v, &p);
        assert_string_equal(a, want);
        assert_null(sh_vars_next_arg(v, &p));
        free(a);
        free(want);
        free(line);
        free(q);
    }
    sh_vars_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_get_unset),
        cmocka_unit_test(test_booleans),
        cmocka_unit_test(test_sorted_listing),
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_interpolate_sql),
        cmocka_unit_test(test_command_args),
        cmocka_unit_test(test_connect_args),
        cmocka_unit_test(test_backticks),
        cmocka_unit_test(test_quote_arg_round_trip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
