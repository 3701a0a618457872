/* panel_locks.c: the Locks panel.
 *
 * The server's lock waits as a blocking tree: every backend waiting on a
 * lock, and every backend blocking one (pg_blocking_pids), blocker above
 * its waiters, from one query per refresh; under it, pgdeck's own
 * resource locks from the lock manager's snapshot. 'k' / 'K' cancel or
 * terminate the selected backend (a blocker, typically) after a y/n
 * question. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/locks.h"
#include "core/xalloc.h"
#include "tui/dialog.h"
#include "tui/panel.h"
#include "tui/table.h"

#define MAX_DEPTH 8    /* tree levels drawn; deeper ones are flattened */
#define OWN_LINES 6    /* pgdeck's own locks: lines at most */

/* The result's columns. */
enum { R_PID, R_USER, R_BY, R_LOCKTYPE, R_MODE, R_REL, R_WAITED, R_XACT,
       R_STATE, R_QUERY, R_DEADLOCKS, NRCOLS };

/* The tree's columns. */
enum { C_PID, C_USER, C_LOCK, C_REL, C_WAITED, C_QUERY, NCOLS };

static const tui_table_col cols[NCOLS] = {
    [C_PID] = {"PID", 7, 24, 9, false, false, false},
    [C_USER] = {"USER", 4, 12, 4, false, false, false},
    [C_LOCK] = {"LOCK", 4, 28, 6, false, false, false},
    [C_REL] = {"RELATION", 8, 24, 5, false, false, false},
    [C_WAITED] = {"WAITED", 6, 9, 8, true, false, false},
    [C_QUERY] = {"QUERY", 16, 0, 10, false, false, false},
};

/* The resource locks' columns. */
enum { O_RES, O_MODE, O_HOLDERS, O_WAITERS, O_WAITED, NOCOLS };

static const tui_table_col own_cols[NOCOLS] = {
    [O_RES] = {"RESOURCE", 8, 24, 9, false, false, false},
    [O_MODE] = {"MODE", 4, 9, 6, false, false, false},
    [O_HOLDERS] = {"HOLDERS", 7, 30, 8, false, false, false},
    [O_WAITERS] = {"WAITERS", 7, 0, 7, false, false, false},
    [O_WAITED] = {"WAITED", 6, 9, 5, true, false, false},
};

/* Waiting backends (pg_blocking_pids costs: only for those waiting on a
 * lock) and their blockers; a waiter's waited time from pg_locks.waitstart
 * where the server has it (14+), else since its state changed. One row
 * with NULLs when nothing waits, for the deadlock count. */
static const char locks_sql[] =
    TUI_PANEL_SQL "WITH w AS (SELECT pid, pg_blocking_pids(pid) AS by "
    "FROM pg_stat_activity "
    "WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()), "
    "n AS (SELECT pid FROM w UNION SELECT unnest(by) FROM w), "
    "x AS (SELECT a.pid, coalesce(a.usename, '') AS usename, "
    "coalesce(array_to_string(w.by, ','), '') AS by, "
    "coalesce(l.locktype, '') AS locktype, coalesce(l.mode, '') AS mode, "
    "coalesce(l.relation::regclass::text, '') AS rel, "
    "extract(epoch FROM now() - coalesce((to_jsonb(l) ->> 'waitstart')"
    "::timestamptz, a.state_change))::float8 AS waited, "
    "extract(epoch FROM now() - a.xact_start)::float8 AS xact, "
    "coalesce(a.state, '') AS state, left(a.query, 500) AS query "
    "FROM n JOIN pg_stat_activity a ON a.pid = n.pid "
    "LEFT JOIN w ON w.pid = a.pid "
    "LEFT JOIN LATERAL (SELECT * FROM pg_locks pl "
    "WHERE pl.pid = a.pid AND NOT pl.granted LIMIT 1) l ON true) "
    "SELECT x.*, d.deadlocks FROM (SELECT deadlocks FROM pg_stat_database "
    "WHERE datname = current_database()) d LEFT JOIN x ON true "
    "ORDER BY x.pid";

typedef struct node {
    int64_t pid;
    int64_t *by;      /* blocking pids */
    size_t nby;
    const char *const *cells; /* the result row's values, borrowed */
    bool placed;      /* drawn somewhere in the tree */
} node;

typedef struct locks_model {
    tui_table tree;          /* the server's blocking tree */
    tui_table own;           /* pgdeck's resource locks */
    int nwaiting, nblocking; /* backends, from the last refresh */
    char deadlocks[24];      /* pg_stat_database.deadlocks, or "" */
    pd_locks_counters counters; /* pgdeck's lock manager */
} locks_model;

