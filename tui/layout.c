/* layout.c: pure screen geometry (see layout.h). No curses. */
#include <string.h>

#include "core/error.h"
#include "tui/layout.h"

#define GRID_MAX_COLS 3 /* wider grids make panels too narrow to read */

typedef struct row {
    int first, n;  /* panels first..first+n-1 */
    int weight;    /* the largest of its panels' */
    int max_h;     /* the largest of its panels'; 0: no limit */
    int min_h;     /* the largest of its panels'; 0: none */
    int prio;      /* the largest of its panels' */
} row;

/* A row's state when the area is too short for every row (fold). */
enum { ROW_OPEN = 0, ROW_FOLDED, ROW_HIDDEN };

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

/* Adds total cells to out[] in proportion to w[] over the rows with
 * use[] set (largest remainders first, earlier rows on ties). */
static void apportion(int total, const int *w, const bool *use, int n,
                      int *out)
{
    long rem[TUI_LAYOUT_MAX], sum = 0;
    int i, given = 0;

    for (i = 0; i < n; i++)
        sum += use[i] ? w[i] : 0;
    if (sum == 0 || total <= 0)
        return;
    for (i = 0; i < n; i++) {
        long share = use[i] ? (long)total * w[i] : 0;

        out[i] += (int)(share / sum);
        given += (int)(share / sum);
        rem[i] = use[i] ? share % sum : -1;
    }
    while (given < total) {
        int best = -1;

        for (i = 0; i < n; i++)
            if (use[i] && (best < 0 || rem[i] > rem[best]))
                best = i;
        out[best]++;
        rem[best] = -1;
        given++;
    }
}

/* Heights of n rows sharing total: a single short row gets all of it;
 * otherwise a row with a max_h gets it first (no more than an even share
 * of total), the other rows get TUI_LAYOUT_MIN_H each; then a row asking
 * for a min_h gets up to it (no more than its max_h) while each row
 * without a max_h can still have TUI_LAYOUT_MIN_H more; the rows without
 * a max_h share the rest by weight, and what no row may take goes by
 * weight to all. */
static void heights(const row *rows, int n, int total, int *out)
{
    int w[TUI_LAYOUT_MAX], i, spare = total, fair = total / n, nfree = 0;
    bool use[TUI_LAYOUT_MAX];

    if (n == 1 && total < TUI_LAYOUT_MIN_H) {
        out[0] = total;
        return;
    }
    for (i = 0; i < n; i++) {
        w[i] = rows[i].weight;
        use[i] = rows[i].max_h == 0;
        if (use[i]) {
            out[i] = TUI_LAYOUT_MIN_H;
            nfree++;
        } else {
            out[i] = rows[i].max_h < fair ? rows[i].max_h : fair;
            if (out[i] < TUI_LAYOUT_MIN_H)
                out[i] = TUI_LAYOUT_MIN_H;
        }
        spare -= out[i];
    }
    for (i = 0; i < n; i++) {
        int want = rows[i].min_h, give;

        if (rows[i].max_h > 0 && want > rows[i].max_h)
            want = rows[i].max_h;
        give = want - out[i];
        if (give > spare - nfree * TUI_LAYOUT_MIN_H)
            give = spare - nfree * TUI_LAYOUT_MIN_H;
        if (give > 0) {
            out[i] += give;
            spare -= give;
        }
    }
    if (spare <= 0)
        return;
    if (nfree == 0)
        for (i = 0; i < n; i++)
            use[i] = true;
    apportion(spare, w, use, n, out);
}

/* The rows an open row wants when rows fold: TUI_LAYOUT_USEFUL_H, or
 * TUI_LAYOUT_FOCUS_H for the focus row, within its max_h. */
static int base_h(const row *r, bool focus)
{
    int want = focus ? TUI_LAYOUT_FOCUS_H : TUI_LAYOUT_USEFUL_H;

    if (r->max_h > 0 && r->max_h < want)
        want = r->max_h;
    return want < TUI_LAYOUT_MIN_H ? TUI_LAYOUT_MIN_H : want;
}

/* True when row i should go before row pick: farther from the focus row
 * f, the lower one on a tie. */
static bool farther(int i, int pick, int f)
{
    int di = i > f ? i - f : f - i, dp = pick > f ? pick - f : f - pick;

    return pick < 0 || di > dp || (di == dp && i > pick);
}

/* Decides which of n rows fold to their title line, in total lines: the
 * lowest prio first, then the farthest from the focus row f, until the
 * open ones have their base_h (the focus row never folds). If the title
 * lines alone leave the focus row less than TUI_LAYOUT_MIN_H, folded rows
 * are hidden, the farthest first. */
