/* dialog.c: the y/n question and transient messages (see dialog.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "core/xalloc.h"
#include "tui/dialog.h"
#include "tui/panel.h"

#define MESSAGE_SECS 5 /* how long a message stays */
#define BOX_W 60       /* the question's box at most */
#define ESC 27

static struct {
    char *question;          /* NULL: no question up */
    tui_dialog_cb cb;
    void *ctx;
    void (*ctx_free)(void *);
    WINDOW *win;             /* the box, while placed */
    bool dirty;              /* the box must be drawn again */
    char *message;           /* the key bar's message, or NULL */
    time_t message_until;    /* wall clock it goes at */
    bool changed;            /* the key bar must be drawn again */
} D;

static void drop_question(void)
{
    if (D.ctx_free != NULL)
        D.ctx_free(D.ctx);
    free(D.question);
    D.question = NULL;
    D.cb = NULL;
    D.ctx = NULL;
    D.ctx_free = NULL;
    if (D.win != NULL)
        delwin(D.win);
    D.win = NULL;
    D.changed = true;
}

/* Asks question (copied) and, once answered, calls cb(yes, ctx) exactly
 * once, then ctx_free(ctx) (may be NULL). A question already up is
 * dropped (its cb never runs, its ctx_free does). Place the box with
 * tui_dialog_place. */
void tui_dialog_confirm(const char *question, tui_dialog_cb cb, void *ctx,
                        void (*ctx_free)(void *))
{
    if (D.question != NULL)
        drop_question();
    D.question = pd_xstrdup(question);
    D.cb = cb;
    D.ctx = ctx;
    D.ctx_free = ctx_free;
    D.dirty = true;
    D.changed = true;
}

/* True while a question waits for its answer. */
bool tui_dialog_active(void)
{
    return D.question != NULL;
}

/* Takes a key while a question is up: y or Y answers yes; n, N, Esc and
 * q answer no; anything else is ignored. */
void tui_dialog_key(int key)
{
    tui_dialog_cb cb = D.cb;
    void *ctx = D.ctx;
    void (*ctx_free)(void *) = D.ctx_free;
    bool yes;

    if (D.question == NULL)
        return;
    if (key == 'y' || key == 'Y')
        yes = true;
    else if (key == 'n' || key == 'N' || key == ESC || key == 'q')
        yes = false;
    else
        return;
    /* Down before the callback, which may ask another question. */
    D.ctx_free = NULL;
    drop_question();
    if (cb != NULL)
        cb(yes, ctx);
    if (ctx_free != NULL)
        ctx_free(ctx);
}

/* Lays the question's box out for a rows x cols screen (after a resize,
 * or once asked); nothing while no question is up. */
void tui_dialog_place(int rows, int cols)
{
    int w, h = 5, lines;

    if (D.question == NULL)
        return;
    if (D.win != NULL)
        delwin(D.win);
    D.win = NULL;
    w = cols < BOX_W ? cols : BOX_W;
    lines = w > 4 ? (tui_panel_width(D.question) + w - 5) / (w - 4) : 1;
    h = lines + 4;
    if (h > rows)
        h = rows;
    if (h >= 1 && w >= 1)
        D.win = newwin(h, w, (rows - h) / 2, (cols - w) / 2);
    D.dirty = true;
}

/* Draws the question's box on top of everything with wnoutrefresh when
 * it changed or what is under it was drawn (under_changed). Returns true
 * when it drew. */
bool tui_dialog_render(const tui_theme *th, bool under_changed)
{
    attr_t a = tui_theme_attr(th, TUI_ROLE_DIALOG);
    int h;

    if (D.win == NULL || !(D.dirty || under_changed))
        return false;
    if (D.dirty) {
        h = getmaxy(D.win);
        wbkgdset(D.win, a | ' ');
        werase(D.win);
        wattrset(D.win, a);
        if (h >= 3 && getmaxx(D.win) >= 4)
            box_set(D.win, 0, 0);
        tui_panel_wrap(D.win, h >= 3 ? 1 : 0, h >= 3 ? 2 : 0, a, D.question,
                       h >= 4 ? h - 3 : 1);
        if (h >= 4) {
            int x = 2;

            x += tui_panel_put(D.win, h - 2, x,
                               tui_theme_attr(th, TUI_ROLE_KEY), "y");
            x += tui_panel_put(D.win, h - 2, x, a, " yes   ");
            x += tui_panel_put(D.win, h - 2, x,
                               tui_theme_attr(th, TUI_ROLE_KEY), "n");
            tui_panel_put(D.win, h - 2, x, a, " no");
        }
        D.dirty = false;
    }
    touchwin(D.win);
    wnoutrefresh(D.win);
    return true;
}

/* Shows a message (formatted; first line) in the key bar for a few
 * seconds, replacing the one there. */
void tui_dialog_message(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = pd_xvasprintf(fmt, ap);
    va_end(ap);
    s[strcspn(s, "\n")] = '\0';
    free(D.message);
    D.message = s;
    D.message_until = time(NULL) + MESSAGE_SECS;
    D.changed = true;
}

/* The message to show now (borrowed), or NULL. */
const char *tui_dialog_current_message(void)
{
    return D.message;
}

/* Expires the message when its time is up (call each second). Returns
 * true when the key bar must be drawn again. */
bool tui_dialog_tick(void)
{
    if (D.message != NULL && time(NULL) >= D.message_until) {
        free(D.message);
        D.message = NULL;
        D.changed = true;
    }
    return tui_dialog_take_changed();
}

/* True once after a question or message came or went. */
bool tui_dialog_take_changed(void)
{
    bool c = D.changed;

    D.changed = false;
    return c;
}

/* Drops the question (its cb never runs) and the message; frees all. */
void tui_dialog_close(void)
{
    if (D.question != NULL)
        drop_question();
    free(D.message);
    D.message = NULL;
    D.changed = false;
}
