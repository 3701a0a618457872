/* txn.c: BEGIN ... COMMIT on one held connection, and whole-transaction
 * retries.
 *
 * A transaction moves ACQUIRE -> BEGIN -> OPEN <-> QUERY -> END -> DONE.
 * Its first error is kept; once set, statements are answered with it
 * without reaching the server and the end is a ROLLBACK. Answers known
 * without the server go through a zero-delay timer so that no callback
 * runs inside the call that asked for it; the same timer's close callback
 * frees the transaction, so it is never freed under its own callback.
 *
 * The runner (pd_txn_run) starts one transaction per try and, when a try
 * fails, asks pd_retry_decide (through the stats, which count it) whether
 * the whole transaction may run again. What it tells the rules: the
 * transaction is whole; "sent" is whether COMMIT reached the wire (losing
 * the connection before that rolls everything back); "read only" is the
 * transaction's access mode. */
#include "core/txn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cancel.h"
#include "core/result.h"
#include "core/xalloc.h"

typedef struct runner runner;

typedef enum tstate {
    T_ACQUIRE = 0, /* waiting for the pool */
    T_BEGIN,       /* BEGIN in flight */
    T_OPEN,        /* open, nothing running: the holder's turn */
    T_QUERY,       /* a statement running, or its fail-fast answer due */
    T_END,         /* COMMIT or ROLLBACK in flight, or the end due */
    T_DONE         /* over, closing */
} tstate;

typedef enum endkind { END_NONE = 0, END_COMMIT, END_ROLLBACK } endkind;

struct pd_txn {
    uv_loop_t *loop;     /* borrowed */
    pd_pool *pool;       /* borrowed */
    pd_conn *conn;       /* held from the grant to the release */
    pd_txn_opts opts;    /* copy; opts.source points at source */
    char *source;        /* owned */
    tstate state;
    uv_timer_t defer;    /* answers known without the server */
    bool failed;         /* a statement failed, or abort was called */
    pd_error err;        /* the first error */
    pd_error qerr;       /* a fail-fast answer due to the statement's cb */
    bool fail_fast;      /* in T_QUERY: the answer is qerr, via defer */
    bool cancel_pending; /* a cancel request has not reported back */
    bool wait_cancel;    /* the ROLLBACK waits for that report */
    bool commit_sent;    /* COMMIT reached the wire */
    bool voluntary;      /* ROLLBACK asked with nothing failed */
    endkind end;         /* the end asked for, END_NONE until then */
    pd_fetch_cb qcb;     /* the running statement's callback */
    void *qctx;
    pd_txn_begin_cb bcb; /* until BEGIN is answered */
    void *bctx;
    pd_txn_end_cb ecb;   /* once the end is asked for; may be NULL */
    void *ectx;
    runner *run;         /* the pd_txn_run this is a try of, or NULL */
    unsigned attempt;    /* that try's 0-based index */
};

struct runner {
    uv_loop_t *loop;       /* borrowed */
    pd_pool *pool;         /* borrowed */
    pd_txn_opts opts;      /* copy; opts.source points at source */
    char *source;          /* owned */
    pd_txn_body body;
    pd_txn_run_cb done;
    void *ctx;
    pd_retry_stats *stats; /* borrowed, or NULL */
    pd_retry_rng rng;      /* jitter */
    unsigned attempt;      /* 0-based index of the current try */
    uv_timer_t backoff;    /* the wait before the next try */
};

static void runner_try_over(runner *r, pd_txn *x);

/* Fills o with the defaults; see txn.h. */
void pd_txn_opts_init(pd_txn_opts *o)
{
    pd_retry_policy p = PD_RETRY_POLICY_DEFAULT;

    memset(o, 0, sizeof(*o));
    o->isolation = PD_TXN_ISOLATION_DEFAULT;
    o->retry = p;
}

/* ---- the transaction ---- */

static void on_txn_closed(uv_handle_t *h)
{
    pd_txn *x = h->data;

    pd_error_clear(&x->err);
    pd_error_clear(&x->qerr);
    free(x->source);
    free(x);
}

/* The only way a transaction is freed: after its timer has closed, which
 * is a later loop turn than any of its callbacks. */
