/* panel_query.c: the panel base's queries (see panel.h): refresh
 * queries (one in flight at a time), action queries, their cancel, and
 * the y/n-guarded cancel or terminate of a backend. A request may outlive
 * its panel: a closed panel only cuts the link. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/query.h"
#include "core/xalloc.h"
#include "tui/dialog.h"
#include "tui/panel.h"

#define QUERY_TIMEOUT_MS 30000 /* a panel query is canceled after this */

/* One query a panel sent. Its callback may come after the panel closed:
 * the panel then only cuts the link (p = NULL) and the request frees
 * itself. */
struct tui_panel_req {
    tui_panel *p;              /* NULL once the panel closed */
    tui_panel_req *next;       /* the panel's list */
    tui_panel_rows_cb on_rows; /* a refresh query */
    tui_panel_done_cb done;    /* an action query */
    int64_t tag;               /* for done */
    pd_query *q;               /* the core's handle; NULL once answered */
};

static void unlink_req(tui_panel *p, tui_panel_req *r)
{
    tui_panel_req **pp;

    for (pp = &p->reqs; *pp != NULL; pp = &(*pp)->next)
        if (*pp == r) {
            *pp = r->next;
            break;
        }
    if (p->refreshing == r)
        p->refreshing = NULL;
}

static void on_fetched(pd_result *res, const pd_error *err, void *ctx)
{
    tui_panel_req *r = ctx;
    tui_panel *p = r->p;

    if (p == NULL) {
        pd_result_free(res);
        free(r);
        return;
    }
    unlink_req(p, r);
    if (r->done != NULL) {
        r->done(p, res, err, r->tag);
    } else if (err != NULL) {
        pd_result_free(res);
        tui_panel_set_error(p, err->message);
    } else {
        tui_panel_set_error(p, NULL);
        r->on_rows(p, res);
        tui_panel_fresh(p);
    }
    p->dirty = true;
    free(r);
}

static int send_req(tui_panel *p, tui_panel_req *r, const char *sql,
                    int nparams, const char *const *params, uint32_t flags,
                    uint32_t timeout_ms)
{
    char source[96];
    pd_query_opts o = {
        .flags = flags,
        .timeout_ms = timeout_ms,
        .source = source,
    };
    int rc;

    if (p->source != NULL)
        snprintf(source, sizeof(source), "%s", p->source);
    else
        snprintf(source, sizeof(source), "panel:%s", tui_panel_title(p));
    rc = pd_query_fetch_h(pd_core_pool(p->core), sql, nparams, params, &o,
                          on_fetched, r, &r->q);
    if (rc != 0) {
        free(r);
        return rc;
    }
    r->p = p;
    r->next = p->reqs;
    p->reqs = r;
    return 0;
}

/* Sends the panel's refresh query sql ($1.. from params, borrowed for the
 * call; read-only, as a refresh must be): on_rows gets the result once it
 * succeeds, and the panel is then stamped fresh with its error cleared; a
 * failure shows in place and leaves the model as it was. Returns 0 (sent;
 * on_rows runs later, never synchronously, and never once the panel is
 * closed), 1 (the last refresh query still runs: nothing sent, counted in
 * p->skipped), or a negative PD_E* code (not sent; the error is shown). */
static int fetch(tui_panel *p, const char *sql, int nparams,
                 const char *const *params, uint32_t flags,
                 tui_panel_rows_cb on_rows)
{
    tui_panel_req *r;
    int rc;

    if (p->refreshing != NULL) {
        p->skipped++;
        p->dirty = true; /* the stamp says how long it runs */
        return 1;
    }
    r = pd_xcalloc(1, sizeof(*r));
    r->on_rows = on_rows;
    rc = send_req(p, r, sql, nparams, params, flags, QUERY_TIMEOUT_MS);
    if (rc != 0) {
        tui_panel_set_error(p, "the pool takes no queries now");
        return rc;
    }
    p->refreshing = r;
    p->sent_ms = uv_now(pd_core_loop(p->core));
    return 0;
}

/* Sends the panel's refresh query; see the contract in panel.h. */
int tui_panel_fetch(tui_panel *p, const char *sql, int nparams,
                    const char *const *params, tui_panel_rows_cb on_rows)
{
    return fetch(p, sql, nparams, params, PD_QUERY_READ_ONLY, on_rows);
}

/* As tui_panel_fetch without parameters, with the query's flags
 * (PD_QUERY_*) as given: for a query the panel cannot vouch is
 * read-only. */
int tui_panel_fetch_flags(tui_panel *p, const char *sql, uint32_t flags,
                          tui_panel_rows_cb on_rows)
{
    return fetch(p, sql, 0, NULL, flags, on_rows);
}

