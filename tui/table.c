/* table.c: the grid of the list panels (see table.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "tui/panel.h"
#include "tui/table.h"

#define ESC 27
#define CTRL_U ('U' & 0x1f)
#define GAP 1 /* blank columns between two columns */

/* Fills t (caller's memory) for columns cols (borrowed, static), sorted
 * by sort_col (-1: as added; numeric columns by their number) when
 * sortable lets the user change it. Empty; no selection. */
void tui_table_init(tui_table *t, const tui_table_col *cols, int ncols,
                    int sort_col, bool sortable)
{
    memset(t, 0, sizeof(*t));
    t->cols = cols;
    t->ncols = ncols;
    t->sortable = sortable;
    t->sort_col = sort_col;
    t->sort_desc = sort_col >= 0 && cols[sort_col].desc;
}

/* Drops every row, keeping the sort, the filter and the selected id. */
void tui_table_clear(tui_table *t)
{
    size_t i;
    int c;

    for (i = 0; i < t->nrows; i++) {
        for (c = 0; c < t->ncols; c++)
            free(t->rows[i].cells[c]);
        free(t->rows[i].cells);
        free(t->rows[i].nums);
    }
    t->nrows = 0;
    t->nview = 0;
}

/* Frees what the table holds (not t itself). Accepts a zeroed table. */
void tui_table_free(tui_table *t)
{
    tui_table_clear(t);
    free(t->rows);
    free(t->view);
    t->rows = NULL;
    t->view = NULL;
    t->cap = 0;
}

/* Adds a row with id, drawn in role, of ncols cells (each copied; NULL is
 * shown empty). Returns its index, for tui_table_num. Call
 * tui_table_done after the last. */
size_t tui_table_add(tui_table *t, int64_t id, tui_role role,
                     const char *const *cells)
{
    tui_table_row *r;
    int c;

    if (t->nrows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 32;
        t->rows = pd_xrealloc(t->rows, t->cap * sizeof(*t->rows));
    }
    r = &t->rows[t->nrows];
    r->cells = pd_xcalloc((size_t)t->ncols, sizeof(char *));
    r->nums = pd_xcalloc((size_t)t->ncols, sizeof(double));
    r->id = id;
    r->role = role;
    for (c = 0; c < t->ncols; c++)
        r->cells[c] = pd_xstrdup(cells[c] != NULL ? cells[c] : "");
    return t->nrows++;
}

/* Sets the sort key of a numeric column's cell. */
void tui_table_num(tui_table *t, size_t row, int col, double v)
{
    if (row < t->nrows && col >= 0 && col < t->ncols)
        t->rows[row].nums[col] = v;
}

static bool matches(const tui_table *t, const tui_table_row *r)
{
    int c;

    if (t->filter[0] == '\0')
        return true;
    for (c = 0; c < t->ncols; c++)
        if (strcasestr(r->cells[c], t->filter) != NULL)
            return true;
    return false;
}

static int compare(const void *a, const void *b, void *ctx)
{
    const tui_table *t = ctx;
    size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
    const tui_table_row *ra = &t->rows[ia], *rb = &t->rows[ib];
    int c = t->sort_col, d = 0;

    if (t->cols[c].numeric)
        d = ra->nums[c] < rb->nums[c] ? -1 : ra->nums[c] > rb->nums[c];
    else
        d = strcoll(ra->cells[c], rb->cells[c]);
    if (t->sort_desc)
        d = -d;
    if (d == 0) /* stable: as added */
        d = ia < ib ? -1 : ia > ib;
    return d;
}

/* Rebuilds the rows shown (filter, sort) after rows were added or the
 * filter or sort changed; the selection stays on the same id, or on the
 * same place when that row is gone. */
