/* test_sqlsplit.c: core/sqllex.c and core/sqlsplit.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/sqllex.h"
#include "core/sqlsplit.h"

#define MAXU 16

typedef struct units {
    int n;
    char *text[MAXU];
    int first[MAXU];
    int last[MAXU];
} units;

static void units_free(units *u)
{
    for (int i = 0; i < u->n; i++)
        free(u->text[i]);
    u->n = 0;
}

static void collect(pd_sqlsplit *sp, units *u, int finish)
{
    char *t;
    int f = 0, l = 0;

    while ((t = finish ? pd_sqlsplit_finish(sp, &f, &l)
                       : pd_sqlsplit_next(sp, &f, &l)) != NULL) {
        assert_true(u->n < MAXU);
        u->text[u->n] = t;
        u->first[u->n] = f;
        u->last[u->n] = l;
        u->n++;
    }
}

/* Splits input three ways (whole, line by line, byte by byte); all must
 * give the same units. The whole-buffer split is left in u. */
static void split_all(const char *input, units *u)
{
    size_t len = strlen(input);
    units v = {0};
    pd_sqlsplit *sp;

    u->n = 0;
    sp = pd_sqlsplit_new();
    pd_sqlsplit_feed(sp, input, len);
    collect(sp, u, 0);
    collect(sp, u, 1);
    pd_sqlsplit_free(sp);

    for (int mode = 0; mode < 2; mode++) {
        size_t i = 0;

        sp = pd_sqlsplit_new();
        while (i < len) {
            size_t n = 1;

            if (mode == 0) {
                const char *nl = memchr(input + i, '\n', len - i);
                n = nl ? (size_t)(nl - (input + i)) + 1 : len - i;
            }
            pd_sqlsplit_feed(sp, input + i, n);
            collect(sp, &v, 0);
            i += n;
        }
        collect(sp, &v, 1);
        pd_sqlsplit_free(sp);
        assert_int_equal(v.n, u->n);
        for (int k = 0; k < u->n; k++) {
            assert_string_equal(v.text[k], u->text[k]);
            assert_int_equal(v.first[k], u->first[k]);
            assert_int_equal(v.last[k], u->last[k]);
        }
        units_free(&v);
    }
}

/* Expects input to split into exactly the NULL-terminated list given. */
static void expect_units(const char *input, ...)
{
    units u;
    va_list ap;
    const char *want;
    int i = 0;

    split_all(input, &u);
    va_start(ap, input);
    while ((want = va_arg(ap, const char *)) != NULL) {
        if (i >= u.n)
            fail_msg("missing unit %d \"%s\" for input \"%s\"", i, want,
                     input);
        if (strcmp(u.text[i], want) != 0)
            fail_msg("unit %d: got \"%s\", want \"%s\" (input \"%s\")", i,
                     u.text[i], want, input);
        i++;
    }
    va_end(ap);
    if (i != u.n)
        fail_msg("extra unit \"%s\" for input \"%s\"", u.text[i], input);
    units_free(&u);
}

/* State after feeding input (lines ending in '\n'). */
static pd_sqlsplit_state state_after(const char *input, int *nunits)
{
    pd_sqlsplit *sp = pd_sqlsplit_new();
    units u = {0};
    pd_sqlsplit_state st;

    pd_sqlsplit_feed(sp, input, strlen(input));
    collect(sp, &u, 0);
    if (nunits != NULL)
        *nunits = u.n;
    units_free(&u);
    st = pd_sqlsplit_state_get(sp);
    pd_sqlsplit_free(sp);
    return st;
}

static void test_simple(void **state)
{
    (void)state;
    expect_units("SELECT 1;", "SELECT 1;", NULL);
    expect_units("SELECT 1;\n", "SELECT 1;", NULL);
    expect_units("SELECT 1; SELECT 2;\n", "SELECT 1;", "SELECT 2;", NULL);
    expect_units("select\n  1\n  ;\n", "select\n  1\n  ;", NULL);
    expect_units("", NULL);
    expect_units("\n\n   \n", NULL);
}

static void test_final_unit(void **state)
{
    (void)state;
    expect_units("SELECT 1", "SELECT 1", NULL);
    expect_units("SELECT 1; SELECT 2\n\n", "SELECT 1;", "SELECT 2", NULL);
    expect_units("SELECT 1;\n-- trailing comment\n", "SELECT 1;", NULL);
    expect_units("SELECT 1;\n/* c */\n", "SELECT 1;", NULL);
    expect_units("SELECT 'open", "SELECT 'open", NULL);
}

