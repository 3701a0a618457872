/* layout.h: pure screen geometry.
 *
 * Terminal size, panel count, focus and zoom in; rectangles out. No curses
 * here, so the rules are unit tested (tests/unit/test_layout.c). The screen
 * is a header line, a panel area and a key bar line; the panels tile the
 * area in a grid. Small screens collapse: first the header and key bar go,
 * then panel rows that would be too short, always keeping the focused
 * panel. A rectangle with h == 0 or w == 0 is hidden. */
#ifndef TUI_LAYOUT_H
#define TUI_LAYOUT_H

#include <stdbool.h>

#define TUI_LAYOUT_MAX 16     /* panels at most */
#define TUI_LAYOUT_MIN_H 3    /* panel rows: frame plus one line */
#define TUI_LAYOUT_MIN_W 40   /* panel columns before the grid gets wider */

typedef struct tui_rect {
    int y, x; /* top-left cell, 0-based */
    int h, w; /* rows, columns; 0 when hidden */
} tui_rect;

typedef struct tui_layout {
    int rows, cols;                     /* the terminal */
    tui_rect header;                    /* one line at the top, or hidden */
    tui_rect keybar;                    /* one line at the bottom, or hidden */
    tui_rect area;                      /* what the panels share */
    int npanels;                        /* as asked */
    int grid_cols;                      /* panels side by side */
    tui_rect panel[TUI_LAYOUT_MAX];     /* per panel; hidden ones are 0x0 */
} tui_layout;

int tui_layout_compute(tui_layout *out, int rows, int cols, int npanels,
                       int focus, bool zoom);

/* True when r has at least one cell. */
bool tui_layout_visible(const tui_rect *r);

#endif
