/* tui.c: the dashboard: screen, panels and keys put together (tui.h).
 *
 * The screen is a header line (version, database, refresh, clock), the
 * panels laid out by layout.c, and the key bar, which becomes the ':'
 * command line while one is typed; the help and a y/n question sit on
 * top when asked for. Timers and core callbacks only mark things dirty;
 * the screen's render pass draws them. What R, t and the ':' line run is
 * in command.c. The panels are the built-in kinds, the custom panels of
 * the config, and the Results panel once a command has been run. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <curses.h>

#include "core/conninfo.h"
#include "core/version.h"
#include "core/xalloc.h"
#include "tui/cmdline.h"
#include "tui/dialog.h"
#include "tui/keys.h"
#include "tui/layout.h"
#include "tui/outage.h"
#include "tui/panel.h"
#include "tui/screen.h"
#include "tui/theme.h"
#include "tui/tui.h"
#include "tui/tui_int.h"

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
    &tui_syncs_panel,
};
#define NKINDS ((int)(sizeof(panel_kinds) / sizeof(panel_kinds[0])))
#define FIRST_FOCUS 4
/* The custom panels of the config that fit beside the built-in ones and
 * the Results panel. */
#define MAX_CUSTOM (TUI_LAYOUT_MAX - NKINDS - 1)


void tui_mark_all(tui *t)
{
    int i;

    t->header_dirty = t->keybar_dirty = t->help_dirty = t->full = true;
    for (i = 0; i < t->npanels; i++)
        t->panels[i]->dirty = true;
    tui_dialog_place(LINES, COLS);
}

void tui_quit(tui *t, int rc)
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

void tui_place_help(tui *t)
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
void tui_relayout(tui *t)
{
    int i;

    for (i = 0; i < t->npanels; i++)
        tui_panel_fit(t->panels[i], &t->hints[i]);
    if (tui_layout_compute_hints(&t->layout, LINES, COLS, t->hints,
                                 t->npanels, t->focus, t->zoom) != 0)
        return;
    t->header = window_at(t->header, &t->layout.header);
    t->keybar = window_at(t->keybar, &t->layout.keybar);
    for (i = 0; i < t->npanels; i++) {
        tui_panel_place(t->panels[i], &t->layout.panel[i]);
        tui_panel_set_focus(t->panels[i], i == t->focus);
    }
    tui_place_help(t);
    tui_mark_all(t);
}

/* The header's right part, in avail columns beside the left part: sync
 * progress, zoom, the refresh state and the clock. A lost server takes
 * the refresh state's place (into lost, "" when not lost), as the refresh
 * interval means nothing then. */
static void header_right(tui *t, int avail, char *right, size_t len,
                         char *lost, size_t lost_len, const char *clock)
{
    tui_outage o = tui_outage_get(t->core);
    char sync[40] = "", state[24];

    tui_outage_text(&o, uv_now(pd_core_loop(t->core)), MB_CUR_MAX == 1, lost,
                    lost_len);
    if (t->syncing)
        snprintf(sync, sizeof(sync), "  refresh-all %d/%d", t->sync_done,
                 t->sync_total);
    if (t->paused)
        snprintf(state, sizeof(state), "paused");
    else
        snprintf(state, sizeof(state), "refresh %gs",
                 (double)t->refresh_ms / 1000.0); /* 0.25s, 1s */
    snprintf(right, len, "%s%s  %s  %s ", sync, t->zoom ? "  zoom" : "",
             lost[0] != '\0' ? lost : state, clock);
    /* The clock matters most, then an outage, then the database: narrow
     * screens cut the rest first, then the left part's end. */
    if (lost[0] != '\0' && tui_panel_width(right) > avail)
        snprintf(right, len, " %s  %s ", lost, clock);
    else if (tui_panel_width(right) > avail)
        snprintf(right, len, "%s %s ", sync, clock);
}