static void fold(const row *rows, int n, int f, int total, int *state)
{
    int need = 0, nfold = 0, i, pick;

    for (i = 0; i < n; i++) {
        state[i] = ROW_OPEN;
        need += base_h(&rows[i], i == f);
    }
    while (need + nfold > total) {
        pick = -1;
        for (i = 0; i < n; i++)
            if (i != f && state[i] == ROW_OPEN &&
                (pick < 0 || rows[i].prio < rows[pick].prio ||
                 (rows[i].prio == rows[pick].prio && farther(i, pick, f))))
                pick = i;
        if (pick < 0)
            break;
        state[pick] = ROW_FOLDED;
        need -= base_h(&rows[pick], false);
        nfold++;
    }
    while (nfold > 0 && TUI_LAYOUT_MIN_H + nfold > total) {
        pick = -1;
        for (i = 0; i < n; i++)
            if (state[i] == ROW_FOLDED && farther(i, pick, f))
                pick = i;
        state[pick] = ROW_HIDDEN;
        nfold--;
    }
}

/* Heights of n rows after fold: a folded row one line, a hidden one none,
 * an open one its base_h (the focus row f what the others leave, when
 * that is less); then the min_h asks are granted, and the rest goes by
 * weight to the open rows without a max_h (or to every open row). */
static void fold_heights(const row *rows, int n, int f, int total,
                         const int *state, int *out)
{
    int w[TUI_LAYOUT_MAX], i, spare = total, nuse = 0;
    bool use[TUI_LAYOUT_MAX];

    for (i = 0; i < n; i++) {
        w[i] = rows[i].weight;
        out[i] = state[i] == ROW_HIDDEN ? 0 : state[i] == ROW_FOLDED ? 1 :
                 base_h(&rows[i], i == f);
        spare -= out[i];
        use[i] = state[i] == ROW_OPEN && rows[i].max_h == 0;
        nuse += use[i];
    }
    if (spare < 0) { /* only the focus row is open */
        out[f] += spare;
        return;
    }
    for (i = 0; i < n && spare > 0; i++) {
        int want = rows[i].min_h, give;

        if (state[i] != ROW_OPEN)
            continue;
        if (rows[i].max_h > 0 && want > rows[i].max_h)
            want = rows[i].max_h;
        give = want - out[i] < spare ? want - out[i] : spare;
        if (give > 0) {
            out[i] += give;
            spare -= give;
        }
    }
    for (i = 0; i < n && nuse == 0; i++)
        use[i] = state[i] == ROW_OPEN;
    apportion(spare, w, use, n, out);
}

/* True when every row can have TUI_LAYOUT_USEFUL_H (within its max_h) in
 * total lines: nothing folds. */
static bool all_fit(const row *rows, int n, int total)
{
    int i, need = 0;

    for (i = 0; i < n; i++)
        need += base_h(&rows[i], false);
    return need <= total;
}

/* Groups the panels into rows; returns how many. */
static int pack(const tui_layout_hint *hints, int npanels, int grid_cols,
                row *rows)
{
    int i, nrows = 0;

    for (i = 0; i < npanels; i++) {
        const tui_layout_hint *h = hints != NULL ? &hints[i] : NULL;
        bool wide = h != NULL && h->wide;
        int weight = h != NULL && h->weight > 0 ? h->weight : 1;
        int max_h = h != NULL && h->max_h > 0 ? h->max_h : 0;
        int min_h = h != NULL && h->min_h > 0 ? h->min_h : 0;
        int prio = h != NULL ? h->prio : 0;
        row *r = nrows > 0 ? &rows[nrows - 1] : NULL;

        if (r == NULL || wide || r->n >= grid_cols ||
            (hints != NULL && hints[r->first].wide)) {
            r = &rows[nrows++];
            r->first = i;
            r->n = 0;
            r->weight = weight;
            r->max_h = max_h;
            r->min_h = 0;
            r->prio = prio;
        }
        r->n++;
        if (prio > r->prio)
            r->prio = prio;
        if (min_h > r->min_h)
            r->min_h = min_h;
        if (weight > r->weight)
            r->weight = weight;
        if (r->max_h != 0 && (max_h == 0 || max_h > r->max_h))
            r->max_h = max_h;
    }
    return nrows;
}

/* As tui_layout_compute_hints without hints: the plain grid. */
int tui_layout_compute(tui_layout *out, int rows, int cols, int npanels,
                       int focus, bool zoom)
{
    return tui_layout_compute_hints(out, rows, cols, NULL, npanels, focus,
                                    zoom);
}

