/* demo.h: the embedded demo database.
 *
 * A private PostgreSQL cluster made on first use with the installed server's
 * initdb, run with pg_ctl, listening only on its own Unix socket directory
 * and one loopback port, and loaded with the demo schema and data (markets,
 * users, accounts, positions, logs) through the core's own query API.
 *
 * Where things live:
 *   state dir   $XDG_STATE_HOME/pgdeck/demo (default ~/.local/state/...):
 *               "state" (mode 0600: data dir, socket dir, port, user,
 *               bindir, complete flag), "lock" (flock, one operation
 *               at a time) and "config.json" (mode 0600: the demo
 *               config, rewritten at each start: the server's address,
 *               syncs, panels, slow log threshold; `pgdeck --demo`
 *               loads it). Always owned by the invoking user.
 *   demo files  markets.json and fetch-prices, shipped in the
 *               repository's demo/ and named by the demo config:
 *               $PGDECK_DEMO_DIR, else <executable's dir>/demo, else
 *               <executable's dir>/../share/pgdeck/demo, else
 *               PD_PREFIX/share/pgdeck/demo (PD_PREFIX: /usr/local).
 *   cluster     <state dir>/cluster/{data,run,server.log} for a normal
 *               user. As root the server runs as the `postgres` system
 *               user, which cannot traverse /root: the cluster then lives
 *               in a fresh postgres-owned directory, ~postgres/pgdeck-demo-
 *               XXXXXX (or /tmp/... when that home is unusable), and the
 *               state file points at it.
 *
 * Every program (pg_config, initdb, pg_ctl) runs with uv_spawn, argv
 * without a shell; file work runs on libuv's thread pool; waits are uv
 * timers; readiness is a non-blocking pd_conn connect. Nothing blocks the
 * loop thread. A cluster whose creation failed is removed again. */
#ifndef PD_DEMO_H
#define PD_DEMO_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "core/error.h"

/* Progress note ("creating the demo cluster in ..."); msg borrowed. */
typedef void (*pd_demo_progress_cb)(const char *msg, void *ctx);

typedef struct pd_demo_opts {
    const char *state_dir; /* NULL: $XDG_STATE_HOME/pgdeck/demo, else
                              $HOME/.local/state/pgdeck/demo */
    const char *bindir;    /* server binaries; NULL: $PGDECK_PG_BINDIR,
                              else pg_config --bindir, else the newest
                              /usr/lib/postgresql/N/bin, else $PATH */
    int port;              /* 0: keep the recorded port while it is free,
                              else pick a free one; $PGDECK_DEMO_PORT
                              when 0. A port given here that is in use is
                              an error. */
    uint32_t timeout_ms;   /* bound on waiting for the server, 0: 60 s */
    pd_demo_progress_cb progress; /* optional */
    void *progress_ctx;
} pd_demo_opts;

typedef enum pd_demo_state {
    PD_DEMO_ABSENT = 0, /* no cluster made yet */
    PD_DEMO_STOPPED,    /* made, server not running */
    PD_DEMO_RUNNING     /* server accepts connections */
} pd_demo_state;

/* What an operation found or did. Strings are borrowed: valid until the
 * callback returns; NULL when unknown. */
typedef struct pd_demo_info {
    pd_demo_state state;
    bool created;           /* this call made the cluster */
    bool started;           /* this call started the server */
    bool stopped;           /* this call stopped the server */
    long pid;               /* postmaster pid, 0 when not running */
    int port;               /* 0 when unknown */
    const char *conninfo;   /* "host=SOCKDIR port=N dbname=pgdeck_demo
                               user=U" (values quoted when needed) */
    const char *data_dir;
    const char *socket_dir;
    const char *state_dir;
    const char *log_file;   /* the server log */
    const char *config_file; /* the demo config, when it exists */
} pd_demo_info;

/* Called once per operation. info is borrowed (always non-NULL; filled as
 * far as known even on error); err is borrowed and NULL on success, else a
 * one-line message saying what went wrong and what to do. */
typedef void (*pd_demo_cb)(const pd_demo_info *info, const pd_error *err,
                           void *ctx);

