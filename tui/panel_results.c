/* panel_results.c: the results of the ':' command line.
 *
 * What the user types after ':' runs here: SQL through the pool
 * (pd_query_fetch, simple protocol so several statements may follow one
 * another, under the source "panel:command"), or one of core's data
 * commands (\pool, \slow, \metrics, \locks, \retries, \health: pd_cmd_run),
 * or \syncs. Nothing waits: the command runs while the screen lives on,
 * its elapsed time shown; Esc (or Ctrl-C) cancels it: the answer is
 * dropped, and SQL still waiting for a pool connection is withdrawn (it
 * never runs), SQL on the server is canceled there (pd_query_cancel).
 * The outcome is a table that scrolls both ways (several: 'n' shows the
 * next), its command tags and time, or the error in place. One command
 * at a time. 'x', or Esc when nothing runs, closes the panel, giving its
 * rows back to the others. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cmd.h"
#include "core/query.h"
#include "core/sync.h"
#include "core/xalloc.h"
#include "tui/dialog.h"
#include "tui/panel.h"
#include "tui/restable.h"

#define SOURCE "panel:command"
#define ERROR_LINES 6 /* of an error, at most */

/* A data command in flight: its callback may come after the panel
 * closed, which then only cuts the link (p = NULL). */
typedef struct cmd_req {
    tui_panel *p;
    int64_t seq;
    struct cmd_req *next;
} cmd_req;

typedef struct results_model {
    tui_restable rt;     /* the table shown */
    pd_result *res;      /* owned: the outcome, a chain */
    int nsets, set;      /* its tables, the one shown */
    char *line;          /* owned: the command that runs or ran */
    bool running;
    bool sql;            /* it is SQL (a server cancel can reach it) */
    int64_t seq;         /* the command's number: answers to others drop */
    uint64_t t0_ms, ms;  /* when it started; how long it took */
    char marker[64];     /* the comment SQL is sent with */
    char *error;         /* owned: its error, or NULL */
    char *status;        /* owned: its command tags, or NULL */
    cmd_req *cmds;       /* data commands in flight */
} results_model;

#define ESC 27

static const tui_key results_keys[] = {
    {'x', "x", "Close", "close this panel (':' opens it again)",
     TUI_ACT_NONE, 6},
    {KEY_LEFT, "Left", NULL, "scroll the columns left", TUI_ACT_NONE, 0},
    {KEY_RIGHT, "Right", NULL, "scroll the columns right", TUI_ACT_NONE, 0},
    {KEY_HOME, "Home", NULL, "the first columns", TUI_ACT_NONE, 0},
    {KEY_END, "End", NULL, "the last columns", TUI_ACT_NONE, 0},
    {KEY_NPAGE, "PgDn", NULL, "the next page of rows", TUI_ACT_NONE, 0},
    {KEY_PPAGE, "PgUp", NULL, "the previous page of rows", TUI_ACT_NONE, 0},
    {'n', "n", "Next", "show the next result table", TUI_ACT_NONE, 5},
    {'N', "N", NULL, "show the previous result table", TUI_ACT_NONE, 0},
    {'s', "s", "Sort", "sort by the next column", TUI_ACT_NONE, 4},
    {'S', "S", NULL, "reverse the sort", TUI_ACT_NONE, 0},
    {'/', "/", "Filter", "show only rows containing a text", TUI_ACT_NONE,
     4},
    {ESC, "Esc", NULL, "cancel the command that runs, else close",
     TUI_ACT_NONE, 0},
    {0, NULL, NULL, NULL, TUI_ACT_NONE, 0},
};

static void results_init(tui_panel *p)
{
    results_model *m = pd_xcalloc(1, sizeof(*m));

    tui_restable_init(&m->rt);
    p->model = m;
    p->timeless = true;
    tui_panel_set_source(p, SOURCE);
}

/* The table number set of the chain (with rows), or NULL. */
static const pd_result *nth_set(const pd_result *r, int set)
{
    for (; r != NULL; r = pd_result_next(r))
        if (pd_result_has_rows(r) && set-- == 0)
            return r;
    return NULL;
}

