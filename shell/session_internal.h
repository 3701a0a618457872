/* session_internal.h: the shell session's state, shared by the files that
 * make up the session: exec.c (running units), session_output.c (how
 * SQL results are shown: streaming, paging, \g's file, \gset),
 * session.c (its settings and streams), dispatch.c (finding a backslash
 * command), commands_session.c and session_connect.c (the commands that
 * act on the session itself) and jobs.c (\bg jobs, which connect as the
 * session does).
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
    struct sh_cmdpipe *out_pipe; /* owned: \o |COMMAND's pipe (out is its
                              stream), or NULL */
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
    bool no_conn;          /* a \c failed outside the prompt: no
                              connection until a \c succeeds (psql's
                              pset.db == NULL) */
    bool stdin_script;     /* the line reader's input is no terminal: a
                              lost connection ends it (status 2) */
    char *st_buf;          /* st_page's buffer */
    size_t st_len;
    /* \g FILE or |COMMAND (sqlo.rows_out): where the rows go */
    FILE *rows_f;          /* borrowed from rows_out, once asked; NULL
                              when it could not open */
    bool rows_asked;       /* rows_out was called */
    /* \gset streamed: its statement's first row and how many came */
    pd_result *gs_row;     /* owned copy (no rows yet: the columns), or
                              NULL before the statement's rows */
    size_t gs_rows;
    const char *copy_data; /* borrowed: the unit's COPY FROM STDIN data
                              from the input (sh_session_set_copy_data),
                              or NULL */
    size_t copy_len;
    char *lost_msg;        /* owned: the server's FATAL to the idle
                              connection, said with the next statement */
    char *restrict_key;    /* owned: \restrict's key, or NULL */
    struct sh_jobs *jobs;  /* owned: \bg jobs (jobs.c), made on first use;
                              NULL before */
    struct sh_env *env;    /* owned: the children's environment as
                              \setenv left it (env.h), made on the first
                              \setenv; NULL before: the process's */
};


/* Rows per chunk of a streamed result (psql's FETCH_COUNT; \set
 * FETCH_COUNT n changes it). */
#define STREAM_CHUNK_ROWS 1000
/* Output held for the pager beyond which the rest streams unpaged. */
#define STREAM_PAGE_CAP (4u << 20)

/* exec.c: ends the running SQL once its output is shown: its error,
 * \timing, then the unit or the command that ran it. */
void sh_exec_sql_finish(sh_session *s, int status);
/* session_output.c: starts s->sql on s->conn (idle) as s->sqlo says,
 * its results shown as they come (see the file's top). Returns 0 and
 * ends with sh_exec_sql_finish, later; or PD_ESTATE (the connection
 * cannot send) and nothing happens. */
int sh_session_output_start(sh_session *s);
/* session_output.c: psql's ERROR, SQLSTATE, ROW_COUNT, LAST_ERROR_*
 * variables after a statement (err borrowed, NULL on success; rows -1
 * when it counts none), and the error \errverbose shows. */
void sh_session_output_record(sh_session *s, int64_t rows,
                              const pd_error *err);
/* exec.c: gives the session's connection back (the pool's) or closes it
 * (after \c, the session's own). */
void sh_exec_drop_conn(sh_session *s);
/* exec.c: gets the session a connection: the pool's, or after \c a new
 * one of its own to that database. Calls cb as pd_pool_acquire does. */
int sh_exec_get_conn(sh_session *s, pd_conn_ready_cb cb, void *ctx);
/* exec.c: the first step of every sh_exec_get_conn answer. Without err,
 * conn (now the session's, borrowed from the pool or owned after \c)
 * becomes the held connection, its notices printed as psql's: true.
 * With err, a connection of \c's own is closed: false. */
bool sh_exec_adopt_conn(sh_session *s, pd_conn *conn, const pd_error *err);
/* exec.c: NOTICE and WARNING to stderr, as psql prints them; ctx is the
 * session. */
void sh_exec_on_notice(pd_conn *c, const PGresult *res, void *ctx);
/* exec.c: "Time: N ms" when \timing is on. */
void sh_exec_print_timing(sh_session *s);
/* exec.c: prints every result of a chain with the session's settings. */
void sh_exec_print_chain(sh_session *s, const pd_result *r);
/* session_connect.c: \c (\connect, as typed) and \conninfo; command
 * functions (see commands.h). */
int sh_session_connect_c(sh_session *s, const char *args);
int sh_session_connect_connect(sh_session *s, const char *args);
int sh_session_connect_info(sh_session *s, const char *args);
/* session_backtick.c: runs a backslash command line (borrowed) as
 * sh_dispatch_backslash does, after running the `commands` in its
 * arguments and putting their outputs in place (psql's backquotes);
 * returns as a sh_cmd_fn does. */
int sh_session_backtick_dispatch(sh_session *s, const char *line);
/* session_restrict.c: \restrict and \unrestrict. */
extern const sh_cmd sh_restrict_commands[];
/* session_restrict.c: true when the command line (borrowed, "\name
 * ...") is refused: \restrict is on and it is no \unrestrict. */
bool sh_session_restricted(const sh_session *s, const char *line);
/* dispatch.c: runs a backslash command line; returns as a sh_cmd_fn
 * does. */
int sh_dispatch_backslash(sh_session *s, const char *line);

#endif
