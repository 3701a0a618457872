/* format_style.c: what the aligned printers draw with and how wide they
 * may go (\pset linestyle, unicode_*_linestyle, columns).
 *
 * psql draws every line style through one table of strings, so the
 * printers do too: ascii, old-ascii and a unicode style assembled from
 * the three unicode_* choices (the border's, the column dividers' and the
 * header rule's), where a crossing takes its glyph from both lines that
 * meet there. */
#include "shell/format.h"

#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const sh_line_style ascii_style = {
    {{"-", "+", "+", "+"}, {"-", "+", "+", "+"}, {"-", "+", "+", "+"},
     {"", "|", "|", "|"}},
    "|", "|", "|", " ", "+", " ", "+", ".", ".", true, false,
};

/* PostgreSQL 8.4's marks: ":" for a newline, ";" for a wrap, both in the
 * divider left of the continued value; headers mark on the left. */
static const sh_line_style old_ascii_style = {
    {{"-", "+", "+", "+"}, {"-", "+", "+", "+"}, {"-", "+", "+", "+"},
     {"", "|", "|", "|"}},
    ":", ";", " ", "+", " ", " ", " ", " ", " ", false, true,
};

/* Box-drawing glyphs, indexed [double?] by the line they belong to and,
 * for crossings, [double?] by the line they cross. */
static const char *const horiz[2] = {"─", "═"};
static const char *const vert[2] = {"│", "║"};
static const char *const corner_tl[2] = {"┌", "╔"};
static const char *const corner_tr[2] = {"┐", "╗"};
static const char *const corner_bl[2] = {"└", "╚"};
static const char *const corner_br[2] = {"┘", "╝"};
/* [header double][border double]: the header rule meeting the border. */
static const char *const head_left[2][2] = {{"├", "╟"}, {"╞", "╠"}};
static const char *const head_right[2][2] = {{"┤", "╢"}, {"╡", "╣"}};
/* [column double][crossing line double]. */
static const char *const cross[2][2] = {{"┼", "╪"}, {"╫", "╬"}};
static const char *const tee_up[2][2] = {{"┴", "╧"}, {"╨", "╩"}};
static const char *const tee_down[2][2] = {{"┬", "╤"}, {"╥", "╦"}};

static void unicode_style(const sh_print_opts *o, sh_line_style *ls)
{
    int b = o->uni_border_double, c = o->uni_column_double;
    int h = o->uni_header_double;

    ls->rule[SH_RULE_TOP] = (sh_rule_style){horiz[b], corner_tl[b],
                                            tee_down[c][b], corner_tr[b]};
    ls->rule[SH_RULE_MIDDLE] = (sh_rule_style){horiz[h], head_left[h][b],
                                               cross[c][h], head_right[h][b]};
    ls->rule[SH_RULE_BOTTOM] = (sh_rule_style){horiz[b], corner_bl[b],
                                               tee_up[c][b], corner_br[b]};
    ls->rule[SH_RULE_DATA] = (sh_rule_style){"", vert[b], vert[c], vert[b]};
    ls->mid_nl = ls->mid_wrap = ls->mid_blank = vert[c];
    ls->header_nl_left = " ";
    ls->header_nl_right = "↵";
    ls->nl_left = " ";
    ls->nl_right = "↵";
    ls->wrap_left = "…";
    ls->wrap_right = "…";
    ls->wrap_right_border = true;
    ls->old_ascii = false;
}

/* The line style o asks for; see format.h. */
void sh_format_style_get(const sh_print_opts *o, sh_line_style *ls)
{
    switch (o->linestyle) {
    case SH_LINE_UNICODE:
        unicode_style(o, ls);
        break;
    case SH_LINE_OLD_ASCII:
        *ls = old_ascii_style;
        break;
    default:
        *ls = ascii_style;
        break;
    }
}

/* psql reads $COLUMNS once at start; a terminal's width only when the
 * output is one (or goes through the pager, which pgdeck tells by
 * term_cols), so that a redirected result never wraps by accident. */
int sh_format_style_columns(FILE *out, const sh_print_opts *o)
{
    const char *env;
    int fd = fileno(out);
    bool tty = fd >= 0 && isatty(fd);
    struct winsize ws;

    if (o->columns > 0)
        return o->columns;
    if (!tty && o->term_cols <= 0)
        return 0;
    env = getenv("COLUMNS");
    if (env != NULL && atoi(env) > 0)
        return atoi(env);
    if (tty && ioctl(fd, TIOCGWINSZ, &ws) != -1)
        return ws.ws_col;
    return o->term_cols;
}

/* Fits a prefix of s into *width columns; see format.h. A character wider
 * than the room left still goes first on a line, as psql's
 * strlen_max_width lets it, so that a narrow column always advances. */
int sh_format_style_fit(const char *s, int *width)
{
    int used = 0, off = 0;

    while (s[off] != '\0') {
        int len, w = sh_format_char_width(s + off, &len);

        if (w < 0)
            w = 0;
        if (used + w > *width && used != 0)
            break;
        used += w;
        off += len;
    }
    *width = used;
    return off;
}
