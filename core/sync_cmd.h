/* sync_cmd.h: running a sync job's command.
 *
 * The command is an argv run with uv_spawn, never through a shell. Its
 * stdout is collected (it carries the job's JSON), its stderr kept for the
 * error message, both bounded; a command still running at its timeout is
 * killed (SIGTERM, then SIGKILL after a grace period). */
#ifndef PD_SYNC_CMD_H
#define PD_SYNC_CMD_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "core/error.h"

typedef struct pd_sync_cmd_result {
    const char *out;     /* stdout, NUL-terminated; borrowed for the call */
    size_t out_len;
    const char *errtext; /* stderr, last bytes kept, trimmed; borrowed */
    int64_t exit_status; /* -1 when it did not exit by itself */
    int term_signal;     /* the signal that ended it, or 0 */
} pd_sync_cmd_result;

/* err (borrowed) is set when the command could not run, was killed at its
 * timeout, exited non-zero or printed more than max_out bytes; the result
 * is filled as far as known either way. */
typedef void (*pd_sync_cmd_cb)(const pd_sync_cmd_result *res,
                               const pd_error *err, void *ctx);

/* Runs argv (argv[0] found in PATH; argv borrowed for the call, NULL-
 * terminated) in cwd (NULL: ours). timeout_ms 0 means none; max_out 0
 * means 64 MiB. Returns 0 and calls cb exactly once, never synchronously;
 * or returns PD_EINVAL and never calls it. */
PD_MUSTCHECK int pd_sync_cmd_run(uv_loop_t *loop, const char *const *argv,
                                 const char *cwd, uint32_t timeout_ms,
                                 size_t max_out, pd_sync_cmd_cb cb,
                                 void *ctx);

#endif
