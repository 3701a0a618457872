/* bench.h: a load generator on the core, for `pgdeck bench` and \bench.
 *
 * N clients run one SQL statement over and over with generated parameters
 * until a duration has passed or a number of operations is done, and the
 * run ends with counts, throughput and latency quantiles, plus the lag of
 * the loop while it ran (how late a 5 ms timer fired). What a client does
 * per operation depends on the mode:
 *
 *   PD_BENCH_QUERY   holds one pool connection for the whole run, with the
 *                    statement prepared on it, and keeps one execution in
 *                    flight; or, with pipeline > 1, sends pipeline
 *                    executions and one sync point at a time in libpq's
 *                    pipeline mode, as pgbench's \startpipeline does;
 *   PD_BENCH_POOL    one pd_query_fetch per execution: acquire, run,
 *                    release, through the whole query layer;
 *   PD_BENCH_BATCH   one pd_batch_run of batch_rows parameter rows;
 *   PD_BENCH_GATHER  one client runs `clients` copies of the statement at
 *                    once with pd_gather_run (no parameters).
 *
 * Every statement is reported to the connection's observer with the
 * source "bench" (so the slow log sees a benchmark like any load). */
#ifndef PD_BENCH_H
#define PD_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "core/error.h"
#include "core/histogram.h"
#include "core/pool.h"

typedef enum pd_bench_mode {
    PD_BENCH_QUERY = 0,
    PD_BENCH_POOL,
    PD_BENCH_BATCH,
    PD_BENCH_GATHER
} pd_bench_mode;

/* A parameter $n: a uniformly random integer in [lo, hi]. */
typedef struct pd_bench_param {
    int64_t lo, hi;
} pd_bench_param;

typedef struct pd_bench_opts {
    pd_bench_mode mode;
    int clients;                  /* >= 1 */
    uint32_t duration_ms;         /* stop issuing after this long... */
    uint64_t ops;                 /* ... or after this many operations
                                     (one of the two is non-zero) */
    const char *sql;              /* borrowed for the call; NULL:
                                     "SELECT 1" */
    int nparams;
    const pd_bench_param *params; /* nparams entries, borrowed for the
                                     call */
    int pipeline;                 /* QUERY: statements in flight per
                                     client (1: no pipeline mode) */
    size_t batch_rows;            /* BATCH: rows per batch */
    uint32_t batch_flags;         /* BATCH: PD_BATCH_* */
    int warmup;                   /* operations per client before the
                                     clock starts (not counted) */
} pd_bench_opts;

/* The outcome, a plain value. A query is one statement executed (a batch
 * of 1000 rows counts 1000); an operation is what one latency sample
 * times (a statement, a batch, a gather). */
typedef struct pd_bench_result {
    uint64_t queries;     /* statements completed in the timed window */
    uint64_t ops;         /* operations completed in the timed window */
    uint64_t errors;      /* statements that failed */
    double seconds;       /* the timed window */
    double qps;           /* queries / seconds */
    pd_histogram latency; /* per operation, microseconds */
    pd_histogram lag;     /* loop lag samples, microseconds */
} pd_bench_result;

/* res: borrowed, valid during the call. err: borrowed, NULL when every
 * statement succeeded; else the first failure (the run could not start,
 * or res->errors statements failed). */
typedef void (*pd_bench_cb)(const pd_bench_result *res, const pd_error *err,
                            void *ctx);

/* Runs a benchmark on pool (borrowed; it must allow `clients` connections
 * at once in QUERY, BATCH and GATHER modes) and loop. opts is copied.
 * Returns 0 and calls cb exactly once, never synchronously; or returns
 * PD_EINVAL (bad options, with err set) and never calls it. */
PD_MUSTCHECK int pd_bench_run(uv_loop_t *loop, pd_pool *pool,
                              const pd_bench_opts *opts, pd_bench_cb cb,
                              void *ctx, pd_error *err);

/* Parses "random:LO:HI" into p. Returns 0 or PD_EINVAL. */
PD_MUSTCHECK int pd_bench_param_parse(const char *spec, pd_bench_param *p);

#endif
