/* query.c: one statement (or simple-query string) from acquire to result.
 *
 * A query moves through up to two commands on its connection: PREPARE
 * (first use of the SQL text on that connection) then EXECUTE of the named
 * statement; or one command for an unprepared or simple query. If the
 * server has dropped or invalidated a cached statement (26000, or 0A000
 * "cached plan must not change result type") nothing ran, so the query is
 * prepared afresh once, transparently. */
#include "core/query.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/cancel.h"
#include "core/retry.h"
#include "core/stmtcache.h"
#include "core/xalloc.h"

/* A cancel request can reach the backend before the statement does (the
 * statement may still sit in libpq's output buffer while PQcancel connects
 * on its own socket), and the server drops a cancel for an idle backend.
 * So while a canceled statement runs on, it is asked again this long
 * after each request comes back. */
#define RECANCEL_MS 250

typedef enum phase { PHASE_RUN = 0, PHASE_PREPARE } phase;

typedef struct pd_query query;

struct pd_query {
    pd_pool *pool;      /* borrowed; NULL when run on a held connection */
    pd_conn *conn;      /* borrowed from the pool or the caller */
    char *sql;          /* owned copy */
    int nparams;
    char **params;      /* owned copies; NULL entries are SQL NULL */
    pd_query_opts opts;
    phase phase;
    char stmt[24];      /* prepared statement name, "" when unnamed */
    bool replan;        /* the cached statement was stale: prepare again */
    bool replanned;     /* ... and that was done once already */
    bool sent;          /* the statement itself reached the wire */
    bool copying;       /* COPY TO STDOUT data went to the sink */
    char *source;       /* owned copy of opts.source */
    const pd_query_observer *obs; /* told of begin and end, or NULL */
    uint64_t t0;        /* uv_hrtime() at the first send */
    int64_t nresult;    /* rows returned or affected, for the report */
    unsigned attempt;   /* 0 for the first try */
    uv_timer_t *backoff; /* owned while a retry waits; closed when done */
    pd_fetch_cb cb;     /* fetch mode */
    pd_chunk_cb chunk_cb; /* stream mode (cb is NULL) */
    void *ctx;
    pd_result *head;    /* fetch mode: owned results so far */
    PGresult **rows;    /* stream mode: owned single-row results */
    size_t nrows, chunk_rows;
    pd_error err;       /* first error */
    pd_query **handle;  /* the caller's slot (pd_query_fetch_h), cleared
                           before cb; NULL: none */
    bool canceled;      /* pd_query_cancel was called */
    bool cancel_sent;   /* a cancel request is on the thread pool (never
                           more than one: each holds a pool thread until
                           it is done, a long time if the server is away) */
    uv_timer_t *recancel; /* owned while a re-sent request waits; closed
                             when done */
    bool delivered;     /* cb ran; freed when the request is back */
};

static int send_query(query *q, pd_error *err);
static uint32_t timeout_of(const query *q);

static query *query_new(const char *sql, int nparams,
                        const char *const *params, const pd_query_opts *opts,
                        void *ctx)
{
    query *q = pd_xcalloc(1, sizeof(*q));
    int i;

    q->sql = pd_xstrdup(sql);
    q->nparams = nparams;
    if (nparams > 0) {
        q->params = pd_xcalloc((size_t)nparams, sizeof(char *));
        for (i = 0; i < nparams; i++)
            q->params[i] = params[i] != NULL ? pd_xstrdup(params[i]) : NULL;
    }
    if (opts != NULL)
        q->opts = *opts;
    q->source = pd_xstrdup(q->opts.source != NULL ? q->opts.source : "app");
    q->opts.source = q->source;
    q->nresult = -1;
    q->ctx = ctx;
    return q;
}

static void drop_rows(query *q)
{
    size_t i;

    for (i = 0; i < q->nrows; i++)
        PQclear(q->rows[i]);
    q->nrows = 0;
}

static void query_free(query *q)
{
    int i;

    for (i = 0; i < q->nparams; i++)
        free(q->params[i]);
    free(q->params);
    free(q->sql);
    free(q->source);
    pd_result_free(q->head);
    drop_rows(q);
    free(q->rows);
    pd_error_clear(&q->err);
    free(q);
}

/* Hands the rows gathered so far (and header, taken, may be NULL) to the
 * stream's callback as one chunk. */
