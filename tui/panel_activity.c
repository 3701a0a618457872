/* panel_activity.c: the Activity panel, pg_stat_activity as pg_activity
 * shows it.
 *
 * Each refresh asks the server for its client backends (one query in
 * flight at most, through tui_panel_fetch) and rebuilds the table; draw
 * reads the table only. 'k' cancels the selected backend's query and 'K'
 * terminates the backend, each after a y/n question, through
 * pg_cancel_backend / pg_terminate_backend sent as panel queries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "tui/dialog.h"
#include "tui/panel.h"
#include "tui/table.h"


enum { C_PID, C_DB, C_USER, C_CLIENT, C_STATE, C_WAIT, C_DUR, C_QUERY,
       NCOLS };

static const tui_table_col cols[NCOLS] = {
    [C_PID] = {"PID", 5, 7, 9, true, true, false},
    [C_DB] = {"DATABASE", 8, 16, 3, false, false, false},
    [C_USER] = {"USER", 4, 14, 5, false, false, false},
    [C_CLIENT] = {"CLIENT", 6, 16, 2, false, false, false},
    [C_STATE] = {"STATE", 5, 13, 7, false, false, false},
    [C_WAIT] = {"WAIT", 4, 20, 4, false, false, false},
    [C_DUR] = {"DURATION", 6, 9, 8, true, true, true},
    [C_QUERY] = {"QUERY", 24, 0, 10, false, false, false},
};

/* Client backends but the dashboard's own (marked by TUI_PANEL_SQL, even
 * when idle after one); the duration of what each is doing: its query
 * while active, its transaction while idle in one, its idleness
 * otherwise. */
static const char activity_sql[] =
    TUI_PANEL_SQL "SELECT pid, coalesce(datname, ''), coalesce(usename, ''), "
    "coalesce(host(client_addr), CASE WHEN client_port = -1 "
    "THEN 'local' ELSE '' END), coalesce(state, ''), "
    "coalesce(wait_event_type || ':' || wait_event, ''), "
    "extract(epoch FROM now() - CASE WHEN state = 'active' THEN query_start "
    "WHEN state LIKE 'idle in transaction%' THEN xact_start "
    "ELSE state_change END)::float8, "
    "left(query, 1000) "
    "FROM pg_stat_activity "
    "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() "
    "AND query NOT LIKE '" TUI_PANEL_SQL "%'";

typedef struct activity_model {
    tui_table table;
    int nactive, nwaiting; /* of the last refresh */
} activity_model;

static const tui_key activity_keys[] = {
    {'s', "s", "Sort", "sort by the next column", TUI_ACT_NONE, 6},
    {'S', "S", NULL, "reverse the sort", TUI_ACT_NONE, 0},
    {'/', "/", "Filter", "show only rows containing a text", TUI_ACT_NONE,
     6},
    {'k', "k", "Cancel", "cancel the selected backend's query (asks)",
     TUI_ACT_NONE, 6},
    {'K', "K", "Kill", "terminate the selected backend (asks)",
     TUI_ACT_NONE, 5},
    {0, NULL, NULL, NULL, TUI_ACT_NONE, 0},
};

static void activity_init(tui_panel *p)
{
    activity_model *m = pd_xcalloc(1, sizeof(*m));

    tui_table_init(&m->table, cols, NCOLS, C_DUR, true);
    p->model = m;
}

static tui_role state_role(const char *state, const char *wait)
{
    if (strncmp(wait, "Lock:", 5) == 0)
        return TUI_ROLE_WAITING;
    if (strcmp(state, "active") == 0)
        return TUI_ROLE_ACTIVE;
    if (strncmp(state, "idle in transaction", 19) == 0)
        return TUI_ROLE_IDLE_TXN;
    return TUI_ROLE_IDLE;
}

static void update_note(tui_panel *p)
{
    activity_model *m = p->model;
    char n[96], note[160];

    tui_table_describe(&m->table, n, sizeof(n));
    /* "1 backend", "3 backends", "1 of 3 backends": by the total. */
    snprintf(note, sizeof(note), "%s backend%s, %d active%s", n,
             m->table.nrows == 1 ? "" : "s", m->nactive,
             m->nwaiting > 0 ? ", some waiting on locks" : "");
    tui_panel_set_note(p, note);
}

