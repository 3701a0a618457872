/* batch.c: executemany over pipeline mode (see batch.h).
 *
 * One pipeline carries, in order: BEGIN (or SAVEPOINT), the PREPAREs the
 * connection does not have yet, the executions, COMMIT (or RELEASE), then
 * one sync point. Executions are pushed in slices and sent as they go, so
 * the server starts on the first rows while later ones are still being
 * queued, and a full socket pauses the pushing (drained resumes it)
 * instead of growing libpq's buffer without bound.
 *
 * A plain "INSERT INTO t [(cols)] VALUES (...)" (nothing after the VALUES
 * list: no ON CONFLICT, no RETURNING) is sent as multi-row INSERTs of up
 * to 128 rows each, the tuple repeated with its $n renumbered, as
 * SQLAlchemy's insertmanyvalues does: the server runs one statement per
 * chunk instead of one per row, which is most of its cost. Chunk sizes are
 * powers of two (128, then the binary digits of the rest), so a connection
 * caches at most 8 such statements per INSERT. The rows, their values and
 * the count are the same; only statement-level triggers see chunks rather
 * than rows (PD_BATCH_PLAIN keeps one statement per row). A chunk cannot
 * say which of its rows failed, so after an error the batch is rolled
 * back and run again one row per statement, which names the row.
 *
 * After an error the server skips everything up to the sync point, so the
 * COMMIT never runs; the transaction is left aborted and is rolled back
 * here (a second round trip, on the failure path only). */
#include "core/batch.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/observe.h"
#include "core/sqllex.h"
#include "core/stmtcache.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#define FLUSH_ROWS 64   /* rows queued between two sends */
#define MAX_CHUNK 128   /* rows per multi-row INSERT, at most */
#define NSIZES 17       /* chunk sizes 2^0 .. 2^16 */
#define MAX_PARAMS 65535 /* the protocol's limit per statement */
#define NO_SEQ UINT64_MAX

/* One prepared statement the batch runs: the statement itself (plain), or
 * its multi-row form for one chunk size (2^k rows). */
typedef struct stmt {
    char *sql;          /* owned text; NULL: the batch's own sql */
    char name[24];      /* statement name; "" for the unnamed one */
    bool used;          /* this run executes it */
    bool cached;        /* the name belongs to the connection's cache */
    bool prepare;       /* this run sends its PREPARE */
    bool prepared_ok;   /* ... and the server accepted it */
    uint64_t prep_seq;  /* that PREPARE's sequence number */
} stmt;

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
    size_t tuple_off;   /* multi-row form possible: where the VALUES */
    size_t tuple_end;   /* tuple starts and ends in sql; 0: not possible */
    size_t max_chunk;   /* rows per chunk, at most */
    bool chunked;       /* this run sends multi-row INSERTs */
    stmt st[NSIZES];    /* plain: st[0]; chunked: st[k] has 2^k rows */
    bool savepoint;     /* inside the caller's transaction */
    bool pushing;       /* rows or COMMIT still to queue */
    bool stop;          /* an error came back: queue nothing more */
    bool retry;         /* run again once: the cached statement was
                           stale, or a chunk failed and the rows are to
                           be run one by one to name the failing one */
    bool retried;       /* a stale statement was retried already */
    uint64_t row0;      /* sequence number of the first execution */
    uint64_t commit_seq; /* and of the COMMIT (NO_SEQ until queued) */
    size_t next;        /* next row to queue */
    size_t unflushed;   /* rows queued since the last send */
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

/* The next significant token at or after *pos (no blanks or comments). */
static bool next_tok(const char *s, size_t len, size_t *pos, pd_sqltok *t)
{
    while (pd_sqllex_next(s, len, *pos, t)) {
        *pos = t->start + t->len;
        if (t->kind != PD_SQLTOK_SPACE && t->kind != PD_SQLTOK_LINE_COMMENT &&
            t->kind != PD_SQLTOK_BLOCK_COMMENT)
            return true;
    }
    return false;
}

static bool is_word(const char *s, const pd_sqltok *t, const char *w)
{
    return t->kind == PD_SQLTOK_IDENT && t->len == strlen(w) &&
           strncasecmp(s + t->start, w, t->len) == 0;
}

