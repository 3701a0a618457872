/* repl.h: the interactive shell, `pgdeck shell`.
 *
 * Reads lines on the core's loop (GNU readline's callback interface on a
 * terminal, plain reads otherwise, as psql reads a pipe), splits them into
 * units with core/sqlsplit and runs each with sh_exec_unit, one at a time.
 * Prompts are psql's: "db=> ", "db-> ", "db'> ", ... with '*' or '!' for a
 * transaction in progress or failed. Ctrl-C clears the line at the prompt
 * and cancels a running statement; Ctrl-D on an empty line quits. */
#ifndef SH_REPL_H
#define SH_REPL_H

#include "core/core.h"
#include "shell/exec.h"

/* Runs the shell on core's loop (pd_core_run) until \q or the end of
 * input. core and s are borrowed. Stops the core's loop when done and
 * closes every handle it opened before returning. Returns the exit
 * status: 0 after \q or end of input, 1 when input could not be read. */
int sh_repl_run(pd_core *core, sh_session *s);

#endif