void tui_table_done(tui_table *t)
{
    size_t i;
    bool found = false;

    t->view = pd_xrealloc(t->view, (t->nrows ? t->nrows : 1) *
                                       sizeof(*t->view));
    t->nview = 0;
    for (i = 0; i < t->nrows; i++)
        if (matches(t, &t->rows[i]))
            t->view[t->nview++] = i;
    if (t->sort_col >= 0 && t->sort_col < t->ncols && t->nview > 1)
        qsort_r(t->view, t->nview, sizeof(*t->view), compare, t);
    if (t->have_sel && !(t->follow_top && t->sel == 0))
        for (i = 0; i < t->nview; i++)
            if (t->rows[t->view[i]].id == t->sel_id) {
                t->sel = i;
                found = true;
                break;
            }
    if (t->nview == 0) {
        t->have_sel = false;
        t->sel = 0;
        return;
    }
    if (!found && t->sel >= t->nview)
        t->sel = t->nview - 1;
    t->have_sel = true;
    t->sel_id = t->rows[t->view[t->sel]].id;
}

/* The selected row (borrowed until the next change), or NULL. */
const tui_table_row *tui_table_selected(const tui_table *t)
{
    return t->have_sel ? &t->rows[t->view[t->sel]] : NULL;
}

static void select_at(tui_table *t, long i)
{
    if (t->nview == 0)
        return;
    if (i < 0)
        i = 0;
    if ((size_t)i >= t->nview)
        i = (long)t->nview - 1;
    t->sel = (size_t)i;
    t->have_sel = true;
    t->sel_id = t->rows[t->view[t->sel]].id;
}

static int edit_key(tui_table *t, int key)
{
    size_t n = strlen(t->filter);

    switch (key) {
    case '\r':
    case '\n':
    case KEY_ENTER:
        t->editing = false;
        break;
    case ESC:
        t->editing = false;
        t->filter[0] = '\0';
        break;
    case CTRL_U:
        t->filter[0] = '\0';
        break;
    case KEY_BACKSPACE:
    case 127:
    case 8:
        /* A whole UTF-8 character: its continuation bytes too. */
        while (n > 0 && ((unsigned char)t->filter[n - 1] & 0xc0) == 0x80)
            n--;
        if (n > 0)
            n--;
        t->filter[n] = '\0';
        break;
    default:
        if (key < 32 || key > 255 || key == 127 ||
            n + 1 >= sizeof(t->filter))
            return TUI_HANDLED; /* eaten: the line has every key */
        t->filter[n] = (char)key;
        t->filter[n + 1] = '\0';
        break;
    }
    tui_table_done(t);
    return TUI_HANDLED | TUI_REDRAW;
}

/* With hscroll: Left/Right move the columns by one (at an edge the key
 * is still taken, so that the focus does not jump away while scrolling),
 * Home/End to the first and last. The draw keeps hcol in range. */
static int scroll_key(tui_table *t, int key)
{
    switch (key) {
    case KEY_LEFT:
        if (!t->more_left)
            return TUI_HANDLED;
        t->hcol--;
        break;
    case KEY_RIGHT:
        if (!t->more_right)
            return TUI_HANDLED;
        t->hcol++;
        break;
    case KEY_HOME:
        t->hcol = 0;
        break;
    case KEY_END:
        t->hcol = t->ncols - 1;
        break;
    default:
        return TUI_IGNORED;
    }
    return TUI_HANDLED | TUI_REDRAW;
}

/* Handles a key: Up/Down/PgUp/PgDn/Home/End move the selection ('Up' on
 * the first row and 'Down' on the last are left to the caller; with
 * hscroll, Left/Right/Home/End scroll the columns instead), 's' sorts by
 * the next column and 'S' reverses (when sortable), '/' starts typing the
 * filter, Esc clears it; while typing, every key edits it. Returns TUI_*
 * flags. */