static bool is_op(const char *s, const pd_sqltok *t, char c)
{
    return t->kind == PD_SQLTOK_OP && t->len == 1 && s[t->start] == c;
}

/* Finds whether sql is "INSERT INTO name [(cols)] VALUES (tuple) [;]"
 * with every $n of the tuple within ncols; if so, sets the tuple's place
 * in b. Anything else (ON CONFLICT, RETURNING, several tuples, DEFAULT
 * VALUES, a SELECT) keeps one statement per row. */
static void find_tuple(batch *b)
{
    const char *s = b->sql;
    size_t len = strlen(s), pos = 0, start;
    pd_sqltok t;
    int depth;

    if (b->ncols < 1 || b->ncols > MAX_PARAMS / 2 ||
        !next_tok(s, len, &pos, &t) || !is_word(s, &t, "insert") ||
        !next_tok(s, len, &pos, &t) || !is_word(s, &t, "into"))
        return;
    do { /* name or schema.name */
        if (!next_tok(s, len, &pos, &t) ||
            (t.kind != PD_SQLTOK_IDENT && t.kind != PD_SQLTOK_QIDENT) ||
            is_word(s, &t, "values") || !next_tok(s, len, &pos, &t))
            return;
    } while (is_op(s, &t, '.'));
    if (t.kind == PD_SQLTOK_LPAREN) { /* the column list */
        do {
            if (!next_tok(s, len, &pos, &t) ||
                (t.kind != PD_SQLTOK_IDENT && t.kind != PD_SQLTOK_QIDENT) ||
                !next_tok(s, len, &pos, &t))
                return;
        } while (is_op(s, &t, ','));
        if (t.kind != PD_SQLTOK_RPAREN || !next_tok(s, len, &pos, &t))
            return;
    }
    if (!is_word(s, &t, "values") || !next_tok(s, len, &pos, &t) ||
        t.kind != PD_SQLTOK_LPAREN)
        return;
    start = t.start;
    for (depth = 1; depth > 0;) {
        if (!next_tok(s, len, &pos, &t) || t.kind == PD_SQLTOK_SEMI ||
            t.kind == PD_SQLTOK_BACKSLASH || t.open)
            return;
        if (t.kind == PD_SQLTOK_LPAREN)
            depth++;
        else if (t.kind == PD_SQLTOK_RPAREN)
            depth--;
        else if (t.kind == PD_SQLTOK_PARAM) {
            long n = strtol(s + t.start + 1, NULL, 10);
            if (n < 1 || n > b->ncols || t.len > 6)
                return;
        }
    }
    b->tuple_off = start;
    b->tuple_end = t.start + 1;
    if (next_tok(s, len, &pos, &t) &&
        (t.kind != PD_SQLTOK_SEMI || next_tok(s, len, &pos, &t))) {
        b->tuple_off = b->tuple_end = 0; /* something follows */
        return;
    }
    for (b->max_chunk = MAX_CHUNK;
         b->max_chunk * (size_t)b->ncols > MAX_PARAMS; b->max_chunk /= 2)
        ;
}

/* Returns-owned text of the multi-row form with rows tuples. */
static char *chunk_sql(const batch *b, size_t rows)
{
    const char *s = b->sql;
    pd_strbuf sb = PD_STRBUF_INIT;
    pd_sqltok t;
    size_t i, pos;

    pd_strbuf_append(&sb, s, b->tuple_off);
    for (i = 0; i < rows; i++) {
        if (i > 0)
            pd_strbuf_puts(&sb, ", ");
        for (pos = b->tuple_off;
             pos < b->tuple_end &&
             pd_sqllex_next(s, b->tuple_end, pos, &t);
             pos = t.start + t.len) {
            if (t.kind == PD_SQLTOK_PARAM)
                pd_strbuf_printf(&sb, "$%zu",
                                 i * (size_t)b->ncols +
                                     (size_t)strtol(s + t.start + 1, NULL,
                                                    10));
            else
                pd_strbuf_append(&sb, s + t.start, t.len);
        }
    }
    return pd_strbuf_steal(&sb);
}

