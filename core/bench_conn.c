/* bench_conn.c: the QUERY mode of the load generator (see bench_int.h):
 * one pool connection held by each client for the whole run, the
 * statement prepared on it, then sent one at a time or --pipeline N at a
 * time. Per statement: one send, one read, two histogram/observer updates,
 * nothing allocated. */
#include "core/bench.h"
#include "core/bench_int.h"

#include <string.h>

#include "core/stmtcache.h"

static void report(client *c, uint64_t ns, int nparams, const pd_error *err)
{
    pd_query_report r;

    if (c->obs == NULL || c->obs->end == NULL)
        return;
    r.sql = c->b->sql;
    r.nparams = nparams;
    r.params = nparams > 0 ? c->pv : NULL;
    r.source = SOURCE;
    r.pg = pd_conn_pg(c->conn);
    r.duration_us = ns / 1000;
    r.rows = c->rows;
    r.err = err;
    c->obs->end(&r, c->obs->ctx);
}

static void began(client *c, int n)
{
    if (c->obs == NULL || c->obs->begin == NULL)
        return;
    while (n-- > 0)
        c->obs->begin(c->obs->ctx);
}

static void fill_cmd(client *c, pd_conn_cmd *cmd)
{
    memset(cmd, 0, sizeof(*cmd));
    if (c->stmt[0] != '\0') {
        cmd->kind = PD_CMD_PREPARED;
        cmd->stmt_name = c->stmt;
    } else {
        cmd->kind = PD_CMD_PARAMS;
        cmd->sql = c->b->sql;
    }
    cmd->nparams = c->b->o.nparams;
    cmd->params = c->pv;
}

/* A statement's result: takes res. */
static void take_result(client *c, PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);

    if (st == PGRES_TUPLES_OK) {
        c->rows = PQntuples(res);
    } else if (st != PGRES_COMMAND_OK && !c->failed) {
        c->failed = true;
        if (st == PGRES_PIPELINE_ABORTED)
            pd_error_set(&c->err, PD_ERR_SERVER, "skipped after an error "
                                                 "earlier in the pipeline");
        else
            pd_error_from_result(&c->err, res);
    }
    PQclear(res);
}

static void on_q_result(pd_conn *conn, PGresult *res, void *ctx)
{
    (void)conn;
    take_result(ctx, res);
}

static void on_q_done(pd_conn *conn, const pd_error *err, void *ctx)
{
    client *c = ctx;
    uint64_t ns = uv_hrtime() - c->t_sent;

    (void)conn;
    if (err != NULL) {
        /* The connection is gone: this client stops. */
        report(c, ns, c->b->o.nparams, err);
        if (c->b->started)
            c->b->res.errors++;
        pd_bench_note_error(c->b, err);
        pd_bench_client_finish(c);
        return;
    }
    report(c, ns, c->b->o.nparams, c->failed ? &c->err : NULL);
    pd_bench_op_done(c, 1, c->failed);
}

void pd_bench_send_one(client *c)
{
    pd_conn_cmd cmd;
    pd_error err = PD_ERROR_INIT;

    pd_bench_gen_params(c);
    fill_cmd(c, &cmd);
    c->failed = false;
    c->rows = -1;
    pd_error_clear(&c->err);
    c->t_sent = uv_hrtime();
    if (pd_conn_send(c->conn, &cmd, on_q_result, on_q_done, c, &err) != 0) {
        pd_bench_note_error(c->b, &err);
        pd_error_clear(&err);
        pd_bench_client_finish(c);
        return;
    }
    if (c->b->started)
        c->b->issued++;
    began(c, 1);
}

static void on_p_result(pd_conn *conn, uint64_t seq, PGresult *res,
                        void *ctx)
{
    (void)conn;
    (void)seq;
    take_result(ctx, res);
}

/* One pipelined statement is complete: it is an operation of its own. */
static void on_p_cmd_done(pd_conn *conn, uint64_t seq, void *ctx)
{
    client *c = ctx;
    bench *b = c->b;
    uint64_t now = uv_hrtime();

    (void)conn;
    (void)seq;
    report(c, now - c->t_sent, 0, c->failed ? &c->err : NULL);
    if (b->started) {
        if (c->failed) {
            b->res.errors++;
            pd_bench_note_error(b, &c->err);
        } else if (!b->stopping) {
            b->res.queries++;
            b->res.ops++;
            pd_histogram_record(&b->res.latency, (now - c->t_sent) / 1000);
        }
        if (b->o.ops > 0 && ++b->completed == b->o.ops)
            b->t_stop = now;
    } else if (c->failed && !pd_error_isset(&b->err)) {
        pd_bench_note_error(b, &c->err);
        b->stopping = true; /* a warm-up failure ends the run */
    }
    c->failed = false;
    c->rows = -1;
    pd_error_clear(&c->err);
}

void pd_bench_end_pipeline(client *c)
{
    c->ending = true;
    if (pd_conn_pipeline_end(c->conn) != 0)
        return; /* already ending: its done callback is on its way */
}

/* The sync point of a round came back: every statement in it is done. */
static void on_p_sync(pd_conn *conn, bool aborted, void *ctx)
{
    client *c = ctx;
    bench *b = c->b;

    (void)conn;
    (void)aborted;
    if (!b->started) {
        if (b->stopping) {
            pd_bench_fail(b, &b->err);
            pd_bench_end_pipeline(c);
        } else if (--c->warm_left <= 0) {
            pd_bench_client_ready(c);
        } else {
            pd_bench_issue(c);
        }
        return;
    }
    if (pd_bench_can_issue(b))
        pd_bench_enqueue(c);
    else
        pd_bench_end_pipeline(c);
}

