/* panel.h: the dashboard panel base.
 *
 * A panel is a const ops vtable (one file per panel: panel_pool.c, ...)
 * plus this base: its window and frame, title, a refresh timer, the dirty
 * flag, a freshness stamp and an error shown in place. Collecting and
 * drawing are separate: the timer calls ops->refresh, which asks the core
 * and updates the panel's view model (p->model), then marks the panel dirty
 * or fresh; the render pass calls tui_panel_render, which draws from the
 * model only.
 *
 * Panels that query the server do it through tui_panel_fetch: one refresh
 * query in flight at a time (a refresh due while it runs is skipped, not
 * sent twice), its error shown in place while the last good model stays,
 * dimmed, and no callback ever reaching a panel that has been closed. */
#ifndef TUI_PANEL_H
#define TUI_PANEL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <curses.h>
#include <uv.h>

#include "core/core.h"
#include "core/query.h"
#include "core/result.h"
#include "tui/keys.h"
#include "tui/layout.h"
#include "tui/theme.h"

/* Starts every panel query, so that the Activity panel can leave the
 * dashboard's own connections out. */
#define TUI_PANEL_SQL "/* pgdeck panel */ "

/* Key handler results. */
enum {
    TUI_IGNORED = 0,      /* not this panel's key */
    TUI_HANDLED = 1 << 0, /* consumed */
    TUI_REDRAW = 1 << 1,  /* the panel must be drawn again */
    TUI_CLOSE = 1 << 2    /* the panel asks to be closed (Results) */
};

typedef struct tui_panel tui_panel;

typedef struct tui_panel_ops {
    const char *name; /* the title */
    /* Builds p->model; the core is p->core. May be NULL. */
    void (*init)(tui_panel *p);
    /* Asks the core for fresh data (from the panel's timer). */
    void (*refresh)(tui_panel *p);
    /* Draws the model into w (the inside of the frame), rows top.. only. */
    void (*draw)(tui_panel *p, WINDOW *w, int top, const tui_theme *th);
    /* A key while focused: TUI_* flags. May be NULL. */
    int (*key)(tui_panel *p, int key);
    /* A click at (y, x) inside the frame (0-based). May be NULL. */
    void (*click)(tui_panel *p, int y, int x);
    /* The inside of the frame is now rows x cols. May be NULL. */
    void (*resize)(tui_panel *p, int rows, int cols);
    /* Releases p->model and anything in flight. May be NULL. */
    void (*free)(tui_panel *p);
    /* While ticking (tui_panel_set_ticking), every TUI_PANEL_TICK_MS:
     * brings the model up to date with time (elapsed times); the panel is
     * then drawn again. May be NULL: only drawn again. */
    void (*tick)(tui_panel *p);
    /* Adjusts h (a copy of hint) to the model: a panel with little to show
     * asks for little room. Asked at each layout. May be NULL. */
    void (*fit)(tui_panel *p, tui_layout_hint *h);
    /* The panel's own keys, for the key bar and the help (ends with a 0
     * key); NULL: none. */
    const tui_key *keys;
    tui_layout_hint hint; /* how it likes to be placed */
} tui_panel_ops;

#define TUI_PANEL_TICK_MS 250 /* see tui_panel_ops.tick */

typedef struct tui_panel_req tui_panel_req;

struct tui_panel {
    const tui_panel_ops *ops; /* borrowed, static */
    pd_core *core;            /* borrowed */
    void *model;              /* the view model, the panel's own */
    WINDOW *win;              /* frame window; NULL while hidden */
    WINDOW *inner;            /* inside the frame, or NULL */
    tui_rect rect;            /* where win is */
    bool dirty;               /* draw at the next render pass */
    bool focused;             /* frame drawn as focused */
    bool paused;              /* refresh timer stopped by the user */
    bool modal;               /* the panel takes every key (editing) */
    uint32_t refresh_ms;      /* timer interval */
    uint64_t fresh_ms;        /* uv_now() of the last data; 0: none yet */
    time_t fresh_wall;        /* wall clock of the same moment */
    char *error;              /* shown in place; NULL when all is well */
    uint64_t error_ms;        /* uv_now() when error was set */
    char *note;               /* short status after the title, or NULL */
    tui_role note_role;       /* its colour; 0 (DEFAULT): TUI_ROLE_FILTER */
    tui_panel_req *reqs;      /* queries in flight, the panel's own */
    tui_panel_req *refreshing;/* the refresh query among them, or NULL */
    uint64_t sent_ms;         /* uv_now() when refreshing was sent */
    uint64_t skipped;         /* refreshes skipped: the last still ran */
    char *title;              /* owned; NULL: ops->name (tui_panel_title) */
    char *source;             /* owned; the queries' source for the
                                 metrics; NULL: "panel:<title>" */
    uint32_t base_ms;         /* 0: refresh_ms follows the dashboard's
                                 interval; else its own at 1 s (scaled) */
    bool hint_changed;        /* ops->fit would answer otherwise now */
    bool timeless;            /* its data never goes stale by age */
    bool ticking;             /* the tick timer runs */
    int handles;              /* uv handles not yet closed */
    uv_timer_t timer;         /* calls ops->refresh */
    uv_timer_t tick;          /* calls ops->tick while ticking */
};

