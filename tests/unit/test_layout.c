/* test_layout.c: tui/layout.c geometry rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "tui/layout.h"

static void assert_rect(const tui_rect *r, int y, int x, int h, int w)
{
    assert_int_equal(r->y, y);
    assert_int_equal(r->x, x);
    assert_int_equal(r->h, h);
    assert_int_equal(r->w, w);
}

/* Every visible panel lies inside the panel area and no two overlap; with
 * every panel visible they cover the area exactly. */
static void assert_tiles(const tui_layout *l)
{
    long cells = 0;
    int i, j, shown = 0;

    for (i = 0; i < l->npanels; i++) {
        const tui_rect *a = &l->panel[i];

        if (!tui_layout_visible(a)) {
            assert_int_equal(a->h * a->w, 0);
            continue;
        }
        shown++;
        cells += (long)a->h * a->w;
        assert_true(a->y >= l->area.y);
        assert_true(a->x >= l->area.x);
        assert_true(a->y + a->h <= l->area.y + l->area.h);
        assert_true(a->x + a->w <= l->area.x + l->area.w);
        for (j = i + 1; j < l->npanels; j++) {
            const tui_rect *b = &l->panel[j];

            if (!tui_layout_visible(b))
                continue;
            assert_false(a->y < b->y + b->h && b->y < a->y + a->h &&
                         a->x < b->x + b->w && b->x < a->x + a->w);
        }
    }
    if (shown == l->npanels && shown > 0)
        assert_int_equal(cells, (long)l->area.h * l->area.w);
}

static void test_one_panel_full_screen(void **state)
{
    tui_layout l;

    (void)state;
    assert_int_equal(tui_layout_compute(&l, 30, 100, 1, 0, false), 0);
    assert_rect(&l.header, 0, 0, 1, 100);
    assert_rect(&l.keybar, 29, 0, 1, 100);
    assert_rect(&l.area, 1, 0, 28, 100);
    assert_rect(&l.panel[0], 1, 0, 28, 100);
    assert_int_equal(l.grid_cols, 1);
}

static void test_small_terminal(void **state)
{
    tui_layout l;

    (void)state;
    assert_int_equal(tui_layout_compute(&l, 5, 20, 1, 0, false), 0);
    assert_rect(&l.header, 0, 0, 1, 20);
    assert_rect(&l.keybar, 4, 0, 1, 20);
    assert_rect(&l.panel[0], 1, 0, 3, 20);

    /* Two rows: the key bar goes first, the panel keeps a row. */
    assert_int_equal(tui_layout_compute(&l, 2, 20, 1, 0, false), 0);
    assert_rect(&l.header, 0, 0, 1, 20);
    assert_false(tui_layout_visible(&l.keybar));
    assert_rect(&l.panel[0], 1, 0, 1, 20);

    /* One row: the panel alone. */
    assert_int_equal(tui_layout_compute(&l, 1, 1, 1, 0, false), 0);
    assert_false(tui_layout_visible(&l.header));
    assert_false(tui_layout_visible(&l.keybar));
    assert_rect(&l.panel[0], 0, 0, 1, 1);
}

static void test_empty_terminal(void **state)
{
    tui_layout l;

    (void)state;
    assert_int_equal(tui_layout_compute(&l, 0, 0, 3, 1, false), 0);
    assert_false(tui_layout_visible(&l.header));
    assert_false(tui_layout_visible(&l.panel[1]));
    assert_int_equal(tui_layout_compute(&l, -4, 80, 3, 1, false), 0);
    assert_int_equal(l.rows, 0);
    assert_false(tui_layout_visible(&l.panel[0]));
    assert_int_equal(tui_layout_compute(&l, 24, 80, 0, 0, false), 0);
    assert_rect(&l.area, 1, 0, 22, 80);
}

static void test_bad_arguments(void **state)
{
    tui_layout l;

    (void)state;
    assert_int_equal(tui_layout_compute(&l, 24, 80, -1, 0, false),
                     PD_EINVAL);
    assert_int_equal(
        tui_layout_compute(&l, 24, 80, TUI_LAYOUT_MAX + 1, 0, false),
        PD_EINVAL);
    assert_int_equal(tui_layout_compute(&l, 24, 80, 2, 2, false), PD_EINVAL);
    assert_int_equal(tui_layout_compute(&l, 24, 80, 2, -1, false),
                     PD_EINVAL);
    assert_false(tui_layout_visible(&l.panel[0]));
}

