/* conn.h: one non-blocking libpq connection on the loop.
 *
 * A pd_conn owns its PGconn and a uv_poll_t on PQsocket. Connecting uses
 * uv_getaddrinfo (for a host name) then PQconnectStartParams and
 * PQconnectPoll, re-arming the poll on each step because the socket may
 * change. Commands are sent with PQsendQuery/PQsendQueryParams, flushed on
 * writable and read with PQconsumeInput/PQisBusy on readable: nothing here
 * ever blocks. Most code uses connections through pd_pool and pd_query.
 *
 * Pipeline mode (pd_conn_pipeline_*) sends many commands without waiting
 * for each answer: they are queued in libpq's buffer, written as the socket
 * accepts them, and their results come back in order, each tagged with the
 * command's sequence number. */
#ifndef PD_CONN_H
#define PD_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>
#include <uv.h>

#include "core/conninfo.h"
#include "core/error.h"
#include "core/observe.h"
#include "core/stmtcache.h"

typedef struct pd_conn pd_conn;

typedef enum pd_conn_state {
    PD_CONN_NEW = 0,    /* created, not connecting yet */
    PD_CONN_RESOLVING,  /* waiting for uv_getaddrinfo */
    PD_CONN_CONNECTING, /* PQconnectPoll in progress */
    PD_CONN_IDLE,       /* connected, no command running */
    PD_CONN_BUSY,       /* a command is in flight */
    PD_CONN_BROKEN,     /* failed; only pd_conn_close is useful */
    PD_CONN_CLOSED,     /* closing, waiting for its handles to close */
    PD_CONN_PIPELINE    /* in pipeline mode (pd_conn_pipeline_*) */
} pd_conn_state;

/* err is borrowed (NULL on success). */
typedef void (*pd_conn_ready_cb)(pd_conn *c, const pd_error *err, void *ctx);
/* Called for each PGresult of a command; takes ownership of res. */
typedef void (*pd_conn_result_cb)(pd_conn *c, PGresult *res, void *ctx);
/* Called once when a command ends: err NULL when the connection is fine
 * (server errors arrive as results), else why the command was cut off. */
typedef void (*pd_conn_done_cb)(pd_conn *c, const pd_error *err, void *ctx);
/* A NOTICE/WARNING from the server; res borrowed. */
typedef void (*pd_conn_notice_cb)(pd_conn *c, const PGresult *res, void *ctx);
/* An idle connection found broken (server gone, backend terminated). */
typedef void (*pd_conn_broken_cb)(pd_conn *c, void *ctx);

/* Data of a COPY ... TO STDOUT, as the server sends it (data borrowed). */
typedef void (*pd_copy_out_cb)(const char *data, size_t len, void *ctx);

typedef enum pd_cmd_kind {
    PD_CMD_PARAMS = 0, /* PQsendQueryParams: one statement, $n params */
    PD_CMD_SIMPLE,     /* PQsendQuery: several statements, no params */
    PD_CMD_PREPARE,    /* PQsendPrepare of sql as stmt_name */
    PD_CMD_PREPARED    /* PQsendQueryPrepared of stmt_name */
} pd_cmd_kind;

typedef struct pd_conn_cmd {
    pd_cmd_kind kind;
    const char *sql;           /* borrowed for the call */
    const char *stmt_name;     /* PREPARE / PREPARED: borrowed */
    int nparams;               /* $n parameters, text format */
    const char *const *params; /* borrowed for the call; NULL entry = NULL */
    bool single_row;           /* libpq single-row mode (streaming) */
    uint32_t timeout_ms;       /* command timeout, 0 = none: the server is
                                  asked to cancel, and after a further
                                  grace period the connection is dropped */
    pd_copy_out_cb copy_out;   /* COPY TO STDOUT data; NULL: dropped */
    void *copy_ctx;
    const char *copy_in;       /* COPY FROM STDIN data, fed as the socket
                                  takes it; borrowed until on_done. NULL:
                                  such a COPY is ended with an error */
    size_t copy_in_len;
} pd_conn_cmd;

