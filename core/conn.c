/* conn.c: one non-blocking libpq connection driven by the uv loop.
 *
 * States: NEW -> (RESOLVING) -> CONNECTING -> IDLE <-> BUSY, any -> BROKEN,
 * any -> CLOSED. The PGconn's socket is watched by one uv_poll_t. While
 * connecting the socket may change under us (libpq tries the next address
 * or retries without SSL), so each PQconnectPoll step stops the poll and
 * starts it again, on a new handle when the descriptor number changed: a
 * stopped poll is removed from epoll, so a descriptor that libpq closed and
 * reopened with the same number is added afresh, never modified.
 *
 * Memory: pd_conn_close stops everything at once, and the struct is freed
 * from the last uv_close callback, so it stays valid while any of our own
 * frames (or a callback we made) is still on the stack.
 *
 * Pipeline mode (IDLE -> PIPELINE -> IDLE, or BROKEN) is in conn_pipe.c;
 * the struct and what the two files share are in conn_int.h. */
#include "core/conn.h"
#include "core/conn_int.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "core/cancel.h"
#include "core/stmtcache.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#define STMTCACHE_CAP 256
/* After a command timeout the server is asked to cancel; if the command
 * has still not ended this much later, the connection is given up. */
#define CANCEL_GRACE_MS 5000
static void on_poll(uv_poll_t *h, int status, int events);
static void resolve_next(pd_conn *c);

/* Returns-owned connection in PD_CONN_NEW; ci copied. */
pd_conn *pd_conn_new(uv_loop_t *loop, const pd_conninfo *ci)
{
    pd_conn *c = pd_xcalloc(1, sizeof(*c));

    c->loop = loop;
    c->ci = pd_conninfo_dup(ci);
    c->poll_fd = -1;
    /* The timer exists for the whole life of the connection, so closing
     * always waits for at least one close callback before freeing. */
    uv_timer_init(loop, &c->timer);
    c->timer.data = c;
    c->gai.data = c;
    return c;
}

static void maybe_free(pd_conn *c)
{
    int i;

    if (c->pending > 0)
        return;
    for (i = 0; i < c->nhosts; i++)
        free(c->hosts[i]);
    free(c->hosts);
    pd_strbuf_free(&c->hostaddr);
    pd_stmtcache_free(c->stmts);
    pd_conninfo_free(c->ci);
    free(c->pq);
    free(c);
}

static void on_timer_closed(uv_handle_t *h)
{
    pd_conn *c = h->data;

    c->pending--;
    maybe_free(c);
}

static void on_poll_closed(uv_handle_t *h)
{
    pd_conn *c = h->data;

    free(h);
    if (c != NULL) {
        c->pending--;
        maybe_free(c);
    }
}

/* Closes the current poll handle. The connection waits for its close
 * callback only when it is going away itself. */
static void drop_poll(pd_conn *c, bool owed)
{
    if (c->poll == NULL)
        return;
    if (owed)
        c->pending++;
    else
        c->poll->data = NULL;
    uv_close((uv_handle_t *)c->poll, on_poll_closed);
    c->poll = NULL;
    c->poll_fd = -1;
    c->poll_events = 0;
}

/* Watches the PGconn's socket for events, re-creating the handle if the
 * descriptor changed. fresh forces stop+start so the kernel registration
 * is rebuilt (used at every connect step). Returns 0 or a uv error. */
int pd_conn_arm(pd_conn *c, int events, bool fresh)
{
    int fd = PQsocket(c->pg), rc;

    if (fd < 0)
        return UV_EBADF;
    if (c->poll != NULL && c->poll_fd != fd)
        drop_poll(c, false);
    if (c->poll == NULL) {
        c->poll = pd_xmalloc(sizeof(*c->poll));
        rc = uv_poll_init(c->loop, c->poll, fd);
        if (rc != 0) {
            free(c->poll);
            c->poll = NULL;
            return rc;
        }
        c->poll->data = c;
        c->poll_fd = fd;
        c->poll_events = 0;
    } else if (fresh) {
        uv_poll_stop(c->poll);
        c->poll_events = 0;
    }
    if (c->poll_events == events)
        return 0;
    rc = uv_poll_start(c->poll, events, on_poll);
    if (rc == 0)
        c->poll_events = events;
    return rc;
}

