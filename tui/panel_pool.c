/* panel_pool.c: the Pool panel.
 *
 * Every refresh copies pd_pool_stats into the view model; drawing reads the
 * model only. When the pool's connections fail, the pool's last connect
 * error is shown in place: the server's or the network's own words. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conn.h"
#include "core/conninfo.h"
#include "core/histogram.h"
#include "core/pool.h"
#include "tui/panel.h"

#define WARN_PERCENT 80 /* usage bar turns to warn from here */

typedef struct pool_model {
    pd_pool_stats st;          /* the last snapshot */
    bool have;                 /* st holds a snapshot */
    uint64_t q50, q95, q99;    /* acquire wait quantiles, us */
    char *target;              /* where the pool connects, no password */
} pool_model;

/* A cursor placing "label value" items left to right, wrapping. */
typedef struct flow {
    WINDOW *w;
    int y, x;
    attr_t label, value;
} flow;

static void pool_init(tui_panel *p)
{
    pool_model *m = pd_xcalloc(1, sizeof(*m));

    m->target = pd_conninfo_describe(pd_pool_conninfo(pd_core_pool(p->core)));
    p->model = m;
}

static void pool_refresh(tui_panel *p)
{
    pool_model *m = p->model;
    const pd_error *err;

    m->st = pd_pool_stats_get(pd_core_pool(p->core));
    m->have = true;
    m->q50 = pd_histogram_quantile(&m->st.wait, 0.50);
    m->q95 = pd_histogram_quantile(&m->st.wait, 0.95);
    m->q99 = pd_histogram_quantile(&m->st.wait, 0.99);
    err = pd_pool_last_error(pd_core_pool(p->core));
    tui_panel_set_error(p, err != NULL ? err->message : NULL);
    tui_panel_fresh(p);
}

static void fmt_ms(char *buf, size_t len, uint64_t us)
{
    if (us < 10000)
        snprintf(buf, len, "%.2f ms", (double)us / 1000.0);
    else if (us < 1000000)
        snprintf(buf, len, "%.1f ms", (double)us / 1000.0);
    else
        snprintf(buf, len, "%.2f s", (double)us / 1e6);
}

static void flow_break(flow *f)
{
    if (f->x > 0) {
        f->y++;
        f->x = 0;
    }
}

static void flow_item(flow *f, const char *label, const char *value)
{
    int need = (int)(strlen(label) + strlen(value)) + 1;

    if (f->x > 0 && f->x + 2 + need > getmaxx(f->w))
        flow_break(f);
    else if (f->x > 0)
        f->x += 2;
    f->x += tui_panel_putf(f->w, f->y, f->x, f->label, "%s ", label);
    f->x += tui_panel_put(f->w, f->y, f->x, f->value, value);
}

static void flow_int(flow *f, const char *label, uint64_t v)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%" PRIu64, v);
    flow_item(f, label, buf);
}

static void flow_ms(flow *f, const char *label, uint64_t us)
{
    char buf[32];

    fmt_ms(buf, sizeof(buf), us);
    flow_item(f, label, buf);
}

/* Cells of width for n out of total, rounded, never past width. */
static int cells(int n, int total, int width)
{
    long c;

    if (total <= 0 || n <= 0)
        return 0;
    c = ((long)n * width + total / 2) / total;
    if (c == 0)
        c = 1; /* anything present shows */
    return c > width ? width : (int)c;
}