/* Fills out for a terminal of rows x cols showing npanels panels placed
 * as hints (borrowed; NULL: the plain grid) ask, with panel focus focused
 * and, when zoom, shown alone. Returns 0, or PD_EINVAL (npanels outside
 * 0..TUI_LAYOUT_MAX, or focus not a panel while there are panels) leaving
 * out all hidden. Never fails for any terminal size: negative sizes count
 * as 0. */
int tui_layout_compute_hints(tui_layout *out, int rows, int cols,
                             const tui_layout_hint *hints, int npanels,
                             int focus, bool zoom)
{
    row grid[TUI_LAYOUT_MAX];
    int top = 0, bottom, focus_row = 0, r, i, run = 0, longest = 0,
        h[TUI_LAYOUT_MAX], state[TUI_LAYOUT_MAX] = {0}, y;

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

    /* No more columns than the longest run of panels that are not wide. */
    for (i = 0; i < npanels; i++) {
        run = hints != NULL && hints[i].wide ? 0 : run + 1;
        longest = run > longest ? run : longest;
    }
    out->grid_cols = cols / TUI_LAYOUT_MIN_W;
    if (out->grid_cols > GRID_MAX_COLS)
        out->grid_cols = GRID_MAX_COLS;
    if (out->grid_cols > longest)
        out->grid_cols = longest;
    if (out->grid_cols < 1)
        out->grid_cols = 1;
    out->grid_rows = pack(hints, npanels, out->grid_cols, grid);
    for (r = 0; r < out->grid_rows; r++)
        if (focus >= grid[r].first && focus < grid[r].first + grid[r].n)
            focus_row = r;

    if (zoom) {
        out->panel[focus] = out->area;
        return 0;
    }

    /* Too short for every row: rows fold to their title line. */
    if (all_fit(grid, out->grid_rows, out->area.h)) {
        heights(grid, out->grid_rows, out->area.h, h);
    } else {
        fold(grid, out->grid_rows, focus_row, out->area.h, state);
        fold_heights(grid, out->grid_rows, focus_row, out->area.h, state, h);
    }

    y = out->area.y;
    for (r = 0; r < out->grid_rows; r++) {
        const row *gr = &grid[r];

        if (state[r] == ROW_HIDDEN)
            continue;
        for (i = 0; i < gr->n; i++) {
            int x, w;

            /* A short row spreads its panels over the full width. */
            split(cols, gr->n, i, &x, &w);
            out->panel[gr->first + i] = rect(y, x, h[r], w);
        }
        y += h[r];
    }
    return 0;
}

/* Returns true when r has at least one cell. */
bool tui_layout_visible(const tui_rect *r)
{
    return r->h > 0 && r->w > 0;
}

/* Returns true when the cell (y, x) lies in r. */
bool tui_layout_contains(const tui_rect *r, int y, int x)
{
    return y >= r->y && y < r->y + r->h && x >= r->x && x < r->x + r->w;
}

/* Returns the panel whose rectangle holds (y, x), or -1. */
int tui_layout_hit(const tui_layout *l, int y, int x)
{
    int i;

    for (i = 0; i < l->npanels; i++)
        if (tui_layout_contains(&l->panel[i], y, x))
            return i;
    return -1;
}

/* Columns that [a, a+aw) and [b, b+bw) share. */
static int overlap(int a, int aw, int b, int bw)
{
    int lo = a > b ? a : b, hi = a + aw < b + bw ? a + aw : b + bw;

    return hi > lo ? hi - lo : 0;
}

/* Returns the visible panel nearest to from in direction (dy, dx): for
 * dx, the closest panel on that side sharing rows with from; for dy, the
 * closest on that side sharing columns, most shared columns first, then
 * the leftmost. -1 when there is none (from hidden, or at the edge). */
int tui_layout_neighbour(const tui_layout *l, int from, int dy, int dx)
{
    const tui_rect *f;
    int i, best = -1, best_dist = 0, best_ov = 0;

    if (from < 0 || from >= l->npanels ||
        !tui_layout_visible(&l->panel[from]))
        return -1;
    f = &l->panel[from];
    for (i = 0; i < l->npanels; i++) {
        const tui_rect *c = &l->panel[i];
        int dist, ov;

        if (i == from || !tui_layout_visible(c))
            continue;
        if (dx != 0) {
            ov = overlap(f->y, f->h, c->y, c->h);
            dist = dx > 0 ? c->x - (f->x + f->w) : f->x - (c->x + c->w);
        } else {
            ov = overlap(f->x, f->w, c->x, c->w);
            dist = dy > 0 ? c->y - (f->y + f->h) : f->y - (c->y + c->h);
        }
        if (ov == 0 || dist < 0)
            continue;
        if (best < 0 || dist < best_dist ||
            (dist == best_dist && ov > best_ov)) {
            best = i;
            best_dist = dist;
            best_ov = ov;
        }
    }
    return best;
}
