/* test_tui_outage.c: the header's outage text (tui/outage.c) and the
 * whole-millisecond durations (tui_panel_fmt_ms), both pure formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tui/outage.h"
#include "tui/panel.h"

static const char *text(bool lost, uint64_t next_ms, uint64_t now_ms)
{
    static char buf[80];
    tui_outage o = {lost, next_ms};

    tui_outage_text(&o, now_ms, true, buf, sizeof(buf));
    return buf;
}

static void test_outage_text(void **state)
{
    (void)state;
    assert_string_equal(text(false, 5000, 1000), "");
    /* Seconds rounded up: never "in 0s" while still waiting. */
    assert_string_equal(text(true, 4000, 1000),
                        "server lost - reconnecting in 3s");
    assert_string_equal(text(true, 3500, 1000),
                        "server lost - reconnecting in 3s");
    assert_string_equal(text(true, 1001, 1000),
                        "server lost - reconnecting in 1s");
    /* Due or under way. */
    assert_string_equal(text(true, 1000, 1000),
                        "server lost - reconnecting now");
    assert_string_equal(text(true, 0, 1000),
                        "server lost - reconnecting now");
}

static void test_outage_text_utf8(void **state)
{
    tui_outage o = {true, 3000};
    char buf[80];

    (void)state;
    tui_outage_text(&o, 1000, false, buf, sizeof(buf));
    assert_string_equal(buf, "server lost \xe2\x80\x94 reconnecting in 2s");
}

static void test_fmt_ms(void **state)
{
    char buf[24];

    (void)state;
    /* uv_now() has whole ms: no made-up decimals. */
    tui_panel_fmt_ms(buf, sizeof(buf), 0);
    assert_string_equal(buf, "0 ms");
    tui_panel_fmt_ms(buf, sizeof(buf), 999);
    assert_string_equal(buf, "999 ms");
    tui_panel_fmt_ms(buf, sizeof(buf), 1250);
    assert_string_equal(buf, "1.25 s");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outage_text),
        cmocka_unit_test(test_outage_text_utf8),
        cmocka_unit_test(test_fmt_ms),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
