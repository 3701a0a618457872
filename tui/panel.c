/* panel.c: the panel base (see panel.h). */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "core/xalloc.h"
#include "tui/panel.h"

#define STALE_FACTOR 3 /* no data for this many intervals: stale */

static int closing; /* panel handles that have not finished closing */

static void on_timer(uv_timer_t *t)
{
    tui_panel *p = t->data;

    if (p->ops->refresh != NULL)
        (*p->ops->refresh)(p); /* not the curses refresh() macro */
}

/* Returns-owned panel of kind ops (borrowed, static) on core (borrowed),
 * refreshed every refresh_ms (0: 1000 ms) once started. Calls ops->init.
 * Not placed on screen yet: see tui_panel_place. */
tui_panel *tui_panel_new(const tui_panel_ops *ops, pd_core *core,
                         uint32_t refresh_ms)
{
    tui_panel *p = pd_xcalloc(1, sizeof(*p));

    p->ops = ops;
    p->core = core;
    p->refresh_ms = refresh_ms != 0 ? refresh_ms : 1000;
    p->dirty = true;
    uv_timer_init(pd_core_loop(core), &p->timer);
    p->timer.data = p;
    uv_timer_init(pd_core_loop(core), &p->tick);
    p->tick.data = p;
    p->handles = 2;
    if (ops->init != NULL)
        ops->init(p);
    return p;
}

/* Starts the refresh timer: a first refresh on the next loop iteration,
 * then one every refresh_ms. Does nothing while paused. */
void tui_panel_start(tui_panel *p)
{
    if (!p->paused)
        uv_timer_start(&p->timer, on_timer, 0, p->refresh_ms);
}

/* The title shown (borrowed): the one set, else the kind's name. */
const char *tui_panel_title(const tui_panel *p)
{
    return p->title != NULL ? p->title : p->ops->name;
}

/* Sets the title shown (copied; NULL: the kind's name again). */
void tui_panel_set_title(tui_panel *p, const char *title)
{
    free(p->title);
    p->title = title != NULL ? pd_xstrdup(title) : NULL;
    p->dirty = true;
}

/* Sets the source the panel's queries are counted under in the metrics
 * (copied; NULL: "panel:<title>"). */
void tui_panel_set_source(tui_panel *p, const char *source)
{
    free(p->source);
    p->source = source != NULL ? pd_xstrdup(source) : NULL;
}

static void on_tick(uv_timer_t *t)
{
    tui_panel *p = t->data;

    if (p->ops->tick != NULL)
        p->ops->tick(p);
    p->dirty = true;
}

/* Starts or stops calling ops->tick (and drawing again) every
 * TUI_PANEL_TICK_MS: for what changes with time alone, such as the
 * elapsed time of something running. */
void tui_panel_set_ticking(tui_panel *p, bool on)
{
    if (on == p->ticking)
        return;
    p->ticking = on;
    if (on)
        uv_timer_start(&p->tick, on_tick, TUI_PANEL_TICK_MS,
                       TUI_PANEL_TICK_MS);
    else
        uv_timer_stop(&p->tick);
    p->dirty = true;
}

/* Fills h with how the panel would like to be placed now: its kind's
 * hint, adjusted by ops->fit. Clears hint_changed. */
void tui_panel_fit(tui_panel *p, tui_layout_hint *h)
{
    *h = p->ops->hint;
    if (p->ops->fit != NULL)
        p->ops->fit(p, h);
    p->hint_changed = false;
}

/* Stops or restarts the refresh timer (restarting refreshes at once). */
void tui_panel_set_paused(tui_panel *p, bool paused)
{
    p->paused = paused;
    if (paused)
        uv_timer_stop(&p->timer);
    else
        uv_timer_start(&p->timer, on_timer, 0, p->refresh_ms);
    p->dirty = true;
}

/* Sets the refresh interval (0 is taken as 1 ms); a running timer next
 * fires refresh_ms from now. */
void tui_panel_set_interval(tui_panel *p, uint32_t refresh_ms)
{
    p->refresh_ms = refresh_ms != 0 ? refresh_ms : 1;
    if (uv_is_active((uv_handle_t *)&p->timer))
        uv_timer_start(&p->timer, on_timer, p->refresh_ms, p->refresh_ms);
    p->dirty = true;
}