static void test_grid(void **state)
{
    tui_layout l;

    (void)state;
    /* 7 panels on 80x24: two columns, four rows over 22 lines. */
    assert_int_equal(tui_layout_compute(&l, 24, 80, 7, 0, false), 0);
    assert_int_equal(l.grid_cols, 2);
    assert_rect(&l.panel[0], 1, 0, 6, 40);
    assert_rect(&l.panel[1], 1, 40, 6, 40);
    assert_rect(&l.panel[2], 7, 0, 6, 40);
    assert_rect(&l.panel[5], 13, 40, 5, 40);
    /* The odd one out spans the width. */
    assert_rect(&l.panel[6], 18, 0, 5, 80);
    assert_tiles(&l);

    /* Narrow: one column. */
    assert_int_equal(tui_layout_compute(&l, 40, 39, 3, 0, false), 0);
    assert_int_equal(l.grid_cols, 1);
    assert_tiles(&l);

    /* Very wide: capped at three columns. */
    assert_int_equal(tui_layout_compute(&l, 50, 400, 7, 0, false), 0);
    assert_int_equal(l.grid_cols, 3);
    assert_tiles(&l);
}

static void test_collapse_keeps_focus(void **state)
{
    tui_layout l;

    (void)state;
    /* 6 rows of panels (one column) in 6 lines: the focus (the 5th) gets
     * a frame and a line, three neighbours a title line each, the
     * farthest are hidden. */
    assert_int_equal(tui_layout_compute(&l, 8, 30, 6, 4, false), 0);
    assert_rect(&l.panel[2], 1, 0, 1, 30);
    assert_rect(&l.panel[3], 2, 0, 1, 30);
    assert_rect(&l.panel[4], 3, 0, 3, 30);
    assert_rect(&l.panel[5], 6, 0, 1, 30);
    assert_false(tui_layout_visible(&l.panel[0]));
    assert_false(tui_layout_visible(&l.panel[1]));
    assert_tiles(&l);

    /* Focus at the top: the rows below it. */
    assert_int_equal(tui_layout_compute(&l, 8, 30, 6, 0, false), 0);
    assert_rect(&l.panel[0], 1, 0, 3, 30);
    assert_rect(&l.panel[1], 4, 0, 1, 30);
    assert_rect(&l.panel[3], 6, 0, 1, 30);
    assert_false(tui_layout_visible(&l.panel[4]));
    assert_false(tui_layout_visible(&l.panel[5]));
}

static void test_zoom(void **state)
{
    tui_layout l;

    (void)state;
    assert_int_equal(tui_layout_compute(&l, 24, 80, 5, 2, true), 0);
    assert_rect(&l.panel[2], 1, 0, 22, 80);
    assert_false(tui_layout_visible(&l.panel[0]));
    assert_false(tui_layout_visible(&l.panel[4]));
}

/* Whatever the size, the rules hold and the focus is always shown. */
static void test_all_sizes(void **state)
{
    tui_layout l;
    int rows, cols, n;

    (void)state;
    for (rows = 0; rows <= 40; rows++)
        for (cols = 0; cols <= 130; cols += 7)
            for (n = 1; n <= 8; n++) {
                int focus = (rows + cols) % n;

                assert_int_equal(
                    tui_layout_compute(&l, rows, cols, n, focus, false), 0);
                assert_tiles(&l);
                if (rows > 0 && cols > 0)
                    assert_true(tui_layout_visible(&l.panel[focus]));
                if (tui_layout_visible(&l.header))
                    assert_int_equal(l.header.y, 0);
                if (tui_layout_visible(&l.keybar))
                    assert_int_equal(l.keybar.y, rows - 1);
            }
}

/* The dashboard's own arrangement: three small panels, then Slow queries,
 * then Activity and Locks on rows of their own (weight, max_h, wide,
 * min_h, prio as the panels give them). */
static const tui_layout_hint dash[6] = {
    {1, 9, false, 0, 2}, {1, 9, false, 0, 2}, {1, 9, false, 0, 0},
    {2, 0, false, 0, 1}, {4, 0, true, 0, 3}, {2, 0, true, 0, 1},
};