static void txn_close(pd_txn *x)
{
    x->state = T_DONE;
    uv_close((uv_handle_t *)&x->defer, on_txn_closed);
}

static void set_failed(pd_txn *x, const pd_error *err)
{
    if (x->failed)
        return;
    x->failed = true;
    pd_error_copy(&x->err, err);
}

/* Replaces err's message with a new one that ends with the old one. */
static void reword(pd_error *err, const char *prefix)
{
    char *msg = pd_xasprintf("%s%s", prefix,
                             err->message != NULL ? err->message : "");

    free(err->message);
    err->message = msg;
    free(err->full); /* libpq's text would contradict the new verdict */
    err->full = NULL;
}

/* The query layer calls a write lost after sending "outcome unknown". Inside
 * a transaction whose COMMIT was not sent that cannot be: the server
 * discards an open transaction with its session, so nothing committed. out
 * gets a copy of err, corrected so. */
static void statement_error(const pd_error *err, pd_error *out)
{
    const char *why;
    char *msg;

    pd_error_copy(out, err);
    if (out->kind != PD_ERR_OUTCOME_UNKNOWN)
        return;
    why = out->message != NULL ? strstr(out->message, "is unknown: ") : NULL;
    why = why != NULL ? why + strlen("is unknown: ") : out->message;
    msg = pd_xasprintf("the connection was lost inside the transaction, "
                       "before COMMIT, so nothing was committed: %s",
                       why != NULL ? why : "");
    free(out->message);
    out->message = msg;
    free(out->full);
    out->full = NULL;
    out->kind = PD_ERR_CONNECTION;
}

static pd_query_opts stmt_opts(const pd_txn *x, uint32_t flags)
{
    pd_query_opts qo;

    memset(&qo, 0, sizeof(qo));
    qo.flags = flags;
    qo.timeout_ms = x->opts.timeout_ms;
    qo.source = x->source;
    return qo;
}

/* BEGIN with the isolation level and access modes of o, into buf. */
static void begin_sql(const pd_txn_opts *o, char *buf, size_t n)
{
    static const char *const levels[] = {
        NULL, "ISOLATION LEVEL READ COMMITTED",
        "ISOLATION LEVEL REPEATABLE READ", "ISOLATION LEVEL SERIALIZABLE"};
    const char *modes[3];
    size_t nmodes = 0, i, len;

    if (o->isolation != PD_TXN_ISOLATION_DEFAULT)
        modes[nmodes++] = levels[o->isolation];
    if (o->read_only)
        modes[nmodes++] = "READ ONLY";
    if (o->deferrable)
        modes[nmodes++] = "DEFERRABLE";
    len = (size_t)snprintf(buf, n, "BEGIN");
    for (i = 0; i < nmodes && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s %s",
                                i > 0 ? "," : "", modes[i]);
}

static void give_back(pd_txn *x)
{
    pd_conn *c = x->conn;

    x->conn = NULL;
    if (c != NULL)
        pd_pool_release(x->pool, c);
}

/* BEGIN did not happen: the holder (or the runner) learns why. */
static void begin_failed(pd_txn *x, const pd_error *err)
{
    pd_txn_begin_cb cb = x->bcb;

    give_back(x);
    x->state = T_DONE;
    cb(NULL, err, x->bctx);
    txn_close(x);
}

/* The end: the connection goes back first, so the callbacks can use the
 * pool at once; then the holder's callback, then the runner. */
static void finish(pd_txn *x)
{
    const pd_error *err = x->failed ? &x->err : NULL;

    give_back(x);
    x->state = T_DONE;
    if (x->ecb != NULL)
        x->ecb(err, x->ectx);
    if (x->run != NULL)
        runner_try_over(x->run, x);
    txn_close(x);
}

static void defer(pd_txn *x);

static void on_rollback_done(pd_result *res, const pd_error *err, void *ctx)
{
    pd_txn *x = ctx;
    pd_error e = PD_ERROR_INIT;

    pd_result_free(res);
    if (err != NULL) {
        /* Kept only when nothing failed before: that first error is the
         * story, and a lost session rolls back anyway. */
        statement_error(err, &e);
        reword(&e, "ROLLBACK failed: ");
        set_failed(x, &e);
        pd_error_clear(&e);
    }
    finish(x);
}

