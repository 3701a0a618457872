/* sync_int.h: the sync module's internals, shared by its files and never
 * included outside core/.
 *
 *   sync.c        the sync object, the specs, the scheduler, running one
 *                 job (locks, command, transaction), pd_sync_run_all;
 *   sync_check.c  before anything runs: the load files read and parsed
 *                 on the thread pool, the tables and columns checked
 *                 against the catalog, bad input failing every job.
 *
 * Everything runs on the loop thread, except what sync_check.c marks as
 * running on the thread pool. */
#ifndef PD_SYNC_INT_H
#define PD_SYNC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "core/error.h"
#include "core/locks.h"
#include "core/pool.h"
#include "core/retry.h"
#include "core/strbuf.h"
#include "core/sync.h"
#include "core/sync_load.h"
#include "core/txn.h"

typedef struct lockreq {
    char *resource;     /* owned */
    pd_lock_mode mode;
} lockreq;

typedef struct job {
    pd_sync *s;
    int index;
    /* the spec, copied */
    char *name, *file, *table, *path;  /* path: file resolved */
    pd_sync_kind kind;
    char **sql;
    int nsql;
    char **argv;           /* NULL-terminated */
    char **key;
    int nkey;
    lockreq *locks;
    int nlocks;
    int *deps;             /* indices */
    int ndeps;
    uint32_t timeout_ms;
    pd_retry_policy retry;
    char *source;          /* "sync:NAME" */
    /* the current run */
    pd_sync_state state;
    unsigned attempts;
    int64_t rows, rows_try;
    uint64_t t0, ms;
    char *error;
    char *cols;            /* COMMAND: the table's columns, "\n"-separated */
    pd_sync_rows *data;    /* LOAD/COMMAND rows */
    pd_locks_owner *owner;
    int next_lock;
    pd_txn *txn;
    int stmt;              /* next statement (SQL) */
    size_t off;            /* next row (LOAD/COMMAND) */
    char *full_sql, *last_sql; /* upserts for a full and a last batch */
    size_t last_n;
    uv_work_t work;        /* reading and parsing the load file */
    pd_error werr;         /* the worker's error */
} job;

struct pd_sync {
    uv_loop_t *loop;
    pd_pool *pool;
    pd_locks *locks;
    pd_retry_stats *stats;
    char *base_dir;
    int max_active;
    job *jobs;
    int n;
    bool running;
    int active, pending_reads;
    pd_locks_owner *all_owner;   /* holds "refresh-all" during a refresh */
    pd_strbuf bad;               /* validation failures, one per line */
    char *tables_sql_param;      /* $1 of the catalog check */
    pd_sync_event_cb on_event;
    pd_sync_done_cb on_done;
    void *ctx;
};

/* sync.c */
/* Sets j's state and tells the refresh's event callback. */
void pd_sync_set_state(job *j, pd_sync_state st);
/* The refresh ends: releases "refresh-all" and calls on_done. */
void pd_sync_finish(pd_sync *s, const pd_error *err);
/* Starts the jobs whose dependencies are done, up to max_concurrency;
 * finishes the refresh when nothing is left. */
void pd_sync_schedule(pd_sync *s);

/* sync_check.c */
/* A column the table does not have makes the whole job bad input: 0, or
 * PD_EINVAL with err set. cols: the table's columns, "\n"-separated. */
int pd_sync_check_columns(const job *j, const pd_sync_rows *rows,
                          const char *cols, pd_error *err);
/* "refresh-all" is held (a pd_locks_acquire callback): reads the load
 * files, then checks the catalog, then schedules or fails every job. */
void pd_sync_all_locked(pd_lock *lock, const pd_error *err, void *ctx);

#endif