int tui_table_key(tui_table *t, int key)
{
    long page = t->page > 1 ? t->page - 1 : 1;

    if (t->editing)
        return edit_key(t, key);
    if (t->hscroll) {
        int r = scroll_key(t, key);

        if (r != TUI_IGNORED)
            return r;
    }
    switch (key) {
    case KEY_UP:
        if (!t->have_sel || t->sel == 0)
            return TUI_IGNORED;
        select_at(t, (long)t->sel - 1);
        break;
    case KEY_DOWN:
        if (!t->have_sel || t->sel + 1 >= t->nview)
            return TUI_IGNORED;
        select_at(t, (long)t->sel + 1);
        break;
    case KEY_PPAGE:
        select_at(t, (long)t->sel - page);
        break;
    case KEY_NPAGE:
        select_at(t, (long)t->sel + page);
        break;
    case KEY_HOME:
        select_at(t, 0);
        break;
    case KEY_END:
        select_at(t, (long)t->nview - 1);
        break;
    case 's':
        if (!t->sortable)
            return TUI_IGNORED;
        t->sort_col = (t->sort_col + 1) % t->ncols;
        t->sort_desc = t->cols[t->sort_col].desc;
        tui_table_done(t);
        break;
    case 'S':
        if (!t->sortable || t->sort_col < 0)
            return TUI_IGNORED;
        t->sort_desc = !t->sort_desc;
        tui_table_done(t);
        break;
    case '/':
        t->editing = true;
        break;
    case ESC:
        if (t->filter[0] == '\0')
            return TUI_IGNORED;
        t->filter[0] = '\0';
        tui_table_done(t);
        break;
    default:
        return TUI_IGNORED;
    }
    return TUI_HANDLED | TUI_REDRAW;
}

/* Selects the row drawn on line y of the window (as of the last draw). */
void tui_table_click(tui_table *t, int y)
{
    long i = (long)y - t->top_y;

    if (i >= 0 && i < t->page && t->scroll + (size_t)i < t->nview)
        select_at(t, (long)t->scroll + i);
}

/* A short count for the panel's title: "12", or "3 of 12" filtered. */
void tui_table_describe(const tui_table *t, char *buf, size_t len)
{
    if (t->filter[0] != '\0')
        snprintf(buf, len, "%zu of %zu", t->nview, t->nrows);
    else
        snprintf(buf, len, "%zu", t->nrows);
}

/* The width each column would like (its heading and cells, within
 * min_w..max_w) into w; the flexible one (max_w 0) its min_w, or with
 * hscroll its cells up to width. Returns the flexible column, or -1. */
static int natural(const tui_table *t, int width, int *w)
{
    int c, flex = -1;
    size_t i;

    for (c = 0; c < t->ncols && c < 32; c++) {
        int need = tui_panel_width(t->cols[c].name) + (c == t->sort_col);
        int cap = t->cols[c].max_w > 0 ? t->cols[c].max_w : width;

        if (t->cols[c].max_w == 0) {
            flex = c;
            if (!t->hscroll) {
                w[c] = t->cols[c].min_w;
                continue;
            }
        }
        for (i = 0; i < t->nview; i++) {
            int cw = tui_panel_width(t->rows[t->view[i]].cells[c]);

            need = cw > need ? cw : need;
        }
        need = need < t->cols[c].min_w ? t->cols[c].min_w : need;
        w[c] = need > cap ? cap : need;
    }
    return flex;
}

/* Columns a..b-1 of widths w side by side. */
static int span(const int *w, int a, int b)
{
    int c, total = 0;

    for (c = a; c < b; c++)
        total += w[c] + (c > a ? GAP : 0);
    return total;
}

/* With hscroll: the columns from hcol that fit in width get their widths
 * in w (the others 0), with two cells kept for each arrow needed; the
 * flexible one, when last shown, takes what is left. Keeps hcol in range
 * (no further right than needed to show the last column) and sets
 * more_left and more_right. Returns the first column's x. */