/* res: owned by the callback (pd_result_free). */
typedef void (*tui_panel_rows_cb)(tui_panel *p, pd_result *res);
/* res: owned by the callback, may be NULL; err: borrowed, NULL on
 * success. tag: as given to tui_panel_run. */
typedef void (*tui_panel_done_cb)(tui_panel *p, pd_result *res,
                                  const pd_error *err, int64_t tag);

tui_panel *tui_panel_new(const tui_panel_ops *ops, pd_core *core,
                         uint32_t refresh_ms);
void tui_panel_start(tui_panel *p);
const char *tui_panel_title(const tui_panel *p);
void tui_panel_set_title(tui_panel *p, const char *title);
void tui_panel_set_source(tui_panel *p, const char *source);
void tui_panel_set_ticking(tui_panel *p, bool on);
void tui_panel_fit(tui_panel *p, tui_layout_hint *h);
void tui_panel_set_paused(tui_panel *p, bool paused);
void tui_panel_set_interval(tui_panel *p, uint32_t refresh_ms);
void tui_panel_refresh_now(tui_panel *p);
void tui_panel_place(tui_panel *p, const tui_rect *r);
void tui_panel_set_focus(tui_panel *p, bool focused);
void tui_panel_fresh(tui_panel *p);
void tui_panel_set_error(tui_panel *p, const char *msg);
void tui_panel_set_note(tui_panel *p, const char *note);
bool tui_panel_stale(const tui_panel *p);
bool tui_panel_render(tui_panel *p, const tui_theme *th);
int tui_panel_key(tui_panel *p, int key);
void tui_panel_click(tui_panel *p, int y, int x);
void tui_panel_close(tui_panel *p);
bool tui_panel_closing(void);

int tui_panel_fetch(tui_panel *p, const char *sql, int nparams,
                    const char *const *params, tui_panel_rows_cb on_rows);
int tui_panel_fetch_flags(tui_panel *p, const char *sql, uint32_t flags,
                          tui_panel_rows_cb on_rows);
int tui_panel_run(tui_panel *p, const char *sql, int nparams,
                  const char *const *params, tui_panel_done_cb done,
                  int64_t tag);
int tui_panel_exec(tui_panel *p, const char *sql, uint32_t flags,
                   uint32_t timeout_ms, tui_panel_done_cb done, int64_t tag);
void tui_panel_ask_kill(tui_panel *p, int64_t pid, const char *who,
                        const char *query, bool terminate);
pd_query_cancel_how tui_panel_cancel(tui_panel *p, tui_panel_done_cb done,
                                     int64_t tag);
void tui_panel_drop_reqs(tui_panel *p);

/* The panels, one file each. */
extern const tui_panel_ops tui_pool_panel;     /* panel_pool.c */
extern const tui_panel_ops tui_activity_panel; /* panel_activity.c */
extern const tui_panel_ops tui_locks_panel;    /* panel_locks.c */
extern const tui_panel_ops tui_slow_panel;     /* panel_slow.c */
extern const tui_panel_ops tui_retries_panel;  /* panel_retries.c */
extern const tui_panel_ops tui_queries_panel;  /* panel_queries.c */
extern const tui_panel_ops tui_syncs_panel;    /* panel_syncs.c */
extern const tui_panel_ops tui_custom_panel;   /* panel_custom.c */
extern const tui_panel_ops tui_results_panel;  /* panel_results.c */

/* panel_syncs.c: shows the jobs' states now (a sync event came). */
void tui_syncs_panel_update(tui_panel *p);
/* panel_custom.c: returns-owned panel of cp (borrowed for the call). */
tui_panel *tui_custom_panel_new(pd_core *core, const pd_config_panel *cp);
/* panel_results.c: runs line (borrowed for the call), SQL or one of
 * core's data commands (core/cmd.h), and shows its outcome. Returns 0, or
 * 1 when a command still runs (nothing done). */
int tui_results_panel_run(tui_panel *p, const char *line);
/* Cancels the command that runs, if one does: true when one did. */
bool tui_results_panel_cancel(tui_panel *p);
bool tui_results_panel_busy(const tui_panel *p);

/* A cursor placing "label value" items left to right, on the next line
 * when the next one does not fit (see tui_flow_item). */
typedef struct tui_flow {
    WINDOW *w;
    int y, x;
    attr_t label, value; /* attributes of labels and values */
} tui_flow;

void tui_flow_item(tui_flow *f, const char *label, attr_t value_a,
                   const char *value);
void tui_flow_u64(tui_flow *f, const char *label, uint64_t v);
void tui_flow_us(tui_flow *f, const char *label, uint64_t us);
void tui_flow_break(tui_flow *f);

/* Drawing helpers for panels (clipped to the window, never wrapping). */
int tui_panel_put(WINDOW *w, int y, int x, attr_t a, const char *s);
int tui_panel_putn(WINDOW *w, int y, int x, attr_t a, const char *s,
                   int cols);
int tui_panel_putf(WINDOW *w, int y, int x, attr_t a, const char *fmt, ...)
    PD_PRINTF(5, 6);
int tui_panel_wrap(WINDOW *w, int y, int x, attr_t a, const char *s,
                   int max_lines);
int tui_panel_width(const char *s);
void tui_panel_fmt_us(char *buf, size_t len, uint64_t us);
void tui_panel_fmt_ms(char *buf, size_t len, uint64_t ms);
void tui_panel_fmt_age(char *buf, size_t len, double secs);

#endif
