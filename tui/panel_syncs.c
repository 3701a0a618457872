/* panel_syncs.c: the Syncs panel, the refresh-all jobs.
 *
 * Every configured job (pd_core_syncs) with its state, last duration (the
 * elapsed time while it runs), rows, attempts and last error; above them
 * the refresh-all in progress (a bar, done/total, elapsed) or how the
 * last one ended. The model is a copy of the jobs' statuses, taken on
 * each sync event (tui_syncs_panel_update, from the dashboard that runs
 * refresh-all), on the refresh timer, and while a run is on, on the tick
 * timer so the elapsed times move. With no job configured, it says so in
 * one line and asks for no more room. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/sync.h"
#include "core/xalloc.h"
#include "tui/panel.h"
#include "tui/table.h"

enum { C_JOB, C_STATE, C_TIME, C_ROWS, C_TRIES, C_ERROR, NCOLS };

static const tui_table_col cols[NCOLS] = {
    [C_JOB] = {.name = "JOB", .min_w = 4, .max_w = 24, .prio = 10},
    [C_STATE] = {.name = "STATE", .min_w = 8, .max_w = 8, .prio = 9},
    [C_TIME] = {.name = "TIME", .min_w = 7, .max_w = 9, .prio = 7,
                .right = true},
    [C_ROWS] = {.name = "ROWS", .min_w = 4, .max_w = 10, .prio = 5,
                .right = true},
    [C_TRIES] = {.name = "TRIES", .min_w = 5, .max_w = 5, .prio = 4,
                 .right = true},
    [C_ERROR] = {.name = "ERROR", .min_w = 10, .max_w = 0, .prio = 8},
};

#define BAR_W 20    /* cells of the progress bar at most */
#define ASK_JOBS 12 /* jobs the panel asks room for at most */

typedef struct syncs_model {
    tui_table table;
    int n;                /* jobs configured */
    int ndone, nok, nfailed, nskipped; /* of the run in progress or last */
    bool running;         /* a refresh-all is on */
    bool ran;             /* one ran (or runs) since the dashboard started */
    uint64_t t0_ms;       /* uv_now() the run was first seen */
    uint64_t run_ms;      /* its duration, or elapsed while it runs */
    time_t end_wall;      /* wall clock the last run ended */
    char *error;          /* "job: error" of the first failed job, or NULL */
} syncs_model;

static void syncs_init(tui_panel *p)
{
    syncs_model *m = pd_xcalloc(1, sizeof(*m));
    pd_sync *s = pd_core_syncs(p->core);

    tui_table_init(&m->table, cols, NCOLS, -1, false);
    m->table.empty = "no job";
    m->n = s != NULL ? pd_sync_count(s) : 0;
    p->model = m;
}

static tui_role state_role(pd_sync_state st)
{
    switch (st) {
    case PD_SYNC_RUNNING:
        return TUI_ROLE_ACTIVE;
    case PD_SYNC_RETRYING:
    case PD_SYNC_SKIPPED:
        return TUI_ROLE_WARN;
    case PD_SYNC_OK:
        return TUI_ROLE_OK;
    case PD_SYNC_FAILED:
        return TUI_ROLE_ERROR;
    default:
        return TUI_ROLE_IDLE;
    }
}

static void set_note(tui_panel *p)
{
    syncs_model *m = p->model;
    char note[64];

    if (m->n == 0) {
        tui_panel_set_note(p, NULL);
        return;
    }
    if (m->running) {
        snprintf(note, sizeof(note), "refresh-all %d/%d", m->ndone, m->n);
        p->note_role = TUI_ROLE_ACTIVE;
    } else if (m->ran && m->nok < m->n) {
        snprintf(note, sizeof(note), "%d failed%s", m->nfailed,
                 m->nskipped > 0 ? ", some skipped" : "");
        p->note_role = TUI_ROLE_ERROR;
    } else if (m->ran) {
        snprintf(note, sizeof(note), "all ok");
        p->note_role = TUI_ROLE_OK;
    } else {
        snprintf(note, sizeof(note), "%d job%s", m->n, m->n == 1 ? "" : "s");
        p->note_role = TUI_ROLE_LABEL;
    }
    tui_panel_set_note(p, note);
}

/* Copies every job's status into the model; notes a run starting or
 * ending; ticks while one runs. */