/* Reports a connect failure now (we are in a loop callback). */
static void connect_failed(pd_conn *c, const pd_error *err)
{
    pd_conn_ready_cb cb = c->ready_cb;

    c->state = PD_CONN_BROKEN;
    c->ready_cb = NULL;
    uv_timer_stop(&c->timer);
    if (c->poll != NULL)
        uv_poll_stop(c->poll);
    if (cb != NULL)
        cb(c, err, c->ready_ctx);
}

static void connect_failed_pg(pd_conn *c)
{
    pd_error err = PD_ERROR_INIT;

    pd_error_from_conn(&err, PD_ERR_CONNECTION, c->pg);
    connect_failed(c, &err);
    pd_error_clear(&err);
}

static void on_timeout(uv_timer_t *t)
{
    pd_conn *c = t->data;
    pd_error err = PD_ERROR_INIT;
    const char *host = pd_conninfo_get(c->ci, "host");

    pd_error_set(&err, PD_ERR_CONNECTION,
                 "connection to server%s%s%s failed: timeout expired",
                 host ? " at \"" : "", host ? host : "", host ? "\"" : "");
    if (c->gai_busy)
        uv_cancel((uv_req_t *)&c->gai);
    connect_failed(c, &err);
    pd_error_clear(&err);
}

static void notice_thunk(void *arg, const PGresult *res)
{
    pd_conn *c = arg;

    if (c->notice_cb != NULL)
        c->notice_cb(c, res, c->notice_ctx);
}

/* Hands the settled parameters to libpq and starts the handshake. */
static void start_pq(pd_conn *c)
{
    if (c->resolved_any)
        pd_conninfo_set(c->ci, "hostaddr", pd_strbuf_cstr(&c->hostaddr));
    c->pg = PQconnectStartParams(pd_conninfo_keywords(c->ci),
                                 pd_conninfo_values(c->ci), 0);
    if (c->pg == NULL) {
        pd_error err = PD_ERROR_INIT;
        pd_error_set(&err, PD_ERR_CONNECTION, "out of memory");
        connect_failed(c, &err);
        pd_error_clear(&err);
        return;
    }
    PQsetNoticeReceiver(c->pg, notice_thunk, c);
    if (PQstatus(c->pg) == CONNECTION_BAD) {
        connect_failed_pg(c);
        return;
    }
    c->state = PD_CONN_CONNECTING;
    /* libpq's rule: start as if PQconnectPoll had said WRITING. */
    if (pd_conn_arm(c, UV_WRITABLE, true) != 0)
        connect_failed_pg(c);
}

static void connect_step(pd_conn *c)
{
    PostgresPollingStatusType st = PQconnectPoll(c->pg);
    pd_conn_ready_cb cb;

    switch (st) {
    case PGRES_POLLING_READING:
        if (pd_conn_arm(c, UV_READABLE, true) != 0)
            connect_failed_pg(c);
        return;
    case PGRES_POLLING_WRITING:
        if (pd_conn_arm(c, UV_WRITABLE, true) != 0)
            connect_failed_pg(c);
        return;
    case PGRES_POLLING_OK:
        break;
    default:
        connect_failed_pg(c);
        return;
    }
    uv_timer_stop(&c->timer);
    if (PQsetnonblocking(c->pg, 1) != 0 ||
        pd_conn_arm(c, UV_READABLE, true) != 0) {
        connect_failed_pg(c);
        return;
    }
    c->state = PD_CONN_IDLE;
    c->born_ms = c->last_used_ms = uv_now(c->loop);
    cb = c->ready_cb;
    c->ready_cb = NULL;
    if (cb != NULL)
        cb(c, NULL, c->ready_ctx);
}

static bool is_numeric_addr(const char *h)
{
    unsigned char buf[sizeof(struct in6_addr)];

    return inet_pton(AF_INET, h, buf) == 1 || inet_pton(AF_INET6, h, buf) == 1;
}

static void on_gai(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    pd_conn *c = req->data;
    char addr[INET6_ADDRSTRLEN] = "";
    pd_error err = PD_ERROR_INIT;

    c->gai_busy = false;
    c->pending--;
    if (c->closing || c->state != PD_CONN_RESOLVING) {
        uv_freeaddrinfo(res);
        maybe_free(c);
        return;
    }
    if (status == 0 && res != NULL) {
        const void *sa = res->ai_family == AF_INET6
            ? (const void *)&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr
            : (const void *)&((struct sockaddr_in *)res->ai_addr)->sin_addr;
        inet_ntop(res->ai_family, sa, addr, sizeof(addr));
    }
    uv_freeaddrinfo(res);
    if (addr[0] == '\0') {
        pd_error_set(&err, PD_ERR_CONNECTION,
                     "could not translate host name \"%s\" to address: %s",
                     c->hosts[c->host_i],
                     status != 0 ? uv_strerror(status) : "no address");
        connect_failed(c, &err);
        pd_error_clear(&err);
        return;
    }
    if (c->host_i > 0)
        pd_strbuf_putc(&c->hostaddr, ',');
    pd_strbuf_puts(&c->hostaddr, addr);
    c->resolved_any = true;
    c->host_i++;
    resolve_next(c);
}

