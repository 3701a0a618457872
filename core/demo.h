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
 *               bindir, complete flag) and "lock" (flock, one operation
 *               at a time). Always owned by the invoking user.
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
} pd_demo_info;

/* Called once per operation. info is borrowed (always non-NULL; filled as
 * far as known even on error); err is borrowed and NULL on success, else a
 * one-line message saying what went wrong and what to do. */
typedef void (*pd_demo_cb)(const pd_demo_info *info, const pd_error *err,
                           void *ctx);

/* Makes the cluster if needed (initdb, schema, data), starts the server if
 * it is not running (a stale pid file is removed, a busy port replaced) and
 * waits until it accepts connections. A second start is a no-op. On a
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

#endif