static void snapshot(tui_panel *p)
{
    syncs_model *m = p->model;
    pd_sync *s = pd_core_syncs(p->core);
    uint64_t now = uv_now(pd_core_loop(p->core));
    bool running;
    int i;

    if (s == NULL) {
        tui_panel_fresh(p);
        return;
    }
    running = pd_sync_running(s);
    if (running && !m->running) {
        m->t0_ms = now;
        m->ran = true;
    }
    if (!running && m->running)
        m->end_wall = time(NULL);
    if (running || m->running)
        m->run_ms = now - m->t0_ms;
    m->running = running;
    m->ndone = m->nok = m->nfailed = m->nskipped = 0;
    free(m->error);
    m->error = NULL;
    tui_table_clear(&m->table);
    for (i = 0; i < m->n; i++) {
        pd_sync_status st = pd_sync_status_get(s, i);
        char time_s[24] = "", rows[24] = "", tries[16] = "";
        const char *cells[NCOLS];
        bool over = st.state == PD_SYNC_OK || st.state == PD_SYNC_FAILED ||
                    st.state == PD_SYNC_SKIPPED;

        if (st.state != PD_SYNC_IDLE && st.state != PD_SYNC_QUEUED &&
            st.state != PD_SYNC_SKIPPED)
            tui_panel_fmt_ms(time_s, sizeof(time_s), st.ms);
        if (over && st.state != PD_SYNC_SKIPPED)
            snprintf(rows, sizeof(rows), "%lld", (long long)st.rows);
        if (st.attempts > 0)
            snprintf(tries, sizeof(tries), "%u", st.attempts);
        cells[C_JOB] = st.name;
        cells[C_STATE] = pd_sync_state_name(st.state);
        cells[C_TIME] = time_s;
        cells[C_ROWS] = rows;
        cells[C_TRIES] = tries;
        cells[C_ERROR] = st.error != NULL ? st.error : "";
        tui_table_add(&m->table, i, state_role(st.state), cells);
        m->ndone += over;
        m->nok += st.state == PD_SYNC_OK;
        m->nfailed += st.state == PD_SYNC_FAILED;
        m->nskipped += st.state == PD_SYNC_SKIPPED;
        if (m->error == NULL && st.error != NULL && st.error[0] != '\0')
            m->error = pd_xasprintf("%s: %s", st.name, st.error);
    }
    tui_table_done(&m->table);
    tui_panel_set_ticking(p, running);
    set_note(p);
    tui_panel_fresh(p);
}

/* A job's state changed, or refresh-all ended: shows it now. */
void tui_syncs_panel_update(tui_panel *p)
{
    if (p != NULL && p->model != NULL)
        snapshot(p);
}

static void syncs_refresh(tui_panel *p)
{
    snapshot(p);
}

/* "[██████░░░░] 3/5  1.2 s" from x on line y. */
static int draw_progress(const syncs_model *m, WINDOW *w, int y,
                         const tui_theme *th)
{
    bool utf8 = MB_CUR_MAX > 1;
    int width = getmaxx(w), bar = width - 30, fill, i, x = 0;
    char tail[48], el[24];

    x += tui_panel_put(w, y, x, tui_theme_attr(th, TUI_ROLE_LABEL),
                       "refresh-all ");
    if (bar > BAR_W)
        bar = BAR_W;
    if (bar >= 4) {
        fill = m->n > 0 ? m->ndone * bar / m->n : 0;
        x += tui_panel_put(w, y, x, tui_theme_attr(th, TUI_ROLE_FRAME),
                           "[");
        for (i = 0; i < bar; i++)
            x += tui_panel_put(w, y, x,
                               tui_theme_attr(th, i < fill ?
                                                      TUI_ROLE_BAR_OK :
                                                      TUI_ROLE_BAR_IDLE),
                               i < fill ? (utf8 ? "█" : "#") :
                                          (utf8 ? "░" : "."));
        x += tui_panel_put(w, y, x, tui_theme_attr(th, TUI_ROLE_FRAME),
                           "] ");
    }
    tui_panel_fmt_ms(el, sizeof(el), m->run_ms);
    snprintf(tail, sizeof(tail), "%d/%d done  %s", m->ndone, m->n, el);
    x += tui_panel_put(w, y, x, tui_theme_attr(th, TUI_ROLE_VALUE), tail);
    return x;
}

static void draw_last(const syncs_model *m, WINDOW *w, int y,
                      const tui_theme *th, bool compact)
{
    char line[160], stamp[16] = "", el[24];
    struct tm tm;
    bool ok = m->nok == m->n;

    if (!m->ran && compact) { /* no room for the table: the names */
        int x = tui_panel_putf(w, y, 0, tui_theme_attr(th, TUI_ROLE_LABEL),
                               "%d job%s:", m->n, m->n == 1 ? "" : "s");
        size_t i;

        for (i = 0; i < m->table.nrows; i++)
            x += tui_panel_putf(w, y, x, tui_theme_attr(th, TUI_ROLE_VALUE),
                                " %s", m->table.rows[i].cells[C_JOB]);
        tui_panel_put(w, y, x, tui_theme_attr(th, TUI_ROLE_DIM),
                      "  (R runs them)");
        return;
    }
    if (!m->ran) {
        tui_panel_put(w, y, 0, tui_theme_attr(th, TUI_ROLE_DIM),
                      "R runs every job at once (refresh-all)");
        return;
    }
    if (localtime_r(&m->end_wall, &tm) != NULL)
        strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
    tui_panel_fmt_ms(el, sizeof(el), m->run_ms);
    if (ok)
        snprintf(line, sizeof(line), "last refresh-all %s: ok, %d job%s in %s",
                 stamp, m->n, m->n == 1 ? "" : "s", el);
    else
        snprintf(line, sizeof(line),
                 "last refresh-all %s: %d ok, %d failed, %d skipped, in %s",
                 stamp, m->nok, m->nfailed, m->nskipped, el);
    tui_panel_put(w, y, 0, tui_theme_attr(th, ok ? TUI_ROLE_OK :
                                                   TUI_ROLE_ERROR),
                  line);
}

