/* theme.h: colour themes as data, for every front end.
 *
 * A theme gives each semantic role (a panel's frame, an error, the shell's
 * prompt borrows "title") a foreground, a background and attributes. This
 * module only reads, validates and lists themes: no terminal, no curses.
 * The dashboard maps roles to curses attributes (tui/theme.c), the shell
 * to SGR escape sequences (shell/palette.c). It lives in core/ beside
 * config and jsonc because both front ends need it and neither may include
 * the other; it touches no loop and no connection.
 *
 * Themes are JSON files (themes/NAME.json) that define every role:
 *   { "name": "dark",
 *     "roles": { "header": { "fg": 231, "bg": "#005f87",
 *                            "attrs": ["bold"], "mono": ["reverse"] }, ... } }
 * A colour is "default" (the terminal's), a name ("red", "brightred", ...),
 * an index 0..255 or "#rrggbb" (the nearest of the 256). "attrs" are added
 * in colour; "mono" replaces everything without colour (default: attrs).
 * The built-in default is the "dark" theme, compiled in (theme_builtin.c)
 * so the binary works without the themes folder. */
#ifndef PD_THEME_H
#define PD_THEME_H

#include <stdbool.h>

#include "core/error.h"

/* Every role: X(ID, "json key"), as PD_THEME_ROLE_ID. A front end makes
 * its own constants from this one list (TUI_ROLE_ID), so the numbering is
 * shared and no list is kept twice. */
#define PD_THEME_ROLES(X)                                                  \
    X(DEFAULT, "default")         /* plain text */                         \
    X(HEADER, "header")           /* the top line */                       \
    X(FRAME, "frame")             /* panel borders */                      \
    X(FRAME_FOCUS, "frame_focus") /* the focused panel's border */         \
    X(TITLE, "title")             /* panel titles; the shell's prompt */   \
    X(LABEL, "label")             /* field names */                        \
    X(VALUE, "value")             /* field values */                       \
    X(BAR_OK, "bar_ok")           /* usage bar, comfortable */             \
    X(BAR_WARN, "bar_warn")       /* usage bar, near or at the limit */    \
    X(BAR_IDLE, "bar_idle")       /* usage bar, open but free */           \
    X(DIM, "dim")                 /* stale data, secondary text */         \
    X(ERROR, "error")             /* errors shown in place; ERROR: */      \
    X(KEY, "key")                 /* key bar: the key */                   \
    X(KEY_LABEL, "key_label")     /* key bar: what it does */              \
    X(MESSAGE, "message")         /* key bar: a transient message */       \
    X(DIALOG, "dialog")           /* a y/n question's box */               \
    X(COLUMN, "column")           /* table column headings */              \
    X(SORT, "sort")               /* the heading of the sort column */     \
    X(SELECTED, "selected")       /* the selected table row */             \
    X(FILTER, "filter")           /* a filter being typed or applied */    \
    X(ACTIVE, "active")           /* a backend running a query */          \
    X(IDLE, "idle")               /* an idle backend */                    \
    X(IDLE_TXN, "idle_txn")       /* idle in transaction */                \
    X(WAITING, "waiting")         /* waiting on a lock */                  \
    X(BLOCKER, "blocker")         /* blocking others */                    \
    X(OK, "ok")                   /* a healthy state (breaker closed) */   \
    X(WARN, "warn")               /* worth a look (breaker half-open) */   \
    X(ALERT, "alert")             /* trouble, made to catch the eye */     \
    X(SPARK, "spark")             /* sparklines */                         \
    X(SPARK_ERROR, "spark_error") /* sparklines of errors */

typedef enum pd_theme_role {
#define PD_THEME_ROLE_ENUM(id, key) PD_THEME_ROLE_##id,
    PD_THEME_ROLES(PD_THEME_ROLE_ENUM)
#undef PD_THEME_ROLE_ENUM
    PD_THEME_ROLE_COUNT
} pd_theme_role;

/* Attributes, as bits; each front end maps them to what it draws with. */
enum {
    PD_THEME_BOLD = 1u << 0,
    PD_THEME_DIM = 1u << 1,
    PD_THEME_UNDERLINE = 1u << 2,
    PD_THEME_REVERSE = 1u << 3,
    PD_THEME_ITALIC = 1u << 4,
    PD_THEME_STANDOUT = 1u << 5,
    PD_THEME_BLINK = 1u << 6
};

#define PD_THEME_NAME_MAX 64

/* One role as a theme file gives it. */
typedef struct pd_theme_style {
    short fg, bg;    /* -1: the terminal's default; else 0..255 */
    unsigned attrs;  /* PD_THEME_* bits, added in colour */
    unsigned mono;   /* PD_THEME_* bits, used alone without colour */
} pd_theme_style;

/* A parsed theme: plain data. */
typedef struct pd_theme_def {
    char name[PD_THEME_NAME_MAX];
    pd_theme_style role[PD_THEME_ROLE_COUNT];
} pd_theme_def;

/* A theme that can be loaded by name (pd_theme_list). */
typedef struct pd_theme_entry {
    char *name;  /* owned: what pd_theme_load takes */
    char *path;  /* owned: the file it loads from; NULL: the built-in */
} pd_theme_entry;

extern const char pd_theme_builtin_json[]; /* themes/dark.json */
extern const char *const pd_theme_names[]; /* the themes pgdeck ships, in
                                              the order 't' cycles them;
                                              NULL ends */

/* The JSON key of role ("frame_focus"), or "?" out of range. Static. */
const char *pd_theme_role_name(pd_theme_role role);
PD_MUSTCHECK int pd_theme_parse(pd_theme_def *def, const char *json,
                                const char *file, pd_error *err);
void pd_theme_builtin(pd_theme_def *def);
PD_MUSTCHECK int pd_theme_load(pd_theme_def *def, const char *name,
                               pd_error *err);
int pd_theme_list(pd_theme_entry **out);
void pd_theme_list_free(pd_theme_entry *list, int n);
int pd_theme_degrade(int color, int ncolors);
int pd_theme_rgb_to_256(int r, int g, int b);

#endif