/* Rolls back explicitly when the session is still inside the transaction
 * and can take a command; otherwise the server has discarded it with the
 * session (or it ended already), and the end is delivered on the next
 * turn. Waits for a pending cancel request first, so that it cannot land
 * on the ROLLBACK or on the connection's next user. */
static void rollback_step(pd_txn *x)
{
    pd_query_opts qo = stmt_opts(x, PD_QUERY_SIMPLE);
    PGTransactionStatusType ts;

    if (x->cancel_pending) {
        x->wait_cancel = true;
        return;
    }
    ts = x->conn != NULL ? pd_conn_txn_status(x->conn) : PQTRANS_UNKNOWN;
    if (x->conn != NULL && pd_conn_is_idle(x->conn) &&
        (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) &&
        pd_query_run(x->conn, "ROLLBACK", 0, NULL, &qo, on_rollback_done,
                     x) == 0)
        return;
    defer(x);
}

static void on_commit_done(pd_result *res, const pd_error *err, void *ctx)
{
    pd_txn *x = ctx;
    pd_error e = PD_ERROR_INIT;
    const char *tag = res != NULL ? pd_result_tag(res) : NULL;

    if (err != NULL) {
        pd_error_copy(&e, err);
        if (err->kind == PD_ERR_OUTCOME_UNKNOWN ||
            pd_retry_classify(err) == PD_RETRY_CLASS_CONNECTION ||
            x->conn == NULL ||
            pd_conn_state_get(x->conn) == PD_CONN_BROKEN) {
            /* No answer to COMMIT: it may or may not have committed. That
             * is harmless only when the transaction wrote nothing. */
            if (x->opts.read_only) {
                e.kind = PD_ERR_CONNECTION;
                reword(&e, "the connection was lost during COMMIT of a "
                           "read-only transaction: ");
            } else {
                e.kind = PD_ERR_OUTCOME_UNKNOWN;
                reword(&e, "the connection was lost after COMMIT was sent, "
                           "so whether the transaction committed is "
                           "unknown: ");
            }
        }
        set_failed(x, &e);
    } else if (tag == NULL || strcmp(tag, "COMMIT") != 0) {
        /* The server answers COMMIT of an aborted transaction with
         * ROLLBACK, and no error. */
        pd_error_set(&e, PD_ERR_SERVER, "COMMIT answered %s: the "
                     "transaction was rolled back",
                     tag != NULL && *tag != '\0' ? tag : "nothing");
        strcpy(e.sqlstate, "25P02");
        set_failed(x, &e);
    }
    pd_error_clear(&e);
    pd_result_free(res);
    if (x->failed)
        rollback_step(x);
    else
        finish(x);
}

static void start_end(pd_txn *x)
{
    pd_query_opts qo = stmt_opts(x, PD_QUERY_SIMPLE);
    pd_error e = PD_ERROR_INIT;

    x->state = T_END;
    x->voluntary = x->end == END_ROLLBACK && !x->failed;
    if (x->end == END_ROLLBACK || x->failed) {
        rollback_step(x);
        return;
    }
    if (pd_query_run(x->conn, "COMMIT", 0, NULL, &qo, on_commit_done, x) ==
        0) {
        x->commit_sent = true;
        return;
    }
    pd_error_set(&e, PD_ERR_CONNECTION, "the connection was lost before "
                 "COMMIT was sent, so nothing was committed");
    set_failed(x, &e);
    pd_error_clear(&e);
    defer(x);
}

/* Runs after the holder's statement callback: an end asked for while the
 * statement ran starts now. */
static void after_statement(pd_txn *x)
{
    if (x->state == T_OPEN && x->end != END_NONE)
        start_end(x);
}

static void on_defer(uv_timer_t *t)
{
    pd_txn *x = t->data;

    if (x->state == T_QUERY && x->fail_fast) {
        pd_fetch_cb cb = x->qcb;
        pd_error e = x->qerr; /* moved: the callback may refill qerr */

        pd_error_init(&x->qerr);
        x->fail_fast = false;
        x->qcb = NULL;
        x->state = T_OPEN;
        cb(NULL, &e, x->qctx);
        pd_error_clear(&e);
        after_statement(x);
    } else if (x->state == T_END) {
        finish(x);
    }
}