/* The chunk to run at `left` rows from the end: *k is its statement. */
static size_t chunk_rows(const batch *b, size_t left, int *k)
{
    size_t rows = 1;

    *k = 0;
    if (!b->chunked)
        return 1;
    while (rows * 2 <= left && rows * 2 <= b->max_chunk) {
        rows *= 2;
        (*k)++;
    }
    return rows;
}

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
    if (!(b->opts.flags & PD_BATCH_PLAIN) && nrows > 1)
        find_tuple(b);
    b->res.affected = -1;
    b->cb = cb;
    b->ctx = ctx;
    return b;
}

static void batch_free(batch *b)
{
    int k;

    for (k = 0; k < NSIZES; k++)
        free(b->st[k].sql);
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
    size_t rows;
    int k;

    memset(&cmd, 0, sizeof(cmd));
    cmd.kind = PD_CMD_PREPARED;
    while (b->pushing && !b->stop && b->next < b->nrows) {
        rows = chunk_rows(b, b->nrows - b->next, &k);
        cmd.stmt_name = b->st[k].name;
        cmd.nparams = (int)rows * b->ncols;
        cmd.params = b->vals != NULL ? b->vals + b->next * (size_t)b->ncols
                                     : NULL;
        if (pd_conn_pipeline_push(b->conn, &cmd, NULL, &err) != 0) {
            push_failed(b, &err);
            return;
        }
        b->next += rows;
        b->unflushed += rows;
        if (b->unflushed >= FLUSH_ROWS) {
            b->unflushed = 0;
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

/* Forgets every statement of this run that the cache reserved and the
 * server does not have (its PREPARE failed or never ran), or all of them
 * when stale. */
static void uncache(batch *b, bool all)
{
    pd_stmtcache *sc = pd_conn_stmtcache(b->conn);
    int k;

    for (k = 0; k < NSIZES; k++) {
        stmt *t = &b->st[k];
        if (t->used && t->cached && (all || (t->prepare && !t->prepared_ok)))
            pd_stmtcache_remove(sc, t->sql != NULL ? t->sql : b->sql);
    }
}

/* Finds or reserves statement t's name. Returns false when the cache is
 * full (or statements are not cached): then it runs unnamed. */
static bool name_stmt(batch *b, stmt *t)
{
    pd_stmtcache *sc;
    const char *sql = t->sql != NULL ? t->sql : b->sql, *name;

    t->used = true;
    t->prepare = true;
    t->prepared_ok = false;
    t->cached = false;
    t->name[0] = '\0';
    if (!pd_conn_prepare_enabled(b->conn))
        return false;
    sc = pd_conn_stmtcache(b->conn);
    if ((name = pd_stmtcache_lookup(sc, sql)) != NULL)
        t->prepare = false;
    else if ((name = pd_stmtcache_add(sc, sql)) == NULL)
        return false;
    t->cached = true;
    strncpy(t->name, name, sizeof(t->name) - 1);
    return true;
}

/* Picks the statements of this run: the chunk sizes it needs, each named
 * from the cache, or else the statement itself, one row per execution
 * (named, or unnamed: nothing else uses that inside this pipeline). */
static void plan(batch *b, bool chunk)
{
    size_t left, rows;
    int k;

    for (k = 0; k < NSIZES; k++)
        b->st[k].used = false;
    b->chunked = chunk && b->tuple_end > 0 && pd_conn_prepare_enabled(b->conn);
    for (left = b->nrows; b->chunked && left > 0; left -= rows) {
        rows = chunk_rows(b, left, &k);
        if (b->st[k].used)
            continue;
        if (b->st[k].sql == NULL)
            b->st[k].sql = chunk_sql(b, rows);
        if (!name_stmt(b, &b->st[k])) {
            uncache(b, false); /* the cache is full: plain statements */
            for (k = 0; k < NSIZES; k++)
                b->st[k].used = false;
            b->chunked = false;
        }
    }
    if (b->chunked)
        return;
    free(b->st[0].sql);
    b->st[0].sql = NULL;
    (void)name_stmt(b, &b->st[0]);
}

/* Opens the pipeline on b->conn and starts queueing. chunk: multi-row
 * INSERTs when the statement allows them. Returns 0 (the outcome comes
 * through on_pipe_done), or PD_ESTATE with err set. */
static int start(batch *b, bool chunk, pd_error *err)
{
    PGTransactionStatusType ts = pd_conn_txn_status(b->conn);
    pd_conn_cmd cmd;
    size_t rows;
    int k;

    b->savepoint = ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR;
    plan(b, chunk);
    if (pd_conn_pipeline_begin(b->conn, timeout_of(b), &pipe_ops, b,
                               err) != 0) {
        uncache(b, false);
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
    b->next = b->unflushed = 0;
    b->commit_seq = NO_SEQ;
    if (push_simple(b, b->savepoint ? "SAVEPOINT pd_batch" : "BEGIN", NULL,
                    err) != 0)
        goto fail;
    for (k = 0; k < NSIZES; k++) {
        stmt *t = &b->st[k];
        t->prep_seq = NO_SEQ;
        if (!t->used || !t->prepare)
            continue;
        rows = b->chunked ? (size_t)1 << k : 1;
        memset(&cmd, 0, sizeof(cmd));
        cmd.kind = PD_CMD_PREPARE;
        cmd.sql = t->sql != NULL ? t->sql : b->sql;
        cmd.stmt_name = t->name;
        cmd.nparams = (int)rows * b->ncols;
        if (pd_conn_pipeline_push(b->conn, &cmd, &t->prep_seq, err) != 0)
            goto fail;
    }
    b->row0 = pd_conn_pipeline_pending(b->conn);
    push_rows(b);
    return 0;

fail:
    push_failed(b, err);
    return 0;
}

static bool is_exec(const batch *b, uint64_t seq)
{
    return seq >= b->row0 && (b->commit_seq == NO_SEQ || seq < b->commit_seq);
}

static bool stale(const char *sqlstate)
{
    return strcmp(sqlstate, "26000") == 0 || strcmp(sqlstate, "0A000") == 0;
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
        return; /* run again, it would time out again */
    }
    if (b->chunked) {
        /* Which row of which chunk is unknown: run the rows one by one
         * (after the rollback), which names it. */
        if (stale(st))
            uncache(b, true);
        b->retry = true;
        return;
    }
    if (!is_exec(b, seq))
        return;
    b->res.failed_row = (size_t)(seq - b->row0) + 1;
    if (b->st[0].cached && !b->st[0].prepare && !b->retried &&
        b->res.failed_row == 1 && stale(st)) {
        /* The server dropped or invalidated our cached statement:
         * nothing ran, so prepare it afresh and run the batch again. */
        uncache(b, true);
        b->retry = true;
        b->retried = true;
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
    int k;

    (void)c;
    if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE ||
        st == PGRES_NONFATAL_ERROR) {
        record(b, seq, res);
    } else if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        if (is_exec(b, seq)) {
            n = PQcmdTuples(res);
            if (*n != '\0')
                b->res.affected = (b->res.affected < 0 ? 0
                                                       : b->res.affected) +
                                  strtoll(n, NULL, 10);
        } else {
            for (k = 0; k < NSIZES; k++)
                if (b->st[k].used && b->st[k].prep_seq == seq)
                    b->st[k].prepared_ok = true;
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
        pd_error_clear(&b->err);
        b->res.failed_row = 0;
        b->res.affected = -1;
        if (start(b, false, &serr) == 0)
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
        /* The server ended it (a failed COMMIT): nothing to undo. */
        on_rollback_done(b->conn, NULL, b);
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

    uncache(b, false);
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
    (void)c;
    if (!pd_error_isset(&b->err) && pd_conn_txn_status(b->conn) != want)
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
    if (start(b, true, &b->err) != 0)
        finish(b); /* from the pool's dispatch: a later turn than run */
}

static bool bad_args(const char *sql, size_t nrows, int ncols,
                     const char *const *values, const void *cb)
{
    return sql == NULL || cb == NULL || ncols < 0 || ncols > MAX_PARAMS ||
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
    if (start(b, true, &err) != 0) {
        pd_error_clear(&err);
        batch_free(b);
        return PD_ESTATE;
    }
    return 0;
}