static const tui_key locks_keys[] = {
    {'k', "k", "Cancel", "cancel the selected backend's query (asks)",
     TUI_ACT_NONE, 6},
    {'K', "K", "Kill", "terminate the selected backend (asks)",
     TUI_ACT_NONE, 5},
    {'/', "/", "Filter", "show only rows containing a text", TUI_ACT_NONE,
     4},
    {0, NULL, NULL, NULL, TUI_ACT_NONE, 0},
};

static void locks_init(tui_panel *p)
{
    locks_model *m = pd_xcalloc(1, sizeof(*m));

    tui_table_init(&m->tree, cols, NCOLS, -1, false);
    m->tree.empty = "no backend waits on a lock";
    tui_table_init(&m->own, own_cols, NOCOLS, -1, false);
    m->own.empty = "none held or awaited";
    p->model = m;
}

static bool blocked_by(const node *n, int64_t pid)
{
    size_t i;

    for (i = 0; i < n->nby; i++)
        if (n->by[i] == pid)
            return true;
    return false;
}

/* Adds nodes[i] and, under it, the nodes it blocks. path holds the pids
 * above it (a cycle is a deadlock the server is about to break: it is
 * not followed round again). */
static void add_subtree(locks_model *m, node *nodes, size_t n, size_t i,
                        int64_t *path, int depth, const char *prefix,
                        bool last)
{
    node *nd = &nodes[i];
    const char *const *v = nd->cells;
    bool utf8 = MB_CUR_MAX > 1;
    const char *cells[NCOLS];
    char pid[96], lock[64], waited[24], age[16], *sub;
    size_t j, nkids = 0, k = 0;
    bool waiting = nd->nby > 0;
    int d;

    for (d = 0; d < depth; d++)
        if (path[d] == nd->pid)
            return;
    nd->placed = true;
    snprintf(pid, sizeof(pid), "%s%s%lld", prefix,
             depth == 0 ? "" :
             last       ? (utf8 ? "└─" : "`-") :
                          (utf8 ? "├─" : "|-"),
             (long long)nd->pid);
    if (waiting) {
        snprintf(lock, sizeof(lock), "%s %s", v[R_LOCKTYPE], v[R_MODE]);
        tui_panel_fmt_age(age, sizeof(age), strtod(v[R_WAITED], NULL));
        snprintf(waited, sizeof(waited), "%s", age);
    } else {
        /* A blocker: what it is doing, and how old its transaction is. */
        snprintf(lock, sizeof(lock), "%s", v[R_STATE]);
        tui_panel_fmt_age(age, sizeof(age), strtod(v[R_XACT], NULL));
        snprintf(waited, sizeof(waited), "txn %s", age);
    }
    cells[C_PID] = pid;
    cells[C_USER] = v[R_USER];
    cells[C_LOCK] = lock;
    cells[C_REL] = v[R_REL];
    cells[C_WAITED] = waited;
    cells[C_QUERY] = v[R_QUERY];
    tui_table_add(&m->tree, nd->pid,
                  waiting ? TUI_ROLE_WAITING : TUI_ROLE_BLOCKER, cells);

    if (depth + 1 >= MAX_DEPTH)
        return;
    path[depth] = nd->pid;
    for (j = 0; j < n; j++)
        nkids += blocked_by(&nodes[j], nd->pid);
    sub = pd_xasprintf("%s%s", prefix,
                       depth == 0 ? "" :
                       last       ? "  " :
                                    (utf8 ? "│ " : "| "));
    for (j = 0; j < n; j++)
        if (blocked_by(&nodes[j], nd->pid)) {
            k++;
            add_subtree(m, nodes, n, j, path, depth + 1, sub, k == nkids);
        }
    free(sub);
}

static void parse_by(node *nd, const char *s)
{
    char *end;

    while (s != NULL && *s != '\0') {
        long long v = strtoll(s, &end, 10);

        if (end == s)
            break;
        nd->by = pd_xrealloc(nd->by, (nd->nby + 1) * sizeof(*nd->by));
        nd->by[nd->nby++] = v;
        s = *end == ',' ? end + 1 : end;
    }
}