static void deliver_chunk(query *q, PGresult *header, bool set_end)
{
    pd_chunk_info info = {set_end, false};
    pd_result *chunk;

    chunk = pd_result_from_rowset(header, q->rows, q->nrows);
    q->rows = NULL;
    q->nrows = 0;
    q->chunk_cb(chunk, &info, NULL, q->ctx);
    pd_result_free(chunk);
}

/* Tells the observer how the query went (before anything is released). */
static void report(query *q, const pd_error *err)
{
    pd_query_report r;

    if (q->obs == NULL || q->t0 == 0)
        return;
    r.sql = q->sql;
    r.nparams = q->nparams;
    r.params = (const char *const *)q->params;
    r.source = q->source;
    r.pg = q->conn != NULL ? pd_conn_pg(q->conn) : NULL;
    r.duration_us = (uv_hrtime() - q->t0) / 1000;
    r.rows = q->nresult;
    r.err = err;
    q->obs->end(&r, q->obs->ctx);
}

static void on_acquired(pd_conn *conn, const pd_error *err, void *ctx);
static void finish(query *q);

static void free_handle(uv_handle_t *h)
{
    free(h);
}

static void stop_recancel(query *q)
{
    if (q->recancel == NULL)
        return;
    uv_close((uv_handle_t *)q->recancel, free_handle);
    q->recancel = NULL;
}

static void on_backoff(uv_timer_t *t)
{
    query *q = t->data;

    uv_close((uv_handle_t *)t, free_handle);
    q->backoff = NULL;
    if (q->canceled) {
        finish(q);
        return;
    }
    if (pd_pool_acquire(q->pool, q->opts.acquire_timeout_ms, on_acquired,
                        q) != 0) {
        pd_error_set(&q->err, PD_ERR_CANCELED, "the pool is closing");
        q->attempt = UINT32_MAX; /* no further retry */
        finish(q);
    }
}

/* Decides, by DESIGN.md's rules, whether a failed pooled query runs again:
 * a connection lost before the statement was sent, or under a read-only
 * one, and a lone statement the server rolled back (40001, 40P01). When it
 * does, the try is reported, forgotten, and retried after a full-jitter
 * backoff on a fresh connection; returns true. */
static bool retry_later(query *q)
{
    const pd_retry_policy *policy;
    pd_retry_stats *stats;
    pd_retry_input in;
    pd_retry_decision d;
    pd_error lost;
    uint32_t delay;

    if (q->pool == NULL || q->chunk_cb != NULL || q->attempt == UINT32_MAX ||
        q->canceled)
        return false;
    policy = pd_pool_retry_policy(q->pool);
    stats = pd_pool_retry_stats(q->pool);
    memset(&in, 0, sizeof(in));
    /* The rules judge the failure itself: an outcome-unknown verdict is
     * this module's reading of a lost connection, so hand that over. */
    lost = q->err;
    if (lost.kind == PD_ERR_OUTCOME_UNKNOWN)
        lost.kind = PD_ERR_CONNECTION;
    in.err = &lost;
    in.policy = policy;
    in.attempt = q->attempt;
    in.whole_txn = !(q->opts.flags & PD_QUERY_SIMPLE);
    in.sent = q->sent;
    in.read_only = (q->opts.flags & PD_QUERY_READ_ONLY) ||
                   pd_query_is_read_only(q->sql);
    d = stats != NULL ? pd_retry_stats_record(stats, &in)
                      : pd_retry_decide(&in);
    if (d != PD_RETRY_YES)
        return false;
    delay = pd_pool_backoff_ms(q->pool, q->attempt);
    if (stats != NULL)
        pd_retry_stats_record_backoff(stats, delay);
    report(q, &q->err);
    if (q->conn != NULL)
        pd_pool_release(q->pool, q->conn);
    q->conn = NULL;
    pd_result_free(q->head);
    q->head = NULL;
    pd_error_clear(&q->err);
    q->attempt++;
    q->phase = PHASE_RUN;
    q->stmt[0] = '\0';
    q->replan = q->replanned = q->sent = q->copying = false;
    q->t0 = 0;
    q->nresult = -1;
    q->backoff = pd_xmalloc(sizeof(*q->backoff));
    uv_timer_init(pd_pool_loop(q->pool), q->backoff);
    q->backoff->data = q;
    uv_timer_start(q->backoff, on_backoff, delay, 0);
    return true;
}

/* A canceled query that did not reach the server ends with this. */
static void set_canceled(query *q)
{
    pd_error_clear(&q->err);
    pd_error_set(&q->err, PD_ERR_CANCELED,
                 "canceled before it was sent to the server");
}