/* Resolves the names in the host list one by one, with uv_getaddrinfo on
 * the thread pool; sockets and numeric addresses need no lookup. */
static void resolve_next(pd_conn *c)
{
    struct addrinfo hints;
    int rc;

    while (c->host_i < c->nhosts) {
        const char *h = c->hosts[c->host_i];
        if (h[0] == '/' || h[0] == '@' || h[0] == '\0' || is_numeric_addr(h)) {
            if (c->host_i > 0)
                pd_strbuf_putc(&c->hostaddr, ',');
            if (is_numeric_addr(h))
                pd_strbuf_puts(&c->hostaddr, h);
            c->host_i++;
            continue;
        }
        memset(&hints, 0, sizeof(hints));
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        c->state = PD_CONN_RESOLVING;
        rc = uv_getaddrinfo(c->loop, &c->gai, on_gai, h, NULL, &hints);
        if (rc != 0) {
            pd_error err = PD_ERROR_INIT;
            pd_error_set(&err, PD_ERR_CONNECTION,
                         "could not translate host name \"%s\" to address: %s",
                         h, uv_strerror(rc));
            connect_failed(c, &err);
            pd_error_clear(&err);
            return;
        }
        c->gai_busy = true;
        c->pending++;
        return;
    }
    start_pq(c);
}

/* First step of a connect, on the loop turn after pd_conn_connect, so that
 * even an immediate failure is reported from a loop callback. */
static void on_kick(uv_timer_t *t)
{
    pd_conn *c = t->data;

    if (c->timeout_ms > 0)
        uv_timer_start(&c->timer, on_timeout, c->timeout_ms, 0);
    resolve_next(c);
}

/* Starts connecting; see conn.h. */
int pd_conn_connect(pd_conn *c, uint32_t timeout_ms, pd_conn_ready_cb cb,
                    void *ctx)
{
    const char *host, *p;

    if (c->state != PD_CONN_NEW || c->closing)
        return PD_ESTATE;
    c->ready_cb = cb;
    c->ready_ctx = ctx;
    c->state = PD_CONN_RESOLVING;
    host = pd_conninfo_get(c->ci, "host");
    if (host != NULL && pd_conninfo_get(c->ci, "hostaddr") == NULL) {
        for (p = host;; p++) {
            if (*p == ',' || *p == '\0') {
                size_t n = (size_t)(p - host);
                c->hosts = pd_xrealloc(c->hosts,
                                       (size_t)(c->nhosts + 1) * sizeof(char *));
                c->hosts[c->nhosts++] = pd_xstrndup(host, n);
                host = p + 1;
                if (*p == '\0')
                    break;
            }
        }
    }
    c->timeout_ms = timeout_ms;
    uv_timer_start(&c->timer, on_kick, 0, 0);
    return 0;
}

/* A broken connection: tell whoever is waiting on it. */
void pd_conn_set_broken(pd_conn *c)
{
    pd_error err = PD_ERROR_INIT;
    pd_conn_state was = c->state;

    c->state = PD_CONN_BROKEN;
    if (c->poll != NULL)
        uv_poll_stop(c->poll);
    c->poll_events = 0;
    if (was == PD_CONN_BUSY && c->on_done != NULL) {
        pd_conn_done_cb done = c->on_done;
        c->on_done = NULL;
        c->on_result = NULL;
        pd_error_from_conn(&err, PD_ERR_CONNECTION, c->pg);
        uv_timer_stop(&c->timer);
        done(c, &err, c->cmd_ctx);
        pd_error_clear(&err);
    } else if (was == PD_CONN_PIPELINE && c->pipe_ops != NULL) {
        const pd_conn_pipe_ops *ops = c->pipe_ops;
        c->pipe_ops = NULL;
        pd_error_from_conn(&err, PD_ERR_CONNECTION, c->pg);
        uv_timer_stop(&c->timer);
        ops->done(c, &err, c->pipe_ctx);
        pd_error_clear(&err);
    } else if (was == PD_CONN_IDLE && c->broken_cb != NULL) {
        pd_conn_broken_cb cb = c->broken_cb;
        c->broken_cb = NULL;
        cb(c, c->broken_ctx);
    }
}

