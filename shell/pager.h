/* pager.h: psql's pager, for output taller than the terminal.
 *
 * The rules are psql's: PSQL_PAGER, else PAGER, else a default ("less -S"
 * when less is installed, else "more"); a variable set to blanks only
 * means no pager. The command runs through /bin/sh (it may hold options,
 * "pspg -s 6"), reads the text on a pipe and owns the terminal until it
 * exits; the shell waits for that on the loop, never blocking. */
#ifndef SH_PAGER_H
#define SH_PAGER_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

#include "shell/env.h"

/* The pager command to use, or NULL for none, read from env (the
 * session's, sh_session_env; NULL: the process's). Borrowed (env's or a
 * static string), valid until env changes. */
const char *sh_pager_command(const sh_env *env);

/* Rows of the terminal on stdout; 0 when stdout is not a terminal. */
int sh_pager_term_rows(void);

/* True when output of lines lines goes through the pager: both stdin
 * and stdout are terminals and mode is 2 ("always"), or mode is 1 and
 * the output does not fit the terminal (psql's \pset pager). */
bool sh_pager_wanted(int mode, size_t lines);

typedef void (*sh_pager_done_cb)(void *ctx);

/* Runs cmd (borrowed) through /bin/sh with text on its standard input
 * (len bytes, malloc'ed; taken on success), the terminal as its output
 * and env (borrowed for the call, sh_env_vector; NULL: ours) as its
 * environment. SIGPIPE is ignored while it runs (the pager may
 * quit before reading everything). Returns 0 and calls cb exactly once,
 * never synchronously, after the pager has exited and every handle is
 * closed; or returns a negative uv error, leaves text to the caller and
 * never calls cb. */
int sh_pager_run(uv_loop_t *loop, const char *cmd, char **env, char *text,
                 size_t len, sh_pager_done_cb cb, void *ctx);

#endif
