/* commands.h: the shell's backslash commands, as tables.
 *
 * Each file of the shell that offers commands exports one table ending with
 * a {NULL} entry, and exec.c looks a command up in every table listed in its
 * `tables` array (add yours there). A command reads its arguments, does its
 * work through the session, and says how it ended. */
#ifndef SH_COMMANDS_H
#define SH_COMMANDS_H

#include <stdbool.h>
#include <stdio.h>

#include "core/core.h"
#include "core/query.h"
#include "core/result.h"
#include "shell/env.h"
#include "shell/exec.h"
#include "shell/format.h"

/* A command's return: 0 done, 1 failed (error printed), or SH_CMD_ASYNC
 * when it finishes later by calling sh_session_unit_done exactly once. */
#define SH_CMD_ASYNC (-1)

/* args: the rest of the line, blanks trimmed at both ends; borrowed. */
typedef int (*sh_cmd_fn)(sh_session *s, const char *args);

typedef struct sh_cmd {
    const char *name;  /* without the backslash: "timing", "d", "dt+" is
                          looked up as "dt" with the "+" left in name_tail */
    sh_cmd_fn fn;
    const char *usage; /* for \?: "\\timing [on|off]"; NULL hides it */
    const char *help;  /* one line for \? */
} sh_cmd;

extern const sh_cmd sh_session_commands[]; /* commands_session.c: \q
                                              \timing \x \a \t \c
                                              \conninfo \gather */
extern const sh_cmd sh_observe_commands[]; /* observe_cmds.c: \pool \slow
                                              \metrics \health \locks
                                              \retries */
extern const sh_cmd sh_psql_commands[]; /* commands.c: psql's own (\pset,
                                           \set, \g, \i, \o, \copy, ...) */
extern const sh_cmd sh_jobs_commands[];  /* jobs_cmd.c: \bg \jobs */
extern const sh_cmd sh_system_commands[]; /* commands_system.c: \!
                                             \setenv \encoding */
extern const sh_cmd sh_theme_commands[]; /* theme_cmd.c: \theme */

/* For commands: the session's pieces. All borrowed. */
pd_core *sh_session_core(sh_session *s);
FILE *sh_session_out(sh_session *s);
FILE *sh_session_err(sh_session *s);
/* What followed the command's name up to the first blank ("+", "S+", ...),
 * for commands such as \dt+; "" when nothing. Borrowed, valid during the
 * command. */
const char *sh_session_name_tail(const sh_session *s);

/* Ends the running unit of an SH_CMD_ASYNC command (status 0 or 1). */
void sh_session_unit_done(sh_session *s, int status);

/* Runs sql (with $n parameters) on the session's own connection, opening
 * it if needed, as pd_query_run does; cb gets the result (owned) or the
 * error (borrowed). Returns 0 and calls cb exactly once later, or non-zero
 * and never calls it. */
int sh_session_query(sh_session *s, const char *sql, int nparams,
                     const char *const *params, pd_fetch_cb cb, void *ctx);

/* Prints a result with the session's print settings, as SQL output is. */
void sh_session_print(sh_session *s, const pd_result *res);
/* Prints an error as psql would, with the session's file:line prefix. */
void sh_session_print_error(sh_session *s, const pd_error *err);

/* ---- For psql's own commands (commands.c), implemented in exec.c. ---- */

typedef struct sh_vars sh_vars;

/* The session's \set variables. Borrowed. */
sh_vars *sh_session_vars(sh_session *s);
/* The stream results went to before any \o (\echo writes there). */
FILE *sh_session_stdout(sh_session *s);
/* \o: results go to f from now on (takes f; NULL: back to the original
 * stream). A previous \o file is closed; a previous pipe is left to end
 * on its own. */
void sh_session_set_out(sh_session *s, FILE *f);
/* \o FILE, \o |COMMAND, \o: results go to f (a file), or pipe (a
 * command's; shell/cmdpipe.h), from now on; takes them; both NULL: back
 * to the original stream. The previous \o stream is closed; a pipe as
 * psql's pclose closes it, waiting for its command: then this returns
 * true and calls cb (status 0) once the command has exited. Otherwise it
 * returns false and never calls cb. */
struct sh_cmdpipe;
bool sh_session_replace_out(sh_session *s, FILE *f, struct sh_cmdpipe *pipe,
                            sh_exec_done_cb cb, void *ctx);