static void show_set(tui_panel *p, int set)
{
    results_model *m = p->model;
    char note[64];

    m->set = set;
    tui_restable_set(&m->rt, nth_set(m->res, set));
    m->rt.table.hscroll = true; /* a new set of columns starts afresh */
    if (m->nsets == 0)
        tui_panel_set_note(p, NULL);
    else {
        snprintf(note, sizeof(note), "%zu row%s%s", m->rt.nrows_all,
                 m->rt.nrows_all == 1 ? "" : "s",
                 m->rt.nrows_all > m->rt.table.nrows ? " (first shown)" : "");
        if (m->nsets > 1)
            snprintf(note + strlen(note), sizeof(note) - strlen(note),
                     ", table %d of %d", set + 1, m->nsets);
        tui_panel_set_note(p, note);
    }
    p->dirty = true;
}

/* Returns-owned text of err for the panel, one paragraph a line:
 * "ERROR:  message" (psql's words), then DETAIL, HINT and where in the
 * line the server found it (skip: bytes sent before what was typed). */
static char *error_text(const pd_error *err, size_t skip)
{
    char *s = pd_xasprintf("%s%s%s", err->severity != NULL ? err->severity :
                                                             "",
                           err->severity != NULL ? ":  " : "",
                           err->message);
    char *t;

    if (err->position > 0 && (size_t)err->position > skip) {
        t = pd_xasprintf("%s (at character %d)", s,
                         err->position - (int)skip);
        free(s);
        s = t;
    }
    if (err->detail != NULL) {
        t = pd_xasprintf("%s\nDETAIL:  %s", s, err->detail);
        free(s);
        s = t;
    }
    if (err->hint != NULL) {
        t = pd_xasprintf("%s\nHINT:  %s", s, err->hint);
        free(s);
        s = t;
    }
    return s;
}

/* "\pool, 20 rows": a \command and the rows of its tables (res, the
 * chain, borrowed). Returns-owned. */
static char *cmd_status(const char *line, const pd_result *res)
{
    size_t rows = 0;
    const pd_result *r;

    for (r = res; r != NULL; r = pd_result_next(r))
        rows += pd_result_has_rows(r) ? pd_result_nrows(r) : 0;
    return pd_xasprintf("%.*s, %zu row%s", (int)strcspn(line, " \t"), line,
                        rows, rows == 1 ? "" : "s");
}

/* Takes res (may be NULL) as the outcome, with err (borrowed, may be
 * NULL) and text (takes, may be NULL: shown as a table of lines). */
static void finish(tui_panel *p, pd_result *res, const pd_error *err,
                   char *text)
{
    results_model *m = p->model;
    const pd_result *r;
    char *tags = NULL;

    m->running = false;
    m->ms = uv_now(pd_core_loop(p->core)) - m->t0_ms;
    tui_panel_set_ticking(p, false);
    if (text != NULL) {
        static const char *const names[1] = {"output"};
        pd_result *t = pd_result_new(1, names, NULL);
        char *line = text, *nl;

        while (*line != '\0') {
            const char *v[1];

            nl = strchr(line, '\n');
            if (nl != NULL)
                *nl = '\0';
            v[0] = line;
            pd_result_add_row(t, v);
            if (nl == NULL)
                break;
            line = nl + 1;
        }
        if (res == NULL)
            res = t;
        else
            pd_result_append(res, t);
        free(text);
    }
    pd_result_free(m->res);
    m->res = res;
    m->nsets = 0;
    for (r = res; r != NULL; r = pd_result_next(r)) {
        const char *tag = pd_result_tag(r);

        m->nsets += pd_result_has_rows(r);
        if (tag != NULL && tag[0] != '\0' && m->sql) {
            char *t = pd_xasprintf("%s%s%s", tags != NULL ? tags : "",
                                   tags != NULL ? ", " : "", tag);

            free(tags);
            tags = t;
        }
    }
    /* A \command's tables carry a made-up "SELECT n" tag (core/cmd.c,
     * for the shell): it ran no SELECT, so it is named instead. */
    if (!m->sql && m->line != NULL)
        tags = cmd_status(m->line, res);
    free(m->status);
    m->status = tags;
    free(m->error);
    m->error = err != NULL ? error_text(err, m->sql ? strlen(m->marker) : 0)
                           : NULL;
    show_set(p, 0);
    tui_panel_fresh(p);
}

static void on_sql(tui_panel *p, pd_result *res, const pd_error *err,
                   int64_t tag)
{
    results_model *m = p->model;

    if (!m->running || tag != m->seq) { /* canceled, or an older one */
        pd_result_free(res);
        return;
    }
    finish(p, res, err, NULL);
}

