/* tui.c: the dashboard: screen, panels and keys put together (tui.h).
 *
 * The screen is a header line (version, database, refresh, clock), the
 * panels laid out by layout.c, and the key bar. Timers and core callbacks
 * only mark things dirty; the screen's render pass draws them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <curses.h>

#include "core/conninfo.h"
#include "core/version.h"
#include "core/xalloc.h"
#include "tui/keys.h"
#include "tui/layout.h"
#include "tui/panel.h"
#include "tui/screen.h"
#include "tui/theme.h"
#include "tui/tui.h"


#define DEFAULT_REFRESH_MS 1000
#define MIN_REFRESH_MS 100
#define MAX_REFRESH_MS 60000

typedef struct tui {
    pd_core *core;                      /* borrowed */
    tui_theme theme;
    tui_layout layout;
    tui_panel *panels[TUI_LAYOUT_MAX];  /* owned */
    int npanels, focus;
    bool zoom, paused, help;
    uint32_t refresh_ms;
    WINDOW *header, *keybar, *helpwin;  /* NULL while hidden */
    bool header_dirty, keybar_dirty, help_dirty, full;
    uv_timer_t clock;                   /* ticks the header each second */
    bool clock_closing;
    int rc;                             /* tui_run's return value */
} tui;

static void mark_all(tui *t)
{
    int i;

    t->header_dirty = t->keybar_dirty = t->help_dirty = t->full = true;
    for (i = 0; i < t->npanels; i++)
        t->panels[i]->dirty = true;
}

static void quit(tui *t, int rc)
{
    t->rc = rc;
    pd_core_stop(t->core);
}

static WINDOW *window_at(WINDOW *old, const tui_rect *r)
{
    if (old != NULL)
        delwin(old);
    return tui_layout_visible(r) ? newwin(r->h, r->w, r->y, r->x) : NULL;
}

static void place_help(tui *t)
{
    tui_rect r = {0, 0, 0, 0};
    int nkeys = 0;

    while (tui_keys_table[nkeys].key != 0)
        nkeys++;
    if (t->help) {
        r.h = nkeys + 3 < LINES ? nkeys + 3 : LINES;
        r.w = 56 < COLS ? 56 : COLS;
        r.y = (LINES - r.h) / 2;
        r.x = (COLS - r.w) / 2;
    }
    t->helpwin = window_at(t->helpwin, &r);
    t->help_dirty = true;
}

/* Lays everything out again for the current terminal size. */
static void relayout(tui *t)
{
    int i;

    if (tui_layout_compute(&t->layout, LINES, COLS, t->npanels, t->focus,
                           t->zoom) != 0)
        return;
    t->header = window_at(t->header, &t->layout.header);
    t->keybar = window_at(t->keybar, &t->layout.keybar);
    for (i = 0; i < t->npanels; i++) {
        tui_panel_place(t->panels[i], &t->layout.panel[i]);
        tui_panel_set_focus(t->panels[i], i == t->focus);
    }
    place_help(t);
    mark_all(t);
}

static void draw_header(tui *t)
{
    const char *db = pd_conninfo_dbname(pd_core_conninfo(t->core));
    attr_t a = tui_theme_attr(&t->theme, TUI_ROLE_HEADER);
    char clock[16] = "", right[64], *left;
    time_t now = time(NULL);
    struct tm tm;
    int w = getmaxx(t->header), rlen;

    if (localtime_r(&now, &tm) != NULL)
        strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
    left = pd_xasprintf(" pgdeck %s  db %s", PD_VERSION, db ? db : "?");
    if (t->paused)
        snprintf(right, sizeof(right), "  paused  %s ", clock);
    else
        snprintf(right, sizeof(right), "  refresh %gs  %s ",
                 (double)t->refresh_ms / 1000.0, clock); /* 0.25s, 1s */
    /* The clock matters most, then the database: narrow screens cut the
     * refresh interval first, then the left part's end. */
    if ((int)strlen(left) + (int)strlen(right) > w)
        snprintf(right, sizeof(right), " %s ", clock);
    rlen = (int)strlen(right);
    if (rlen > w)
        rlen = 0;

    wbkgdset(t->header, a | ' ');
    werase(t->header);
    tui_panel_putn(t->header, 0, 0, a, left, w - rlen);
    if (rlen > 0)
        tui_panel_put(t->header, 0, w - rlen, a, right);
    free(left);
}

