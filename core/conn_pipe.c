/* conn_pipe.c: pipeline mode of a pd_conn (see conn_int.h).
 *
 * IDLE -> PIPELINE -> IDLE (or BROKEN). libpq keeps its own queue of what
 * it sent; we keep a parallel ring of what answers to expect (a command's
 * results ending with a NULL, or a sync point's PGRES_PIPELINE_SYNC, never
 * followed by a NULL), so that the read loop never calls PQgetResult when
 * nothing is owed and knows which command each result belongs to. */
#include "core/conn.h"
#include "core/conn_int.h"

#include <stdlib.h>

#include "core/xalloc.h"

/* Appends an expected answer to the ring, doubling it when full. */
static void pq_push(pd_conn *c, unsigned char kind)
{
    if (c->pq_len == c->pq_cap) {
        size_t cap = c->pq_cap > 0 ? c->pq_cap * 2 : 64, i;
        unsigned char *pq = pd_xmalloc(cap);

        for (i = 0; i < c->pq_len; i++)
            pq[i] = c->pq[(c->pq_head + i) & (c->pq_cap - 1)];
        free(c->pq);
        c->pq = pq;
        c->pq_cap = cap;
        c->pq_head = 0;
    }
    c->pq[(c->pq_head + c->pq_len) & (c->pq_cap - 1)] = kind;
    c->pq_len++;
}

static void pq_pop(pd_conn *c)
{
    c->pq_head = (c->pq_head + 1) & (c->pq_cap - 1);
    c->pq_len--;
}

/* Sends libpq's buffer; watches for writable while some of it is left.
 * Returns 0, or -1 when the connection failed. */
static int pipe_flush(pd_conn *c)
{
    int r = PQflush(c->pg);

    if (r < 0)
        return -1;
    c->pipe_congested = r == 1;
    return pd_conn_arm(c, r == 1 ? UV_READABLE | UV_WRITABLE : UV_READABLE,
                       false) == 0 ? 0 : -1;
}

/* Leaves pipeline mode once every answer is in, and reports. */
static void pipe_finish(pd_conn *c)
{
    const pd_conn_pipe_ops *ops = c->pipe_ops;

    if (!PQexitPipelineMode(c->pg) ||
        pd_conn_arm(c, UV_READABLE, false) != 0) {
        pd_conn_set_broken(c);
        return;
    }
    uv_timer_stop(&c->timer);
    c->state = PD_CONN_IDLE;
    c->pipe_ops = NULL;
    c->last_used_ms = uv_now(c->loop);
    ops->done(c, NULL, c->pipe_ctx);
}

/* Hands every complete answer to the pipeline's owner, in order. consume:
 * read the socket first (it was readable). */
static void pipe_read(pd_conn *c, bool consume)
{
    const pd_conn_pipe_ops *ops;

    if (consume && !PQconsumeInput(c->pg)) {
        pd_conn_set_broken(c);
        return;
    }
    c->pipe_in_read = true;
    while (c->state == PD_CONN_PIPELINE && c->pq_len > 0 &&
           !PQisBusy(c->pg)) {
        PGresult *res = PQgetResult(c->pg);
        ExecStatusType st;

        ops = c->pipe_ops;
        if (c->pq[c->pq_head] == PQ_SYNC) {
            bool aborted = c->pipe_aborted;

            if (res == NULL)
                break; /* not expected; wait for more input */
            st = PQresultStatus(res);
            PQclear(res);
            if (st != PGRES_PIPELINE_SYNC) {
                /* An error outside any command (the server is going
                 * away): the status check below decides. */
                if (PQstatus(c->pg) == CONNECTION_BAD)
                    break;
                c->pipe_aborted = true;
                continue;
            }
            pq_pop(c);
            c->pipe_aborted = false;
            if (ops->sync != NULL)
                ops->sync(c, aborted, c->pipe_ctx);
            continue;
        }
        if (res == NULL) {
            uint64_t seq = c->pipe_answered++;
            pq_pop(c);
            if (ops->cmd_done != NULL)
                ops->cmd_done(c, seq, c->pipe_ctx);
            continue;
        }
        st = PQresultStatus(res);
        if (st == PGRES_FATAL_ERROR || st == PGRES_PIPELINE_ABORTED)
            c->pipe_aborted = true;
        if (ops->result != NULL)
            ops->result(c, c->pipe_answered, res, c->pipe_ctx);
        else
            PQclear(res);
    }
    c->pipe_in_read = false;
    if (c->state != PD_CONN_PIPELINE || c->closing)
        return;
    if (c->pipe_need_flush) {
        c->pipe_need_flush = false;
        if (pipe_flush(c) != 0) {
            pd_conn_set_broken(c);
            return;
        }
    }
    if (PQstatus(c->pg) == CONNECTION_BAD)
        pd_conn_set_broken(c);
    else if (c->pq_len == 0 && c->pipe_ending)
        pipe_finish(c);
}

void pd_conn_pipe_poll(pd_conn *c, int events)
{
    if (events & UV_WRITABLE) {
        int r = PQflush(c->pg);

        if (r < 0) {
            pd_conn_set_broken(c);
            return;
        }
        if (r == 0) {
            if (pd_conn_arm(c, UV_READABLE, false) != 0) {
                pd_conn_set_broken(c);
                return;
            }
            c->pipe_congested = false;
            if (c->pipe_ops->drained != NULL) {
                c->pipe_ops->drained(c, c->pipe_ctx);
                if (c->state != PD_CONN_PIPELINE || c->closing)
                    return;
            }
        }
        /* While the socket was full libpq may have read input to avoid a
         * deadlock: parse it even if the socket is not readable now. */
        if (!(events & UV_READABLE)) {
            pipe_read(c, false);
            return;
        }
    }
    if (events & UV_READABLE)
        pipe_read(c, true);
}