/* Gives the connection back first, so the callback can run the next
 * statement on it at once, then reports. While a cancel request is still
 * out, the connection stays held and the query alive until it is back
 * (on_cancel_sent). */
static void finish(query *q)
{
    const pd_error *err;

    if (q->canceled && q->conn == NULL && q->t0 == 0)
        set_canceled(q);
    err = pd_error_isset(&q->err) ? &q->err : NULL;
    if (err != NULL && retry_later(q))
        return;
    if (q->handle != NULL)
        *q->handle = NULL;
    q->handle = NULL;
    stop_recancel(q); /* the statement is over: nothing left to cancel */
    if (err == NULL && q->attempt > 0 && q->pool != NULL &&
        pd_pool_retry_stats(q->pool) != NULL)
        pd_retry_stats_record_success(pd_pool_retry_stats(q->pool),
                                      q->attempt);
    report(q, err);
    if (q->pool != NULL && q->conn != NULL && !q->cancel_sent) {
        pd_pool_release(q->pool, q->conn);
        q->conn = NULL;
    }
    if (q->cb != NULL) {
        pd_result *res = q->head;
        q->head = NULL;
        q->cb(res, err, q->ctx);
    } else {
        pd_chunk_info info = {q->nrows > 0, true};
        pd_result *rest = NULL;
        if (q->nrows > 0) {
            rest = pd_result_from_rowset(NULL, q->rows, q->nrows);
            q->rows = NULL;
            q->nrows = 0;
        }
        q->chunk_cb(rest, &info, err, q->ctx);
        pd_result_free(rest);
    }
    q->delivered = true;
    if (!q->cancel_sent)
        query_free(q);
}

/* Session state that the next user of a pooled connection must not
 * inherit: the pool resets a connection that ran one of these. */
static bool tag_leaves_state(const char *tag)
{
    static const char *const words[] = {"SET", "RESET", "LISTEN", "UNLISTEN",
                                        "PREPARE", "DEALLOCATE", "DECLARE",
                                        "LOAD", "DISCARD"};
    size_t i, n;

    /* Runs on every result: most tags (SELECT, INSERT, UPDATE, ...) are
     * settled by their first letters without the loop. */
    if (strchr("SRLUPD", tag[0]) == NULL || tag[0] == '\0' ||
        strncmp(tag, "SELECT", 6) == 0 || strncmp(tag, "UPDATE", 6) == 0 ||
        strncmp(tag, "DELETE", 6) == 0)
        return false;
    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        n = strlen(words[i]);
        if (strncmp(tag, words[i], n) == 0 && (tag[n] == '\0' || tag[n] == ' '))
            return true;
    }
    return false;
}

static bool stale_statement(const PGresult *pg)
{
    const char *st = PQresultErrorField(pg, PG_DIAG_SQLSTATE);

    if (st == NULL)
        return false;
    return strcmp(st, "26000") == 0 || strcmp(st, "0A000") == 0;
}

static void record_error(query *q, const PGresult *pg)
{
    const char *st;

    if (pd_error_isset(&q->err))
        return;
    pd_error_from_result(&q->err, pg);
    st = q->err.sqlstate;
    if (strcmp(st, "57014") == 0 && q->conn != NULL &&
        pd_conn_timed_out(q->conn)) {
        /* Our own timeout, not a user's cancel: say so. */
        char *msg = pd_xasprintf("canceling statement due to command "
                                 "timeout (%u ms)", timeout_of(q));
        free(q->err.message);
        q->err.message = msg;
        q->err.kind = PD_ERR_TIMEOUT;
    } else if (strcmp(st, "57014") == 0 && q->canceled) {
        q->err.kind = PD_ERR_CANCELED; /* pd_query_cancel's doing */
    }
}

