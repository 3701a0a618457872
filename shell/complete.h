/* complete.h: tab completion for the shell.
 *
 * A catalog cache (keywords from pg_get_keywords, schemas, tables, views,
 * sequences, their columns, visible functions) is loaded with one query
 * on the pool when the shell starts, without waiting for it: until it
 * arrives, completion offers backslash commands and file names only.
 * Candidates by context, as psql's: backslash commands after "\", file
 * names after \i \ir \o \copy ... from/to and \batch, relations after
 * FROM, JOIN, INTO, UPDATE, TABLE and the \d commands, "schema.relation"
 * and "table.column" (or "alias.column") after a dot, columns of the
 * tables named in the statement (and functions and keywords) elsewhere
 * in an expression, keywords otherwise.
 *
 * Readline's completion hooks run in callback mode from
 * rl_callback_read_char on the loop thread; readline being a process-wide
 * singleton, one completer is installed at a time. */
#ifndef SH_COMPLETE_H
#define SH_COMPLETE_H

#include <stddef.h>

#include "core/core.h"
#include "shell/exec.h"

typedef struct sh_complete sh_complete;

/* The statement text typed on earlier lines (borrowed, "" when none). */
typedef const char *(*sh_complete_pending_fn)(void *ctx);

/* Returns-owned completer; starts loading the catalog on core's pool
 * (core borrowed, must outlive the load). s (borrowed) gives the command
 * tables. */
sh_complete *sh_complete_new(pd_core *core, sh_session *s);

/* Makes c readline's completer; pending (may be NULL) supplies the
 * earlier lines of a multi-line statement. */
void sh_complete_install(sh_complete *c, sh_complete_pending_fn pending,
                         void *ctx);

/* Uninstalls and frees c; a catalog load still in flight frees it when
 * it ends. Accepts NULL. */
void sh_complete_free(sh_complete *c);

/* Returns-owned NULL-terminated candidates for the word text, given the
 * input before the word (before, borrowed): what the readline hook
 * offers, for tests. */
char **sh_complete_candidates(sh_complete *c, const char *before,
                              const char *text);

/* Number of relations in the cache (0 until it has loaded). */
size_t sh_complete_nrelations(const sh_complete *c);

#endif