/* Deferred end of a pipeline: breaks or finishes on a loop turn of its
 * own, so that done is never called from inside a pd_conn_pipeline_*
 * call. */
static void on_pipe_kick(uv_timer_t *t)
{
    pd_conn *c = t->data;

    if (c->state != PD_CONN_PIPELINE || c->closing)
        return;
    if (c->pg == NULL || PQstatus(c->pg) == CONNECTION_BAD)
        pd_conn_set_broken(c);
    else if (c->pq_len == 0 && c->pipe_ending)
        pipe_finish(c);
}

/* A send into libpq's buffer failed: fills err; a dead connection ends
 * the pipeline on a later turn (done with the error). */
static int pipe_send_failed(pd_conn *c, pd_error *err)
{
    pd_error_from_conn(err, PD_ERR_CONNECTION, c->pg);
    if (PQstatus(c->pg) == CONNECTION_BAD)
        uv_timer_start(&c->timer, on_pipe_kick, 0, 0);
    return PD_EIO;
}

static bool pipe_open(const pd_conn *c)
{
    return c->state == PD_CONN_PIPELINE && !c->closing && !c->pipe_ending;
}

/* Enters pipeline mode; see conn.h. */
int pd_conn_pipeline_begin(pd_conn *c, uint32_t timeout_ms,
                           const pd_conn_pipe_ops *ops, void *ctx,
                           pd_error *err)
{
    if (c->state != PD_CONN_IDLE || c->closing || ops == NULL ||
        ops->done == NULL) {
        pd_error_set(err, PD_ERR_CONNECTION, "connection is not ready");
        return PD_ESTATE;
    }
    if (!PQenterPipelineMode(c->pg)) {
        pd_error_from_conn(err, PD_ERR_CONNECTION, c->pg);
        return PD_EIO;
    }
    c->state = PD_CONN_PIPELINE;
    c->pipe_ops = ops;
    c->pipe_ctx = ctx;
    c->pq_head = c->pq_len = 0;
    c->pipe_pushed = c->pipe_answered = 0;
    c->pipe_aborted = c->pipe_ending = false;
    c->pipe_congested = c->pipe_need_flush = c->pipe_in_read = false;
    c->timed_out = false;
    c->cmd_timeout_ms = timeout_ms;
    c->last_used_ms = uv_now(c->loop);
    if (timeout_ms > 0)
        uv_timer_start(&c->timer, pd_conn_on_cmd_timeout, timeout_ms, 0);
    return 0;
}

/* Queues one command; see conn.h. */
int pd_conn_pipeline_push(pd_conn *c, const pd_conn_cmd *cmd, uint64_t *seq,
                          pd_error *err)
{
    if (!pipe_open(c)) {
        pd_error_set(err, PD_ERR_CONNECTION, "no pipeline is open");
        return PD_ESTATE;
    }
    if (!pd_conn_send_cmd(c, cmd, true))
        return pipe_send_failed(c, err);
    pq_push(c, PQ_CMD);
    if (seq != NULL)
        *seq = c->pipe_pushed;
    c->pipe_pushed++;
    return 0;
}

/* Sends now, or when the read loop on the stack ends (so that the pushes
 * made by its callbacks go out in one write). */
static int pipe_send(pd_conn *c, pd_error *err)
{
    if (c->pipe_in_read) {
        c->pipe_need_flush = true;
        return 0;
    }
    if (pipe_flush(c) != 0)
        return pipe_send_failed(c, err);
    return 0;
}

/* Queues a sync point and sends; see conn.h. */
int pd_conn_pipeline_sync(pd_conn *c, pd_error *err)
{
    if (!pipe_open(c)) {
        pd_error_set(err, PD_ERR_CONNECTION, "no pipeline is open");
        return PD_ESTATE;
    }
    if (!PQpipelineSync(c->pg))
        return pipe_send_failed(c, err);
    pq_push(c, PQ_SYNC);
    return pipe_send(c, err);
}

/* Sends what is buffered; see conn.h. */
int pd_conn_pipeline_flush(pd_conn *c, bool ask_results, pd_error *err)
{
    if (!pipe_open(c)) {
        pd_error_set(err, PD_ERR_CONNECTION, "no pipeline is open");
        return PD_ESTATE;
    }
    if (ask_results && !PQsendFlushRequest(c->pg))
        return pipe_send_failed(c, err);
    return pipe_send(c, err);
}

/* Ends the pipeline once its answers are in; see conn.h. */
int pd_conn_pipeline_end(pd_conn *c)
{
    pd_error err = PD_ERROR_INIT;

    if (!pipe_open(c))
        return PD_ESTATE;
    if (c->pq_len > 0 && c->pq[(c->pq_head + c->pq_len - 1) &
                               (c->pq_cap - 1)] == PQ_CMD &&
        pd_conn_pipeline_sync(c, &err) != 0) {
        pd_error_clear(&err); /* a broken connection ends it anyway */
    }
    c->pipe_ending = true;
    if (c->pq_len == 0 && !c->pipe_in_read)
        uv_timer_start(&c->timer, on_pipe_kick, 0, 0);
    return 0;
}

bool pd_conn_pipeline_congested(const pd_conn *c)
{
    return c->state == PD_CONN_PIPELINE && c->pipe_congested;
}

uint64_t pd_conn_pipeline_pending(const pd_conn *c)
{
    return c->pipe_pushed - c->pipe_answered;
}
