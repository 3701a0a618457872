/* layout.c: pure screen geometry (see layout.h). No curses. */
#include <string.h>

#include "core/error.h"
#include "tui/layout.h"

#define GRID_MAX_COLS 3 /* wider grids make panels too narrow to read */

static tui_rect rect(int y, int x, int h, int w)
{
    tui_rect r = {y, x, h, w};
    return r;
}

/* Splits len cells into n parts; the first len % n parts get one more. */
static void split(int len, int n, int i, int *start, int *size)
{
    int base = len / n, extra = len % n;

    *size = base + (i < extra ? 1 : 0);
    *start = i * base + (i < extra ? i : extra);
}

/* Fills out for a terminal of rows x cols showing npanels panels, with
 * panel focus focused and, when zoom, shown alone. Returns 0, or PD_EINVAL
 * (npanels outside 0..TUI_LAYOUT_MAX, or focus not a panel while there are
 * panels) leaving out all hidden. Never fails for any terminal size:
 * negative sizes count as 0. */
int tui_layout_compute(tui_layout *out, int rows, int cols, int npanels,
                       int focus, bool zoom)
{
    int top = 0, bottom, vis_rows, first_row, focus_row, r;

    memset(out, 0, sizeof(*out));
    if (npanels < 0 || npanels > TUI_LAYOUT_MAX)
        return PD_EINVAL;
    if (npanels > 0 && (focus < 0 || focus >= npanels))
        return PD_EINVAL;
    rows = rows < 0 ? 0 : rows;
    cols = cols < 0 ? 0 : cols;
    out->rows = rows;
    out->cols = cols;
    out->npanels = npanels;
    if (rows == 0 || cols == 0)
        return 0;

    /* The panels keep at least one row: header from 2 rows, bar from 3. */
    bottom = rows;
    if (rows >= 2) {
        out->header = rect(0, 0, 1, cols);
        top = 1;
    }
    if (rows >= 3) {
        out->keybar = rect(rows - 1, 0, 1, cols);
        bottom = rows - 1;
    }
    out->area = rect(top, 0, bottom - top, cols);
    if (npanels == 0)
        return 0;

    if (zoom) {
        out->grid_cols = 1;
        out->panel[focus] = out->area;
        return 0;
    }

    out->grid_cols = cols / TUI_LAYOUT_MIN_W;
    if (out->grid_cols > GRID_MAX_COLS)
        out->grid_cols = GRID_MAX_COLS;
    if (out->grid_cols > npanels)
        out->grid_cols = npanels;
    if (out->grid_cols < 1)
        out->grid_cols = 1;

    int grid_rows = (npanels + out->grid_cols - 1) / out->grid_cols;

    /* Too short for every row: show a window of rows around the focus. */
    vis_rows = out->area.h / TUI_LAYOUT_MIN_H;
    if (vis_rows < 1)
        vis_rows = 1;
    if (vis_rows > grid_rows)
        vis_rows = grid_rows;
    focus_row = focus / out->grid_cols;
    first_row = focus_row < vis_rows ? 0 : focus_row - vis_rows + 1;

    for (r = 0; r < vis_rows; r++) {
        int grid_r = first_row + r, y, h, i;
        int lo = grid_r * out->grid_cols;
        int n = npanels - lo;

        if (n > out->grid_cols)
            n = out->grid_cols;
        split(out->area.h, vis_rows, r, &y, &h);
        for (i = 0; i < n; i++) {
            int x, w;

            /* A short last row spreads its panels over the full width. */
            split(cols, n, i, &x, &w);
            out->panel[lo + i] = rect(out->area.y + y, x, h, w);
        }
    }
    return 0;
}

/* Returns true when r has at least one cell. */
bool tui_layout_visible(const tui_rect *r)
{
    return r->h > 0 && r->w > 0;
}