static void on_cmd(pd_result *res, char *text, const pd_error *err,
                   void *ctx)
{
    cmd_req *q = ctx, **pp;
    tui_panel *p = q->p;
    results_model *m;

    if (p == NULL) {
        pd_result_free(res);
        free(text);
        free(q);
        return;
    }
    m = p->model;
    for (pp = &m->cmds; *pp != NULL; pp = &(*pp)->next)
        if (*pp == q) {
            *pp = q->next;
            break;
        }
    if (!m->running || q->seq != m->seq) {
        pd_result_free(res);
        free(text);
    } else {
        finish(p, res, err, text);
    }
    free(q);
}

/* \syncs: the jobs as they stand, now. */
static pd_result *syncs_table(pd_core *core)
{
    static const char *const names[6] = {"job", "state", "attempts", "rows",
                                         "ms", "error"};
    pd_sync *s = pd_core_syncs(core);
    pd_result *r = pd_result_new(6, names, NULL);
    int i, n = s != NULL ? pd_sync_count(s) : 0;

    for (i = 0; i < n; i++) {
        pd_sync_status st = pd_sync_status_get(s, i);
        char a[16], rows[24], ms[24];
        const char *v[6] = {st.name, pd_sync_state_name(st.state), a, rows,
                            ms, st.error};

        snprintf(a, sizeof(a), "%u", st.attempts);
        snprintf(rows, sizeof(rows), "%lld", (long long)st.rows);
        snprintf(ms, sizeof(ms), "%llu", (unsigned long long)st.ms);
        pd_result_add_row(r, v);
    }
    return r;
}

static void fail_now(tui_panel *p, const char *msg)
{
    pd_error err = PD_ERROR_INIT;

    pd_error_set(&err, PD_ERR_USAGE, "%s", msg);
    finish(p, NULL, &err, NULL);
    pd_error_clear(&err);
}

/* Runs line; see panel.h. */
int tui_results_panel_run(tui_panel *p, const char *line)
{
    results_model *m = p->model;
    char *sql;
    int rc;

    while (*line == ' ' || *line == '\t')
        line++;
    if (m->running)
        return 1;
    free(m->line);
    m->line = pd_xstrdup(line);
    m->seq++;
    m->running = true;
    m->sql = false;
    m->t0_ms = uv_now(pd_core_loop(p->core));
    tui_panel_set_ticking(p, true);
    p->dirty = true;
    if (line[0] == '\\') {
        size_t n = strcspn(line + 1, " \t");

        if (n == 5 && strncmp(line + 1, "syncs", 5) == 0) {
            finish(p, syncs_table(p->core), NULL, NULL);
        } else if (pd_cmd_is_data(line)) {
            cmd_req *q = pd_xcalloc(1, sizeof(*q));

            q->p = p;
            q->seq = m->seq;
            if (pd_cmd_run(p->core, line, on_cmd, q) != 0) {
                free(q);
                fail_now(p, "not a command here");
            } else {
                q->next = m->cmds;
                m->cmds = q;
            }
        } else {
            /* psql's own commands (\d and the rest) live in the shell,
             * which the dashboard may not include (layering.sh): say
             * where they are, and what works here. */
            char *msg = pd_xasprintf(
                "%.*s is unknown here: the ':' line takes SQL and \\pool "
                "\\slow \\metrics \\locks \\retries \\health "
                "\\syncs \\refresh \\theme; for \\d and psql's other "
                "commands, use `pgdeck shell`",
                (int)(n + 1), line);

            fail_now(p, msg);
            free(msg);
        }
        return 0;
    }
    m->sql = true;
    snprintf(m->marker, sizeof(m->marker), "/* pgdeck command %ld.%lld */ ",
             (long)getpid(), (long long)m->seq);
    sql = pd_xasprintf("%s%s", m->marker, line);
    rc = tui_panel_exec(p, sql, PD_QUERY_SIMPLE, 0, on_sql, m->seq);
    free(sql);
    if (rc != 0)
        fail_now(p, "the pool takes no queries now");
    return 0;
}