static void on_result(pd_conn *c, PGresult *pg, void *ctx)
{
    query *q = ctx;
    ExecStatusType st = PQresultStatus(pg);
    pd_result *r;

    if (st == PGRES_FATAL_ERROR || st == PGRES_NONFATAL_ERROR ||
        st == PGRES_BAD_RESPONSE) {
        if (q->stmt[0] != '\0' && !q->replanned && stale_statement(pg)) {
            pd_stmtcache_remove(pd_conn_stmtcache(c), q->sql);
            q->replan = true;
        } else {
            if (q->phase == PHASE_PREPARE)
                pd_stmtcache_remove(pd_conn_stmtcache(c), q->sql);
            record_error(q, pg);
        }
        PQclear(pg);
        return;
    }
    if (q->phase == PHASE_PREPARE || st == PGRES_EMPTY_QUERY) {
        PQclear(pg); /* PREPARE's own result; psql prints nothing for "" */
        return;
    }
    if (tag_leaves_state(PQcmdStatus(pg)))
        pd_conn_set_dirty(c, true);
    if (q->copying && strncmp(PQcmdStatus(pg), "COPY", 4) == 0) {
        q->copying = false; /* the data was the output */
        PQclear(pg);
        return;
    }
    if (st != PGRES_SINGLE_TUPLE) {
        const char *n = PQcmdTuples(pg);
        if (n != NULL && *n != '\0')
            q->nresult = (q->nresult < 0 ? 0 : q->nresult) +
                         strtoll(n, NULL, 10);
    }
    if (q->chunk_cb != NULL) {
        if (st == PGRES_SINGLE_TUPLE) {
            if (q->rows == NULL)
                q->rows = pd_xcalloc(q->chunk_rows, sizeof(PGresult *));
            q->rows[q->nrows++] = pg;
            if (q->nrows == q->chunk_rows)
                deliver_chunk(q, NULL, false);
        } else {
            deliver_chunk(q, pg, true);
        }
        return;
    }
    r = pd_result_from_pg(pg);
    if (q->head == NULL)
        q->head = r;
    else
        pd_result_append(q->head, r);
}

/* The connection died under the statement: either libpq saw the socket
 * close (err), or the server said so first with a FATAL of the connection
 * class (57P01 after pg_terminate_backend, 08xxx). Both are connection
 * failures; and if the statement was sent and may have written, nobody can
 * know whether it did. */
static void connection_lost(query *q, const pd_error *err)
{
    const char *why;

    if (err != NULL && !pd_error_isset(&q->err))
        pd_error_copy(&q->err, err);
    if (!pd_error_isset(&q->err) ||
        pd_retry_classify(&q->err) != PD_RETRY_CLASS_CONNECTION)
        return;
    q->err.kind = PD_ERR_CONNECTION;
    if (!q->sent || (q->opts.flags & PD_QUERY_READ_ONLY) ||
        pd_query_is_read_only(q->sql))
        return;
    why = q->err.message;
    q->err.kind = PD_ERR_OUTCOME_UNKNOWN;
    q->err.message = pd_xasprintf("the connection was lost after the "
                                  "statement was sent, so whether it took "
                                  "effect is unknown: %s", why);
    free((char *)why);
    free(q->err.full); /* libpq's text would hide the verdict */
    q->err.full = NULL;
}

static void on_done(pd_conn *c, const pd_error *err, void *ctx)
{
    query *q = ctx;
    pd_error serr = PD_ERROR_INIT;

    (void)c;
    if (err != NULL || pd_conn_state_get(c) == PD_CONN_BROKEN) {
        connection_lost(q, err);
        finish(q);
        return;
    }
    /* Canceled between a PREPARE and its statement: send no more. */
    if (q->canceled && (q->replan || (q->phase == PHASE_PREPARE &&
                                      !pd_error_isset(&q->err)))) {
        if (!pd_error_isset(&q->err))
            pd_error_set(&q->err, PD_ERR_CANCELED,
                         "canceled before the statement ran");
        finish(q);
        return;
    }
    if (q->replan) {
        q->replan = false;
        q->replanned = true;
        q->phase = PHASE_PREPARE;
        q->stmt[0] = '\0';
    } else if (q->phase == PHASE_PREPARE && !pd_error_isset(&q->err)) {
        q->phase = PHASE_RUN;
    } else {
        finish(q);
        return;
    }
    if (send_query(q, &serr) != 0) {
        pd_error_copy(&q->err, &serr);
        pd_error_clear(&serr);
        finish(q);
    }
}

static void on_copy_out(const char *data, size_t len, void *ctx)
{
    query *q = ctx;

    q->copying = true;
    q->opts.copy_out(data, len, q->opts.copy_ctx);
}

static uint32_t timeout_of(const query *q)
{
    if (q->opts.timeout_ms == PD_QUERY_NO_TIMEOUT)
        return 0;
    if (q->opts.timeout_ms != 0)
        return q->opts.timeout_ms;
    return pd_conn_default_timeout(q->conn);
}

