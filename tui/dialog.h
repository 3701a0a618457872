/* dialog.h: the y/n question and transient messages.
 *
 * One question at a time, centred over the panels: it takes every key
 * until answered (y: yes; n, Esc or q: no). Messages ("cancel sent to
 * 1234") show in the key bar for a few seconds. Both are singletons, as
 * the screen is. */
#ifndef TUI_DIALOG_H
#define TUI_DIALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/xalloc.h"
#include "tui/theme.h"

/* yes: the answer. ctx: as given. */
typedef void (*tui_dialog_cb)(bool yes, void *ctx);

void tui_dialog_confirm(const char *question, tui_dialog_cb cb, void *ctx,
                        void (*ctx_free)(void *));
bool tui_dialog_active(void);
void tui_dialog_key(int key);
void tui_dialog_place(int rows, int cols);
bool tui_dialog_render(const tui_theme *th, bool under_changed);
void tui_dialog_message(const char *fmt, ...) PD_PRINTF(1, 2);
const char *tui_dialog_current_message(void);
bool tui_dialog_tick(void);
bool tui_dialog_take_changed(void);
void tui_dialog_close(void);

#endif
