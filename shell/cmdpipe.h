/* cmdpipe.h: a shell command on a pipe, driven by the loop.
 *
 * What psql does with popen for \g |COMMAND, \o |COMMAND, backquotes and
 * \copy ... PROGRAM: COMMAND runs through /bin/sh with a real pipe (a
 * FIFO, as popen gives) as its standard input or output; its other
 * streams are ours (the terminal). psql blocks in fwrite and pclose; here
 * writes are queued and go out as the pipe takes them, reads collect what
 * the command prints, and the end (pclose) is a callback once the command
 * has exited and every handle is closed, so the loop never waits.
 *
 * A writer's queue is not bounded: a command slower than the server (a
 * pager holding its input) costs memory, where psql would stall. SIGPIPE
 * is ignored while a writer is open, so a command that quits early only
 * makes the rest of the output go nowhere, as in psql. */
#ifndef SH_CMDPIPE_H
#define SH_CMDPIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <uv.h>

typedef struct sh_cmdpipe sh_cmdpipe;

/* Starts "/bin/sh -c cmd" (cmd borrowed) in proc (its data set by the
 * caller), after flushing every stdio stream so what we printed comes
 * before what it prints. Its standard input is in and its output out
 * (descriptors it inherits), or ours for -1; its error is ours. env
 * (borrowed for the call; sh_env_vector) is its environment, or NULL for
 * ours. Returns uv_spawn's code: 0 and exit_cb runs once the child ends;
 * negative and proc must still be closed with uv_close. Every child the
 * shell starts goes through here. */
int sh_cmdpipe_spawn(uv_loop_t *loop, uv_process_t *proc, const char *cmd,
                     uv_file in, uv_file out, char **env, uv_exit_cb exit_cb);

/* How the command ended: its exit code, or the signal that ended it
 * (sig > 0; code is then -1). data (read mode: what it printed, len
 * bytes, NUL-terminated; write mode: NULL) is owned by the callback. */
typedef void (*sh_cmdpipe_done_cb)(int code, int sig, char *data, size_t len,
                                   void *ctx);

/* Starts cmd (borrowed) with a pipe on its standard input and env as its
 * environment (as sh_cmdpipe_spawn). Returns-owned pipe, or NULL with
 * *uverr set to the uv error (nothing started). */
sh_cmdpipe *sh_cmdpipe_open_write(uv_loop_t *loop, const char *cmd,
                                  char **env, int *uverr);

/* A stdio stream writing into p's pipe (created on first call, buffered;
 * flushed by fflush or sh_cmdpipe_close). Borrowed, valid until
 * sh_cmdpipe_close; never fclose it. NULL only when glibc cannot make
 * one. */
FILE *sh_cmdpipe_file(sh_cmdpipe *p);

/* Queues len bytes of data (copied) for the command. Never blocks. */
void sh_cmdpipe_write(sh_cmdpipe *p, const char *data, size_t len);

/* Ends the command's input once everything queued is written, then calls
 * cb (may be NULL) after the command has exited and the handles are
 * closed; p frees itself then. Takes p. Never calls back synchronously. */
void sh_cmdpipe_close(sh_cmdpipe *p, sh_cmdpipe_done_cb cb, void *ctx);

/* Runs cmd (borrowed) with a pipe on its standard output and env as its
 * environment (as sh_cmdpipe_spawn), and collects what it prints; calls
 * cb with it once the command has exited. Returns 0 and calls cb exactly
 * once, never synchronously; or returns a uv error and never calls it. */
int sh_cmdpipe_read(uv_loop_t *loop, const char *cmd, char **env,
                    sh_cmdpipe_done_cb cb, void *ctx);

/* Returns-owned psql's words for how a command ended (its
 * wait_result_to_str): "command not found", "child process exited with
 * exit code 3", "child process was terminated by signal 9: Killed"; NULL
 * when it succeeded (code 0). */
char *sh_cmdpipe_describe(int code, int sig);

#endif
