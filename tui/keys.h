/* keys.h: the dashboard's key tables.
 *
 * One table maps the dashboard's keys to actions; each panel adds a table
 * of its own keys (tui_panel_ops.keys). The bottom key bar and the '?'
 * help are generated from these tables, so they cannot drift from what
 * the keys do. */
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
    TUI_ACT_LEFT,       /* focus the panel to the left */
    TUI_ACT_RIGHT,      /* focus the panel to the right */
    TUI_ACT_UP,         /* the panel's, else focus the panel above */
    TUI_ACT_DOWN,       /* the panel's, else focus the panel below */
    TUI_ACT_ZOOM,       /* the focused panel full screen, or back */
    TUI_ACT_UNZOOM,     /* back from full screen */
    TUI_ACT_PAUSE,      /* stop or restart refreshing */
    TUI_ACT_FASTER,     /* halve the refresh interval */
    TUI_ACT_SLOWER,     /* double the refresh interval */
    TUI_ACT_THEME,      /* next theme */
    TUI_ACT_MOUSE,      /* a mouse event to read */
    TUI_ACT_REDRAW,     /* repaint the whole terminal */
    TUI_ACT_REFRESH_ALL,/* run every sync now, then every panel's query */
    TUI_ACT_COMMAND     /* open the ':' command line */
} tui_action;

typedef struct tui_key {
    int key;           /* as wgetch returns it; 0 ends the table */
    const char *name;  /* as shown to the user: "q", "Tab" */
    const char *label; /* key bar label; NULL: not in the bar */
    const char *help;  /* one line for the help; NULL: not in the help */
    tui_action action; /* TUI_ACT_NONE in a panel's table */
    int prio;          /* the key bar drops lower ones first when short */
} tui_key;

extern const tui_key tui_keys_table[];
extern const tui_key tui_keys_edit[];    /* while a line is edited */
extern const tui_key tui_keys_confirm[]; /* while a y/n question is up */

tui_action tui_keys_action(int key);
const tui_key *tui_keys_find(const tui_key *table, int key);
void tui_keys_draw_bar(WINDOW *w, const tui_theme *th,
                       const tui_key *panel_keys, const char *message);
/* The lines tui_keys_draw_help draws for panel_keys (borrowed). */
int tui_keys_help_lines(const tui_key *panel_keys);
int tui_keys_draw_help(WINDOW *w, int y, int x, int end, int skip,
                       const tui_theme *th, const char *panel_name,
                       const tui_key *panel_keys);

#endif