/* Sends the next command of q on q->conn; on failure fills err. */
static int send_query(query *q, pd_error *err)
{
    pd_conn_cmd cmd;
    const char *name;

    memset(&cmd, 0, sizeof(cmd));
    cmd.sql = q->sql;
    cmd.nparams = q->nparams;
    cmd.params = (const char *const *)q->params;
    cmd.single_row = q->chunk_cb != NULL;
    cmd.timeout_ms = timeout_of(q);
    if (q->opts.copy_out != NULL) {
        cmd.copy_out = on_copy_out;
        cmd.copy_ctx = q;
    }
    cmd.copy_in = q->opts.copy_in;
    cmd.copy_in_len = q->opts.copy_in_len;
    if (q->opts.flags & PD_QUERY_SIMPLE) {
        q->phase = PHASE_RUN;
        cmd.kind = PD_CMD_SIMPLE;
    } else if (q->phase == PHASE_RUN && q->stmt[0] != '\0') {
        cmd.kind = PD_CMD_PREPARED;
        cmd.stmt_name = q->stmt;
    } else if (pd_conn_prepare_enabled(q->conn) &&
               !(q->opts.flags & PD_QUERY_NO_PREPARE)) {
        pd_stmtcache *sc = pd_conn_stmtcache(q->conn);
        if ((name = pd_stmtcache_lookup(sc, q->sql)) != NULL) {
            q->phase = PHASE_RUN;
            cmd.kind = PD_CMD_PREPARED;
        } else if ((name = pd_stmtcache_add(sc, q->sql)) != NULL) {
            q->phase = PHASE_PREPARE;
            cmd.kind = PD_CMD_PREPARE;
            cmd.single_row = false;
        } else {
            q->phase = PHASE_RUN;
            cmd.kind = PD_CMD_PARAMS;
        }
        if (name != NULL) {
            strncpy(q->stmt, name, sizeof(q->stmt) - 1);
            cmd.stmt_name = q->stmt;
        }
    } else {
        q->phase = PHASE_RUN;
        cmd.kind = PD_CMD_PARAMS;
    }
    if (cmd.kind == PD_CMD_PREPARE)
        cmd.timeout_ms = 0; /* parsing is quick; the statement is timed */
    if (pd_conn_send(q->conn, &cmd, on_result, on_done, q, err) != 0) {
        if (cmd.kind == PD_CMD_PREPARE)
            pd_stmtcache_remove(pd_conn_stmtcache(q->conn), q->sql);
        return PD_EIO;
    }
    if (q->t0 == 0) {
        q->t0 = uv_hrtime();
        q->obs = pd_conn_observer(q->conn);
        if (q->obs != NULL && q->obs->begin != NULL)
            q->obs->begin(q->obs->ctx);
    }
    if (q->phase == PHASE_RUN)
        q->sent = true;
    return 0;
}

static void on_acquired(pd_conn *conn, const pd_error *err, void *ctx)
{
    query *q = ctx;

    /* pd_query_cancel calls pd_pool_cancel only while q holds no
     * connection, and that withdraws the grant wherever it is (queue,
     * pre-ping, undelivered ready list): a canceled q never gets one. */
    assert(!(q->canceled && conn != NULL));
    if (q->canceled || err != NULL) {
        if (err != NULL)
            pd_error_copy(&q->err, err);
        finish(q);
        return;
    }
    q->conn = conn;
    if (send_query(q, &q->err) != 0)
        finish(q); /* from the pool's dispatch: a later turn than fetch */
}

static bool bad_args(const char *sql, int nparams, const char *const *params,
                     const pd_query_opts *opts, const void *cb)
{
    if (sql == NULL || cb == NULL || nparams < 0 ||
        (nparams > 0 && params == NULL))
        return true;
    return opts != NULL && (opts->flags & PD_QUERY_SIMPLE) && nparams > 0;
}

/* Runs sql on a pool connection; see query.h. */
int pd_query_fetch(pd_pool *pool, const char *sql, int nparams,
                   const char *const *params, const pd_query_opts *opts,
                   pd_fetch_cb cb, void *ctx)
{
    return pd_query_fetch_h(pool, sql, nparams, params, opts, cb, ctx, NULL);
}

/* As pd_query_fetch, with a handle for pd_query_cancel; see query.h.
 * handle may be NULL (no handle wanted). */
