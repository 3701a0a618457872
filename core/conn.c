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
 * Pipeline mode: IDLE -> PIPELINE -> IDLE (or BROKEN). libpq keeps its own
 * queue of what it sent; we keep a parallel ring of what answers to expect
 * (a command's results ending with a NULL, or a sync point's
 * PGRES_PIPELINE_SYNC, never followed by a NULL), so that the read loop
 * never calls PQgetResult when nothing is owed and knows which command
 * each result belongs to. */
#include "core/conn.h"

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
/* Expected answers in a pipeline. */
enum { PQ_CMD = 0, PQ_SYNC = 1 };

struct pd_conn {
    uv_loop_t *loop;           /* borrowed */
    pd_conninfo *ci;           /* owned copy; gains hostaddr once resolved */
    PGconn *pg;                /* owned */
    pd_conn_state state;
    uv_poll_t *poll;           /* owned handle, NULL until connecting */
    int poll_fd;               /* descriptor the poll watches */
    int poll_events;           /* UV_READABLE/UV_WRITABLE now armed */
    uv_timer_t timer;          /* connect timeout and deferred failures */
    uv_getaddrinfo_t gai;      /* host name lookup in flight */
    bool gai_busy;             /* gai is in flight */
    int pending;               /* uv_close/getaddrinfo callbacks owed */
    bool closing;              /* pd_conn_close was called */
    char **hosts;              /* owned split of "host" while resolving */
    int nhosts, host_i;        /* list size, next to resolve */
    pd_strbuf hostaddr;        /* resolved addresses, comma-separated */
    bool resolved_any;         /* hostaddr is worth passing to libpq */
    uint32_t timeout_ms;       /* connect timeout, 0 = none */
    pd_conn_ready_cb ready_cb; /* connect completion */
    void *ready_ctx;
    pd_conn_result_cb on_result; /* command in flight */
    pd_conn_done_cb on_done;
    void *cmd_ctx;
    pd_conn_notice_cb notice_cb;
    void *notice_ctx;
    pd_conn_broken_cb broken_cb;
    void *broken_ctx;
    uint64_t born_ms, last_used_ms; /* uv_now() stamps */
    uint32_t cmd_timeout_ms;   /* timeout of the command in flight */
    pd_copy_out_cb copy_out;   /* its COPY TO STDOUT sink, or NULL */
    void *copy_ctx;
    const char *copy_in;       /* its COPY FROM STDIN data (borrowed) */
    size_t copy_in_len, copy_in_off;
    bool copy_feeding;         /* feeding it now */
    bool copy_in_ended;        /* PQputCopyEnd went through */
    bool timed_out;            /* that timeout fired */
    bool dirty;                /* needs a session reset before reuse */
    uint32_t default_timeout_ms; /* for queries that give none */
    bool prepare;              /* cache prepared statements */
    const pd_query_observer *observer; /* borrowed, or NULL */
    pd_stmtcache *stmts;       /* owned, created on first use */
    void *owner_data;          /* the owner's slot */
    /* pipeline mode */
    const pd_conn_pipe_ops *pipe_ops; /* borrowed, while in a pipeline */
    void *pipe_ctx;
    unsigned char *pq;         /* owned ring of expected answers (PQ_*) */
    size_t pq_cap, pq_head, pq_len; /* capacity (a power of two), first,
                                       count */
    uint64_t pipe_pushed;      /* commands pushed: the next seq */
    uint64_t pipe_answered;    /* commands whose results all arrived */
    bool pipe_aborted;         /* an error since the last sync point */
    bool pipe_ending;          /* pd_conn_pipeline_end was called */
    bool pipe_congested;       /* output waits for the socket */
    bool pipe_need_flush;      /* flush when the read loop ends */
    bool pipe_in_read;         /* the read loop is on the stack */
};

static void on_poll(uv_poll_t *h, int status, int events);
static void resolve_next(pd_conn *c);
static void pipe_poll(pd_conn *c, int events);

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
static int arm(pd_conn *c, int events, bool fresh)
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
    if (arm(c, UV_WRITABLE, true) != 0)
        connect_failed_pg(c);
}

