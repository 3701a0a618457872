/* screen.h: the ncurses singleton.
 *
 * Owns the terminal while the dashboard runs: ncurses set-up and teardown,
 * the key input watcher, the resize and quit signals, and the one render
 * point per loop iteration (a uv_prepare_t: the render callback draws the
 * dirty windows with wnoutrefresh, then the screen does one doupdate).
 * Whatever happens (quit, signal, fatal error), the terminal is left as it
 * was found. */
#ifndef TUI_SCREEN_H
#define TUI_SCREEN_H

#include <stdbool.h>

#include <uv.h>

#include "core/error.h"

typedef struct tui_screen_cbs {
    /* One key as wgetch returns it (KEY_* codes included). */
    void (*key)(int key, void *ctx);
    /* The terminal is now rows x cols (curses already resized). */
    void (*resize)(int rows, int cols, void *ctx);
    /* Draws what is dirty with wnoutrefresh; true when anything was. */
    bool (*render)(void *ctx);
    /* SIGINT, SIGTERM or SIGHUP arrived, or the terminal went away. */
    void (*quit)(int signum, void *ctx);
} tui_screen_cbs;

PD_MUSTCHECK int tui_screen_open(uv_loop_t *loop, const tui_screen_cbs *cbs,
                                 void *ctx, pd_error *err);
void tui_screen_close(void);
bool tui_screen_closing(void);
void tui_screen_redraw_all(void);
void tui_screen_emergency_restore(void);

#endif
