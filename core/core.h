/* core.h: the core as one object.
 *
 * A pd_core owns the uv loop and every core object built from the config
 * (the conninfo, the pool). The front ends (shell/, tui/) create one, use
 * its loop and pool, run the loop, and free it. */
#ifndef PD_CORE_H
#define PD_CORE_H

#include <uv.h>

#include "core/breaker.h"
#include "core/config.h"
#include "core/conninfo.h"
#include "core/error.h"
#include "core/locks.h"
#include "core/metrics.h"
#include "core/pool.h"
#include "core/retry.h"
#include "core/slowlog.h"
#include "core/sync.h"

typedef struct pd_core pd_core;

/* Returns-owned core built from cfg (borrowed; copied as needed), or NULL
 * with err set (a malformed connection string). Connects nothing yet. */
PD_MUSTCHECK pd_core *pd_core_new(const pd_config *cfg, pd_error *err);
/* Starts the pool's background connections. */
void pd_core_start(pd_core *core);

uv_loop_t *pd_core_loop(pd_core *core);        /* borrowed */
pd_pool *pd_core_pool(pd_core *core);          /* borrowed */
const pd_config *pd_core_config(const pd_core *core); /* borrowed */
const pd_conninfo *pd_core_conninfo(const pd_core *core); /* borrowed */
pd_slowlog *pd_core_slowlog(pd_core *core);    /* borrowed */
pd_locks *pd_core_locks(pd_core *core);        /* borrowed */
/* The configured refresh-all jobs, or NULL when none. Borrowed. */
pd_sync *pd_core_syncs(pd_core *core);
pd_breaker *pd_core_breaker(pd_core *core);    /* borrowed */
pd_retry_stats *pd_core_retry_stats(pd_core *core); /* borrowed, live */
/* Counters, histograms and per-second series of every query and of the
 * pool, retries, breaker and locks (core/metrics.h). Borrowed. */
pd_metrics *pd_core_metrics(pd_core *core);
/* Statements sent and not finished, over every source. */
uint64_t pd_core_in_flight(const pd_core *core);

/* Starts the /metrics HTTP server if the config names an address
 * (metrics_listen). Returns 0, or non-zero with err set (bad address,
 * port in use). For the long-running front ends only. */
PD_MUSTCHECK int pd_core_serve_metrics(pd_core *core, pd_error *err);

/* Runs the loop until nothing is left to do, or until pd_core_stop. */
void pd_core_run(pd_core *core);
/* Makes pd_core_run return soon (safe from any loop callback). */
void pd_core_stop(pd_core *core);

/* Closes everything in order (pool, connections, handles), runs the loop
 * until every handle has closed, and frees. Accepts NULL. */
void pd_core_free(pd_core *core);

#endif