/* Feeds the command's COPY FROM STDIN data as fast as the socket takes
 * it, then ends the COPY. Returns 1 when everything is sent, 0 when the
 * socket must become writable first (the poll is armed for it), -1 when
 * libpq refused (the connection is broken). */
static int wait_writable(pd_conn *c)
{
    return pd_conn_arm(c, UV_READABLE | UV_WRITABLE, false) == 0 ? 0 : -1;
}

static int feed_copy(pd_conn *c)
{
    int r;

    while (c->copy_in_off < c->copy_in_len) {
        size_t n = c->copy_in_len - c->copy_in_off;
        if (n > 65536)
            n = 65536;
        r = PQputCopyData(c->pg, c->copy_in + c->copy_in_off, (int)n);
        if (r < 0)
            return -1;
        if (r == 0)
            return wait_writable(c);
        c->copy_in_off += n;
    }
    if (!c->copy_in_ended) {
        r = PQputCopyEnd(c->pg, NULL);
        if (r < 0)
            return -1;
        if (r == 0)
            return wait_writable(c);
        c->copy_in_ended = true;
    }
    r = PQflush(c->pg);
    if (r < 0)
        return -1;
    if (r == 1)
        return wait_writable(c);
    c->copy_feeding = false;
    return pd_conn_arm(c, UV_READABLE, false) == 0 ? 1 : -1;
}

/* Drains a COPY: COPY FROM STDIN is fed the command's data or, with none,
 * ended with an error (the server rolls it back); COPY TO STDOUT goes to
 * the command's sink, if any. Returns false when more I/O must happen
 * first. */
static bool drain_copy(pd_conn *c, ExecStatusType st)
{
    char *buf = NULL;
    int n;

    if (st == PGRES_COPY_IN) {
        if (c->copy_in == NULL) {
            PQputCopyEnd(c->pg, "COPY FROM STDIN needs data: use \\copy");
            PQflush(c->pg);
            return true;
        }
        c->copy_feeding = true;
        return feed_copy(c) == 1;
    }
    while ((n = PQgetCopyData(c->pg, &buf, 1)) > 0) {
        if (c->copy_out != NULL)
            c->copy_out(buf, (size_t)n, c->copy_ctx);
        PQfreemem(buf);
    }
    return n != 0;
}

/* Reads what arrived and hands every complete result to the command. */
static void read_results(pd_conn *c)
{
    if (!PQconsumeInput(c->pg)) {
        pd_conn_set_broken(c);
        return;
    }
    while (c->state == PD_CONN_BUSY && !PQisBusy(c->pg)) {
        PGresult *res = PQgetResult(c->pg);
        ExecStatusType st;

        if (res == NULL) {
            pd_conn_done_cb done = c->on_done;
            if (c->cmd_timeout_ms > 0)
                uv_timer_stop(&c->timer);
            c->state = PD_CONN_IDLE;
            c->on_done = NULL;
            c->on_result = NULL;
            c->last_used_ms = uv_now(c->loop);
            if (done != NULL)
                done(c, NULL, c->cmd_ctx);
            return;
        }
        st = PQresultStatus(res);
        if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT) {
            bool more = drain_copy(c, st);
            PQclear(res);
            if (!more)
                return;
            continue;
        }
        if (c->on_result != NULL)
            c->on_result(c, res, c->cmd_ctx);
        else
            PQclear(res);
        if (c->closing)
            return;
    }
    if (c->state == PD_CONN_BUSY && PQstatus(c->pg) == CONNECTION_BAD)
        pd_conn_set_broken(c);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    pd_conn *c = h->data;

    if (c == NULL || c->closing)
        return;
    if (c->state == PD_CONN_CONNECTING) {
        connect_step(c);
        return;
    }
    if (status < 0) {
        pd_conn_set_broken(c);
        return;
    }
    if (c->state == PD_CONN_PIPELINE) {
        pd_conn_pipe_poll(c, events);
        return;
    }
    if (c->state == PD_CONN_BUSY && c->copy_feeding &&
        (events & UV_WRITABLE)) {
        if (feed_copy(c) < 0) {
            pd_conn_set_broken(c);
            return;
        }
        events &= ~UV_WRITABLE;
    }
    if (c->state == PD_CONN_BUSY && (events & UV_WRITABLE)) {
        int r = PQflush(c->pg);
        if (r < 0) {
            pd_conn_set_broken(c);
            return;
        }
        if (r == 0 && pd_conn_arm(c, UV_READABLE, false) != 0) {
            pd_conn_set_broken(c);
            return;
        }
    }
    if (!(events & UV_READABLE))
        return;
    if (c->state == PD_CONN_BUSY) {
        read_results(c);
    } else if (c->state == PD_CONN_IDLE) {
        /* Idle and readable: a notice, a notification, or the end (the
         * server shut down or the backend was terminated). */
        if (!PQconsumeInput(c->pg) || PQstatus(c->pg) == CONNECTION_BAD) {
            pd_conn_set_broken(c);
            return;
        }
        while (!PQisBusy(c->pg)) {
            PGresult *res = PQgetResult(c->pg);
            if (res == NULL)
                break;
            PQclear(res);
        }
        while (PQnotifies(c->pg) != NULL)
            ; /* LISTEN is not offered yet: drop, do not accumulate */
    }
}

