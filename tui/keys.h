/* keys.h: the dashboard's key table.
 *
 * One table maps keys to actions; the bottom key bar and the '?' help are
 * generated from it, so they cannot drift from what the keys do. */
#ifndef TUI_KEYS_H
#define TUI_KEYS_H

#include <curses.h>

#include "tui/theme.h"

typedef enum tui_action {
    TUI_ACT_NONE = 0,   /* not a dashboard key (the panel may want it) */
    TUI_ACT_QUIT,       /* leave the dashboard */
    TUI_ACT_HELP,       /* show the key help */
    TUI_ACT_NEXT_PANEL, /* focus the next panel */
    TUI_ACT_PREV_PANEL, /* focus the previous panel */
    TUI_ACT_PAUSE,      /* stop or restart refreshing */
    TUI_ACT_FASTER,     /* halve the refresh interval */
    TUI_ACT_SLOWER,     /* double the refresh interval */
    TUI_ACT_REDRAW      /* repaint the whole terminal */
} tui_action;

typedef struct tui_key {
    int key;           /* as wgetch returns it; 0 ends the table */
    const char *name;  /* as shown to the user: "q", "Tab" */
    const char *label; /* key bar label; NULL: not in the bar */
    const char *help;  /* one line for the help screen */
    tui_action action;
} tui_key;

extern const tui_key tui_keys_table[];

tui_action tui_keys_action(int key);
void tui_keys_draw_bar(WINDOW *w, const tui_theme *th);
int tui_keys_draw_help(WINDOW *w, int y, int x, const tui_theme *th);

#endif
