/* cmdline.c: the ':' line editor (see cmdline.h). */
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "tui/cmdline.h"
#include "tui/panel.h"

#define ESC 27
#define CTL(c) ((c) & 0x1f)
#define PROMPT ":"

/* Fills c (caller's memory): closed, empty, no history. */
void tui_cmdline_init(tui_cmdline *c)
{
    memset(c, 0, sizeof(*c));
}

/* Frees the history (not c itself). */
void tui_cmdline_free(tui_cmdline *c)
{
    int i;

    for (i = 0; i < c->nhist; i++)
        free(c->hist[i]);
    free(c->draft);
    tui_cmdline_init(c);
}

static void set_text(tui_cmdline *c, const char *s)
{
    size_t n = strlen(s);

    if (n >= sizeof(c->buf))
        n = sizeof(c->buf) - 1;
    memcpy(c->buf, s, n);
    c->buf[n] = '\0';
    c->len = c->cur = n;
}

/* Opens an empty line for editing, at the end of the history. */
void tui_cmdline_open(tui_cmdline *c)
{
    c->active = true;
    set_text(c, "");
    c->hpos = c->nhist;
    free(c->draft);
    c->draft = NULL;
}

static bool cont(char ch)
{
    return ((unsigned char)ch & 0xc0) == 0x80;
}

/* The byte offset of the character before / after offset i. */
static size_t prev_char(const tui_cmdline *c, size_t i)
{
    while (i > 0 && cont(c->buf[--i]))
        ;
    return i;
}

static size_t next_char(const tui_cmdline *c, size_t i)
{
    if (i < c->len)
        i++;
    while (i < c->len && cont(c->buf[i]))
        i++;
    return i;
}

/* Removes the bytes [from, to). */
static void cut(tui_cmdline *c, size_t from, size_t to)
{
    memmove(c->buf + from, c->buf + to, c->len - to + 1);
    c->len -= to - from;
    c->cur = from;
}

static void insert(tui_cmdline *c, char ch)
{
    if (c->len + 1 >= sizeof(c->buf))
        return;
    memmove(c->buf + c->cur + 1, c->buf + c->cur, c->len - c->cur + 1);
    c->buf[c->cur++] = ch;
    c->len++;
}

/* Shows history line h (c->nhist: the line being written). */
static void browse(tui_cmdline *c, int h)
{
    if (h < 0 || h > c->nhist || h == c->hpos)
        return;
    if (c->hpos == c->nhist) {
        free(c->draft);
        c->draft = pd_xstrdup(c->buf);
    }
    c->hpos = h;
    set_text(c, h == c->nhist ? (c->draft != NULL ? c->draft : "") :
                                c->hist[h]);
}

/* Applies key; see tui_cmdline_act. Keys that mean nothing here are
 * eaten: the line takes every key while open. */
tui_cmdline_act tui_cmdline_key(tui_cmdline *c, int key)
{
    size_t i;

    switch (key) {
    case '\r':
    case '\n':
    case KEY_ENTER:
        return TUI_CMDLINE_ENTER;
    case ESC:
    case CTL('C'):
    case CTL('G'):
        c->active = false;
        return TUI_CMDLINE_CANCEL;
    case KEY_BACKSPACE:
    case 127:
    case CTL('H'):
        if (c->cur == 0 && c->len == 0) { /* as vim: leaves the line */
            c->active = false;
            return TUI_CMDLINE_CANCEL;
        }
        if (c->cur > 0)
            cut(c, prev_char(c, c->cur), c->cur);
        break;
    case KEY_DC:
    case CTL('D'):
        if (c->cur < c->len)
            cut(c, c->cur, next_char(c, c->cur));
        break;
    case KEY_LEFT:
    case CTL('B'):
        c->cur = prev_char(c, c->cur);
        break;
    case KEY_RIGHT:
    case CTL('F'):
        c->cur = next_char(c, c->cur);
        break;
    case KEY_HOME:
    case CTL('A'):
        c->cur = 0;
        break;
    case KEY_END:
    case CTL('E'):
        c->cur = c->len;
        break;
    case CTL('U'):
        cut(c, 0, c->cur);
        break;
    case CTL('K'):
        c->buf[c->cur] = '\0';
        c->len = c->cur;
        break;
    case CTL('W'):
        i = c->cur;
        while (i > 0 && c->buf[i - 1] == ' ')
            i--;
        while (i > 0 && c->buf[i - 1] != ' ')
            i--;
        cut(c, i, c->cur);
        break;
    case KEY_UP:
    case CTL('P'):
        browse(c, c->hpos - 1);
        break;
    case KEY_DOWN:
    case CTL('N'):
        browse(c, c->hpos + 1);
        break;
    default:
        if (key == '\t')
            key = ' ';
        if (key >= 32 && key <= 255 && key != 127)
            insert(c, (char)key);
        break;
    }
    return TUI_CMDLINE_EDITED;
}

/* Closes the line and returns-owned its text, which joins the history
 * (unless blank or the same as the last line). */
char *tui_cmdline_take(tui_cmdline *c)
{
    char *s = pd_xstrdup(c->buf);
    const char *p = s;

    c->active = false;
    while (*p == ' ')
        p++;
    if (*p != '\0' &&
        (c->nhist == 0 || strcmp(c->hist[c->nhist - 1], s) != 0)) {
        if (c->nhist == TUI_CMDLINE_HIST) {
            free(c->hist[0]);
            memmove(c->hist, c->hist + 1, (size_t)(c->nhist - 1) *
                                              sizeof(c->hist[0]));
            c->nhist--;
        }
        c->hist[c->nhist++] = pd_xstrdup(s);
    }
    c->hpos = c->nhist;
    free(c->draft);
    c->draft = NULL;
    return s;
}

/* Columns the bytes [from, to) of the line take. */
static int span(const tui_cmdline *c, size_t from, size_t to)
{
    char *s = pd_xstrndup(c->buf + from, to - from);
    int w = tui_panel_width(s);

    free(s);
    return w;
}

/* Draws ":" and the line on line y of w, scrolled so the cursor (a
 * highlighted cell) is in sight. */
void tui_cmdline_draw(const tui_cmdline *c, WINDOW *w, int y,
                      const tui_theme *th)
{
    attr_t a = tui_theme_attr(th, TUI_ROLE_DEFAULT);
    attr_t ca = tui_theme_attr(th, TUI_ROLE_SELECTED);
    int width = getmaxx(w), x, room;
    size_t from = 0, at;
    char *s;

    wbkgdset(w, a | ' ');
    werase(w);
    x = tui_panel_put(w, y, 0, tui_theme_attr(th, TUI_ROLE_KEY), PROMPT);
    room = width - x - 1; /* the cursor's cell after the text */
    if (room <= 0)
        return;
    while (from < c->cur && span(c, from, c->cur) > room)
        from = next_char(c, from);
    s = pd_xstrndup(c->buf + from, c->cur - from);
    x += tui_panel_putn(w, y, x, a, s, room);
    free(s);
    at = next_char(c, c->cur);
    s = pd_xstrndup(c->buf + c->cur, at - c->cur);
    if (x < width)
        x += tui_panel_putn(w, y, x, ca, s[0] != '\0' ? s : " ", width - x);
    free(s);
    if (x < width)
        tui_panel_putn(w, y, x, a, c->buf + at, width - x);
}
