/* exec.h: running one unit of shell input.
 *
 * A session is what psql calls a connection plus its settings: it holds one
 * pool connection for its SQL (so BEGIN ... COMMIT, SET and temp tables
 * behave as in psql), the print settings, and the streams it writes to.
 * A unit is one complete SQL statement (or -c string) or one backslash
 * command; splitting input into units is the caller's job (core/sqlsplit). */
#ifndef SH_EXEC_H
#define SH_EXEC_H

#include <stdbool.h>
#include <stdio.h>

#include "core/core.h"
#include "shell/format.h"

typedef struct sh_session sh_session;

/* Returns-owned session on core (borrowed, must outlive it). out and err
 * are borrowed streams for results and errors. */
sh_session *sh_session_new(pd_core *core, FILE *out, FILE *err);
void sh_session_free(sh_session *s);

/* The print settings, for \pset and command-line flags. Borrowed. */
sh_print_opts *sh_session_print_opts(sh_session *s);
/* Prefix for error lines, e.g. "pgdeck:file.sql:3: " (copied; NULL none). */
void sh_session_set_err_prefix(sh_session *s, const char *prefix);
/* Called by the line reader (shell/repl.c) for its input: a person at a
 * prompt (some messages differ, as in psql), or else a script read from
 * standard input, which a lost connection ends with status 2, as psql's
 * main loop ends. -c strings never call it: psql's -c goes on without a
 * connection. */
void sh_session_set_interactive(sh_session *s, bool interactive);
/* True once \q was run. */
bool sh_session_quit_requested(const sh_session *s);
/* PQTRANS_* of the session's connection, for the prompt's * and ! marks
 * (PQTRANS_IDLE when no connection is held yet). */
int sh_session_txn_status(const sh_session *s);
/* The session's connection is a superuser's (psql's '#' in the prompt);
 * false while it holds none. */
bool sh_session_is_superuser(const sh_session *s);
/* The server's version string ("15.18"), or NULL while no connection is
 * held. Borrowed, valid until the connection changes. */
const char *sh_session_server_version(const sh_session *s);
/* Database name for prompts. Borrowed. */
const char *sh_session_dbname(const sh_session *s);
/* Cancels the statement running in this session, if any (Ctrl-C). */
void sh_session_cancel(sh_session *s);
/* After a unit, what goes back into the caller's input, returns-owned or
 * NULL: the SQL a command left in the query buffer ("SELECT 1 \x": put
 * it back with pd_sqlsplit_set_pending), and text to read as if typed
 * (\e's edited buffer: pd_sqlsplit_feed). */
char *sh_session_take_pending(sh_session *s);
char *sh_session_take_feed(sh_session *s);

/* False once the session has no connection (a failed \c, or a failed
 * reset after a lost one): psql's "!>" prompt. */
bool sh_session_has_conn(const sh_session *s);
/* COPY ... FROM STDIN data for the next unit (sh_copyio_reads_input):
 * data (borrowed until that unit's cb has been called; len bytes) is
 * sent when the server asks for it. NULL: none (such a COPY fails). */
void sh_session_set_copy_data(sh_session *s, const char *data, size_t len);
/* The running unit's COPY data, or NULL; *len gets its length.
 * Borrowed. */
const char *sh_session_copy_data(const sh_session *s, size_t *len);

/* status: 0 success, 1 the unit failed (error already printed). */
typedef void (*sh_exec_done_cb)(int status, void *ctx);

/* Runs one unit: SQL (sent as one simple-protocol string, as psql -c does)
 * or a backslash command. Returns 0 and calls cb exactly once, possibly
 * synchronously for a backslash command that needs no server; returns
 * PD_ESTATE (a unit is already running) and never calls it. */
int sh_exec_unit(sh_session *s, const char *unit, sh_exec_done_cb cb,
                 void *ctx);

#endif