static void test_hints_rows(void **state)
{
    tui_layout l;
    int i;

    (void)state;
    /* 80 columns: two side by side; wide ones alone. */
    assert_int_equal(tui_layout_compute_hints(&l, 24, 80, dash, 6, 0, false),
                     0);
    assert_int_equal(l.grid_cols, 2);
    assert_int_equal(l.grid_rows, 4);
    assert_int_equal(l.panel[0].y, l.panel[1].y);
    assert_int_equal(l.panel[2].y, l.panel[3].y);
    assert_int_equal(l.panel[4].w, 80);
    assert_int_equal(l.panel[4].x, 0);
    assert_int_equal(l.panel[5].w, 80);
    assert_true(l.panel[4].y > l.panel[2].y);
    assert_true(l.panel[5].y > l.panel[4].y);
    /* Activity's weight gives it the most rows. */
    for (i = 0; i < 6; i++)
        if (i != 4)
            assert_true(l.panel[4].h >= l.panel[i].h);
    assert_tiles(&l);

    /* 150 columns: the three small ones on one row, capped at 9 rows
     * while the others take the rest. */
    assert_int_equal(tui_layout_compute_hints(&l, 80, 150, dash, 6, 0, false),
                     0);
    assert_int_equal(l.grid_cols, 3);
    assert_int_equal(l.grid_rows, 4);
    assert_int_equal(l.panel[0].h, 9);
    assert_int_equal(l.panel[2].y, l.panel[0].y);
    assert_int_equal(l.panel[3].w, 150);
    assert_tiles(&l);
}

static void test_hints_max_only_while_others_can_grow(void **state)
{
    static const tui_layout_hint capped[2] = {{1, 4, false, 0, 0},
                                                 {1, 5, true, 0, 0}};
    tui_layout l;

    (void)state;
    /* Both capped: the spare rows still go somewhere. */
    assert_int_equal(tui_layout_compute_hints(&l, 40, 80, capped, 2, 0,
                                              false), 0);
    assert_int_equal(l.panel[0].h + l.panel[1].h, 38);
    assert_tiles(&l);
}

static void test_hints_equal_to_plain(void **state)
{
    tui_layout_hint none[8] = {{0, 0, false, 0, 0}};
    tui_layout a, b;
    int rows, cols, n;

    (void)state;
    for (rows = 0; rows <= 30; rows += 3)
        for (cols = 0; cols <= 130; cols += 13)
            for (n = 1; n <= 8; n++) {
                assert_int_equal(
                    tui_layout_compute(&a, rows, cols, n, n - 1, false), 0);
                assert_int_equal(tui_layout_compute_hints(&b, rows, cols, none,
                                                          n, n - 1, false),
                                 0);
                assert_memory_equal(&a, &b, sizeof(a));
            }
}

static void test_neighbour_and_hit(void **state)
{
    tui_layout l;

    (void)state;
    assert_int_equal(tui_layout_compute_hints(&l, 24, 80, dash, 6, 0, false),
                     0);
    assert_int_equal(tui_layout_neighbour(&l, 0, 0, 1), 1);
    assert_int_equal(tui_layout_neighbour(&l, 1, 0, -1), 0);
    assert_int_equal(tui_layout_neighbour(&l, 0, 0, -1), -1);
    assert_int_equal(tui_layout_neighbour(&l, 0, 1, 0), 2);
    assert_int_equal(tui_layout_neighbour(&l, 1, 1, 0), 3);
    assert_int_equal(tui_layout_neighbour(&l, 3, 1, 0), 4);
    assert_int_equal(tui_layout_neighbour(&l, 4, 1, 0), 5);
    assert_int_equal(tui_layout_neighbour(&l, 5, 1, 0), -1);
    /* From a wide panel up: the one sharing the most columns (a tie:
     * the leftmost). */
    assert_int_equal(tui_layout_neighbour(&l, 4, -1, 0), 2);
    assert_int_equal(tui_layout_neighbour(&l, 9, 1, 0), -1);

    assert_int_equal(tui_layout_hit(&l, 1, 0), 0);
    assert_int_equal(tui_layout_hit(&l, 1, 79), 1);
    assert_int_equal(tui_layout_hit(&l, l.panel[5].y, 40), 5);
    assert_int_equal(tui_layout_hit(&l, 0, 0), -1); /* the header */
    assert_int_equal(tui_layout_hit(&l, 23, 0), -1); /* the key bar */

    /* Zoomed: the others are hidden, so nothing is next to it. */
    assert_int_equal(tui_layout_compute_hints(&l, 24, 80, dash, 6, 4, true),
                     0);
    assert_int_equal(tui_layout_neighbour(&l, 4, -1, 0), -1);
    assert_int_equal(tui_layout_hit(&l, 5, 5), 4);
}

static void test_hints_all_sizes(void **state)
{
    tui_layout l;
    int rows, cols, focus;

    (void)state;
    for (rows = 0; rows <= 60; rows++)
        for (cols = 0; cols <= 200; cols += 5)
            for (focus = 0; focus < 6; focus++) {
                assert_int_equal(tui_layout_compute_hints(&l, rows, cols, dash,
                                                          6, focus, false),
                                 0);
                assert_tiles(&l);
                if (rows > 0 && cols > 0)
                    assert_true(tui_layout_visible(&l.panel[focus]));
            }
}