static void draw_header(tui *t)
{
    const char *db = pd_conninfo_dbname(pd_core_conninfo(t->core));
    attr_t a = tui_theme_attr(&t->theme, TUI_ROLE_HEADER);
    char clock[16] = "", right[160], lost[64], *left, *at;
    time_t now = time(NULL);
    struct tm tm;
    int w = getmaxx(t->header), rlen;

    if (localtime_r(&now, &tm) != NULL)
        strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
    left = pd_xasprintf(" pgdeck %s  db %s", PD_VERSION, db ? db : "?");
    header_right(t, w - tui_panel_width(left), right, sizeof(right), lost,
                 sizeof(lost), clock);
    if (tui_panel_width(left) + tui_panel_width(right) > w && lost[0] == '\0')
        snprintf(right, sizeof(right), " %s ", clock);
    rlen = tui_panel_width(right);
    if (rlen > w) {
        snprintf(right, sizeof(right), " %s ", clock);
        rlen = tui_panel_width(right) > w ? 0 : tui_panel_width(right);
    }

    wbkgdset(t->header, a | ' ');
    werase(t->header);
    tui_panel_putn(t->header, 0, 0, a, left, w - rlen);
    if (rlen > 0)
        tui_panel_put(t->header, 0, w - rlen, a, right);
    /* The outage in the alert role (made to catch the eye), over its
     * place in the right part. */
    at = lost[0] != '\0' && rlen > 0 ? strstr(right, lost) : NULL;
    if (at != NULL) {
        *at = '\0';
        tui_panel_putf(t->header, 0, w - rlen + tui_panel_width(right) - 1,
                       tui_theme_attr(&t->theme, TUI_ROLE_ALERT), " %s ",
                       lost);
    }
    free(left);
}

static void draw_help(tui *t)
{
    WINDOW *w = t->helpwin;
    const tui_theme *th = &t->theme;
    tui_panel *p = focused(t);
    int n;

    werase(w);
    wattrset(w, tui_theme_attr(th, TUI_ROLE_FRAME_FOCUS));
    box_set(w, 0, 0);
    wattrset(w, A_NORMAL);
    tui_panel_put(w, 0, 2, tui_theme_attr(th, TUI_ROLE_TITLE), " Help ");
    n = tui_keys_draw_help(w, 1, 2, getmaxy(w) - 1, t->help_skip, th,
                           p != NULL ? p->ops->name : NULL,
                           p != NULL ? p->ops->keys : NULL);
    /* On a short screen the help scrolls: say so where it is cut. */
    tui_panel_put(w, getmaxy(w) - 1, 2, tui_theme_attr(th, TUI_ROLE_DIM),
                  n - t->help_skip > getmaxy(w) - 2
                      ? (t->help_skip > 0 ? " Up/Down scroll, other keys close "
                                          : " Down: more; other keys close ")
                      : (t->help_skip > 0 ? " Up: back; other keys close "
                                          : " any key closes "));
}

