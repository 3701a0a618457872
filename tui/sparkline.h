/* sparkline.h: one-line charts of per-second series.
 *
 * Eight heights of Unicode block (▁..█), or ASCII (" .:-=+*#") where the
 * locale has no UTF-8. Scaled to the largest value shown; zeros are drawn
 * as the lowest block in their own attributes, so a quiet series still
 * shows a baseline. */
#ifndef TUI_SPARKLINE_H
#define TUI_SPARKLINE_H

#include <stddef.h>
#include <stdint.h>

#include <curses.h>

int tui_sparkline_level(int64_t v, int64_t max);
void tui_sparkline_scale(const double *in, size_t n, int64_t *out);
int tui_sparkline_draw(WINDOW *w, int y, int x, int width, const int64_t *v,
                       size_t n, attr_t a, attr_t zero_a);

#endif
