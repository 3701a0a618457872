/* cmdline.h: the ':' command line's one-line editor.
 *
 * A line of UTF-8 text with a cursor and the history of this session's
 * lines: insert, Backspace, Delete, Left/Right, Home/End (and ^A/^E),
 * ^U/^K/^W, Up/Down through the history, Enter, Esc. Keys come as wgetch
 * gives them (a character's bytes one by one). The dashboard draws it in
 * the key bar's line; what was entered is its to run. No core calls. */
#ifndef TUI_CMDLINE_H
#define TUI_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#include <curses.h>

#include "tui/theme.h"

#define TUI_CMDLINE_MAX 4096 /* bytes of text at most */
#define TUI_CMDLINE_HIST 100 /* lines of history kept */

/* What a key did (tui_cmdline_key). */
typedef enum tui_cmdline_act {
    TUI_CMDLINE_EDITED = 0, /* the line (or nothing) changed; keep editing */
    TUI_CMDLINE_ENTER,      /* Enter: the line is done (tui_cmdline_take) */
    TUI_CMDLINE_CANCEL      /* Esc or ^C: the line is dropped, closed */
} tui_cmdline_act;

typedef struct tui_cmdline {
    bool active;             /* open for editing */
    char buf[TUI_CMDLINE_MAX];
    size_t len, cur;         /* bytes; the cursor is a byte offset */
    char *hist[TUI_CMDLINE_HIST]; /* owned, oldest first */
    int nhist;
    int hpos;                /* the history line shown; nhist: the new one */
    char *draft;             /* owned: the new line while browsing, or NULL */
} tui_cmdline;

void tui_cmdline_init(tui_cmdline *c);
void tui_cmdline_free(tui_cmdline *c);
void tui_cmdline_open(tui_cmdline *c);
tui_cmdline_act tui_cmdline_key(tui_cmdline *c, int key);
char *tui_cmdline_take(tui_cmdline *c);
void tui_cmdline_draw(const tui_cmdline *c, WINDOW *w, int y,
                      const tui_theme *th);

#endif
