/* bench.c: the load generator (see bench.h).
 *
 * Phases: every client gets ready (QUERY: a pool connection held and the
 * statement prepared on it; all modes: the warm-up operations), then the
 * clock starts for all at once, then each client issues operations until
 * the stop condition, and the run ends when the last client has finished
 * its operation in flight and given its connection back. Operations that
 * end after the deadline are not counted.
 *
 * The QUERY mode is the hot path: per statement it costs one send, one
 * read and two histogram/observer updates; parameters are formatted into
 * per-client buffers (libpq copies them into its output buffer at once),
 * so nothing is allocated per statement. It lives in bench_conn.c; the
 * structs and what the two files share are in bench_int.h. */
#include "core/bench.h"
#include "core/bench_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/batch.h"
#include "core/conn.h"
#include "core/gather.h"
#include "core/observe.h"
#include "core/query.h"
#include "core/result.h"
#include "core/stmtcache.h"
#include "core/xalloc.h"

#define LAG_PERIOD_MS 5 /* the loop-lag probe's period */

static void on_check(uv_check_t *h);

static uint64_t rnd(client *c)
{
    c->rng ^= c->rng >> 12;
    c->rng ^= c->rng << 25;
    c->rng ^= c->rng >> 27;
    return c->rng * 2685821657736338717ull;
}

/* Writes v in decimal into buf (PARAM_LEN bytes). */
static void fmt_i64(char *buf, int64_t v)
{
    char tmp[PARAM_LEN];
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    int n = 0, i = 0;

    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        buf[i++] = '-';
    while (n > 0)
        buf[i++] = tmp[--n];
    buf[i] = '\0';
}

static void gen_value(client *c, const pd_bench_param *p, char *out)
{
    uint64_t span = (uint64_t)(p->hi - p->lo) + 1;

    fmt_i64(out, span == 0 ? (int64_t)rnd(c)
                           : p->lo + (int64_t)(rnd(c) % span));
}

void pd_bench_gen_params(client *c)
{
    const bench *b = c->b;
    int i;

    for (i = 0; i < b->o.nparams; i++)
        gen_value(c, &b->params[i], c->pbuf[i]);
}

/* Keeps the first failure of the run. */
void pd_bench_note_error(bench *b, const pd_error *err)
{
    if (!pd_error_isset(&b->err))
        pd_error_copy(&b->err, err);
}

static void on_handle_closed(uv_handle_t *h)
{
    bench *b = h->data;
    int i;

    if (--b->handles > 0)
        return;
    for (i = 0; i < b->ncl; i++) {
        free(b->cl[i].pbuf);
        free(b->cl[i].pv);
        free(b->cl[i].bvals);
        free(b->cl[i].bbuf);
        pd_error_clear(&b->cl[i].err);
    }
    free(b->cl);
    free(b->queue);
    free(b->gsqls);
    free(b->params);
    free(b->sql);
    pd_error_clear(&b->err);
    free(b);
}

/* Every client has finished: compute, call back, close. */
static void bench_done(bench *b)
{
    const pd_error *err;

    if (b->over)
        return;
    b->over = true;
    uv_timer_stop(&b->stop_timer);
    uv_timer_stop(&b->lag_timer);
    uv_check_stop(&b->check);
    if (b->started) {
        if (b->t_stop == 0)
            b->t_stop = uv_hrtime();
        b->res.seconds = (double)(b->t_stop - b->t_start) / 1e9;
        if (b->res.seconds > 0)
            b->res.qps = (double)b->res.queries / b->res.seconds;
    }
    if (b->res.errors > 0 && !pd_error_isset(&b->err))
        pd_error_set(&b->err, PD_ERR_SERVER, "%" PRIu64 " statements failed",
                     b->res.errors);
    err = pd_error_isset(&b->err) ? &b->err : NULL;
    b->cb(&b->res, err, b->ctx);
    uv_close((uv_handle_t *)&b->stop_timer, on_handle_closed);
    uv_close((uv_handle_t *)&b->lag_timer, on_handle_closed);
    uv_close((uv_handle_t *)&b->check, on_handle_closed);
}

/* The run cannot go on (a failure before the clock started): clients
 * waiting for the clock finish now, the others when they next call in. */
void pd_bench_fail(bench *b, const pd_error *err)
{
    int i;

    pd_bench_note_error(b, err);
    b->stopping = true;
    for (i = 0; i < b->ncl; i++) {
        client *c = &b->cl[i];
        if (c->ready && !c->running && !c->done)
            pd_bench_client_finish(c);
    }
}