/* Cancels the command that runs; see panel.h. */
bool tui_results_panel_cancel(tui_panel *p)
{
    results_model *m = p != NULL ? p->model : NULL;
    pd_query_cancel_how how = PD_QUERY_CANCEL_NONE;
    pd_error err = PD_ERROR_INIT;

    if (m == NULL || !m->running)
        return false;
    if (m->sql)
        how = tui_panel_cancel(p, on_sql, m->seq);
    pd_error_set(&err, PD_ERR_CANCELED, "canceled by the user");
    finish(p, NULL, &err, NULL);
    pd_error_clear(&err);
    m->seq++; /* whatever answers now is dropped */
    if (how == PD_QUERY_CANCEL_UNSENT)
        tui_dialog_message("canceled before it reached the server");
    else if (how == PD_QUERY_CANCEL_SERVER)
        tui_dialog_message("canceled; the server was asked to stop it");
    else
        tui_dialog_message("canceled");
    return true;
}

/* True while a command runs. */
bool tui_results_panel_busy(const tui_panel *p)
{
    const results_model *m = p != NULL ? p->model : NULL;

    return m != NULL && m->running;
}

static void results_draw(tui_panel *p, WINDOW *w, int top,
                         const tui_theme *th)
{
    results_model *m = p->model;
    int rows = getmaxy(w), x;
    char el[24], *s;

    if (m->line == NULL)
        return;
    x = tui_panel_put(w, top, 0, tui_theme_attr(th, TUI_ROLE_KEY), ":");
    tui_panel_put(w, top, x, tui_theme_attr(th, TUI_ROLE_LABEL), m->line);
    if (++top >= rows)
        return;
    if (m->running) {
        tui_panel_fmt_ms(el, sizeof(el),
                         uv_now(pd_core_loop(p->core)) - m->t0_ms);
        tui_panel_putf(w, top, 0, tui_theme_attr(th, TUI_ROLE_ACTIVE),
                       "running %s  (Esc cancels)", el);
        return;
    }
    tui_panel_fmt_ms(el, sizeof(el), m->ms);
    if (m->error != NULL) {
        const char *e = m->error;
        int lines = 0;

        while (*e != '\0' && lines < ERROR_LINES && top < rows) {
            size_t n = strcspn(e, "\n");
            char *para = pd_xstrndup(e, n);
            int used = tui_panel_wrap(w, top, 0,
                                      tui_theme_attr(th, TUI_ROLE_ERROR),
                                      para, ERROR_LINES - lines);

            free(para);
            top += used;
            lines += used;
            e += n + (e[n] == '\n');
        }
    } else {
        s = pd_xasprintf("%s%sdone in %s", m->status ? m->status : "",
                         m->status ? "  " : "", el);
        tui_panel_put(w, top, 0, tui_theme_attr(th, TUI_ROLE_DIM), s);
        free(s);
        top++;
    }
    if (top < rows && m->nsets > 0)
        tui_table_draw(&m->rt.table, w, top, th, false, p->focused, 0);
}

static int results_key(tui_panel *p, int key)
{
    results_model *m = p->model;
    int rc;

    if (!m->rt.table.editing && key == 'x')
        return TUI_HANDLED | TUI_CLOSE;
    if (!m->rt.table.editing && (key == 'n' || key == 'N')) {
        if (m->nsets < 2)
            return TUI_HANDLED;
        show_set(p, (m->set + (key == 'n' ? 1 : m->nsets - 1)) % m->nsets);
        return TUI_HANDLED | TUI_REDRAW;
    }
    rc = m->nsets > 0 ? tui_table_key(&m->rt.table, key) : TUI_IGNORED;
    p->modal = m->rt.table.editing;
    /* Esc clears a filter first; with none (and nothing running: that
     * Esc cancels before it gets here), it closes. */
    if (rc == TUI_IGNORED && key == ESC)
        return TUI_HANDLED | TUI_CLOSE;
    return rc;
}

static void results_click(tui_panel *p, int y, int x)
{
    results_model *m = p->model;

    (void)x;
    tui_table_click(&m->rt.table, y);
}

static void results_free(tui_panel *p)
{
    results_model *m = p->model;

    if (m == NULL)
        return;
    while (m->cmds != NULL) { /* their answers come to nobody */
        cmd_req *q = m->cmds;

        m->cmds = q->next;
        q->p = NULL;
        q->next = NULL;
    }
    tui_restable_free(&m->rt);
    pd_result_free(m->res);
    free(m->line);
    free(m->error);
    free(m->status);
    free(m);
}

const tui_panel_ops tui_results_panel = {
    .name = "Results",
    .init = results_init,
    .draw = results_draw,
    .key = results_key,
    .click = results_click,
    .free = results_free,
    .keys = results_keys,
    .hint = {.weight = 6, .wide = true, .prio = 1},
};
