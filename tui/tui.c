/* tui.c: the dashboard: screen, panels and keys put together (tui.h).
 *
 * The screen is a header line (version, database, refresh, clock), the
 * panels laid out by layout.c, and the key bar; the help and a y/n
 * question sit on top when asked for. Timers and core callbacks only mark
 * things dirty; the screen's render pass draws them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <curses.h>

#include "core/conninfo.h"
#include "core/version.h"
#include "core/xalloc.h"
#include "tui/dialog.h"
#include "tui/keys.h"
#include "tui/layout.h"
#include "tui/panel.h"
#include "tui/screen.h"
#include "tui/theme.h"
#include "tui/tui.h"

#define DEFAULT_REFRESH_MS 1000
#define MIN_REFRESH_MS 100
#define MAX_REFRESH_MS 60000
#define ESC 27

/* The panels in layout and Tab order; the focus starts on Activity. */
static const tui_panel_ops *const panel_kinds[] = {
    &tui_pool_panel,
    &tui_queries_panel,
    &tui_retries_panel,
    &tui_slow_panel,
    &tui_activity_panel,
    &tui_locks_panel,
};
#define NKINDS ((int)(sizeof(panel_kinds) / sizeof(panel_kinds[0])))
#define FIRST_FOCUS 4

typedef struct tui {
    pd_core *core;                      /* borrowed */
    tui_theme theme;
    tui_layout layout;
    tui_panel *panels[TUI_LAYOUT_MAX];  /* owned */
    tui_layout_hint hints[TUI_LAYOUT_MAX];
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
    tui_dialog_place(LINES, COLS);
}

static void quit(tui *t, int rc)
{
    t->rc = rc;
    pd_core_stop(t->core);
}

