/* keys.c: the key tables, the key bar and the help text (see keys.h). */
#include <string.h>

#include "tui/keys.h"
#include "tui/panel.h"

#define CTRL_L ('L' & 0x1f)
#define ESC 27
#define BAR_MAX 48 /* key bar entries considered */

/* Order is the key bar's order; the focused panel's keys go in before
 * the first TUI_ACT_PAUSE entry. */
const tui_key tui_keys_table[] = {
    {'?', "?", "Help", "show this help", TUI_ACT_HELP, 9},
    {KEY_F(1), "F1", NULL, "show this help", TUI_ACT_HELP, 0},
    {'\t', "Tab", "Next", "focus the next panel", TUI_ACT_NEXT_PANEL, 8},
    {KEY_BTAB, "S-Tab", NULL, "focus the previous panel",
     TUI_ACT_PREV_PANEL, 0},
    {KEY_LEFT, "Left", NULL, "focus the panel to the left", TUI_ACT_LEFT,
     0},
    {KEY_RIGHT, "Right", NULL, "focus the panel to the right",
     TUI_ACT_RIGHT, 0},
    {KEY_UP, "Up", NULL, "move up in the panel, or focus the one above",
     TUI_ACT_UP, 0},
    {KEY_DOWN, "Down", NULL, "move down in the panel, or the one below",
     TUI_ACT_DOWN, 0},
    {'\r', "Enter", "Zoom", "show the focused panel full screen, or back",
     TUI_ACT_ZOOM, 7},
    {'\n', "Enter", NULL, NULL, TUI_ACT_ZOOM, 0},
    {KEY_ENTER, "Enter", NULL, NULL, TUI_ACT_ZOOM, 0},
    {'R', "R", "Refresh", "refresh-all: run every sync, then every panel",
     TUI_ACT_REFRESH_ALL, 8},
    {':', ":", "Cmd", "command line: SQL, \\pool, \\slow... (Esc leaves)",
     TUI_ACT_COMMAND, 8},
    {ESC, "Esc", NULL, "leave full screen", TUI_ACT_UNZOOM, 0},
    {'p', "p", "Pause", "pause or resume refreshing", TUI_ACT_PAUSE, 5},
    {'+', "+", "Faster", "refresh twice as often", TUI_ACT_FASTER, 3},
    {'-', "-", "Slower", "refresh half as often", TUI_ACT_SLOWER, 3},
    {'t', "t", "Theme", "switch to the next colour theme", TUI_ACT_THEME, 4},
    {CTRL_L, "^L", NULL, "repaint the screen", TUI_ACT_REDRAW, 0},
    {KEY_MOUSE, "click", NULL, "focus the panel clicked (and its row)",
     TUI_ACT_MOUSE, 0},
    {'q', "q", "Quit", "quit, leaving the terminal as it was",
     TUI_ACT_QUIT, 10},
    {0, NULL, NULL, NULL, TUI_ACT_NONE, 0},
};

const tui_key tui_keys_edit[] = {
    {'\r', "Enter", "Apply", "keep the text", TUI_ACT_NONE, 9},
    {ESC, "Esc", "Cancel", "clear and leave", TUI_ACT_NONE, 9},
    {0, NULL, NULL, NULL, TUI_ACT_NONE, 0},
};

const tui_key tui_keys_confirm[] = {
    {'y', "y", "Yes", "do it", TUI_ACT_NONE, 9},
    {'n', "n", "No", "leave it", TUI_ACT_NONE, 9},
    {0, NULL, NULL, NULL, TUI_ACT_NONE, 0},
};

/* Returns the entry of table for key, or NULL. */
const tui_key *tui_keys_find(const tui_key *table, int key)
{
    const tui_key *k;

    for (k = table; k != NULL && k->key != 0; k++)
        if (k->key == key)
            return k;
    return NULL;
}

/* Returns the dashboard action bound to key, or TUI_ACT_NONE. */
tui_action tui_keys_action(int key)
{
    const tui_key *k = tui_keys_find(tui_keys_table, key);

    return k != NULL ? k->action : TUI_ACT_NONE;
}

static int add_labelled(const tui_key **out, int n, const tui_key *table)
{
    const tui_key *k;

    for (k = table; k != NULL && k->key != 0 && n < BAR_MAX; k++)
        if (k->label != NULL)
            out[n++] = k;
    return n;
}

static int entry_width(const tui_key *k)
{
    return tui_panel_width(k->name) + tui_panel_width(k->label) + 2;
}

/* Draws the key bar (htop's style: the key, then its label) on line 0 of
 * w: a message first when there is one (borrowed, may be NULL), then the
 * dashboard's keys with panel_keys (borrowed, may be NULL; a table of
 * tui_keys_edit or tui_keys_confirm replaces them all) in their place.
 * When not all fit, the lowest prio entries go first. */
