/* sparkline.c: one-line charts (see sparkline.h). */
#include <math.h>
#include <stdlib.h>

#include "tui/panel.h"
#include "tui/sparkline.h"

static const char *const blocks[8] = {"▁", "▂", "▃", "▄",
                                      "▅", "▆", "▇", "█"};
static const char ascii[8] = {'_', '.', ':', '-', '=', '+', '*', '#'};

/* Returns the height (0..7) of v on a scale topped by max: 0 for v <= 0,
 * at least 1 for any v > 0, 7 for v >= max. */
int tui_sparkline_level(int64_t v, int64_t max)
{
    int64_t l;

    if (v <= 0 || max <= 0)
        return 0;
    if (v >= max)
        return 7;
    l = 1 + (v * 6 + max / 2) / max;
    return l > 7 ? 7 : (int)l;
}

/* Maps n measurements in[] (any sign, any size) to out[] for
 * tui_sparkline_draw so that the chart shows how they vary: the lowest
 * becomes the lowest block above the baseline, the highest the full
 * block, the others in proportion between. All equal: full blocks, or
 * the baseline when they are all 0. */
void tui_sparkline_scale(const double *in, size_t n, int64_t *out)
{
    double lo, hi;
    size_t i;

    if (n == 0)
        return;
    lo = hi = in[0];
    for (i = 1; i < n; i++) {
        lo = in[i] < lo ? in[i] : lo;
        hi = in[i] > hi ? in[i] : hi;
    }
    if (hi == lo) {
        for (i = 0; i < n; i++)
            out[i] = hi != 0 ? 1 : 0;
        return;
    }
    lo -= (hi - lo) * 1e-3; /* the lowest stays above the baseline */
    for (i = 0; i < n; i++)
        out[i] = llround((in[i] - lo) / (hi - lo) * 1e6);
}

/* Draws the newest values of v[0..n) (oldest first) at (y, x) of w in at
 * most width columns, right-aligned so the newest is last; values in a,
 * zeros in zero_a. Returns the columns drawn. */
int tui_sparkline_draw(WINDOW *w, int y, int x, int width, const int64_t *v,
                       size_t n, attr_t a, attr_t zero_a)
{
    bool utf8 = MB_CUR_MAX > 1;
    size_t first, i;
    int64_t max = 0;
    int col = x;

    if (width <= 0 || n == 0)
        return 0;
    first = n > (size_t)width ? n - (size_t)width : 0;
    for (i = first; i < n; i++)
        max = v[i] > max ? v[i] : max;
    for (i = first; i < n; i++) {
        int l = tui_sparkline_level(v[i], max);
        char s[2] = {ascii[l], '\0'};

        col += tui_panel_put(w, y, col, v[i] > 0 ? a : zero_a,
                             utf8 ? blocks[l] : s);
    }
    return col - x;
}