static void defer(pd_txn *x)
{
    uv_timer_start(&x->defer, on_defer, 0, 0);
}

static void on_statement_done(pd_result *res, const pd_error *err,
                              void *ctx)
{
    pd_txn *x = ctx;
    pd_fetch_cb cb = x->qcb;
    pd_error e = PD_ERROR_INIT;

    x->qcb = NULL;
    x->state = T_OPEN;
    if (err != NULL) {
        statement_error(err, &e);
        set_failed(x, &e);
    } else if (pd_conn_txn_status(x->conn) == PQTRANS_IDLE) {
        pd_error_set(&e, PD_ERR_USAGE, "the statement ended the transaction "
                     "(use pd_txn_commit or pd_txn_rollback); the "
                     "transaction is treated as failed");
        set_failed(x, &e);
    }
    cb(res, pd_error_isset(&e) ? &e : NULL, x->qctx);
    pd_error_clear(&e);
    after_statement(x);
}

static void on_begun(pd_result *res, const pd_error *err, void *ctx)
{
    pd_txn *x = ctx;
    pd_error e = PD_ERROR_INIT;

    pd_result_free(res);
    if (err != NULL) {
        statement_error(err, &e);
        begin_failed(x, &e);
        pd_error_clear(&e);
        return;
    }
    x->state = T_OPEN;
    x->bcb(x, NULL, x->bctx);
}

static void on_acquired(pd_conn *conn, const pd_error *err, void *ctx)
{
    pd_txn *x = ctx;
    pd_query_opts qo = stmt_opts(x, PD_QUERY_SIMPLE);
    pd_error e = PD_ERROR_INIT;
    char sql[128];

    if (err != NULL) {
        begin_failed(x, err);
        return;
    }
    x->conn = conn;
    x->state = T_BEGIN;
    begin_sql(&x->opts, sql, sizeof(sql));
    if (pd_query_run(conn, sql, 0, NULL, &qo, on_begun, x) == 0)
        return;
    pd_error_set(&e, PD_ERR_CONNECTION, "the pool's connection could not "
                 "take BEGIN");
    begin_failed(x, &e);
    pd_error_clear(&e);
}

static bool opts_ok(const pd_txn_opts *o)
{
    return o->isolation >= PD_TXN_ISOLATION_DEFAULT &&
           o->isolation <= PD_TXN_SERIALIZABLE;
}

/* Starts one transaction; run is the runner it is a try of, or NULL. */
static int txn_start(uv_loop_t *loop, pd_pool *pool, const pd_txn_opts *opts,
                     pd_txn_begin_cb cb, void *ctx, runner *run)
{
    pd_txn *x = pd_xcalloc(1, sizeof(*x));
    int rc;

    x->loop = loop;
    x->pool = pool;
    x->opts = *opts;
    x->source = pd_xstrdup(opts->source != NULL ? opts->source : "txn");
    x->opts.source = x->source;
    x->bcb = cb;
    x->bctx = ctx;
    x->run = run;
    x->attempt = run != NULL ? run->attempt : 0;
    pd_error_init(&x->err);
    pd_error_init(&x->qerr);
    rc = pd_pool_acquire(pool, opts->acquire_timeout_ms, on_acquired, x);
    if (rc != 0) {
        free(x->source);
        free(x);
        return rc;
    }
    /* The grant comes on a later turn, so the timer is ready before any
     * path can need it. */
    uv_timer_init(loop, &x->defer);
    x->defer.data = x;
    return 0;
}

/* Begins a transaction; see txn.h. */
int pd_txn_begin(pd_pool *pool, const pd_txn_opts *opts,
                 pd_txn_begin_cb cb, void *ctx)
{
    pd_txn_opts o;

    if (opts == NULL)
        pd_txn_opts_init(&o);
    else
        o = *opts;
    if (pool == NULL || cb == NULL || !opts_ok(&o))
        return PD_EINVAL;
    return txn_start(pd_pool_loop(pool), pool, &o, cb, ctx, NULL);
}