/* Makes the cluster if needed (initdb, schema, data), starts the server if
 * it is not running (a stale pid file is removed, a busy port replaced),
 * waits until it accepts connections, adds what later versions added to
 * the schema (pd_demo_upgrade_sql) and writes the demo config. A second
 * start changes nothing else. On a
 * failure while making the cluster, everything made is removed again.
 * opts may be NULL (all defaults; borrowed for the call). Returns 0 and
 * calls cb exactly once, never synchronously; or returns PD_EINVAL (cb
 * NULL) and never calls it. */
PD_MUSTCHECK int pd_demo_start(uv_loop_t *loop, const pd_demo_opts *opts,
                               pd_demo_cb cb, void *ctx);

/* Stops the server (pg_ctl stop -m fast). Stopping a stopped or absent
 * cluster succeeds and says so (info->stopped false). Same return and
 * callback contract as pd_demo_start. */
PD_MUSTCHECK int pd_demo_stop(uv_loop_t *loop, const pd_demo_opts *opts,
                              pd_demo_cb cb, void *ctx);

/* Reports ABSENT, STOPPED or RUNNING (a live postmaster that accepts a
 * connection). Needs no server binaries. Same contract as pd_demo_start. */
PD_MUSTCHECK int pd_demo_status(uv_loop_t *loop, const pd_demo_opts *opts,
                                pd_demo_cb cb, void *ctx);

/* Stops the server if running and removes the cluster and the state dir.
 * Same contract as pd_demo_start. */
PD_MUSTCHECK int pd_demo_destroy(uv_loop_t *loop, const pd_demo_opts *opts,
                                 pd_demo_cb cb, void *ctx);

/* The demo database's name. */
#define PD_DEMO_DBNAME "pgdeck_demo"

/* The demo schema and data, one simple-protocol string (core/demo_sql.c):
 * run in database PD_DEMO_DBNAME as one implicit transaction. */
extern const char pd_demo_sql[];

/* What the syncs, panels and workload need beyond pd_demo_sql (prices,
 * the open_positions materialized view, markets' change columns), added
 * to clusters made before them: idempotent, one simple-protocol string,
 * taking no lock when everything is already there. Run at every start. */
extern const char pd_demo_upgrade_sql[];

/* ---------- the background workload (core/demo_workload.c) ---------- */

struct pd_core;

/* A light load on the demo database so that every dashboard panel moves
 * by itself: a few statements a second (point reads of markets, price
 * ticks, position updates), now and then a query slower than the slow
 * log's threshold, a failing statement and a refresh of open_positions,
 * every ~10 s a transaction that locks an accounts row for ~3 s while
 * two updates of that row wait for it (a blocking tree for the Locks
 * panel), and every ~20 s two transfers that deadlock, one retried (the
 * Retries panel). Everything goes through the core's pool with source
 * "bench", driven by uv timers on the core's loop. */
typedef struct pd_demo_workload pd_demo_workload;

typedef struct pd_demo_workload_opts {
    uint32_t tick_ms;       /* between steady statements; 0: 250 */
    uint32_t lock_every_ms; /* between lock-holder episodes; 0: 10000 */
    uint32_t lock_hold_ms;  /* how long the row stays locked; 0: 3000 */
} pd_demo_workload_opts;

/* Starts the workload on core (borrowed: it must outlive the workload)
 * against whatever database the core's pool reaches: meant for the demo
 * database, whose tables it uses. opts may be NULL (the defaults; copied).
 * The first statements go out on later loop turns, never from this call.
 * Returns-owned, never NULL: end it with pd_demo_workload_free. */
pd_demo_workload *pd_demo_workload_start(struct pd_core *core,
                                         const pd_demo_workload_opts *opts);

/* Stops the workload and frees it: no new statement is sent, a held row
 * lock is rolled back at once, and core's loop is run until every
 * statement still out has called back (bounded by their timeouts; past
 * 20 s the object is leaked rather than freed under a callback). Call it
 * with the loop idle (not from a loop callback), before pd_core_free.
 * Accepts NULL. */
void pd_demo_workload_free(pd_demo_workload *w);

#endif
