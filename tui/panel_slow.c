/* panel_slow.c: the Slow queries panel.
 *
 * The core's slow log, read on every refresh (no query: it is the core's
 * own memory): the newest entries, then the worst fingerprints. '<' and
 * '>' move the threshold down and up a ladder (pd_slowlog_set_threshold,
 * live for every source); 's' changes what "worst" means (total time,
 * max, mean, calls); '/' filters both lists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/slowlog.h"
#include "core/xalloc.h"
#include "tui/dialog.h"
#include "tui/panel.h"
#include "tui/table.h"

#define LATEST_MAX 100 /* newest entries copied per refresh */
#define WORST_MAX 50   /* fingerprints copied per refresh */

enum { L_TIME, L_DUR, L_SOURCE, L_ROWS, L_QUERY, NLCOLS };

static const tui_table_col latest_cols[NLCOLS] = {
    [L_TIME] = {"TIME", 8, 8, 6, false, false, false},
    [L_DUR] = {"DURATION", 8, 10, 9, true, false, false},
    [L_SOURCE] = {"SOURCE", 6, 16, 5, false, false, false},
    [L_ROWS] = {"ROWS", 4, 11, 4, true, false, false},
    [L_QUERY] = {"QUERY", 16, 0, 10, false, false, false},
};

enum { W_CALLS, W_TOTAL, W_MEAN, W_P95, W_MAX, W_QUERY, NWCOLS };

static const tui_table_col worst_cols[NWCOLS] = {
    [W_CALLS] = {"CALLS", 5, 8, 8, true, false, false},
    [W_TOTAL] = {"TOTAL", 7, 10, 7, true, false, false},
    [W_MEAN] = {"MEAN", 7, 10, 9, true, false, false},
    [W_P95] = {"P95", 7, 10, 5, true, false, false},
    [W_MAX] = {"MAX", 7, 10, 6, true, false, false},
    [W_QUERY] = {"QUERY", 16, 0, 10, false, false, false},
};

/* The threshold moves along these, in ms. */
static const uint32_t ladder[] = {0,   1,   2,    5,    10,   20,   50,
                                  100, 200, 500,  1000, 2000, 5000, 10000};
#define NLADDER ((int)(sizeof(ladder) / sizeof(ladder[0])))

static const struct {
    pd_slowlog_order order;
    const char *name;
    int col; /* marked as the sort column */
} orders[] = {
    {PD_SLOWLOG_BY_TOTAL, "total", W_TOTAL},
    {PD_SLOWLOG_BY_MAX, "max", W_MAX},
    {PD_SLOWLOG_BY_MEAN, "mean", W_MEAN},
    {PD_SLOWLOG_BY_CALLS, "calls", W_CALLS},
};
#define NORDERS ((int)(sizeof(orders) / sizeof(orders[0])))

typedef struct slow_model {
    tui_table latest;     /* newest first */
    tui_table worst;      /* by orders[order] */
    int order;            /* into orders[] */
    uint32_t threshold_ms;
    pd_slowlog_counters counters;
    char *file_error;     /* the slow log file's last error, or NULL */
    bool have;            /* refreshed once */
} slow_model;

static const tui_key slow_keys[] = {
    {'<', "<", NULL, "lower the slow-query threshold", TUI_ACT_NONE, 0},
    {'>', ">", "Threshold", "raise the slow-query threshold",
     TUI_ACT_NONE, 6},
    {'s', "s", "Worst by", "rank the worst by total, max, mean or calls",
     TUI_ACT_NONE, 5},
    {'/', "/", "Filter", "show only queries containing a text",
     TUI_ACT_NONE, 4},
    {0, NULL, NULL, NULL, TUI_ACT_NONE, 0},
};

static void slow_init(tui_panel *p)
{
    slow_model *m = pd_xcalloc(1, sizeof(*m));

    tui_table_init(&m->latest, latest_cols, NLCOLS, -1, false);
    m->latest.empty = "no slow query yet";
    m->latest.follow_top = true;
    tui_table_init(&m->worst, worst_cols, NWCOLS, -1, false);
    m->worst.empty = "no slow query yet";
    p->model = m;
}

static void fmt_time(char *buf, size_t len, int64_t ts_us)
{
    time_t t = (time_t)(ts_us / 1000000);
    struct tm tm;

    if (localtime_r(&t, &tm) == NULL ||
        strftime(buf, len, "%H:%M:%S", &tm) == 0)
        snprintf(buf, len, "?");
}

static void collect_latest(slow_model *m, const pd_slowlog *sl)
{
    size_t i, n = pd_slowlog_count(sl);

    tui_table_clear(&m->latest);
    for (i = 0; i < n && i < LATEST_MAX; i++) {
        const pd_slowlog_item *it = pd_slowlog_get(sl, i);
        const char *cells[NLCOLS];
        char when[16], dur[24], rows[32];

        if (it == NULL)
            break;
        fmt_time(when, sizeof(when), it->ts_us);
        tui_panel_fmt_us(dur, sizeof(dur), it->duration_us);
        if (it->err_message != NULL)
            snprintf(rows, sizeof(rows), "ERR %s", it->err_sqlstate);
        else if (it->rows >= 0)
            snprintf(rows, sizeof(rows), "%lld", (long long)it->rows);
        else
            rows[0] = '\0';
        cells[L_TIME] = when;
        cells[L_DUR] = dur;
        cells[L_SOURCE] = it->source;
        cells[L_ROWS] = rows;
        cells[L_QUERY] = it->query;
        tui_table_add(&m->latest, it->ts_us,
                      it->err_message != NULL ? TUI_ROLE_ERROR :
                                                TUI_ROLE_VALUE,
                      cells);
    }
    tui_table_done(&m->latest);
}

