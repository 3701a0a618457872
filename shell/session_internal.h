/* session_internal.h: the shell session's state, shared by the files that
 * make up the session: exec.c (running units: SQL, streaming, paging),
 * session.c (its settings and streams), dispatch.c (finding a backslash
 * command), commands_session.c (the commands that act on the session
 * itself) and jobs.c (\bg jobs, which connect as the session does).
 * Everything else goes through exec.h and commands.h. */
#ifndef SH_SESSION_INTERNAL_H
#define SH_SESSION_INTERNAL_H

#include <stdint.h>

#include "core/conn.h"
#include "core/conninfo.h"
#include "core/error.h"
#include "shell/commands.h"
#include "shell/vars.h"

struct sh_session {
    pd_core *core;         /* borrowed */
    FILE *out, *err;       /* borrowed */
    sh_print_opts popts;   /* owned strings inside */
    char *err_prefix;      /* owned, or NULL */
    pd_conn *conn;         /* held pool connection, or NULL */
    bool busy;             /* a unit is running */
    bool quit;             /* \q seen */
    bool timing;           /* \timing on */
    bool interactive;      /* input comes from a person at a prompt */
    const char *name_tail; /* modifiers after a command's name ("+") */
    char *sql;             /* owned text of the running SQL unit */
    uint64_t start_ns;     /* when the running unit started */
    sh_exec_done_cb cb;    /* completion of the running unit */
    void *ctx;
    /* psql's own commands (commands.c) */
    sh_vars *vars;         /* owned: \set variables */
    FILE *base_out;        /* borrowed: out as given; \o goes back to it */
    pd_error last_err;     /* the last error, for \errverbose */
    char *last_sql;        /* owned: the last SQL sent, or NULL */
    char *qbuf;            /* owned: SQL in front of the running command */
    char *back_pending;    /* owned: a query buffer left unused, or NULL */
    char *back_feed;       /* owned: text to read as if typed, or NULL */
    int depth;             /* units nested in a running command (\i) */
    int pager_mode;        /* \pset pager: 0 off, 1 on, 2 always */
    bool paging;           /* the pager shows the running SQL's output */
    bool sql_failed;       /* the running SQL failed (last_err is set) */
    sh_sql_opts sqlo;      /* how the running SQL prints; gset_prefix
                              owned */
    sh_exec_done_cb sql_cb; /* a command's SQL ends here, not the unit */
    void *sql_ctx;
    /* the running SQL's streamed output (on_sql_chunk) */
    bool st_cont;          /* a statement's table is open (header shown) */
    size_t st_prior;       /* its rows printed so far */
    int64_t st_rows;       /* the last statement's rows, for ROW_COUNT */
    FILE *st_page;         /* output held for the pager, or NULL */
    pd_conninfo *own_ci;   /* owned: after \c, the session's own
                              database (its connection is not the pool's);
                              NULL: the pool's */
    char *st_buf;          /* st_page's buffer */
    size_t st_len;
    struct sh_jobs *jobs;  /* owned: \bg jobs (jobs.c), made on first use;
                              NULL before */
};


/* Rows per chunk of a streamed result (psql's FETCH_COUNT; \set
 * FETCH_COUNT n changes it). */
#define STREAM_CHUNK_ROWS 1000
/* Output held for the pager beyond which the rest streams unpaged. */
#define STREAM_PAGE_CAP (4u << 20)

/* exec.c: gives the session's connection back (the pool's) or closes it
 * (after \c, the session's own). */
void sh_exec_drop_conn(sh_session *s);
/* exec.c: gets the session a connection: the pool's, or after \c a new
 * one of its own to that database. Calls cb as pd_pool_acquire does. */
int sh_exec_get_conn(sh_session *s, pd_conn_ready_cb cb, void *ctx);
/* exec.c: NOTICE and WARNING to stderr, as psql prints them; ctx is the
 * session. */
void sh_exec_on_notice(pd_conn *c, const PGresult *res, void *ctx);
/* exec.c: "Time: N ms" when \timing is on. */
void sh_exec_print_timing(sh_session *s);
/* exec.c: prints every result of a chain with the session's settings. */
void sh_exec_print_chain(sh_session *s, const pd_result *r);
/* dispatch.c: runs a backslash command line; returns as a sh_cmd_fn
 * does. */
int sh_dispatch_backslash(sh_session *s, const char *line);

#endif