bool pd_bench_can_issue(const bench *b)
{
    return !b->stopping && (b->o.ops == 0 || b->issued < b->o.ops);
}

static void on_lag(uv_timer_t *t)
{
    bench *b = t->data;
    uint64_t now = uv_hrtime(), d = now - b->lag_prev;
    uint64_t period = (uint64_t)LAG_PERIOD_MS * 1000000u;

    b->lag_prev = now;
    pd_histogram_record(&b->res.lag, d > period ? (d - period) / 1000 : 0);
}

static void on_deadline(uv_timer_t *t)
{
    bench *b = t->data;

    b->stopping = true;
    b->t_stop = uv_hrtime();
}

/* Everyone is ready: the timed window opens. */
static void start_clock(bench *b)
{
    int i;

    b->started = true;
    b->t_start = b->lag_prev = uv_hrtime();
    if (b->o.duration_ms > 0)
        uv_timer_start(&b->stop_timer, on_deadline, b->o.duration_ms, 0);
    uv_timer_start(&b->lag_timer, on_lag, LAG_PERIOD_MS, LAG_PERIOD_MS);
    uv_check_start(&b->check, on_check);
    for (i = 0; i < b->ncl && !b->over; i++) {
        client *c = &b->cl[i];
        if (c->done)
            continue;
        c->running = true;
        if (pd_bench_can_issue(b))
            pd_bench_issue(c);
        else
            pd_bench_client_finish(c);
    }
}

void pd_bench_client_ready(client *c)
{
    bench *b = c->b;

    c->ready = true;
    b->nready++;
    if (b->stopping)
        pd_bench_client_finish(c);
    else if (b->nready == b->ncl)
        start_clock(b);
}

/* Runs the queued operations, after the loop turn's reads: a turn first
 * takes in every answer that arrived, then sends the next statements in
 * one burst. Sending at once instead would let the woken server process
 * take the CPU from the loop while other answers wait unread (on a small
 * machine the loop and the server share the cores). */
static void on_check(uv_check_t *h)
{
    bench *b = h->data;
    int i, n = b->nqueued;

    b->nqueued = 0;
    for (i = 0; i < n && !b->over; i++) {
        client *c = b->queue[i];
        c->queued = false;
        if (c->done)
            continue;
        if (pd_bench_can_issue(b))
            pd_bench_issue(c);
        else
            pd_bench_client_finish(c);
    }
}

void pd_bench_enqueue(client *c)
{
    bench *b = c->b;

    if (c->queued)
        return;
    c->queued = true;
    b->queue[b->nqueued++] = c;
}

/* An operation ended: count it (in the window), then the next one. */
void pd_bench_op_done(client *c, uint64_t nq, bool failed)
{
    bench *b = c->b;
    uint64_t now = uv_hrtime();

    if (!b->started) {
        if (failed) {
            pd_bench_fail(b, &c->err);
            pd_bench_client_finish(c);
        } else if (b->stopping) {
            pd_bench_client_finish(c);
        } else if (--c->warm_left <= 0) {
            pd_bench_client_ready(c);
        } else {
            pd_bench_issue(c);
        }
        return;
    }
    if (failed) {
        b->res.errors += nq;
        pd_bench_note_error(b, &c->err);
    } else if (!b->stopping) {
        b->res.queries += nq;
        b->res.ops++;
        pd_histogram_record(&b->res.latency, (now - c->t_sent) / 1000);
    }
    if (b->o.ops > 0 && ++b->completed == b->o.ops)
        b->t_stop = now;
    if (!pd_bench_can_issue(b))
        pd_bench_client_finish(c);
    else if (b->o.mode == PD_BENCH_QUERY)
        pd_bench_enqueue(c);
    else
        pd_bench_issue(c);
}

/* ---- the other modes: one core call per operation ---- */

static void on_fetched(pd_result *res, const pd_error *err, void *ctx)
{
    client *c = ctx;

    pd_result_free(res);
    if (err != NULL)
        pd_error_copy(&c->err, err);
    pd_bench_op_done(c, 1, err != NULL);
}

static void on_batched(const pd_batch_result *res, const pd_error *err,
                       void *ctx)
{
    client *c = ctx;

    (void)res;
    if (err != NULL)
        pd_error_copy(&c->err, err);
    pd_bench_op_done(c, c->b->o.batch_rows, err != NULL);
}