static void test_empty_statements(void **state)
{
    (void)state;
    expect_units(";", NULL);
    expect_units(";;; ;\n", NULL);
    expect_units("SELECT 1;;SELECT 2;", "SELECT 1;", "SELECT 2;", NULL);
    expect_units("/* only a comment */;", NULL);
    expect_units("-- x\n;\n", NULL);
}

static void test_comments(void **state)
{
    (void)state;
    /* Leading -- comments and blanks are dropped, as psql does. */
    expect_units("-- hello; world\nSELECT 1;", "SELECT 1;", NULL);
    expect_units("SELECT 1 -- a; b\n;", "SELECT 1 -- a; b\n;", NULL);
    expect_units("SELECT /* ; */ 1;", "SELECT /* ; */ 1;", NULL);
    expect_units("/* lead */ SELECT 1;", "/* lead */ SELECT 1;", NULL);
    expect_units("SELECT /* a /* nested; */ still; */ 1;",
                 "SELECT /* a /* nested; */ still; */ 1;", NULL);
    expect_units("SELECT 1 /* open ; \n more; */ + 1; SELECT 2;",
                 "SELECT 1 /* open ; \n more; */ + 1;", "SELECT 2;", NULL);
    /* -- inside a string is no comment. */
    expect_units("SELECT '--'; SELECT 2;", "SELECT '--';", "SELECT 2;",
                 NULL);
    expect_units("SELECT 1 - -1;", "SELECT 1 - -1;", NULL);
    expect_units("SELECT 4/2;", "SELECT 4/2;", NULL);
}

static void test_quotes(void **state)
{
    (void)state;
    expect_units("SELECT 'a;b';", "SELECT 'a;b';", NULL);
    expect_units("SELECT 'it''s; fine';", "SELECT 'it''s; fine';", NULL);
    /* standard_conforming_strings: a backslash is just a backslash. */
    expect_units("SELECT 'a\\'; SELECT 2;", "SELECT 'a\\';", "SELECT 2;",
                 NULL);
    /* E'' strings: \' does not close. */
    expect_units("SELECT E'\\''; SELECT 2;", "SELECT E'\\'';", "SELECT 2;",
                 NULL);
    expect_units("SELECT e'x\\\\'; SELECT 2;", "SELECT e'x\\\\';",
                 "SELECT 2;", NULL);
    expect_units("SELECT E'a'';b';", "SELECT E'a'';b';", NULL);
    expect_units("SELECT \"a;b\" FROM t;", "SELECT \"a;b\" FROM t;", NULL);
    expect_units("SELECT \"a\"\"b;\";", "SELECT \"a\"\"b;\";", NULL);
    expect_units("SELECT U&'d\\0061t;a', U&\"x;\";",
                 "SELECT U&'d\\0061t;a', U&\"x;\";", NULL);
    expect_units("SELECT X'1F', B'01;';", "SELECT X'1F', B'01;';", NULL);
    /* "note" is an identifier, not an E prefix. */
    expect_units("SELECT note'\\'; SELECT 2;", "SELECT note'\\';",
                 "SELECT 2;", NULL);
    expect_units("SELECT 'a'\n'b;';", "SELECT 'a'\n'b;';", NULL);
}

static void test_dollar(void **state)
{
    (void)state;
    expect_units("SELECT $$a;b$$;", "SELECT $$a;b$$;", NULL);
    expect_units("DO $body$ BEGIN RAISE NOTICE 'x;'; END $body$;",
                 "DO $body$ BEGIN RAISE NOTICE 'x;'; END $body$;", NULL);
    expect_units("SELECT $a$ $$; $b$ $a$;", "SELECT $a$ $$; $b$ $a$;",
                 NULL);
    /* $$ inside a string opens nothing. */
    expect_units("SELECT '$$'; SELECT 2;", "SELECT '$$';", "SELECT 2;",
                 NULL);
    expect_units("SELECT \"$$\"; SELECT 2;", "SELECT \"$$\";", "SELECT 2;",
                 NULL);
    expect_units("SELECT 1 -- $$\n; SELECT 2;", "SELECT 1 -- $$\n;",
                 "SELECT 2;", NULL);
    /* $1 is a parameter, not a tag; a$b$ is one identifier. */
    expect_units("SELECT $1; SELECT 2;", "SELECT $1;", "SELECT 2;", NULL);
    expect_units("SELECT a$b$; SELECT 2;", "SELECT a$b$;", "SELECT 2;",
                 NULL);
    expect_units("SELECT $1$; SELECT 2;", "SELECT $1$;", "SELECT 2;",
                 NULL);
    /* $tag without a closing '$' is no delimiter. */
    expect_units("SELECT $x; SELECT 2;", "SELECT $x;", "SELECT 2;", NULL);
    expect_units("CREATE FUNCTION f() RETURNS int AS $f$\n"
                 "  SELECT 1; -- $$ '\n$f$ LANGUAGE sql;\nSELECT f();",
                 "CREATE FUNCTION f() RETURNS int AS $f$\n"
                 "  SELECT 1; -- $$ '\n$f$ LANGUAGE sql;",
                 "SELECT f();", NULL);
    expect_units("SELECT $Tag_1$x;$tag_1$;$Tag_1$;",
                 "SELECT $Tag_1$x;$tag_1$;$Tag_1$;", NULL);
}

