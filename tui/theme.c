/* theme.c: a theme (core/theme.h) on the dashboard's screen: roles to
 * curses attributes and colour pairs, colour or monochrome (see theme.h).
 * tui_theme_init and tui_theme_apply are the only curses calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/theme.h"

/* PD_THEME_* attribute bits as curses attributes. */
static attr_t curses_attrs(unsigned bits)
{
    static const struct {
        unsigned bit;
        attr_t attr;
    } map[] = {
        {PD_THEME_BOLD, A_BOLD},           {PD_THEME_DIM, A_DIM},
        {PD_THEME_UNDERLINE, A_UNDERLINE}, {PD_THEME_REVERSE, A_REVERSE},
        {PD_THEME_ITALIC, A_ITALIC},       {PD_THEME_STANDOUT, A_STANDOUT},
        {PD_THEME_BLINK, A_BLINK},
    };
    attr_t a = A_NORMAL;
    size_t i;

    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (bits & map[i].bit)
            a |= map[i].attr;
    return a;
}

/* NO_COLOR (https://no-color.org): set and not empty. */
static bool env_no_color(void)
{
    const char *v = getenv("NO_COLOR");

    return v != NULL && v[0] != '\0';
}

/* Sets up colours for the current ncurses screen (call once, after it is
 * set up): colour when the terminal has it and neither no_color nor
 * NO_COLOR asks otherwise, monochrome in every other case; then applies
 * the built-in theme. Never fails. */
void tui_theme_init(tui_theme *th, bool no_color)
{
    pd_theme_def def;

    memset(th, 0, sizeof(*th));
    th->color = !no_color && !env_no_color() && has_colors() &&
                start_color() == OK;
    if (th->color) {
        th->ncolors = COLORS > 256 ? 256 : COLORS;
        /* Without them, "default" is white on black (tui_theme_apply). */
        th->defaults = use_default_colors() == OK;
    }
    pd_theme_builtin(&def);
    tui_theme_apply(th, &def);
}

/* Makes def (borrowed) the current theme: one colour pair per role, with
 * colours the terminal lacks degraded, or each role's mono attributes
 * without colour. The screen must be redrawn afterwards. */
void tui_theme_apply(tui_theme *th, const pd_theme_def *def)
{
    int r;

    snprintf(th->name, sizeof(th->name), "%s", def->name);
    for (r = 0; r < TUI_ROLE_COUNT; r++) {
        const pd_theme_style *s = &def->role[r];
        short fg = (short)pd_theme_degrade(s->fg, th->ncolors);
        short bg = (short)pd_theme_degrade(s->bg, th->ncolors);

        if (!th->color || r + 1 >= COLOR_PAIRS) {
            th->attr[r] = curses_attrs(s->mono);
            continue;
        }
        if (fg < 0 && bg < 0) {
            th->attr[r] = curses_attrs(s->attrs);
            continue;
        }
        if (!th->defaults) {
            fg = fg < 0 ? COLOR_WHITE : fg;
            bg = bg < 0 ? COLOR_BLACK : bg;
        }
        if (init_pair((short)(r + 1), fg, bg) == ERR) {
            th->attr[r] = curses_attrs(s->mono);
            continue;
        }
        th->attr[r] = COLOR_PAIR(r + 1) | curses_attrs(s->attrs);
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
