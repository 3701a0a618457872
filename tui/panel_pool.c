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
#include "core/metrics.h"
#include "core/pool.h"
#include "tui/panel.h"
#include "tui/sparkline.h"

#define WARN_PERCENT 80 /* usage bar turns to warn from here */
#define SPARK_MAX 120   /* seconds of in use / waiting kept */

typedef struct pool_model {
    pd_pool_stats st;          /* the last snapshot */
    bool have;                 /* st holds a snapshot */
    uint64_t q50, q95, q99;    /* acquire wait quantiles, us */
    char *target;              /* where the pool connects, no password */
    int64_t in_use[SPARK_MAX]; /* per second, oldest first */
    int64_t waiting[SPARK_MAX];
    size_t nin_use, nwaiting;  /* values in each */
} pool_model;

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
    if (pd_core_metrics(p->core) != NULL) {
        m->nin_use = pd_metrics_series_get(pd_core_metrics(p->core),
                                           PD_METRICS_S_POOL_IN_USE,
                                           m->in_use, SPARK_MAX);
        m->nwaiting = pd_metrics_series_get(pd_core_metrics(p->core),
                                            PD_METRICS_S_POOL_WAITING,
                                            m->waiting, SPARK_MAX);
    }
    err = pd_pool_last_error(pd_core_pool(p->core));
    tui_panel_set_error(p, err != NULL ? err->message : NULL);
    tui_panel_fresh(p);
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

/* "in use ▁▂▅█  waiting ▁▁▁▂" over the last seconds, half a line each. */
static void draw_sparks(WINDOW *w, int y, const pool_model *m,
                        const tui_theme *th, bool stale)
{
    attr_t la = tui_theme_attr(th, TUI_ROLE_LABEL);
    attr_t sa = tui_theme_attr(th, stale ? TUI_ROLE_DIM : TUI_ROLE_SPARK);
    attr_t wa = tui_theme_attr(th, stale ? TUI_ROLE_DIM : TUI_ROLE_BAR_WARN);
    attr_t za = tui_theme_attr(th, TUI_ROLE_DIM);
    int half = getmaxx(w) / 2, x;

    x = tui_panel_put(w, y, 0, la, "in use ");
    tui_sparkline_draw(w, y, x, half - x - 1, m->in_use, m->nin_use, sa, za);
    x = half + tui_panel_put(w, y, half, la, "waiting ");
    tui_sparkline_draw(w, y, x, getmaxx(w) - x, m->waiting, m->nwaiting, wa,
                       za);
}

static void pool_draw(tui_panel *p, WINDOW *w, int top, const tui_theme *th)
{
    const pool_model *m = p->model;
    const pd_pool_stats *st = &m->st;
    bool stale = tui_panel_stale(p);
    tui_flow f = {w, top, 0, tui_theme_attr(th, TUI_ROLE_LABEL),
              tui_theme_attr(th, stale ? TUI_ROLE_DIM : TUI_ROLE_VALUE)};

    if (!m->have) {
        tui_panel_put(w, f.y++, 0, tui_theme_attr(th, TUI_ROLE_DIM),
                      "waiting for the first snapshot");
        tui_flow_item(&f, "target", 0, m->target);
        return;
    }
    /* Most telling first: small screens keep the top lines. */
    draw_bar(w, f.y++, m, th, stale);

    tui_flow_u64(&f, "size", (uint64_t)st->size);
    tui_flow_u64(&f, "idle", (uint64_t)st->idle);
    tui_flow_u64(&f, "in use", (uint64_t)st->in_use);
    tui_flow_u64(&f, "connecting", (uint64_t)st->connecting);
    tui_flow_u64(&f, "waiting", (uint64_t)st->waiting);
    tui_flow_u64(&f, "min", (uint64_t)st->min);
    tui_flow_u64(&f, "max", (uint64_t)st->max);
    tui_flow_break(&f);
    draw_sparks(w, f.y++, m, th, stale);

    tui_flow_u64(&f, "acquires", st->acquires);
    tui_flow_u64(&f, "timeouts", st->timeouts);
    tui_flow_u64(&f, "opened", st->opened);
    tui_flow_u64(&f, "closed", st->closed);
    tui_flow_u64(&f, "errors", st->errors);
    tui_flow_break(&f);

    f.x += tui_panel_put(w, f.y, 0, f.label, "acquire wait");
    if (st->wait.count == 0) {
        tui_panel_put(w, f.y, f.x, tui_theme_attr(th, TUI_ROLE_DIM),
                      "  no samples yet");
    } else {
        tui_flow_us(&f, "p50", m->q50);
        tui_flow_us(&f, "p95", m->q95);
        tui_flow_us(&f, "p99", m->q99);
        tui_flow_us(&f, "max", st->wait.max_us);
        tui_flow_u64(&f, "n", st->wait.count);
    }
    tui_flow_break(&f);
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
    .hint = {.weight = 1, .max_h = 9, .prio = 2},
};