static void test_parens_and_begin(void **state)
{
    (void)state;
    expect_units("SELECT (1;\n2);", "SELECT (1;\n2);", NULL);
    expect_units("SELECT ((1)); SELECT 2;", "SELECT ((1));", "SELECT 2;",
                 NULL);
    expect_units("SELECT 1); SELECT 2;", "SELECT 1);", "SELECT 2;", NULL);
    expect_units("CREATE FUNCTION f() RETURNS int LANGUAGE sql\n"
                 "BEGIN ATOMIC\n  SELECT 1;\n  SELECT CASE WHEN true THEN 1 "
                 "END;\nEND;\nSELECT 2;",
                 "CREATE FUNCTION f() RETURNS int LANGUAGE sql\n"
                 "BEGIN ATOMIC\n  SELECT 1;\n  SELECT CASE WHEN true THEN 1 "
                 "END;\nEND;",
                 "SELECT 2;", NULL);
    expect_units("create or replace procedure p() begin atomic select 1; "
                 "end; call p();",
                 "create or replace procedure p() begin atomic select 1; "
                 "end;",
                 "call p();", NULL);
    /* A transaction's BEGIN is no body. */
    expect_units("BEGIN; SELECT 1; END;", "BEGIN;", "SELECT 1;", "END;",
                 NULL);
    expect_units("SELECT CASE WHEN true THEN 1 END; SELECT 2;",
                 "SELECT CASE WHEN true THEN 1 END;", "SELECT 2;", NULL);
}

static void test_backslash(void **state)
{
    (void)state;
    expect_units("\\x\n", "\\x", NULL);
    expect_units("\\x", "\\x", NULL);
    expect_units("\\pset null '(null)'\nSELECT 1;",
                 "\\pset null '(null)'", "SELECT 1;", NULL);
    /* A command after a statement on the same line splits. */
    expect_units("SELECT 1; \\x\n", "SELECT 1;", "\\x", NULL);
    /* Pending SQL goes with the command: \g, \gset run it. */
    expect_units("SELECT 1 AS a \\gset\n", "SELECT 1 AS a \\gset", NULL);
    expect_units("SELECT 1\n\\g\n", "SELECT 1\n\\g", NULL);
    expect_units("SELECT 1 \\g out.txt\nSELECT 2;",
                 "SELECT 1 \\g out.txt", "SELECT 2;", NULL);
    /* Two commands on one line; \\ ends arguments. */
    expect_units("\\x \\timing\n", "\\x", "\\timing", NULL);
    expect_units("\\x on \\\\ SELECT 1;\n", "\\x on", "SELECT 1;", NULL);
    /* Backslashes inside quoted arguments stay. */
    expect_units("\\set a 'x\\\\y z' \\echo :a\n", "\\set a 'x\\\\y z'",
                 "\\echo :a", NULL);
    /* Whole-line commands keep their backslashes. */
    expect_units("\\! echo a\\b\nSELECT 1;", "\\! echo a\\b", "SELECT 1;",
                 NULL);
    expect_units("\\copy t from 'f' with (delimiter '\\t')\n",
                 "\\copy t from 'f' with (delimiter '\\t')", NULL);
    expect_units("SELECT 1 \\g |cat \\x\n", "SELECT 1 \\g |cat \\x", NULL);
    /* A backslash in a string or comment is no command. */
    expect_units("SELECT 'a\\x'; SELECT E'\\\\';",
                 "SELECT 'a\\x';", "SELECT E'\\\\';", NULL);
    expect_units("SELECT 1 -- \\x\n;", "SELECT 1 -- \\x\n;", NULL);
    expect_units("SELECT $$ \\x $$;", "SELECT $$ \\x $$;", NULL);
    /* \; puts a semicolon in without ending the statement. */
    expect_units("SELECT 1\\; SELECT 2;", "SELECT 1; SELECT 2;", NULL);
    expect_units("-- c\n\\q\n", "\\q", NULL);
}