static int scroll_widths(tui_table *t, int width, int *w)
{
    int nat[32], c, x0, avail, total = 0, last = -1,
        flex = natural(t, width, nat);

    if (t->hcol >= t->ncols)
        t->hcol = t->ncols - 1;
    if (t->hcol < 0)
        t->hcol = 0;
    while (t->hcol > 0 &&
           span(nat, t->hcol - 1, t->ncols) + (t->hcol > 1 ? 2 : 0) <= width)
        t->hcol--;
    x0 = t->hcol > 0 ? 2 : 0;
    t->more_left = t->hcol > 0;
    t->more_right = span(nat, t->hcol, t->ncols) > width - x0;
    avail = width - x0 - (t->more_right ? 2 : 0);
    for (c = 0; c < t->ncols; c++)
        w[c] = 0;
    for (c = t->hcol; c < t->ncols; c++) {
        int need = nat[c] + (c > t->hcol ? GAP : 0);

        if (total + need > avail)
            break;
        w[c] = nat[c];
        total += need;
        last = c;
    }
    if (last < 0 && avail > 0) /* not even one: the first, cut */
        w[t->hcol] = avail;
    else if (last >= 0 && last == flex && total < avail)
        w[last] += avail - total;
    return x0;
}

/* Chooses which columns show and how wide, for width cells. */
static void widths(const tui_table *t, int width, int *w)
{
    bool shown[32] = {false};
    int c, total, flex = natural(t, width, w);

    for (c = 0; c < t->ncols && c < 32; c++)
        shown[c] = true;
    /* Hide the least wanted columns until the rest fits. */
    for (;;) {
        int drop = -1;

        total = 0;
        for (c = 0; c < t->ncols; c++)
            if (shown[c])
                total += w[c] + (total > 0 ? GAP : 0);
        if (total <= width)
            break;
        for (c = 0; c < t->ncols; c++)
            if (shown[c] && c != flex &&
                (drop < 0 || t->cols[c].prio < t->cols[drop].prio))
                drop = c;
        if (drop < 0)
            break;
        shown[drop] = false;
    }
    if (flex >= 0 && shown[flex] && total < width)
        w[flex] += width - total;
    for (c = 0; c < t->ncols; c++)
        if (!shown[c])
            w[c] = 0;
}

/* Draws one line of cells from column x; column hi (-1: none) in
 * hi_a. */
static void draw_cells(const tui_table *t, WINDOW *win, int y, int x,
                       const int *w, attr_t a, const char *const *cells,
                       int hi, attr_t hi_a)
{
    int c, maxx = getmaxx(win);

    for (c = 0; c < t->ncols && x < maxx; c++) {
        const char *s = cells[c];
        int cw, pad;

        if (w[c] == 0)
            continue;
        cw = tui_panel_width(s);
        pad = t->cols[c].right && cw < w[c] ? w[c] - cw : 0;
        tui_panel_putn(win, y, x + pad, c == hi ? hi_a : a, s, w[c] - pad);
        x += w[c] + GAP;
    }
}

/* Draws the table from line y of win down, at most max_lines lines
 * (0: to the bottom): the headings, the rows that fit around the
 * selection (highlighted when focused), and the filter line while there
 * is a filter. stale dims every row. Returns the lines used. */