int pd_query_fetch_h(pd_pool *pool, const char *sql, int nparams,
                     const char *const *params, const pd_query_opts *opts,
                     pd_fetch_cb cb, void *ctx, pd_query **handle)
{
    query *q;
    int rc;

    if (handle != NULL)
        *handle = NULL;
    if (pool == NULL || bad_args(sql, nparams, params, opts, (void *)cb))
        return PD_EINVAL;
    q = query_new(sql, nparams, params, opts, ctx);
    q->cb = cb;
    q->pool = pool;
    rc = pd_pool_acquire(pool, q->opts.acquire_timeout_ms, on_acquired, q);
    if (rc != 0) {
        query_free(q);
        return rc;
    }
    q->handle = handle;
    if (handle != NULL)
        *handle = q;
    return 0;
}

static void on_cancel_sent(bool sent, const pd_error *err, void *ctx);

/* Sends one cancel request for q's statement, unless one is out already.
 * Returns 0 when it was started (on_cancel_sent follows). */
static int send_cancel(query *q)
{
    if (q->cancel_sent)
        return 0;
    if (pd_cancel_request(pd_pool_loop(q->pool), q->conn, on_cancel_sent,
                          q) != 0)
        return PD_ESTATE;
    q->cancel_sent = true;
    return 0;
}

static void on_recancel(uv_timer_t *t)
{
    query *q = t->data;

    stop_recancel(q);
    /* Not started: the connection is going, and on_done ends q soon. */
    if (!q->delivered && q->conn != NULL)
        (void)send_cancel(q);
}

/* A cancel request is back. If the statement still runs, the request came
 * too early or did not get through (or the 57014 is still on its way, and
 * a second request then finds an idle backend, which ignores it): ask
 * again a little later, one at a time. If q was delivered meanwhile, its connection goes back now that
 * no request can hit the connection's next statement, and q goes. */
static void on_cancel_sent(bool sent, const pd_error *err, void *ctx)
{
    query *q = ctx;

    (void)sent;
    (void)err; /* the statement's own result says how it ended */
    q->cancel_sent = false;
    if (!q->delivered) {
        q->recancel = pd_xmalloc(sizeof(*q->recancel));
        uv_timer_init(pd_pool_loop(q->pool), q->recancel);
        q->recancel->data = q;
        uv_timer_start(q->recancel, on_recancel, RECANCEL_MS, 0);
        return;
    }
    if (q->conn != NULL)
        pd_pool_release(q->pool, q->conn);
    q->conn = NULL;
    query_free(q);
}

/* Cancels q; see query.h. q->conn is set exactly while a command of q is
 * on its connection: acquisition sends at once, and finish and retries
 * let go of it. */
pd_query_cancel_how pd_query_cancel(pd_query *q)
{
    if (q == NULL || q->canceled || q->delivered)
        return PD_QUERY_CANCEL_NONE;
    /* Marked even when no request can start: a canceled query is never
     * retried, whatever ends it. */
    q->canceled = true;
    if (q->conn != NULL)
        return send_cancel(q) == 0 ? PD_QUERY_CANCEL_SERVER
                                   : PD_QUERY_CANCEL_FAILED;
    if (q->backoff != NULL)
        uv_timer_start(q->backoff, on_backoff, 0, 0); /* ends it there */
    else
        pd_pool_cancel(q->pool, on_acquired, q); /* or on_acquired will */
    return PD_QUERY_CANCEL_UNSENT;
}

static int run_on(query *q, pd_conn *conn)
{
    pd_error err = PD_ERROR_INIT;

    q->conn = conn;
    if (send_query(q, &err) != 0) {
        pd_error_clear(&err);
        query_free(q);
        return PD_ESTATE;
    }
    return 0;
}

/* Runs sql on a held connection; see query.h. */
int pd_query_run(pd_conn *conn, const char *sql, int nparams,
                 const char *const *params, const pd_query_opts *opts,
                 pd_fetch_cb cb, void *ctx)
{
    query *q;

    if (conn == NULL || bad_args(sql, nparams, params, opts, (void *)cb))
        return PD_EINVAL;
    q = query_new(sql, nparams, params, opts, ctx);
    q->cb = cb;
    return run_on(q, conn);
}

/* Streams rows in chunks; see query.h. */
int pd_query_stream(pd_conn *conn, const char *sql, int nparams,
                    const char *const *params, const pd_query_opts *opts,
                    size_t chunk_rows, pd_chunk_cb cb, void *ctx)
{
    query *q;

    if (conn == NULL || chunk_rows == 0 ||
        bad_args(sql, nparams, params, opts, (void *)cb))
        return PD_EINVAL;
    q = query_new(sql, nparams, params, opts, ctx);
    q->chunk_cb = cb;
    q->chunk_rows = chunk_rows;
    return run_on(q, conn);
}