/* The demo's dashboard: dash, then Syncs (5 jobs: asks for 9 rows, can
 * use 11), two custom panels and the Results panel. */
static const tui_layout_hint demo[10] = {
    {1, 9, false, 0, 2}, {1, 9, false, 0, 2}, {1, 9, false, 0, 0},
    {2, 0, false, 0, 1}, {4, 0, true, 0, 3}, {2, 0, true, 0, 1},
    {1, 11, true, 9, 0}, {2, 0, false, 0, 0}, {2, 0, false, 0, 0},
    {6, 0, true, 0, 1},
};

static void test_hints_min_h(void **state)
{
    tui_layout l;
    int i, rows, cols;

    (void)state;
    /* 160x48: Syncs gets all it asks for, with or without Results. */
    assert_int_equal(tui_layout_compute_hints(&l, 48, 160, demo, 9, 4, false),
                     0);
    assert_true(l.panel[6].h >= 9);
    assert_true(l.panel[6].h <= 11);
    assert_tiles(&l);
    assert_int_equal(tui_layout_compute_hints(&l, 48, 160, demo, 10, 4,
                                              false), 0);
    assert_int_equal(l.panel[6].h, 9);
    for (i = 0; i < 10; i++)
        assert_true(l.panel[i].h >= TUI_LAYOUT_MIN_H);
    assert_tiles(&l);
    /* 80x24: no room to give; the rows without a limit keep theirs. */
    assert_int_equal(tui_layout_compute_hints(&l, 24, 80, demo, 10, 4, false),
                     0);
    assert_true(l.panel[6].h < 9);
    assert_true(l.panel[4].h >= TUI_LAYOUT_MIN_H);
    assert_tiles(&l);
    /* A min_h alone (no max_h) is granted too, then shares the spare. */
    {
        static const tui_layout_hint two[2] = {{1, 0, true, 0, 0},
                                               {1, 0, true, 20, 0}};

        assert_int_equal(tui_layout_compute_hints(&l, 32, 80, two, 2, 0,
                                                  false), 0);
        assert_true(l.panel[1].h >= 20);
        assert_true(l.panel[0].h >= 2 * TUI_LAYOUT_MIN_H);
        assert_tiles(&l);
    }
    for (rows = 0; rows <= 60; rows++)
        for (cols = 0; cols <= 200; cols += 10)
            for (i = 0; i < 10; i++) {
                assert_int_equal(tui_layout_compute_hints(&l, rows, cols,
                                                          demo, 10, i, false),
                                 0);
                assert_tiles(&l);
                if (rows > 0 && cols > 0)
                    assert_true(tui_layout_visible(&l.panel[i]));
            }
}

/* The rows a panel's row is owed as the focus when rows fold. */
static int focus_h(const tui_layout_hint *h)
{
    return h->max_h > 0 && h->max_h < TUI_LAYOUT_FOCUS_H ? h->max_h :
                                                          TUI_LAYOUT_FOCUS_H;
}

/* 80x24, the demo (9 panels, 10 with Results): rows fold to one line so
 * that the focused panel and Pool, Queries and Activity get real room;
 * every panel stays reachable (a title line at least), and whichever one
 * Tab reaches opens. */
static void test_fold_80x24(void **state)
{
    tui_layout l;
    int i, n;

    (void)state;
    assert_int_equal(tui_layout_compute_hints(&l, 24, 80, demo, 9, 4, false),
                     0);
    assert_tiles(&l);
    assert_true(l.panel[4].h >= TUI_LAYOUT_FOCUS_H); /* Activity: focus */
    assert_int_equal(l.panel[0].h, TUI_LAYOUT_USEFUL_H); /* Pool */
    assert_int_equal(l.panel[1].h, TUI_LAYOUT_USEFUL_H); /* Queries */
    for (i = 2; i < 9; i++)
        if (i != 4)
            assert_int_equal(l.panel[i].h, 1); /* folded to its title */
    /* Folded rows keep their order: Locks under Activity, Syncs next. */
    assert_int_equal(l.panel[5].y, l.panel[4].y + l.panel[4].h);
    assert_int_equal(l.panel[6].y, l.panel[5].y + 1);

    for (n = 9; n <= 10; n++)
        for (i = 0; i < n; i++) {
            int j, open = 0;

            assert_int_equal(tui_layout_compute_hints(&l, 24, 80, demo, n, i,
                                                      false), 0);
            assert_tiles(&l);
            assert_true(l.panel[i].h >= focus_h(&demo[i]));
            for (j = 0; j < n; j++) {
                assert_true(l.panel[j].h >= 1);
                open += l.panel[j].h > 1;
            }
            assert_true(open >= 2); /* the focus's row and Activity's */
            assert_true(l.panel[4].h >= TUI_LAYOUT_USEFUL_H);
        }

    /* The dashboard without the demo: 7 panels, Syncs with no job. */
    {
        tui_layout_hint plain[7];

        memcpy(plain, demo, sizeof(plain));
        plain[6].max_h = 3;
        plain[6].min_h = 0;
        assert_int_equal(tui_layout_compute_hints(&l, 24, 80, plain, 7, 4,
                                                  false), 0);
        assert_tiles(&l);
        assert_true(l.panel[4].h >= TUI_LAYOUT_FOCUS_H);
        assert_true(l.panel[0].h >= TUI_LAYOUT_USEFUL_H);
    }
}

