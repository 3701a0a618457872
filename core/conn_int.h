/* conn_int.h: the conn module's internals, shared by its files and never
 * included outside core/.
 *
 *   conn.c       connecting (name lookup, PQconnectPoll), single commands
 *                (COPY included), command timeouts, close, the accessors;
 *   conn_pipe.c  pipeline mode: the ring of expected answers, the read
 *                loop and the pd_conn_pipeline_* calls.
 *
 * Everything here runs on the loop thread. */
#ifndef PD_CONN_INT_H
#define PD_CONN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>
#include <uv.h>

#include "core/conn.h"
#include "core/conninfo.h"
#include "core/stmtcache.h"
#include "core/strbuf.h"

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

/* Watches the socket for events (UV_READABLE/UV_WRITABLE); fresh: rebuild
 * the registration (every connect step). Returns 0 or a uv error. */
int pd_conn_arm(pd_conn *c, int events, bool fresh);
/* A broken connection: tells whoever is waiting on it (the command's or
 * the pipeline's done, or the idle broken callback). */
void pd_conn_set_broken(pd_conn *c);
/* The command (or pipeline) timeout: cancels, then gives up. */
void pd_conn_on_cmd_timeout(uv_timer_t *t);
/* Hands cmd to libpq (PQsend*); pipeline: the extended protocol even for
 * PD_CMD_SIMPLE, as pipeline mode requires. Returns libpq's 1 or 0. */
int pd_conn_send_cmd(pd_conn *c, const pd_conn_cmd *cmd, bool pipeline);
/* The poll fired while in pipeline mode. */
void pd_conn_pipe_poll(pd_conn *c, int events);

#endif
