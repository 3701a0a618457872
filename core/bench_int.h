/* bench_int.h: the bench module's internals, shared by its files and never
 * included outside core/.
 *
 *   bench.c       the run: options, clients, the phases (warm-up, clock,
 *                 deadline), the operation queue, counting, the other
 *                 modes (POOL, BATCH, GATHER), parameter generation;
 *   bench_conn.c  the QUERY mode: one held connection per client, the
 *                 statement prepared on it, one at a time or pipelined.
 *
 * Everything runs on the loop thread. */
#ifndef PD_BENCH_INT_H
#define PD_BENCH_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "core/bench.h"
#include "core/conn.h"
#include "core/error.h"
#include "core/observe.h"
#include "core/pool.h"

#define PARAM_LEN 24    /* room for any int64 in text */
#define SOURCE "bench"

typedef struct bench bench;

typedef struct client {
    bench *b;           /* back pointer */
    pd_conn *conn;      /* QUERY: held for the run, else NULL */
    const pd_query_observer *obs; /* QUERY: the connection's, or NULL */
    char stmt[24];      /* QUERY: prepared statement name; "" to send the
                           statement with each execution */
    bool ready;         /* warmed up, waiting for the clock */
    bool running;       /* the clock started for it */
    bool done;          /* finished: nothing in flight, nothing held */
    bool in_pipeline;   /* QUERY: its connection is in pipeline mode */
    bool ending;        /* ... and that pipeline is ending */
    bool failed;        /* the statement in flight failed */
    bool queued;        /* in the bench's next-operation queue */
    int warm_left;      /* warm-up operations still to run */
    int64_t rows;       /* rows of the statement in flight, or -1 */
    uint64_t t_sent;    /* uv_hrtime() when the operation went out */
    uint64_t rng;       /* xorshift64* state */
    char (*pbuf)[PARAM_LEN]; /* owned: text of each parameter */
    const char **pv;    /* owned: pointers into pbuf */
    const char **bvals; /* BATCH: owned rows x params pointers */
    char (*bbuf)[PARAM_LEN]; /* BATCH: owned texts */
    pd_error err;       /* why the statement in flight failed */
} client;

struct bench {
    uv_loop_t *loop;        /* borrowed */
    pd_pool *pool;          /* borrowed */
    pd_bench_opts o;        /* sql and params point at the copies below */
    char *sql;              /* owned */
    pd_bench_param *params; /* owned */
    const char **gsqls;     /* GATHER: owned array of `clients` x sql */
    client *cl;             /* owned clients */
    int ncl;
    int nready, nfinished;
    bool started;           /* the clock runs */
    bool stopping;          /* issue nothing more */
    bool over;              /* the callback ran */
    uint64_t issued;        /* operations issued since the clock started */
    uint64_t completed;     /* ... and completed */
    uint64_t t_start, t_stop; /* uv_hrtime() of the timed window */
    uint64_t lag_prev;      /* uv_hrtime() of the last lag probe */
    uv_timer_t stop_timer;  /* the first turn, then the deadline */
    uv_timer_t lag_timer;   /* the loop-lag probe */
    uv_check_t check;       /* issues the queued operations */
    client **queue;         /* owned: clients whose next operation waits
                               for the end of this loop turn */
    int nqueued;
    int handles;            /* of the three, not yet closed */
    pd_bench_result res;
    pd_error err;           /* the first failure */
    pd_bench_cb cb;
    void *ctx;
};

/* bench.c */
/* Keeps the first failure of the run. */
void pd_bench_note_error(bench *b, const pd_error *err);
/* The run cannot go on: see bench.c. */
void pd_bench_fail(bench *b, const pd_error *err);
/* More operations may start (not stopping, the --queries not reached). */
bool pd_bench_can_issue(const bench *b);
/* c is warmed up; the clock starts when every client is. */
void pd_bench_client_ready(client *c);
/* c's next operation runs at the end of this loop turn. */
void pd_bench_enqueue(client *c);
/* An operation of nq statements ended: count it, then the next one. */
void pd_bench_op_done(client *c, uint64_t nq, bool failed);
/* Starts one operation of c. */
void pd_bench_issue(client *c);
/* The client is done: its pipeline ended, its connection given back. */
void pd_bench_client_finish(client *c);
/* Fills c's parameter texts with fresh random values. */
void pd_bench_gen_params(client *c);

/* bench_conn.c (QUERY mode) */
/* A pool connection for c: prepares the statement on it, then c is
 * ready (a pd_pool_acquire callback). */
void pd_bench_on_acquired(pd_conn *conn, const pd_error *err, void *ctx);
/* Sends one statement (--pipeline 1). */
void pd_bench_send_one(client *c);
/* Sends a round of statements into c's pipeline, opening it if needed. */
void pd_bench_send_round(client *c);
/* Ends c's pipeline; its done callback finishes the client. */
void pd_bench_end_pipeline(client *c);

#endif
