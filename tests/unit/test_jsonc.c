/* test_jsonc.c: the JSON-with-comments reader: values, comments in and
 * around strings, the positions of values and member names, and the
 * file:line:col of every kind of syntax error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/jsonc.h"

static pd_jsonc_value *parse_ok(const char *text)
{
    pd_jsonc_value *v = NULL;
    pd_error err = PD_ERROR_INIT;
    int rc = pd_jsonc_parse(text, strlen(text), "t.json", 0, &v, &err);

    if (rc != 0)
        fail_msg("parse failed: %s", err.message);
    assert_non_null(v);
    pd_error_clear(&err);
    return v;
}

/* Asserts that text fails with exactly the message want. */
static void parse_fails(const char *text, const char *want)
{
    pd_jsonc_value *v = NULL;
    pd_error err = PD_ERROR_INIT;

    assert_int_equal(pd_jsonc_parse(text, strlen(text), "t.json", 0, &v,
                                    &err), PD_EINVAL);
    assert_null(v);
    assert_non_null(err.message);
    if (strcmp(err.message, want) != 0)
        fail_msg("for %s\n  got  %s\n  want %s", text, err.message, want);
    pd_error_clear(&err);
}

static void test_scalars(void **state)
{
    pd_jsonc_value *v;

    (void)state;
    v = parse_ok("[true, false, null, 0, -12, 3.5, 1e3, \"s\", "
                 "9223372036854775807, -9223372036854775808, "
                 "9223372036854775808]");
    assert_int_equal(v->type, PD_JSONC_ARRAY);
    assert_int_equal(v->count, 11);
    assert_true(v->items[0]->type == PD_JSONC_BOOL && v->items[0]->boolean);
    assert_true(v->items[1]->type == PD_JSONC_BOOL &&
                !v->items[1]->boolean);
    assert_int_equal(v->items[2]->type, PD_JSONC_NULL);
    assert_true(v->items[3]->is_int && v->items[3]->integer == 0);
    assert_true(v->items[4]->is_int && v->items[4]->integer == -12);
    assert_false(v->items[5]->is_int);
    assert_true(v->items[5]->number == 3.5);
    assert_false(v->items[6]->is_int); /* an exponent is not integral */
    assert_true(v->items[6]->number == 1000.0);
    assert_string_equal(v->items[7]->string, "s");
    assert_true(v->items[8]->is_int && v->items[8]->integer == INT64_MAX);
    assert_true(v->items[9]->is_int && v->items[9]->integer == INT64_MIN);
    assert_false(v->items[10]->is_int); /* past int64_t: a double */
    assert_true(v->items[10]->number > 9.2e18);
    pd_jsonc_free(v);
}

