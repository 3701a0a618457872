/* theme.c: role -> attributes, colour or monochrome (see theme.h). */
#include <stdlib.h>

#include "tui/theme.h"

typedef struct style {
    short fg, bg;     /* -1: the terminal's default */
    attr_t extra;     /* added to the colour pair */
    attr_t mono;      /* used instead when there is no colour */
} style;

/* The built-in default (the "dark" theme). */
static const style builtin[TUI_ROLE_COUNT] = {
    [TUI_ROLE_DEFAULT] = {-1, -1, A_NORMAL, A_NORMAL},
    [TUI_ROLE_HEADER] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
    [TUI_ROLE_FRAME] = {COLOR_CYAN, -1, A_NORMAL, A_NORMAL},
    [TUI_ROLE_FRAME_FOCUS] = {COLOR_CYAN, -1, A_BOLD, A_BOLD},
    [TUI_ROLE_TITLE] = {COLOR_YELLOW, -1, A_BOLD, A_BOLD},
    [TUI_ROLE_LABEL] = {-1, -1, A_NORMAL, A_NORMAL},
    [TUI_ROLE_VALUE] = {-1, -1, A_BOLD, A_BOLD},
    [TUI_ROLE_BAR_OK] = {COLOR_GREEN, -1, A_BOLD, A_BOLD},
    [TUI_ROLE_BAR_WARN] = {COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE},
    [TUI_ROLE_BAR_IDLE] = {COLOR_CYAN, -1, A_NORMAL, A_NORMAL},
    [TUI_ROLE_DIM] = {-1, -1, A_DIM, A_DIM},
    [TUI_ROLE_ERROR] = {COLOR_RED, -1, A_BOLD, A_BOLD},
    [TUI_ROLE_KEY] = {-1, -1, A_BOLD, A_BOLD},
    [TUI_ROLE_KEY_LABEL] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
    [TUI_ROLE_MESSAGE] = {COLOR_BLACK, COLOR_YELLOW, A_NORMAL, A_BOLD},
    [TUI_ROLE_DIALOG] = {COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE},
    [TUI_ROLE_COLUMN] = {COLOR_BLACK, COLOR_GREEN, A_NORMAL, A_UNDERLINE},
    [TUI_ROLE_SORT] = {COLOR_BLACK, COLOR_CYAN, A_BOLD, A_BOLD | A_UNDERLINE},
    [TUI_ROLE_SELECTED] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
    [TUI_ROLE_FILTER] = {COLOR_YELLOW, -1, A_BOLD, A_BOLD},
    [TUI_ROLE_ACTIVE] = {COLOR_GREEN, -1, A_NORMAL, A_BOLD},
    [TUI_ROLE_IDLE] = {-1, -1, A_DIM, A_DIM},
    [TUI_ROLE_IDLE_TXN] = {COLOR_YELLOW, -1, A_NORMAL, A_UNDERLINE},
    [TUI_ROLE_WAITING] = {COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE},
    [TUI_ROLE_BLOCKER] = {COLOR_MAGENTA, -1, A_BOLD, A_BOLD},
    [TUI_ROLE_OK] = {COLOR_GREEN, -1, A_BOLD, A_NORMAL},
    [TUI_ROLE_WARN] = {COLOR_YELLOW, -1, A_BOLD, A_BOLD},
    [TUI_ROLE_ALERT] = {COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD},
    [TUI_ROLE_SPARK] = {COLOR_CYAN, -1, A_NORMAL, A_NORMAL},
    [TUI_ROLE_SPARK_ERROR] = {COLOR_RED, -1, A_NORMAL, A_BOLD},
};

/* NO_COLOR (https://no-color.org): set and not empty. */
static bool env_no_color(void)
{
    const char *v = getenv("NO_COLOR");

    return v != NULL && v[0] != '\0';
}

/* Fills th for the current ncurses screen (call after it is set up):
 * colour pairs when the terminal has colours and neither no_color nor
 * NO_COLOR asks otherwise, monochrome attributes in every other case.
 * Never fails. */
void tui_theme_init(tui_theme *th, bool no_color)
{
    bool defaults;
    int r;

    th->color = !no_color && !env_no_color() && has_colors() &&
                start_color() == OK;
    defaults = th->color && use_default_colors() == OK;
    for (r = 0; r < TUI_ROLE_COUNT; r++) {
        const style *s = &builtin[r];
        short fg = s->fg, bg = s->bg;

        if (!th->color || r >= COLOR_PAIRS) {
            th->attr[r] = s->mono;
            continue;
        }
        if (fg < 0 && bg < 0) {
            th->attr[r] = s->extra;
            continue;
        }
        if (!defaults) {
            fg = fg < 0 ? COLOR_WHITE : fg;
            bg = bg < 0 ? COLOR_BLACK : bg;
        }
        if (init_pair((short)r, fg, bg) == ERR) {
            th->attr[r] = s->mono;
            continue;
        }
        th->attr[r] = COLOR_PAIR(r) | s->extra;
    }
}

/* Returns the attributes (colour pair included) for role; A_NORMAL for a
 * role out of range. */
attr_t tui_theme_attr(const tui_theme *th, tui_role role)
{
    if ((int)role < 0 || role >= TUI_ROLE_COUNT)
        return A_NORMAL;
    return th->attr[role];
}
