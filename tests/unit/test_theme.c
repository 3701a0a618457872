/* test_theme.c: core/theme.c loading, listing, validation and colour degradation;
 * the themes/ files and the compiled-in default. Run from the repository
 * root (tests/run.sh does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/theme.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* A theme text with every role; role "skip" left out, role "bad" given
 * the body bad. */
static char *theme_text(const char *skip, const char *bad, const char *body)
{
    size_t cap = 8192, len = 0;
    char *s = malloc(cap);
    int r;

    assert_non_null(s);
    len += (size_t)snprintf(s + len, cap - len,
                            "{\"name\": \"t\", \"roles\": {");
    for (r = 0; r < PD_THEME_ROLE_COUNT; r++) {
        const char *name = pd_theme_role_name((pd_theme_role)r);

        if (skip != NULL && strcmp(name, skip) == 0)
            continue;
        len += (size_t)snprintf(s + len, cap - len, "%s\"%s\": %s",
                                len > 30 ? ", " : "", name,
                                bad != NULL && strcmp(name, bad) == 0 ?
                                    body :
                                    "{\"fg\": \"red\"}");
    }
    snprintf(s + len, cap - len, "}}");
    return s;
}

static void test_builtin_is_dark_json(void **state)
{
    char *file = slurp("themes/dark.json");
    pd_theme_def a, b;
    pd_error err = PD_ERROR_INIT;

    (void)state;
    assert_string_equal(pd_theme_builtin_json, file);
    pd_theme_builtin(&a);
    assert_int_equal(pd_theme_parse(&b, file, "themes/dark.json", &err), 0);
    assert_memory_equal(&a, &b, sizeof(a));
    assert_string_equal(a.name, "dark");
    free(file);
}

static void test_every_theme_file(void **state)
{
    int i;

    (void)state;
    /* The five required themes, each complete (parsing demands every
     * role) and named as its file. */
    for (i = 0; pd_theme_names[i] != NULL; i++) {
        char path[128], *text;
        pd_theme_def def;
        pd_error err = PD_ERROR_INIT;
        int r;

        snprintf(path, sizeof(path), "themes/%s.json", pd_theme_names[i]);
        text = slurp(path);
        if (pd_theme_parse(&def, text, path, &err) != 0)
            fail_msg("%s", err.message);
        assert_string_equal(def.name, pd_theme_names[i]);
        for (r = 0; r < PD_THEME_ROLE_COUNT; r++) {
            char key[64];

            snprintf(key, sizeof(key), "\"%s\":",
                     pd_theme_role_name((pd_theme_role)r));
            if (strstr(text, key) == NULL)
                fail_msg("%s does not define %s", path, key);
        }
        free(text);
    }
    assert_int_equal(i, 5);
}

static void test_monochrome_has_no_colour(void **state)
{
    char *text = slurp("themes/monochrome.json");
    pd_theme_def def;
    pd_error err = PD_ERROR_INIT;
    int r;

    (void)state;
    assert_int_equal(pd_theme_parse(&def, text, "m", &err), 0);
    for (r = 0; r < PD_THEME_ROLE_COUNT; r++) {
        assert_int_equal(def.role[r].fg, -1);
        assert_int_equal(def.role[r].bg, -1);
    }
    free(text);
}

static void test_role_names(void **state)
{
    int r, q;

    (void)state;
    for (r = 0; r < PD_THEME_ROLE_COUNT; r++) {
        assert_string_not_equal(pd_theme_role_name((pd_theme_role)r), "?");
        for (q = r + 1; q < PD_THEME_ROLE_COUNT; q++)
            assert_string_not_equal(pd_theme_role_name((pd_theme_role)r),
                                    pd_theme_role_name((pd_theme_role)q));
    }
    assert_string_equal(pd_theme_role_name(PD_THEME_ROLE_COUNT), "?");
}

static void expect_error(const char *text, const char *want)
{
    pd_theme_def def;
    pd_error err = PD_ERROR_INIT;

    assert_int_equal(pd_theme_parse(&def, text, "x.json", &err), PD_EINVAL);
    if (strstr(err.message, want) == NULL)
        fail_msg("\"%s\" does not say \"%s\"", err.message, want);
    assert_non_null(strstr(err.message, "x.json: "));
    pd_error_clear(&err);
}