static void drop_windows(tui_panel *p)
{
    if (p->inner != NULL)
        delwin(p->inner);
    if (p->win != NULL)
        delwin(p->win);
    p->inner = p->win = NULL;
}

/* A frame needs room for itself and one line inside. */
static bool framed(const tui_panel *p)
{
    return p->rect.h >= 3 && p->rect.w >= 4;
}

/* A panel folded to one line (a short screen) is drawn as a frame's top
 * line alone: title, note and stamp on a rule. */
static bool folded(const tui_panel *p)
{
    return p->rect.h == 1 && p->rect.w >= 4;
}

/* Refreshes at once, then every refresh_ms (unless paused). */
void tui_panel_refresh_now(tui_panel *p)
{
    if (p->paused) {
        on_timer(&p->timer);
        return;
    }
    uv_timer_start(&p->timer, on_timer, 0, p->refresh_ms);
}

/* Puts the panel at r (copied) on the screen, or hides it when r has no
 * cells; rebuilds its windows (curses must be up, with r inside the
 * screen) and tells ops->resize. The panel is drawn at the next render
 * pass. */
void tui_panel_place(tui_panel *p, const tui_rect *r)
{
    drop_windows(p);
    p->rect = *r;
    p->dirty = true;
    if (!tui_layout_visible(r))
        return;
    p->win = newwin(r->h, r->w, r->y, r->x);
    if (p->win == NULL)
        return;
    if (framed(p))
        p->inner = derwin(p->win, r->h - 2, r->w - 2, 1, 1);
    else if (r->h >= 2)
        p->inner = derwin(p->win, r->h - 1, r->w, 1, 0);
    if (p->inner != NULL && p->ops->resize != NULL)
        p->ops->resize(p, getmaxy(p->inner), getmaxx(p->inner));
}

/* Marks the panel focused or not (its frame shows it). */
void tui_panel_set_focus(tui_panel *p, bool focused)
{
    if (p->focused != focused)
        p->dirty = true;
    p->focused = focused;
}

/* Records that the model got new data now: stamps and marks dirty. */
void tui_panel_fresh(tui_panel *p)
{
    p->fresh_ms = uv_now(pd_core_loop(p->core));
    p->fresh_wall = time(NULL);
    p->dirty = true;
}

/* Sets the error shown in place (msg copied, first line only; NULL
 * clears). Marks dirty when it changes. */
void tui_panel_set_error(tui_panel *p, const char *msg)
{
    char *line = msg != NULL ? pd_xstrndup(msg, strcspn(msg, "\n")) : NULL;

    if (line == NULL ? p->error == NULL :
                       p->error != NULL && strcmp(line, p->error) == 0) {
        free(line);
        return;
    }
    free(p->error);
    p->error = line;
    p->error_ms = uv_now(pd_core_loop(p->core));
    p->dirty = true;
}

/* Sets the short status shown after the title (copied; NULL clears). */
void tui_panel_set_note(tui_panel *p, const char *note)
{
    if (note == NULL ? p->note == NULL :
                       p->note != NULL && strcmp(note, p->note) == 0)
        return;
    free(p->note);
    p->note = note != NULL ? pd_xstrdup(note) : NULL;
    p->dirty = true;
}

/* True when the model cannot be trusted as current: an error came after
 * the last data, or no data came for STALE_FACTOR intervals while not
 * paused. Draw code dims the last good data then. */
bool tui_panel_stale(const tui_panel *p)
{
    uint64_t now;

    if (p->error != NULL && p->error_ms >= p->fresh_ms)
        return true;
    if (p->paused || p->timeless || p->fresh_ms == 0)
        return false;
    now = uv_now(pd_core_loop(p->core));
    return now - p->fresh_ms > (uint64_t)STALE_FACTOR * p->refresh_ms;
}

