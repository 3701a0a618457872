/* panel_custom.c: the custom panels of the config ("panels": title, sql,
 * refresh_ms).
 *
 * Each runs its query every refresh_ms (scaled with the dashboard's
 * interval) through tui_panel_fetch, so it is never sent twice and its
 * errors show in place, under the source "panel:<title>". A result of one
 * row and one numeric column is shown as a single value with a sparkline
 * of its past values; any other as a table (sortable, filterable). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/query.h"
#include "core/xalloc.h"
#include "tui/panel.h"
#include "tui/restable.h"
#include "tui/sparkline.h"

#define HIST_MAX 240 /* values kept for the sparkline */

typedef struct custom_model {
    char *sql;             /* TUI_PANEL_SQL and the configured query */
    uint32_t flags;        /* PD_QUERY_READ_ONLY when it surely is */
    tui_restable rt;       /* the table, in table mode */
    bool have;             /* a result came */
    bool single;           /* one number: value mode */
    char *label, *value;   /* value mode: the column and its value */
    char *tag;             /* a result without rows: its command tag */
    double hist[HIST_MAX]; /* value mode: oldest first */
    size_t nhist;
} custom_model;

static const tui_key custom_keys[] = {
    {'s', "s", "Sort", "sort by the next column", TUI_ACT_NONE, 6},
    {'S', "S", NULL, "reverse the sort", TUI_ACT_NONE, 0},
    {'/', "/", "Filter", "show only rows containing a text", TUI_ACT_NONE,
     6},
    {0, NULL, NULL, NULL, TUI_ACT_NONE, 0},
};

static void custom_init(tui_panel *p)
{
    custom_model *m = pd_xcalloc(1, sizeof(*m));

    tui_restable_init(&m->rt);
    p->model = m;
}

/* Returns-owned panel of cp (borrowed for the call: copied) on core
 * (borrowed), refreshed every cp->refresh_ms at the default interval. */
tui_panel *tui_custom_panel_new(pd_core *core, const pd_config_panel *cp)
{
    uint32_t ms = cp->refresh_ms != 0 ? cp->refresh_ms : 2000;
    tui_panel *p = tui_panel_new(&tui_custom_panel, core, ms);
    custom_model *m = p->model;

    tui_panel_set_title(p, cp->title);
    p->base_ms = ms;
    m->sql = pd_xasprintf(TUI_PANEL_SQL "%s", cp->sql);
    m->flags = pd_query_is_read_only(cp->sql) ? PD_QUERY_READ_ONLY : 0;
    return p;
}

static bool is_single(const pd_result *res)
{
    return res != NULL && pd_result_has_rows(res) &&
           pd_result_ncols(res) == 1 && pd_result_nrows(res) == 1 &&
           !pd_result_is_null(res, 0, 0) &&
           tui_restable_numeric_type(pd_result_col_type(res, 0));
}

static void on_rows(tui_panel *p, pd_result *res)
{
    custom_model *m = p->model;
    bool single;
    char note[64];

    /* A query of several statements: the last one's result counts. */
    while (res != NULL && pd_result_next(res) != NULL) {
        pd_result *rest = pd_result_detach_next(res);

        pd_result_free(res);
        res = rest;
    }
    single = is_single(res);
    if (single != m->single || !m->have)
        p->hint_changed = true;
    m->single = single;
    m->have = true;
    free(m->tag);
    m->tag = NULL;
    if (single) {
        free(m->label);
        free(m->value);
        m->label = pd_xstrdup(pd_result_col_name(res, 0));
        m->value = pd_xstrdup(pd_result_value(res, 0, 0));
        if (m->nhist == HIST_MAX) {
            memmove(m->hist, m->hist + 1, (HIST_MAX - 1) * sizeof(double));
            m->nhist--;
        }
        m->hist[m->nhist++] = strtod(m->value, NULL);
        tui_panel_set_note(p, NULL);
    } else {
        m->nhist = 0;
        tui_restable_set(&m->rt, res);
        if (res != NULL && !pd_result_has_rows(res))
            m->tag = pd_xstrdup(pd_result_tag(res));
        if (m->rt.nrows_all > m->rt.table.nrows)
            snprintf(note, sizeof(note), "first %zu of %zu rows",
                     m->rt.table.nrows, m->rt.nrows_all);
        else if (m->rt.table.filter[0] != '\0')
            snprintf(note, sizeof(note), "%zu of %zu rows",
                     m->rt.table.nview, m->rt.table.nrows);
        else
            snprintf(note, sizeof(note), "%zu row%s", m->rt.table.nrows,
                     m->rt.table.nrows == 1 ? "" : "s");
        tui_panel_set_note(p, m->tag == NULL ? note : NULL);
    }
    pd_result_free(res);
}

