/* layout.h: pure screen geometry.
 *
 * Terminal size, panel count, per-panel hints, focus and zoom in;
 * rectangles out. No curses here, so the rules are unit tested
 * (tests/unit/test_layout.c). The screen is a header line, a panel area
 * and a key bar line. Panels fill the area in rows: up to grid_cols
 * side by side, a wide panel on a row of its own. Rows share the height
 * by weight, each at least TUI_LAYOUT_MIN_H and, while another row can
 * use the space, at most its max_h; a row asking for a min_h gets it
 * first, taken from the rows that can shrink.
 *
 * Small screens collapse. When the area cannot give every row
 * TUI_LAYOUT_USEFUL_H lines, rows fold to a one-line title row (h == 1),
 * the lowest prio first, then the farthest from the focus, until the
 * focused row has TUI_LAYOUT_FOCUS_H and the other open ones
 * TUI_LAYOUT_USEFUL_H; the focused row never folds, so moving the focus
 * (Tab) opens the row it reaches. On the smallest screens the header and
 * key bar go, then folded rows are hidden, the farthest first. A
 * rectangle with h == 0 or w == 0 is hidden. */
#ifndef TUI_LAYOUT_H
#define TUI_LAYOUT_H

#include <stdbool.h>

#define TUI_LAYOUT_MAX 16     /* panels at most */
#define TUI_LAYOUT_MIN_H 3    /* panel rows: frame plus one line */
#define TUI_LAYOUT_MIN_W 40   /* panel columns before the grid gets wider */
#define TUI_LAYOUT_USEFUL_H 5 /* an open row when rows fold: frame plus
                                 three lines */
#define TUI_LAYOUT_FOCUS_H 10 /* the focused row when rows fold */

typedef struct tui_rect {
    int y, x; /* top-left cell, 0-based */
    int h, w; /* rows, columns; 0 when hidden */
} tui_rect;

/* How a panel would like to be placed. All zero: the plain grid. */
typedef struct tui_layout_hint {
    int weight; /* share of the spare rows; 0 counts as 1 */
    int max_h;  /* rows it can use; 0: no limit */
    bool wide;  /* a row of its own, across the whole width */
    int min_h;  /* rows it asks for before the others share the spare
                   (all its lines); 0: none. Granted as far as the rows
                   without a max_h keep 2 * TUI_LAYOUT_MIN_H each */
    int prio;   /* when rows fold, rows of a lower prio fold first;
                   0 lowest */
} tui_layout_hint;

typedef struct tui_layout {
    int rows, cols;                     /* the terminal */
    tui_rect header;                    /* one line at the top, or hidden */
    tui_rect keybar;                    /* one line at the bottom, or hidden */
    tui_rect area;                      /* what the panels share */
    int npanels;                        /* as asked */
    int grid_cols;                      /* panels side by side at most */
    int grid_rows;                      /* rows of panels, shown or not */
    tui_rect panel[TUI_LAYOUT_MAX];     /* per panel; hidden ones are 0x0 */
} tui_layout;

int tui_layout_compute(tui_layout *out, int rows, int cols, int npanels,
                       int focus, bool zoom);
int tui_layout_compute_hints(tui_layout *out, int rows, int cols,
                             const tui_layout_hint *hints, int npanels,
                             int focus, bool zoom);

/* True when r has at least one cell. */
bool tui_layout_visible(const tui_rect *r);
/* True when the cell (y, x) lies in r. */
bool tui_layout_contains(const tui_rect *r, int y, int x);
/* The panel whose rectangle holds (y, x), or -1. */
int tui_layout_hit(const tui_layout *l, int y, int x);
/* The visible panel nearest to from in direction (dy, dx) (one of them
 * -1 or 1, the other 0), or -1 when there is none that way. */
int tui_layout_neighbour(const tui_layout *l, int from, int dy, int dx);

#endif
