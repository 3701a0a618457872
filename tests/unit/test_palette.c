/* test_palette.c: shell/palette.c, theme roles as SGR sequences: 256
 * colours, 8 colours, attributes, NO_COLOR, --no-color, TERM=dumb, and no
 * colour for a stream that is not a terminal. Run from the repository
 * root (tests/run.sh does): themes are read from themes/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "shell/palette.h"

static void env(const char *term, const char *colorterm, const char *nc)
{
    setenv("TERM", term, 1);
    if (colorterm != NULL)
        setenv("COLORTERM", colorterm, 1);
    else
        unsetenv("COLORTERM");
    if (nc != NULL)
        setenv("NO_COLOR", nc, 1);
    else
        unsetenv("NO_COLOR");
}

static void use(const char *theme)
{
    pd_error err = PD_ERROR_INIT;

    if (sh_palette_use_theme(theme, &err) != 0)
        fail_msg("%s", err.message);
}

/* The built-in dark: the prompt is its bold gold title, errors bold
 * 203, a started job dim grey. */
static void test_256(void **state)
{
    (void)state;
    env("xterm-256color", NULL, NULL);
    sh_palette_setup(false);
    assert_true(sh_palette_wanted());
    assert_string_equal(sh_palette_theme(), "dark");
    assert_string_equal(sh_palette_sgr(SH_PAL_PROMPT), "\033[1;38;5;221m");
    assert_string_equal(sh_palette_sgr(SH_PAL_ERROR), "\033[1;38;5;203m");
    assert_string_equal(sh_palette_sgr(SH_PAL_NOTE), "\033[38;5;243m");
}

/* Colours a terminal lacks are degraded; the basic ones are 30..37 and
 * 90..97 (40.. for backgrounds) where the theme names them. */
static void test_8_and_16(void **state)
{
    (void)state;
    env("xterm", NULL, NULL);
    sh_palette_setup(false);
    assert_string_equal(sh_palette_sgr(SH_PAL_PROMPT), "\033[1;33m");
    use("themes/high-contrast.json");
    assert_string_equal(sh_palette_theme(), "high-contrast");
    /* error: bright white on red, white on 8 colours */
    assert_string_equal(sh_palette_sgr(SH_PAL_ERROR), "\033[1;37;41m");
    env("xterm", "truecolor", NULL);
    sh_palette_setup(false);
    use("themes/high-contrast.json");
    assert_string_equal(sh_palette_sgr(SH_PAL_ERROR), "\033[1;97;41m");
    /* title: bright white, bold and underlined */
    assert_string_equal(sh_palette_sgr(SH_PAL_PROMPT), "\033[1;4;97m");
}

/* monochrome: attributes only; a plain role writes nothing at all. */
static void test_monochrome(void **state)
{
    (void)state;
    env("xterm-256color", NULL, NULL);
    sh_palette_setup(false);
    use("themes/monochrome.json");
    assert_string_equal(sh_palette_sgr(SH_PAL_PROMPT), "\033[1m");
    assert_string_equal(sh_palette_sgr(SH_PAL_OK), "");
}

static void test_no_colour(void **state)
{
    (void)state;
    env("xterm-256color", NULL, "1");
    sh_palette_setup(false);
    assert_false(sh_palette_wanted());
    assert_string_equal(sh_palette_sgr(SH_PAL_PROMPT), "");
    env("xterm-256color", NULL, ""); /* set but empty: no effect */
    sh_palette_setup(false);
    assert_true(sh_palette_wanted());
    sh_palette_setup(true); /* --no-color */
    assert_false(sh_palette_wanted());
    env("dumb", NULL, NULL);
    sh_palette_setup(false);
    assert_false(sh_palette_wanted());
}

/* A stream that is not a terminal never gets colour. */
static void test_not_a_terminal(void **state)
{
    FILE *f = tmpfile();

    (void)state;
    assert_non_null(f);
    env("xterm-256color", NULL, NULL);
    sh_palette_setup(false);
    assert_false(sh_palette_on(f));
    assert_string_equal(sh_palette_start(f, SH_PAL_ERROR), "");
    assert_string_equal(sh_palette_end(f, SH_PAL_ERROR), "");
    fclose(f);
}

/* A bad theme is refused with the file and key named; the current one
 * stays. */
static void test_bad_theme(void **state)
{
    pd_error err = PD_ERROR_INIT;

    (void)state;
    env("xterm-256color", NULL, NULL);
    sh_palette_setup(false);
    use("themes/light.json");
    assert_int_not_equal(sh_palette_use_theme("/nonexistent.json", &err), 0);
    assert_non_null(strstr(err.message, "/nonexistent.json"));
    pd_error_clear(&err);
    assert_string_equal(sh_palette_theme(), "light");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_256),
        cmocka_unit_test(test_8_and_16),
        cmocka_unit_test(test_monochrome),
        cmocka_unit_test(test_no_colour),
        cmocka_unit_test(test_not_a_terminal),
        cmocka_unit_test(test_bad_theme),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