static void test_strings_and_escapes(void **state)
{
    pd_jsonc_value *v;

    (void)state;
    v = parse_ok("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"");
    assert_string_equal(v->string,
                        "a\"b\\c/d\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80");
    pd_jsonc_free(v);
    v = parse_ok("\"h\xc3\xa9llo\"");
    assert_string_equal(v->string, "h\xc3\xa9llo");
    pd_jsonc_free(v);
}

/* Comment markers inside strings are text; comments around strings are
 * blanks, wherever a blank may be. */
static void test_comments(void **state)
{
    pd_jsonc_value *v;
    const pd_jsonc_value *m;

    (void)state;
    v = parse_ok("// leading\n"
                 "{ /* before a name */ \"url\" /* x */ : // y\n"
                 "  \"http://h/a//b /* not a comment */\", // tail\n"
                 "  \"k\": [1 /* one */, /**/ 2] /* end */\n"
                 "} // after\n"
                 "/* last\n   lines */");
    assert_int_equal(v->type, PD_JSONC_OBJECT);
    assert_int_equal(v->count, 2);
    m = pd_jsonc_member(v, "url");
    assert_non_null(m);
    assert_string_equal(m->string, "http://h/a//b /* not a comment */");
    m = pd_jsonc_member(v, "k");
    assert_int_equal(m->count, 2);
    assert_int_equal(m->items[1]->integer, 2);
    assert_null(pd_jsonc_member(v, "nope"));
    assert_null(pd_jsonc_member(m, "k")); /* not an object */
    pd_jsonc_free(v);
    /* An escaped quote does not end the string: the // is still text. */
    v = parse_ok("[\"a\\\"// b\", \"/*\"] // c");
    assert_string_equal(v->items[0]->string, "a\"// b");
    assert_string_equal(v->items[1]->string, "/*");
    pd_jsonc_free(v);
    /* A comment may end the document without a newline. */
    v = parse_ok("1//");
    assert_int_equal(v->integer, 1);
    pd_jsonc_free(v);
}

static void test_positions(void **state)
{
    pd_jsonc_value *v;
    const pd_jsonc_value *m;

    (void)state;
    v = parse_ok("{\n"
                 "  /* a comment\n"
                 "     over lines */ \"pool\": {\n"
                 "\t\"max\":   10,\n"
                 "    \"name\": \"\xc3\xa9t\xc3\xa9\", \"n\": null\n"
                 "  }\n"
                 "}");
    assert_int_equal(v->line, 1);
    assert_int_equal(v->col, 1);
    m = pd_jsonc_member(v, "pool");
    assert_int_equal(m->key_line, 3);
    assert_int_equal(m->key_col, 20);
    assert_int_equal(m->line, 3);
    assert_int_equal(m->col, 28);
    assert_int_equal(pd_jsonc_member(m, "max")->key_line, 4);
    assert_int_equal(pd_jsonc_member(m, "max")->key_col, 2); /* tab = 1 */
    assert_int_equal(pd_jsonc_member(m, "max")->line, 4);
    assert_int_equal(pd_jsonc_member(m, "max")->col, 11);
    /* Columns count characters: the two-byte é counts once. */
    assert_int_equal(pd_jsonc_member(m, "name")->col, 13);
    assert_int_equal(pd_jsonc_member(m, "n")->key_col, 20);
    assert_int_equal(pd_jsonc_member(m, "n")->col, 25);
    assert_int_equal(pd_jsonc_member(m, "n")->offset,
                     strstr("{\n  /* a comment\n     over lines */ "
                            "\"pool\": {\n\t\"max\":   10,\n    \"name\": "
                            "\"\xc3\xa9t\xc3\xa9\", \"n\": null",
                            "null") -
                         "{\n  /* a comment\n     over lines */ "
                         "\"pool\": {\n\t\"max\":   10,\n    \"name\": "
                         "\"\xc3\xa9t\xc3\xa9\", \"n\": null");
    pd_jsonc_free(v);
    /* A byte order mark is skipped and takes no column. */
    v = parse_ok("\xEF\xBB\xBF[1]");
    assert_int_equal(v->col, 1);
    assert_int_equal(v->items[0]->col, 2);
    pd_jsonc_free(v);
}

static void test_line_col(void **state)
{
    const char *t = "ab\n\xc3\xa9z\n";
    int line, col;

    (void)state;
    pd_jsonc_line_col(t, strlen(t), 0, &line, &col);
    assert_true(line == 1 && col == 1);
    pd_jsonc_line_col(t, strlen(t), 2, &line, &col);
    assert_true(line == 1 && col == 3);
    pd_jsonc_line_col(t, strlen(t), 5, &line, &col); /* the z */
    assert_true(line == 2 && col == 2);
    pd_jsonc_line_col(t, strlen(t), 99, &line, &col);
    assert_true(line == 3 && col == 1);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    parse_fails("", "t.json:1:1: unexpected end of input, expected a value");
    parse_fails("{\n  \"a\": 1,\n  \"b\" 2\n}",
                "t.json:3:7: unexpected '2', expected ':' after the member "
                "name");
    parse_fails("{\"a\": 1 \"b\": 2}",
                "t.json:1:9: unexpected '\"', expected ',' or '}'");
    parse_fails("[1, 2,]", "t.json:1:7: trailing comma before ']'");
    parse_fails("{\"a\": 1,\n}", "t.json:2:1: trailing comma before '}'");
    parse_fails("{a: 1}", "t.json:1:2: unexpected 'a', expected a member "
                "name (a string in double quotes)");
    parse_fails("[1 2]", "t.json:1:4: unexpected '2', expected ',' or ']'");
    parse_fails("[tru]", "t.json:1:2: unexpected 't', expected a value");
    parse_fails("[truex]", "t.json:1:2: unexpected 't', expected a value");
    parse_fails("[01]", "t.json:1:2: invalid number (no leading zeros)");
    parse_fails("[1.]", "t.json:1:2: invalid number (a digit must follow "
                "the point)");
    parse_fails("[1e+]", "t.json:1:2: invalid number (bad exponent)");
    parse_fails("[-]", "t.json:1:2: invalid number");
    parse_fails("\n  \"abc", "t.json:2:3: unterminated string");
    parse_fails("\"ab\ncd\"", "t.json:1:1: unterminated string");
    parse_fails("\"a\tb\"", "t.json:1:3: control character 0x09 in a "
                "string (write it as an escape)");
    parse_fails("\"a\\qb\"", "t.json:1:3: invalid escape \\q");
    parse_fails("\"\\u12G4\"", "t.json:1:4: \\u needs four hex digits");
    parse_fails("\"\\u0000\"", "t.json:1:2: \\u0000 is not allowed in a "
                "string");
    parse_fails("\"\\ud800x\"", "t.json:1:2: high surrogate \\uD800 "
                "without its low half");
    parse_fails("\"\\udc00\"", "t.json:1:2: lone low surrogate \\uDC00");
    parse_fails("[1] /* open", "t.json:1:5: unterminated comment");
    parse_fails("[1] / 2", "t.json:1:5: unexpected '/', expected the end "
                "of the document");
    parse_fails("{} {}", "t.json:1:4: unexpected '{', expected the end of "
                "the document");
    parse_fails("{\"a\": 1,\n \"a\": 2}", "t.json:2:2: duplicate member "
                "\"a\" (first at line 1)");
    parse_fails("[\x01]", "t.json:1:2: unexpected byte 0x01, expected a "
                "value");
    parse_fails("// only a comment\n", "t.json:2:1: unexpected end of "
                "input, expected a value");
}

static void test_depth_limit(void **state)
{
    char deep[1200];
    pd_jsonc_value *v = NULL;
    pd_error err = PD_ERROR_INIT;

    (void)state;
    memset(deep, '[', 600);
    memset(deep + 600, ']', 600);
    assert_int_equal(pd_jsonc_parse(deep, sizeof(deep), NULL, 0, &v, &err),
                     PD_EINVAL);
    assert_string_equal(err.message, "1:257: nested more than 256 levels "
                        "deep");
    pd_error_clear(&err);
    memset(deep, '[', 200);
    memset(deep + 200, ']', 200);
    assert_int_equal(pd_jsonc_parse(deep, 400, NULL, 0, &v, &err), 0);
    pd_jsonc_free(v);
}

static void test_empty_allowed(void **state)
{
    pd_jsonc_value *v = (pd_jsonc_value *)1;
    pd_error err = PD_ERROR_INIT;
    const char *t = " // nothing\n/* at all */\n";

    (void)state;
    assert_int_equal(pd_jsonc_parse(t, strlen(t), "e", PD_JSONC_ALLOW_EMPTY,
                                    &v, &err), 0);
    assert_null(v);
}

static void test_files(void **state)
{
    char dir[] = "/tmp/test_jsonc.XXXXXX";
    char path[256];
    pd_jsonc_value *v = NULL;
    pd_error err = PD_ERROR_INIT;
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/missing.json", dir);
    assert_int_equal(pd_jsonc_parse_file(path, 0, &v, &err), PD_ENOTFOUND);
    assert_non_null(strstr(err.message, "missing.json: No such file"));
    pd_error_clear(&err);
    assert_int_equal(pd_jsonc_parse_file(dir, 0, &v, &err), PD_EIO);
    pd_error_clear(&err);
    snprintf(path, sizeof(path), "%s/bad.json", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\n  // fine\n  \"a\": [1,, 2]\n}\n", f);
    fclose(f);
    assert_int_equal(pd_jsonc_parse_file(path, 0, &v, &err), PD_EINVAL);
    {
        char want[300];
        snprintf(want, sizeof(want), "%s:3:11: unexpected ',', expected a "
                 "value", path);
        assert_string_equal(err.message, want);
    }
    pd_error_clear(&err);
    unlink(path);
    rmdir(dir);
}

static void test_type_names(void **state)
{
    (void)state;
    assert_string_equal(pd_jsonc_type_name(PD_JSONC_ARRAY), "an array");
    assert_string_equal(pd_jsonc_type_name(PD_JSONC_STRING), "a string");
    assert_string_equal(pd_jsonc_type_name(PD_JSONC_NULL), "null");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_strings_and_escapes),
        cmocka_unit_test(test_comments),
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_line_col),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_empty_allowed),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_type_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