static void test_errors_name_file_and_key(void **state)
{
    char *t;

    (void)state;
    t = theme_text("frame", NULL, NULL);
    expect_error(t, "roles.frame: missing");
    free(t);
    t = theme_text(NULL, "title", "{\"fg\": \"redd\"}");
    expect_error(t, "roles.title.fg: unknown colour \"redd\"");
    free(t);
    t = theme_text(NULL, "title", "{\"bg\": 256}");
    expect_error(t, "roles.title.bg: a colour index is 0..255");
    free(t);
    t = theme_text(NULL, "key", "{\"attrs\": [\"bolt\"]}");
    expect_error(t, "roles.key.attrs: unknown attribute \"bolt\"");
    free(t);
    t = theme_text(NULL, "key", "{\"colour\": 1}");
    expect_error(t, "roles.key.colour: unknown key");
    free(t);
    t = theme_text(NULL, "dim", "[1]");
    expect_error(t, "roles.dim: an object");
    free(t);
    expect_error("{\"name\": \"t\",\n  \"roles\": {,}}", "x.json: 2:");
    expect_error("{\"name\": \"t\",\n  \"roles\": {,}}", "not valid JSON");
    expect_error("{\"roles\": {}}", "name: missing");
    expect_error("{\"name\": \"t\"}", "roles: missing");
    expect_error("{\"name\": \"t\", \"role\": {}}", "role: unknown key");
    expect_error("{\"name\": \"t\", \"roles\": {\"headr\": {}}}",
                 "roles.headr: unknown role");
    expect_error("[]", "a JSON object");
}

static void test_values(void **state)
{
    char *t = theme_text(NULL, "alert",
                         "{\"fg\": \"brightwhite\", \"bg\": \"#ff0000\", "
                         "\"attrs\": [\"bold\", \"blink\"], \"mono\": "
                         "[\"reverse\"]}");
    pd_theme_def def;
    pd_error err = PD_ERROR_INIT;

    (void)state;
    assert_int_equal(pd_theme_parse(&def, t, "x", &err), 0);
    assert_int_equal(def.role[PD_THEME_ROLE_ALERT].fg, 15);
    assert_int_equal(def.role[PD_THEME_ROLE_ALERT].bg, 196);
    assert_true(def.role[PD_THEME_ROLE_ALERT].attrs == (PD_THEME_BOLD | PD_THEME_BLINK));
    assert_true(def.role[PD_THEME_ROLE_ALERT].mono == PD_THEME_REVERSE);
    /* No "mono": the attributes stand in; no colours: the default. */
    assert_int_equal(def.role[PD_THEME_ROLE_FRAME].fg, 1);
    assert_int_equal(def.role[PD_THEME_ROLE_FRAME].bg, -1);
    assert_true(def.role[PD_THEME_ROLE_FRAME].mono == 0);
    free(t);
}

static void test_degrade(void **state)
{
    (void)state;
    assert_int_equal(pd_theme_degrade(-1, 8), -1);
    assert_int_equal(pd_theme_degrade(100, 256), 100);
    assert_int_equal(pd_theme_degrade(5, 8), 5);
    assert_int_equal(pd_theme_degrade(196, 8), 1);   /* red */
    assert_int_equal(pd_theme_degrade(196, 16), 9);  /* bright red */
    assert_int_equal(pd_theme_degrade(231, 8), 7);   /* white */
    assert_int_equal(pd_theme_degrade(16, 8), 0);    /* black */
    assert_int_equal(pd_theme_degrade(21, 8), 4);    /* blue */
    assert_int_equal(pd_theme_degrade(24, 8), 6);    /* teal: cyan */
    assert_int_equal(pd_theme_degrade(78, 8), 2);    /* green */
    assert_int_equal(pd_theme_degrade(221, 8), 3);   /* gold: yellow */
    assert_int_equal(pd_theme_degrade(9, 8), 1);     /* bright red */
    assert_int_equal(pd_theme_degrade(177, 8), 5);   /* violet */
    assert_int_equal(pd_theme_degrade(236, 8), 0);   /* dark grey */
    assert_int_equal(pd_theme_degrade(242, 8), 7);   /* grey text */
    assert_int_equal(pd_theme_degrade(242, 16), 8);
    assert_int_equal(pd_theme_degrade(231, 16), 15);
    assert_int_equal(pd_theme_degrade(12, 0), -1);
    assert_int_equal(pd_theme_rgb_to_256(0xff, 0, 0), 196);
    assert_int_equal(pd_theme_rgb_to_256(0, 0, 0), 16);
    assert_int_equal(pd_theme_rgb_to_256(0x80, 0x80, 0x80), 244);
}

