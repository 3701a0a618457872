/* palette.c: theme roles as SGR escape sequences for the shell's own
 * words (see palette.h). */
#include "shell/palette.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/theme.h"

#define SGR_MAX 48 /* "\033[1;2;3;4;5;7;38;5;255;48;5;255m" fits */

/* The theme role each use takes its colours from. */
static const pd_theme_role use_role[SH_PAL_COUNT] = {
    [SH_PAL_PROMPT] = PD_THEME_ROLE_TITLE,
    [SH_PAL_ERROR] = PD_THEME_ROLE_ERROR,
    [SH_PAL_WARNING] = PD_THEME_ROLE_WARN,
    [SH_PAL_OK] = PD_THEME_ROLE_OK,
    [SH_PAL_NOTE] = PD_THEME_ROLE_DIM,
};

/* The process's terminal (see palette.h for why this is static). */
static struct {
    bool set_up;                    /* sh_palette_setup ran */
    bool wanted;                    /* no NO_COLOR, --no-color, dumb TERM */
    int ncolors;                    /* 8 or 256 */
    char theme[PD_THEME_NAME_MAX];  /* the current theme's name */
    char sgr[SH_PAL_COUNT][SGR_MAX]; /* per use; "" when it has no style */
} pal;

/* Colours the terminal has, from what it says of itself: terminfo would
 * need curses set up, which the shell does not do. */
static int term_colors(void)
{
    const char *term = getenv("TERM"), *ct = getenv("COLORTERM");

    if ((ct != NULL && ct[0] != '\0') ||
        (term != NULL && strstr(term, "256") != NULL))
        return 256;
    return 8;
}

/* Appends ";CODE" (or "CODE" first) to buf. */
static void add_code(char *buf, const char *code)
{
    size_t n = strlen(buf);

    snprintf(buf + n, SGR_MAX - n, "%s%s", n > 2 ? ";" : "", code);
}

/* An SGR colour code: 30+c / 90+c-8 / 38;5;c (base 30 fg, 40 bg). */
static void add_color(char *buf, int c, int base)
{
    char code[16];

    if (c < 0)
        return;
    if (c < 8)
        snprintf(code, sizeof(code), "%d", base + c);
    else if (c < 16)
        snprintf(code, sizeof(code), "%d", base + 60 + c - 8);
    else
        snprintf(code, sizeof(code), "%d;5;%d", base + 8, c);
    add_code(buf, code);
}

/* Writes into buf the sequence that starts st, or "" when st is plain. */
static void style_sgr(char *buf, const pd_theme_style *st, int ncolors)
{
    static const struct {
        unsigned bit;
        const char *code;
    } attrs[] = {
        {PD_THEME_BOLD, "1"},      {PD_THEME_DIM, "2"},
        {PD_THEME_ITALIC, "3"},    {PD_THEME_UNDERLINE, "4"},
        {PD_THEME_BLINK, "5"},     {PD_THEME_REVERSE, "7"},
        {PD_THEME_STANDOUT, "7"},
    };
    size_t i;

    strcpy(buf, "\033[");
    for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
        if (st->attrs & attrs[i].bit)
            add_code(buf, attrs[i].code);
    add_color(buf, pd_theme_degrade(st->fg, ncolors), 30);
    add_color(buf, pd_theme_degrade(st->bg, ncolors), 40);
    if (strlen(buf) == 2)
        buf[0] = '\0';
    else
        strcat(buf, "m"); /* SGR_MAX holds every code at once */
}

static void apply(const pd_theme_def *def)
{
    int u;

    snprintf(pal.theme, sizeof(pal.theme), "%s", def->name);
    for (u = 0; u < SH_PAL_COUNT; u++)
        style_sgr(pal.sgr[u], &def->role[use_role[u]], pal.ncolors);
}

/* Sets the palette up once, before anything is printed: colours wanted
 * unless no_color (the config's, which --no-color sets), NO_COLOR (set
 * and not empty) or TERM=dumb say no; the built-in theme. A theme of the
 * config is then sh_palette_use_theme's. */
void sh_palette_setup(bool no_color)
{
    const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
    pd_theme_def def;

    pal.set_up = true;
    pal.wanted = !no_color && (nc == NULL || nc[0] == '\0') &&
                 (term == NULL || strcmp(term, "dumb") != 0);
    pal.ncolors = term_colors();
    pd_theme_builtin(&def);
    apply(&def);
}

/* Loads theme name (a name or a file, as pd_theme_load takes it) and
 * makes it current. Returns 0, or the error of pd_theme_load with err
 * naming the file and key; the current theme stays. */
int sh_palette_use_theme(const char *name, pd_error *err)
{
    pd_theme_def def;
    int rc = pd_theme_load(&def, name, err);

    if (rc != 0)
        return rc;
    if (!pal.set_up)
        sh_palette_setup(false);
    apply(&def);
    return 0;
}

/* The current theme's name ("dark" before any). Static storage. */
const char *sh_palette_theme(void)
{
    return pal.theme[0] != '\0' ? pal.theme : "dark";
}

/* True when colours are wanted at all (terminals aside). */
bool sh_palette_wanted(void)
{
    return pal.set_up && pal.wanted;
}

/* True when f (borrowed) gets colours: wanted, and f is a terminal. */
bool sh_palette_on(FILE *f)
{
    int fd;

    if (!sh_palette_wanted() || f == NULL)
        return false;
    fd = fileno(f);
    return fd >= 0 && isatty(fd);
}

/* The sequence that starts use's colours, whatever the stream; "" when
 * colours are not wanted or the role is plain. Static storage, valid
 * until the next theme change. */
const char *sh_palette_sgr(sh_palette_use use)
{
    if (!sh_palette_wanted() || (int)use < 0 || use >= SH_PAL_COUNT)
        return "";
    return pal.sgr[use];
}

/* What to write before text of use to f, and after it: the colours and
 * the reset when f gets colours, else "". Static strings. */
const char *sh_palette_start(FILE *f, sh_palette_use use)
{
    return sh_palette_on(f) ? sh_palette_sgr(use) : "";
}

const char *sh_palette_end(FILE *f, sh_palette_use use)
{
    return sh_palette_on(f) && sh_palette_sgr(use)[0] != '\0' ? "\033[0m"
                                                              : "";
}