static void collect_worst(slow_model *m, const pd_slowlog *sl)
{
    pd_slowlog_stat st[WORST_MAX];
    size_t i, n = pd_slowlog_stats(sl, orders[m->order].order, st, WORST_MAX);

    tui_table_clear(&m->worst);
    m->worst.sort_col = orders[m->order].col;
    m->worst.sort_desc = true;
    for (i = 0; i < n; i++) {
        const char *cells[NWCOLS];
        char calls[24], total[24], mean[24], p95[24], max[24];

        snprintf(calls, sizeof(calls), "%llu", (unsigned long long)st[i].calls);
        tui_panel_fmt_us(total, sizeof(total), st[i].total_us);
        tui_panel_fmt_us(mean, sizeof(mean), st[i].mean_us);
        tui_panel_fmt_us(p95, sizeof(p95), st[i].p95_us);
        tui_panel_fmt_us(max, sizeof(max), st[i].max_us);
        cells[W_CALLS] = calls;
        cells[W_TOTAL] = total;
        cells[W_MEAN] = mean;
        cells[W_P95] = p95;
        cells[W_MAX] = max;
        cells[W_QUERY] = st[i].query;
        tui_table_add(&m->worst, (int64_t)st[i].fingerprint, TUI_ROLE_VALUE,
                      cells);
    }
    /* Already ranked by the slow log: shown in its order. */
    m->worst.sort_col = -1;
    tui_table_done(&m->worst);
    m->worst.sort_col = orders[m->order].col;
}

static void update_note(tui_panel *p)
{
    slow_model *m = p->model;
    char note[96];

    snprintf(note, sizeof(note), "threshold %u ms, %llu recorded",
             (unsigned)m->threshold_ms,
             (unsigned long long)m->counters.recorded);
    tui_panel_set_note(p, note);
}

static void slow_refresh(tui_panel *p)
{
    slow_model *m = p->model;
    const pd_slowlog *sl = pd_core_slowlog(p->core);
    const char *ferr = pd_slowlog_last_error(sl);

    m->threshold_ms = pd_slowlog_threshold_ms(sl);
    m->counters = pd_slowlog_counters_get(sl);
    collect_latest(m, sl);
    collect_worst(m, sl);
    free(m->file_error);
    m->file_error = ferr != NULL ? pd_xstrdup(ferr) : NULL;
    m->have = true;
    update_note(p);
    tui_panel_fresh(p);
}

static void slow_draw(tui_panel *p, WINDOW *w, int top, const tui_theme *th)
{
    slow_model *m = p->model;
    int rows = getmaxy(w) - top, latest, y = top;

    if (!m->have || rows <= 0)
        return;
    if (m->file_error != NULL && rows > 4) {
        tui_panel_putf(w, y++, 0, tui_theme_attr(th, TUI_ROLE_WARN),
                       "slow log file: %s", m->file_error);
        rows--;
    }
    /* The newest above, the worst below; a short panel shows the newest
     * only. */
    latest = rows >= 8 ? rows / 2 : rows;
    tui_table_draw(&m->latest, w, y, th, false, p->focused, latest);
    if (latest == rows)
        return;
    y += latest;
    tui_panel_putf(w, y++, 0, tui_theme_attr(th, TUI_ROLE_TITLE),
                   "worst by %s", orders[m->order].name);
    tui_table_draw(&m->worst, w, y, th, false, false, rows - latest - 1);
}

static void set_threshold(tui_panel *p, int dir)
{
    slow_model *m = p->model;
    pd_slowlog *sl = pd_core_slowlog(p->core);
    uint32_t cur = pd_slowlog_threshold_ms(sl), next = cur;
    int i;

    if (dir > 0) {
        for (i = 0; i < NLADDER; i++)
            if (ladder[i] > cur) {
                next = ladder[i];
                break;
            }
    } else {
        for (i = NLADDER - 1; i >= 0; i--)
            if (ladder[i] < cur) {
                next = ladder[i];
                break;
            }
    }
    pd_slowlog_set_threshold(sl, next);
    m->threshold_ms = next;
    tui_dialog_message("slow-query threshold: %u ms", (unsigned)next);
    update_note(p);
}

static int slow_key(tui_panel *p, int key)
{
    slow_model *m = p->model;
    int rc;

    if (!m->latest.editing) {
        switch (key) {
        case '<':
        case '>':
            set_threshold(p, key == '>' ? 1 : -1);
            return TUI_HANDLED | TUI_REDRAW;
        case 's':
            m->order = (m->order + 1) % NORDERS;
            collect_worst(m, pd_core_slowlog(p->core));
            return TUI_HANDLED | TUI_REDRAW;
        default:
            break;
        }
    }
    rc = tui_table_key(&m->latest, key);
    /* One filter for both lists. */
    if (strcmp(m->worst.filter, m->latest.filter) != 0) {
        snprintf(m->worst.filter, sizeof(m->worst.filter), "%s",
                 m->latest.filter);
        collect_worst(m, pd_core_slowlog(p->core));
    }
    p->modal = m->latest.editing;
    return rc;
}

static void slow_click(tui_panel *p, int y, int x)
{
    slow_model *m = p->model;

    (void)x;
    tui_table_click(&m->latest, y);
}

static void slow_free(tui_panel *p)
{
    slow_model *m = p->model;

    if (m == NULL)
        return;
    tui_table_free(&m->latest);
    tui_table_free(&m->worst);
    free(m->file_error);
    free(m);
}

const tui_panel_ops tui_slow_panel = {
    .name = "Slow queries",
    .init = slow_init,
    .refresh = slow_refresh,
    .draw = slow_draw,
    .key = slow_key,
    .click = slow_click,
    .free = slow_free,
    .keys = slow_keys,
    .hint = {.weight = 2, .prio = 1},
};