/* conns [||||---..        ] 3/10: in use, idle, connecting against max. */
static void draw_bar(WINDOW *w, int y, const pool_model *m,
                     const tui_theme *th, bool stale)
{
    const pd_pool_stats *st = &m->st;
    char tail[48];
    int x = 0, width, used, n, i;
    bool warn;
    attr_t busy_a, idle_a, conn_a;

    snprintf(tail, sizeof(tail), "] %d/%d", st->size, st->max);
    x += tui_panel_put(w, y, x, tui_theme_attr(th, TUI_ROLE_LABEL), "conns ");
    width = getmaxx(w) - x - 1 - (int)strlen(tail);
    if (width < 3) {
        tui_panel_put(w, y, x, tui_theme_attr(th, TUI_ROLE_VALUE), tail + 2);
        return;
    }
    warn = st->waiting > 0 || (st->max > 0 &&
                               st->in_use * 100 >= st->max * WARN_PERCENT);
    busy_a = tui_theme_attr(th, stale ? TUI_ROLE_DIM :
                                warn  ? TUI_ROLE_BAR_WARN :
                                        TUI_ROLE_BAR_OK);
    idle_a = tui_theme_attr(th, stale ? TUI_ROLE_DIM : TUI_ROLE_BAR_IDLE);
    conn_a = tui_theme_attr(th, TUI_ROLE_DIM);

    x += tui_panel_put(w, y, x, tui_theme_attr(th, TUI_ROLE_LABEL), "[");
    used = 0;
    n = cells(st->in_use, st->max, width);
    for (i = 0; i < n && used < width; i++, used++)
        x += tui_panel_put(w, y, x, busy_a, "|");
    n = cells(st->idle, st->max, width);
    for (i = 0; i < n && used < width; i++, used++)
        x += tui_panel_put(w, y, x, idle_a, "-");
    n = cells(st->connecting, st->max, width);
    for (i = 0; i < n && used < width; i++, used++)
        x += tui_panel_put(w, y, x, conn_a, ".");
    x += width - used;
    tui_panel_put(w, y, x, tui_theme_attr(th, TUI_ROLE_LABEL), tail);
}

static void pool_draw(tui_panel *p, WINDOW *w, int top, const tui_theme *th)
{
    const pool_model *m = p->model;
    const pd_pool_stats *st = &m->st;
    bool stale = tui_panel_stale(p);
    flow f = {w, top, 0, tui_theme_attr(th, TUI_ROLE_LABEL),
              tui_theme_attr(th, stale ? TUI_ROLE_DIM : TUI_ROLE_VALUE)};

    if (!m->have) {
        tui_panel_put(w, f.y++, 0, tui_theme_attr(th, TUI_ROLE_DIM),
                      "waiting for the first snapshot");
        flow_item(&f, "target", m->target);
        return;
    }
    /* Most telling first: small screens keep the top lines. */
    draw_bar(w, f.y++, m, th, stale);

    flow_int(&f, "size", (uint64_t)st->size);
    flow_int(&f, "idle", (uint64_t)st->idle);
    flow_int(&f, "in use", (uint64_t)st->in_use);
    flow_int(&f, "connecting", (uint64_t)st->connecting);
    flow_int(&f, "waiting", (uint64_t)st->waiting);
    flow_int(&f, "min", (uint64_t)st->min);
    flow_int(&f, "max", (uint64_t)st->max);
    flow_break(&f);

    flow_int(&f, "acquires", st->acquires);
    flow_int(&f, "timeouts", st->timeouts);
    flow_int(&f, "opened", st->opened);
    flow_int(&f, "closed", st->closed);
    flow_int(&f, "errors", st->errors);
    flow_break(&f);

    f.x += tui_panel_put(w, f.y, 0, f.label, "acquire wait");
    if (st->wait.count == 0) {
        tui_panel_put(w, f.y, f.x, tui_theme_attr(th, TUI_ROLE_DIM),
                      "  no samples yet");
    } else {
        flow_ms(&f, "p50", m->q50);
        flow_ms(&f, "p95", m->q95);
        flow_ms(&f, "p99", m->q99);
        flow_ms(&f, "max", st->wait.max_us);
        flow_int(&f, "n", st->wait.count);
    }
    flow_break(&f);
    /* The static part last, after a gap; a long target wraps. */
    f.x = tui_panel_put(w, ++f.y, 0, f.label, "target ");
    tui_panel_wrap(w, f.y, f.x, tui_theme_attr(th, TUI_ROLE_VALUE),
                   m->target, 3);
}

static void pool_free(tui_panel *p)
{
    pool_model *m = p->model;

    if (m == NULL)
        return;
    free(m->target);
    free(m);
}

const tui_panel_ops tui_pool_panel = {
    .name = "Pool",
    .init = pool_init,
    .refresh = pool_refresh,
    .draw = pool_draw,
    .key = NULL,
    .resize = NULL,
    .free = pool_free,
    .hint = {.weight = 1, .max_h = 9},
};