static void draw_chrome(tui_panel *p, const tui_theme *th)
{
    char stamp[48] = "", age[16];
    bool ruled = framed(p) || folded(p);
    int w = p->rect.w, edge = ruled ? 1 : 0, x, title_end;
    uint64_t now = uv_now(pd_core_loop(p->core));
    struct tm tm;

    wattrset(p->win, tui_theme_attr(th, p->focused ? TUI_ROLE_FRAME_FOCUS :
                                                     TUI_ROLE_FRAME));
    if (framed(p))
        box_set(p->win, 0, 0);
    else if (folded(p))
        mvwhline_set(p->win, 0, 0, WACS_HLINE, w);
    wattrset(p->win, A_NORMAL);
    x = edge;
    if (ruled)
        x += tui_panel_put(p->win, 0, x, tui_theme_attr(th, TUI_ROLE_FRAME),
                           " ");
    x += tui_panel_putn(p->win, 0, x, tui_theme_attr(th, TUI_ROLE_TITLE),
                        tui_panel_title(p), w - edge - x - 1);
    if (p->note != NULL && x + 2 < w - edge) {
        /* The note describes the data: as old as it when stale. */
        tui_role nr = tui_panel_stale(p)              ? TUI_ROLE_DIM :
                      p->note_role != TUI_ROLE_DEFAULT ? p->note_role :
                                                         TUI_ROLE_FILTER;

        x += tui_panel_put(p->win, 0, x, tui_theme_attr(th, TUI_ROLE_TITLE),
                           " ");
        x += tui_panel_putn(p->win, 0, x, tui_theme_attr(th, nr), p->note,
                            w - edge - x - 1);
    }
    if (ruled)
        x += tui_panel_put(p->win, 0, x, tui_theme_attr(th, TUI_ROLE_FRAME),
                           " ");
    title_end = x;

    /* A query slower than the interval says so: the data is not late by
     * accident. */
    if (p->refreshing != NULL && now - p->sent_ms >= p->refresh_ms) {
        tui_panel_fmt_age(age, sizeof(age),
                          (double)(now - p->sent_ms) / 1000.0);
        snprintf(stamp, sizeof(stamp), " query running %s ", age);
    } else if (p->paused) {
        snprintf(stamp, sizeof(stamp), " paused ");
    } else if (p->fresh_ms == 0) {
        snprintf(stamp, sizeof(stamp), " waiting ");
    } else if (localtime_r(&p->fresh_wall, &tm) != NULL) {
        strftime(stamp, sizeof(stamp), " %H:%M:%S ", &tm);
    }
    x = w - edge - (int)strlen(stamp);
    if (stamp[0] != '\0' && x > title_end)
        tui_panel_put(p->win, 0, x,
                      tui_theme_attr(th, tui_panel_stale(p) || p->paused ?
                                             TUI_ROLE_DIM :
                                             TUI_ROLE_LABEL),
                      stamp);
}

/* Draws the panel if it is dirty and visible: frame, title, freshness
 * stamp, the error in place, then ops->draw for the model; queues it with
 * wnoutrefresh (the caller does the one doupdate). Returns true when it
 * drew. Reads the model only. */
bool tui_panel_render(tui_panel *p, const tui_theme *th)
{
    int top = 0;

    if (!p->dirty || p->win == NULL)
        return false;
    p->dirty = false;
    wbkgdset(p->win, tui_theme_attr(th, TUI_ROLE_DEFAULT) | ' ');
    if (p->inner != NULL)
        wbkgdset(p->inner, tui_theme_attr(th, TUI_ROLE_DEFAULT) | ' ');
    werase(p->win);
    draw_chrome(p, th);
    if (p->inner != NULL) {
        if (p->error != NULL)
            top = tui_panel_wrap(p->inner, 0, 0,
                                 tui_theme_attr(th, TUI_ROLE_ERROR),
                                 p->error, 3);
        if (p->ops->draw != NULL)
            p->ops->draw(p, p->inner, top, th);
    }
    /* The inner window shares the frame's cells but not its change marks. */
    touchwin(p->win);
    wnoutrefresh(p->win);
    return true;
}

/* Offers key to the focused panel: returns its TUI_* flags (TUI_IGNORED
 * when it has no key handler); TUI_REDRAW marks it dirty. */
int tui_panel_key(tui_panel *p, int key)
{
    int r;

    if (p->ops->key == NULL)
        return TUI_IGNORED;
    r = p->ops->key(p, key);
    if (r & TUI_REDRAW)
        p->dirty = true;
    return r;
}

/* Offers a click at (y, x) of the screen to the panel, translated to its
 * inner window; ignored outside it. */
void tui_panel_click(tui_panel *p, int y, int x)
{
    int by, bx;

    if (p->inner == NULL || p->ops->click == NULL)
        return;
    getbegyx(p->inner, by, bx);
    if (y < by || x < bx || y >= by + getmaxy(p->inner) ||
        x >= bx + getmaxx(p->inner))
        return;
    p->ops->click(p, y - by, x - bx);
    p->dirty = true;
}

