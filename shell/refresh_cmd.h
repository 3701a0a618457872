/* refresh_cmd.h: `pgdeck refresh`, and the shell's \refresh and \syncs. */
#ifndef SH_REFRESH_CMD_H
#define SH_REFRESH_CMD_H

#include "core/core.h"
#include "shell/commands.h"

/* `pgdeck refresh [--json]`: runs every configured sync once, headless,
 * on core (borrowed; started or not) and prints the report: a table, or
 * with --json one object {"ok": bool, "jobs": [{"name", "status",
 * "attempts", "rows", "ms", "error"}]}. Runs the loop itself. Returns the
 * exit status: 0 only when every job is ok, 1 otherwise, 2 for bad usage.
 * argv[0] is "refresh". */
int sh_refresh_main(int argc, char **argv, pd_core *core);

extern const sh_cmd sh_refresh_commands[]; /* \refresh, \syncs */

#endif