static void connect_step(pd_conn *c)
{
    PostgresPollingStatusType st = PQconnectPoll(c->pg);
    pd_conn_ready_cb cb;

    switch (st) {
    case PGRES_POLLING_READING:
        if (arm(c, UV_READABLE, true) != 0)
            connect_failed_pg(c);
        return;
    case PGRES_POLLING_WRITING:
        if (arm(c, UV_WRITABLE, true) != 0)
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
        arm(c, UV_READABLE, true) != 0) {
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
static void set_broken(pd_conn *c)
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
            return arm(c, UV_READABLE | UV_WRITABLE, false) == 0 ? 0 : -1;
        c->copy_in_off += n;
    }
    if (!c->copy_in_ended) {
        r = PQputCopyEnd(c->pg, NULL);
        if (r < 0)
            return -1;
        if (r == 0)
            return arm(c, UV_READABLE | UV_WRITABLE, false) == 0 ? 0 : -1;
        c->copy_in_ended = true;
    }
    r = PQflush(c->pg);
    if (r < 0)
        return -1;
    if (r == 1)
        return arm(c, UV_READABLE | UV_WRITABLE, false) == 0 ? 0 : -1;
    c->copy_feeding = false;
    return arm(c, UV_READABLE, false) == 0 ? 1 : -1;
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
        set_broken(c);
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
        set_broken(c);
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
        set_broken(c);
        return;
    }
    if (c->state == PD_CONN_PIPELINE) {
        pipe_poll(c, events);
        return;
    }
    if (c->state == PD_CONN_BUSY && c->copy_feeding &&
        (events & UV_WRITABLE)) {
        if (feed_copy(c) < 0) {
            set_broken(c);
            return;
        }
        events &= ~UV_WRITABLE;
    }
    if (c->state == PD_CONN_BUSY && (events & UV_WRITABLE)) {
        int r = PQflush(c->pg);
        if (r < 0) {
            set_broken(c);
            return;
        }
        if (r == 0 && arm(c, UV_READABLE, false) != 0) {
            set_broken(c);
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
            set_broken(c);
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

static void on_cmd_timeout(uv_timer_t *t)
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
            uv_timer_start(&c->timer, on_cmd_timeout, CANCEL_GRACE_MS, 0);
            return;
        }
    }
    /* The server did not answer the cancel: nothing can be trusted of this
     * connection any more. */
    pd_error_set(&err, PD_ERR_TIMEOUT,
                 "command timeout after %u ms, and the server did not "
                 "answer the cancel request", c->cmd_timeout_ms);
    if (c->state == PD_CONN_PIPELINE && c->pipe_ops != NULL) {
        const pd_conn_pipe_ops *ops = c->pipe_ops;
        c->pipe_ops = NULL;
        c->state = PD_CONN_BROKEN;
        if (c->poll != NULL)
            uv_poll_stop(c->poll);
        c->poll_events = 0;
        ops->done(c, &err, c->pipe_ctx);
        pd_error_clear(&err);
        return;
    }
    c->state = PD_CONN_BROKEN;
    if (c->poll != NULL)
        uv_poll_stop(c->poll);
    c->poll_events = 0;
    if (c->on_done != NULL) {
        pd_conn_done_cb done = c->on_done;
        c->on_done = NULL;
        c->on_result = NULL;
        done(c, &err, c->cmd_ctx);
    }
    pd_error_clear(&err);
}

/* Sends cmd; see conn.h. */
int pd_conn_send(pd_conn *c, const pd_conn_cmd *cmd,
                 pd_conn_result_cb on_result, pd_conn_done_cb on_done,
                 void *ctx, pd_error *err)
{
    int ok = 0, r;

    if (c->state != PD_CONN_IDLE || c->closing) {
        pd_error_set(err, PD_ERR_CONNECTION, "connection is not ready");
        return PD_ESTATE;
    }
    switch (cmd->kind) {
    case PD_CMD_SIMPLE:
        ok = PQsendQuery(c->pg, cmd->sql);
        break;
    case PD_CMD_PARAMS:
        ok = PQsendQueryParams(c->pg, cmd->sql, cmd->nparams, NULL,
                               cmd->params, NULL, NULL, 0);
        break;
    case PD_CMD_PREPARE:
        ok = PQsendPrepare(c->pg, cmd->stmt_name, cmd->sql, cmd->nparams,
                           NULL);
        break;
    case PD_CMD_PREPARED:
        ok = PQsendQueryPrepared(c->pg, cmd->stmt_name, cmd->nparams,
                                 cmd->params, NULL, NULL, 0);
        break;
    }
    if (!ok)
        goto fail;
    if (cmd->single_row)
        PQsetSingleRowMode(c->pg);
    r = PQflush(c->pg);
    if (r < 0 || arm(c, r == 1 ? UV_READABLE | UV_WRITABLE : UV_READABLE,
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
        uv_timer_start(&c->timer, on_cmd_timeout, cmd->timeout_ms, 0);
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

/* ---- pipeline mode ---- */

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
    return arm(c, r == 1 ? UV_READABLE | UV_WRITABLE : UV_READABLE, false)
               == 0 ? 0 : -1;
}

/* Leaves pipeline mode once every answer is in, and reports. */
static void pipe_finish(pd_conn *c)
{
    const pd_conn_pipe_ops *ops = c->pipe_ops;

    if (!PQexitPipelineMode(c->pg) || arm(c, UV_READABLE, false) != 0) {
        set_broken(c);
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
        set_broken(c);
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
            set_broken(c);
            return;
        }
    }
    if (PQstatus(c->pg) == CONNECTION_BAD)
        set_broken(c);
    else if (c->pq_len == 0 && c->pipe_ending)
        pipe_finish(c);
}

static void pipe_poll(pd_conn *c, int events)
{
    if (events & UV_WRITABLE) {
        int r = PQflush(c->pg);

        if (r < 0) {
            set_broken(c);
            return;
        }
        if (r == 0) {
            if (arm(c, UV_READABLE, false) != 0) {
                set_broken(c);
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
        set_broken(c);
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
        uv_timer_start(&c->timer, on_cmd_timeout, timeout_ms, 0);
    return 0;
}

/* Queues one command; see conn.h. */
int pd_conn_pipeline_push(pd_conn *c, const pd_conn_cmd *cmd, uint64_t *seq,
                          pd_error *err)
{
    int ok = 0;

    if (!pipe_open(c)) {
        pd_error_set(err, PD_ERR_CONNECTION, "no pipeline is open");
        return PD_ESTATE;
    }
    switch (cmd->kind) {
    case PD_CMD_SIMPLE:
        ok = PQsendQueryParams(c->pg, cmd->sql, 0, NULL, NULL, NULL, NULL, 0);
        break;
    case PD_CMD_PARAMS:
        ok = PQsendQueryParams(c->pg, cmd->sql, cmd->nparams, NULL,
                               cmd->params, NULL, NULL, 0);
        break;
    case PD_CMD_PREPARE:
        ok = PQsendPrepare(c->pg, cmd->stmt_name, cmd->sql, cmd->nparams,
                           NULL);
        break;
    case PD_CMD_PREPARED:
        ok = PQsendQueryPrepared(c->pg, cmd->stmt_name, cmd->nparams,
                                 cmd->params, NULL, NULL, 0);
        break;
    }
    if (!ok)
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