static void draw_keybar(tui *t)
{
    tui_panel *p = focused(t);
    const tui_key *keys = p != NULL ? p->ops->keys : NULL;

    if (t->cmd.active && !tui_dialog_active()) {
        tui_cmdline_draw(&t->cmd, t->keybar, 0, &t->theme);
        return;
    }
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
    for (i = 0; i < t->npanels; i++)
        if (t->panels[i]->hint_changed) {
            tui_relayout(t); /* a panel wants more room, or less */
            break;
        }
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

void tui_set_focus(tui *t, int focus)
{
    if (t->npanels == 0)
        return;
    focus = (focus + t->npanels) % t->npanels;
    if (focus == t->focus)
        return;
    t->focus = focus;
    tui_relayout(t); /* a collapsed layout may have to show another panel */
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
    tui_set_focus(t, to);
}

static void set_refresh(tui *t, uint32_t ms)
{
    int i;

    if (ms < MIN_REFRESH_MS)
        ms = MIN_REFRESH_MS;
    if (ms > MAX_REFRESH_MS)
        ms = MAX_REFRESH_MS;
    t->refresh_ms = ms;
    for (i = 0; i < t->npanels; i++) {
        tui_panel *p = t->panels[i];
        uint64_t own = (uint64_t)p->base_ms * ms / DEFAULT_REFRESH_MS;

        tui_panel_set_interval(p, p->base_ms == 0 ? ms :
                                  own < MIN_REFRESH_MS ? MIN_REFRESH_MS :
                                  own > MAX_REFRESH_MS ? MAX_REFRESH_MS :
                                                         (uint32_t)own);
    }
    t->header_dirty = true;
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
        tui_set_focus(t, i);
        tui_panel_click(t->panels[i], ev.y, ev.x);
    } else if (ev.bstate & BUTTON4_PRESSED) {
        tui_panel_key(t->panels[i], KEY_UP);
    } else if (ev.bstate & BUTTON5_PRESSED) {
        tui_panel_key(t->panels[i], KEY_DOWN);
    }
}

/* Offers key to p; a panel that asks to be closed (Results) is. */
static int panel_key(tui *t, tui_panel *p, int key)
{
    int r = tui_panel_key(p, key);

    if ((r & TUI_CLOSE) && p == t->results)
        tui_command_close_results(t);
    return r;
}

/* Up/Down/PgUp/PgDn move a help taller than the screen; true when key
 * did (other keys close the help). */