/* Sends an action query for the panel (cancel a backend, ...): done gets
 * the outcome with tag, on a later loop turn, unless the panel is closed
 * by then. Any number may run at once. Returns 0, or a negative PD_E*
 * code (done will not run). */
int tui_panel_run(tui_panel *p, const char *sql, int nparams,
                  const char *const *params, tui_panel_done_cb done,
                  int64_t tag)
{
    tui_panel_req *r = pd_xcalloc(1, sizeof(*r));

    r->done = done;
    r->tag = tag;
    return send_req(p, r, sql, nparams, params, 0, QUERY_TIMEOUT_MS);
}

/* As tui_panel_run without parameters, with the query's flags
 * (PD_QUERY_*) and command timeout (0: the pool's default) as given: for
 * what the user typed. */
int tui_panel_exec(tui_panel *p, const char *sql, uint32_t flags,
                   uint32_t timeout_ms, tui_panel_done_cb done, int64_t tag)
{
    tui_panel_req *r = pd_xcalloc(1, sizeof(*r));

    r->done = done;
    r->tag = tag;
    return send_req(p, r, sql, 0, NULL, flags, timeout_ms);
}

/* Cancels p's action query sent with done and tag (tui_panel_run,
 * tui_panel_exec), if it is still out: see pd_query_cancel, whose answer
 * this returns (PD_QUERY_CANCEL_NONE when there is no such query). done
 * still gets the outcome, a PD_ERR_CANCELED error, on a later turn. */
pd_query_cancel_how tui_panel_cancel(tui_panel *p, tui_panel_done_cb done,
                                     int64_t tag)
{
    tui_panel_req *r;

    for (r = p->reqs; r != NULL; r = r->next)
        if (r->done == done && r->tag == tag)
            return pd_query_cancel(r->q);
    return PD_QUERY_CANCEL_NONE;
}

/* Cuts the panel's link with its queries still out (the panel closes):
 * they finish on their own, without it, and free themselves. */
void tui_panel_drop_reqs(tui_panel *p)
{
    while (p->reqs != NULL) {
        tui_panel_req *r = p->reqs;

        p->reqs = r->next;
        r->p = NULL;
        r->next = NULL;
    }
    p->refreshing = NULL;
}

/* A backend to cancel or terminate, while its question is up. */
typedef struct kill_ask {
    tui_panel *p; /* borrowed: the dialog closes before the panels */
    int64_t pid;
    bool terminate;
} kill_ask;

static void on_killed(tui_panel *p, pd_result *res, const pd_error *err,
                      int64_t tag)
{
    bool terminate = tag < 0;
    long long pid = (long long)(terminate ? -tag : tag);
    const char *what = terminate ? "terminate" : "cancel";
    const char *v = res != NULL && pd_result_nrows(res) > 0 ?
                        pd_result_value(res, 0, 0) : NULL;

    if (err != NULL)
        tui_dialog_message("%s %lld: %s", what, pid, err->message);
    else if (v != NULL && strcmp(v, "t") == 0)
        tui_dialog_message("%s sent to backend %lld", what, pid);
    else
        tui_dialog_message("backend %lld is not there any more", pid);
    pd_result_free(res);
    tui_panel_refresh_now(p);
}

static void on_kill_answer(bool yes, void *ctx)
{
    kill_ask *a = ctx;
    char pid[24];
    const char *params[1] = {pid};
    static const char cancel_sql[] =
        TUI_PANEL_SQL "SELECT pg_cancel_backend($1::int)";
    static const char terminate_sql[] =
        TUI_PANEL_SQL "SELECT pg_terminate_backend($1::int)";

    if (!yes)
        return;
    snprintf(pid, sizeof(pid), "%lld", (long long)a->pid);
    if (tui_panel_run(a->p, a->terminate ? terminate_sql : cancel_sql, 1,
                      params, on_killed,
                      a->terminate ? -a->pid : a->pid) != 0)
        tui_dialog_message("the pool takes no queries now");
}

/* Asks whether to cancel the query of backend pid (terminate: end the
 * backend) described by who and query (both copied into the question);
 * on yes, sends pg_cancel_backend / pg_terminate_backend as p's query,
 * says in a message how it went and refreshes p. */
void tui_panel_ask_kill(tui_panel *p, int64_t pid, const char *who,
                        const char *query, bool terminate)
{
    kill_ask *a = pd_xcalloc(1, sizeof(*a));
    char *q;

    a->p = p;
    a->pid = pid;
    a->terminate = terminate;
    q = pd_xasprintf("%s backend %lld (%s)? %.60s",
                     terminate ? "Terminate" : "Cancel the query of",
                     (long long)pid, who, query != NULL ? query : "");
    tui_dialog_confirm(q, on_kill_answer, a, free);
    free(q);
}