/* Returns-owned connection in PD_CONN_NEW. ci is copied. */
pd_conn *pd_conn_new(uv_loop_t *loop, const pd_conninfo *ci);

/* Starts connecting. Returns 0 and calls cb exactly once later (never
 * synchronously), or returns PD_ESTATE and never calls it. timeout_ms 0
 * means no limit. */
PD_MUSTCHECK int pd_conn_connect(pd_conn *c, uint32_t timeout_ms,
                                 pd_conn_ready_cb cb, void *ctx);

/* Sends cmd on an idle connection. Returns 0 and later calls on_result for
 * each result, then on_done exactly once; or returns PD_ESTATE/PD_EIO (with
 * err set) and calls nothing. */
PD_MUSTCHECK int pd_conn_send(pd_conn *c, const pd_conn_cmd *cmd,
                              pd_conn_result_cb on_result,
                              pd_conn_done_cb on_done, void *ctx,
                              pd_error *err);

/* Closes the connection: stops watchers, drops callbacks of a command in
 * flight (they are not called), frees memory once the handles have closed.
 * Safe from inside this connection's own callbacks. Accepts NULL. */
void pd_conn_close(pd_conn *c);

pd_conn_state pd_conn_state_get(const pd_conn *c);
/* True when the connection can take a command. */
bool pd_conn_is_idle(const pd_conn *c);
/* PQTRANS_* of the session (PQTRANS_UNKNOWN when not connected). */
PGTransactionStatusType pd_conn_txn_status(const pd_conn *c);
/* Borrowed PGconn for read-only inspection (PQserverVersion, PQparameter-
 * Status, PQbackendPID, PQgetCancel). NULL before connecting. */
PGconn *pd_conn_pg(const pd_conn *c);
/* Connection birth and last use, in uv_now() milliseconds. */
uint64_t pd_conn_born_ms(const pd_conn *c);
uint64_t pd_conn_last_used_ms(const pd_conn *c);
void pd_conn_set_notice_cb(pd_conn *c, pd_conn_notice_cb cb, void *ctx);
/* Called (at most once) when the connection breaks while idle; a break
 * during a command is reported through that command's on_done instead. */
void pd_conn_set_broken_cb(pd_conn *c, pd_conn_broken_cb cb, void *ctx);

/* True when the command in flight (or the last one) hit its timeout. */
bool pd_conn_timed_out(const pd_conn *c);
/* Session state a later user must not inherit (SET, LISTEN, temp tables,
 * a shell session): marks the connection for a reset on release. */
void pd_conn_set_dirty(pd_conn *c, bool dirty);
bool pd_conn_is_dirty(const pd_conn *c);
/* The connection's prepared-statement cache (created on first use).
 * Borrowed, owned by the connection. */
pd_stmtcache *pd_conn_stmtcache(pd_conn *c);

/* Defaults for queries on this connection, set by its pool: the command
 * timeout (0 = none) and whether statements are prepared and cached (off
 * behind PgBouncer in transaction mode). */
void pd_conn_set_query_defaults(pd_conn *c, uint32_t timeout_ms, bool prepare);
uint32_t pd_conn_default_timeout(const pd_conn *c);
bool pd_conn_prepare_enabled(const pd_conn *c);

/* The observer told of every query on this connection (borrowed; must
 * outlive the connection), or NULL. Set by the pool. */
void pd_conn_set_observer(pd_conn *c, const pd_query_observer *obs);
const pd_query_observer *pd_conn_observer(const pd_conn *c);

/* ---- pipeline mode ---- */

/* What a pipeline reports. Every callback is optional except done, runs
 * from the loop (never inside the pd_conn_pipeline_* call that caused it),
 * and may push, sync, end or close the connection. */