static void draw_help(tui *t)
{
    WINDOW *w = t->helpwin;
    const tui_theme *th = &t->theme;

    werase(w);
    wattrset(w, tui_theme_attr(th, TUI_ROLE_FRAME_FOCUS));
    box_set(w, 0, 0);
    wattrset(w, A_NORMAL);
    tui_panel_put(w, 0, 2, tui_theme_attr(th, TUI_ROLE_TITLE), " Help ");
    tui_keys_draw_help(w, 1, 2, th);
    tui_panel_put(w, getmaxy(w) - 1, 2, tui_theme_attr(th, TUI_ROLE_DIM),
                  " any key closes ");
}

/* The render pass: draws what is dirty, in stacking order. */
static bool on_render(void *ctx)
{
    tui *t = ctx;
    bool drew = false;
    int i;

    if (t->full) {
        werase(stdscr);
        wnoutrefresh(stdscr);
        t->full = false;
        drew = true;
    }
    if (t->header != NULL && t->header_dirty) {
        draw_header(t);
        wnoutrefresh(t->header);
        drew = true;
    }
    t->header_dirty = false;
    for (i = 0; i < t->npanels; i++)
        drew |= tui_panel_render(t->panels[i], &t->theme);
    if (t->keybar != NULL && t->keybar_dirty) {
        tui_keys_draw_bar(t->keybar, &t->theme);
        wnoutrefresh(t->keybar);
        drew = true;
    }
    t->keybar_dirty = false;
    /* The help box sits on top of whatever was drawn under it. */
    if (t->helpwin != NULL && (drew || t->help_dirty)) {
        if (t->help_dirty)
            draw_help(t);
        touchwin(t->helpwin);
        wnoutrefresh(t->helpwin);
        drew = true;
    }
    t->help_dirty = false;
    return drew;
}

static void set_focus(tui *t, int focus)
{
    if (t->npanels == 0)
        return;
    t->focus = (focus + t->npanels) % t->npanels;
    relayout(t); /* a collapsed layout may have to show another panel */
}

static void set_refresh(tui *t, uint32_t ms)
{
    int i;

    if (ms < MIN_REFRESH_MS)
        ms = MIN_REFRESH_MS;
    if (ms > MAX_REFRESH_MS)
        ms = MAX_REFRESH_MS;
    t->refresh_ms = ms;
    for (i = 0; i < t->npanels; i++)
        tui_panel_set_interval(t->panels[i], ms);
    t->header_dirty = true;
}

static void on_key(int key, void *ctx)
{
    tui *t = ctx;
    int i;

    if (key == KEY_RESIZE)
        return; /* the SIGWINCH watcher handles resizes */
    if (t->help) {
        t->help = false;
        place_help(t);
        mark_all(t);
        return;
    }
    switch (tui_keys_action(key)) {
    case TUI_ACT_QUIT:
        quit(t, 0);
        break;
    case TUI_ACT_HELP:
        t->help = true;
        place_help(t);
        break;
    case TUI_ACT_NEXT_PANEL:
        set_focus(t, t->focus + 1);
        break;
    case TUI_ACT_PREV_PANEL:
        set_focus(t, t->focus - 1);
        break;
    case TUI_ACT_PAUSE:
        t->paused = !t->paused;
        for (i = 0; i < t->npanels; i++)
            tui_panel_set_paused(t->panels[i], t->paused);
        t->header_dirty = true;
        break;
    case TUI_ACT_FASTER:
        set_refresh(t, t->refresh_ms / 2);
        break;
    case TUI_ACT_SLOWER:
        set_refresh(t, t->refresh_ms * 2);
        break;
    case TUI_ACT_REDRAW:
        tui_screen_redraw_all();
        mark_all(t);
        break;
    case TUI_ACT_NONE:
        if (t->npanels > 0)
            tui_panel_key(t->panels[t->focus], key);
        break;
    }
}