static void on_gathered(pd_gather_item *items, int n, void *ctx)
{
    client *c = ctx;
    bool failed = false;
    int i;

    for (i = 0; i < n; i++)
        if (pd_error_isset(&items[i].err) && !failed) {
            failed = true;
            pd_error_copy(&c->err, &items[i].err);
        }
    pd_bench_op_done(c, (uint64_t)n, failed);
}

static void gen_batch(client *c)
{
    const bench *b = c->b;
    size_t i, n = b->o.batch_rows * (size_t)b->o.nparams;
    int np = b->o.nparams;

    if (c->bvals == NULL && n > 0) {
        c->bvals = pd_xmalloc(n * sizeof(char *));
        c->bbuf = pd_xmalloc(n * PARAM_LEN);
        for (i = 0; i < n; i++)
            c->bvals[i] = c->bbuf[i];
    }
    for (i = 0; i < n; i++)
        gen_value(c, &b->params[i % (size_t)np], c->bbuf[i]);
}

/* The pool refused c's request: it is closing, so the run ends. */
static void pool_closing(client *c)
{
    pd_error e = PD_ERROR_INIT;

    pd_error_set(&e, PD_ERR_CANCELED, "the pool is closing");
    pd_bench_fail(c->b, &e);
    pd_error_clear(&e);
    pd_bench_client_finish(c);
}

/* Starts one operation of c. */
void pd_bench_issue(client *c)
{
    bench *b = c->b;
    pd_query_opts qo;
    pd_batch_opts bo;
    int rc = 0;

    pd_error_clear(&c->err);
    switch (b->o.mode) {
    case PD_BENCH_QUERY:
        if (b->o.pipeline > 1)
            pd_bench_send_round(c);
        else
            pd_bench_send_one(c);
        return;
    case PD_BENCH_POOL:
        memset(&qo, 0, sizeof(qo));
        qo.source = SOURCE;
        pd_bench_gen_params(c);
        c->t_sent = uv_hrtime();
        rc = pd_query_fetch(b->pool, b->sql, b->o.nparams, c->pv, &qo,
                            on_fetched, c);
        break;
    case PD_BENCH_BATCH:
        memset(&bo, 0, sizeof(bo));
        bo.source = SOURCE;
        bo.flags = b->o.batch_flags;
        gen_batch(c);
        c->t_sent = uv_hrtime();
        rc = pd_batch_run(b->pool, b->sql, b->o.batch_rows, b->o.nparams,
                          c->bvals, &bo, on_batched, c);
        break;
    case PD_BENCH_GATHER:
        memset(&qo, 0, sizeof(qo));
        qo.source = SOURCE;
        c->t_sent = uv_hrtime();
        rc = pd_gather_run(b->pool, b->o.clients, b->gsqls, &qo,
                           on_gathered, c);
        break;
    }
    if (rc != 0) {
        pool_closing(c);
        return;
    }
    if (b->started)
        b->issued++;
}

/* The client is done: its pipeline ended, its connection given back. */
void pd_bench_client_finish(client *c)
{
    bench *b = c->b;

    if (c->done)
        return;
    if (c->in_pipeline) {
        if (!c->ending)
            pd_bench_end_pipeline(c);
        return; /* on_p_done comes back here */
    }
    c->done = true;
    if (c->conn != NULL) {
        pd_pool_release(b->pool, c->conn);
        c->conn = NULL;
    }
    if (++b->nfinished == b->ncl)
        bench_done(b);
}

static void start_client(client *c)
{
    if (c->b->o.mode == PD_BENCH_QUERY) {
        if (pd_pool_acquire(c->b->pool, 0, pd_bench_on_acquired, c) != 0)
            pool_closing(c);
    } else if (c->warm_left > 0) {
        pd_bench_issue(c);
    } else {
        pd_bench_client_ready(c);
    }
}

/* First turn: the clients start (so no callback can come from inside
 * pd_bench_run). */
static void on_kick(uv_timer_t *t)
{
    bench *b = t->data;
    int i;

    for (i = 0; i < b->ncl && !b->over; i++)
        if (!b->cl[i].done)
            start_client(&b->cl[i]);
}