static void on_rows(tui_panel *p, pd_result *res)
{
    locks_model *m = p->model;
    size_t n = pd_result_nrows(res), i, count = 0;
    node *nodes = pd_xcalloc(n ? n : 1, sizeof(*nodes));
    const char **vals = pd_xcalloc(n ? n * NRCOLS : 1, sizeof(char *));
    int64_t path[MAX_DEPTH];
    int c;

    tui_table_clear(&m->tree);
    m->nwaiting = m->nblocking = 0;
    m->deadlocks[0] = '\0';
    if (pd_result_ncols(res) != NRCOLS)
        n = 0;
    for (i = 0; i < n; i++) {
        const char *pid = pd_result_value(res, i, R_PID);
        const char *dl = pd_result_value(res, i, R_DEADLOCKS);

        if (dl != NULL)
            snprintf(m->deadlocks, sizeof(m->deadlocks), "%s", dl);
        if (pid == NULL)
            continue; /* the one row when nothing waits */
        for (c = 0; c < NRCOLS; c++) {
            const char *v = pd_result_value(res, i, c);

            vals[count * NRCOLS + c] = v != NULL ? v : "";
        }
        nodes[count].pid = strtoll(pid, NULL, 10);
        nodes[count].cells = &vals[count * NRCOLS];
        parse_by(&nodes[count], vals[count * NRCOLS + R_BY]);
        if (nodes[count].nby > 0)
            m->nwaiting++;
        count++;
    }
    for (i = 0; i < count; i++) {
        size_t j;

        for (j = 0; j < count; j++)
            if (blocked_by(&nodes[j], nodes[i].pid)) {
                m->nblocking++;
                break;
            }
    }
    /* Roots: the blockers that wait for nothing; then whatever a cycle
     * (a deadlock not broken yet) left out, from its lowest pid. */
    for (i = 0; i < count; i++)
        if (nodes[i].nby == 0)
            add_subtree(m, nodes, count, i, path, 0, "", true);
    for (i = 0; i < count; i++)
        if (!nodes[i].placed)
            add_subtree(m, nodes, count, i, path, 0, "", true);
    tui_table_done(&m->tree);
    for (i = 0; i < count; i++)
        free(nodes[i].by);
    free(nodes);
    free(vals);
    pd_result_free(res);
}

/* pgdeck's own locks: "owner:mode" lists of a resource's entries. */
static char *entries(const pd_locks_entry *e, size_t n)
{
    char *s = pd_xstrdup(""), *t;
    size_t i;

    for (i = 0; i < n; i++) {
        t = pd_xasprintf("%s%s%s:%s", s, i > 0 ? " " : "", e[i].owner,
                         pd_locks_mode_name(e[i].mode));
        free(s);
        s = t;
    }
    return s;
}

static void collect_own(locks_model *m, pd_core *core)
{
    pd_locks_snapshot *snap = pd_locks_snapshot_get(pd_core_locks(core));
    size_t i, j;

    tui_table_clear(&m->own);
    m->counters = snap->counters;
    for (i = 0; i < snap->nresources; i++) {
        const pd_locks_resource *r = &snap->resources[i];
        const char *cells[NOCOLS];
        char *holders = entries(r->holders, r->nholders);
        char *waiters = entries(r->waiters, r->nwaiters);
        char waited[16] = "";
        uint64_t most = 0;

        for (j = 0; j < r->nwaiters; j++)
            most = r->waiters[j].waited_ms > most ? r->waiters[j].waited_ms :
                                                    most;
        if (r->nwaiters > 0)
            tui_panel_fmt_age(waited, sizeof(waited), (double)most / 1000.0);
        cells[O_RES] = r->name;
        cells[O_MODE] = r->nholders > 0 ? pd_locks_mode_name(r->held_mode) :
                                          "";
        cells[O_HOLDERS] = holders;
        cells[O_WAITERS] = waiters;
        cells[O_WAITED] = waited;
        tui_table_add(&m->own, (int64_t)i,
                      r->nwaiters > 0 ? TUI_ROLE_WAITING : TUI_ROLE_VALUE,
                      cells);
        free(holders);
        free(waiters);
    }
    tui_table_done(&m->own);
    pd_locks_snapshot_free(snap);
}

static void update_note(tui_panel *p)
{
    locks_model *m = p->model;
    char note[96];

    if (m->nwaiting == 0)
        snprintf(note, sizeof(note), "no waits");
    else
        snprintf(note, sizeof(note), "%d waiting, %d blocking", m->nwaiting,
                 m->nblocking);
    tui_panel_set_note(p, note);
}

static void on_tree(tui_panel *p, pd_result *res)
{
    on_rows(p, res);
    update_note(p);
}

static void locks_refresh(tui_panel *p)
{
    locks_model *m = p->model;

    collect_own(m, p->core);
    p->dirty = true;
    (void)tui_panel_fetch(p, locks_sql, 0, NULL, on_tree);
}

