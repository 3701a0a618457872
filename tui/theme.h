/* theme.h: colours as semantic roles, on the dashboard's screen.
 *
 * Draw code asks for a role's attributes and never names a colour. This is
 * the one place that knows about colour pairs, terminals with 8 colours or
 * none, and NO_COLOR: there every role maps to its monochrome attributes.
 * The themes themselves (files, roles, validation) are core/theme.h's;
 * this maps a pd_theme_def onto curses. Colours a terminal lacks are
 * degraded to the nearest it has. */
#ifndef TUI_THEME_H
#define TUI_THEME_H

#include <stdbool.h>

#include <curses.h>

#include "core/theme.h"

/* The roles of core/theme.h, as TUI_ROLE_HEADER etc. (same numbers). */
typedef enum tui_role {
#define TUI_ROLE_ENUM(id, key) TUI_ROLE_##id = PD_THEME_ROLE_##id,
    PD_THEME_ROLES(TUI_ROLE_ENUM)
#undef TUI_ROLE_ENUM
    TUI_ROLE_COUNT = PD_THEME_ROLE_COUNT
} tui_role;

/* What draw code reads: attributes per role for the current screen. */
typedef struct tui_theme {
    bool color;                   /* false: monochrome attributes */
    int ncolors;                  /* colours in use (0 without colour) */
    bool defaults;                /* the terminal's default colours work */
    char name[PD_THEME_NAME_MAX];
    attr_t attr[TUI_ROLE_COUNT];  /* per role, pair included */
} tui_theme;

void tui_theme_init(tui_theme *th, bool no_color);
void tui_theme_apply(tui_theme *th, const pd_theme_def *def);
attr_t tui_theme_attr(const tui_theme *th, tui_role role);

#endif
