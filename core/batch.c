/* batch.c: executemany over pipeline mode (see batch.h).
 *
 * One pipeline carries, in order: BEGIN (or SAVEPOINT), the PREPARE when
 * the connection does not have the statement yet, one execution per row,
 * COMMIT (or RELEASE), then one sync point. Rows are pushed in slices and
 * sent as they go, so the server starts on the first rows while later ones
 * are still being queued, and a full socket pauses the pushing (drained
 * resumes it) instead of growing libpq's buffer without bound.
 *
 * After an error the server skips everything up to the sync point, so the
 * COMMIT never runs; the transaction is left aborted and is rolled back
 * here (a second round trip, on the failure path only). */
#include "core/batch.h"

#include <stdlib.h>
#include <string.h>

#include "core/observe.h"
#include "core/stmtcache.h"
#include "core/xalloc.h"

#define FLUSH_ROWS 64 /* rows queued between two sends */
#define NO_SEQ UINT64_MAX

typedef struct batch {
    pd_pool *pool;      /* borrowed; NULL on a held connection */
    pd_conn *conn;      /* borrowed from the pool or the caller */
    char *sql;          /* owned copy */
    size_t nrows;
    int ncols;
    const char **vals;  /* owned: nrows * ncols pointers into arena, NULL
                           for SQL NULL */
    char *arena;        /* owned: the values' bytes */
    pd_batch_opts opts;
    char *source;       /* owned copy of opts.source */
    char stmt[24];      /* statement name; "" for the unnamed one */
    bool prepare;       /* this run sends the PREPARE */
    bool prepared_ok;   /* ... and the server accepted it */
    bool cached;        /* the name belongs to the connection's cache */
    bool savepoint;     /* inside the caller's transaction */
    bool pushing;       /* rows or COMMIT still to queue */
    bool stop;          /* an error came back: queue nothing more */
    bool retry;         /* the cached statement was stale: once more */
    bool retried;       /* ... and that was done already */
    uint64_t prep_seq;  /* sequence numbers of the PREPARE, */
    uint64_t row0;      /* the first row */
    uint64_t commit_seq; /* and the COMMIT (NO_SEQ until queued) */
    size_t next;        /* next row to queue */
    uint64_t t0;        /* uv_hrtime() at the first send */
    const pd_query_observer *obs; /* told of begin and end, or NULL */
    pd_batch_result res;
    pd_error err;       /* first error */
    pd_batch_cb cb;
    void *ctx;
} batch;

static void on_pipe_result(pd_conn *c, uint64_t seq, PGresult *res,
                           void *ctx);
static void on_pipe_drained(pd_conn *c, void *ctx);
static void on_pipe_done(pd_conn *c, const pd_error *err, void *ctx);

static const pd_conn_pipe_ops pipe_ops = {
    .result = on_pipe_result,
    .drained = on_pipe_drained,
    .done = on_pipe_done,
};

static batch *batch_new(const char *sql, size_t nrows, int ncols,
                        const char *const *values, const pd_batch_opts *opts,
                        pd_batch_cb cb, void *ctx)
{
    batch *b = pd_xcalloc(1, sizeof(*b));
    size_t n = nrows * (size_t)ncols, i, total = 0, len;
    char *p;

    b->sql = pd_xstrdup(sql);
    b->nrows = nrows;
    b->ncols = ncols;
    if (n > 0) {
        /* One arena for every value: two allocations, whatever the size. */
        for (i = 0; i < n; i++)
            if (values[i] != NULL)
                total += strlen(values[i]) + 1;
        b->vals = pd_xmalloc(n * sizeof(char *));
        p = b->arena = pd_xmalloc(total > 0 ? total : 1);
        for (i = 0; i < n; i++) {
            if (values[i] == NULL) {
                b->vals[i] = NULL;
                continue;
            }
            len = strlen(values[i]) + 1;
            memcpy(p, values[i], len);
            b->vals[i] = p;
            p += len;
        }
    }
    if (opts != NULL)
        b->opts = *opts;
    b->source = pd_xstrdup(b->opts.source != NULL ? b->opts.source
                                                  : "batch");
    b->opts.source = b->source;
    b->res.affected = -1;
    b->cb = cb;
    b->ctx = ctx;
    return b;
}

static void batch_free(batch *b)
{
    free(b->sql);
    free(b->vals);
    free(b->arena);
    free(b->source);
    pd_error_clear(&b->err);
    free(b);
}