static void on_p_done(pd_conn *conn, const pd_error *err, void *ctx)
{
    client *c = ctx;
    uint64_t n = pd_conn_pipeline_pending(conn);

    c->in_pipeline = false;
    if (err != NULL) {
        /* The statements still in flight are lost with the connection:
         * they end here, as far as the observer and the counts go. */
        while (n-- > 0) {
            report(c, uv_hrtime() - c->t_sent, 0, err);
            if (c->b->started)
                c->b->res.errors++;
        }
        pd_bench_note_error(c->b, err);
    }
    pd_bench_client_finish(c);
}

static const pd_conn_pipe_ops pipe_ops = {
    .result = on_p_result,
    .cmd_done = on_p_cmd_done,
    .sync = on_p_sync,
    .done = on_p_done,
};

/* One round: up to `pipeline` statements, then a sync point. */
void pd_bench_send_round(client *c)
{
    bench *b = c->b;
    pd_conn_cmd cmd;
    pd_error err = PD_ERROR_INIT;
    uint64_t n = (uint64_t)b->o.pipeline, i;

    if (!c->in_pipeline) {
        if (pd_conn_pipeline_begin(c->conn, 0, &pipe_ops, c, &err) != 0)
            goto fail;
        c->in_pipeline = true;
        c->ending = false;
    }
    if (b->started && b->o.ops > 0 && b->o.ops - b->issued < n)
        n = b->o.ops - b->issued;
    c->failed = false;
    c->rows = -1;
    fill_cmd(c, &cmd);
    c->t_sent = uv_hrtime();
    for (i = 0; i < n; i++) {
        pd_bench_gen_params(c);
        if (pd_conn_pipeline_push(c->conn, &cmd, NULL, &err) != 0)
            goto fail;
        began(c, 1); /* each pushed statement ends in on_p_cmd_done */
        if (b->started)
            b->issued++;
    }
    if (pd_conn_pipeline_sync(c->conn, &err) != 0)
        goto fail;
    return;

fail:
    pd_bench_note_error(b, &err);
    pd_error_clear(&err);
    b->stopping = b->stopping || !b->started;
    if (c->in_pipeline)
        pd_bench_end_pipeline(c); /* finishes from on_p_done */
    else
        pd_bench_client_finish(c);
}

static void on_prep_result(pd_conn *conn, PGresult *res, void *ctx)
{
    client *c = ctx;

    (void)conn;
    if (PQresultStatus(res) != PGRES_COMMAND_OK && !c->failed) {
        c->failed = true;
        pd_error_from_result(&c->err, res);
    }
    PQclear(res);
}

static void on_prep_done(pd_conn *conn, const pd_error *err, void *ctx)
{
    client *c = ctx;

    if (err != NULL || c->failed) {
        pd_stmtcache_remove(pd_conn_stmtcache(conn), c->b->sql);
        pd_bench_fail(c->b, err != NULL ? err : &c->err);
        pd_bench_client_finish(c);
        return;
    }
    if (c->b->stopping)
        pd_bench_client_finish(c);
    else if (c->warm_left > 0)
        pd_bench_issue(c);
    else
        pd_bench_client_ready(c);
}

/* Prepares the statement on the client's connection, unless the
 * connection has it already or does not cache statements. */
static void prepare(client *c)
{
    pd_stmtcache *sc;
    const char *name;
    pd_conn_cmd cmd;
    pd_error err = PD_ERROR_INIT;

    c->obs = pd_conn_observer(c->conn);
    if (!pd_conn_prepare_enabled(c->conn)) {
        on_prep_done(c->conn, NULL, c);
        return;
    }
    sc = pd_conn_stmtcache(c->conn);
    if ((name = pd_stmtcache_lookup(sc, c->b->sql)) != NULL) {
        strncpy(c->stmt, name, sizeof(c->stmt) - 1);
        on_prep_done(c->conn, NULL, c);
        return;
    }
    if ((name = pd_stmtcache_add(sc, c->b->sql)) == NULL) {
        on_prep_done(c->conn, NULL, c); /* cache full: unprepared */
        return;
    }
    strncpy(c->stmt, name, sizeof(c->stmt) - 1);
    memset(&cmd, 0, sizeof(cmd));
    cmd.kind = PD_CMD_PREPARE;
    cmd.sql = c->b->sql;
    cmd.stmt_name = c->stmt;
    cmd.nparams = c->b->o.nparams;
    if (pd_conn_send(c->conn, &cmd, on_prep_result, on_prep_done, c,
                     &err) != 0) {
        pd_stmtcache_remove(sc, c->b->sql);
        pd_bench_fail(c->b, &err);
        pd_error_clear(&err);
        pd_bench_client_finish(c);
    }
}

void pd_bench_on_acquired(pd_conn *conn, const pd_error *err, void *ctx)
{
    client *c = ctx;

    if (err != NULL) {
        pd_bench_fail(c->b, err);
        pd_bench_client_finish(c);
        return;
    }
    c->conn = conn;
    if (c->b->stopping)
        pd_bench_client_finish(c);
    else
        prepare(c);
}