typedef struct pd_conn_pipe_ops {
    /* A result of command seq (the number pd_conn_pipeline_push gave it);
     * takes res. A command has one or more results; PGRES_PIPELINE_ABORTED
     * means an earlier error before the same sync point skipped it. */
    void (*result)(pd_conn *c, uint64_t seq, PGresult *res, void *ctx);
    /* Command seq has no more results. */
    void (*cmd_done)(pd_conn *c, uint64_t seq, void *ctx);
    /* A sync point came back: every command pushed before it is done.
     * aborted: an error skipped the rest of the commands before it. */
    void (*sync)(pd_conn *c, bool aborted, void *ctx);
    /* Everything pushed so far has been written to the socket (called
     * after pd_conn_pipeline_sync/flush found the socket full): a
     * producer that stopped on pd_conn_pipeline_congested can go on. */
    void (*drained)(pd_conn *c, void *ctx);
    /* Called exactly once. err NULL: pd_conn_pipeline_end was called,
     * every result arrived and the connection left pipeline mode and is
     * idle again. err set (borrowed): the connection broke or a timeout
     * gave up on it; it is broken and only pd_conn_close is useful. */
    void (*done)(pd_conn *c, const pd_error *err, void *ctx);
} pd_conn_pipe_ops;

/* Puts an idle connection in pipeline mode. ops is borrowed and must stay
 * valid until done; timeout_ms bounds the whole pipeline (0 = none): the
 * server is asked to cancel, and after a grace period the connection is
 * dropped. Returns 0 and later calls ops->done exactly once (never
 * synchronously), or returns PD_ESTATE/PD_EIO with err set and calls
 * nothing. */
PD_MUSTCHECK int pd_conn_pipeline_begin(pd_conn *c, uint32_t timeout_ms,
                                        const pd_conn_pipe_ops *ops,
                                        void *ctx, pd_error *err);

/* Queues cmd (PARAMS, PREPARE or PREPARED; SIMPLE is sent as PARAMS with
 * no parameters, so one statement only; single_row, timeout_ms and the
 * COPY sink are ignored). Its strings are copied into libpq's buffer before
 * this returns. Nothing reaches the server before the next sync or flush
 * (or once libpq has buffered 64 KiB). *seq (may be NULL) gets the
 * command's sequence number: 0, 1, ... in push order. Returns 0, or
 * PD_ESTATE (not in a pipeline, or ending) / PD_EIO with err set; after
 * PD_EIO the pipeline is still open (end it), and if the connection died
 * ops->done reports that on a later turn. */
PD_MUSTCHECK int pd_conn_pipeline_push(pd_conn *c, const pd_conn_cmd *cmd,
                                       uint64_t *seq, pd_error *err);
/* Queues a sync point (ends the implicit transaction, and ends the
 * skipping after an error) and sends what is buffered. Returns 0,
 * PD_ESTATE or PD_EIO with err set. */
PD_MUSTCHECK int pd_conn_pipeline_sync(pd_conn *c, pd_error *err);
/* Sends what is buffered; with ask_results the server is also asked to
 * send the results it holds without waiting for a sync. Returns as
 * pd_conn_pipeline_sync. */
PD_MUSTCHECK int pd_conn_pipeline_flush(pd_conn *c, bool ask_results,
                                        pd_error *err);
/* No more commands: once every result has arrived (a sync is queued first
 * if commands follow the last one), the connection leaves pipeline mode
 * and ops->done is called. Returns 0 or PD_ESTATE. */
PD_MUSTCHECK int pd_conn_pipeline_end(pd_conn *c);
/* True while pushed data waits for the socket to accept it; ops->drained
 * follows when it has. */
bool pd_conn_pipeline_congested(const pd_conn *c);
/* Commands pushed whose results have not all arrived yet. */
uint64_t pd_conn_pipeline_pending(const pd_conn *c);

/* Opaque slot for the owner (the pool keeps its bookkeeping here). */
void *pd_conn_owner_data(const pd_conn *c);
void pd_conn_set_owner_data(pd_conn *c, void *data);

#endif