int tui_table_draw(tui_table *t, WINDOW *win, int y, const tui_theme *th,
                   bool stale, bool focused, int max_lines)
{
    int w[32] = {0}, c, lines, i, x, x0 = 0, maxx = getmaxx(win);
    bool filter_line = t->editing || t->filter[0] != '\0';
    const char *heads[32];
    char sorted[64];
    attr_t col_a = tui_theme_attr(th, TUI_ROLE_COLUMN);

    lines = getmaxy(win) - y;
    if (max_lines > 0 && max_lines < lines)
        lines = max_lines;
    if (lines <= 0 || t->ncols > 32)
        return 0;
    if (t->hscroll && t->ncols > 0 && maxx >= 8)
        x0 = scroll_widths(t, maxx, w);
    else
        widths(t, maxx, w);

    /* Headings, the sort column marked. */
    for (c = 0; c < t->ncols; c++)
        heads[c] = t->cols[c].name;
    if (t->sort_col >= 0) {
        snprintf(sorted, sizeof(sorted), "%s%s", t->cols[t->sort_col].name,
                 MB_CUR_MAX > 1 ? (t->sort_desc ? "▼" : "▲") :
                                  (t->sort_desc ? "v" : "^"));
        heads[t->sort_col] = sorted;
    }
    wattrset(win, col_a);
    wmove(win, y, 0);
    for (x = 0; x < maxx; x++)
        waddch(win, ' ');
    draw_cells(t, win, y, x0, w, col_a, heads, t->sort_col,
               tui_theme_attr(th, TUI_ROLE_SORT));
    if (t->hscroll && t->more_left)
        tui_panel_put(win, y, 0, tui_theme_attr(th, TUI_ROLE_FILTER),
                      MB_CUR_MAX > 1 ? "◀" : "<");
    if (t->hscroll && t->more_right)
        tui_panel_put(win, y, maxx - 1, tui_theme_attr(th, TUI_ROLE_FILTER),
                      MB_CUR_MAX > 1 ? "▶" : ">");
    t->top_y = y + 1;
    t->page = lines - 1 - (filter_line ? 1 : 0);
    if (t->page < 0)
        t->page = 0;

    /* Keep the selection in sight. */
    if (t->have_sel && t->page > 0) {
        if (t->sel < t->scroll)
            t->scroll = t->sel;
        else if (t->sel >= t->scroll + (size_t)t->page)
            t->scroll = t->sel - (size_t)t->page + 1;
    }
    if (t->scroll > 0 && t->scroll + (size_t)t->page > t->nview)
        t->scroll = t->nview > (size_t)t->page ? t->nview - (size_t)t->page :
                                                 0;
    for (i = 0; i < t->page && t->scroll + (size_t)i < t->nview; i++) {
        size_t v = t->scroll + (size_t)i;
        const tui_table_row *r = &t->rows[t->view[v]];
        attr_t a = tui_theme_attr(th, stale ? TUI_ROLE_DIM : r->role);

        if (focused && t->have_sel && v == t->sel) {
            /* A stale selection stays in sight but dimmed like the rest:
             * in the selected role, its rows looked current. */
            a = stale ? tui_theme_attr(th, TUI_ROLE_DIM) | A_REVERSE :
                        tui_theme_attr(th, TUI_ROLE_SELECTED);
            wattrset(win, a);
            wmove(win, t->top_y + i, 0);
            for (x = 0; x < maxx; x++)
                waddch(win, ' ');
        }
        draw_cells(t, win, t->top_y + i, x0, w, a,
                   (const char *const *)r->cells, -1, a);
    }
    if (t->nview == 0 && t->page > 0)
        tui_panel_put(win, t->top_y, 0, tui_theme_attr(th, TUI_ROLE_DIM),
                      t->nrows > 0 ? "no row matches the filter" :
                      t->empty != NULL ? t->empty : "none");
    if (filter_line && lines >= 2) {
        attr_t fa = tui_theme_attr(th, TUI_ROLE_FILTER);
        int fy = y + lines - 1;

        x = tui_panel_put(win, fy, 0, fa, "/");
        x += tui_panel_put(win, fy, x, fa, t->filter);
        if (t->editing)
            x += tui_panel_put(win, fy, x, tui_theme_attr(th,
                                                          TUI_ROLE_SELECTED),
                               " ");
        tui_panel_putf(win, fy, x + 1, tui_theme_attr(th, TUI_ROLE_DIM),
                       "%zu of %zu%s", t->nview, t->nrows,
                       t->editing ? "  Enter keeps, Esc clears" : "");
    }
    wattrset(win, A_NORMAL);
    return lines;
}
