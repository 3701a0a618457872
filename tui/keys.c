/* keys.c: the key table, the key bar and the help text (see keys.h). */
#include <string.h>

#include "tui/keys.h"
#include "tui/panel.h"

#define CTRL_L ('L' & 0x1f)

/* Order is the key bar's order. */
const tui_key tui_keys_table[] = {
    {'?', "?", "Help", "show this help", TUI_ACT_HELP},
    {KEY_F(1), "F1", NULL, "show this help", TUI_ACT_HELP},
    {'\t', "Tab", "Next", "focus the next panel", TUI_ACT_NEXT_PANEL},
    {KEY_BTAB, "S-Tab", NULL, "focus the previous panel",
     TUI_ACT_PREV_PANEL},
    {'p', "p", "Pause", "pause or resume refreshing", TUI_ACT_PAUSE},
    {'+', "+", "Faster", "refresh twice as often", TUI_ACT_FASTER},
    {'-', "-", "Slower", "refresh half as often", TUI_ACT_SLOWER},
    {CTRL_L, "^L", NULL, "repaint the screen", TUI_ACT_REDRAW},
    {'q', "q", "Quit", "quit, leaving the terminal as it was",
     TUI_ACT_QUIT},
    {0, NULL, NULL, NULL, TUI_ACT_NONE},
};

/* Returns the action bound to key, or TUI_ACT_NONE. */
tui_action tui_keys_action(int key)
{
    const tui_key *k;

    for (k = tui_keys_table; k->key != 0; k++)
        if (k->key == key)
            return k->action;
    return TUI_ACT_NONE;
}

/* Draws the key bar (htop's style: the key, then its label) on line 0 of w,
 * as many entries as fit whole. */
void tui_keys_draw_bar(WINDOW *w, const tui_theme *th)
{
    const tui_key *k;
    attr_t ka = tui_theme_attr(th, TUI_ROLE_KEY);
    attr_t la = tui_theme_attr(th, TUI_ROLE_KEY_LABEL);
    int x = 0, maxx = getmaxx(w);

    werase(w);
    for (k = tui_keys_table; k->key != 0; k++) {
        int need;

        if (k->label == NULL)
            continue;
        need = (int)(strlen(k->name) + strlen(k->label)) + 2;
        if (x + need > maxx)
            break;
        x += tui_panel_put(w, 0, x, ka, k->name);
        x += tui_panel_putf(w, 0, x, la, " %s", k->label);
        x += tui_panel_put(w, 0, x, A_NORMAL, " ");
    }
}

/* Draws one line per key ("Tab      focus the next panel") from (y, x)
 * down, as many as fit. Returns the lines drawn. */
int tui_keys_draw_help(WINDOW *w, int y, int x, const tui_theme *th)
{
    const tui_key *k;
    int n = 0;

    for (k = tui_keys_table; k->key != 0 && y + n < getmaxy(w); k++, n++) {
        tui_panel_put(w, y + n, x, tui_theme_attr(th, TUI_ROLE_KEY),
                      k->name);
        tui_panel_put(w, y + n, x + 8, tui_theme_attr(th, TUI_ROLE_DEFAULT),
                      k->help);
    }
    return n;
}