/* 120x40: the demo's rows all fit, so nothing folds and the prios change
 * nothing: the layout is the one from before folding existed. */
static void test_fold_120x40_unchanged(void **state)
{
    tui_layout_hint noprio[10];
    tui_layout a, b;
    int i, n;

    (void)state;
    memcpy(noprio, demo, sizeof(noprio));
    for (i = 0; i < 10; i++)
        noprio[i].prio = 0;
    for (n = 9; n <= 10; n++)
        for (i = 0; i < n; i++) {
            int j;

            assert_int_equal(tui_layout_compute_hints(&a, 40, 120, demo, n,
                                                      i, false), 0);
            assert_int_equal(tui_layout_compute_hints(&b, 40, 120, noprio, n,
                                                      i, false), 0);
            assert_memory_equal(&a, &b, sizeof(a));
            for (j = 0; j < n; j++)
                assert_true(a.panel[j].h >= TUI_LAYOUT_MIN_H);
            assert_tiles(&a);
        }
    /* As the dashboard always had it: the small panels on one row, Activity
     * with the most rows of the wide ones but Results. */
    assert_int_equal(tui_layout_compute_hints(&a, 40, 120, demo, 9, 4,
                                              false), 0);
    assert_int_equal(a.panel[0].y, a.panel[2].y);
    assert_int_equal(a.panel[4].h, 8);
    assert_int_equal(a.panel[6].h, 8);
}

/* 20x5 and 1x1: the focus alone, in what there is. */
static void test_fold_tiny(void **state)
{
    tui_layout l;
    int i, f;

    (void)state;
    for (f = 0; f < 10; f++) {
        assert_int_equal(tui_layout_compute_hints(&l, 5, 20, demo, 10, f,
                                                  false), 0);
        assert_rect(&l.area, 1, 0, 3, 20);
        assert_rect(&l.panel[f], 1, 0, 3, 20);
        for (i = 0; i < 10; i++)
            if (i != f)
                assert_false(tui_layout_visible(&l.panel[i]));

        assert_int_equal(tui_layout_compute_hints(&l, 1, 1, demo, 10, f,
                                                  false), 0);
        assert_false(tui_layout_visible(&l.header));
        assert_false(tui_layout_visible(&l.keybar));
        assert_rect(&l.panel[f], 0, 0, 1, 1);
        for (i = 0; i < 10; i++)
            if (i != f)
                assert_false(tui_layout_visible(&l.panel[i]));
    }
    /* 20x8: the focus has its frame and a line, neighbours title lines. */
    assert_int_equal(tui_layout_compute_hints(&l, 8, 20, demo, 10, 4, false),
                     0);
    assert_rect(&l.panel[4], 1 + 1 + 1, 0, 3, 20);
    assert_int_equal(l.panel[3].h, 1);
    assert_int_equal(l.panel[5].h, 1);
    assert_tiles(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_panel_full_screen),
        cmocka_unit_test(test_small_terminal),
        cmocka_unit_test(test_empty_terminal),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_grid),
        cmocka_unit_test(test_collapse_keeps_focus),
        cmocka_unit_test(test_zoom),
        cmocka_unit_test(test_all_sizes),
        cmocka_unit_test(test_hints_rows),
        cmocka_unit_test(test_hints_max_only_while_others_can_grow),
        cmocka_unit_test(test_hints_equal_to_plain),
        cmocka_unit_test(test_neighbour_and_hit),
        cmocka_unit_test(test_hints_all_sizes),
        cmocka_unit_test(test_hints_min_h),
        cmocka_unit_test(test_fold_80x24),
        cmocka_unit_test(test_fold_120x40_unchanged),
        cmocka_unit_test(test_fold_tiny),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
