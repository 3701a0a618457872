/* theme.h: colours as semantic roles.
 *
 * Draw code asks for a role's attributes and never names a colour. This is
 * the one place that knows about colour pairs, terminals without colours
 * and NO_COLOR: there every role maps to a monochrome attribute instead.
 * JSON themes (themes/NAME.json) will load into the same table later. */
#ifndef TUI_THEME_H
#define TUI_THEME_H

#include <stdbool.h>

#include <curses.h>

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

typedef struct tui_theme {
    bool color;                   /* false: monochrome attributes */
    attr_t attr[TUI_ROLE_COUNT];  /* per role, pair included */
} tui_theme;

void tui_theme_init(tui_theme *th, bool no_color);
attr_t tui_theme_attr(const tui_theme *th, tui_role role);

#endif