/* Reports to the observer, gives the connection back, calls back. */
static void finish(batch *b)
{
    const pd_error *err = pd_error_isset(&b->err) ? &b->err : NULL;

    if (b->t0 != 0)
        b->res.duration_us = (uv_hrtime() - b->t0) / 1000;
    if (err != NULL)
        b->res.rows = 0;
    if (b->obs != NULL && b->obs->end != NULL && b->t0 != 0) {
        pd_query_report r;
        memset(&r, 0, sizeof(r));
        r.sql = b->sql;
        r.source = b->source;
        r.pg = b->conn != NULL ? pd_conn_pg(b->conn) : NULL;
        r.duration_us = b->res.duration_us;
        r.rows = b->res.affected;
        r.err = err;
        b->obs->end(&r, b->obs->ctx);
    }
    if (b->pool != NULL && b->conn != NULL)
        pd_pool_release(b->pool, b->conn);
    b->conn = NULL;
    b->cb(&b->res, err, b->ctx);
    batch_free(b);
}

static void set_error(batch *b, const pd_error *err)
{
    if (!pd_error_isset(&b->err))
        pd_error_copy(&b->err, err);
    b->stop = true;
}

static uint32_t timeout_of(const batch *b)
{
    if (b->opts.timeout_ms == PD_BATCH_NO_TIMEOUT)
        return 0;
    if (b->opts.timeout_ms != 0)
        return b->opts.timeout_ms;
    return pd_conn_default_timeout(b->conn);
}

static int push_simple(batch *b, const char *sql, uint64_t *seq,
                       pd_error *err)
{
    pd_conn_cmd cmd;

    memset(&cmd, 0, sizeof(cmd));
    cmd.kind = PD_CMD_PARAMS;
    cmd.sql = sql;
    return pd_conn_pipeline_push(b->conn, &cmd, seq, err);
}

/* No more commands. Only a pipeline already ending (or gone) refuses, and
 * then its done callback is on its way anyway. */
static void end_pipe(batch *b)
{
    if (pd_conn_pipeline_end(b->conn) != 0)
        return;
}

/* A command could not be queued: nothing more is, and the pipeline ends
 * with what is in it (the COMMIT is never queued, so nothing commits). */
static void push_failed(batch *b, pd_error *err)
{
    set_error(b, err);
    pd_error_clear(err);
    b->pushing = false;
    end_pipe(b);
}

/* Queues rows until done, an error, or a full socket; then the COMMIT and
 * the end of the pipeline. */
static void push_rows(batch *b)
{
    pd_conn_cmd cmd;
    pd_error err = PD_ERROR_INIT;

    memset(&cmd, 0, sizeof(cmd));
    cmd.kind = PD_CMD_PREPARED;
    cmd.stmt_name = b->stmt;
    cmd.nparams = b->ncols;
    while (b->pushing && !b->stop && b->next < b->nrows) {
        cmd.params = b->vals != NULL ? b->vals + b->next * (size_t)b->ncols
                                     : NULL;
        if (pd_conn_pipeline_push(b->conn, &cmd, NULL, &err) != 0) {
            push_failed(b, &err);
            return;
        }
        b->next++;
        if (b->next % FLUSH_ROWS == 0) {
            if (pd_conn_pipeline_flush(b->conn, false, &err) != 0) {
                push_failed(b, &err);
                return;
            }
            if (pd_conn_pipeline_congested(b->conn))
                return; /* on_pipe_drained goes on */
        }
    }
    if (!b->pushing)
        return;
    b->pushing = false;
    if (!b->stop &&
        push_simple(b, b->savepoint ? "RELEASE SAVEPOINT pd_batch" : "COMMIT",
                    &b->commit_seq, &err) != 0) {
        set_error(b, &err);
        pd_error_clear(&err);
    }
    end_pipe(b);
}

/* Opens the pipeline on b->conn and starts queueing. Returns 0 (the
 * outcome comes through on_pipe_done), or PD_ESTATE with err set. */
