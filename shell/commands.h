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

extern const sh_cmd sh_exec_commands[]; /* exec.c: \q \timing \x \a \t
                                           \conninfo \gather */

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

#endif
