/* panel_queries.c: the Queries panel.
 *
 * Reads core/metrics on every refresh: a snapshot (rates, latency
 * quantiles, in flight, loop lag, per source) and the per-second series
 * behind the sparklines. No query of its own. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics.h"
#include "core/xalloc.h"
#include "tui/panel.h"
#include "tui/sparkline.h"

#define SPARK_MAX 240 /* seconds kept for the widest sparkline */

typedef struct queries_model {
    pd_metrics_snapshot snap;   /* the last one */
    int64_t qps[SPARK_MAX];     /* queries per second, oldest first */
    int64_t eps[SPARK_MAX];     /* errors per second */
    int64_t p99[SPARK_MAX];     /* p99 latency per second, us */
    size_t nq, ne, np;          /* values in each */
    bool have;
} queries_model;

static void queries_init(tui_panel *p)
{
    p->model = pd_xcalloc(1, sizeof(queries_model));
}

static void queries_refresh(tui_panel *p)
{
    queries_model *m = p->model;
    pd_metrics *mt = pd_core_metrics(p->core);

    if (mt == NULL) {
        tui_panel_set_error(p, "no metrics in this core");
        return;
    }
    pd_metrics_snapshot_get(mt, &m->snap);
    m->nq = pd_metrics_series_get(mt, PD_METRICS_S_QUERIES, m->qps,
                                  SPARK_MAX);
    m->ne = pd_metrics_series_get(mt, PD_METRICS_S_ERRORS, m->eps,
                                  SPARK_MAX);
    m->np = pd_metrics_series_get(mt, PD_METRICS_S_LATENCY_P99, m->p99,
                                  SPARK_MAX);
    m->have = true;
    tui_panel_fresh(p);
}

/* "label 12.3/s ▁▂▅█" on line y: the label, the value, then the series in
 * what is left of the line. */
static void spark_line(WINDOW *w, int y, const tui_theme *th,
                       const char *label, const char *value,
                       const int64_t *v, size_t n, tui_role role, bool stale)
{
    int x = 0, width = getmaxx(w);

    x += tui_panel_putf(w, y, x, tui_theme_attr(th, TUI_ROLE_LABEL), "%-10s",
                        label);
    x += tui_panel_putf(w, y, x,
                        tui_theme_attr(th, stale ? TUI_ROLE_DIM :
                                                   TUI_ROLE_VALUE),
                        "%9s ", value);
    tui_sparkline_draw(w, y, x, width - x, v, n,
                       tui_theme_attr(th, stale ? TUI_ROLE_DIM : role),
                       tui_theme_attr(th, TUI_ROLE_DIM));
}

static void queries_draw(tui_panel *p, WINDOW *w, int top,
                         const tui_theme *th)
{
    const queries_model *m = p->model;
    const pd_metrics_snapshot *s = &m->snap;
    bool stale = tui_panel_stale(p);
    attr_t va = tui_theme_attr(th, stale ? TUI_ROLE_DIM : TUI_ROLE_VALUE);
    tui_flow f = {w, top, 0, tui_theme_attr(th, TUI_ROLE_LABEL), va};
    int rows = getmaxy(w), src;
    char v[32];

    if (!m->have)
        return;
    snprintf(v, sizeof(v), "%.1f/s", s->queries_per_s);
    spark_line(w, f.y++, th, "queries", v, m->qps, m->nq, TUI_ROLE_SPARK,
               stale);
    snprintf(v, sizeof(v), "%.1f/s", s->errors_per_s);
    spark_line(w, f.y++, th, "errors", v, m->eps, m->ne,
               s->errors_per_s > 0 ? TUI_ROLE_SPARK_ERROR : TUI_ROLE_SPARK,
               stale);
    if (f.y >= rows)
        return;
    f.x = tui_panel_put(w, f.y, 0, f.label, "latency");
    if (s->all.latency.count == 0) {
        tui_flow_item(&f, "", tui_theme_attr(th, TUI_ROLE_DIM), "none yet");
    } else {
        tui_flow_us(&f, "p50", s->all.latency.p50_us);
        tui_flow_us(&f, "p95", s->all.latency.p95_us);
        tui_flow_us(&f, "p99", s->all.latency.p99_us);
        tui_flow_us(&f, "max", s->all.latency.max_us);
    }
    tui_flow_break(&f);
    tui_flow_u64(&f, "in flight", s->in_flight);
    tui_flow_u64(&f, "total", s->all.queries);
    tui_flow_item(&f, "failed",
                  s->all.errors > 0 && !stale ?
                      tui_theme_attr(th, TUI_ROLE_WARN) : 0,
                  (snprintf(v, sizeof(v), "%" PRIu64, s->all.errors), v));
    tui_flow_us(&f, "loop lag p99", s->loop_lag.p99_us);
    tui_flow_break(&f);
    if (f.y < rows && m->np > 0) {
        tui_panel_fmt_us(v, sizeof(v), (uint64_t)m->p99[m->np - 1]);
        spark_line(w, f.y++, th, "p99", v, m->p99, m->np, TUI_ROLE_SPARK,
                   stale);
    }
    /* Split by source (panels, shell, syncs, bench...), in a fixed order. */
    for (src = 0; src < PD_METRICS_NSOURCES && f.y < rows; src++) {
        const pd_metrics_source_stats *ss = &s->source[src];

        if (ss->queries == 0)
            continue;
        f.x = tui_panel_putf(w, f.y, 0, tui_theme_attr(th, TUI_ROLE_TITLE),
                             "%-6s",
                             pd_metrics_source_name((pd_metrics_source)src));
        tui_flow_u64(&f, "", ss->queries);
        tui_flow_item(&f, "err",
                      ss->errors > 0 && !stale ?
                          tui_theme_attr(th, TUI_ROLE_WARN) : 0,
                      (snprintf(v, sizeof(v), "%" PRIu64, ss->errors), v));
        tui_flow_us(&f, "p50", ss->latency.p50_us);
        tui_flow_us(&f, "p99", ss->latency.p99_us);
        tui_flow_us(&f, "max", ss->latency.max_us);
        tui_flow_break(&f);
    }
}

static void queries_free(tui_panel *p)
{
    free(p->model);
}

const tui_panel_ops tui_queries_panel = {
    .name = "Queries",
    .init = queries_init,
    .refresh = queries_refresh,
    .draw = queries_draw,
    .free = queries_free,
    .hint = {.weight = 1, .max_h = 9, .prio = 2},
};