bool sh_session_is_interactive(const sh_session *s);
/* "pgdeck:FILE:LINE: " while a file runs, else NULL. Borrowed. */
const char *sh_session_err_prefix(const sh_session *s);
/* Prints a command's error as psql does: "PREFIXerror: MSG" in a file,
 * "MSG" at the prompt or from -c; a newline is added. */
void sh_session_errorf(sh_session *s, const char *fmt, ...) PD_PRINTF(2, 3);
/* The last error of a statement, or NULL. Borrowed. */
const pd_error *sh_session_last_error(const sh_session *s);
/* Returns-owned SQL typed in front of the running command ("SELECT 1
 * \gset": "SELECT 1 ", variables interpolated), or NULL. Not taken, it is
 * kept as the pending query buffer, as psql keeps it across "\x". */
char *sh_session_take_query_buf(sh_session *s);
/* The query buffer without taking it ("" when none). Borrowed. */
const char *sh_session_query_buf(const sh_session *s);
/* The last SQL the session sent ("" when none). Borrowed. */
const char *sh_session_last_sql(const sh_session *s);
/* Text (copied) to be read as if typed once the running unit ends (\e). */
void sh_session_feed_input(sh_session *s, const char *text);
/* psql's -P NAME[=VALUE]: \pset NAME VALUE, quietly. Returns 0, or 1
 * after \pset's message. */
int sh_commands_pset_arg(sh_session *s, const char *arg);
/* The environment the session's children get and its own variables are
 * read from (env.h): NULL until a \setenv, meaning the process's.
 * Borrowed, owned by the session. */
sh_env *sh_session_env(const sh_session *s);
/* The same, made from environ on first call, for \setenv to edit.
 * Borrowed, owned by the session. */
sh_env *sh_session_env_edit(sh_session *s);
/* \pset pager: 0 off, 1 when taller than the screen, 2 always. */
int sh_session_pager_mode(const sh_session *s);
void sh_session_set_pager_mode(sh_session *s, int mode);
/* Every command table (for \?); *n gets their number. Borrowed. */
const sh_cmd *const *sh_session_cmd_tables(size_t *n);

enum {
    SH_SQL_EXPANDED = 1u << 0, /* \gx: expanded output this once */
    SH_SQL_GSET = 1u << 1,     /* \gset: the last result into variables */
    SH_SQL_NO_PAGER = 1u << 2  /* never through the pager (\watch) */
};

typedef struct sh_sql_opts {
    unsigned flags;           /* SH_SQL_* */
    const char *gset_prefix;  /* SH_SQL_GSET: borrowed for the call */
    pd_copy_out_cb copy_out;  /* COPY TO STDOUT data; NULL: the output */
    void *copy_ctx;
    const char *copy_in;      /* COPY FROM STDIN data, borrowed until cb;
                                 NULL: such a COPY fails */
    size_t copy_in_len;
    /* \g FILE, \g |COMMAND: called once, at the first result with rows
     * (psql opens the file then, not before), for the stream the rows
     * (and COPY TO STDOUT data) go to, borrowed until cb; NULL after
     * printing why it cannot be opened (the rows are dropped and the SQL
     * fails). Command tags, notices and errors stay on the output. NULL:
     * rows go to the output. */
    FILE *(*rows_out)(void *rows_ctx);
    void *rows_ctx;
    const char *title; /* above each result's rows (\watch), borrowed
                          until cb; NULL none */
} sh_sql_opts;

/* From a running command: runs sql (borrowed) on the session's
 * connection as a SQL unit runs (results, notices, errors, \timing, the
 * pager, psql's ERROR/ROW_COUNT variables), then calls cb (status 0, 1,
 * or 2 when no connection) instead of ending the unit. o may be NULL.
 * Returns 0 and calls cb exactly once, later; or PD_ESTATE and never. */
int sh_session_run_sql(sh_session *s, const char *sql, const sh_sql_opts *o,
                       sh_exec_done_cb cb, void *ctx);
/* From a running command: runs one unit (SQL or command, \i's lines)
 * with err_prefix (copied, NULL none) for its errors, then restores the
 * command's state and calls cb. ON_ERROR_STOP is the caller's to apply.
 * Returns 0 and calls cb exactly once (possibly synchronously), or
 * PD_ESTATE and never calls it. */
int sh_session_run_nested(sh_session *s, const char *unit,
                          const char *err_prefix, sh_exec_done_cb cb,
                          void *ctx);

#endif