static int start(batch *b, pd_error *err)
{
    PGTransactionStatusType ts = pd_conn_txn_status(b->conn);
    pd_conn_cmd cmd;
    const char *name = NULL;

    b->savepoint = ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR;
    b->prepare = true;
    b->prepared_ok = false;
    b->cached = false;
    b->stmt[0] = '\0';
    if (pd_conn_prepare_enabled(b->conn)) {
        pd_stmtcache *sc = pd_conn_stmtcache(b->conn);
        if ((name = pd_stmtcache_lookup(sc, b->sql)) != NULL)
            b->prepare = false;
        else
            name = pd_stmtcache_add(sc, b->sql);
        if (name != NULL) {
            b->cached = true;
            strncpy(b->stmt, name, sizeof(b->stmt) - 1);
        }
    }
    /* Without a cache slot the unnamed statement serves: nothing else
     * uses it inside this pipeline. */
    if (pd_conn_pipeline_begin(b->conn, timeout_of(b), &pipe_ops, b,
                               err) != 0) {
        if (b->cached && b->prepare)
            pd_stmtcache_remove(pd_conn_stmtcache(b->conn), b->sql);
        return PD_ESTATE;
    }
    if (b->t0 == 0) {
        b->t0 = uv_hrtime();
        b->obs = pd_conn_observer(b->conn);
        if (b->obs != NULL && b->obs->begin != NULL)
            b->obs->begin(b->obs->ctx);
    }
    b->res.round_trips++;
    b->pushing = true;
    b->stop = false;
    b->next = 0;
    b->prep_seq = b->commit_seq = NO_SEQ;
    if (push_simple(b, b->savepoint ? "SAVEPOINT pd_batch" : "BEGIN", NULL,
                    err) != 0)
        goto fail;
    if (b->prepare) {
        memset(&cmd, 0, sizeof(cmd));
        cmd.kind = PD_CMD_PREPARE;
        cmd.sql = b->sql;
        cmd.stmt_name = b->stmt;
        cmd.nparams = b->ncols;
        if (pd_conn_pipeline_push(b->conn, &cmd, &b->prep_seq, err) != 0)
            goto fail;
    }
    b->row0 = pd_conn_pipeline_pending(b->conn);
    push_rows(b);
    return 0;

fail:
    push_failed(b, err);
    return 0;
}

static bool is_row(const batch *b, uint64_t seq)
{
    return seq >= b->row0 && seq - b->row0 < b->nrows;
}

/* Keeps the first error, naming the row it came from. */
static void record(batch *b, uint64_t seq, const PGresult *res)
{
    const char *st;
    char *s;

    b->stop = true;
    if (pd_error_isset(&b->err))
        return;
    pd_error_from_result(&b->err, res);
    st = b->err.sqlstate;
    if (strcmp(st, "57014") == 0 && pd_conn_timed_out(b->conn)) {
        free(b->err.message);
        b->err.message = pd_xasprintf("canceling the batch due to command "
                                      "timeout (%u ms)", timeout_of(b));
        b->err.kind = PD_ERR_TIMEOUT;
    }
    if (!is_row(b, seq))
        return;
    b->res.failed_row = (size_t)(seq - b->row0) + 1;
    if (b->cached && !b->prepare && !b->retried && b->res.failed_row == 1 &&
        (strcmp(st, "26000") == 0 || strcmp(st, "0A000") == 0)) {
        /* The server dropped or invalidated our cached statement:
         * nothing ran, so prepare it afresh and run the batch again. */
        pd_stmtcache_remove(pd_conn_stmtcache(b->conn), b->sql);
        b->retry = true;
    }
    s = pd_xasprintf("row %zu: %s", b->res.failed_row, b->err.message);
    free(b->err.message);
    b->err.message = s;
    if (b->err.full != NULL) {
        s = pd_xasprintf("row %zu: %s", b->res.failed_row, b->err.full);
        free(b->err.full);
        b->err.full = s;
    }
}

static void on_pipe_result(pd_conn *c, uint64_t seq, PGresult *res,
                           void *ctx)
{
    batch *b = ctx;
    ExecStatusType st = PQresultStatus(res);
    const char *n;

    (void)c;
    if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE ||
        st == PGRES_NONFATAL_ERROR) {
        record(b, seq, res);
    } else if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        if (seq == b->prep_seq) {
            b->prepared_ok = true;
        } else if (is_row(b, seq)) {
            n = PQcmdTuples(res);
            if (*n != '\0')
                b->res.affected = (b->res.affected < 0 ? 0
                                                       : b->res.affected) +
                                  strtoll(n, NULL, 10);
        }
    }
    PQclear(res);
}

static void on_pipe_drained(pd_conn *c, void *ctx)
{
    batch *b = ctx;

    (void)c;
    if (b->pushing)
        push_rows(b);
}

static void on_rollback_result(pd_conn *c, PGresult *res, void *ctx)
{
    (void)c;
    (void)ctx;
    PQclear(res); /* a failure shows in the transaction status */
}

static void on_rollback_done(pd_conn *c, const pd_error *err, void *ctx)
{
    batch *b = ctx;
    pd_error serr = PD_ERROR_INIT;
    PGTransactionStatusType want = b->savepoint ? PQTRANS_INTRANS
                                                : PQTRANS_IDLE;

    if (err == NULL && b->retry && pd_conn_txn_status(c) == want) {
        b->retry = false;
        b->retried = true;
        pd_error_clear(&b->err);
        b->res.failed_row = 0;
        b->res.affected = -1;
        if (start(b, &serr) == 0)
            return;
        pd_error_copy(&b->err, &serr);
        pd_error_clear(&serr);
    }
    finish(b);
}