void pd_conn_on_cmd_timeout(uv_timer_t *t)
{
    pd_conn *c = t->data;
    pd_error err = PD_ERROR_INIT;

    if (c->state != PD_CONN_BUSY && c->state != PD_CONN_PIPELINE)
        return;
    if (!c->timed_out) {
        /* Ask the server to stop the statement; its error ends the
         * command through the normal path. */
        c->timed_out = true;
        if (pd_cancel_request(c->loop, c, NULL, NULL) == 0) {
            uv_timer_start(&c->timer, pd_conn_on_cmd_timeout,
                           CANCEL_GRACE_MS, 0);
            return;
        }
    }
    /* The server did not answer the cancel: nothing can be trusted of this
     * connection any more. */
    pd_error_set(&err, PD_ERR_TIMEOUT,
                 "command timeout after %u ms, and the server did not "
                 "answer the cancel request", c->cmd_timeout_ms);
    c->state = PD_CONN_BROKEN;
    if (c->poll != NULL)
        uv_poll_stop(c->poll);
    c->poll_events = 0;
    if (c->pipe_ops != NULL) {
        const pd_conn_pipe_ops *ops = c->pipe_ops;
        c->pipe_ops = NULL;
        ops->done(c, &err, c->pipe_ctx);
    } else if (c->on_done != NULL) {
        pd_conn_done_cb done = c->on_done;
        c->on_done = NULL;
        c->on_result = NULL;
        done(c, &err, c->cmd_ctx);
    }
    pd_error_clear(&err);
}

/* Hands cmd to libpq; see conn_int.h. */
int pd_conn_send_cmd(pd_conn *c, const pd_conn_cmd *cmd, bool pipeline)
{
    switch (cmd->kind) {
    case PD_CMD_SIMPLE:
        if (pipeline)
            return PQsendQueryParams(c->pg, cmd->sql, 0, NULL, NULL, NULL,
                                     NULL, 0);
        return PQsendQuery(c->pg, cmd->sql);
    case PD_CMD_PARAMS:
        return PQsendQueryParams(c->pg, cmd->sql, cmd->nparams, NULL,
                                 cmd->params, NULL, NULL, 0);
    case PD_CMD_PREPARE:
        return PQsendPrepare(c->pg, cmd->stmt_name, cmd->sql, cmd->nparams,
                             NULL);
    case PD_CMD_PREPARED:
        return PQsendQueryPrepared(c->pg, cmd->stmt_name, cmd->nparams,
                                   cmd->params, NULL, NULL, 0);
    }
    return 0;
}