void tui_keys_draw_bar(WINDOW *w, const tui_theme *th,
                       const tui_key *panel_keys, const char *message)
{
    const tui_key *list[BAR_MAX], *k;
    attr_t ka = tui_theme_attr(th, TUI_ROLE_KEY);
    attr_t la = tui_theme_attr(th, TUI_ROLE_KEY_LABEL);
    int n = 0, i, total = 0, x = 0, maxx = getmaxx(w);
    bool modal = panel_keys == tui_keys_edit ||
                 panel_keys == tui_keys_confirm;

    wbkgdset(w, la | ' ');
    werase(w);
    wbkgdset(w, A_NORMAL | ' ');
    if (message != NULL) {
        x += tui_panel_put(w, 0, 0, tui_theme_attr(th, TUI_ROLE_MESSAGE),
                           message);
        x += tui_panel_put(w, 0, x, la, "  ");
    }
    if (modal) {
        n = add_labelled(list, n, panel_keys);
    } else {
        for (k = tui_keys_table; k->key != 0 && n < BAR_MAX; k++) {
            if (k->action == TUI_ACT_PAUSE)
                n = add_labelled(list, n, panel_keys);
            if (k->label != NULL && n < BAR_MAX)
                list[n++] = k;
        }
    }
    for (i = 0; i < n; i++)
        total += entry_width(list[i]);
    while (n > 0 && x + total > maxx) {
        int drop = 0;

        for (i = 1; i < n; i++)
            if (list[i]->prio <= list[drop]->prio)
                drop = i;
        total -= entry_width(list[drop]);
        memmove(&list[drop], &list[drop + 1],
                (size_t)(n - drop - 1) * sizeof(list[0]));
        n--;
    }
    for (i = 0; i < n; i++) {
        x += tui_panel_put(w, 0, x, ka, list[i]->name);
        x += tui_panel_putf(w, 0, x, la, " %s ", list[i]->label);
    }
}

static int help_count(const tui_key *table)
{
    const tui_key *k;
    int n = 0;

    for (k = table; k != NULL && k->key != 0; k++)
        n += k->help != NULL;
    return n;
}

/* Returns the lines tui_keys_draw_help needs with panel_keys. */
int tui_keys_help_lines(const tui_key *panel_keys)
{
    int n = help_count(tui_keys_table), pn = help_count(panel_keys);

    return n + (pn > 0 ? pn + 3 : 0);
}

/* Where the help is drawn: lines before skip are scrolled off, lines at
 * or past end (the window row below the last usable one) are not shown. */
typedef struct help_cursor {
    WINDOW *w;
    int y, x, end;
    int line, skip; /* the next help line's number; the first shown */
} help_cursor;

/* The row for the next help line, or -1 when it is scrolled off or does
 * not fit; either way the line is counted. */
static int help_row(help_cursor *c)
{
    int row = c->y + c->line - c->skip;

    c->line++;
    return c->line - 1 >= c->skip && row < c->end ? row : -1;
}

static void help_table(help_cursor *c, const tui_theme *th,
                       const tui_key *table)
{
    const tui_key *k;
    int row;

    for (k = table; k != NULL && k->key != 0; k++) {
        if (k->help == NULL || (row = help_row(c)) < 0)
            continue;
        tui_panel_put(c->w, row, c->x, tui_theme_attr(th, TUI_ROLE_KEY),
                      k->name);
        tui_panel_put(c->w, row, c->x + 8,
                      tui_theme_attr(th, TUI_ROLE_DEFAULT), k->help);
    }
}

/* Draws one line per key ("Tab     focus the next panel") from (y, x)
 * down to the row before end: the focused panel's keys first (the ones a
 * person asks help about; panel_name and panel_keys borrowed, may be
 * NULL), then the dashboard's, leaving out the first skip lines. Returns
 * the lines the whole help has, so the caller knows what is left. */
int tui_keys_draw_help(WINDOW *w, int y, int x, int end, int skip,
                       const tui_theme *th, const char *panel_name,
                       const tui_key *panel_keys)
{
    help_cursor c = {w, y, x, end, 0, skip};
    int row;

    if (help_count(panel_keys) > 0) {
        if ((row = help_row(&c)) >= 0)
            tui_panel_putf(w, row, x, tui_theme_attr(th, TUI_ROLE_TITLE),
                           "%s panel", panel_name != NULL ? panel_name : "");
        help_table(&c, th, panel_keys);
        help_row(&c); /* a blank line between */
        if ((row = help_row(&c)) >= 0)
            tui_panel_put(w, row, x, tui_theme_attr(th, TUI_ROLE_TITLE),
                          "Dashboard");
    }
    help_table(&c, th, tui_keys_table);
    return c.line;
}