static void custom_refresh(tui_panel *p)
{
    custom_model *m = p->model;

    (void)tui_panel_fetch_flags(p, m->sql, m->flags, on_rows);
}

static void fmt_num(char *buf, size_t len, double v)
{
    snprintf(buf, len, "%.6g", v);
}

/* The value, then the sparkline of its past values, then their range. */
static void draw_single(const custom_model *m, WINDOW *w, int y,
                        const tui_theme *th, bool stale)
{
    int width = getmaxx(w), rows = getmaxy(w), x = 0, n;
    int64_t lv[HIST_MAX];
    double lo, hi;
    size_t first, i;
    char a[32], b[32];

    x += tui_panel_putf(w, y, x, tui_theme_attr(th, TUI_ROLE_LABEL), "%s ",
                        m->label);
    tui_panel_put(w, y, x, tui_theme_attr(th, stale ? TUI_ROLE_DIM :
                                                      TUI_ROLE_VALUE),
                  m->value);
    if (++y >= rows || m->nhist == 0)
        return;
    n = width < HIST_MAX ? width : HIST_MAX;
    first = m->nhist > (size_t)n ? m->nhist - (size_t)n : 0;
    tui_sparkline_scale(m->hist + first, m->nhist - first, lv);
    tui_sparkline_draw(w, y, 0, width, lv, m->nhist - first,
                       tui_theme_attr(th, stale ? TUI_ROLE_DIM :
                                                  TUI_ROLE_SPARK),
                       tui_theme_attr(th, TUI_ROLE_DIM));
    if (++y >= rows)
        return;
    lo = hi = m->hist[first];
    for (i = first; i < m->nhist; i++) {
        lo = m->hist[i] < lo ? m->hist[i] : lo;
        hi = m->hist[i] > hi ? m->hist[i] : hi;
    }
    fmt_num(a, sizeof(a), lo);
    fmt_num(b, sizeof(b), hi);
    tui_panel_putf(w, y, 0, tui_theme_attr(th, TUI_ROLE_DIM),
                   "min %s  max %s  of the last %zu", a, b,
                   m->nhist - first);
}

static void custom_draw(tui_panel *p, WINDOW *w, int top,
                        const tui_theme *th)
{
    custom_model *m = p->model;
    bool stale = tui_panel_stale(p);

    if (!m->have) {
        if (p->error == NULL)
            tui_panel_put(w, top, 0, tui_theme_attr(th, TUI_ROLE_DIM),
                          "running its query...");
        return;
    }
    if (m->single)
        draw_single(m, w, top, th, stale);
    else if (m->tag != NULL)
        tui_panel_put(w, top, 0, tui_theme_attr(th, stale ? TUI_ROLE_DIM :
                                                            TUI_ROLE_VALUE),
                      m->tag);
    else
        tui_table_draw(&m->rt.table, w, top, th, stale, p->focused, 0);
}

static int custom_key(tui_panel *p, int key)
{
    custom_model *m = p->model;
    int rc;

    if (m->single || m->rt.ncols == 0)
        return TUI_IGNORED;
    rc = tui_table_key(&m->rt.table, key);
    p->modal = m->rt.table.editing;
    return rc;
}

static void custom_click(tui_panel *p, int y, int x)
{
    custom_model *m = p->model;

    (void)x;
    if (!m->single)
        tui_table_click(&m->rt.table, y);
}

/* A single value needs three lines. */
static void custom_fit(tui_panel *p, tui_layout_hint *h)
{
    custom_model *m = p->model;

    if (m->have && m->single)
        h->max_h = 5;
}

static void custom_free(tui_panel *p)
{
    custom_model *m = p->model;

    if (m == NULL)
        return;
    tui_restable_free(&m->rt);
    free(m->sql);
    free(m->label);
    free(m->value);
    free(m->tag);
    free(m);
}

const tui_panel_ops tui_custom_panel = {
    .name = "Custom",
    .init = custom_init,
    .refresh = custom_refresh,
    .draw = custom_draw,
    .key = custom_key,
    .click = custom_click,
    .fit = custom_fit,
    .free = custom_free,
    .keys = custom_keys,
    .hint = {.weight = 2},
};