/* Sends cmd; see conn.h. */
int pd_conn_send(pd_conn *c, const pd_conn_cmd *cmd,
                 pd_conn_result_cb on_result, pd_conn_done_cb on_done,
                 void *ctx, pd_error *err)
{
    int r;

    if (c->state != PD_CONN_IDLE || c->closing) {
        pd_error_set(err, PD_ERR_CONNECTION, "connection is not ready");
        return PD_ESTATE;
    }
    if (!pd_conn_send_cmd(c, cmd, false))
        goto fail;
    if (cmd->single_row)
        PQsetSingleRowMode(c->pg);
    r = PQflush(c->pg);
    if (r < 0 ||
        pd_conn_arm(c, r == 1 ? UV_READABLE | UV_WRITABLE : UV_READABLE,
                    false) != 0)
        goto fail;
    c->state = PD_CONN_BUSY;
    c->on_result = on_result;
    c->on_done = on_done;
    c->cmd_ctx = ctx;
    c->last_used_ms = uv_now(c->loop);
    c->timed_out = false;
    c->cmd_timeout_ms = cmd->timeout_ms;
    c->copy_out = cmd->copy_out;
    c->copy_ctx = cmd->copy_ctx;
    c->copy_in = cmd->copy_in;
    c->copy_in_len = cmd->copy_in_len;
    c->copy_in_off = 0;
    c->copy_feeding = c->copy_in_ended = false;
    if (cmd->timeout_ms > 0)
        uv_timer_start(&c->timer, pd_conn_on_cmd_timeout,
                       cmd->timeout_ms, 0);
    return 0;

fail:
    pd_error_from_conn(err, PD_ERR_CONNECTION, c->pg);
    if (PQstatus(c->pg) == CONNECTION_BAD) {
        c->state = PD_CONN_BROKEN;
        if (c->poll != NULL)
            uv_poll_stop(c->poll);
    }
    return PD_EIO;
}

/* Closes; see conn.h. */
void pd_conn_close(pd_conn *c)
{
    if (c == NULL || c->closing)
        return;
    c->closing = true;
    c->state = PD_CONN_CLOSED;
    c->ready_cb = NULL;
    c->on_result = NULL;
    c->on_done = NULL;
    c->notice_cb = NULL;
    c->broken_cb = NULL;
    c->pipe_ops = NULL;
    drop_poll(c, true); /* stop watching before libpq closes the socket */
    if (c->gai_busy)
        uv_cancel((uv_req_t *)&c->gai);
    if (c->pg != NULL) {
        PQfinish(c->pg); /* non-blocking mode: the Terminate is not waited */
        c->pg = NULL;
    }
    c->pending++;
    uv_close((uv_handle_t *)&c->timer, on_timer_closed);
}

pd_conn_state pd_conn_state_get(const pd_conn *c)
{
    return c->state;
}

bool pd_conn_is_idle(const pd_conn *c)
{
    return c->state == PD_CONN_IDLE;
}

PGTransactionStatusType pd_conn_txn_status(const pd_conn *c)
{
    if (c->pg == NULL || c->state == PD_CONN_BROKEN)
        return PQTRANS_UNKNOWN;
    return PQtransactionStatus(c->pg);
}

PGconn *pd_conn_pg(const pd_conn *c)
{
    return c->pg;
}

uint64_t pd_conn_born_ms(const pd_conn *c)
{
    return c->born_ms;
}

uint64_t pd_conn_last_used_ms(const pd_conn *c)
{
    return c->last_used_ms;
}

void pd_conn_set_notice_cb(pd_conn *c, pd_conn_notice_cb cb, void *ctx)
{
    c->notice_cb = cb;
    c->notice_ctx = ctx;
}

void pd_conn_set_broken_cb(pd_conn *c, pd_conn_broken_cb cb, void *ctx)
{
    c->broken_cb = cb;
    c->broken_ctx = ctx;
}

bool pd_conn_timed_out(const pd_conn *c)
{
    return c->timed_out;
}

void pd_conn_set_dirty(pd_conn *c, bool dirty)
{
    c->dirty = dirty;
}

bool pd_conn_is_dirty(const pd_conn *c)
{
    return c->dirty;
}

void pd_conn_set_query_defaults(pd_conn *c, uint32_t timeout_ms, bool prepare)
{
    c->default_timeout_ms = timeout_ms;
    c->prepare = prepare;
}

uint32_t pd_conn_default_timeout(const pd_conn *c)
{
    return c->default_timeout_ms;
}

bool pd_conn_prepare_enabled(const pd_conn *c)
{
    return c->prepare;
}

pd_stmtcache *pd_conn_stmtcache(pd_conn *c)
{
    if (c->stmts == NULL)
        c->stmts = pd_stmtcache_new(STMTCACHE_CAP);
    return c->stmts;
}

void pd_conn_set_observer(pd_conn *c, const pd_query_observer *obs)
{
    c->observer = obs;
}

const pd_query_observer *pd_conn_observer(const pd_conn *c)
{
    return c->observer;
}

void *pd_conn_owner_data(const pd_conn *c)
{
    return c->owner_data;
}

void pd_conn_set_owner_data(pd_conn *c, void *data)
{
    c->owner_data = data;
}
