/* commands_internal.h: the internals of psql's own commands (the table
 * sh_psql_commands), shared by their files and included by no other but
 * commands_session.c and session_connect.c (\x \t \a are \pset's, and
 * \timing and \c read their arguments with the same helpers).
 *
 *   commands.c         the table, \?, \errverbose, \copy, and what the
 *                      other files share: arguments, files on the
 *                      thread pool;
 *   commands_output.c  output settings: \pset, \o;
 *   commands_vars.c    variables and echo: \set, \unset, \echo, \qecho,
 *                      \warn;
 *   commands_buffer.c  the query buffer: \g, \gx, \gset, \p, \r;
 *   commands_input.c   input: \i, \ir, \e, \watch;
 *   commands_system.c  the process's surroundings: \!, \setenv,
 *                      \encoding (a table of its own,
 *                      sh_system_commands).
 *
 * Every command function is an sh_cmd_fn (see commands.h). All of them
 * run on the loop thread and none blocks it. */
#ifndef SH_COMMANDS_INTERNAL_H
#define SH_COMMANDS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <uv.h>

#include "shell/commands.h"

/* ---- arguments (commands.c) ---- */

/* The next argument at *p with psql's rules (quotes, :var interpolation),
 * or NULL when none is left; *p moves past it. Returns-owned. */
char *sh_commands_next_arg(sh_session *s, const char **p);
/* psql's warning for each argument at p that command cmd does not take:
 * "\cmd: extra argument "a" ignored". */
void sh_commands_extra_args(sh_session *s, const char *cmd, const char *p);
/* Returns-owned path with a leading "~/" expanded, as psql's
 * expand_tilde. */
char *sh_commands_expand_tilde(const char *path);

/* ---- children with the terminal (commands.c) ---- */

/* Starts "/bin/sh -c cmd" (cmd borrowed) in proc (its data set by the
 * caller) with our standard input, output and error and the session's
 * environment (sh_cmdpipe_spawn), after flushing what we printed.
 * Returns uv_spawn's code: 0 and exit_cb runs once the child
 * ends; negative and proc must still be closed with uv_close. */
int sh_commands_spawn_sh(sh_session *s, uv_process_t *proc, const char *cmd,
                         uv_exit_cb exit_cb);

/* ---- files, on the thread pool (commands.c) ---- */

enum { OP_READ, OP_OPEN_WRITE, OP_WRITE_TEMP };

typedef struct fileop fileop;
/* Called on the loop thread once op has run; the callback owns op (free
 * it with sh_commands_fileop_free). */
typedef void (*fileop_cb)(fileop *op);

/* One file operation run on libuv's thread pool. */
struct fileop {
    uv_work_t work;
    int kind;       /* OP_* */
    char *path;     /* owned; OP_WRITE_TEMP: a mkstemps template, filled */
    char *data;     /* owned: what was read, or what to write */
    size_t len;
    bool unlink;    /* OP_READ: remove the file once read */
    FILE *f;        /* OP_OPEN_WRITE: the stream, owned until taken */
    int err;        /* errno of the failure, 0 on success */
    fileop_cb cb;
    void *ctx;
};

/* A new operation of kind (OP_*) on path (copied), not yet started. */
fileop *sh_commands_fileop_new(int kind, const char *path, fileop_cb cb,
                               void *ctx);
/* Starts op (takes it). Returns 0 and calls op->cb later, or non-zero
 * with op freed and cb never called. */
int sh_commands_fileop_start(sh_session *s, fileop *op);
/* Frees op, closing a stream not taken. Accepts NULL. */
void sh_commands_fileop_free(fileop *op);

/* ---- the query buffer (commands_buffer.c) ---- */

/* The query to run: the buffer in front of the command, else the last
 * query, as psql. Returns-owned, NULL when both are empty. */
char *sh_commands_query_to_run(sh_session *s);

/* ---- the commands ---- */

int sh_commands_pset(sh_session *s, const char *args);  /* output */
/* Sets \pset option name to value (NULL: toggles, as \pset NAME) and,
 * unless quiet, says the new value as psql does: for \pset, \x, \t, \a,
 * and quietly for \g (NAME=VALUE ...). 0, or 1 after psql's message. */
int sh_commands_pset_set(sh_session *s, const char *name, const char *value,
                         bool quiet);
int sh_commands_o(sh_session *s, const char *args);
int sh_commands_set(sh_session *s, const char *args);   /* vars */
int sh_commands_unset(sh_session *s, const char *args);
int sh_commands_echo(sh_session *s, const char *args);
int sh_commands_qecho(sh_session *s, const char *args);
int sh_commands_warn(sh_session *s, const char *args);
int sh_commands_g(sh_session *s, const char *args);     /* buffer */
int sh_commands_gx(sh_session *s, const char *args);
int sh_commands_gset(sh_session *s, const char *args);
int sh_commands_p(sh_session *s, const char *args);
int sh_commands_r(sh_session *s, const char *args);
int sh_commands_i(sh_session *s, const char *args);     /* input */
int sh_commands_ir(sh_session *s, const char *args);
int sh_commands_e(sh_session *s, const char *args);
int sh_commands_watch(sh_session *s, const char *args);

#endif