/* Runs one statement in the transaction; see txn.h. */
int pd_txn_query(pd_txn *txn, const char *sql, int nparams,
                 const char *const *params, pd_fetch_cb cb, void *ctx)
{
    pd_query_opts qo;
    pd_error e = PD_ERROR_INIT;
    int rc;

    if (txn == NULL || sql == NULL || cb == NULL || nparams < 0 ||
        (nparams > 0 && params == NULL))
        return PD_EINVAL;
    if (txn->state != T_OPEN || txn->end != END_NONE)
        return PD_ESTATE;
    txn->qcb = cb;
    txn->qctx = ctx;
    txn->state = T_QUERY;
    if (txn->failed) {
        pd_error_copy(&e, &txn->err);
        reword(&e, "the transaction has failed, statement not sent: ");
    } else {
        qo = stmt_opts(txn, 0);
        rc = pd_query_run(txn->conn, sql, nparams, params, &qo,
                          on_statement_done, txn);
        if (rc == 0)
            return 0;
        if (rc == PD_EINVAL) {
            txn->state = T_OPEN;
            txn->qcb = NULL;
            return rc;
        }
        pd_error_set(&e, PD_ERR_CONNECTION, "the connection was lost "
                     "inside the transaction, before COMMIT, so nothing "
                     "was committed");
        set_failed(txn, &e);
    }
    pd_error_clear(&txn->qerr);
    txn->qerr = e; /* moved */
    txn->fail_fast = true;
    defer(txn);
    return 0;
}

static int end_request(pd_txn *x, endkind kind, pd_txn_end_cb cb, void *ctx)
{
    if (x == NULL)
        return PD_EINVAL;
    if (x->end != END_NONE || (x->state != T_OPEN && x->state != T_QUERY))
        return PD_ESTATE;
    x->end = kind;
    x->ecb = cb;
    x->ectx = ctx;
    if (x->state == T_OPEN)
        start_end(x);
    return 0;
}

/* Commits, or rolls back a failed transaction; see txn.h. */
int pd_txn_commit(pd_txn *txn, pd_txn_end_cb cb, void *ctx)
{
    return end_request(txn, END_COMMIT, cb, ctx);
}

/* Rolls back; see txn.h. */
int pd_txn_rollback(pd_txn *txn, pd_txn_end_cb cb, void *ctx)
{
    return end_request(txn, END_ROLLBACK, cb, ctx);
}

static void on_cancel_sent(bool sent, const pd_error *err, void *ctx)
{
    pd_txn *x = ctx;

    (void)sent;
    (void)err; /* not sent: the statement simply runs to its end */
    x->cancel_pending = false;
    if (x->wait_cancel) {
        x->wait_cancel = false;
        rollback_step(x);
    }
}

/* Cancels the transaction; see txn.h. */
void pd_txn_abort(pd_txn *txn)
{
    pd_error e = PD_ERROR_INIT;

    if (txn == NULL || (txn->state != T_OPEN && txn->state != T_QUERY))
        return;
    pd_error_set(&e, PD_ERR_CANCELED, "the transaction was canceled");
    set_failed(txn, &e);
    pd_error_clear(&e);
    if (txn->state == T_QUERY && !txn->fail_fast && !txn->cancel_pending &&
        pd_cancel_request(txn->loop, txn->conn, on_cancel_sent, txn) == 0)
        txn->cancel_pending = true;
}

bool pd_txn_failed(const pd_txn *txn)
{
    return txn->failed;
}

const pd_error *pd_txn_error(const pd_txn *txn)
{
    return txn->failed ? &txn->err : NULL;
}

unsigned pd_txn_attempt(const pd_txn *txn)
{
    return txn->attempt;
}

/* ---- the runner ---- */

static void on_runner_closed(uv_handle_t *h)
{
    runner *r = h->data;

    free(r->source);
    free(r);
}

static void run_finish(runner *r, const pd_error *err)
{
    r->done(err, r->attempt + 1, r->ctx);
    uv_close((uv_handle_t *)&r->backoff, on_runner_closed);
}

static void on_run_begun(pd_txn *t, const pd_error *err, void *ctx);

static void on_backoff(uv_timer_t *t)
{
    runner *r = t->data;
    pd_error e = PD_ERROR_INIT;

    if (txn_start(r->loop, r->pool, &r->opts, on_run_begun, r, r) == 0)
        return;
    pd_error_set(&e, PD_ERR_CANCELED, "the pool closed before try %u of "
                 "the transaction", r->attempt + 1);
    run_finish(r, &e);
    pd_error_clear(&e);
}