/* The table of jobs from line top; when some do not fit, its last line
 * says how many (on the headings when there is no line for it). Returns
 * the lines used. */
static int draw_jobs(syncs_model *m, WINDOW *w, int top, const tui_theme *th,
                     bool stale, bool focused)
{
    tui_table *t = &m->table;
    bool filter_line = t->editing || t->filter[0] != '\0';
    int avail = getmaxy(w) - top, used, hidden, x,
        all = 1 + (t->nview > 0 ? (int)t->nview : 1) + (filter_line ? 1 : 0);
    char more[48];

    if (avail >= all)
        return tui_table_draw(t, w, top, th, stale, focused, all);
    used = tui_table_draw(t, w, top, th, stale, focused,
                          avail >= 3 ? avail - 1 : avail);
    hidden = (int)t->nview - (t->page < (int)t->nview ? t->page :
                                                        (int)t->nview);
    if (hidden <= 0)
        return used;
    snprintf(more, sizeof(more), "+%d more, Enter to zoom", hidden);
    if (avail >= 3) {
        tui_panel_put(w, top + used, 0, tui_theme_attr(th, TUI_ROLE_DIM),
                      more);
        return used + 1;
    }
    x = getmaxx(w) - tui_panel_width(more) - 1;
    tui_panel_put(w, top, x > 0 ? x : 0, tui_theme_attr(th, TUI_ROLE_DIM),
                  more);
    return used;
}

static void syncs_draw(tui_panel *p, WINDOW *w, int top, const tui_theme *th)
{
    syncs_model *m = p->model;
    int rows = getmaxy(w), used;
    const tui_table_row *sel;

    if (m->n == 0) {
        tui_panel_put(w, top, 0, tui_theme_attr(th, TUI_ROLE_DIM),
                      "no syncs configured (\"syncs\" in the config file)");
        return;
    }
    if (m->running)
        draw_progress(m, w, top, th);
    else
        draw_last(m, w, top, th, top + 1 >= rows);
    top++;
    if (top >= rows) { /* no line for a job (the names, before a run) */
        if (m->running || m->ran) {
            char more[48];
            int x;

            snprintf(more, sizeof(more), " +%d more, Enter to zoom", m->n);
            x = getmaxx(w) - tui_panel_width(more);
            tui_panel_put(w, top - 1, x > 0 ? x : 0,
                          tui_theme_attr(th, TUI_ROLE_DIM), more);
        }
        return;
    }
    used = draw_jobs(m, w, top, th, tui_panel_stale(p), p->focused);
    top += used;
    /* The whole error of the selected job (focused), else of the first
     * that failed, in what is left. */
    sel = p->focused ? tui_table_selected(&m->table) : NULL;
    if (top < rows && sel != NULL && sel->cells[C_ERROR][0] != '\0') {
        char *s = pd_xasprintf("%s: %s", sel->cells[C_JOB],
                               sel->cells[C_ERROR]);

        tui_panel_wrap(w, top, 0, tui_theme_attr(th, TUI_ROLE_ERROR), s,
                       rows - top);
        free(s);
    } else if (top < rows && m->error != NULL) {
        tui_panel_wrap(w, top, 0, tui_theme_attr(th, TUI_ROLE_ERROR),
                       m->error, rows - top);
    }
}

static int syncs_key(tui_panel *p, int key)
{
    syncs_model *m = p->model;

    return tui_table_key(&m->table, key);
}

static void syncs_click(tui_panel *p, int y, int x)
{
    syncs_model *m = p->model;

    (void)x;
    tui_table_click(&m->table, y);
}

/* One line when there is nothing to list; else it asks for the frame,
 * the progress line, the headings and every job (ASK_JOBS at most), and
 * can use two lines of error more. */
static void syncs_fit(tui_panel *p, tui_layout_hint *h)
{
    syncs_model *m = p->model;
    int jobs = m->n < ASK_JOBS ? m->n : ASK_JOBS;

    h->max_h = m->n == 0 ? 3 : jobs + 2 + 2 + 2;
    h->min_h = m->n == 0 ? 0 : jobs + 2 + 2;
}

static void syncs_free(tui_panel *p)
{
    syncs_model *m = p->model;

    if (m == NULL)
        return;
    tui_table_free(&m->table);
    free(m->error);
    free(m);
}

const tui_panel_ops tui_syncs_panel = {
    .name = "Syncs",
    .init = syncs_init,
    .refresh = syncs_refresh,
    .draw = syncs_draw,
    .key = syncs_key,
    .click = syncs_click,
    .tick = syncs_refresh,
    .fit = syncs_fit,
    .free = syncs_free,
    .hint = {.weight = 1, .wide = true},
};