static bool help_scroll(tui *t, int key)
{
    tui_panel *p = focused(t);
    int lines = tui_keys_help_lines(p != NULL ? p->ops->keys : NULL);
    int shown = t->helpwin != NULL ? getmaxy(t->helpwin) - 2 : 0;
    int max = lines > shown ? lines - shown : 0, skip = t->help_skip;

    if (max == 0)
        return false;
    if (key == KEY_DOWN || key == 'j')
        skip++;
    else if (key == KEY_UP || key == 'k')
        skip--;
    else if (key == KEY_NPAGE || key == ' ')
        skip += shown > 1 ? shown - 1 : 1;
    else if (key == KEY_PPAGE)
        skip -= shown > 1 ? shown - 1 : 1;
    else
        return false;
    t->help_skip = skip < 0 ? 0 : skip > max ? max : skip;
    t->help_dirty = true;
    return true;
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
        if (help_scroll(t, key))
            return;
        if (key == KEY_MOUSE)
            on_mouse(t); /* read it, or it stays queued */
        t->help = false;
        tui_place_help(t);
        tui_mark_all(t);
        return;
    }
    if (tui_dialog_active()) {
        tui_dialog_key(key);
        if (!tui_dialog_active())
            tui_mark_all(t); /* uncover what the box hid */
        return;
    }
    if (t->cmd.active) {
        if (key == KEY_MOUSE)
            on_mouse(t); /* read it, or it stays queued */
        else
            tui_command_key(t, key);
        return;
    }
    if (p != NULL && p->modal) {
        panel_key(t, p, key);
        return;
    }
    /* Esc stops a command that runs before it leaves full screen. */
    if (key == ESC && tui_results_panel_cancel(t->results))
        return;
    switch (tui_keys_action(key)) {
    case TUI_ACT_QUIT:
        tui_quit(t, 0);
        break;
    case TUI_ACT_HELP:
        t->help = true;
        t->help_skip = 0;
        tui_place_help(t);
        break;
    case TUI_ACT_NEXT_PANEL:
        tui_set_focus(t, t->focus + 1);
        break;
    case TUI_ACT_PREV_PANEL:
        tui_set_focus(t, t->focus - 1);
        break;
    case TUI_ACT_LEFT:
    case TUI_ACT_RIGHT:
        /* A panel with columns to scroll through takes them. */
        if (p == NULL || panel_key(t, p, key) == TUI_IGNORED)
            move_focus(t, 0, key == KEY_LEFT ? -1 : 1);
        break;
    case TUI_ACT_UP:
    case TUI_ACT_DOWN:
        /* A panel with rows to move through takes the arrows. */
        if (p == NULL || panel_key(t, p, key) == TUI_IGNORED)
            move_focus(t, key == KEY_UP ? -1 : 1, 0);
        break;
    case TUI_ACT_ZOOM:
        t->zoom = !t->zoom;
        tui_relayout(t);
        break;
    case TUI_ACT_UNZOOM:
        if (t->zoom) {
            t->zoom = false;
            tui_relayout(t);
        } else if (p != NULL) {
            panel_key(t, p, key);
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
        tui_command_next_theme(t);
        break;
    case TUI_ACT_MOUSE:
        on_mouse(t);
        break;
    case TUI_ACT_REDRAW:
        tui_screen_redraw_all();
        tui_mark_all(t);
        break;
    case TUI_ACT_REFRESH_ALL:
        tui_command_refresh_all(t);
        break;
    case TUI_ACT_COMMAND:
        tui_cmdline_open(&t->cmd);
        break;
    case TUI_ACT_NONE:
        if (p != NULL)
            panel_key(t, p, key);
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
    tui_relayout(ctx);
}

/* A signal to quit; Ctrl-C (SIGINT) first leaves the ':' line, or
 * cancels the command that runs. */
static void on_quit(int signum, void *ctx)
{
    tui *t = ctx;

    if (signum == SIGINT && t->cmd.active) {
        tui_cmdline_key(&t->cmd, ESC);
        t->keybar_dirty = true;
        return;
    }
    if (signum == SIGINT && tui_results_panel_cancel(t->results))
        return;
    tui_quit(t, 128 + signum);
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
    t->closing = true;
    tui_dialog_close();
    for (i = 0; i < t->npanels; i++)
        tui_panel_close(t->panels[i]);
    t->npanels = 0;
    t->syncs = t->results = NULL;
    tui_cmdline_free(&t->cmd);
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
    /* The jobs cannot be freed while they run: the core waits for them,
     * with the terminal given back. */
    if (t->syncing) {
        fprintf(stderr, "pgdeck: waiting for refresh-all to end\n");
        while (t->syncing)
            uv_run(loop, UV_RUN_ONCE);
    }
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
    const pd_config *cfg;
    bool no_color;
    size_t k;
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
        tui_command_use_theme(&t, pd_core_config(core)->theme, &err) != 0) {
        tui_dialog_message("%s; using the built-in theme", err.message);
        pd_error_clear(&err);
    }
    tui_cmdline_init(&t.cmd);
    for (i = 0; i < NKINDS && i < TUI_LAYOUT_MAX; i++) {
        t.panels[t.npanels] = tui_panel_new(panel_kinds[i], core,
                                            t.refresh_ms);
        if (panel_kinds[i] == &tui_syncs_panel)
            t.syncs = t.panels[t.npanels];
        t.npanels++;
    }
    cfg = pd_core_config(core);
    for (k = 0; k < cfg->npanels && k < MAX_CUSTOM; k++)
        t.panels[t.npanels++] = tui_custom_panel_new(core, &cfg->panels[k]);
    if (cfg->npanels > MAX_CUSTOM)
        tui_dialog_message("only the first %d custom panels are shown",
                           MAX_CUSTOM);
    if (t.refresh_ms != DEFAULT_REFRESH_MS)
        set_refresh(&t, t.refresh_ms); /* scales the custom panels' */
    t.focus = FIRST_FOCUS < t.npanels ? FIRST_FOCUS : 0;
    uv_timer_init(loop, &t.clock);
    t.clock.data = &t;
    arm_clock(&t);
    tui_relayout(&t);
    for (i = 0; i < t.npanels; i++)
        tui_panel_start(t.panels[i]);

    pd_core_run(core);

    teardown(&t, loop);
    return t.rc;
}