static void on_resize(int rows, int cols, void *ctx)
{
    (void)rows;
    (void)cols;
    relayout(ctx);
}

static void on_quit(int signum, void *ctx)
{
    quit(ctx, 128 + signum);
}

static void on_clock(uv_timer_t *h);

/* Ticks just after each wall-clock second, so the header never skips one. */
static void arm_clock(tui *t)
{
    struct timeval tv;
    uint64_t ms;

    gettimeofday(&tv, NULL);
    ms = 1000 - (uint64_t)tv.tv_usec / 1000;
    uv_timer_start(&t->clock, on_clock, ms + 5, 0);
}

static void on_clock(uv_timer_t *h)
{
    tui *t = h->data;
    int i;

    t->header_dirty = true;
    /* Freshness stamps age even when no data comes. */
    for (i = 0; i < t->npanels; i++)
        if (tui_panel_stale(t->panels[i]))
            t->panels[i]->dirty = true;
    arm_clock(t);
}

static void on_clock_closed(uv_handle_t *h)
{
    tui *t = h->data;

    t->clock_closing = false;
}

static void teardown(tui *t, uv_loop_t *loop)
{
    int i;

    /* Windows go before the screen that owns them (delscreen). */
    for (i = 0; i < t->npanels; i++)
        tui_panel_close(t->panels[i]);
    t->npanels = 0;
    if (t->header != NULL)
        delwin(t->header);
    if (t->keybar != NULL)
        delwin(t->keybar);
    if (t->helpwin != NULL)
        delwin(t->helpwin);
    t->header = t->keybar = t->helpwin = NULL;
    tui_screen_close();
    if (t->clock.loop != NULL) {
        t->clock_closing = true;
        uv_close((uv_handle_t *)&t->clock, on_clock_closed);
    }
    while (t->clock_closing || tui_screen_closing() || tui_panel_closing())
        uv_run(loop, UV_RUN_NOWAIT);
}

/* Runs the dashboard; see tui.h for the contract. */
int tui_run(pd_core *core, const tui_opts *opts)
{
    static const tui_screen_cbs cbs = {
        .key = on_key,
        .resize = on_resize,
        .render = on_render,
        .quit = on_quit,
    };
    uv_loop_t *loop = pd_core_loop(core);
    pd_error err = PD_ERROR_INIT;
    bool no_color;
    tui t;
    int i;

    memset(&t, 0, sizeof(t));
    t.core = core;
    t.refresh_ms = opts != NULL && opts->refresh_ms != 0 ? opts->refresh_ms :
                                                           DEFAULT_REFRESH_MS;
    no_color = (opts != NULL && opts->no_color) ||
               pd_core_config(core)->no_color;

    if (tui_screen_open(loop, &cbs, &t, &err) != 0) {
        fprintf(stderr, "pgdeck: %s\n", err.message);
        pd_error_clear(&err);
        teardown(&t, loop);
        return 1;
    }
    tui_theme_init(&t.theme, no_color);
    t.panels[t.npanels++] = tui_panel_new(&tui_pool_panel, core,
                                          t.refresh_ms);
    uv_timer_init(loop, &t.clock);
    t.clock.data = &t;
    arm_clock(&t);
    relayout(&t);
    for (i = 0; i < t.npanels; i++)
        tui_panel_start(t.panels[i]);

    pd_core_run(core);

    teardown(&t, loop);
    return t.rc;
}