/* Undoes what the failed batch left open, then finishes (or retries). */
static void roll_back(batch *b)
{
    PGTransactionStatusType ts = pd_conn_txn_status(b->conn);
    pd_conn_cmd cmd;
    pd_error err = PD_ERROR_INIT;

    if (ts != PQTRANS_INTRANS && ts != PQTRANS_INERROR) {
        finish(b); /* the server ended it (a failed COMMIT) */
        return;
    }
    memset(&cmd, 0, sizeof(cmd));
    cmd.kind = PD_CMD_SIMPLE;
    cmd.sql = b->savepoint ? "ROLLBACK TO SAVEPOINT pd_batch; "
                             "RELEASE SAVEPOINT pd_batch"
                           : "ROLLBACK";
    cmd.timeout_ms = timeout_of(b);
    b->res.round_trips++;
    if (pd_conn_send(b->conn, &cmd, on_rollback_result, on_rollback_done, b,
                     &err) != 0) {
        pd_error_clear(&err);
        finish(b); /* the pool closes a connection left in a transaction */
    }
}

static void on_pipe_done(pd_conn *c, const pd_error *err, void *ctx)
{
    batch *b = ctx;
    PGTransactionStatusType want = b->savepoint ? PQTRANS_INTRANS
                                                : PQTRANS_IDLE;

    if (b->prepare && !b->prepared_ok && b->cached)
        pd_stmtcache_remove(pd_conn_stmtcache(c), b->sql);
    if (err != NULL) {
        b->retry = false;
        if (!pd_error_isset(&b->err)) {
            /* No error came back before the connection went: if the
             * COMMIT was queued it may have run. */
            pd_error_copy(&b->err, err);
            if (b->commit_seq != NO_SEQ && err->kind == PD_ERR_CONNECTION) {
                char *m = pd_xasprintf("the connection was lost after the "
                                       "batch was sent, so whether it "
                                       "committed is unknown: %s",
                                       b->err.message);
                free(b->err.message);
                b->err.message = m;
                b->err.kind = PD_ERR_OUTCOME_UNKNOWN;
            }
        }
        finish(b);
        return;
    }
    if (!pd_error_isset(&b->err) && pd_conn_txn_status(c) != want)
        pd_error_set(&b->err, PD_ERR_SERVER, "the batch did not commit");
    if (pd_error_isset(&b->err)) {
        roll_back(b);
        return;
    }
    b->res.rows = b->nrows;
    finish(b);
}

static void on_acquired(pd_conn *conn, const pd_error *err, void *ctx)
{
    batch *b = ctx;

    if (err != NULL) {
        pd_error_copy(&b->err, err);
        finish(b);
        return;
    }
    b->conn = conn;
    if (start(b, &b->err) != 0)
        finish(b); /* from the pool's dispatch: a later turn than run */
}

static bool bad_args(const char *sql, size_t nrows, int ncols,
                     const char *const *values, const void *cb)
{
    return sql == NULL || cb == NULL || ncols < 0 || ncols > 65535 ||
           (nrows > 0 && ncols > 0 && values == NULL);
}

/* Runs the batch on a pool connection; see batch.h. */
int pd_batch_run(pd_pool *pool, const char *sql, size_t nrows, int ncols,
                 const char *const *values, const pd_batch_opts *opts,
                 pd_batch_cb cb, void *ctx)
{
    batch *b;
    int rc;

    if (pool == NULL || bad_args(sql, nrows, ncols, values, (void *)cb))
        return PD_EINVAL;
    b = batch_new(sql, nrows, ncols, values, opts, cb, ctx);
    b->pool = pool;
    rc = pd_pool_acquire(pool, b->opts.acquire_timeout_ms, on_acquired, b);
    if (rc != 0)
        batch_free(b);
    return rc;
}

/* Runs the batch on a held connection; see batch.h. */
int pd_batch_run_on(pd_conn *conn, const char *sql, size_t nrows, int ncols,
                    const char *const *values, const pd_batch_opts *opts,
                    pd_batch_cb cb, void *ctx)
{
    batch *b;
    pd_error err = PD_ERROR_INIT;

    if (conn == NULL || bad_args(sql, nrows, ncols, values, (void *)cb))
        return PD_EINVAL;
    if (!pd_conn_is_idle(conn))
        return PD_ESTATE;
    b = batch_new(sql, nrows, ncols, values, opts, cb, ctx);
    b->conn = conn;
    if (start(b, &err) != 0) {
        pd_error_clear(&err);
        batch_free(b);
        return PD_ESTATE;
    }
    return 0;
}