/* Found by tests/fuzz: a "\\" between SQL tokens was dropped, joining its
 * neighbours, so the unit lexed differently from the input. */
static void test_separator_in_sql(void **state)
{
    const char *u1 = "SELECT 1 - - x \\g";
    const char *u2 = "SELECT $a $ $a$ \\x $a$;";

    (void)state;
    /* "-\\-" must not become a -- comment hiding the \g. */
    expect_units("SELECT 1 -\\\\- x \\g\n", u1, NULL);
    assert_int_equal(pd_sqllex_command_start(u1, strlen(u1)), 15);
    /* "$a\\$" must not become a dollar tag that ends before "\x" and
     * turns this SQL unit into a command. */
    expect_units("SELECT $a\\\\$ $a$ \\x $a$;", u2, NULL);
    assert_int_equal(pd_sqllex_command_start(u2, strlen(u2)), strlen(u2));
    expect_units("SELECT 1\\\\;", "SELECT 1 ;", NULL);
}

static void test_lines(void **state)
{
    units u;

    (void)state;
    split_all("\n-- c\nSELECT\n1;\n\nSELECT 2;  SELECT\n3\n;\\x\n"
              "SELECT 4\n\\g\nSELECT 5\n\n",
              &u);
    assert_int_equal(u.n, 6);
    assert_string_equal(u.text[0], "SELECT\n1;");
    assert_int_equal(u.first[0], 3);
    assert_int_equal(u.last[0], 4);
    assert_int_equal(u.first[1], 6);
    assert_int_equal(u.last[1], 6);
    assert_string_equal(u.text[2], "SELECT\n3\n;");
    assert_int_equal(u.first[2], 6);
    assert_int_equal(u.last[2], 8);
    assert_string_equal(u.text[3], "\\x");
    assert_int_equal(u.first[3], 8);
    assert_int_equal(u.last[3], 8);
    assert_string_equal(u.text[4], "SELECT 4\n\\g");
    assert_int_equal(u.first[4], 9);
    assert_int_equal(u.last[4], 10);
    assert_string_equal(u.text[5], "SELECT 5");
    assert_int_equal(u.first[5], 11);
    assert_int_equal(u.last[5], 11);
    units_free(&u);
}

static void test_states(void **state)
{
    int n;

    (void)state;
    assert_int_equal(state_after("", NULL), PD_SQLSPLIT_READY);
    assert_int_equal(state_after("SELECT 1;\n", &n), PD_SQLSPLIT_READY);
    assert_int_equal(n, 1);
    assert_int_equal(state_after("-- only\n", NULL), PD_SQLSPLIT_READY);
    assert_int_equal(state_after("SELECT\n", NULL), PD_SQLSPLIT_CONTINUE);
    assert_int_equal(state_after("SELECT 1; SELECT\n", &n),
                     PD_SQLSPLIT_CONTINUE);
    assert_int_equal(n, 1);
    assert_int_equal(state_after("SELECT 'abc\n", NULL), PD_SQLSPLIT_SQUOTE);
    assert_int_equal(state_after("SELECT E'\\'\n", NULL),
                     PD_SQLSPLIT_SQUOTE);
    assert_int_equal(state_after("SELECT 'a''\n", NULL), PD_SQLSPLIT_SQUOTE);
    assert_int_equal(state_after("SELECT 'a'\n", NULL),
                     PD_SQLSPLIT_CONTINUE);
    assert_int_equal(state_after("SELECT \"ab\n", NULL), PD_SQLSPLIT_DQUOTE);
    assert_int_equal(state_after("SELECT $x$ a\n", NULL),
                     PD_SQLSPLIT_DOLLAR);
    assert_int_equal(state_after("SELECT /* a /* b */\n", NULL),
                     PD_SQLSPLIT_COMMENT);
    assert_int_equal(state_after("/* a\n", NULL), PD_SQLSPLIT_COMMENT);
    assert_int_equal(state_after("SELECT (1, (2\n", NULL),
                     PD_SQLSPLIT_PAREN);
    assert_int_equal(state_after("SELECT (1)\n", NULL),
                     PD_SQLSPLIT_CONTINUE);
    /* No trailing newline: the open token still tells. */
    assert_int_equal(state_after("SELECT 'x", NULL), PD_SQLSPLIT_SQUOTE);
    assert_int_equal(state_after("SELECT", NULL), PD_SQLSPLIT_CONTINUE);
    assert_int_equal(pd_sqlsplit_prompt_char(PD_SQLSPLIT_READY), '=');
    assert_int_equal(pd_sqlsplit_prompt_char(PD_SQLSPLIT_CONTINUE), '-');
    assert_int_equal(pd_sqlsplit_prompt_char(PD_SQLSPLIT_SQUOTE), '\'');
    assert_int_equal(pd_sqlsplit_prompt_char(PD_SQLSPLIT_DQUOTE), '"');
    assert_int_equal(pd_sqlsplit_prompt_char(PD_SQLSPLIT_DOLLAR), '$');
    assert_int_equal(pd_sqlsplit_prompt_char(PD_SQLSPLIT_COMMENT), '*');
    assert_int_equal(pd_sqlsplit_prompt_char(PD_SQLSPLIT_PAREN), '(');
}