static int check_opts(pd_pool *pool, const pd_bench_opts *o, pd_error *err)
{
    int need = o->mode == PD_BENCH_POOL ? 1 : o->clients;

    if (o->clients < 1 || o->clients > 10000)
        pd_error_set(err, PD_ERR_USAGE, "clients must be from 1 to 10000");
    else if ((o->duration_ms == 0) == (o->ops == 0))
        pd_error_set(err, PD_ERR_USAGE, "give a duration or a number of "
                                        "queries, not both");
    else if (o->pipeline < 0 || o->pipeline > 10000)
        pd_error_set(err, PD_ERR_USAGE, "pipeline must be from 1 to 10000");
    else if (o->nparams < 0 || o->nparams > 1000 ||
             (o->nparams > 0 && o->params == NULL))
        pd_error_set(err, PD_ERR_USAGE, "bad parameter list");
    else if (o->mode == PD_BENCH_BATCH &&
             (o->batch_rows < 1 || o->batch_rows > 10000000))
        pd_error_set(err, PD_ERR_USAGE, "batch rows must be from 1 to "
                                        "10000000");
    else if (o->mode == PD_BENCH_GATHER && o->nparams > 0)
        pd_error_set(err, PD_ERR_USAGE, "gather takes no parameters");
    else if (need > pd_pool_stats_get(pool).max)
        pd_error_set(err, PD_ERR_USAGE, "%d clients need %d connections, "
                     "and the pool allows %d", o->clients, need,
                     pd_pool_stats_get(pool).max);
    else
        return 0;
    return PD_EINVAL;
}

/* Starts a run; see bench.h. */
int pd_bench_run(uv_loop_t *loop, pd_pool *pool, const pd_bench_opts *opts,
                 pd_bench_cb cb, void *ctx, pd_error *err)
{
    bench *b;
    int i, j;

    if (loop == NULL || pool == NULL || opts == NULL || cb == NULL) {
        pd_error_set(err, PD_ERR_USAGE, "bad arguments");
        return PD_EINVAL;
    }
    if (check_opts(pool, opts, err) != 0)
        return PD_EINVAL;
    b = pd_xcalloc(1, sizeof(*b));
    b->loop = loop;
    b->pool = pool;
    b->o = *opts;
    if (b->o.pipeline < 1)
        b->o.pipeline = 1;
    b->sql = pd_xstrdup(opts->sql != NULL ? opts->sql : "SELECT 1");
    b->o.sql = b->sql;
    if (opts->nparams > 0) {
        b->params = pd_xmalloc((size_t)opts->nparams * sizeof(*b->params));
        memcpy(b->params, opts->params,
               (size_t)opts->nparams * sizeof(*b->params));
    }
    b->o.params = b->params;
    b->ncl = opts->mode == PD_BENCH_GATHER ? 1 : opts->clients;
    if (opts->mode == PD_BENCH_GATHER) {
        b->gsqls = pd_xmalloc((size_t)opts->clients * sizeof(char *));
        for (i = 0; i < opts->clients; i++)
            b->gsqls[i] = b->sql;
    }
    b->cl = pd_xcalloc((size_t)b->ncl, sizeof(client));
    for (i = 0; i < b->ncl; i++) {
        client *c = &b->cl[i];
        c->b = b;
        c->warm_left = opts->warmup;
        c->rng = (uv_hrtime() ^ ((uint64_t)(i + 1) * 0x9e3779b97f4a7c15ull))
                 | 1;
        if (opts->nparams > 0) {
            c->pbuf = pd_xmalloc((size_t)opts->nparams * PARAM_LEN);
            c->pv = pd_xmalloc((size_t)opts->nparams * sizeof(char *));
            for (j = 0; j < opts->nparams; j++)
                c->pv[j] = c->pbuf[j];
        }
    }
    pd_histogram_reset(&b->res.latency);
    pd_histogram_reset(&b->res.lag);
    b->cb = cb;
    b->ctx = ctx;
    b->queue = pd_xcalloc((size_t)b->ncl, sizeof(client *));
    uv_timer_init(loop, &b->stop_timer);
    uv_timer_init(loop, &b->lag_timer);
    uv_check_init(loop, &b->check);
    b->stop_timer.data = b->lag_timer.data = b->check.data = b;
    b->handles = 3;
    uv_timer_start(&b->stop_timer, on_kick, 0, 0);
    return 0;
}

/* Parses a parameter spec; see bench.h. */
int pd_bench_param_parse(const char *spec, pd_bench_param *p)
{
    char *end;
    long long lo, hi;

    if (strncmp(spec, "random:", 7) != 0)
        return PD_EINVAL;
    errno = 0;
    lo = strtoll(spec + 7, &end, 10);
    if (errno != 0 || end == spec + 7 || *end != ':')
        return PD_EINVAL;
    spec = end + 1;
    hi = strtoll(spec, &end, 10);
    if (errno != 0 || end == spec || *end != '\0' || hi < lo)
        return PD_EINVAL;
    p->lo = lo;
    p->hi = hi;
    return 0;
}