static void on_closed(uv_handle_t *h)
{
    tui_panel *p = h->data;

    closing--;
    if (--p->handles == 0)
        free(p);
}

/* Stops the panel, frees its windows and model (ops->free) now, and the
 * panel itself once its timer has closed (see tui_panel_closing). Accepts
 * NULL. */
void tui_panel_close(tui_panel *p)
{
    if (p == NULL)
        return;
    uv_timer_stop(&p->timer);
    uv_timer_stop(&p->tick);
    drop_windows(p);
    if (p->ops->free != NULL)
        p->ops->free(p);
    p->model = NULL;
    free(p->error);
    p->error = NULL;
    free(p->note);
    p->note = NULL;
    free(p->title);
    p->title = NULL;
    free(p->source);
    p->source = NULL;
    tui_panel_drop_reqs(p);
    closing += 2;
    uv_close((uv_handle_t *)&p->timer, on_closed);
    uv_close((uv_handle_t *)&p->tick, on_closed);
}

/* True while a closed panel's timer is still closing. */
bool tui_panel_closing(void)
{
    return closing > 0;
}

/* Decodes one character of s (at most the NUL): its wide value, made
 * printable, and its width; returns the bytes it takes (0 at the end). */
static size_t next_char(const char *s, wchar_t *wc, int *width)
{
    mbstate_t st;
    size_t n;

    if (*s == '\0')
        return 0;
    memset(&st, 0, sizeof(st));
    n = mbrtowc(wc, s, strlen(s), &st);
    if (n == (size_t)-1 || n == (size_t)-2) {
        *wc = L'?';
        n = 1;
    }
    if (*wc < 0x20 || *wc == 0x7f)
        *wc = L' ';
    *width = wcwidth(*wc);
    if (*width < 0) {
        *wc = L'?';
        *width = 1;
    }
    return n;
}

/* Writes s at (y, x) of w with attributes a, as much as fits in cols
 * columns and on that line (never wrapping; control characters shown as
 * spaces, invalid bytes as '?'). Returns the columns written (0 when out of
 * the window). */
int tui_panel_putn(WINDOW *w, int y, int x, attr_t a, const char *s,
                   int cols)
{
    int maxx, col = x, cw = 0;
    wchar_t wc, buf[2] = {0, 0};
    size_t n;

    if (w == NULL || s == NULL || y < 0 || x < 0 || y >= getmaxy(w))
        return 0;
    maxx = getmaxx(w);
    if (cols < maxx - x)
        maxx = x + cols;
    if (x >= maxx)
        return 0;
    wattrset(w, a);
    wmove(w, y, x);
    while ((n = next_char(s, &wc, &cw)) > 0 && col + cw <= maxx) {
        buf[0] = wc;
        waddnwstr(w, buf, 1);
        col += cw;
        s += n;
    }
    wattrset(w, A_NORMAL);
    return col - x;
}

/* As tui_panel_putn, up to the window's right edge. */
int tui_panel_put(WINDOW *w, int y, int x, attr_t a, const char *s)
{
    return tui_panel_putn(w, y, x, a, s, INT_MAX);
}

/* As tui_panel_put, with printf formatting. */
int tui_panel_putf(WINDOW *w, int y, int x, attr_t a, const char *fmt, ...)
{
    va_list ap;
    char *s;
    int n;

    va_start(ap, fmt);
    s = pd_xvasprintf(fmt, ap);
    va_end(ap);
    n = tui_panel_put(w, y, x, a, s);
    free(s);
    return n;
}

/* Writes s from (y, x) on, wrapped at spaces to the window's width, on at
 * most max_lines lines (the rest is cut). Returns the lines used. */
int tui_panel_wrap(WINDOW *w, int y, int x, attr_t a, const char *s,
                   int max_lines)
{
    int lines = 0, width;

    if (w == NULL || s == NULL)
        return 0;
    width = getmaxx(w) - x;
    if (width <= 0)
        return 0;
    while (*s != '\0' && lines < max_lines && y + lines < getmaxy(w)) {
        const char *p = s, *brk = NULL;
        int col = 0, cw = 0;
        wchar_t wc;
        size_t n;
        char *line;

        while ((n = next_char(p, &wc, &cw)) > 0 && col + cw <= width) {
            if (*p == ' ')
                brk = p;
            col += cw;
            p += n;
        }
        if (*p != '\0' && brk != NULL && brk > s)
            p = brk;
        if (p == s) /* not even one character fits */
            break;
        line = pd_xstrndup(s, (size_t)(p - s));
        tui_panel_put(w, y + lines, x, a, line);
        free(line);
        lines++;
        s = p;
        while (*s == ' ')
            s++;
    }
    return lines;
}