static void test_load(void **state)
{
    pd_theme_def def;
    pd_error err = PD_ERROR_INIT;
    const char *bad = "build/tests/bad-theme.json";
    char *text = theme_text(NULL, "header", "{\"fg\": -2}");
    FILE *f;

    (void)state;
    assert_int_equal(pd_theme_load(&def, "themes/light.json", &err), 0);
    assert_string_equal(def.name, "light");
    assert_int_equal(pd_theme_load(&def, "no-such-theme", &err),
                     PD_ENOTFOUND);
    assert_non_null(strstr(err.message, "no-such-theme"));
    pd_error_clear(&err);
    assert_int_equal(pd_theme_load(&def, "/nonexistent/x.json", &err),
                     PD_ENOTFOUND);
    assert_non_null(strstr(err.message, "/nonexistent/x.json"));
    pd_error_clear(&err);
    f = fopen(bad, "w");
    assert_non_null(f);
    fputs(text, f);
    free(text);
    fclose(f);
    assert_int_equal(pd_theme_load(&def, bad, &err), PD_EINVAL);
    assert_non_null(strstr(err.message, bad));
    assert_non_null(strstr(err.message, "roles.header.fg"));
    pd_error_clear(&err);
    remove(bad);
    /* "dark" is there even with no themes folder in reach. */
    assert_int_equal(pd_theme_load(&def, "dark", &err), 0);
    assert_string_equal(def.name, "dark");
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* The list: the shipped themes found (dark always: it is built in), then
 * the other files of the theme folders by name, each with its file. */
static void test_list(void **state)
{
    const char *dir = "build/tests/xdg/pgdeck/themes";
    char *old = getenv("XDG_CONFIG_HOME") ? strdup(getenv("XDG_CONFIG_HOME"))
                                          : NULL;
    char xdg[4096], light[4200];
    pd_theme_entry *list;
    int n;

    (void)state;
    /* Only an absolute XDG_CONFIG_HOME counts, as the spec says. */
    assert_non_null(getcwd(xdg, sizeof(xdg) - 32));
    strcat(xdg, "/build/tests/xdg");
    snprintf(light, sizeof(light), "%s/pgdeck/themes/light.json", xdg);
    mkdir("build/tests/xdg", 0700);
    mkdir("build/tests/xdg/pgdeck", 0700);
    mkdir(dir, 0700);
    write_file("build/tests/xdg/pgdeck/themes/zeta.json", "{}");
    write_file("build/tests/xdg/pgdeck/themes/alpha.json", "{}");
    write_file("build/tests/xdg/pgdeck/themes/light.json", "{}");
    write_file("build/tests/xdg/pgdeck/themes/notes.txt", "");
    setenv("XDG_CONFIG_HOME", xdg, 1);
    n = pd_theme_list(&list);
    assert_int_equal(n, 4);
    assert_string_equal(list[0].name, "dark");
    assert_null(list[0].path); /* no file in reach: the built-in */
    assert_string_equal(list[1].name, "light");
    assert_string_equal(list[1].path, light);
    assert_string_equal(list[2].name, "alpha");
    assert_string_equal(list[3].name, "zeta");
    pd_theme_list_free(list, n);
    remove("build/tests/xdg/pgdeck/themes/zeta.json");
    remove("build/tests/xdg/pgdeck/themes/alpha.json");
    remove("build/tests/xdg/pgdeck/themes/light.json");
    remove("build/tests/xdg/pgdeck/themes/notes.txt");
    if (old != NULL)
        setenv("XDG_CONFIG_HOME", old, 1);
    else
        unsetenv("XDG_CONFIG_HOME");
    free(old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_is_dark_json),
        cmocka_unit_test(test_every_theme_file),
        cmocka_unit_test(test_monochrome_has_no_colour),
        cmocka_unit_test(test_role_names),
        cmocka_unit_test(test_errors_name_file_and_key),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_degrade),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_list),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
