/* tui_int.h: the dashboard's state, shared by tui.c (screen, layout,
 * keys, the render pass, tui_run) and command.c (what R, t and the ':'
 * line run: refresh-all, themes, the Results panel). Not for the panels,
 * which see only panel.h. */
#ifndef TUI_INT_H
#define TUI_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <curses.h>
#include <uv.h>

#include "core/core.h"
#include "core/error.h"
#include "tui/cmdline.h"
#include "tui/layout.h"
#include "tui/panel.h"
#include "tui/theme.h"

typedef struct tui {
    pd_core *core;                      /* borrowed */
    tui_theme theme;
    tui_layout layout;
    tui_panel *panels[TUI_LAYOUT_MAX];  /* owned */
    tui_layout_hint hints[TUI_LAYOUT_MAX];
    int npanels, focus;
    bool zoom, paused, help;
    int help_skip;       /* help lines scrolled off the top */
    uint32_t refresh_ms;
    WINDOW *header, *keybar, *helpwin;  /* NULL while hidden */
    bool header_dirty, keybar_dirty, help_dirty, full;
    uv_timer_t clock;                   /* ticks the header each second */
    bool clock_closing;
    int rc;                             /* tui_run's return value */
    tui_cmdline cmd;                    /* the ':' line */
    tui_panel *syncs;                   /* the Syncs panel, among panels */
    tui_panel *results;                 /* the Results panel, or NULL */
    int focus_back;                     /* the focus before Results took
                                           it, for when it closes */
    bool syncing;                       /* our refresh-all runs */
    int sync_done, sync_total;          /* its progress */
    bool closing;                       /* panels are gone */
} tui;

/* tui.c */
void tui_mark_all(tui *t);
void tui_quit(tui *t, int rc);
void tui_place_help(tui *t);
void tui_relayout(tui *t);
void tui_set_focus(tui *t, int focus);

/* command.c */
PD_MUSTCHECK int tui_command_use_theme(tui *t, const char *name,
                                       pd_error *err);
void tui_command_next_theme(tui *t);
void tui_command_refresh_all(tui *t);
void tui_command_key(tui *t, int key);
void tui_command_close_results(tui *t);

#endif
