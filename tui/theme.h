/* theme.h: colours as semantic roles.
 *
 * Draw code asks for a role's attributes and never names a colour. This is
 * the one place that knows about colour pairs, terminals with 8 colours or
 * none, and NO_COLOR: there every role maps to its monochrome attributes.
 *
 * Themes are JSON files (themes/NAME.json) that define every role:
 *   { "name": "dark",
 *     "roles": { "header": { "fg": 231, "bg": "#005f87",
 *                            "attrs": ["bold"], "mono": ["reverse"] }, ... } }
 * A colour is "default" (the terminal's), a name ("red", "brightred", ...),
 * an index 0..255 or "#rrggbb" (the nearest of the 256). "attrs" are added
 * in colour; "mono" replaces everything without colour (default: attrs).
 * Colours a terminal lacks are degraded to the nearest it has. The
 * built-in default is the "dark" theme, compiled in (theme_builtin.c) so
 * the binary works without the themes folder. */
#ifndef TUI_THEME_H
#define TUI_THEME_H

#include <stdbool.h>

#include <curses.h>

#include "core/error.h"

typedef enum tui_role {
    TUI_ROLE_DEFAULT = 0, /* plain text */
    TUI_ROLE_HEADER,      /* the top line */
    TUI_ROLE_FRAME,       /* panel borders */
    TUI_ROLE_FRAME_FOCUS, /* the focused panel's border */
    TUI_ROLE_TITLE,       /* panel titles */
    TUI_ROLE_LABEL,       /* field names */
    TUI_ROLE_VALUE,       /* field values */
    TUI_ROLE_BAR_OK,      /* usage bar, comfortable */
    TUI_ROLE_BAR_WARN,    /* usage bar, near or at the limit */
    TUI_ROLE_BAR_IDLE,    /* usage bar, open but free */
    TUI_ROLE_DIM,         /* stale data, secondary text */
    TUI_ROLE_ERROR,       /* errors shown in place */
    TUI_ROLE_KEY,         /* key bar: the key */
    TUI_ROLE_KEY_LABEL,   /* key bar: what it does */
    TUI_ROLE_MESSAGE,     /* key bar: a transient message */
    TUI_ROLE_DIALOG,      /* a y/n question's box */
    TUI_ROLE_COLUMN,      /* table column headings */
    TUI_ROLE_SORT,        /* the heading of the sort column */
    TUI_ROLE_SELECTED,    /* the selected table row */
    TUI_ROLE_FILTER,      /* a filter being typed or applied */
    TUI_ROLE_ACTIVE,      /* a backend running a query */
    TUI_ROLE_IDLE,        /* an idle backend */
    TUI_ROLE_IDLE_TXN,    /* idle in transaction */
    TUI_ROLE_WAITING,     /* waiting on a lock */
    TUI_ROLE_BLOCKER,     /* blocking others */
    TUI_ROLE_OK,          /* a healthy state (breaker closed) */
    TUI_ROLE_WARN,        /* worth a look (breaker half-open) */
    TUI_ROLE_ALERT,       /* trouble (breaker open), made to catch the eye */
    TUI_ROLE_SPARK,       /* sparklines */
    TUI_ROLE_SPARK_ERROR, /* sparklines of errors */
    TUI_ROLE_COUNT
} tui_role;

#define TUI_THEME_NAME_MAX 64

/* One role as a theme file gives it. */
typedef struct tui_theme_style {
    short fg, bg;  /* -1: the terminal's default; else 0..255 */
    attr_t attrs;  /* added in colour */
    attr_t mono;   /* used alone without colour */
} tui_theme_style;

/* A parsed theme: plain data, no curses state. */
typedef struct tui_theme_def {
    char name[TUI_THEME_NAME_MAX];
    tui_theme_style role[TUI_ROLE_COUNT];
} tui_theme_def;

/* What draw code reads: attributes per role for the current screen. */
typedef struct tui_theme {
    bool color;                   /* false: monochrome attributes */
    int ncolors;                  /* colours in use (0 without colour) */
    bool defaults;                /* the terminal's default colours work */
    char name[TUI_THEME_NAME_MAX];
    attr_t attr[TUI_ROLE_COUNT];  /* per role, pair included */
} tui_theme;

extern const char tui_theme_builtin_json[]; /* themes/dark.json */
extern const char *const tui_theme_names[]; /* 't' cycles these; NULL ends */

const char *tui_theme_role_name(tui_role role);
PD_MUSTCHECK int tui_theme_parse(tui_theme_def *def, const char *json,
                                 const char *file, pd_error *err);
void tui_theme_builtin(tui_theme_def *def);
PD_MUSTCHECK int tui_theme_load(tui_theme_def *def, const char *name,
                                pd_error *err);
int tui_theme_degrade(int color, int ncolors);
int tui_theme_rgb_to_256(int r, int g, int b);

void tui_theme_init(tui_theme *th, bool no_color);
void tui_theme_apply(tui_theme *th, const tui_theme_def *def);
attr_t tui_theme_attr(const tui_theme *th, tui_role role);

#endif