static void locks_draw(tui_panel *p, WINDOW *w, int top, const tui_theme *th)
{
    locks_model *m = p->model;
    const pd_locks_counters *c = &m->counters;
    int rows = getmaxy(w) - top, own = 0, y = top;
    bool stale = tui_panel_stale(p);
    attr_t la = tui_theme_attr(th, TUI_ROLE_LABEL);
    attr_t va = tui_theme_attr(th, stale ? TUI_ROLE_DIM : TUI_ROLE_VALUE);
    int x;

    if (rows <= 0)
        return;
    /* The server's tree first; pgdeck's own locks get the bottom lines
     * (a heading, the counters, then their rows) when there is room. */
    if (rows >= 6)
        own = 2 + (int)(m->own.nview > 0 ? m->own.nview + 1 : 0);
    if (own > OWN_LINES)
        own = OWN_LINES;
    if (own > rows / 2)
        own = rows / 2;
    if (p->fresh_ms == 0 && p->error == NULL)
        tui_panel_put(w, y, 0, tui_theme_attr(th, TUI_ROLE_DIM),
                      "asking the server for its lock waits...");
    else if (p->fresh_ms != 0)
        tui_table_draw(&m->tree, w, y, th, stale, p->focused, rows - own);
    if (own == 0)
        return;
    y = top + rows - own;
    x = tui_panel_put(w, y, 0, tui_theme_attr(th, TUI_ROLE_TITLE),
                      "pgdeck locks");
    x += tui_panel_put(w, y, x + 2, la, "held ") + 2;
    x += tui_panel_putf(w, y, x, va, "%d", c->held);
    x += tui_panel_put(w, y, x + 2, la, "waiting ") + 2;
    x += tui_panel_putf(w, y, x, va, "%d", c->waiting);
    x += tui_panel_put(w, y, x + 2, la, "timeouts ") + 2;
    x += tui_panel_putf(w, y, x, va, "%llu", (unsigned long long)c->timeouts);
    x += tui_panel_put(w, y, x + 2, la, "deadlocks ") + 2;
    x += tui_panel_putf(w, y, x,
                        tui_theme_attr(th, c->deadlocks > 0 ? TUI_ROLE_WARN :
                                                              TUI_ROLE_VALUE),
                        "%llu", (unsigned long long)c->deadlocks);
    if (m->deadlocks[0] != '\0') {
        x += tui_panel_put(w, y, x + 2, la, "server deadlocks ") + 2;
        tui_panel_put(w, y, x,
                      tui_theme_attr(th, strcmp(m->deadlocks, "0") != 0 ?
                                             TUI_ROLE_WARN :
                                             TUI_ROLE_VALUE),
                      m->deadlocks);
    }
    if (own > 1) {
        if (m->own.nview == 0)
            tui_panel_put(w, y + 1, 0, tui_theme_attr(th, TUI_ROLE_DIM),
                          m->own.empty);
        else
            tui_table_draw(&m->own, w, y + 1, th, false, false, own - 1);
    }
}

static void ask_kill(tui_panel *p, bool terminate)
{
    locks_model *m = p->model;
    const tui_table_row *r = tui_table_selected(&m->tree);

    if (r == NULL) {
        tui_dialog_message("no backend selected");
        return;
    }
    tui_panel_ask_kill(p, r->id, r->cells[C_USER], r->cells[C_QUERY],
                       terminate);
}

static int locks_key(tui_panel *p, int key)
{
    locks_model *m = p->model;
    int rc;

    if (!m->tree.editing && (key == 'k' || key == 'K')) {
        ask_kill(p, key == 'K');
        return TUI_HANDLED | TUI_REDRAW;
    }
    rc = tui_table_key(&m->tree, key);
    p->modal = m->tree.editing;
    return rc;
}

static void locks_click(tui_panel *p, int y, int x)
{
    locks_model *m = p->model;

    (void)x;
    tui_table_click(&m->tree, y);
}

static void locks_free(tui_panel *p)
{
    locks_model *m = p->model;

    if (m == NULL)
        return;
    tui_table_free(&m->tree);
    tui_table_free(&m->own);
    free(m);
}

const tui_panel_ops tui_locks_panel = {
    .name = "Locks",
    .init = locks_init,
    .refresh = locks_refresh,
    .draw = locks_draw,
    .key = locks_key,
    .click = locks_click,
    .free = locks_free,
    .keys = locks_keys,
    .hint = {.weight = 2, .wide = true, .prio = 1},
};