static void test_interactive(void **state)
{
    pd_sqlsplit *sp = pd_sqlsplit_new();
    char *u;
    int f, l;

    (void)state;
    pd_sqlsplit_feed(sp, "SELECT (1\n", 10);
    assert_null(pd_sqlsplit_next(sp, NULL, NULL));
    assert_int_equal(pd_sqlsplit_paren_depth(sp), 1);
    assert_string_equal(pd_sqlsplit_pending(sp), "SELECT (1\n");
    pd_sqlsplit_feed(sp, ");\n", 3);
    u = pd_sqlsplit_next(sp, &f, &l);
    assert_string_equal(u, "SELECT (1\n);");
    assert_int_equal(f, 1);
    assert_int_equal(l, 2);
    free(u);
    assert_null(pd_sqlsplit_next(sp, NULL, NULL));
    assert_int_equal(pd_sqlsplit_state_get(sp), PD_SQLSPLIT_READY);

    /* Ctrl-C: reset forgets the pending text, lines go on. */
    pd_sqlsplit_feed(sp, "SELECT 'oops\n", 13);
    assert_null(pd_sqlsplit_next(sp, NULL, NULL));
    assert_int_equal(pd_sqlsplit_state_get(sp), PD_SQLSPLIT_SQUOTE);
    pd_sqlsplit_reset(sp);
    assert_int_equal(pd_sqlsplit_state_get(sp), PD_SQLSPLIT_READY);
    pd_sqlsplit_feed(sp, "SELECT 3;\n", 10);
    u = pd_sqlsplit_next(sp, &f, &l);
    assert_string_equal(u, "SELECT 3;");
    assert_int_equal(f, 4);
    free(u);

    /* A command that keeps the query buffer gives it back. */
    pd_sqlsplit_feed(sp, "SELECT (4\n\\x\n", 13);
    u = pd_sqlsplit_next(sp, NULL, NULL);
    assert_string_equal(u, "SELECT (4\n\\x");
    assert_int_equal(pd_sqllex_command_start(u, strlen(u)), 10);
    pd_sqlsplit_set_pending(sp, u, 10);
    free(u);
    assert_int_equal(pd_sqlsplit_state_get(sp), PD_SQLSPLIT_PAREN);
    pd_sqlsplit_feed(sp, ");\n", 3);
    u = pd_sqlsplit_next(sp, NULL, NULL);
    assert_string_equal(u, "SELECT (4\n);");
    free(u);
    assert_null(pd_sqlsplit_finish(sp, NULL, NULL));
    pd_sqlsplit_free(sp);
    pd_sqlsplit_free(NULL);
}

/* Found by tests/fuzz: the SQL in front of a command, given back with
 * set_pending, lost what came before a "\;" in it. */
