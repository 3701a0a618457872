/* test_sparkline.c: tui/sparkline.c, the heights of the blocks, the
 * scaling of measurements of any sign and size, and the drawing (into a
 * curses window on a terminal that goes to /dev/null). */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tui/sparkline.h"

static void test_level_bounds(void **state)
{
    (void)state;
    assert_int_equal(tui_sparkline_level(0, 100), 0);
    assert_int_equal(tui_sparkline_level(-5, 100), 0);
    assert_int_equal(tui_sparkline_level(5, 0), 0);
    assert_int_equal(tui_sparkline_level(100, 100), 7);
    assert_int_equal(tui_sparkline_level(250, 100), 7);
    /* Anything above zero shows above the baseline. */
    assert_int_equal(tui_sparkline_level(1, 1000000), 1);
}

static void test_level_monotonic(void **state)
{
    int64_t v;
    int last = 0, l;

    (void)state;
    for (v = 0; v <= 1000; v++) {
        l = tui_sparkline_level(v, 1000);
        assert_true(l >= last);
        assert_true(l >= 0 && l <= 7);
        last = l;
    }
    assert_int_equal(last, 7);
}

static void test_scale_ramp(void **state)
{
    const double in[4] = {10, 20, 30, 40};
    int64_t out[4];
    int i;

    (void)state;
    tui_sparkline_scale(in, 4, out);
    /* The lowest is just above the baseline, the highest full. */
    assert_int_equal(tui_sparkline_level(out[0], out[3]), 1);
    assert_int_equal(tui_sparkline_level(out[3], out[3]), 7);
    for (i = 1; i < 4; i++)
        assert_true(out[i] > out[i - 1]);
}

static void test_scale_negative_and_small(void **state)
{
    const double neg[3] = {-5, 0, 5};
    const double tiny[3] = {0.001, 0.002, 0.003};
    int64_t out[3];

    (void)state;
    tui_sparkline_scale(neg, 3, out);
    assert_true(out[0] > 0); /* the lowest is still drawn */
    assert_true(out[0] < out[1] && out[1] < out[2]);
    assert_int_equal(tui_sparkline_level(out[2], out[2]), 7);
    /* Fractions keep their differences (no rounding to 0). */
    tui_sparkline_scale(tiny, 3, out);
    assert_true(out[0] > 0 && out[0] < out[1] && out[1] < out[2]);
}

static void test_scale_constant(void **state)
{
    const double same[3] = {42, 42, 42};
    const double zeros[2] = {0, 0};
    int64_t out[3];

    (void)state;
    tui_sparkline_scale(same, 3, out);
    assert_int_equal(tui_sparkline_level(out[0], out[2]), 7);
    assert_int_equal(out[0], out[2]);
    tui_sparkline_scale(zeros, 2, out);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 0);
    tui_sparkline_scale(same, 0, out); /* nothing to do */
}

/* The cells of line y of w as UTF-8. */
static void read_line(WINDOW *w, int y, int n, char *buf, size_t len)
{
    size_t off = 0;
    int x;

    buf[0] = '\0';
    for (x = 0; x < n; x++) {
        cchar_t cc;
        wchar_t wc[CCHARW_MAX + 1];
        attr_t a;
        short pair;
        char mb[16];
        int k;

        if (mvwin_wch(w, y, x, &cc) == ERR ||
            getcchar(&cc, wc, &a, &pair, NULL) == ERR)
            break;
        k = (int)wctomb(mb, wc[0]);
        if (k <= 0 || off + (size_t)k >= len)
            break;
        memcpy(buf + off, mb, (size_t)k);
        off += (size_t)k;
        buf[off] = '\0';
    }
}

static void test_draw(void **state)
{
    const int64_t v[5] = {0, 1, 4, 8, 8};
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    SCREEN *scr;
    WINDOW *w;
    char line[128];
    int n;

    (void)state;
    assert_non_null(out);
    assert_non_null(in);
    scr = newterm("xterm-256color", out, in);
    if (scr == NULL) { /* no terminfo here: nothing to draw on */
        fclose(out);
        fclose(in);
        skip();
    }
    w = newwin(3, 10, 0, 0);
    assert_non_null(w);
    /* Right-aligned in its width: the newest values last. */
    n = tui_sparkline_draw(w, 0, 0, 3, v, 5, A_NORMAL, A_DIM);
    assert_int_equal(n, 3);
    read_line(w, 0, 3, line, sizeof(line));
    assert_string_equal(line, MB_CUR_MAX > 1 ? "▅██" : "=##");
    n = tui_sparkline_draw(w, 1, 0, 10, v, 5, A_NORMAL, A_DIM);
    assert_int_equal(n, 5);
    read_line(w, 1, 5, line, sizeof(line));
    assert_string_equal(line, MB_CUR_MAX > 1 ? "▁▃▅██" : "_:=##");
    assert_int_equal(tui_sparkline_draw(w, 2, 0, 0, v, 5, 0, 0), 0);
    assert_int_equal(tui_sparkline_draw(w, 2, 0, 5, v, 0, 0, 0), 0);
    delwin(w);
    endwin();
    delscreen(scr);
    fclose(out);
    fclose(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level_bounds),
        cmocka_unit_test(test_level_monotonic),
        cmocka_unit_test(test_scale_ramp),
        cmocka_unit_test(test_scale_negative_and_small),
        cmocka_unit_test(test_scale_constant),
        cmocka_unit_test(test_draw),
    };

    setlocale(LC_ALL, "");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