static void on_rows(tui_panel *p, pd_result *res)
{
    activity_model *m = p->model;
    size_t i, n = pd_result_nrows(res);

    tui_table_clear(&m->table);
    m->nactive = m->nwaiting = 0;
    for (i = 0; n > 0 && pd_result_ncols(res) == NCOLS && i < n; i++) {
        const char *cells[NCOLS];
        const char *dur = pd_result_value(res, i, C_DUR);
        char age[16] = "";
        size_t row;
        int c;

        for (c = 0; c < NCOLS; c++)
            cells[c] = pd_result_value(res, i, c);
        if (dur != NULL)
            tui_panel_fmt_age(age, sizeof(age), strtod(dur, NULL));
        cells[C_DUR] = age;
        row = tui_table_add(&m->table, strtoll(cells[C_PID], NULL, 10),
                            state_role(cells[C_STATE] ? cells[C_STATE] : "",
                                       cells[C_WAIT] ? cells[C_WAIT] : ""),
                            cells);
        tui_table_num(&m->table, row, C_PID, strtod(cells[C_PID], NULL));
        tui_table_num(&m->table, row, C_DUR,
                      dur != NULL ? strtod(dur, NULL) : -1);
        if (cells[C_STATE] && strcmp(cells[C_STATE], "active") == 0)
            m->nactive++;
        if (cells[C_WAIT] && strncmp(cells[C_WAIT], "Lock:", 5) == 0)
            m->nwaiting++;
    }
    tui_table_done(&m->table);
    pd_result_free(res);
    update_note(p);
}

static void activity_refresh(tui_panel *p)
{
    (void)tui_panel_fetch(p, activity_sql, 0, NULL, on_rows);
}

static void activity_draw(tui_panel *p, WINDOW *w, int top,
                          const tui_theme *th)
{
    activity_model *m = p->model;

    if (p->fresh_ms == 0) { /* nothing to show yet but the error */
        if (p->error == NULL)
            tui_panel_put(w, top, 0, tui_theme_attr(th, TUI_ROLE_DIM),
                          "asking the server for its backends...");
        return;
    }
    tui_table_draw(&m->table, w, top, th, tui_panel_stale(p), p->focused,
                   0);
}

static void ask_kill(tui_panel *p, bool terminate)
{
    activity_model *m = p->model;
    const tui_table_row *r = tui_table_selected(&m->table);
    char *who;

    if (r == NULL) {
        tui_dialog_message("no backend selected");
        return;
    }
    who = pd_xasprintf("%s@%s", r->cells[C_USER], r->cells[C_DB]);
    tui_panel_ask_kill(p, r->id, who, r->cells[C_QUERY], terminate);
    free(who);
}

static int activity_key(tui_panel *p, int key)
{
    activity_model *m = p->model;
    int rc;

    if (!m->table.editing && (key == 'k' || key == 'K')) {
        ask_kill(p, key == 'K');
        return TUI_HANDLED | TUI_REDRAW;
    }
    rc = tui_table_key(&m->table, key);
    p->modal = m->table.editing;
    if (rc & TUI_REDRAW)
        update_note(p);
    return rc;
}

static void activity_click(tui_panel *p, int y, int x)
{
    activity_model *m = p->model;

    (void)x;
    tui_table_click(&m->table, y);
}

static void activity_free(tui_panel *p)
{
    activity_model *m = p->model;

    if (m == NULL)
        return;
    tui_table_free(&m->table);
    free(m);
}

const tui_panel_ops tui_activity_panel = {
    .name = "Activity",
    .init = activity_init,
    .refresh = activity_refresh,
    .draw = activity_draw,
    .key = activity_key,
    .click = activity_click,
    .free = activity_free,
    .keys = activity_keys,
    .hint = {.weight = 4, .wide = true, .prio = 3},
};