/* A try failed with err (borrowed); sent: its COMMIT reached the wire. */
static void try_failed(runner *r, const pd_error *err, bool sent)
{
    pd_retry_input in;
    pd_retry_decision d;
    pd_error as_lost, unknown = PD_ERROR_INIT;
    uint32_t delay;

    memset(&in, 0, sizeof(in));
    in.err = err;
    if (err->kind == PD_ERR_OUTCOME_UNKNOWN) {
        /* The rules reason about the lost connection itself; a shallow,
         * read-only copy is enough to show them that. */
        as_lost = *err;
        as_lost.kind = PD_ERR_CONNECTION;
        in.err = &as_lost;
    }
    in.policy = &r->opts.retry;
    in.attempt = r->attempt;
    in.whole_txn = true;
    in.sent = sent;
    in.read_only = r->opts.read_only;
    d = r->stats != NULL ? pd_retry_stats_record(r->stats, &in)
                         : pd_retry_decide(&in);
    if (d == PD_RETRY_YES) {
        delay = pd_retry_backoff_ms(&r->opts.retry, r->attempt,
                                    pd_retry_rng_next, &r->rng);
        if (r->stats != NULL)
            pd_retry_stats_record_backoff(r->stats, delay);
        r->attempt++;
        uv_timer_start(&r->backoff, on_backoff, delay, 0);
        return;
    }
    if (d == PD_RETRY_OUTCOME_UNKNOWN && err->kind != PD_ERR_OUTCOME_UNKNOWN) {
        pd_error_copy(&unknown, err);
        unknown.kind = PD_ERR_OUTCOME_UNKNOWN;
        err = &unknown;
    }
    run_finish(r, err);
    pd_error_clear(&unknown);
}

static void on_run_begun(pd_txn *t, const pd_error *err, void *ctx)
{
    runner *r = ctx;

    if (err != NULL) {
        try_failed(r, err, false);
        return;
    }
    r->body(t, r->ctx);
}

/* The try x has ended (x is still alive, its connection given back). */
static void runner_try_over(runner *r, pd_txn *x)
{
    if (!x->failed) {
        if (r->stats != NULL)
            pd_retry_stats_record_success(r->stats, r->attempt);
        run_finish(r, NULL);
    } else if (x->voluntary) {
        run_finish(r, &x->err); /* the body's ROLLBACK itself failed */
    } else {
        try_failed(r, &x->err, x->commit_sent);
    }
}

/* Runs body as a retried transaction; see txn.h. */
int pd_txn_run(pd_pool *pool, const pd_txn_opts *opts,
               pd_txn_body body, pd_txn_run_cb done, void *ctx,
               pd_retry_stats *stats)
{
    pd_retry_policy def = PD_RETRY_POLICY_DEFAULT;
    runner *r;
    int rc;

    if (pool == NULL || body == NULL || done == NULL)
        return PD_EINVAL;
    r = pd_xcalloc(1, sizeof(*r));
    if (opts == NULL)
        pd_txn_opts_init(&r->opts);
    else
        r->opts = *opts;
    if (r->opts.retry.attempts == 0)
        r->opts.retry = def;
    if (!opts_ok(&r->opts) ||
        pd_retry_policy_check(&r->opts.retry, NULL) != 0) {
        free(r); /* pd_error_set accepts a NULL err: nothing to clear */
        return PD_EINVAL;
    }
    r->source = pd_xstrdup(r->opts.source != NULL ? r->opts.source : "txn");
    r->opts.source = r->source;
    r->loop = pd_pool_loop(pool);
    r->pool = pool;
    r->body = body;
    r->done = done;
    r->ctx = ctx;
    r->stats = stats;
    pd_retry_rng_seed(&r->rng, uv_hrtime() ^ (uint64_t)(uintptr_t)r);
    rc = txn_start(r->loop, pool, &r->opts, on_run_begun, r, r);
    if (rc != 0) {
        free(r->source);
        free(r);
        return rc;
    }
    uv_timer_init(r->loop, &r->backoff);
    r->backoff.data = r;
    return 0;
}
