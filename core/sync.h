/* sync.h: refresh-all, the concurrent data syncs.
 *
 * A job is SQL (one statement or several), a JSON file to load, or a
 * command whose stdout is that JSON; either way it runs in one
 * transaction, after taking the resource locks it declares, once the jobs
 * it depends on have succeeded. Refresh-all runs every job at once,
 * bounded by max_concurrency (and the pool), in dependency order; a job
 * that fails does not stop the others (those that depend on it are
 * skipped); 40001 and 40P01 retry a job's whole transaction with backoff.
 *
 * Before anything runs, every load file is read and checked, and every
 * table named is checked against the catalog: bad input fails the whole
 * refresh with messages naming the job, the file and the position, and
 * nothing is written. Only one refresh-all runs at a time: it holds an
 * EXCLUSIVE lock on the resource "refresh-all". */
#ifndef PD_SYNC_H
#define PD_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "core/error.h"
#include "core/locks.h"
#include "core/pool.h"
#include "core/retry.h"

typedef enum pd_sync_kind {
    PD_SYNC_SQL = 0,
    PD_SYNC_LOAD,
    PD_SYNC_COMMAND
} pd_sync_kind;

/* A job as configured. Everything is borrowed for pd_sync_new (copied). */
typedef struct pd_sync_spec {
    const char *name;
    pd_sync_kind kind;
    const char *const *sql;        /* SQL: nsql statements */
    int nsql;
    const char *file;              /* LOAD: the JSON file (path as given) */
    const char *const *argv;       /* COMMAND: NULL-terminated argv */
    const char *table;             /* LOAD, COMMAND: target table */
    const char *const *key;        /* LOAD, COMMAND: its key columns */
    int nkey;
    const char *const *locks;      /* "resource:read|write|exclusive" */
    int nlocks;
    const char *const *depends_on; /* names of jobs that must succeed first */
    int ndeps;
    uint32_t timeout_ms;           /* per statement and for the command;
                                      0: the defaults */
    pd_retry_policy retry;         /* attempts 0: the default policy */
} pd_sync_spec;

typedef enum pd_sync_state {
    PD_SYNC_IDLE = 0, /* never run */
    PD_SYNC_QUEUED,   /* waiting for its dependencies or a slot */
    PD_SYNC_RUNNING,
    PD_SYNC_RETRYING, /* running again after a 40001/40P01 */
    PD_SYNC_OK,
    PD_SYNC_FAILED,
    PD_SYNC_SKIPPED   /* a dependency failed */
} pd_sync_state;

/* A job as it stands. Strings are borrowed from the pd_sync: valid until
 * the next progress event or the end of the refresh. */
typedef struct pd_sync_status {
    const char *name;
    pd_sync_state state;
    unsigned attempts;    /* transaction tries in the last run */
    int64_t rows;         /* rows written (or returned) by the last run */
    uint64_t ms;          /* last run's duration, or elapsed while running */
    const char *error;    /* last run's error, or NULL */
} pd_sync_status;

typedef struct pd_sync pd_sync;

/* index: the job whose state changed. */
typedef void (*pd_sync_event_cb)(pd_sync *s, int index, void *ctx);
/* The refresh is over: ok when every job succeeded; err (borrowed) is set
 * when it failed as a whole (bad input found before running). */
typedef void (*pd_sync_done_cb)(pd_sync *s, bool ok, const pd_error *err,
                                void *ctx);

/* Returns-owned set of n jobs (specs copied), or NULL with err naming the
 * job and problem: duplicate names, unknown dependencies, a dependency
 * cycle, a bad lock string, a job of the wrong shape. base_dir resolves
 * relative load files and commands' working directory (NULL: "."). All
 * other objects are borrowed and must outlive it. max_concurrency < 1
 * means the pool's size. */
PD_MUSTCHECK pd_sync *pd_sync_new(uv_loop_t *loop, pd_pool *pool,
                                  pd_locks *locks, pd_retry_stats *stats,
                                  const pd_sync_spec *specs, int n,
                                  const char *base_dir, int max_concurrency,
                                  pd_error *err);
/* Frees; must not be called while a refresh runs. Accepts NULL. */
void pd_sync_free(pd_sync *s);

/* Starts refresh-all. Returns 0 and later calls on_event for each change
 * and on_done exactly once, never synchronously; returns PD_ESTATE ("a
 * refresh-all is already running", err set) and calls nothing. */
PD_MUSTCHECK int pd_sync_run_all(pd_sync *s, pd_sync_event_cb on_event,
                                 pd_sync_done_cb on_done, void *ctx,
                                 pd_error *err);

bool pd_sync_running(const pd_sync *s);
int pd_sync_count(const pd_sync *s);
pd_sync_status pd_sync_status_get(const pd_sync *s, int i);
/* A static name: "idle", "queued", "running", "retrying", "ok", "failed",
 * "skipped". */
const char *pd_sync_state_name(pd_sync_state st);

#endif
