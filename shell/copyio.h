/* copyio.h: \copy, psql's COPY with the data on the client side.
 *
 * "\copy TABLE [(COLS)] | (QUERY)  TO | FROM  'FILE' | FILE | STDOUT |
 * PSTDOUT | STDIN | PSTDIN  [[WITH] (OPTIONS)]" becomes "COPY ... TO
 * STDOUT ..." (or FROM STDIN) sent over the session's connection; the
 * rows go to or come from the file, which is opened, written and closed
 * with uv_fs on the thread pool, never on the loop thread. psql prints
 * "COPY n" at the end, and so does \copy. */
#ifndef SH_COPYIO_H
#define SH_COPYIO_H

#include "shell/exec.h"

/* A command function (commands.h): args is everything after "\copy",
 * borrowed. Returns 1 with psql's message for bad arguments, or
 * SH_CMD_ASYNC and ends the unit itself. */
int sh_copyio_run(sh_session *s, const char *args);

/* 1 when unit (borrowed: SQL or a command line) reads its data from the
 * input after it, as psql's "COPY ... FROM STDIN;" and "\\copy ... from
 * stdin" (or pstdin) do in a script, piped input or at the prompt; else
 * 0. The input reader then hands those lines to the unit
 * (sh_session_set_copy_data) rather than splitting them. */
int sh_copyio_reads_input(const char *unit);

#endif