/* Returns the columns s takes on screen (as tui_panel_put draws it). */
int tui_panel_width(const char *s)
{
    wchar_t wc;
    int cw, w = 0;
    size_t n;

    while (s != NULL && (n = next_char(s, &wc, &cw)) > 0) {
        w += cw;
        s += n;
    }
    return w;
}

/* Formats a duration of us microseconds for a narrow column: "0.42 ms",
 * "12.3 ms", "1.25 s", "2m05s", "3h07m". */
void tui_panel_fmt_us(char *buf, size_t len, uint64_t us)
{
    if (us < 10000)
        snprintf(buf, len, "%.2f ms", (double)us / 1000.0);
    else if (us < 1000000)
        snprintf(buf, len, "%.1f ms", (double)us / 1000.0);
    else if (us < 60000000)
        snprintf(buf, len, "%.2f s", (double)us / 1e6);
    else
        tui_panel_fmt_age(buf, len, (double)us / 1e6);
}

/* Formats a duration of whole milliseconds (uv_now() differences, which
 * have no finer part to show): "0 ms", "999 ms", then as
 * tui_panel_fmt_us from one second on ("1.25 s"). */
void tui_panel_fmt_ms(char *buf, size_t len, uint64_t ms)
{
    if (ms < 1000)
        snprintf(buf, len, "%u ms", (unsigned)ms);
    else
        tui_panel_fmt_us(buf, len, ms * 1000);
}

/* Formats an age of secs seconds in at most 6 columns: "0.4s", "12s",
 * "2m05s", "3h07m", "4d02h". */
void tui_panel_fmt_age(char *buf, size_t len, double secs)
{
    uint64_t s;

    if (secs < 0)
        secs = 0;
    if (secs < 10) {
        snprintf(buf, len, "%.1fs", secs);
        return;
    }
    s = (uint64_t)secs;
    if (s < 60)
        snprintf(buf, len, "%us", (unsigned)s);
    else if (s < 3600)
        snprintf(buf, len, "%um%02us", (unsigned)(s / 60),
                 (unsigned)(s % 60));
    else if (s < 86400)
        snprintf(buf, len, "%uh%02um", (unsigned)(s / 3600),
                 (unsigned)(s % 3600 / 60));
    else
        snprintf(buf, len, "%ud%02uh", (unsigned)(s / 86400),
                 (unsigned)(s % 86400 / 3600));
}

/* Ends the flow's line, if anything is on it. */
void tui_flow_break(tui_flow *f)
{
    if (f->x > 0) {
        f->y++;
        f->x = 0;
    }
}

/* Places "label value" (label in f->label, value in value_a; 0: in
 * f->value) two columns after the last item, or at the start of the next
 * line when it would not fit on this one. */
void tui_flow_item(tui_flow *f, const char *label, attr_t value_a,
                   const char *value)
{
    int need = tui_panel_width(label) + tui_panel_width(value) +
               (label[0] != '\0');

    if (f->x > 0 && f->x + 2 + need > getmaxx(f->w))
        tui_flow_break(f);
    else if (f->x > 0)
        f->x += 2;
    if (label[0] != '\0')
        f->x += tui_panel_putf(f->w, f->y, f->x, f->label, "%s ", label);
    f->x += tui_panel_put(f->w, f->y, f->x, value_a != 0 ? value_a : f->value,
                          value);
}

/* A flow item of a count. */
void tui_flow_u64(tui_flow *f, const char *label, uint64_t v)
{
    char buf[24];

    snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
    tui_flow_item(f, label, 0, buf);
}

/* A flow item of a duration in microseconds (tui_panel_fmt_us). */
void tui_flow_us(tui_flow *f, const char *label, uint64_t us)
{
    char buf[24];

    tui_panel_fmt_us(buf, sizeof(buf), us);
    tui_flow_item(f, label, 0, buf);
}