static void test_set_pending_semicolon(void **state)
{
    pd_sqlsplit *sp = pd_sqlsplit_new();
    char *u;
    size_t at;

    (void)state;
    pd_sqlsplit_feed(sp, "SELECT 1\\; SELECT 2 \\x\n", 23);
    u = pd_sqlsplit_next(sp, NULL, NULL);
    assert_string_equal(u, "SELECT 1; SELECT 2 \\x");
    at = pd_sqllex_command_start(u, strlen(u));
    assert_int_equal(at, 19);
    pd_sqlsplit_set_pending(sp, u, at);
    free(u);
    assert_null(pd_sqlsplit_next(sp, NULL, NULL));
    assert_string_equal(pd_sqlsplit_pending(sp), "SELECT 1; SELECT 2 ");
    pd_sqlsplit_feed(sp, ";\n", 2);
    u = pd_sqlsplit_next(sp, NULL, NULL);
    assert_string_equal(u, "SELECT 1; SELECT 2 ;");
    free(u);
    assert_null(pd_sqlsplit_next(sp, NULL, NULL));

    /* A ';' inside a function body still leaves the body open. */
    pd_sqlsplit_set_pending(sp, "CREATE FUNCTION f() BEGIN ATOMIC SELECT 1; ",
                            43);
    pd_sqlsplit_feed(sp, "END;\n", 5);
    u = pd_sqlsplit_next(sp, NULL, NULL);
    assert_string_equal(u, "CREATE FUNCTION f() BEGIN ATOMIC SELECT 1; END;");
    free(u);
    pd_sqlsplit_free(sp);
}

static void test_lexer(void **state)
{
    pd_sqltok t;
    const char *s = "E'a\\'b' $q$x$q$ $2 \"id\" -- c";

    (void)state;
    assert_true(pd_sqllex_next(s, strlen(s), 0, &t));
    assert_int_equal(t.kind, PD_SQLTOK_STRING);
    assert_int_equal(t.len, 7);
    assert_true(pd_sqllex_next(s, strlen(s), 8, &t));
    assert_int_equal(t.kind, PD_SQLTOK_DOLLAR);
    assert_int_equal(t.len, 7);
    assert_false(t.more);
    assert_true(pd_sqllex_next(s, strlen(s), 16, &t));
    assert_int_equal(t.kind, PD_SQLTOK_PARAM);
    assert_true(pd_sqllex_next(s, strlen(s), 19, &t));
    assert_int_equal(t.kind, PD_SQLTOK_QIDENT);
    assert_int_equal(t.len, 4);
    assert_true(pd_sqllex_next(s, strlen(s), 24, &t));
    assert_int_equal(t.kind, PD_SQLTOK_LINE_COMMENT);
    assert_true(t.more);
    assert_false(pd_sqllex_next(s, strlen(s), strlen(s), &t));
    assert_true(pd_sqllex_next("$$ab", 4, 0, &t));
    assert_true(t.open);
    assert_string_equal(pd_sqllex_kind_name(PD_SQLTOK_DOLLAR), "dollar");
    assert_int_equal(pd_sqllex_command_start("SELECT '\\x' \\g", 14), 12);
    assert_int_equal(pd_sqllex_command_start("SELECT 1", 8), 8);
}

/* Found by tests/fuzz: a '.' or an exponent's sign at the end of the text
 * said no more text could change it, but ".5" and "1e+5" are numbers. */
static void test_lexer_more(void **state)
{
    pd_sqltok t;

    (void)state;
    assert_true(pd_sqllex_next(".", 1, 0, &t));
    assert_int_equal(t.kind, PD_SQLTOK_OP);
    assert_true(t.more);
    assert_true(pd_sqllex_next(".5", 2, 0, &t));
    assert_int_equal(t.kind, PD_SQLTOK_NUMBER);
    assert_int_equal(t.len, 2);
    assert_true(pd_sqllex_next("1e+", 3, 0, &t));
    assert_true(t.more);
    assert_true(pd_sqllex_next("1E-5", 4, 0, &t));
    assert_int_equal(t.len, 4);
    assert_true(pd_sqllex_next("1e+x", 4, 0, &t));
    assert_int_equal(t.len, 2);
    assert_false(t.more);
    assert_true(pd_sqllex_next("a.", 2, 1, &t));
    assert_true(t.more);
    assert_true(pd_sqllex_next(".a", 2, 0, &t));
    assert_int_equal(t.kind, PD_SQLTOK_OP);
    assert_false(t.more);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple),
        cmocka_unit_test(test_final_unit),
        cmocka_unit_test(test_empty_statements),
        cmocka_unit_test(test_comments),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_dollar),
        cmocka_unit_test(test_parens_and_begin),
        cmocka_unit_test(test_backslash),
        cmocka_unit_test(test_separator_in_sql),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_states),
        cmocka_unit_test(test_interactive),
        cmocka_unit_test(test_set_pending_semicolon),
        cmocka_unit_test(test_lexer),
        cmocka_unit_test(test_lexer_more),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