static tui_panel *focused(tui *t)
{
    return t->npanels > 0 ? t->panels[t->focus] : NULL;
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
    tui_panel *p = focused(t);
    int lines = tui_keys_help_lines(p != NULL ? p->ops->keys : NULL);

    if (t->help) {
        r.h = lines + 3 < LINES ? lines + 3 : LINES;
        r.w = 62 < COLS ? 62 : COLS;
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

    if (tui_layout_compute_hints(&t->layout, LINES, COLS, t->hints,
                                 t->npanels, t->focus, t->zoom) != 0)
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
    char clock[16] = "", right[80], *left;
    time_t now = time(NULL);
    struct tm tm;
    int w = getmaxx(t->header), rlen;

    if (localtime_r(&now, &tm) != NULL)
        strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
    left = pd_xasprintf(" pgdeck %s  db %s", PD_VERSION, db ? db : "?");
    if (t->paused)
        snprintf(right, sizeof(right), "%s  paused  %s ",
                 t->zoom ? "  zoom" : "", clock);
    else
        snprintf(right, sizeof(right), "%s  refresh %gs  %s ",
                 t->zoom ? "  zoom" : "", (double)t->refresh_ms / 1000.0,
                 clock); /* 0.25s, 1s */
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
    tui_panel *p = focused(t);

    werase(w);
    wattrset(w, tui_theme_attr(th, TUI_ROLE_FRAME_FOCUS));
    box_set(w, 0, 0);
    wattrset(w, A_NORMAL);
    tui_panel_put(w, 0, 2, tui_theme_attr(th, TUI_ROLE_TITLE), " Help ");
    tui_keys_draw_help(w, 1, 2, th, p != NULL ? p->ops->name : NULL,
                       p != NULL ? p->ops->keys : NULL);
    tui_panel_put(w, getmaxy(w) - 1, 2, tui_theme_attr(th, TUI_ROLE_DIM),
                  " any key closes ");
}

static void draw_keybar(tui *t)
{
    tui_panel *p = focused(t);
    const tui_key *keys = p != NULL ? p->ops->keys : NULL;

    if (tui_dialog_active())
        keys = tui_keys_confirm;
    else if (p != NULL && p->modal)
        keys = tui_keys_edit;
    tui_keys_draw_bar(t->keybar, &t->theme, keys,
                      tui_dialog_current_message());
}

/* The render pass: draws what is dirty, in stacking order. */
static bool on_render(void *ctx)
{
    tui *t = ctx;
    bool drew = false;
    int i;

    if (tui_dialog_take_changed())
        t->keybar_dirty = true;
    if (t->full) {
        wbkgdset(stdscr, tui_theme_attr(&t->theme, TUI_ROLE_DEFAULT) | ' ');
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
        draw_keybar(t);
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
    drew |= tui_dialog_render(&t->theme, drew);
    return drew;
}

static void set_focus(tui *t, int focus)
{
    if (t->npanels == 0)
        return;
    focus = (focus + t->npanels) % t->npanels;
    if (focus == t->focus)
        return;
    t->focus = focus;
    relayout(t); /* a collapsed layout may have to show another panel */
}

/* Focus moves in the layout's geometry; where nothing is that way (a
 * collapsed or zoomed layout), to the neighbour in Tab order. */
static void move_focus(tui *t, int dy, int dx)
{
    int to = tui_layout_neighbour(&t->layout, t->focus, dy, dx);

    if (to < 0) {
        to = t->focus + (dy + dx > 0 ? 1 : -1);
        if (to < 0 || to >= t->npanels)
            return;
    }
    set_focus(t, to);
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

/* Makes theme name current (see tui_theme_load). Returns 0, or the
 * error code with err (caller's, cleared by the caller) naming the file
 * and key. */
static int use_theme(tui *t, const char *name, pd_error *err)
{
    tui_theme_def def;
    int rc = tui_theme_load(&def, name, err);

    if (rc != 0)
        return rc;
    tui_theme_apply(&t->theme, &def);
    tui_screen_redraw_all();
    mark_all(t);
    return 0;
}

/* The next of tui_theme_names after the current one (the first after a
 * theme of another name), skipping those that fail to load; the message
 * says which it is, and why the first skipped one was. */
static void next_theme(tui *t)
{
    pd_error err = PD_ERROR_INIT, first = PD_ERROR_INIT;
    int n = 0, cur = -1, i;

    while (tui_theme_names[n] != NULL)
        n++;
    for (i = 0; i < n; i++)
        if (strcmp(tui_theme_names[i], t->theme.name) == 0)
            cur = i;
    for (i = 1; i <= n; i++) {
        const char *name = tui_theme_names[(cur + i + n) % n];

        if (use_theme(t, name, &err) == 0) {
            tui_dialog_message("theme: %s%s%s%s", name,
                               t->theme.color ? "" : " (no colour here)",
                               pd_error_isset(&first) ? "; skipped " : "",
                               pd_error_isset(&first) ? first.message : "");
            break;
        }
        if (!pd_error_isset(&first))
            pd_error_copy(&first, &err);
        pd_error_clear(&err);
    }
    pd_error_clear(&first);
}

static void on_mouse(tui *t)
{
    MEVENT ev;
    int i;

    if (getmouse(&ev) != OK)
        return;
    i = tui_layout_hit(&t->layout, ev.y, ev.x);
    if (i < 0)
        return;
    if (ev.bstate & BUTTON1_PRESSED) {
        set_focus(t, i);
        tui_panel_click(t->panels[i], ev.y, ev.x);
    } else if (ev.bstate & BUTTON4_PRESSED) {
        tui_panel_key(t->panels[i], KEY_UP);
    } else if (ev.bstate & BUTTON5_PRESSED) {
        tui_panel_key(t->panels[i], KEY_DOWN);
    }
}

static void on_key(int key, void *ctx)
{
    tui *t = ctx;
    tui_panel *p = focused(t);
    int i;

    if (key == KEY_RESIZE)
        return; /* the SIGWINCH watcher handles resizes */
    t->keybar_dirty = true;
    if (t->help) {
        if (key == KEY_MOUSE)
            on_mouse(t); /* read it, or it stays queued */
        t->help = false;
        place_help(t);
        mark_all(t);
        return;
    }
    if (tui_dialog_active()) {
        tui_dialog_key(key);
        if (!tui_dialog_active())
            mark_all(t); /* uncover what the box hid */
        return;
    }
    if (p != NULL && p->modal) {
        tui_panel_key(p, key);
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
    case TUI_ACT_LEFT:
        move_focus(t, 0, -1);
        break;
    case TUI_ACT_RIGHT:
        move_focus(t, 0, 1);
        break;
    case TUI_ACT_UP:
    case TUI_ACT_DOWN:
        /* A panel with rows to move through takes the arrows. */
        if (p == NULL || tui_panel_key(p, key) == TUI_IGNORED)
            move_focus(t, key == KEY_UP ? -1 : 1, 0);
        break;
    case TUI_ACT_ZOOM:
        t->zoom = !t->zoom;
        relayout(t);
        break;
    case TUI_ACT_UNZOOM:
        if (t->zoom) {
            t->zoom = false;
            relayout(t);
        } else if (p != NULL) {
            tui_panel_key(p, key);
        }
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
    case TUI_ACT_THEME:
        next_theme(t);
        break;
    case TUI_ACT_MOUSE:
        on_mouse(t);
        break;
    case TUI_ACT_REDRAW:
        tui_screen_redraw_all();
        mark_all(t);
        break;
    case TUI_ACT_NONE:
        if (p != NULL)
            tui_panel_key(p, key);
        break;
    }
    /* A question asked by the panel needs its box. */
    if (tui_dialog_active())
        tui_dialog_place(LINES, COLS);
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
    if (tui_dialog_tick())
        t->keybar_dirty = true;
    /* Freshness stamps age even when no data comes, and a slow query's
     * running time shows. */
    for (i = 0; i < t->npanels; i++)
        if (tui_panel_stale(t->panels[i]) || t->panels[i]->refreshing)
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
    tui_dialog_close();
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
    /* A bad theme says why in the key bar; the built-in stays. */
    if (pd_core_config(core)->theme != NULL &&
        use_theme(&t, pd_core_config(core)->theme, &err) != 0) {
        tui_dialog_message("%s; using the built-in theme", err.message);
        pd_error_clear(&err);
    }
    for (i = 0; i < NKINDS && i < TUI_LAYOUT_MAX; i++) {
        t.panels[t.npanels] = tui_panel_new(panel_kinds[i], core,
                                            t.refresh_ms);
        t.hints[t.npanels] = panel_kinds[i]->hint;
        t.npanels++;
    }
    t.focus = FIRST_FOCUS < t.npanels ? FIRST_FOCUS : 0;
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
